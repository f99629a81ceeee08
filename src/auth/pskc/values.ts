import { PskcRefusal } from './refusal.ts';

/**
 * The XML Schema types PSKC values are written in, read strictly: a value that is not what its type
 * says is refused rather than guessed at (Buffer.from(…, 'base64') would skip stray characters).
 */

/** xs:base64Binary allows white space between the characters (XML Schema Part 2 §3.2.16). */
export function fromBase64(text: string, serial: string | undefined, what: string): Buffer {
  const compact = text.replace(/[ \t\r\n]+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new PskcRefusal('value_malformed', serial, `${what} is not base64`);
  }
  return Buffer.from(compact, 'base64');
}

const unsignedLongMax = 2n ** 64n - 1n;

/** xs:unsignedLong, e.g. a HOTP counter (RFC 6030 §4). */
export function fromDecimal(text: string, serial: string | undefined, what: string): bigint {
  const trimmed = text.trim();
  if (!/^[0-9]{1,20}$/.test(trimmed) || BigInt(trimmed) > unsignedLongMax) {
    throw new PskcRefusal('value_malformed', serial, `${what} is not an unsigned integer`);
  }
  return BigInt(trimmed);
}

/**
 * An encrypted integer's plaintext. RFC 6030 gives no byte form for it; python-pskc, which writes
 * one, uses the big-endian unsigned bytes of the number, and so is this read.
 */
export function fromBigEndian(bytes: Buffer, serial: string | undefined, what: string): bigint {
  if (bytes.length === 0 || bytes.length > 8) {
    throw new PskcRefusal('value_malformed', serial, `${what} is not an 8-byte unsigned integer`);
  }
  return BigInt(`0x${bytes.toString('hex')}`);
}

/** A number small enough for `number` (xs:unsignedInt and below). */
export function smallNumber(value: bigint, serial: string | undefined, what: string): number {
  if (value > 0xffff_ffffn) throw new PskcRefusal('value_malformed', serial, `${what} is out of range`);
  return Number(value);
}

const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * The day of an xs:dateTime (RFC 6030 writes StartDate and ExpiryDate so), as 'YYYY-MM-DD' in UTC.
 * A time with an offset is first brought to UTC; one without is taken as written, in UTC.
 */
export function utcDateOf(text: string, serial: string | undefined, what: string): string {
  const match = dateTimePattern.exec(text.trim());
  const refuse = () => new PskcRefusal('value_malformed', serial, `${what} is not an xs:dateTime`);
  if (!match) throw refuse();
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const zone = match[7];
  const asWritten = Date.UTC(year, month - 1, day, hour, minute, second);
  const written = new Date(asWritten);
  if (
    written.getUTCFullYear() !== year ||
    written.getUTCMonth() !== month - 1 ||
    written.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw refuse();
  }
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [zoneHours, zoneMinutes] = zone.slice(1).split(':').map(Number) as [number, number];
    if (zoneHours > 14 || zoneMinutes > 59) throw refuse();
    offsetMinutes = sign * (zoneHours * 60 + zoneMinutes);
  }
  const utcDate = new Date(asWritten - offsetMinutes * 60_000).toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(utcDate)) throw refuse(); // brought past year 9999 or before year 0
  return utcDate;
}
