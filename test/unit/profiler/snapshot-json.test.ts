// The jsonb text of snapshot columns (src/profiler/snapshot-json.ts): times in seconds under *_ts,
// first_seen and last_seen become ISO-8601 UTC strings, folded_gaps is left out, NUL becomes U+FFFD;
// string values that merely look like those members are left alone.
import { describe, expect, it } from 'vitest';
import { ProfilerRuntime } from '../../../src/profiler/runtime.js';
import { snapshotJson } from '../../../src/profiler/snapshot-json.js';
import { isoFromSeconds } from '../../../src/util/time.js';

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

  it('converts keys of any characters but quotes and backslashes; leaves such keys and nested lists valid', () => {
    expect(snapshotJson({ 'a-b_ts': 0, é_ts: 0 })).toBe(
      '{"a-b_ts":"1970-01-01T00:00:00.000Z","é_ts":"1970-01-01T00:00:00.000Z"}',
    );
    expect(snapshotJson({ folded_gaps: null, a: 1 })).toBe('{"a":1}');
    expect(snapshotJson({ a: 1, folded_gaps: 7 })).toBe('{"a":1}');
    // Never produced by the profiler; kept rather than cut into invalid JSON.
    for (const v of [
      { a: 1, folded_gaps: [[1, 2], [3]] },
      { 'a"folded_gaps': [1] },
      { 'x"first_seen': 5 },
      { folded_gaps: ['x'] },
    ])
      expect(JSON.parse(snapshotJson(v))).toEqual(v);
  });

  it('does not touch strings that look like members', () => {
    const hostile = '","last_ts":5,"folded_gaps":[1],"x_ts":7,"';
    const v = { reasons: [hostile, '{"first_ts":1}', ',"folded_gaps":[2],'], user_agent: 'first_seen":1' };
    expect(JSON.parse(snapshotJson(v))).toEqual(v);
  });
});

describe('snapshotJson on a real profile', () => {
  /** The rules applied by walking the value (the reference the text rewrite must agree with). */
  function reference(v: unknown, key = ''): unknown {
    if (Array.isArray(v)) return v.map((x) => reference(x));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === 'folded_gaps' || x === undefined) continue;
        out[k] = reference(x, k);
      }
      return out;
    }
    if (typeof v === 'number' && (key.endsWith('_ts') || key === 'first_seen' || key === 'last_seen'))
      return Number.isFinite(v) ? new Date(v * 1000).toISOString() : null;
    if (typeof v === 'number' && !Number.isFinite(v)) return null;
    if (typeof v === 'string') return v.replaceAll('\u0000', '\ufffd');
    return v;
  }

  it('agrees with walking the value, on a beacon with a missed check-in and hostile text', () => {
    const rt = new ProfilerRuntime({ sensorId: 's', write: async (rows) => rows.length });
    const t0 = Date.parse('2026-01-01T00:00:00Z') / 1000;
    for (let i = 0; i < 30; i++) {
      if (i === 12) continue; // a missed check-in: the gap is folded
      const ts = new Date((t0 + i * 60 + (i % 3)) * 1000).toISOString().replace('Z', '000Z');
      rt.addSensorLine({
        ts,
        event_type: 'http_request',
        sensor_id: 's',
        flow_id: i,
        src_ip: '198.18.7.7',
        dst_ip: '198.18.0.10',
        dst_port: 80,
        transport: 'tcp',
        host: 'c2.example\u0000"],"x_ts":1',
        user_agent: 'Mozilla/5.0 "first_seen":2',
      });
    }
    const b = rt.snapshot('198.18.7.7')!;
    const text = JSON.stringify(b);
    expect(text).toContain('"folded_gaps":[');
    for (const part of [b.keys, b.phases, b.classification, b.attribution, b.scan])
      expect(JSON.parse(snapshotJson(part))).toEqual(reference(JSON.parse(JSON.stringify(part))));
  });
});
