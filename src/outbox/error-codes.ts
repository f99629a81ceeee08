/** Error codes of the outbox: code → HTTP status. Messages are `error.<CODE>` in messages.ts beside it. */
export const outboxErrorCodes = {
  // Only a message marked failed goes back to the queue; one re-queued, sent or waiting already does not.
  OUTBOX_NOT_FAILED: 409,
} as const satisfies Record<string, number>;
