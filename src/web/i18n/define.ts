/**
 * An area's messages: Japanese first, and English with exactly the same keys (the type checker
 * refuses a missing or extra English key).
 */
export function defineMessages<const Ja extends Record<string, string>>(messages: { ja: Ja; en: Record<keyof Ja, string> }) {
  return messages;
}
