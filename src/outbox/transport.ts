import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface OutboxMessage {
  id: bigint;
  recipient: string;
  subject: string;
  body: string;
}

/**
 * Sends one message or throws; the delivery loop retries what throws, except a PermanentRefusal,
 * which marks the message failed at once.
 */
export interface MailTransport {
  send(message: OutboxMessage): Promise<void>;
  close?(): void;
}

/**
 * The Message-ID is derived from the outbox row, so a message sent twice after a crash between
 * "sent" and "marked sent" carries the same ID and a receiving system can discard the copy.
 */
function mailOptions(from: string, message: OutboxMessage) {
  const domain = from.split('@')[1] ?? 'localhost';
  return { from, to: message.recipient, subject: message.subject, text: message.body, messageId: `<outbox-${message.id}@${domain}>` };
}

/** Every wait of a send ends well within the delivery lease, so a slow server cannot cause a double send. */
const smtpTimeoutMs = 30_000;

/**
 * The receiving server refused this message for good (RFC 5321 §4.2.1: a 5yz answer is permanent):
 * sending it again would be refused again, so it is not retried.
 */
export class PermanentRefusal extends Error {}

/**
 * A 5yz answer to what concerns this message — its sender, a recipient, its content — is permanent.
 * A 5yz answer before the message (at the greeting, EHLO or AUTH) says the server or our
 * configuration is wrong for every message: retried, so the messages go once it is put right.
 */
const messageCommands = new Set(['MAIL FROM', 'RCPT TO', 'DATA']);

function classified(error: unknown): unknown {
  const { responseCode, command, message } = error as { responseCode?: unknown; command?: unknown; message?: unknown };
  if (typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600 && messageCommands.has(String(command))) {
    return new PermanentRefusal(String(message), { cause: error });
  }
  return error;
}

export function smtpTransport(url: string, from: string, options: { requireTls?: boolean } = {}): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: smtpTimeoutMs,
    greetingTimeout: smtpTimeoutMs,
    socketTimeout: smtpTimeoutMs,
    // Notices carry codes: in production a server that does not offer STARTTLS is not sent to.
    requireTLS: options.requireTls ?? false,
  });
  return {
    async send(message) {
      try {
        await transporter.sendMail(mailOptions(from, message));
      } catch (error) {
        throw classified(error);
      }
    },
    close: () => transporter.close(),
  };
}

/** Without SMTP, messages are written as .eml files a newcomer can open in any mail program. */
export function emlFileTransport(dir: string, from: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return {
    async send(message) {
      const info = await composer.sendMail(mailOptions(from, message));
      writeFileSync(join(dir, `${String(message.id).padStart(8, '0')}.eml`), info.message as Buffer, { mode: 0o600 });
    },
  };
}
