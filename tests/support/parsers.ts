// Real parsers from Debian (python3-feedparser, python3-icalendar, Python's html.parser) reading what Candor serves.
import { execFileSync } from 'node:child_process';

const PARSE_FEED = `
import sys, json, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
  "bozo": d.bozo, "error": str(d.get("bozo_exception", "")), "version": d.version,
  "title": d.feed.get("title"), "link": d.feed.get("link"),
  "self": next((l["href"] for l in d.feed.get("links", []) if l.get("rel") == "self"), None), "id": d.feed.get("id"), "language": d.feed.get("language"),
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
  /** The rel="self" link: where the feed says it is read from. */
  self: string | null;
  id: string | null;
  language: string | null;
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

const python = (script: string, input: Buffer) =>
  JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input }).toString());

export const parseFeed = (bytes: Buffer): ParsedFeed => python(PARSE_FEED, bytes);
export const parseCalendar = (bytes: Buffer): ParsedEvent[] => python(PARSE_ICS, bytes);

// Python's own HTML parser (html.parser) listing every <form> with the fields a browser would send.
const PARSE_FORMS = `
import sys, json
from html.parser import HTMLParser
class Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.form, self.select, self.textarea = [], None, None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = {"method": (a.get("method") or "get").lower(), "action": a.get("action"), "fields": [], "buttons": []}
            self.forms.append(self.form)
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            self.select["options"].append(value)
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in a and self.select["value"] is None:
                self.select["value"] = value
        elif self.form is None or a.get("name") is None:
            return
        elif tag == "button" or (tag == "input" and (a.get("type") or "").lower() == "submit"):
            if (a.get("type") or "submit").lower() == "submit":
                self.form["buttons"].append({"name": a["name"], "value": a.get("value") or ""})
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("button", "reset", "image", "file"):
                return
            value = a.get("value") if a.get("value") is not None else ("on" if kind in ("checkbox", "radio") else "")
            self.form["fields"].append({"name": a["name"], "type": kind, "value": value, "checked": "checked" in a})
        elif tag == "textarea":
            self.textarea = {"name": a["name"], "type": "textarea", "value": "", "checked": False}
            self.form["fields"].append(self.textarea)
        elif tag == "select":
            self.select = {"name": a["name"], "type": "select", "value": None, "first": None, "checked": False, "options": []}
            self.form["fields"].append(self.select)
    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select is not None:
            if self.select["value"] is None:
                self.select["value"] = self.select["first"] or ""
            del self.select["first"]
            self.select = None
    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea["value"] += data
parser = Forms()
parser.feed(sys.stdin.read())
print(json.dumps(parser.forms))`;

export interface ParsedForm {
  method: string;
  action: string | null;
  /** A browser sends checkboxes and radios only when `checked`; a select lists its `options`. */
  fields: { name: string; type: string; value: string; checked: boolean; options?: string[] }[];
  /** Named submit buttons; a browser sends the one that was pressed. */
  buttons: { name: string; value: string }[];
}

export const parseForms = (html: string): ParsedForm[] => python(PARSE_FORMS, Buffer.from(html));
