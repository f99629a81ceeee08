import { defineMessages } from '../define.ts';

/** Messages of the certificate-logon area: certificate logon and session binding (R4.1, R4.2). */
export const certificateLogonMessages = defineMessages({
  ja: {},
  en: {},
});
