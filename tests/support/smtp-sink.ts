// A real SMTP server for the tests (the `smtp-server` package), offering STARTTLS with a
// certificate made here by openssl and requiring AUTH after it. Every accepted message is parsed
// by `mailparser`, a MIME parser nobody here wrote. Tests can make it answer 4xx/5xx replies to
// chosen messages and run code right after it accepted one (to kill the sender at that moment).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export const SMTP_USER = 'candor';
export const SMTP_PASSWORD = 'p@ss word/1';

export interface ReceivedMail {
  to: string;
  parsed: ParsedMail;
  /** Whether the session had switched to TLS (STARTTLS) when the message came. */
  secure: boolean;
  user: string | undefined;
}

/** A self-signed certificate for 127.0.0.1; give its file to the server as NODE_EXTRA_CA_CERTS. */
export function makeCertificate(): { key: string; cert: string; certFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'candor-smtp-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

/** An SMTP reply code with its text, as the server sends it. */
function reply(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** Replies to give at DATA before accepting, one per message, in order (e.g. 451, 421). */
  readonly failData: { code: number; text: string }[] = [];
  /** Recipients refused for good at RCPT TO (550). */
  readonly refuse = new Set<string>();
  /** Runs right after a message was accepted (its 250 is on the way). */
  onAccepted: ((mail: ReceivedMail) => void) | null = null;
  port = 0;
  readonly certFile: string;
  readonly #server: SMTPServer;

  constructor() {
    const { key, cert, certFile } = makeCertificate();
    this.certFile = certFile;
    this.#server = new SMTPServer({
      key,
      cert,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      onAuth: (auth, _session, done) => {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return done(null, { user: SMTP_USER });
        done(reply(535, 'Authentication failed'));
      },
      onRcptTo: (address, _session, done) => {
        if (this.refuse.has(address.address)) return done(reply(550, 'No such mailbox here'));
        done();
      },
      onData: (stream, session, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          const failure = this.failData.shift();
          if (failure) return done(reply(failure.code, failure.text));
          const parsed = await simpleParser(Buffer.concat(chunks));
          const mail: ReceivedMail = {
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
            parsed,
            secure: session.secure,
            user: session.user,
          };
          this.received.push(mail);
          done();
          this.onAccepted?.(mail);
        });
      },
    });
  }

  /** SMTP_URL for Candor: the user and password percent-encoded, as a URL needs them. */
  get url(): string {
    return `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${this.port}`;
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.to === address);
  }

  async start(): Promise<void> {
    await new Promise<void>((ok) => this.#server.listen(0, '127.0.0.1', () => ok()));
    this.port = (this.#server.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((ok) => this.#server.close(() => ok()));
  }
}
