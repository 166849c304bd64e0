/**
 * X.509 Time (RFC 5280 §4.1.2.5): UTCTime and GeneralizedTime to ISO-8601 UTC ("YYYY-MM-DDTHH:MM:SSZ").
 *
 * RFC 5280 requires "YYMMDDHHMMSSZ" and "YYYYMMDDHHMMSSZ"; the BER forms seen in old or hand-made
 * certificates are accepted too: UTCTime without seconds, and a "+hhmm"/"-hhmm" offset instead of "Z"
 * (converted to UTC), GeneralizedTime with a fractional second (dropped). UTCTime years are 19YY when
 * YY >= 50 and 20YY otherwise (RFC 5280 §4.1.2.5.1), so "491231235959Z" is 2049 and "500101000000Z"
 * is 1950. Returns null for anything else (wrong length, a non-digit, an impossible date).
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** UTCTime content octets (tag 23) → ISO-8601 UTC, or null. */
export function utcTimeToIso(c: Uint8Array): string | null {
  const s = ascii(c);
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/.exec(s);
  if (m === null) return null;
  const yy = Number(m[1]);
  return build(yy >= 50 ? 1900 + yy : 2000 + yy, m[2]!, m[3]!, m[4]!, m[5]!, m[6] ?? '00', m[7]!);
}

/** GeneralizedTime content octets (tag 24) → ISO-8601 UTC, or null. */
export function generalizedTimeToIso(c: Uint8Array): string | null {
  const s = ascii(c);
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,]\d{1,9})?(Z|[+-]\d{4})$/.exec(s);
  if (m === null) return null;
  return build(Number(m[1]), m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7]!);
}

function ascii(c: Uint8Array): string {
  // Both forms are at most 28 characters; anything longer is invalid, so never decode more.
  if (c.length > 32) return '';
  let s = '';
  for (let i = 0; i < c.length; i++) s += String.fromCharCode(c[i]!);
  return s;
}

function build(
  year: number,
  mo: string,
  d: string,
  h: string,
  mi: string,
  s: string,
  zone: string,
): string | null {
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1]! + (month === 2 && leap ? 1 : 0)) return null;
  if (zone === 'Z') return format(year, month, day, hour, minute, second);
  const offH = Number(zone.slice(1, 3));
  const offM = Number(zone.slice(3, 5));
  if (offH > 23 || offM > 59) return null;
  const sign = zone[0] === '+' ? 1 : -1;
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  t.setUTCHours(hour, minute - sign * (offH * 60 + offM), second, 0);
  const y = t.getUTCFullYear();
  if (y < 0 || y > 9999) return null;
  return format(
    y,
    t.getUTCMonth() + 1,
    t.getUTCDate(),
    t.getUTCHours(),
    t.getUTCMinutes(),
    t.getUTCSeconds(),
  );
}

function format(y: number, mo: number, d: number, h: number, mi: number, s: number): string {
  return `${String(y).padStart(4, '0')}-${p2(mo)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}Z`;
}

function p2(v: number): string {
  return v < 10 ? '0' + v : String(v);
}
