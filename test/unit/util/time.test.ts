import { describe, expect, it } from 'vitest';
import { isoMicros } from '../../../src/util/time.js';

describe('isoMicros', () => {
  it('keeps all six fractional digits', () => {
    expect(isoMicros(1_593_980_608_621_087)).toBe('2020-07-05T20:23:28.621087Z');
    expect(isoMicros(1_000_000)).toBe('1970-01-01T00:00:01.000000Z');
    expect(isoMicros(1_593_980_608_000_001)).toBe('2020-07-05T20:23:28.000001Z');
  });

  it('is right for times in any order: within a millisecond, across milliseconds, seconds and days, and backwards', () => {
    // Expected from Date (milliseconds) plus the three microsecond digits, independently.
    const expected = (us: number) => {
      const ms = Math.floor(us / 1000);
      return `${new Date(ms).toISOString().slice(0, -1)}${String(us - ms * 1000).padStart(3, '0')}Z`;
    };
    const base = 1_736_899_199_999_998; // 2025-01-14T23:59:59.999998Z
    const times = [0, 1, 2, 3, 1_000, 1_001, 999, -1, 86_400_000_000, 2, 1_000_000, 999_999, 5].map(
      (d) => base + d,
    );
    for (const us of times) expect(isoMicros(us), String(us)).toBe(expected(us));
  });
});
