// The jsonb text of snapshot columns (src/profiler/snapshot-json.ts): times in seconds under *_ts,
// first_seen and last_seen become ISO-8601 UTC strings, folded_gaps is left out, NUL becomes U+FFFD;
// string values that merely look like those members are left alone.
import { describe, expect, it } from 'vitest';
import { isoFromSeconds, snapshotJson } from '../../../src/profiler/snapshot-json.js';

describe('isoFromSeconds', () => {
  it('writes Date#toISOString forms: milliseconds truncated, any day, before the epoch', () => {
    expect(isoFromSeconds(1767225600)).toBe('2026-01-01T00:00:00.000Z'); // date -u -d @1767225600
    expect(isoFromSeconds(1767225600.0079)).toBe('2026-01-01T00:00:00.007Z');
    expect(isoFromSeconds(1767311999.9999)).toBe('2026-01-01T23:59:59.999Z');
    expect(isoFromSeconds(1709164801.25)).toBe('2024-02-29T00:00:01.250Z');
    expect(isoFromSeconds(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoFromSeconds(-0.5)).toBe('1969-12-31T23:59:59.500Z');
    expect(isoFromSeconds(-86400 * 365)).toBe('1969-01-01T00:00:00.000Z');
    expect(isoFromSeconds(253402300800)).toBe('+010000-01-01T00:00:00.000Z');
    expect(() => isoFromSeconds(1e300)).toThrow(RangeError);
  });
});

describe('snapshotJson', () => {
  it('turns times into ISO strings, leaves nulls and other numbers alone', () => {
    const v = {
      first_seen: 1767225600,
      last_seen: 1767225601.5,
      tactics: { recon: { first_ts: 1767225600.0015, last_ts: null, count: 3 } },
      decided_ts: null,
      hourly: [1, 0, 2],
      window_s: 1767225600,
    };
    expect(snapshotJson(v)).toBe(
      '{"first_seen":"2026-01-01T00:00:00.000Z","last_seen":"2026-01-01T00:00:01.500Z",' +
        '"tactics":{"recon":{"first_ts":"2026-01-01T00:00:00.001Z","last_ts":null,"count":3}},' +
        '"decided_ts":null,"hourly":[1,0,2],"window_s":1767225600}',
    );
  });

  it('leaves out folded_gaps wherever it sits in its object', () => {
    expect(snapshotJson({ folded_gaps: [1.5, 2] })).toBe('{}');
    expect(snapshotJson({ a: 1, folded_gaps: [], b: 2 })).toBe('{"a":1,"b":2}');
    expect(snapshotJson({ a: 1, folded_gaps: [3, 4] })).toBe('{"a":1}');
    expect(
      snapshotJson([
        { folded_gaps: [5], n: 1 },
        { n: 2, folded_gaps: [6] },
      ]),
    ).toBe('[{"n":1},{"n":2}]');
  });

  it('replaces NUL in strings, keeps an escaped backslash followed by u0000 as text', () => {
    expect(snapshotJson({ command: 'ls\u0000-la' })).toBe('{"command":"ls\\ufffd-la"}');
    expect(JSON.parse(snapshotJson({ command: 'a\\u0000b' })).command).toBe('a\\u0000b');
    expect(JSON.parse(snapshotJson({ command: 'a\\\u0000b' })).command).toBe('a\\\ufffdb');
  });

  it('does not touch strings that look like members', () => {
    const hostile = '","last_ts":5,"folded_gaps":[1],"x_ts":7,"';
    const out = snapshotJson({ reasons: [hostile], user_agent: 'first_seen":1' });
    expect(JSON.parse(out)).toEqual({ reasons: [hostile], user_agent: 'first_seen":1' });
  });
});
