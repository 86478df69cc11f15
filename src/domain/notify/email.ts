// Subscriber emails, rendered from a notification's snapshot: an HTML and a plain-text part, and
// the RFC 8058 one-click unsubscribe headers on everything sent to a confirmed list member.
import { formatUtc, formatUtcDay } from '../format.ts';
import { renderMarkdown } from '../markdown.ts';
import {
  COMPONENT_STATE_LABELS,
  INCIDENT_IMPACT_LABELS,
  INCIDENT_STATUS_LABELS,
  MAINTENANCE_STATUS_LABELS,
  type IncidentStatus,
  type MaintenanceStatus,
} from '../status.ts';
import type { CommitmentPayload, IncidentPayload, PostmortemPayload } from './events.ts';
import type { NotificationKind } from './kinds.ts';
import type { MaintenancePayload } from '../maintenance.ts';
import type { PasswordLinkPayload } from '../auth/user-admin.ts';
import {
  confirmLink,
  incidentLink,
  maintenanceLink,
  passwordLink,
  postmortemLink,
  subscriptionLinks,
  type MessageContext,
} from './links.ts';

export interface EmailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
}

export interface EmailSource {
  kind: NotificationKind;
  payload: unknown;
  address: string;
  manageToken: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** What a message says, before it is laid out for a channel (email here, chat in chat-message.ts). */
export interface Parts {
  subject: string;
  /** Paragraphs of the plain-text part. */
  text: string[];
  /** Inner HTML of the message body. */
  html: string;
  listMember: boolean;
  /** The message's one link onward; the plain-text part ends with it as "label: url". */
  action?: { label: string; url: string };
}

function page(
  ctx: MessageContext,
  parts: Parts,
  links: ReturnType<typeof subscriptionLinks>,
): { html: string; text: string } {
  const footerText = parts.listMember
    ? [
        `You get this because you subscribed to ${ctx.siteName} status updates.`,
        `Choose components: ${links.manage}`,
        `Unsubscribe: ${links.unsubscribe}`,
      ]
    : [];
  const body = parts.action ? [...parts.text, `${parts.action.label}: ${parts.action.url}`] : parts.text;
  const text = [...body, ...(footerText.length ? ['--', footerText.join('\n')] : [])].join('\n\n') + '\n';
  const footerHtml = parts.listMember
    ? `<p style="color:#555;font-size:13px;border-top:1px solid #ddd;padding-top:12px">You get this because you subscribed to ${escapeHtml(ctx.siteName)} status updates.
<a href="${escapeHtml(links.manage)}">Choose components</a> · <a href="${escapeHtml(links.unsubscribe)}">Unsubscribe</a></p>`
    : '';
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(parts.subject)}</title></head>
<body style="margin:0;padding:24px;font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#1a1a1a;line-height:1.5">
<div style="max-width:600px;margin:0 auto">
<p style="font-weight:600;color:#444">${escapeHtml(ctx.siteName)} status</p>
${parts.html}
${footerHtml}
</div></body></html>`;
  return { html, text };
}

// Recipients of one notification share everything but their links: render the shared part once
// per snapshot object (a worker's batch holds one parsed snapshot for all its recipients).
const sharedParts = new WeakMap<object, Parts>();

function incidentParts(ctx: MessageContext, kind: NotificationKind, payload: IncidentPayload): Parts {
  const cached = sharedParts.get(payload);
  if (cached) return cached;
  const parts = buildIncidentParts(ctx, kind, payload);
  sharedParts.set(payload, parts);
  return parts;
}

/** An incident email's subject: one rule for the message and for the admin's preview of it. */
export function incidentSubject(
  siteName: string,
  kind: NotificationKind,
  status: IncidentStatus,
  title: string,
): string {
  const prefix =
    kind === 'incident.created'
      ? 'New incident'
      : kind === 'incident.corrected'
        ? 'Correction'
        : INCIDENT_STATUS_LABELS[status];
  return `[${siteName}] ${prefix}: ${title}`;
}

/** A maintenance email's subject: one rule for the message and for the admin's preview of it. */
export function maintenanceSubject(
  siteName: string,
  kind: NotificationKind,
  status: MaintenanceStatus,
  title: string,
): string {
  return `[${siteName}] ${status === 'cancelled' ? 'Maintenance cancelled' : MAINTENANCE_SUBJECTS[kind]}: ${title}`;
}

function buildIncidentParts(ctx: MessageContext, kind: NotificationKind, payload: IncidentPayload): Parts {
  const { incident } = payload;
  const update = incident.updates.find((u) => u.id === payload.updateId) ?? incident.updates[0];
  const status = INCIDENT_STATUS_LABELS[incident.status];
  const link = incidentLink(ctx, incident.id);
  const corrected = kind === 'incident.corrected';
  const subject = incidentSubject(ctx.siteName, kind, incident.status, incident.title);
  const state = `${status} · ${INCIDENT_IMPACT_LABELS[incident.impact]} impact · started ${formatUtc(incident.startedAt)}${
    incident.resolvedAt ? ` · resolved ${formatUtc(incident.resolvedAt)}` : ''
  }`;
  const affected = incident.components.map((c) => `${c.name}: ${COMPONENT_STATE_LABELS[c.status]}`);
  const correction = corrected
    ? `We corrected our update of ${formatUtc(update.displayAt)}. This is what it says now:`
    : null;
  const text = [
    incident.title,
    ...(correction ? [correction] : []),
    `Current state: ${state}`,
    `${INCIDENT_STATUS_LABELS[update.status]} — ${formatUtc(update.displayAt)}\n${update.body}`,
    ...(affected.length ? [`Affected components:\n${affected.map((a) => `- ${a}`).join('\n')}`] : []),
  ];
  const html = `<h1 style="font-size:20px;margin:0 0 8px">${escapeHtml(incident.title)}</h1>
${correction ? `<p style="margin:0 0 16px">${escapeHtml(correction)}</p>` : ''}
<p style="margin:0 0 16px"><strong>Current state:</strong> ${escapeHtml(state)}</p>
<div style="border-left:4px solid #888;padding-left:12px;margin:0 0 16px">
<p style="margin:0"><strong>${escapeHtml(INCIDENT_STATUS_LABELS[update.status])}</strong> — ${escapeHtml(formatUtc(update.displayAt))}</p>
${renderMarkdown(update.body)}
</div>
${affected.length ? `<p style="margin:0"><strong>Affected components</strong></p><ul>${affected.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ul>` : ''}
<p><a href="${escapeHtml(link)}">Follow this incident on the status page</a></p>`;
  return { subject, text, html, listMember: true, action: { label: 'Follow this incident', url: link } };
}

function postmortemParts(
  ctx: MessageContext,
  kind: NotificationKind,
  { postmortem, commitments }: PostmortemPayload,
): Parts {
  const link = postmortemLink(ctx, postmortem.slug);
  const updated = kind === 'postmortem.updated';
  // Titles usually say what they are ("Post-incident report: …"); don't say it twice.
  const named = /post-?mortem|report|\bRCA\b|root.cause/i.test(postmortem.title)
    ? postmortem.title
    : `Post-incident report: ${postmortem.title}`;
  const subject = `[${ctx.siteName}] ${updated ? 'Updated: ' : ''}${named}`;
  const about = postmortem.incidents.map((i) => i.title).join('; ');
  const intro = updated
    ? `We updated our report on ${about}. What changed: ${postmortem.changeNote}`
    : `We have published our report on what happened during ${about}, why, and what we are doing about it.`;
  const tally = `Commitments: ${commitments.done} of ${commitments.total} done. We track each one publicly on the report.`;
  return {
    subject,
    text: [postmortem.title, intro, postmortem.summary, tally],
    action: { label: 'Read the full report', url: link },
    html: `<h1 style="font-size:20px;margin:0 0 8px">${escapeHtml(postmortem.title)}</h1>
<p>${escapeHtml(intro)}</p>
<div style="border-left:4px solid #888;padding-left:12px;margin:0 0 16px">${renderMarkdown(postmortem.summary)}</div>
<p>${escapeHtml(tally)}</p>
<p><a href="${escapeHtml(link)}">Read the full report</a></p>`,
    listMember: true,
  };
}

const MAINTENANCE_SUBJECTS: Partial<Record<NotificationKind, string>> = {
  'maintenance.scheduled': 'Scheduled maintenance',
  'maintenance.reminder': 'Maintenance starts soon',
  'maintenance.started': 'Maintenance in progress',
  'maintenance.updated': 'Maintenance update',
  'maintenance.completed': 'Maintenance completed',
};

function maintenanceParts(
  ctx: MessageContext,
  kind: NotificationKind,
  { maintenance: m, updateId }: MaintenancePayload,
): Parts {
  const link = maintenanceLink(ctx, m.id);
  const status = MAINTENANCE_STATUS_LABELS[m.status];
  const subject = maintenanceSubject(ctx.siteName, kind, m.status, m.title);
  const window = `${formatUtc(m.scheduledFor)} – ${formatUtc(m.scheduledUntil)}`;
  const update = m.updates.find((u) => u.id === updateId) ?? m.updates[m.updates.length - 1];
  const affected = m.components.map((c) => c.name);
  const word = update
    ? `${MAINTENANCE_STATUS_LABELS[update.status]} — ${formatUtc(update.createdAt)}\n${update.body}`
    : m.body;
  return {
    subject,
    text: [
      m.title,
      `${status} · window ${window}`,
      word,
      ...(affected.length ? [`Affected components: ${affected.join(', ')}`] : []),
    ],
    action: { label: 'Details', url: link },
    html: `<h1 style="font-size:20px;margin:0 0 8px">${escapeHtml(m.title)}</h1>
<p style="margin:0 0 16px"><strong>${escapeHtml(status)}</strong> · window ${escapeHtml(window)}</p>
<div style="border-left:4px solid #888;padding-left:12px;margin:0 0 16px">
${update ? `<p style="margin:0"><strong>${escapeHtml(MAINTENANCE_STATUS_LABELS[update.status])}</strong> — ${escapeHtml(formatUtc(update.createdAt))}</p>${renderMarkdown(update.body)}` : renderMarkdown(m.body)}
</div>
${affected.length ? `<p><strong>Affected components:</strong> ${escapeHtml(affected.join(', '))}</p>` : ''}
<p><a href="${escapeHtml(link)}">Details on the status page</a></p>`,
    listMember: true,
  };
}

const COMMITMENT_NEWS: Record<string, string> = { done: 'Commitment done', wont_do: 'Commitment dropped' };

function commitmentParts(ctx: MessageContext, { postmortem, commitment, commitments }: CommitmentPayload): Parts {
  const link = postmortemLink(ctx, postmortem.slug);
  const redated = commitment.dueAt !== commitment.previousDueAt;
  const news = COMMITMENT_NEWS[commitment.status] ?? (redated ? 'Commitment re-dated' : 'Commitment updated');
  const subject = `[${ctx.siteName}] ${news}: ${postmortem.title}`;
  const detail =
    commitment.status === 'done'
      ? `Done on ${formatUtc(commitment.completedAt ?? commitment.dueAt)}.`
      : commitment.status === 'wont_do'
        ? 'We are no longer pursuing this item. The report shows it as dropped.'
        : `It was due ${formatUtcDay(commitment.previousDueAt)} and is now due ${formatUtcDay(commitment.dueAt)}.`;
  const tally = `${commitments.done} of ${commitments.total} commitments from this report are done.`;
  return {
    subject,
    text: [`${news} — ${postmortem.title}`, `“${commitment.text}”`, detail, tally],
    action: { label: 'See every commitment', url: link },
    html: `<h1 style="font-size:20px;margin:0 0 8px">${escapeHtml(news)}</h1>
<p style="margin:0 0 8px">${escapeHtml(postmortem.title)}</p>
<blockquote style="border-left:4px solid #888;margin:0 0 16px;padding-left:12px">${escapeHtml(commitment.text)}</blockquote>
<p>${escapeHtml(detail)}</p>
<p>${escapeHtml(tally)}</p>
<p><a href="${escapeHtml(link)}">See every commitment</a></p>`,
    listMember: true,
  };
}

/** What a broadcast says (incident, report, commitment, maintenance), or null for other kinds. */
export function broadcastParts(ctx: MessageContext, kind: NotificationKind, payload: unknown): Parts | null {
  switch (kind) {
    case 'incident.created':
    case 'incident.updated':
    case 'incident.resolved':
    case 'incident.corrected':
      return incidentParts(ctx, kind, payload as IncidentPayload);
    case 'postmortem.published':
    case 'postmortem.updated':
      return postmortemParts(ctx, kind, payload as PostmortemPayload);
    case 'commitment.updated':
      return commitmentParts(ctx, payload as CommitmentPayload);
    case 'maintenance.scheduled':
    case 'maintenance.reminder':
    case 'maintenance.started':
    case 'maintenance.updated':
    case 'maintenance.completed':
      return maintenanceParts(ctx, kind, payload as MaintenancePayload);
    default:
      return null;
  }
}

/** Renders the email a delivery carries. Deterministic: the same input always gives the same bytes. */
export function renderEmail(ctx: MessageContext, source: EmailSource): EmailMessage {
  const links = subscriptionLinks(ctx, source.manageToken);
  let parts: Parts | null = broadcastParts(ctx, source.kind, source.payload);
  switch (parts ? null : source.kind) {
    case null:
      break;
    case 'subscription.confirm': {
      const { token, expiresAt } = source.payload as { token: string; expiresAt: number };
      const link = confirmLink(ctx, token);
      parts = {
        subject: `Confirm your subscription to ${ctx.siteName} status updates`,
        text: [
          `Someone, hopefully you, asked to get ${ctx.siteName} status updates at this address.`,
          `Confirm your subscription: ${link}`,
          `The link works until ${formatUtc(expiresAt)}. If you did not ask for this, ignore this email: nothing more will be sent.`,
        ],
        html: `<p>Someone, hopefully you, asked to get ${escapeHtml(ctx.siteName)} status updates at this address.</p>
<p><a href="${escapeHtml(link)}" style="display:inline-block;padding:10px 16px;background:#1a56db;color:#fff;text-decoration:none;border-radius:6px">Confirm your subscription</a></p>
<p>The link works until ${escapeHtml(formatUtc(expiresAt))}. If you did not ask for this, ignore this email: nothing more will be sent.</p>`,
        listMember: false,
      };
      break;
    }
    case 'user.invite':
    case 'user.reset': {
      const p = source.payload as PasswordLinkPayload;
      const link = passwordLink(ctx, p.token);
      const invite = source.kind === 'user.invite';
      const lead = invite
        ? `${p.name}, you are invited to the ${ctx.siteName} status page admin (role: ${p.role}). Choose your password to start.`
        : `${p.name}, here is the link to choose a new password for the ${ctx.siteName} status page admin. Your other sessions will end.`;
      const action = invite ? 'Choose your password' : 'Choose a new password';
      parts = {
        subject: invite
          ? `You are invited to the ${ctx.siteName} status admin`
          : `Reset your ${ctx.siteName} status admin password`,
        text: [
          lead,
          `${action}: ${link}`,
          `The link works once, until ${formatUtc(p.expiresAt)}. If you did not expect this, ignore this email.`,
        ],
        html: `<p>${escapeHtml(lead)}</p>
<p><a href="${escapeHtml(link)}" style="display:inline-block;padding:10px 16px;background:#1a56db;color:#fff;text-decoration:none;border-radius:6px">${escapeHtml(action)}</a></p>
<p>The link works once, until ${escapeHtml(formatUtc(p.expiresAt))}. If you did not expect this, ignore this email.</p>`,
        listMember: false,
      };
      break;
    }
    case 'subscription.already':
      parts = {
        subject: `You are already subscribed to ${ctx.siteName} status updates`,
        text: [
          `Someone asked to subscribe this address to ${ctx.siteName} status updates. It is already subscribed, so nothing has changed.`,
          `To choose components or unsubscribe: ${links.manage}`,
        ],
        html: `<p>Someone asked to subscribe this address to ${escapeHtml(ctx.siteName)} status updates. It is already subscribed, so nothing has changed.</p>
<p><a href="${escapeHtml(links.manage)}">Choose components or unsubscribe</a></p>`,
        listMember: true,
      };
      break;
    default:
      throw new Error(`Notifications of kind ${source.kind} are not sent by email.`);
  }
  if (!parts) throw new Error(`Notifications of kind ${source.kind} are not sent by email.`);
  const { html, text } = page(ctx, parts, links);
  const headers: Record<string, string> = parts.listMember
    ? { 'List-Unsubscribe': `<${links.unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
    : {};
  return { to: source.address, subject: parts.subject, html, text, headers };
}
