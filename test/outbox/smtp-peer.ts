import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  envelopeFrom: string;
  raw: string;
}

/**
 * What the peer does with the next messages: accept them, refuse them for now at RCPT TO or after
 * DATA (451), or refuse the recipient for good (550).
 */
export type PeerAnswer = 'accept' | 'refuse-rcpt' | 'refuse-data' | 'reject-rcpt';

/**
 * A real SMTP server on 127.0.0.1 (plain, no STARTTLS, no AUTH needed), recording what it accepted.
 * `refused` keeps the data of messages refused after DATA, to compare a retry with its first try.
 */
export interface SmtpPeer {
  url: string;
  accepted: ReceivedMail[];
  refused: ReceivedMail[];
  /** Answers for the next messages, in order; when the list is empty, `otherwise`. */
  answers: PeerAnswer[];
  otherwise: PeerAnswer;
  close(): Promise<void>;
}

function refusal(message: string): Error {
  // 4xx: a temporary refusal, as a busy or greylisting server gives.
  return Object.assign(new Error(message), { responseCode: 451 });
}

function rejection(message: string): Error {
  // 5xx: a permanent refusal, as for a mailbox that does not exist.
  return Object.assign(new Error(message), { responseCode: 550 });
}

export async function startSmtpPeer(): Promise<SmtpPeer> {
  const peer: SmtpPeer = { url: '', accepted: [], refused: [], answers: [], otherwise: 'accept', close: async () => {} };
  // Decided at RCPT TO for the whole message, so one message meets one answer.
  const answerOf = new WeakMap<object, PeerAnswer>();
  const server = new SMTPServer({
    authOptional: true,
    secure: false,
    disabledCommands: ['STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    onRcptTo(_address, session, callback) {
      const answer = peer.answers.shift() ?? peer.otherwise;
      answerOf.set(session.envelope, answer);
      callback(answer === 'refuse-rcpt' ? refusal('mailbox busy, try later') : answer === 'reject-rcpt' ? rejection('no such mailbox') : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail: ReceivedMail = {
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        if (answerOf.get(session.envelope) === 'refuse-data') {
          peer.refused.push(mail);
          callback(refusal('queue full, try later'));
        } else {
          peer.accepted.push(mail);
          callback(null);
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  peer.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  peer.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return peer;
}
