// Attacker enrichment in the running system: a capture with --db whose attackers are well-known
// public addresses, with reverse DNS answered by a dnsmasq on loopback (--dns-server). Each address
// gets its country and AS from the bundled offline datasets (8.8.8.8: US, AS15169 Google; 1.1.1.1:
// AS13335 Cloudflare), a PTR name where dnsmasq has one, 'nxdomain' where it has none, and a private
// address is skipped without a query. --no-ptr leaves ptr_status NULL ("never tried"), a bad
// --asn-db stops the run before anything is read, and the summary reports the enrichment.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPacket,
  LinkType,
  type PacketRecord,
  parseIp,
  writeCaptureFile,
} from '../../scripts/pcapgen/index.js';
import { openDb } from '../../src/db/adapter.js';
import { tmp } from '../db/helpers.js';
import { runCli as run } from '../helpers/cli.js';
import { type Dnsmasq, HAVE_DNSMASQ, startDnsmasq } from '../helpers/dns-server.js';

const DECOY = parseIp('198.18.0.22');
const ATTACKERS = ['8.8.8.8', '1.1.1.1', '10.7.7.7'];
const T0 = 1_750_000_000_000_000; // µs

/** One SYN → SYN-ACK → banner connection from each attacker to the decoy's port 22. */
function capture(): string {
  const records: PacketRecord[] = [];
  ATTACKERS.forEach((a, i) => {
    const src = parseIp(a);
    const us = T0 + i * 1_000_000;
    const ip = (s: Uint8Array, d: Uint8Array) => ({
      version: 4 as const,
      src: s,
      dst: d,
      ttl: 64,
      id: 1,
      df: true,
    });
    const frame = (spec: Parameters<typeof buildPacket>[0]) => buildPacket(spec).slice();
    records.push(
      {
        ts: us,
        frame: frame({
          link: { type: LinkType.RAW },
          ip: ip(src, DECOY),
          l4: { proto: 'tcp', srcPort: 40000 + i, dstPort: 22, seq: 1000, flags: 0x02, window: 64240 },
        }),
      },
      {
        ts: us + 200,
        frame: frame({
          link: { type: LinkType.RAW },
          ip: ip(DECOY, src),
          l4: {
            proto: 'tcp',
            srcPort: 22,
            dstPort: 40000 + i,
            seq: 5000,
            ack: 1001,
            flags: 0x12,
            window: 65160,
          },
        }),
      },
      {
        ts: us + 400,
        frame: frame({
          link: { type: LinkType.RAW },
          ip: ip(src, DECOY),
          l4: {
            proto: 'tcp',
            srcPort: 40000 + i,
            dstPort: 22,
            seq: 1001,
            ack: 5001,
            flags: 0x18,
            window: 502,
          },
          payload: new TextEncoder().encode('SSH-2.0-Go\r\n'),
        }),
      },
    );
  });
  const f = join(mkdtempSync(join(tmpdir(), 'deckscope-enrich-')), 'public.pcap');
  writeCaptureFile(f, records, { format: 'pcap', linkType: LinkType.RAW });
  return f;
}

async function attackers(url: string) {
  const db = await openDb(url);
  try {
    return (
      await db.query(
        `SELECT host(ip) AS ip, country_code, asn, as_name, ptr_record, ptr_status, enriched_at IS NOT NULL AS enriched
         FROM attackers ORDER BY ip`,
      )
    ).rows;
  } finally {
    await db.close();
  }
}

describe.skipIf(!HAVE_DNSMASQ)('enrichment through a capture with --db (dnsmasq on loopback)', () => {
  let dns: Dnsmasq;
  const pcap = capture();
  beforeAll(async () => {
    dns = await startDnsmasq({ '8.8.8.8': 'dns.google' });
  });
  afterAll(() => dns?.stop());

  it('fills country, ASN and PTR, keeps nxdomain and skipped apart, and reports them', async () => {
    const url = `pglite:${join(tmp('enrich-db'), 'db')}`;
    const r = run(['-r', pcap, '--db', url, '--dns-server', dns.server], { DECKSCOPE_PTR: 'on' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/enrichment: 2 of 3 addresses with a country or ASN; reverse DNS: .*ok 1/);
    expect(await attackers(url)).toEqual([
      {
        ip: '1.1.1.1',
        country_code: expect.any(String),
        asn: 13335,
        as_name: expect.stringMatching(/cloudflare/i),
        ptr_record: null,
        ptr_status: 'nxdomain',
        enriched: true,
      },
      {
        ip: '10.7.7.7',
        country_code: null,
        asn: null,
        as_name: null,
        ptr_record: null,
        ptr_status: 'skipped',
        enriched: false,
      },
      {
        ip: '8.8.8.8',
        country_code: 'US',
        asn: 15169,
        as_name: expect.stringMatching(/google/i),
        ptr_record: 'dns.google',
        ptr_status: 'ok',
        enriched: true,
      },
    ]);
  });

  it('--no-ptr and DECKSCOPE_PTR=off leave every address never tried', async () => {
    for (const [args, env] of [
      [['--no-ptr'], { DECKSCOPE_PTR: 'on' }],
      [[], { DECKSCOPE_PTR: 'off' }],
    ] as const) {
      const url = `pglite:${join(tmp('enrich-db'), 'db')}`;
      expect(run(['-r', pcap, '--db', url, '--dns-server', dns.server, ...args], env).code).toBe(0);
      const rows = await attackers(url);
      expect(rows.map((x) => x.ptr_status)).toEqual([null, null, null]);
      expect(rows.find((x) => x.ip === '8.8.8.8')).toMatchObject({ country_code: 'US', asn: 15169 });
    }
  });
});

describe('enrichment options', () => {
  it('a bad --asn-db stops the capture before it reads anything, naming the file', () => {
    const bad = join(tmp('bad-mmdb'), 'asn.mmdb');
    writeFileSync(bad, 'not a database');
    const url = `pglite:${join(tmp('enrich-db'), 'db')}`;
    const r = run(['-r', '/nonexistent.pcap', '--db', url, '--asn-db', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--asn-db');
    expect(r.stderr).toContain(bad);
  });

  it('--dns-server takes IP addresses only, and the enrichment options need --db', () => {
    expect(run(['-r', 'x.pcap', '--db', 'pglite', '--dns-server', 'dns.example']).stderr).toMatch(
      /--dns-server: 'dns.example' is not IP/,
    );
    const r = run(['-r', 'x.pcap', '--geoip-db', '/tmp/x.mmdb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--geoip-db applies to --db only/);
  });
});
