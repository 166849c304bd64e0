// Capture timestamps are microseconds since the Unix epoch.

let cachedSecond = Number.NaN;
let cachedPrefix = '';
/** "000".."999": six fractional digits are two lookups instead of number formatting. */
const DIGITS3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** ISO-8601 UTC with microseconds, e.g. 2024-05-01T12:00:00.123456Z. Packets arrive in time
 *  order, so the date part is formatted once per second and reused. */
export function isoMicros(us: number): string {
  const sec = Math.floor(us / 1e6);
  if (sec !== cachedSecond) {
    cachedSecond = sec;
    cachedPrefix = `${new Date(sec * 1000).toISOString().slice(0, 19)}.`;
  }
  const frac = us - sec * 1e6;
  const ms = Math.floor(frac / 1000);
  return `${cachedPrefix}${DIGITS3[ms]}${DIGITS3[frac - ms * 1000]}Z`;
}
