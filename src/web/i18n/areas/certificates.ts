import { defineMessages } from '../define.ts';

/** Messages of the certificates area: the bank's certificate authority, reissue and revocation (R4.1, R4.5). */
export const certificatesMessages = defineMessages({
  ja: {},
  en: {},
});
