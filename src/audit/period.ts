import { addDaysTo, tokyoOffsetMs } from '../domain/tokyo-time.ts';

/**
 * A period of whole days in Japan time, as a bank's staff name it ("from 1 April to 30 April"),
 * turned into the half-open interval of moments [from, to) that exportAuditTrail takes.
 */
const isoDay = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/** Midnight in Japan at the start of the day, or undefined for anything but a real YYYY-MM-DD. */
export function startOfJstDay(day: string): Date | undefined {
  const parts = isoDay.exec(day);
  if (!parts) return undefined;
  const [year, month, date] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const utcMidnight = Date.UTC(year, month - 1, date);
  const check = new Date(utcMidnight);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) return undefined;
  return new Date(utcMidnight - tokyoOffsetMs);
}

/** Both days included; an error message when either is missing or not a day, or they are the wrong way round. */
export function periodOfDays(first: string | undefined, last: string | undefined): { from: Date; to: Date } | string {
  if (first === undefined || last === undefined) return '--from and --to are required (YYYY-MM-DD, Japan time)';
  const from = startOfJstDay(first);
  const lastStart = startOfJstDay(last);
  if (!from) return `--from ${first} is not a day in the form YYYY-MM-DD`;
  if (!lastStart) return `--to ${last} is not a day in the form YYYY-MM-DD`;
  if (lastStart < from) return '--to is before --from';
  return { from, to: addDaysTo(lastStart, 1) };
}
