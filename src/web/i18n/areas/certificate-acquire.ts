import { defineMessages } from '../define.ts';

/** Messages of the certificate-acquire area: certificate acquisition and renewal in the browser (R4.3, R4.4). */
export const certificateAcquireMessages = defineMessages({
  ja: {},
  en: {},
});
