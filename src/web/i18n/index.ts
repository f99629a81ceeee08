import { ja } from './ja.ts';
import { en } from './en.ts';

export type Language = 'ja' | 'en';
export type MessageKey = keyof typeof ja;
export const languages: readonly Language[] = ['ja', 'en'];

const catalogues: Record<Language, Record<MessageKey, string>> = { ja, en };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Looks a message up and fills its `{name}` placeholders. */
export function translator(language: Language, defaults: Record<string, string> = {}): Translate {
  const catalogue = catalogues[language];
  return (key, params = {}) =>
    catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name] ?? defaults[name];
      return value === undefined ? whole : String(value);
    });
}

export function isLanguage(value: unknown): value is Language {
  return value === 'ja' || value === 'en';
}
