import { lintDraft, GLOSSARY } from '../src/domain/rca/lint.ts';
import { emptyDraft } from '../src/domain/rca/sections.ts';
const start = Date.UTC(2026, 10, 3, 14, 5), end = Date.UTC(2026, 10, 3, 15, 32);
const ctx = { glossary: GLOSSARY, people: ['Maria Keller', 'Deploy bot', 'Jonas'], startedAt: start, resolvedAt: end, times: [start, end, Date.UTC(2026,10,3,14,12)], durations: [end - start, 7*60000], committedActions: 0 };
const d = emptyDraft();
d.title = 'Network outage';
d.summary = 'L514 experienced a cut while L528 was shifted for an XLA replacement. Between 14:05 and 16:00 UTC, only 0.1% of requests failed, lasting 3 hours. See OPS-1234 on db-prod-03.fra.internal (10.2.3.4), /etc/nginx/nginx.conf. Maria restarted it; the storage team apologizes for any inconvenience. This human error should have been caught. 2026-11-03 SHA-256 Node.js 14:05 CET';
d.wrong = 'x'; d.response='y'; d.doing='z';
for (const f of lintDraft(d, ctx)) console.log(f.severity, f.rule, JSON.stringify(f.match), f.suggestion ?? '');
