import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, expectedFailureOf, isAppError, type ErrorCode } from '../errors.ts';
import { isStorageFailure } from '../db/storage-failure.ts';
import type { MessageKey, Translate } from './i18n/index.ts';
import { html, type Html } from './html.ts';
import { replyStatusOf } from './error-status.ts';

export type ErrorPageRenderer = (request: FastifyRequest, message: MessageKey, code?: string) => string;

/**
 * No request ever answers with a stack trace, on either listener: an expected failure shows its
 * message (the database out of reach is one: 503 with Retry-After, in the page's language), a
 * client's malformed request a plain input error, a database that cannot write a page that says
 * nothing was done (503), anything else a page with the request id that finds the logged error.
 */
export function installErrorPages(app: FastifyInstance, render: ErrorPageRenderer): void {
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-store');
    return render(request, 'error.NOT_FOUND', 'NOT_FOUND');
  });
  app.setErrorHandler((thrown, request, reply) => {
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    let error = thrown;
    // A database that cannot write rolled the request back: a page that says so (503), not a 500.
    if (isStorageFailure(error)) {
      request.log.error({ err: error }, 'the database cannot write');
      error = new AppError('STORAGE_UNAVAILABLE');
    }
    const expected = expectedFailureOf(error);
    if (expected) {
      if (!isAppError(error)) request.log.warn({ err: error }, 'database unavailable');
      replyStatusOf(reply, expected);
      return render(request, expected.messageKey, expected.code);
    }
    const status = (error as { statusCode?: unknown }).statusCode;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    if (!clientError) request.log.error({ err: error }, 'request failed');
    reply.code(clientError ? status : 500);
    // House rule 11: every refusal names its code, the parser's own ones (a body too large, of an
    // unknown type, malformed) as much as the forms'.
    const code = clientError ? clientErrorCode(status) : 'INTERNAL';
    return render(request, `error.${code}`, code);
  });
}

/** The code of a refusal that Fastify or a plugin made before any route ran, by its status. */
function clientErrorCode(status: number): ErrorCode {
  if (status === 413) return 'BODY_TOO_LARGE';
  if (status === 415) return 'CONTENT_TYPE_UNSUPPORTED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 403) return 'FORBIDDEN';
  return 'INPUT_INVALID';
}

/**
 * What an error page says, on the portal and the console alike: the message (with its code for the
 * tests and the help desk), the request id that finds the logged error (none for a request refused
 * before it was worked on, which nothing logs), and the way back.
 */
export function errorBody(t: Translate, requestId: string | undefined, failure: { message: MessageKey; code?: string }, back: { href: string; label: MessageKey }): Html {
  return html`<div class="error" role="alert"${failure.code ? html` data-code="${failure.code}"` : ''}>${t(failure.message)}</div>
${requestId === undefined ? '' : html`<p class="hint">${t('app.requestId')}: <code>${requestId}</code></p>
`}<p><a href="${back.href}">${t(back.label)}</a></p>`;
}
