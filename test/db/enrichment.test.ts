// The enrichment writer (src/db/enrichment.ts): geo and PTR rows upsert the attackers row in either
// order with the profile writer, a failed lookup keeps the name an earlier one found, and an
// address never looked up keeps ptr_status NULL ("never tried", distinct from "tried and failed").
// The AttackerEnricher end to end: the bundled offline datasets fill country and ASN of a
// well-known address (8.8.8.8: Google, AS15169, US) the profiler meets.
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/adapter.js';
import { AttackerEnricher, type EnrichmentBatch, writeEnrichment } from '../../src/db/enrichment.js';
import { migrate } from '../../src/db/migrate.js';
import { type ProfileRow, writeProfiles } from '../../src/db/profiles.js';
import { GeoIp } from '../../src/enrich/geo.js';
import { backends, noteServerSkip } from './helpers.js';

noteServerSkip('test/db/enrichment.test.ts');

const geoRow = (ip: string, seen: string): EnrichmentBatch['geo'][number] => ({
  ip,
  seen,
  country_code: 'US',
  country_source: 'test',
  asn: 64500,
  as_name: 'Example AS',
  bgp_prefix: '203.0.113.0/24',
  asn_source: 'test',
});

const profile = (ip: string): ProfileRow => ({
  ip,
  first_seen: '2026-01-01T00:00:00.000Z',
  last_seen: '2026-01-01T00:05:00.000Z',
  profile_at: '2026-01-01T00:05:00.000Z',
  profile_events: 3,
  profile_sensor: 's',
  behavior_class: 'scanning',
  beacon_interval_s: null,
  beacon_jitter_pct: null,
  c2_framework: null,
  tool_guesses: [],
  timing_stats: {},
  phase_sequence: {},
  classification: {},
  c2_attribution: null,
  scan_stats: {},
  auth_attempts: 0,
  auth_failures: 0,
  command_count: 0,
  traversal_path: null,
  is_traversal: false,
  commands: [],
});

const STATE = `SELECT host(ip) AS ip, first_seen, last_seen, country_code, asn, as_name, bgp_prefix::text, ptr_record,
  ptr_status FROM attackers ORDER BY ip`;

describe.each(backends())('attacker enrichment on $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('commutes with the profile writer and keeps never tried apart from tried and failed', async () => {
    const states: unknown[] = [];
    for (const order of ['enrichment first', 'profile first']) {
      const db = await openDb(await backend.fresh());
      try {
        await migrate(db);
        const enrich = () =>
          db.transaction((tx) =>
            writeEnrichment(tx, {
              geo: [geoRow('203.0.113.5', '2026-01-01T00:01:00.000Z')],
              ptr: [
                {
                  ip: '203.0.113.5',
                  seen: '2026-01-01T00:01:00.000Z',
                  ptr_record: 'scanner.example.net',
                  ptr_status: 'ok',
                  ptr_at: '2026-01-01T00:01:01.000Z',
                },
              ],
            }),
          );
        const prof = () =>
          db.transaction((tx) => writeProfiles(tx, [profile('203.0.113.5'), profile('203.0.113.6')]));
        if (order === 'enrichment first') {
          await enrich();
          await prof();
        } else {
          await prof();
          await enrich();
        }
        states.push((await db.query(STATE)).rows);
        // A later failed lookup: the status says so, the name found before stays.
        await db.transaction((tx) =>
          writeEnrichment(tx, {
            geo: [],
            ptr: [
              {
                ip: '203.0.113.5',
                seen: '2026-01-01T00:01:00.000Z',
                ptr_record: null,
                ptr_status: 'timeout',
                ptr_at: '2026-01-02T00:00:00.000Z',
              },
            ],
          }),
        );
        const after = (await db.query<{ ptr_record: string; ptr_status: string }>(STATE)).rows[0];
        expect(after).toMatchObject({ ptr_record: 'scanner.example.net', ptr_status: 'timeout' });
        // Enriching an existing row later (a session without a start time is enriched at ingest
        // time) leaves its first and last seen alone.
        await db.transaction((tx) =>
          writeEnrichment(tx, { geo: [geoRow('203.0.113.5', '2027-06-01T00:00:00.000Z')], ptr: [] }),
        );
        expect((await db.query(STATE)).rows[0]).toMatchObject({
          first_seen: new Date('2026-01-01T00:00:00.000Z'),
          last_seen: new Date('2026-01-01T00:05:00.000Z'),
        });
      } finally {
        await db.close();
      }
    }
    expect(states[0]).toEqual(states[1]);
    expect(states[0]).toEqual([
      {
        ip: '203.0.113.5',
        first_seen: new Date('2026-01-01T00:00:00.000Z'),
        last_seen: new Date('2026-01-01T00:05:00.000Z'),
        country_code: 'US',
        asn: 64500,
        as_name: 'Example AS',
        bgp_prefix: '203.0.113.0/24',
        ptr_record: 'scanner.example.net',
        ptr_status: 'ok',
      },
      {
        // Never looked up: no status at all.
        ip: '203.0.113.6',
        first_seen: new Date('2026-01-01T00:00:00.000Z'),
        last_seen: new Date('2026-01-01T00:05:00.000Z'),
        country_code: null,
        asn: null,
        as_name: null,
        bgp_prefix: null,
        ptr_record: null,
        ptr_status: null,
      },
    ]);
  });

  it('AttackerEnricher writes the bundled datasets’ country and ASN of the addresses it is shown', async () => {
    const db = await openDb(await backend.fresh());
    try {
      await migrate(db);
      const enricher = new AttackerEnricher({
        geo: GeoIp.openDefault(),
        ptr: null,
        write: (batch) => db.transaction((tx) => writeEnrichment(tx, batch)),
      });
      enricher.see('8.8.8.8', '2026-01-01T00:00:00.000Z');
      enricher.see('8.8.8.8', '2026-01-01T00:09:00.000Z'); // once per process
      enricher.see('10.1.2.3', '2026-01-01T00:00:00.000Z'); // private: nothing to write
      await enricher.close();
      const rows = (await db.query(STATE)).rows;
      expect(rows).toEqual([
        expect.objectContaining({ ip: '8.8.8.8', country_code: 'US', asn: 15169, ptr_status: null }),
      ]);
      expect(enricher.stats).toMatchObject({ geoLookups: 2, geoFound: 1, writeErrors: 0 });
    } finally {
      await db.close();
    }
  });

  it('stores the bundled data’s extremes: a 32-bit private-use ASN and an AS name over 128 characters', async () => {
    // node_modules/@ip-location-db/asn/asn-ipv4.csv:
    //   103.138.210.0,103.138.210.255,4294967294,… (RFC 6996 private use, above 2^31 - 1)
    //   45.128.121.0,… an organisation name of 143 characters
    const db = await openDb(await backend.fresh());
    try {
      await migrate(db);
      const enricher = new AttackerEnricher({
        geo: GeoIp.openDefault(),
        ptr: null,
        write: (batch) => db.transaction((tx) => writeEnrichment(tx, batch)),
      });
      for (const ip of ['103.138.210.1', '45.128.121.1', '8.8.8.8'])
        enricher.see(ip, '2026-01-01T00:00:00.000Z');
      await enricher.close();
      const rows = (await db.query<{ ip: string; asn: number; as_name: string }>(STATE)).rows;
      expect(rows.map((r) => r.ip)).toEqual(['103.138.210.1', '45.128.121.1', '8.8.8.8']);
      expect(rows[0]!.asn).toBe(4294967294);
      expect(rows[1]!.as_name.length).toBe(128);
      expect(enricher.stats).toMatchObject({ refused: 0, writeErrors: 0 });
    } finally {
      await db.close();
    }
  });
});
