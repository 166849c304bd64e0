// Connection episodes: keys, burst collapsing, excess gaps, bounds.
import { describe, expect, it } from 'vitest';
import { EpisodeSeries, EpisodeTracker, episodeKeyOf } from '../../../src/profiler/episodes.js';
import type { ProfilerEvent } from '../../../src/profiler/types.js';

const ev = (ts: number, over: Partial<ProfilerEvent> = {}): ProfilerEvent => ({
  ts,
  src_ip: '192.0.2.1',
  kind: 'request',
  source: 'sensor',
  event_type: 'tls_client_hello',
  service: 'https',
  ...over,
});

describe('episodeKeyOf', () => {
  it('service and SNI/Host, normalised', () => {
    expect(episodeKeyOf(ev(0, { sni: 'C2.Example.NET.' }))).toBe('https|c2.example.net');
    expect(episodeKeyOf(ev(0, { service: 'http', host: 'a.example:8080' }))).toBe('http|a.example');
    expect(episodeKeyOf(ev(0, { service: 'http', host: '[2001:db8::1]:80' }))).toBe('http|[2001:db8::1]');
  });
  it('falls back to the destination port, and ignores events without connection meaning', () => {
    const { service: _s, ...noService } = ev(0, { dst_port: 8443 });
    expect(episodeKeyOf(noService)).toBe('port/8443|');
    expect(episodeKeyOf(ev(0, { kind: 'fingerprint' }))).toBeNull();
    expect(episodeKeyOf(ev(0, { kind: 'scan_summary' }))).toBeNull();
  });
});

describe('EpisodeSeries', () => {
  it('collapses starts closer than the burst gap and measures excess gaps from the last start', () => {
    const s = new EpisodeSeries('k', 1);
    for (const t of [0, 0.5, 1.2, 10]) s.addStart(t);
    expect(s.episodes()).toEqual([
      { start: 0, last_start: 1.2, connections: 3 },
      { start: 10, last_start: 10, connections: 1 },
    ]);
    expect(s.startGaps()).toEqual([10]);
    expect(s.excessGaps()[0]).toBeCloseTo(10 - 1.2 - 1, 12);
  });
  it('accepts starts out of order, merging with either neighbour and bridging two episodes', () => {
    const s = new EpisodeSeries('k', 1);
    for (const t of [0, 2, 10, 9.5, 1]) s.addStart(t);
    expect(s.episodes()).toEqual([
      { start: 0, last_start: 2, connections: 3 },
      { start: 9.5, last_start: 10, connections: 2 },
    ]);
  });
  it('keeps the most recent episodes within its cap and counts the dropped ones', () => {
    const s = new EpisodeSeries('k', 1, 3);
    for (const t of [0, 10, 20, 30]) s.addStart(t);
    expect(s.starts()).toEqual([10, 20, 30]);
    expect(s.dropped).toBe(1);
  });
  it('ignores non-finite times', () => {
    const s = new EpisodeSeries('k');
    s.addStart(Number.NaN);
    s.addStart(Number.POSITIVE_INFINITY);
    expect(s.size).toBe(0);
  });
});

describe('EpisodeTracker', () => {
  it('counts one start per connection id, keyed by its first event', () => {
    const t = new EpisodeTracker();
    t.add(ev(100, { conn_id: 'c1', sni: 'x.example' }));
    t.add(ev(100.4, { conn_id: 'c1', kind: 'connection', event_type: 'tcp_flow_timing' }));
    t.add(ev(160, { conn_id: 'c2', sni: 'x.example' }));
    const [s] = t.series();
    expect(s!.key).toBe('https|x.example');
    expect(s!.counters.connections).toBe(2);
    expect(s!.counters.events).toBe(3);
    expect(s!.startGaps()).toEqual([60]);
  });
  it('events without a connection id start a connection when they are connection, request or auth events', () => {
    const t = new EpisodeTracker();
    t.add(
      ev(0, {
        kind: 'auth',
        source: 'honeypot',
        event_type: 'login_attempt',
        service: 'ssh',
        success: false,
      }),
    );
    t.add(
      ev(30, {
        kind: 'auth',
        source: 'honeypot',
        event_type: 'login_attempt',
        service: 'ssh',
        success: true,
      }),
    );
    t.add(ev(31, { kind: 'command', source: 'honeypot', event_type: 'command', service: 'ssh' }));
    const s = t.get('ssh|')!;
    expect(s.size).toBe(2);
    expect(s.counters.auth_attempts).toBe(2);
    expect(s.counters.auth_failures).toBe(1);
    expect(s.counters.commands).toBe(1);
  });
  it('evicts the least recently seen key beyond its cap', () => {
    const t = new EpisodeTracker({ maxKeys: 2 });
    t.add(ev(0, { sni: 'a' }));
    t.add(ev(5, { sni: 'b' }));
    t.add(ev(1, { sni: 'a' }));
    t.add(ev(9, { sni: 'c' }));
    expect(
      t
        .series()
        .map((s) => s.key)
        .sort(),
    ).toEqual(['https|b', 'https|c']);
    expect(t.evictedKeys).toBe(1);
  });
  it('counts failed connection attempts and distinct decoys', () => {
    const t = new EpisodeTracker();
    for (let i = 0; i < 4; i++) {
      t.add(
        ev(i * 10, {
          kind: 'connection',
          event_type: 'connection',
          source: 'honeypot',
          outcome: i < 3 ? 'rejected' : 'established',
          dst_ip: `198.18.0.${i}`,
        }),
      );
    }
    const s = t.series()[0]!;
    expect(s.counters.failed_connections).toBe(3);
    expect(s.destinations).toBe(4);
  });
});
