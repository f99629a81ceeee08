/** Japan time in ISO order, unambiguous in either language (as the status page shows it). */
export function formatJstIso(at: Date): string {
  return at.toLocaleString('sv-SE', { timeZone: 'Asia/Tokyo', hour12: false }) + ' JST';
}

/** Whole days from `since` to `now`, for a password's age. */
export function daysBetween(since: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - since.getTime()) / 86_400_000));
}
