/**
 * What no answer may show of how the service is built: stack frame lines, source positions, file
 * paths. A page may echo the path it was asked for (its language switch does), so paths count only
 * as the server's own. Returns what was found, or undefined.
 */
const signs: readonly [RegExp, string][] = [
  [/^\s*at .+[(:]\S*\d+/m, 'stack frame lines'],
  [/\.(?:ts|js|mjs):\d+/, 'source positions'],
  [/node_modules|file:\/\/|\/work\/|\/(?:home|usr|opt|app)\//, 'file paths'],
];

export function internalsShown(body: string): string | undefined {
  return signs.find(([pattern]) => pattern.test(body))?.[1];
}
