/**
 * Logger options for Fastify's pino. Secrets never reach a log (house rule 7): request bodies are
 * not logged at all, and cookies and authorization headers are redacted wherever they appear.
 */
export const redactedPaths = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.loginPassword',
  '*.confirmationPassword',
  '*.answer',
  '*.code',
];

export function loggerOptions(level: string) {
  return { level, redact: { paths: redactedPaths, censor: '[redacted]' } };
}
