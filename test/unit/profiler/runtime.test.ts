// The main-thread profiler: the bound of its attacker map (least recently seen evicted, counted,
// and snapshotted on the way out), the per-tick write of changed attackers only, and the adapters
// from sensor JSON events and honeypot records.
import { describe, expect, it } from 'vitest';
import type { ProfileRow } from '../../../src/db/profiles.js';
import {
  fromHoneypotRecord,
  fromSensorEvent,
  honeypotKind,
  isoSeconds,
} from '../../../src/profiler/adapt.js';
import { ProfilerRuntime, ProfilerSink } from '../../../src/profiler/runtime.js';
import type { HoneypotRecord } from '../../../src/syslog/honeypot.js';

function runtime(maxAttackers: number) {
  const batches: ProfileRow[][] = [];
  const rt = new ProfilerRuntime({
    sensorId: 's',
    maxAttackers,
    write: async (rows) => {
      batches.push(rows);
      return rows.length;
    },
  });
  return { rt, batches };
}

const ev = (ip: string, s: number) => ({
  ts: `2026-01-01T00:00:${String(s).padStart(2, '0')}.000000Z`,
  event_type: 'tcp_flow_timing',
  sensor_id: 's',
  flow_id: s,
  src_ip: ip,
  dst_ip: '10.0.0.1',
  dst_port: 22,
  transport: 'tcp',
  handshake: true,
});

describe('ProfilerRuntime', () => {
  it('holds at most maxAttackers, evicts the least recently seen, and still writes every changed one', async () => {
    const { rt, batches } = runtime(3);
    rt.addSensorLine(ev('10.1.0.1', 1));
    rt.addSensorLine(ev('10.1.0.2', 2));
    rt.addSensorLine(ev('10.1.0.3', 3));
    rt.addSensorLine(ev('10.1.0.1', 4)); // 10.1.0.1 is now the most recently seen
    for (let i = 4; i <= 10; i++) rt.addSensorLine(ev(`10.1.0.${i}`, i + 1));
    expect(rt.stats).toMatchObject({ events: 11, attackers: 3, attackersPeak: 3, evicted: 7 });
    // 10.1.0.2 went first (least recently seen), 10.1.0.1 after 10.1.0.3.
    expect(rt.snapshot('10.1.0.1')).toBeNull();
    expect(rt.snapshot('10.1.0.10')).not.toBeNull();
    await rt.flush();
    expect(batches).toHaveLength(1);
    const ips = batches[0]!.map((r) => r.ip);
    expect(ips).toEqual([...ips].sort());
    expect(new Set(ips).size).toBe(10); // 7 evicted snapshots + 3 held
    expect(batches[0]!.find((r) => r.ip === '10.1.0.1')).toMatchObject({
      profile_events: 2,
      first_seen: '2026-01-01T00:00:01.000000Z',
      last_seen: '2026-01-01T00:00:04.000000Z',
    });
    // Nothing changed since: the next tick writes nothing; one new event writes one row.
    await rt.flush();
    expect(batches).toHaveLength(1);
    rt.addSensorLine(ev('10.1.0.9', 30));
    await rt.flush();
    expect(batches[1]!.map((r) => r.ip)).toEqual(['10.1.0.9']);
    expect(rt.stats.snapshots).toBe(11);
  });

  it('keeps the attackers of a failed write for the next tick', async () => {
    let fail = true;
    const written: string[] = [];
    const rt = new ProfilerRuntime({
      sensorId: 's',
      write: async (rows) => {
        if (fail) throw new Error('down');
        written.push(...rows.map((r) => r.ip));
        return rows.length;
      },
    });
    rt.addSensorLine(ev('10.2.0.1', 1));
    await rt.flush();
    expect(rt.stats.writeErrors).toBe(1);
    fail = false;
    await rt.flush();
    expect(written).toEqual(['10.2.0.1']);
  });

  it('ProfilerSink profiles the lines it passes on, and flushes before closing the inner sink', async () => {
    const order: string[] = [];
    const rt = new ProfilerRuntime({
      sensorId: 's',
      write: async (rows) => {
        order.push(`write ${rows.length}`);
        return rows.length;
      },
    });
    const inner = {
      lines: 0,
      closed: false,
      async write() {
        order.push('inner write');
      },
      async close() {
        order.push('inner close');
      },
    };
    const sink = new ProfilerSink(rt, inner);
    await sink.write(
      Buffer.from(`${JSON.stringify(ev('10.3.0.1', 1))}\nnot json\n${JSON.stringify(ev('10.3.0.2', 2))}\n`),
    );
    await sink.close();
    expect(order).toEqual(['inner write', 'write 2', 'inner close']);
    expect(rt.stats).toMatchObject({ events: 2, skipped: 1 });
  });

  it('lines of JSON that are not objects are skipped and counted, never thrown on', () => {
    const { rt } = runtime(10);
    rt.addSensorLines(Buffer.from(`null\n5\n"x"\n[]\n{}\n${JSON.stringify(ev('10.3.0.9', 1))}\n`));
    expect(rt.stats).toMatchObject({ events: 1, skipped: 5 });
  });
});

describe('ProfilerSink under a flood of new attackers', () => {
  it('evicted snapshots are written in a few coalesced writes, none dropped, and the sink waits for them', async () => {
    const { rt, batches } = runtime(10);
    const inner = { lines: 0, closed: false, async write() {}, async close() {} };
    const sink = new ProfilerSink(rt, inner);
    const attackers = 6000; // more than MAX_PENDING_SNAPSHOTS (4096): only waiting keeps them all
    for (let k = 0; k < attackers; k += 500) {
      const lines = [];
      for (let i = k; i < k + 500; i++) lines.push(JSON.stringify(ev(`10.${i >> 8}.${i & 255}.1`, i % 60)));
      await sink.write(Buffer.from(`${lines.join('\n')}\n`));
    }
    await sink.close();
    expect(rt.stats.droppedSnapshots).toBe(0);
    expect(rt.stats.evicted).toBe(attackers - 10);
    const written = batches.flat().map((r) => r.ip);
    expect(new Set(written).size).toBe(attackers);
    // one write per 1000 rows of a drain or tick, not one per eviction
    expect(batches.length).toBeLessThanOrEqual(attackers / 1000 + 8);
  });
});

describe('adapters', () => {
  it('isoSeconds keeps microseconds', () => {
    expect(isoSeconds('2026-01-01T00:00:01.123456Z')).toBeCloseTo(1767225601.123456, 6);
    expect(isoSeconds('nope')).toBeNull();
  });

  it('isoSeconds reads every form Date.parse does, the sensor form without it', () => {
    // 2026-01-01T00:00:00Z is 1767225600 s (date -u -d 2026-01-01 +%s).
    const day = 1767225600;
    expect(isoSeconds('2026-01-01T00:00:00Z')).toBe(day);
    expect(isoSeconds('2026-01-01T13:14:15.250Z')).toBe((day * 1000 + 47655250) / 1000);
    expect(isoSeconds('2026-01-01T23:59:59.999999Z')).toBe((day * 1000 + 86399999) / 1000 + 999 / 1e6);
    // Leap day, the day before the epoch, and the next day after a cached one.
    expect(isoSeconds('2024-02-29T00:00:01Z')).toBe(1709164801);
    expect(isoSeconds('1969-12-31T23:59:59.500Z')).toBe(-0.5);
    expect(isoSeconds('2026-01-02T00:00:00.000001Z')).toBe(day + 86400 + 1e-6);
    // Not dates: an impossible month, minute or digit.
    expect(isoSeconds('2026-13-01T00:00:00Z')).toBeNull();
    // V8's Date.parse rolls 30 February over to 2 March (1772409600 s); the fast path agrees.
    expect(isoSeconds('2026-02-30T00:00:00.000001Z')).toBe(1772409600 + 1e-6);
    expect(isoSeconds('2026-01-01T10:60:00Z')).toBeNull();
    expect(isoSeconds('2026-01-01T0a:00:00Z')).toBeNull();
    // Other ISO forms go through Date.parse: an offset, an extended year.
    expect(isoSeconds('2026-01-01T01:00:00+01:00')).toBe(day);
    expect(isoSeconds('+002026-01-01T00:00:00Z')).toBe(day);
  });

  it('sensor events: kinds, connection outcome, scan summary counts, flow identity', () => {
    expect(fromSensorEvent({ ...ev('10.0.0.9', 1), handshake: false, packets_to_client: 0 })).toMatchObject({
      kind: 'connection',
      outcome: 'unanswered',
      conn_id: 's:1',
      dst_port: 22,
    });
    expect(
      fromSensorEvent({
        ts: '2025-01-24T21:05:00.000000Z',
        event_type: 'scan_summary',
        src_ip: '10.5.7.100',
        first_ts: '2025-01-24T21:05:00.000000Z',
        last_ts: '2025-01-24T21:05:03.000000Z',
        synack_replies: 1,
        rst_replies: 2,
        no_reply: 4,
      }),
    ).toMatchObject({
      kind: 'scan_summary',
      probes: { answered: 1, failed: 6, first_ts: 1737752700, last_ts: 1737752703 },
    });
    expect(
      fromSensorEvent({
        ts: '2025-01-24T21:05:00Z',
        event_type: 'tls_client_hello',
        src_ip: '10.0.0.1',
        sni: 'c2.example',
        ja4: 'x',
      }),
    ).toMatchObject({ kind: 'request', service: 'tls', sni: 'c2.example', ja4: 'x' });
    expect(
      fromSensorEvent({ ts: '2025-01-24T21:05:00Z', event_type: 'tls_session', dst_ip: '10.0.0.1' }),
    ).toBeNull();
  });

  it('honeypot records: file direction, sshd outcomes, no address', () => {
    const rec = (over: Partial<HoneypotRecord>): HoneypotRecord => ({
      ts: '2026-06-20T10:00:00.000000Z',
      src_ip: '192.0.2.1',
      src_port: null,
      decky: 'decky-1',
      service: 'ssh',
      event_type: 'x',
      kind: 'other',
      fields: {},
      truncated: false,
      ...over,
    });
    expect(honeypotKind(rec({ event_type: 'file_captured', kind: 'upload' }))).toBe('download');
    expect(honeypotKind(rec({ event_type: 'download_attempt', kind: 'download' }))).toBe('upload');
    expect(honeypotKind(rec({ event_type: '-', kind: 'login_result' }))).toBe('other');
    expect(
      fromHoneypotRecord(
        rec({ event_type: 'auth_success', kind: 'login_attempt', fields: { username: 'root' } }),
      ),
    ).toMatchObject({
      kind: 'auth',
      success: true,
      username: 'root',
      dst_ip: 'decky-1',
    });
    expect(fromHoneypotRecord(rec({ src_ip: null }))).toBeNull();
  });
});
