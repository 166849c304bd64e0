import { describe, expect, it } from 'vitest';
import { isoMicros } from '../../../src/util/time.js';

describe('isoMicros', () => {
  it('keeps all six fractional digits', () => {
    expect(isoMicros(1_593_980_608_621_087)).toBe('2020-07-05T20:23:28.621087Z');
    expect(isoMicros(1_000_000)).toBe('1970-01-01T00:00:01.000000Z');
    expect(isoMicros(1_593_980_608_000_001)).toBe('2020-07-05T20:23:28.000001Z');
  });
});
