// Capture timestamps are microseconds since the Unix epoch.

let cachedSecond = Number.NaN;
let cachedPrefix = '';
let cachedMilli = Number.NaN;
let cachedMilliPrefix = '';
/** "000".."999": six fractional digits are two lookups instead of number formatting. */
const DIGITS3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** "000Z".."999Z": the microsecond digits with the zone, one piece. */
const DIGITS3_Z = DIGITS3.map((d) => `${d}Z`);

/** ISO-8601 UTC with microseconds, e.g. 2024-05-01T12:00:00.123456Z. Packets arrive in time
 *  order, so the date part is formatted once per second and the text up to the milliseconds
 *  once per millisecond (a busy segment has tens of packets in each). */
export function isoMicros(us: number): string {
  const milli = Math.floor(us / 1000);
  if (milli !== cachedMilli) {
    const sec = Math.floor(milli / 1000);
    if (sec !== cachedSecond) {
      cachedSecond = sec;
      cachedPrefix = `${new Date(sec * 1000).toISOString().slice(0, 19)}.`;
    }
    cachedMilli = milli;
    cachedMilliPrefix = cachedPrefix + DIGITS3[milli - sec * 1000];
  }
  return cachedMilliPrefix + DIGITS3_Z[us - milli * 1000];
}

/** Milliseconds in a day, and the last day isoFromSeconds formatted (`YYYY-MM-DDT`). */
const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedDayPrefix = '';

/** Seconds since the epoch as Date#toISOString writes them (milliseconds, truncated as the Date
 *  constructor truncates), for times in any order (profile snapshots): the date part is formatted
 *  once per day. Throws RangeError beyond the Date range, as toISOString does. */
export function isoFromSeconds(s: number): string {
  const ms = Math.trunc(s * 1000);
  if (!(Math.abs(ms) <= 8.64e15)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    const full = new Date(day * DAY_MS).toISOString();
    cachedDayPrefix = full.slice(0, full.indexOf('T') + 1);
    cachedDay = day;
  }
  let rem = ms - day * DAY_MS;
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const m = Math.floor(rem / 60_000);
  rem -= m * 60_000;
  const sec = Math.floor(rem / 1000);
  return `${cachedDayPrefix}${DIGITS3[h]!.slice(1)}:${DIGITS3[m]!.slice(1)}:${DIGITS3[sec]!.slice(1)}.${DIGITS3[rem - sec * 1000]}Z`;
}
