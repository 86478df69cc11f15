// Any SMTP server, through nodemailer: SMTP_URL (smtp:// upgrades with STARTTLS when the server
// offers it, smtps:// is TLS from the first byte), one message at a time over pooled connections,
// and each reply sorted into sent, retry (4xx, a dropped connection) or permanent (5xx).
import nodemailer from 'nodemailer';
import type { EmailMessage } from '../domain/notify/email.ts';
import type { EachEmailProvider, MessageOutcome } from './email-provider.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  pass: string | null;
}

/** Reads SMTP_URL; throws a sentence saying what is wrong with it. */
export function parseSmtpUrl(value: string): SmtpSettings {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('SMTP_URL must look like smtp://user:password@mail.example.com:587 or smtps://…:465.');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new Error(`SMTP_URL must start with smtp:// or smtps:// (got "${url.protocol}//").`);
  if (!url.hostname) throw new Error('SMTP_URL has no host name.');
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    user: url.username ? decodeURIComponent(url.username) : null,
    pass: url.password ? decodeURIComponent(url.password) : null,
  };
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  permanent?: boolean;
}

/** An SMTP reply (or its absence) as what the worker should do next, with the reply kept in words. */
export function classifySmtpError(error: SmtpError): MessageOutcome {
  const reply = error.response ?? error.message;
  const message = error.responseCode ? `SMTP ${reply}` : `SMTP ${error.code ?? 'error'}: ${error.message}`;
  // Wrong credentials are a setup problem, not the subscriber's: keep the mail until it is fixed.
  if (error.code === 'EAUTH') return { kind: 'retry', message: `${message} (check SMTP_URL's user and password)` };
  if (error.responseCode && error.permanent) return { kind: 'permanent', message };
  return { kind: 'retry', message };
}

export class SmtpProvider implements EachEmailProvider {
  readonly mode = 'each';
  readonly label: string;
  readonly #from: string;
  readonly #transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(settings: SmtpSettings, from: string, connections: number) {
    this.label = `SMTP (${settings.host}:${settings.port})`;
    this.#from = from;
    this.#transport = nodemailer.createTransport({
      pool: true,
      maxConnections: connections,
      // The outbox retries; a message silently requeued by the pool could be sent twice.
      maxRequeues: 0,
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      auth: settings.user ? { user: settings.user, pass: settings.pass ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async sendOne(email: EmailMessage, messageId: string): Promise<MessageOutcome> {
    try {
      const info = await this.#transport.sendMail({
        from: this.#from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        headers: email.headers,
        messageId,
      });
      return { kind: 'sent', id: info.messageId ?? messageId };
    } catch (error) {
      return classifySmtpError(error as SmtpError);
    }
  }

  close(): void {
    this.#transport.close();
  }
}
