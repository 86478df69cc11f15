// Real parsers from Debian (python3-feedparser, python3-icalendar) reading what Candor serves.
import { execFileSync } from 'node:child_process';

const PARSE_FEED = `
import sys, json, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
  "bozo": d.bozo, "error": str(d.get("bozo_exception", "")), "version": d.version,
  "title": d.feed.get("title"), "link": d.feed.get("link"),
  "entries": [{"id": e.get("id"), "title": e.get("title"), "link": e.get("link"), "updated": e.get("updated") or e.get("published"),
               "html": (e.get("content") or [{"value": e.get("summary", "")}])[0]["value"], "tags": [t["term"] for t in e.get("tags", [])]} for e in d.entries],
}))`;

const PARSE_ICS = `
import sys, json
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.buffer.read())
print(json.dumps([{
  "uid": str(e["UID"]), "summary": str(e["SUMMARY"]), "status": str(e["STATUS"]), "sequence": int(e["SEQUENCE"]),
  "start": e.decoded("DTSTART").isoformat(), "end": e.decoded("DTEND").isoformat(), "description": str(e["DESCRIPTION"]), "url": str(e["URL"]),
} for e in cal.walk("VEVENT")]))`;

export interface ParsedFeed {
  bozo: boolean;
  error: string;
  version: string;
  title: string;
  link: string;
  entries: { id: string; title: string; link: string; updated: string; html: string; tags: string[] }[];
}

export interface ParsedEvent {
  uid: string;
  summary: string;
  status: string;
  sequence: number;
  start: string;
  end: string;
  description: string;
  url: string;
}

const python = (script: string, input: Buffer) => JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input }).toString());

export const parseFeed = (bytes: Buffer): ParsedFeed => python(PARSE_FEED, bytes);
export const parseCalendar = (bytes: Buffer): ParsedEvent[] => python(PARSE_ICS, bytes);
