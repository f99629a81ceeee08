import { defineMessages } from '../define.ts';

/** Messages of the users area. */
export const usersMessages = defineMessages({
  ja: {},
  en: {},
});
