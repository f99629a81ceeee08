import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAppError } from '../errors.ts';
import type { MessageKey } from './i18n/index.ts';

export type ErrorPageRenderer = (request: FastifyRequest, message: MessageKey, code?: string) => string;

/**
 * No request ever answers with a stack trace, on either listener: an expected failure shows its
 * message, a client's malformed request a plain input error, anything else a page with the request
 * id that finds the logged error.
 */
export function installErrorPages(app: FastifyInstance, render: ErrorPageRenderer): void {
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-store');
    return render(request, 'error.NOT_FOUND');
  });
  app.setErrorHandler((error, request, reply) => {
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    if (isAppError(error)) {
      reply.code(error.status);
      return render(request, error.messageKey, error.code);
    }
    const status = (error as { statusCode?: unknown }).statusCode;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    if (!clientError) request.log.error({ err: error }, 'request failed');
    reply.code(clientError ? status : 500);
    return render(request, clientError ? 'error.INPUT_INVALID' : 'error.INTERNAL');
  });
}
