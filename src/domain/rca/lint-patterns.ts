// The patterns the lint matches: internal material (hosts, ids, tickets, paths, addresses),
// tone (blame, hindsight, minimising, boilerplate), times and durations, and people's names.
import type { LintRule } from './lint-rules.ts';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whole-word pattern that also works for terms starting or ending in punctuation. */
export const wordPattern = (term: string, flags = 'gi') =>
  new RegExp(`(?<![\\w-])${escapeRegExp(term)}(?![\\w-])`, flags);

interface PatternRule {
  rule: LintRule;
  pattern: RegExp;
  message: (match: string) => string;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s)>\]]+/gi;
// Public standards and identifiers that look like ticket or component ids (SHA-256, CVE-2024-3094).
const PUBLIC_STANDARD = '(?!(?:SHA|AES|UTF|ISO|RFC|TLS|SSL|HTTP|CVE|IPV|WCAG|PCI|ECMA|IEEE)-)';
const INTERNAL_SUFFIX = '(?:internal|local|lan|corp|intra|intranet|private|svc|cluster)';

// Internal material that must never reach customers. Checked on the text with public URLs masked.
export const LEAK_PATTERNS: PatternRule[] = [
  {
    rule: 'ticket',
    // Whatever shape an id has, after "ticket", "change request" or "case" it is a ticket.
    pattern: /\b(?:ticket|tickets|issue|case|bug|request)\s+#?(?=[A-Z0-9-]*\d)[A-Z][A-Z0-9]*-?\d+\b/g,
    message: (m) => `"${m}" refers to a ticket. Customers cannot open it; describe the work instead.`,
  },
  {
    rule: 'internal-id',
    pattern: new RegExp(
      `\\b${PUBLIC_STANDARD}(?:[A-Z]{1,5}\\d{2,}[A-Z0-9]*|(?=[A-Z0-9-]*\\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+){2,})\\b`,
      'g',
    ),
    message: (m) =>
      `"${m}" looks like an internal component id. Say what it is for the customer (add it to the glossary, admin → Settings → RCA glossary, to get a suggestion).`,
  },
  {
    rule: 'code-ref',
    // Pull and merge requests, commits, branches, repositories named like code.
    pattern:
      /\b(?:PR|MR)\s*[#!]?\d+\b|\b(?:pull|merge)\s+requests?\s*[#!]?\d+\b|\b(?:commit|revision|changeset)\s+[0-9a-f]{6,40}\b|\b(?:branch|tag)\s+[\w.-]*[/\d][\w./-]*\w|\b[a-z0-9]+(?:[-_][a-z0-9]+)+\s+(?:repo|repository)\b/gi,
    message: (m) => `"${m}" is a reference to our code. Customers cannot see our code, commits or pull requests.`,
  },
  {
    rule: 'code-ref',
    // Calls and members as code writes them: "handleRetry()", "QuotaClient.fetchLimits".
    pattern: /\b[A-Za-z_]\w*\(\)|\b[A-Za-z_]\w*\.[a-z]+[A-Z]\w*\b/g,
    message: (m) => `"${m}" is a piece of our code. Customers cannot see our code, commits or pull requests.`,
  },
  {
    rule: 'ticket',
    // KEY-123, and numbers given as tickets ("ticket #48213", a bare "#48213").
    pattern: new RegExp(
      `(?<!-)\\b${PUBLIC_STANDARD}[A-Z][A-Z0-9]{1,9}-\\d{1,7}\\b|\\b(?:ticket|issue|case|bug)\\s+#?\\d{3,}\\b|(?<![\\w&])#\\d{4,}\\b`,
      'g',
    ),
    message: (m) => `"${m}" looks like a ticket id. Customers cannot open it; describe the work instead.`,
  },
  {
    rule: 'ip',
    // IPv4 (with an optional prefix length), then IPv6: hex groups with "::" or a hex letter, so clock times never match.
    pattern:
      /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\/\d{1,2})?\b|(?<![\w:.])(?=[0-9a-f:]*(?:::|[a-f]))(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])/gi,
    message: (m) => `"${m}" is an IP address. Name the function or region instead.`,
  },
  {
    rule: 'hostname',
    pattern: new RegExp(
      `\\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+${INTERNAL_SUFFIX}\\b|\\b[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\\d+[a-z]?\\b|\\b(?=[a-z0-9.-]*[a-z])[a-z0-9-]*\\d[a-z0-9-]*(?:\\.[a-z0-9-]+){2,}\\b`,
      // Host names are written in lower case; "SHA-256" or "Wi-Fi 6" are not machines, nor is a version (5.2.0).
      'g',
    ),
    message: (m) => `"${m}" looks like a host name. Customers know the service, not the machine.`,
  },
  {
    rule: 'path',
    pattern:
      /(?<![\w/.:])~?\/[\w.-]+(?:\/[\w.-]*[\w-])+\/?|\b[A-Z]:\\[\w\\.-]+|\b[\w-]+\.(?:ya?ml|json|conf|cfg|ini|toml|sh|py|tf|log|sql|service|env)\b/g,
    message: (m) => `"${m}" is a file path. Describe the configuration or program in customer terms.`,
  },
];

// Tone. Each pattern is matched case-insensitively on the whole section.
export const TONE_PATTERNS: PatternRule[] = [
  {
    rule: 'blame',
    pattern:
      /\b(?:human|operator|user|engineer|employee)\s+error\b|\b(?:provider|vendor|supplier|partner|carrier|contractor)(?:'s|s')?\s+(?:fault|failure|mistake|error)\b|\bfault\s+of\b|\bto\s+blame\b|\bblamed?\b|\bcareless(?:ness|ly)?\b|\bnegligen(?:t|ce)\b|\bmistake\s+(?:by|of)\b/gi,
    message: (m) =>
      `"${m}" assigns blame. We own our dependencies and our people's actions: say what the system allowed to happen.`,
  },
  {
    rule: 'hindsight',
    // "Should have" judges people; a system that "should have taken over" is a plain fact.
    pattern:
      /\b(?:we|i|you|they|he|she|someone|somebody|team|engineers?|operators?|staff)\s+(?:really\s+|clearly\s+)?(?:should|ought\s+to)(?:n't|\s+not)?\s+have\b|\bought\s+to\s+have\b|\bshould(?:n't|\s+not)?\s+have\s+taken\s+(?:us|so|that|this)\b|\bcould\s+(?:easily\s+)?have\s+(?:been\s+)?(?:prevented|avoided|caught|spotted|foreseen)\b|\bwould\s+have\s+(?:been\s+)?(?:caught|spotted|noticed|prevented|avoided)\b|\b(?:had|if)\s+(?:only\s+)?we\s+(?:had\s+)?(?:looked|checked|tested|noticed|known)\b|\blooking\s+back\b|\bwith\s+better\s+attention\b|\bin\s+hindsight\b|\bobviously\b/gi,
    message: (m) => `"${m}" is hindsight. Describe what we knew then and what we are changing.`,
  },
  {
    rule: 'minimising',
    pattern:
      /\bonly\s+(?:about\s+|approximately\s+|around\s+|roughly\s+)?\d+(?:[.,]\d+)?\s*(?:%|percent|per\s+cent|of\b)|\bonly\s+a\s+(?:small|tiny|few|handful|fraction|minority|subset)\b|\ba\s+(?:small|tiny|limited)\s+(?:number|percentage|fraction|subset|portion)\s+of\b|\b(?:uptime|availability)\s+(?:was|remained|stayed)\s+(?:still\s+)?(?:above\s+|at\s+)?\d|\bstill\s+\d+(?:\.\d+)?\s*%|\b(?:minor|brief|small|short)\s+(?:blip|hiccup|glitch)\b|\bnegligible\b|\bjust\s+a\s+(?:few|small|handful)\b|\b(?:fortunately|luckily|thankfully)\b|\bvast\s+majority\b|\bmerely\b|\bimpact\s+(?:was|remained)\s+(?:minimal|limited|small)\b/gi,
    message: (m) => `"${m}" reads as minimising. State the impact plainly, from the customer's side.`,
  },
  {
    rule: 'apology',
    // "For any …" apologises for something that may not have happened; "the inconvenience" shrinks it.
    pattern:
      /\b(?:apologi[sz]e|apologies|sorry|regret)\b[^.!?]{0,40}?\bfor\s+any\s+[\w-]+|\bregret\s+any\b|\bany\s+inconvenience\b|\bthe\s+inconvenience\b|\binconvenience\s+(?:this|that|it)\s+(?:may|might)\s+have\s+caused\b/gi,
    message: (m) => `"${m}" is boilerplate. Say what went wrong for customers and that we are sorry for that.`,
  },
];

const DURATION_UNIT = '(?:days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)';
export const DURATION_PATTERN = new RegExp(
  `\\b\\d+(?:\\.\\d+)?\\s*${DURATION_UNIT}\\b(?:(?:\\s*,\\s*|\\s+and\\s+|\\s+)\\d+(?:\\.\\d+)?\\s*${DURATION_UNIT}\\b)*`,
  'gi',
);

const UNIT_MS: [RegExp, number][] = [
  [/^d/i, 86_400_000],
  [/^h/i, 3_600_000],
  [/^m/i, 60_000],
  [/^s/i, 1000],
];

/** "1 hour and 27 minutes" → milliseconds, and the finest unit used (for the tolerance). */
export function parseDuration(phrase: string): { ms: number; finestMs: number } {
  let ms = 0;
  let finestMs = Infinity;
  for (const [, amount, unit] of phrase.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/gi)) {
    const unitMs = UNIT_MS.find(([re]) => re.test(unit))![1];
    ms += Number(amount) * unitMs;
    finestMs = Math.min(finestMs, unitMs);
  }
  return { ms, finestMs };
}

export function maskUrls(text: string): string {
  return text.replace(URL_PATTERN, (url) => {
    // A link to an internal host is still a leak; public links (documentation) are fine.
    const host = url.replace(/^https?:\/\//i, '').split(/[/:?#]/)[0];
    return new RegExp(`\\.${INTERNAL_SUFFIX}$|^[\\d.]+$`, 'i').test(host) ? url : ' '.repeat(url.length);
  });
}

// Ordinary capitalised words that also occur in actor names ("Deploy bot", "Support lead").
const NOT_A_NAME = new Set([
  'The',
  'Our',
  'Team',
  'Bot',
  'Engineer',
  'Lead',
  'Manager',
  'Support',
  'Customer',
  'Customers',
  'Monitoring',
  'Automation',
  'Deploy',
  'Incident',
  'Commander',
  'System',
  'Service',
]);

/** The full names, and the first and last names of multi-word ones, as case-sensitive words. */
export function namePatterns(people: string[]): { name: string; pattern: RegExp }[] {
  const names = new Set<string>();
  for (const raw of people) {
    const name = raw.trim();
    if (name.length < 3 || !/[A-Z]/.test(name[0])) continue;
    names.add(name);
    const tokens = name.split(/\s+/);
    if (tokens.length > 1) {
      for (const t of tokens) if (t.length >= 3 && /^[A-Z][a-z'-]+$/.test(t) && !NOT_A_NAME.has(t)) names.add(t);
    }
  }
  return [...names].sort((a, b) => b.length - a.length).map((name) => ({ name, pattern: wordPattern(name, 'g') }));
}

/** Internal material and tone in one text; facts (times, durations) are checked only in sections. */
