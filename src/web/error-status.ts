import type { FastifyReply } from 'fastify';
import type { AppError } from '../errors.ts';
import type { Translate } from './i18n/index.ts';

/**
 * An expected failure's status (house rule 11), set the one way for every page and answer: a
 * refusal that passes by itself (decision 0022: busy) also says when to try again, in Retry-After.
 */
export function replyStatusOf(reply: FastifyReply, error: AppError): FastifyReply {
  reply.code(error.status);
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply;
}

/** An expected failure answered to a script that reads JSON: its status, its code and its message in the page's language. */
export function replyJsonFailure(reply: FastifyReply, t: Translate, error: AppError): FastifyReply {
  return replyStatusOf(reply, error).type('application/json; charset=utf-8').send({ code: error.code, message: t(error.messageKey) });
}
