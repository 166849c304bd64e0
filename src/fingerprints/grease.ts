/**
 * GREASE values (RFC 8701): 0x0A0A, 0x1A1A, … 0xFAFA — both bytes equal with low nibble 0xA. Clients
 * put them in cipher suites, extensions, groups, versions and signature algorithms to keep servers
 * tolerant; every fingerprint in this folder ignores them.
 */

/** The 16 GREASE values, ascending. */
export const GREASE_VALUES: readonly number[] = Array.from(
  { length: 16 },
  (_, i) => (i << 12) | 0x0a00 | (i << 4) | 0x0a,
);

/** True if the 16-bit value `v` is a GREASE value. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** Returns the values of `list` that are not GREASE, in order (a new array). */
export function withoutGrease(list: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const v = list[i]!;
    if (!isGrease(v)) out.push(v);
  }
  return out;
}
