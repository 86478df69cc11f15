// The public pages' only script (bundled under /_astro, so the Content-Security-Policy can forbid
// inline scripts). It adds the reader's own time zone next to each UTC time and keeps the page live.
//
// Live updates: /events sends, on every change, the newest change id and the URLs of the current
// live fragments (src/server/live-fragments.ts). The status page fetches only a fragment whose
// version is newer than what it shows and swaps only the slots whose hash differs, keeping focus
// and scroll; the banner is a polite live region and a second one says what else changed. Other
// pages fetch themselves again under a versioned URL. Where the event stream never opens (a proxy
// that cuts or buffers streams), the page polls /live/version.json every 30 s instead. Whenever
// the main region is fetched again, the header, footer, brand colour and favicon come with it:
// that is how a settings change (a structure change) reaches an open page.

interface LiveState {
  v: number;
  status: string;
  uptime: string;
}

type FragmentName = 'status' | 'uptime';

const POLL_MS = 30_000;
/** Without a first frame this long after connecting, the stream is taken to be blocked. */
const STREAM_GRACE_MS = 15_000;
const STREAM_ERRORS_BEFORE_POLLING = 3;

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const isUtc = (name: string | undefined) => name === 'UTC' || name === 'Etc/UTC';
/** The zone the server wrote times in (a setting); the reader's own is added when it differs. */
let pageZone = document.documentElement.dataset.timeZone ?? 'UTC';
const differsFromPage = () => Boolean(zone) && zone !== pageZone && !(isUtc(zone) && isUtc(pageZone));
let localZone = differsFromPage();
// The page's language: its words come from the layout (data-t-* on <body>), already translated.
// A change of the site's default language reaches an open page with its main region (applyChrome).
let lang = document.documentElement.lang || 'en';
const formatFor = (locale: string) =>
  new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, { dateStyle: 'medium', timeStyle: 'short' });
let timeFormat = formatFor(lang);

/** A phrase of the page's language, with {name} filled in. */
function words(name: string, fill: Record<string, string> = {}): string {
  const text = document.body.dataset[name] ?? '';
  return text.replace(/\{(\w+)\}/g, (all, key: string) => fill[key] ?? all);
}

function localise(root: ParentNode): void {
  if (!localZone) return;
  for (const el of root.querySelectorAll<HTMLTimeElement>('time[data-local]')) {
    if (el.dataset.done) continue;
    el.dataset.done = '1';
    const note = document.createElement('span');
    note.className = 'local-time';
    note.textContent = words('tLocalTime', { time: timeFormat.format(new Date(el.dateTime)) });
    el.after(note);
  }
}

function isLiveState(value: unknown): value is LiveState {
  const state = value as LiveState | null;
  return (
    typeof state === 'object' &&
    state !== null &&
    typeof state.v === 'number' &&
    typeof state.status === 'string' &&
    typeof state.uptime === 'string'
  );
}

/** The change id in a fragment URL (/live/<id>/<name>). */
function versionOf(url: string): number {
  return Number(url.split('/')[2]) || 0;
}

/** Enough to find "the same" focusable element again in re-rendered markup. */
function focusKey(el: Element): string {
  return el.id ? `#${el.id}` : `${el.tagName}|${el.getAttribute('href') ?? ''}|${el.textContent?.trim() ?? ''}`;
}

function swapSlot(current: HTMLElement, next: HTMLElement): void {
  const focused = document.activeElement;
  const keep = focused && focused !== document.body && current.contains(focused) ? focusKey(focused) : null;
  const className = next.getAttribute('class');
  if (className === null) current.removeAttribute('class');
  else current.setAttribute('class', className);
  current.innerHTML = next.innerHTML;
  current.dataset.hash = next.dataset.hash;
  localise(current);
  if (keep) {
    const again = [...current.querySelectorAll<HTMLElement>('a, button, summary, input, [tabindex]')].find(
      (el) => focusKey(el) === keep,
    );
    again?.focus({ preventScroll: true });
  }
}

/**
 * The first element on screen that no swap replaces, and where it is: after swapping slots above
 * it, the page scrolls by however far it moved, so what the reader looks at stays put (browsers
 * without scroll anchoring would jump). At the very top nothing is held: the reader sees the news.
 */
function scrollAnchor(main: HTMLElement): { el: Element; top: number } | null {
  if (window.scrollY === 0) return null;
  for (const el of main.querySelectorAll('h2, h3, li, article, p')) {
    if (el.closest('[data-slot]')) continue;
    const top = el.getBoundingClientRect().top;
    if (top >= 0) return { el, top };
  }
  return null;
}

function restoreScroll(anchor: { el: Element; top: number } | null): void {
  if (!anchor) return;
  const moved = anchor.el.getBoundingClientRect().top - anchor.top;
  if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
}

const SLOT_WORDS: Record<string, string> = {
  incidents: 'tSlotIncidents',
  maintenance: 'tSlotMaintenance',
};

function describeChanges(names: string[]): string {
  const parts = names.filter((n) => n in SLOT_WORDS).map((n) => words(SLOT_WORDS[n]));
  const states = names.filter((n) => n.startsWith('component-')).length;
  if (states) parts.push(states === 1 ? words('tComponentState') : words('tComponentStates', { n: String(states) }));
  return parts.length ? words('tUpdated', { parts: parts.join(', ') }) : '';
}

/** A fragment in this page's language (the front server keeps one per language). */
function inPageLanguage(url: string): string {
  return `${url}?lang=${encodeURIComponent(lang)}`;
}

function start(main: HTMLElement): void {
  const fragments = main.dataset.liveFragments !== undefined;
  const pageVersion = Number(main.dataset.liveVersion) || 0;
  // Pages that do not know their version take the first frame's as theirs.
  let seen = main.dataset.liveVersion === undefined ? -1 : pageVersion;
  const applied: Record<FragmentName, number> = { status: pageVersion, uptime: pageVersion };
  const announcer = document.querySelector<HTMLElement>('[data-live-announcer]');
  let running: Promise<void> = Promise.resolve();

  const announce = (text: string) => {
    if (!announcer || !text) return;
    // Emptied first, so the same words twice are announced twice.
    announcer.textContent = '';
    setTimeout(() => (announcer.textContent = text), 100);
  };

  const fetchDocument = async (url: string): Promise<Document | null> => {
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    if (!response.ok) return null;
    return new DOMParser().parseFromString(await response.text(), 'text/html');
  };

  /** The page's frame as the server renders it now: header, footer, brand colour, favicon, zone. */
  const applyChrome = (doc: Document) => {
    for (const next of doc.querySelectorAll<HTMLElement>('[data-live-chrome]')) {
      const current = document.querySelector<HTMLElement>(
        `[data-live-chrome="${CSS.escape(next.dataset.liveChrome!)}"]`,
      );
      if (current && current.innerHTML !== next.innerHTML) current.innerHTML = next.innerHTML;
    }
    const style = document.querySelector('style[data-brand-style]');
    const nextStyle = doc.querySelector('style[data-brand-style]');
    if (style && nextStyle && style.textContent !== nextStyle.textContent) style.textContent = nextStyle.textContent;
    const icon = document.querySelector<HTMLLinkElement>('link[data-brand-icon]');
    const nextIcon = doc.querySelector<HTMLLinkElement>('link[data-brand-icon]');
    if (icon && nextIcon && icon.getAttribute('href') !== nextIcon.getAttribute('href')) {
      icon.type = nextIcon.type;
      icon.href = nextIcon.getAttribute('href')!;
    }
    adoptLanguage(doc);
    pageZone = doc.documentElement.dataset.timeZone ?? pageZone;
    document.documentElement.dataset.timeZone = pageZone;
    localZone = differsFromPage();
    noteZone();
  };

  const replaceMain = async (version: number) => {
    const url = new URL(location.href);
    url.searchParams.set('v', String(version));
    const doc = await fetchDocument(url.href);
    const next = doc?.querySelector<HTMLElement>('main[data-live]');
    if (!doc || !next) return;
    main.innerHTML = next.innerHTML;
    if (next.dataset.liveVersion) main.dataset.liveVersion = next.dataset.liveVersion;
    document.title = doc.title;
    applyChrome(doc);
    localise(main);
    applied.status = applied.uptime = Number(next.dataset.liveVersion) || version;
    announce(words('tPageUpdated'));
  };

  /** Swaps the changed slots; false when the page's structure changed and slots cannot follow. */
  const applyFragment = (doc: Document): string[] | null => {
    const changed: string[] = [];
    const anchor = scrollAnchor(main);
    for (const next of doc.querySelectorAll<HTMLElement>('[data-slot]')) {
      const name = next.dataset.slot!;
      const current = main.querySelector<HTMLElement>(`[data-slot="${CSS.escape(name)}"]`);
      if (!current || current.dataset.hash === next.dataset.hash) continue;
      if (name === 'structure') return null;
      swapSlot(current, next);
      changed.push(name);
    }
    restoreScroll(anchor);
    return changed;
  };

  const catchUp = async (state: LiveState) => {
    if (seen === -1) {
      seen = state.v;
      return;
    }
    if (state.v <= seen) return;
    seen = state.v;
    if (!fragments) return replaceMain(state.v);
    const changed: string[] = [];
    // Status first: it is small and it is what readers wait for.
    for (const name of ['status', 'uptime'] as const) {
      const version = versionOf(state[name]);
      if (version <= applied[name]) continue;
      const doc = await fetchDocument(inPageLanguage(state[name]));
      if (!doc) continue;
      const swapped = applyFragment(doc);
      if (swapped === null) return replaceMain(state.v);
      applied[name] = version;
      changed.push(...swapped);
    }
    if (changed.length) {
      main.dispatchEvent(new CustomEvent('candor:updated', { bubbles: true, detail: { slots: changed } }));
      // The banner announces itself; say what else changed.
      announce(describeChanges(changed));
    }
  };

  const onState = (data: string) => {
    let state: unknown;
    try {
      state = JSON.parse(data);
    } catch {
      return;
    }
    if (!isLiveState(state)) return;
    // One catch-up at a time, in order; a failed fetch waits for the next change or poll.
    running = running.then(() => catchUp(state)).catch(() => undefined);
  };

  const poll = () => {
    document.documentElement.dataset.live = 'polling';
    const once = async () => {
      try {
        // no-cache: the browser revalidates with the ETag, so an unchanged version costs a 304.
        const response = await fetch('/live/version.json', { cache: 'no-cache' });
        if (response.ok) onState(await response.text());
      } catch {
        /* offline for a moment: the next poll tries again */
      }
    };
    void once();
    setInterval(() => void once(), POLL_MS);
  };

  if (!('EventSource' in window)) return poll();
  document.documentElement.dataset.live = 'connecting';
  const source = new EventSource('/events');
  let opened = false;
  let errors = 0;
  const giveUp = () => {
    if (opened) return;
    source.close();
    poll();
  };
  const grace = setTimeout(giveUp, STREAM_GRACE_MS);
  source.addEventListener('hello', (event) => {
    opened = true;
    clearTimeout(grace);
    errors = 0;
    document.documentElement.dataset.live = 'open';
    onState((event as MessageEvent<string>).data);
  });
  source.addEventListener('change', (event) => onState((event as MessageEvent<string>).data));
  source.addEventListener('error', () => {
    if (!opened && ++errors >= STREAM_ERRORS_BEFORE_POLLING) {
      clearTimeout(grace);
      giveUp();
    } else if (opened && source.readyState === EventSource.CLOSED) {
      // The browser will not reconnect after an error answer (a proxy's 502 while an instance
      // restarts): the page keeps itself current by polling instead.
      opened = false;
      giveUp();
    }
  });
}

/** Takes the fetched page's language: <html lang>, the script's words and the local-time notes. */
function adoptLanguage(doc: Document): void {
  const next = doc.documentElement.lang;
  if (!next || next === lang) return;
  lang = next;
  document.documentElement.lang = next;
  for (const [name, text] of Object.entries(doc.body.dataset)) {
    if (/^t[A-Z]/.test(name) && text !== undefined) document.body.dataset[name] = text;
  }
  timeFormat = formatFor(next);
  const skip = document.querySelector('a.skip');
  const nextSkip = doc.querySelector('a.skip');
  if (skip && nextSkip) skip.textContent = nextSkip.textContent;
  // Notes written in the old language are written again.
  for (const note of document.querySelectorAll('.local-time')) note.remove();
  for (const el of document.querySelectorAll<HTMLElement>('time[data-done]')) delete el.dataset.done;
  localise(document);
}

function noteZone(): void {
  const zoneNote = document.querySelector('[data-zone-note]');
  if (zoneNote) zoneNote.textContent = localZone ? words('tZoneNote', { zone }) : '';
}

noteZone();
localise(document);
const main = document.querySelector<HTMLElement>('main[data-live]');
if (main) start(main);
