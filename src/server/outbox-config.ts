// How the outbox worker runs, from the environment (documented in the README). Read by the
// worker and by the admin outbox page, which says plainly when email is not being sent.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { outboundPolicy, type OutboundPolicy } from '../domain/outbound-rules.ts';
import { parseSmtpUrl, type SmtpSettings } from './smtp-provider.ts';

export type EmailSettings =
  { provider: 'smtp'; smtp: SmtpSettings; from: string } | { provider: 'resend'; apiKey: string; from: string };

export interface OutboxConfig {
  enabled: boolean;
  /** Null when email stays in the local outbox; `reason` then says why. */
  email: EmailSettings | null;
  emailOffReason: string | null;
  emailLanes: number;
  webhookLanes: number;
  chatLanes: number;
  /** What user-given URLs (webhooks, chat) may reach. */
  outbound: OutboundPolicy;
  leaseMs: number;
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  owner: string;
}

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

export function outboxConfig(env: NodeJS.ProcessEnv = process.env): OutboxConfig {
  const apiKey = env.RESEND_API_KEY?.trim() ?? '';
  const smtpUrl = env.SMTP_URL?.trim() ?? '';
  const from = env.EMAIL_FROM?.trim() ?? '';
  // SMTP_URL wins when both are set: a self-hoster who names a server means it.
  const emailOffReason =
    !apiKey && !smtpUrl
      ? 'Neither SMTP_URL nor RESEND_API_KEY is set, so emails are kept in this outbox and not sent. Set one (and EMAIL_FROM) and restart: everything queued goes out then.'
      : !from
        ? 'EMAIL_FROM is not set (e.g. "Example Status <status@example.com>"), so emails are kept in this outbox and not sent.'
        : null;
  const email: EmailSettings | null = emailOffReason
    ? null
    : smtpUrl
      ? { provider: 'smtp', smtp: parseSmtpUrl(smtpUrl), from }
      : { provider: 'resend', apiKey, from };
  return {
    enabled: env.CANDOR_WORKER !== '0',
    email,
    emailOffReason,
    emailLanes: positive(env.EMAIL_CONCURRENCY, 4),
    webhookLanes: positive(env.WEBHOOK_CONCURRENCY, 4),
    chatLanes: positive(env.CHAT_CONCURRENCY, 2),
    outbound: outboundPolicy(env),
    leaseMs: positive(env.CANDOR_OUTBOX_LEASE_MS, 15_000),
    pollMs: positive(env.CANDOR_OUTBOX_POLL_MS, 1000),
    retryBaseMs: positive(env.CANDOR_RETRY_BASE_MS, 5000),
    retryMaxMs: positive(env.CANDOR_RETRY_MAX_MS, 30 * 60_000),
    maxAttempts: positive(env.CANDOR_MAX_ATTEMPTS, 16),
    owner: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
  };
}
