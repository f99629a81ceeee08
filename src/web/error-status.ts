import type { FastifyReply } from 'fastify';
import type { AppError } from '../errors.ts';

/**
 * An expected failure's status (house rule 11), set the one way for every page and answer: a
 * refusal that passes by itself (decision 0022: busy) also says when to try again, in Retry-After.
 */
export function replyStatusOf(reply: FastifyReply, error: AppError): FastifyReply {
  reply.code(error.status);
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply;
}
