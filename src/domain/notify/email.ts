// Subscriber emails, rendered from a notification's snapshot in the subscriber's language: an HTML
// and a plain-text part, and the RFC 8058 one-click unsubscribe headers on everything sent to a
// confirmed list member. What staff wrote (titles, updates, notes) goes out as written. Staff mail
// (invitations, password links) is in English, as the admin is.
import { siteDefaultLocale } from '../../i18n/site-locale.ts';
import { t, type MessageKey } from '../../i18n/t.ts';
import { componentStateLabel, impactLabel, incidentStatusLabel, maintenanceStatusLabel } from '../../i18n/labels.ts';
import { escapeMarkup, formatInZone, formatUtcDay } from '../format.ts';
import type { Locale } from '../locales.ts';
import { renderMarkdown } from '../markdown.ts';
import type { IncidentStatus, MaintenanceStatus } from '../status.ts';
import type { CommitmentPayload, IncidentPayload, PostmortemPayload } from './events.ts';
import type { NotificationKind } from './kinds.ts';
import type { MaintenancePayload } from '../maintenance.ts';
import type { PasswordLinkPayload } from '../auth/user-admin.ts';
import type { SignInLinkPayload } from '../audiences/sign-in-link.ts';
import {
  confirmLink,
  incidentLink,
  maintenanceLink,
  passwordLink,
  postmortemLink,
  signInLink,
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
  /** The subscriber's language (English when not known). */
  locale?: Locale;
}

/** What a message says, before it is laid out for a channel (email here, chat in chat-message.ts). */
export interface Parts {
  subject: string;
  /** Paragraphs of the plain-text part. */
  text: string[];
  /** Inner HTML of the message body. */
  html: string;
  listMember: boolean;
  /** The message's one link onward; the plain-text part ends with it as "label: url" (in the message's language). */
  action?: { label: string; url: string };
}

/** "Label: value" in the plain-text part, with the colon the language uses (French puts a space before it). */
const labelled = (locale: Locale, label: string, value: string) => `${label}${locale === 'fr' ? ' :' : ':'} ${value}`;

/**
 * The language links name: none for the site's own language (the page opens in it anyway, or in
 * the reader's chosen one), so English mail keeps plain links.
 */
export const linkLocale = (locale: Locale) => (locale === siteDefaultLocale() ? undefined : locale);

function page(
  ctx: MessageContext,
  locale: Locale,
  parts: Parts,
  links: ReturnType<typeof subscriptionLinks>,
): { html: string; text: string } {
  const because = t(locale, 'email.footer', { site: ctx.siteName });
  const choose = t(locale, 'email.chooseComponents');
  const unsubscribe = t(locale, 'email.unsubscribe');
  const footerText = parts.listMember
    ? [because, labelled(locale, choose, links.manage), labelled(locale, unsubscribe, links.unsubscribe)]
    : [];
  const body = parts.action ? [...parts.text, labelled(locale, parts.action.label, parts.action.url)] : parts.text;
  const text = [...body, ...(footerText.length ? ['--', footerText.join('\n')] : [])].join('\n\n') + '\n';
  const footerHtml = parts.listMember
    ? `<p style="color:#555;font-size:13px;border-top:1px solid #ddd;padding-top:12px">${escapeMarkup(because)}
<a href="${escapeMarkup(links.manage)}">${escapeMarkup(choose)}</a> · <a href="${escapeMarkup(links.unsubscribe)}">${escapeMarkup(unsubscribe)}</a></p>`
    : '';
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeMarkup(parts.subject)}</title></head>
<body style="margin:0;padding:24px;font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#1a1a1a;line-height:1.5">
<div style="max-width:600px;margin:0 auto">
<p style="font-weight:600;color:#444">${escapeMarkup(t(locale, 'email.heading', { site: ctx.siteName }))}</p>
${parts.html}
${footerHtml}
</div></body></html>`;
  return { html, text };
}

// Recipients of one notification share everything but their links and language: render the
// shared part once per snapshot object and language (a worker's batch holds one parsed snapshot
// for all its recipients).
const sharedParts = new WeakMap<object, Map<Locale, Parts>>();

function shared(payload: object, locale: Locale, build: () => Parts): Parts {
  let byLocale = sharedParts.get(payload);
  if (!byLocale) sharedParts.set(payload, (byLocale = new Map()));
  let parts = byLocale.get(locale);
  if (!parts) byLocale.set(locale, (parts = build()));
  return parts;
}

const MAINTENANCE_SUBJECTS: Partial<Record<NotificationKind, MessageKey>> = {
  'maintenance.scheduled': 'email.maintenanceScheduled',
  'maintenance.reminder': 'email.maintenanceReminder',
  'maintenance.started': 'email.maintenanceStarted',
  'maintenance.updated': 'email.maintenanceUpdated',
  'maintenance.completed': 'email.maintenanceCompleted',
};

/**
 * An incident email's subject: one rule for the message and for the admin's preview of it (which
 * is English, as the admin is).
 */
export function incidentSubject(
  siteName: string,
  kind: NotificationKind,
  status: IncidentStatus,
  title: string,
  locale: Locale = 'en',
): string {
  const prefix =
    kind === 'incident.created'
      ? t(locale, 'email.newIncident')
      : kind === 'incident.corrected'
        ? t(locale, 'email.correction')
        : incidentStatusLabel(locale, status);
  return `[${siteName}] ${labelled(locale, prefix, title)}`;
}

/** A maintenance email's subject: one rule for the message and for the admin's preview of it. */
export function maintenanceSubject(
  siteName: string,
  kind: NotificationKind,
  status: MaintenanceStatus,
  title: string,
  locale: Locale = 'en',
): string {
  const what = t(locale, status === 'cancelled' ? 'email.maintenanceCancelled' : MAINTENANCE_SUBJECTS[kind]!);
  return `[${siteName}] ${labelled(locale, what, title)}`;
}

function buildIncidentParts(
  ctx: MessageContext,
  locale: Locale,
  kind: NotificationKind,
  payload: IncidentPayload,
): Parts {
  const { incident } = payload;
  const update = incident.updates.find((u) => u.id === payload.updateId) ?? incident.updates[0];
  const status = incidentStatusLabel(locale, incident.status);
  const link = incidentLink(ctx, incident.id, linkLocale(locale));
  const subject = incidentSubject(ctx.siteName, kind, incident.status, incident.title, locale);
  const state =
    t(locale, 'incident.stateLine', {
      status,
      impact: impactLabel(locale, incident.impact),
      started: formatInZone(incident.startedAt, ctx.timeZone, locale),
    }) +
    (incident.resolvedAt
      ? t(locale, 'incident.resolvedAt', { time: formatInZone(incident.resolvedAt, ctx.timeZone, locale) })
      : '');
  const affected = incident.components.map((c) => labelled(locale, c.name, componentStateLabel(locale, c.status)));
  const updateHead = `${incidentStatusLabel(locale, update.status)} — ${formatInZone(update.displayAt, ctx.timeZone, locale)}`;
  const currentState = t(locale, 'email.currentState');
  const affectedLabel = t(locale, 'email.affectedComponents');
  const correction =
    kind === 'incident.corrected'
      ? t(locale, 'email.correctedUpdate', { time: formatInZone(update.displayAt, ctx.timeZone, locale) })
      : null;
  const text = [
    incident.title,
    ...(correction ? [correction] : []),
    labelled(locale, currentState, state),
    `${updateHead}\n${update.body}`,
    ...(affected.length
      ? [`${labelled(locale, affectedLabel, '').trimEnd()}\n${affected.map((a) => `- ${a}`).join('\n')}`]
      : []),
  ];
  const html = `<h1 style="font-size:20px;margin:0 0 8px">${escapeMarkup(incident.title)}</h1>
${correction ? `<p style="margin:0 0 16px">${escapeMarkup(correction)}</p>` : ''}
<p style="margin:0 0 16px"><strong>${escapeMarkup(labelled(locale, currentState, '').trimEnd())}</strong> ${escapeMarkup(state)}</p>
<div style="border-left:4px solid #888;padding-left:12px;margin:0 0 16px">
<p style="margin:0"><strong>${escapeMarkup(incidentStatusLabel(locale, update.status))}</strong> — ${escapeMarkup(formatInZone(update.displayAt, ctx.timeZone, locale))}</p>
${renderMarkdown(update.body)}
</div>
${affected.length ? `<p style="margin:0"><strong>${escapeMarkup(affectedLabel)}</strong></p><ul>${affected.map((a) => `<li>${escapeMarkup(a)}</li>`).join('')}</ul>` : ''}
<p><a href="${escapeMarkup(link)}">${escapeMarkup(t(locale, 'email.followIncidentOnPage'))}</a></p>`;
  return { subject, text, html, listMember: true, action: { label: t(locale, 'email.followIncident'), url: link } };
}

function postmortemParts(
  ctx: MessageContext,
  locale: Locale,
  kind: NotificationKind,
  { postmortem, commitments }: PostmortemPayload,
): Parts {
  const link = postmortemLink(ctx, postmortem.slug, linkLocale(locale));
  const updated = kind === 'postmortem.updated';
  // Titles usually say what they are ("Post-incident report: …"); don't say it twice.
  const named = /post-?mortem|report|\bRCA\b|root.cause/i.test(postmortem.title)
    ? postmortem.title
    : t(locale, 'email.reportTitle', { title: postmortem.title });
  const subject = `[${ctx.siteName}] ${updated ? t(locale, 'email.updatedSubject', { title: named }) : named}`;
  const about = postmortem.incidents.map((i) => i.title).join('; ');
  const intro = updated
    ? t(locale, 'email.reportUpdated', { about, note: postmortem.changeNote })
    : t(locale, 'email.reportPublished', { about });
  const tally = t(locale, 'email.reportTally', { done: commitments.done, total: commitments.total });
  const read = t(locale, 'email.readReport');
  return {
    subject,
    text: [postmortem.title, intro, postmortem.summary, tally],
    action: { label: read, url: link },
    html: `<h1 style="font-size:20px;margin:0 0 8px">${escapeMarkup(postmortem.title)}</h1>
<p>${escapeMarkup(intro)}</p>
<div style="border-left:4px solid #888;padding-left:12px;margin:0 0 16px">${renderMarkdown(postmortem.summary)}</div>
<p>${escapeMarkup(tally)}</p>
<p><a href="${escapeMarkup(link)}">${escapeMarkup(read)}</a></p>`,
    listMember: true,
  };
}

function maintenanceParts(
  ctx: MessageContext,
  locale: Locale,
  kind: NotificationKind,
  { maintenance: m, updateId }: MaintenancePayload,
): Parts {
  const link = maintenanceLink(ctx, m.id, linkLocale(locale));
  const status = maintenanceStatusLabel(locale, m.status);
  const subject = maintenanceSubject(ctx.siteName, kind, m.status, m.title, locale);
  const window = t(locale, 'email.window', {
    window: `${formatInZone(m.scheduledFor, ctx.timeZone, locale)} – ${formatInZone(m.scheduledUntil, ctx.timeZone, locale)}`,
  });
  const update = m.updates.find((u) => u.id === updateId) ?? m.updates[m.updates.length - 1];
  const affected = m.components.map((c) => c.name);
  const affectedLabel = t(locale, 'email.affectedComponents');
  const updateHead = update
    ? `${maintenanceStatusLabel(locale, update.status)} — ${formatInZone(update.createdAt, ctx.timeZone, locale)}`
    : '';
  const word = update ? `${updateHead}\n${update.body}` : m.body;
  const details = t(locale, 'email.details');
  return {
    subject,
    text: [
      m.title,
      `${status} · ${window}`,
      word,
      ...(affected.length ? [labelled(locale, affectedLabel, affected.join(', '))] : []),
    ],
    action: { label: details, url: link },
    html: `<h1 style="font-size:20px;margin:0 0 8px">${escapeMarkup(m.title)}</h1>
<p style="margin:0 0 16px"><strong>${escapeMarkup(status)}</strong> · ${escapeMarkup(window)}</p>
<div style="border-left:4px solid #888;padding-left:12px;margin:0 0 16px">
${update ? `<p style="margin:0"><strong>${escapeMarkup(maintenanceStatusLabel(locale, update.status))}</strong> — ${escapeMarkup(formatInZone(update.createdAt, ctx.timeZone, locale))}</p>${renderMarkdown(update.body)}` : renderMarkdown(m.body)}
</div>
${affected.length ? `<p><strong>${escapeMarkup(labelled(locale, affectedLabel, '').trimEnd())}</strong> ${escapeMarkup(affected.join(', '))}</p>` : ''}
<p><a href="${escapeMarkup(link)}">${escapeMarkup(t(locale, 'email.detailsOnPage'))}</a></p>`,
    listMember: true,
  };
}

const COMMITMENT_NEWS: Record<string, MessageKey> = {
  done: 'email.commitmentDone',
  wont_do: 'email.commitmentDropped',
};

function commitmentParts(
  ctx: MessageContext,
  locale: Locale,
  { postmortem, commitment, commitments }: CommitmentPayload,
): Parts {
  const link = postmortemLink(ctx, postmortem.slug, linkLocale(locale));
  const redated = commitment.dueAt !== commitment.previousDueAt;
  const news = t(
    locale,
    COMMITMENT_NEWS[commitment.status] ?? (redated ? 'email.commitmentRedated' : 'email.commitmentUpdated'),
  );
  const subject = `[${ctx.siteName}] ${labelled(locale, news, postmortem.title)}`;
  const detail =
    commitment.status === 'done'
      ? t(locale, 'email.commitmentDoneOn', {
          time: formatInZone(commitment.completedAt ?? commitment.dueAt, ctx.timeZone, locale),
        })
      : commitment.status === 'wont_do'
        ? t(locale, 'email.commitmentDroppedDetail')
        : t(locale, 'email.commitmentRedatedDetail', {
            before: formatUtcDay(commitment.previousDueAt, locale),
            after: formatUtcDay(commitment.dueAt, locale),
          });
  const tally = t(locale, 'email.commitmentTally', { done: commitments.done, total: commitments.total });
  const see = t(locale, 'email.seeCommitments');
  return {
    subject,
    text: [`${news} — ${postmortem.title}`, `“${commitment.text}”`, detail, tally],
    action: { label: see, url: link },
    html: `<h1 style="font-size:20px;margin:0 0 8px">${escapeMarkup(news)}</h1>
<p style="margin:0 0 8px">${escapeMarkup(postmortem.title)}</p>
<blockquote style="border-left:4px solid #888;margin:0 0 16px;padding-left:12px">${escapeMarkup(commitment.text)}</blockquote>
<p>${escapeMarkup(detail)}</p>
<p>${escapeMarkup(tally)}</p>
<p><a href="${escapeMarkup(link)}">${escapeMarkup(see)}</a></p>`,
    listMember: true,
  };
}

const BUTTON =
  'display:inline-block;padding:10px 16px;background:#1a56db;color:#fff;text-decoration:none;border-radius:6px';

/**
 * What a broadcast says (incident, report, commitment, maintenance) in `locale`, or null for other
 * kinds. Chat messages use it too (in English).
 */
export function broadcastParts(
  ctx: MessageContext,
  kind: NotificationKind,
  payload: unknown,
  locale: Locale = 'en',
): Parts | null {
  switch (kind) {
    case 'incident.created':
    case 'incident.updated':
    case 'incident.resolved':
    case 'incident.corrected':
      return shared(payload as object, locale, () => buildIncidentParts(ctx, locale, kind, payload as IncidentPayload));
    case 'postmortem.published':
    case 'postmortem.updated':
      return postmortemParts(ctx, locale, kind, payload as PostmortemPayload);
    case 'commitment.updated':
      return commitmentParts(ctx, locale, payload as CommitmentPayload);
    case 'maintenance.scheduled':
    case 'maintenance.reminder':
    case 'maintenance.started':
    case 'maintenance.updated':
    case 'maintenance.completed':
      return maintenanceParts(ctx, locale, kind, payload as MaintenancePayload);
    default:
      return null;
  }
}

/** Renders the email a delivery carries. Deterministic: the same input always gives the same bytes. */
export function renderEmail(ctx: MessageContext, source: EmailSource): EmailMessage {
  const locale = source.locale ?? 'en';
  const links = subscriptionLinks(ctx, source.manageToken, linkLocale(locale));
  const payload = source.payload as object;
  let parts: Parts | null = broadcastParts(ctx, source.kind, payload, locale);
  switch (parts ? null : source.kind) {
    case null:
      break;
    case 'subscription.confirm': {
      const { token, expiresAt } = payload as { token: string; expiresAt: number };
      const link = confirmLink(ctx, token, linkLocale(locale));
      const asked = t(locale, 'email.confirmAsked', { site: ctx.siteName });
      const action = t(locale, 'email.confirmAction');
      const expires = t(locale, 'email.confirmExpires', { time: formatInZone(expiresAt, ctx.timeZone, locale) });
      parts = {
        subject: t(locale, 'email.confirmSubject', { site: ctx.siteName }),
        text: [asked, labelled(locale, action, link), expires],
        html: `<p>${escapeMarkup(asked)}</p>
<p><a href="${escapeMarkup(link)}" style="${BUTTON}">${escapeMarkup(action)}</a></p>
<p>${escapeMarkup(expires)}</p>`,
        listMember: false,
      };
      break;
    }
    case 'user.invite':
    case 'user.reset': {
      const p = payload as PasswordLinkPayload;
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
          `The link works once, until ${formatInZone(p.expiresAt, ctx.timeZone)}. If you did not expect this, ignore this email.`,
        ],
        html: `<p>${escapeMarkup(lead)}</p>
<p><a href="${escapeMarkup(link)}" style="${BUTTON}">${escapeMarkup(action)}</a></p>
<p>The link works once, until ${escapeMarkup(formatInZone(p.expiresAt, ctx.timeZone))}. If you did not expect this, ignore this email.</p>`,
        listMember: false,
      };
      break;
    }
    case 'access.link': {
      const { token, expiresAt } = payload as SignInLinkPayload;
      const link = signInLink(ctx, token, linkLocale(locale));
      const asked = t(locale, 'email.accessAsked', { site: ctx.siteName });
      const action = t(locale, 'email.accessAction');
      const expires = t(locale, 'email.accessExpires', { time: formatInZone(expiresAt, ctx.timeZone, locale) });
      parts = {
        subject: t(locale, 'email.accessSubject', { site: ctx.siteName }),
        text: [asked, labelled(locale, action, link), expires],
        html: `<p>${escapeMarkup(asked)}</p>
<p><a href="${escapeMarkup(link)}" style="${BUTTON}">${escapeMarkup(action)}</a></p>
<p>${escapeMarkup(expires)}</p>`,
        listMember: false,
      };
      break;
    }
    case 'subscription.already': {
      const body = t(locale, 'email.alreadyBody', { site: ctx.siteName });
      parts = {
        subject: t(locale, 'email.alreadySubject', { site: ctx.siteName }),
        text: [body, labelled(locale, t(locale, 'email.alreadyManage'), links.manage)],
        html: `<p>${escapeMarkup(body)}</p>
<p><a href="${escapeMarkup(links.manage)}">${escapeMarkup(t(locale, 'email.manageLink'))}</a></p>`,
        listMember: true,
      };
      break;
    }
    default:
      throw new Error(`Notifications of kind ${source.kind} are not sent by email.`);
  }
  if (!parts) throw new Error(`Notifications of kind ${source.kind} are not sent by email.`);
  const { html, text } = page(ctx, locale, parts, links);
  const headers: Record<string, string> = parts.listMember
    ? { 'List-Unsubscribe': `<${links.oneClick}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
    : {};
  return { to: source.address, subject: parts.subject, html, text, headers };
}
