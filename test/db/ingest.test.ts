// One batch -> events and profile rows: every column checked against what the JSON lines say
// (computed here independently), replays insert and count nothing twice, and several writers
// on one server end with exactly the rows of one, without deadlocks.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/db/adapter.js';
import { isDataError } from '../../src/db/errors.js';
import { insertBatch, prepareSession } from '../../src/db/ingest.js';
import { migrate } from '../../src/db/migrate.js';
import { ensurePartitions } from '../../src/db/partitions.js';
import {
  BytesSink,
  backends,
  CORPUS_FILES,
  distinctLines,
  expectedProfiles,
  generatedPcap,
  noteServerSkip,
  rows,
  runPipeline,
  SERVER_URL,
  serverBackend,
  snapshot,
  storedProfiles,
} from './helpers.js';

noteServerSkip('test/db/ingest.test.ts');

type Ev = Record<string, unknown> & { ts: string; event_type: string; src_ip?: string; dst_ip?: string };

let corpusText = '';
let genText = '';

beforeAll(async () => {
  const a = new BytesSink();
  await runPipeline(CORPUS_FILES, a);
  corpusText = a.text;
  const b = new BytesSink();
  await runPipeline([generatedPcap(8_000, 3)], b);
  genText = b.text;
});

/** Splits lines into batches of `size` lines, each '\n'-terminated. */
function batches(text: string, size: number): Array<{ text: string; lines: number }> {
  const lines = text.split('\n').filter(Boolean);
  const out = [];
  for (let i = 0; i < lines.length; i += size) {
    const part = lines.slice(i, i + size);
    out.push({ text: `${part.join('\n')}\n`, lines: part.length });
  }
  return out;
}

async function prepared(url: string): Promise<Db> {
  const db = await openDb(url);
  await migrate(db);
  await prepareSession(db);
  return db;
}

async function write(db: Db, text: string, size: number): Promise<number> {
  let inserted = 0;
  for (const b of batches(text, size)) {
    await ensurePartitions(
      db,
      new Set(
        b.text
          .split('\n')
          .filter(Boolean)
          .map((l) => l.slice(7, 17)),
      ),
    );
    inserted += (await db.transaction((tx) => insertBatch(tx, b.text, b.lines))).inserted;
  }
  return inserted;
}

const ms = (ts: string) => Date.parse(ts);

describe.each(backends())('ingest on $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('stores every distinct line once, with typed columns and a deterministic id', async () => {
    const db = await prepared(await backend.fresh());
    try {
      const distinct = distinctLines(corpusText);
      expect(distinct.size).toBeGreaterThan(500);
      expect(await write(db, corpusText, 200)).toBe(distinct.size);
      const stored = (
        await db.query<Record<string, unknown>>(
          'SELECT event_id, ts, event_type, sensor_id, flow_id, src_ip, src_port, dst_ip, dst_port, transport, community_id, payload FROM events',
        )
      ).rows;
      expect(stored).toHaveLength(distinct.size);
      const byId = new Map(stored.map((r) => [r.event_id as string, r]));
      for (const line of distinct) {
        const h = createHash('sha256').update(line).digest('hex').slice(0, 32);
        const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
        const row = byId.get(id);
        const e = JSON.parse(line) as Ev;
        expect(row, line).toBeDefined();
        expect(row).toMatchObject({
          ts: new Date(ms(e.ts)),
          event_type: e.event_type,
          sensor_id: 'test-sensor',
          flow_id: e.flow_id ?? null,
          src_ip: e.src_ip ?? null,
          src_port: e.src_port ?? null,
          dst_ip: e.dst_ip ?? null,
          dst_port: e.dst_port ?? null,
          transport: e.transport ?? null,
          community_id: e.community_id ?? null,
          payload: e,
        });
      }
    } finally {
      await db.close();
    }
  });

  it('derives attackers, fingerprints, deckies, services and sensors from the events', async () => {
    const db = await prepared(await backend.fresh());
    try {
      await write(db, corpusText, 300);
      const distinct = distinctLines(corpusText);
      const stored = await storedProfiles(db);
      const expected = expectedProfiles(distinct);
      expect(stored.attackers).toEqual(expected.attackers);
      expect(stored.fingerprints).toEqual(expected.fingerprints);
      const kinds = new Set(stored.fingerprints.map((r) => r.kind));
      for (const k of [
        'ja3',
        'ja4',
        'ja3s',
        'ja4s',
        'ja4x',
        'ja4t',
        'hassh',
        'hassh_server',
        'ja4h',
        'ssh_banner',
      ])
        expect(kinds, k).toContain(k);
      // the link tables add up to the attackers' counts
      const sum = (k: string) => expected.attackers.reduce((n, a) => n + (a[k] as number), 0);
      expect(await rows(db, 'SELECT count(*)::int AS n FROM attacker_deckies')).toEqual([
        { n: sum('decky_count') },
      ]);
      expect(await rows(db, 'SELECT count(*)::int AS n FROM attacker_services')).toEqual([
        { n: sum('service_count') },
      ]);
      expect(await rows(db, 'SELECT sum(event_count)::int AS n FROM attacker_sensors')).toEqual([
        { n: sum('event_count') },
      ]);
    } finally {
      await db.close();
    }
  });

  it('keeps the distinct client KEX lists and SSH client banners of each address, in order, at most 16', async () => {
    const db = await prepared(await backend.fresh());
    try {
      const size = 300;
      await write(db, corpusText, size);
      // Expected from the events: each batch adds its values not yet kept, ordered by their first
      // packet time in the batch (then by value), until 16 are kept.
      const kex = new Map<string, string[]>();
      const banners = new Map<string, string[]>();
      const seen = new Set<string>();
      for (const b of batches(corpusText, size)) {
        // Times compared as the sensor writes them (fixed-width ISO with microseconds: text order is
        // time order); values in byte order.
        const firsts = new Map<string, { ip: string; v: string; ts: string; list: Map<string, string[]> }>();
        for (const line of b.text.split('\n').filter(Boolean)) {
          if (seen.has(line)) continue; // a line already stored is not new
          seen.add(line);
          const e = JSON.parse(line) as Ev;
          let list: Map<string, string[]> | null = null;
          let v: unknown;
          if (e.event_type === 'ssh_kexinit' && e.direction === 'client') [list, v] = [kex, e.kex_order_raw];
          if (e.event_type === 'ssh_client_banner') [list, v] = [banners, e.ssh_version || e.banner];
          if (list === null || typeof v !== 'string' || v === '' || !e.src_ip) continue;
          const k = JSON.stringify([list === kex, e.src_ip, v]);
          const f = firsts.get(k);
          if (f === undefined || e.ts < f.ts) firsts.set(k, { ip: e.src_ip, v, ts: e.ts, list });
        }
        for (const f of [...firsts.values()].sort((a, b) =>
          a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : Buffer.compare(Buffer.from(a.v), Buffer.from(b.v)),
        )) {
          const kept = f.list.get(f.ip) ?? [];
          if (!kept.includes(f.v) && kept.length < 16) kept.push(f.v);
          f.list.set(f.ip, kept);
        }
      }
      expect(kex.size).toBeGreaterThan(0);
      expect(banners.size).toBeGreaterThan(0);
      const stored = (
        await db.query<{ ip: string; kex_order_raw: unknown; ssh_client_banners: unknown }>(
          'SELECT ip, kex_order_raw, ssh_client_banners FROM attacker_behavior WHERE kex_order_raw IS NOT NULL OR ssh_client_banners IS NOT NULL ORDER BY ip',
        )
      ).rows;
      const ips = [...new Set([...kex.keys(), ...banners.keys()])].sort();
      expect(stored.map((r) => r.ip).sort()).toEqual(ips);
      for (const r of stored) {
        expect(r.kex_order_raw, r.ip).toEqual(kex.get(r.ip) ?? null);
        expect(r.ssh_client_banners, r.ip).toEqual(banners.get(r.ip) ?? null);
      }
      // A client KEXINIT list as DECNET stores it: the kex_algorithms name-list, comma-joined.
      const some = JSON.parse(
        corpusText
          .split('\n')
          .find((l) => l.includes('"ssh_kexinit"') && l.includes('"direction":"client"'))!,
      ) as Ev & { kex_algorithms: string[] };
      expect(kex.get(some.src_ip!)).toContain(some.kex_algorithms.join(','));

      // One address with 20 banners in two batches keeps the first 16 by arrival.
      await ensurePartitions(db, ['2024-02-01']);
      const line = (i: number) =>
        JSON.stringify({
          ts: `2024-02-01T00:00:${String(i).padStart(2, '0')}.000000Z`,
          event_type: 'ssh_client_banner',
          sensor_id: 's',
          src_ip: '198.18.9.9',
          ssh_version: `SSH-2.0-tool_${String(20 - i).padStart(2, '0')}`,
        });
      const first = Array.from({ length: 12 }, (_, i) => line(i + 8));
      const second = Array.from({ length: 8 }, (_, i) => line(i));
      for (const part of [first, second])
        await db.transaction((tx) => insertBatch(tx, `${part.join('\n')}\n`, part.length));
      const capped = await db.query<{ ssh_client_banners: string[] }>(
        "SELECT ssh_client_banners FROM attacker_behavior WHERE ip = '198.18.9.9'",
      );
      expect(capped.rows[0]?.ssh_client_banners).toEqual([
        ...Array.from({ length: 12 }, (_, i) => `SSH-2.0-tool_${String(12 - i).padStart(2, '0')}`),
        ...['20', '19', '18', '17'].map((n) => `SSH-2.0-tool_${n}`),
      ]);

      // Another address: same-time values in byte order whatever the collation ('B' < 'a'), the
      // banner when ssh_version is empty, client KEXINITs only, and a stored value that is not a
      // list (edited by hand) counts as empty instead of failing the batch.
      const ev = (o: Record<string, unknown>) =>
        JSON.stringify({ ts: '2024-02-01T00:01:00.000000Z', sensor_id: 's', src_ip: '198.18.9.10', ...o });
      const batch = [
        ev({ event_type: 'ssh_client_banner', ssh_version: 'SSH-2.0-a' }),
        ev({ event_type: 'ssh_client_banner', ssh_version: 'SSH-2.0-B' }),
        ev({ event_type: 'ssh_client_banner', ssh_version: '', banner: 'SSH-2.0-C' }),
        ev({ event_type: 'ssh_kexinit', direction: 'client', kex_order_raw: 'curve25519-sha256,ext-info-c' }),
        ev({ event_type: 'ssh_kexinit', direction: 'server', kex_order_raw: 'server-only' }),
      ];
      await db.transaction((tx) => insertBatch(tx, `${batch.join('\n')}\n`, batch.length));
      const one = "SELECT kex_order_raw, ssh_client_banners FROM attacker_behavior WHERE ip = '198.18.9.10'";
      expect(await rows(db, one)).toEqual([
        {
          kex_order_raw: ['curve25519-sha256,ext-info-c'],
          ssh_client_banners: ['SSH-2.0-B', 'SSH-2.0-C', 'SSH-2.0-a'],
        },
      ]);
      await db.query(`UPDATE attacker_behavior SET kex_order_raw = '"edited"' WHERE ip = '198.18.9.10'`);
      const later = ev({
        ts: '2024-02-01T00:02:00.000000Z',
        event_type: 'ssh_kexinit',
        direction: 'client',
        kex_order_raw: 'sntrup761x25519-sha512',
      });
      await db.transaction((tx) => insertBatch(tx, `${later}\n`, 1));
      expect(await rows(db, one)).toEqual([
        {
          kex_order_raw: ['sntrup761x25519-sha512'],
          ssh_client_banners: ['SSH-2.0-B', 'SSH-2.0-C', 'SSH-2.0-a'],
        },
      ]);
    } finally {
      await db.close();
    }
  });

  it('a replay (other batch boundaries) changes nothing', async () => {
    const db = await prepared(await backend.fresh());
    try {
      const all = corpusText + genText;
      const first = await write(db, all, 500);
      expect(first).toBe(distinctLines(all).size);
      const before = await snapshot(db);
      expect(await write(db, all, 137)).toBe(0);
      expect(await write(db, genText, 5000)).toBe(0);
      expect(await snapshot(db)).toEqual(before);
    } finally {
      await db.close();
    }
  });

  it('refuses a batch with a bad line as a data error (the writer then isolates it)', async () => {
    const db = await prepared(await backend.fresh());
    try {
      await ensurePartitions(db, ['2024-01-01']);
      const bad =
        '{"ts":"2024-01-01T00:00:00.000000Z","event_type":"x","sensor_id":"s","src_ip":"not-an-ip"}\n';
      const err = await db.transaction((tx) => insertBatch(tx, bad, 1)).catch((e: unknown) => e);
      expect(isDataError(err)).toBe(true);
      expect(await rows(db, 'SELECT count(*)::int AS n FROM events')).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });
});

describe.runIf(SERVER_URL)('several writers on one server', () => {
  const backend = serverBackend();
  afterAll(() => backend.cleanup());

  it('end with exactly the rows of one writer, without deadlocks', async () => {
    const all = corpusText + genText;
    const single = await prepared(await backend.fresh());
    await write(single, all, 1000);
    const expected = await snapshot(single);
    await single.close();

    const url = await backend.fresh();
    const dbs = await Promise.all([0, 1, 2, 3].map(() => prepared(url)));
    try {
      // Different batch sizes, so batches overlap in every way; each writer shuffles nothing:
      // the same events, the same order, as sensors replaying one capture would.
      const inserted = await Promise.all(dbs.map((db, i) => write(db, all, [97, 250, 600, 1500][i]!)));
      expect(inserted.reduce((a, b) => a + b, 0)).toBe(distinctLines(all).size);
      expect(await snapshot(dbs[0]!)).toEqual(expected);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });
});
