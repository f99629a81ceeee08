import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyServerOptions } from 'fastify';
import type { ErrorCode } from '../errors.ts';
import { translator } from './i18n/index.ts';
import { html } from './html.ts';

/**
 * The answer to a request refused before it is a request a page can answer: headers too large, a
 * request (or its headers) that took too long, bytes that are not HTTP, a URL that cannot be
 * decoded. No session, cookie or language is read; the page says it in Japanese and English, with
 * its error code (house rule 11), and never echoes what was sent.
 */
export function bareErrorPage(bankName: string, code: ErrorCode): string {
  const ja = translator('ja');
  const en = translator('en');
  return html`<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>${ja('error.title')}</title></head>
<body><p data-code="${code}">${ja(`error.${code}`)}</p><p lang="en">${en(`error.${code}`)}</p>
<p>${bankName}</p></body></html>`.value;
}

/** What a bare page is sent with: no caching, nothing it could load or run. */
const bareHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
} as const;

/** The code of a connection's error, by what Node's HTTP parser or its timers said. */
function clientErrorCode(error: NodeJS.ErrnoException): { status: number; code: ErrorCode } {
  if (error.code === 'HPE_HEADER_OVERFLOW') return { status: 431, code: 'HEADERS_TOO_LARGE' };
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, code: 'REQUEST_TIMEOUT' };
  return { status: 400, code: 'INPUT_INVALID' };
}

/**
 * Fastify's handlers of requests that never reach a route, answering with the bare page instead of
 * Fastify's JSON (which names Fastify's own error codes and echoes the URL):
 * - `clientErrorHandler`: Node's `clientError` — headers over the limit (431), a request past
 *   headersTimeoutMs or requestTimeoutMs (408), bytes that are not HTTP (400); the connection is
 *   then closed;
 * - `frameworkErrors`: a URL whose percent-encoding cannot be decoded (400), a path parameter over
 *   the router's length bound (404: no identifier of the service is that long).
 */
export function bareErrorHandlers(bankName: string): Pick<FastifyServerOptions, 'clientErrorHandler' | 'frameworkErrors'> {
  return {
    clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket) {
      // A connection the client closed has nobody to answer.
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      if (socket.writable) {
        const { status, code } = clientErrorCode(error);
        const body = bareErrorPage(bankName, code);
        const headers = Object.entries({ ...bareHeaders, 'content-length': String(Buffer.byteLength(body)), connection: 'close' })
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('');
        socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers}\r\n${body}`);
      }
      socket.destroy();
    },
    frameworkErrors: ((error: FastifyError, _request: unknown, reply: FastifyReply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const code: ErrorCode = tooLong ? 'NOT_FOUND' : 'INPUT_INVALID';
      void reply
        .code(tooLong ? 404 : 400)
        .headers(bareHeaders)
        .send(bareErrorPage(bankName, code));
    }) as FastifyServerOptions['frameworkErrors'],
  };
}
