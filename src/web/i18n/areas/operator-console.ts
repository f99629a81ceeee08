import { defineMessages } from '../define.ts';

/** Messages of the operator-console area. */
export const operatorConsoleMessages = defineMessages({
  ja: {},
  en: {},
});
