// Expected values come from the shipped data files (rows quoted from
// node_modules/@ip-location-db/asn/asn-ipv4.csv / asn-ipv6.csv, version in the package.json) and from
// well-known facts (8.8.8.8 is Google, US; 85.214.0.0/16 is Strato, Berlin), not from the code under test.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AsnResponse, Reader } from 'mmdb-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeoIp, type GeoResult } from '../../../src/enrich/geo.js';
import { DeckscopeError } from '../../../src/util/errors.js';
import { Typed, writeMmdb } from '../../helpers/mmdb-writer.js';

const NULLS: GeoResult = {
  country_code: null,
  country_source: null,
  asn: null,
  as_name: null,
  bgp_prefix: null,
  asn_source: null,
};

let geo: GeoIp;
beforeAll(() => {
  geo = GeoIp.openDefault();
  geo.warm();
});

describe('bundled data: well-known addresses', () => {
  it('8.8.8.8 is Google, US (row "8.8.8.0,8.8.8.255,15169,Google LLC")', () => {
    expect(geo.lookup('8.8.8.8')).toEqual({
      country_code: 'US',
      country_source: 'geo-whois-asn',
      asn: 15169,
      as_name: 'Google LLC',
      bgp_prefix: '8.8.8.0/24',
      asn_source: 'ip-location-db',
    });
  });

  it('1.1.1.1 is Cloudflare (row "1.1.1.0,1.1.1.255,13335,"Cloudflare, Inc."")', () => {
    expect(geo.lookup('1.1.1.1')).toMatchObject({
      asn: 13335,
      as_name: 'Cloudflare, Inc.',
      bgp_prefix: '1.1.1.0/24',
    });
  });

  it('2606:4700:4700::1111 is Cloudflare, US (row "2606:4700:4700::,2606:4700:4700:ffff:…,13335")', () => {
    expect(geo.lookup('2606:4700:4700::1111')).toEqual({
      country_code: 'US',
      country_source: 'geo-whois-asn',
      asn: 13335,
      as_name: 'Cloudflare, Inc.',
      bgp_prefix: '2606:4700:4700::/48',
      asn_source: 'ip-location-db',
    });
  });

  it('85.214.128.1 is Strato, DE (row "85.214.13.0,85.214.179.255,6724,Strato AG")', () => {
    // The /19 is the largest aligned block around .128.1 inside .13.0-.179.255.
    expect(geo.lookup('85.214.128.1')).toMatchObject({
      country_code: 'DE',
      asn: 6724,
      as_name: 'Strato AG',
      bgp_prefix: '85.214.128.0/19',
    });
  });

  it('unquotes "" escapes in organisation names (row 35309568,35313663,201907,"LLC ""SPUTNIK""")', () => {
    // 35309568 = 2.26.200.0, 35313663 = 2.26.215.255: two /21 blocks.
    expect(geo.lookup('2.26.200.1')).toMatchObject({
      asn: 201907,
      as_name: 'LLC "SPUTNIK"',
      bgp_prefix: '2.26.200.0/21',
    });
    expect(geo.lookup('2.26.215.255').bgp_prefix).toBe('2.26.208.0/21');
  });

  it('IPv4-mapped IPv6 is looked up as IPv4', () => {
    expect(geo.lookup('::ffff:8.8.8.8')).toEqual(geo.lookup('8.8.8.8'));
  });
});

describe('bundled ASN ranges: inclusive edges', () => {
  it.each([
    // 8.8.7.0,8.8.7.255,3356 | 8.8.8.0,8.8.8.255,15169 | 8.8.9.0,8.8.9.255,23089
    ['8.8.7.255', 3356],
    ['8.8.8.0', 15169],
    ['8.8.8.255', 15169],
    ['8.8.9.0', 23089],
    // 1.0.0.0,1.0.0.255,13335 then the next row starts at 1.0.4.0
    ['1.0.0.0', 13335],
    ['1.0.0.255', 13335],
    ['1.0.1.0', null],
    // 2606:4700:4700::,2606:4700:4700:ffff:ffff:ffff:ffff:ffff,13335 then 2606:4700:5000::
    ['2606:4700:4700::', 13335],
    ['2606:4700:4700:ffff:ffff:ffff:ffff:ffff', 13335],
    ['2606:4700:4701::', null],
    // 2001:4860::,2001:4860:4804:ffff:…,15169 | 2001:4860:4805::,2001:4860:4805:ffff:…,43515
    ['2001:4860:4804:ffff:ffff:ffff:ffff:ffff', 15169],
    ['2001:4860:4805::', 43515],
  ] as const)('%s -> AS%s', (ip, asn) => {
    expect(geo.lookup(ip).asn).toBe(asn);
  });

  it('gives the CIDR block of an unaligned IPv6 range that holds the address', () => {
    // 2001:4860:: .. 2001:4860:4804:ffff:…: around 2001:4860:4804::1 the largest block inside is the /48.
    expect(geo.lookup('2001:4860:4804::1').bgp_prefix).toBe('2001:4860:4804::/48');
    expect(geo.lookup('2001:4860::1').bgp_prefix).toBe('2001:4860::/34');
  });

  it('resolves the one overlapping pair of the data release: the later row wins from its start', () => {
    // 214.95.0.0,215.0.255.255,749 overlaps 215.0.0.0,215.1.3.255,721.
    expect(geo.lookup('214.95.0.1').asn).toBe(749);
    expect(geo.lookup('215.0.0.1').asn).toBe(721);
    expect(geo.lookup('215.1.3.255').asn).toBe(721);
  });
});

describe('special addresses', () => {
  it.each([
    '10.0.0.1',
    '192.168.1.5',
    '127.0.0.1',
    '100.64.0.1',
    '169.254.1.1',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::1',
    'fe80::1',
    'fd00::1',
    '2001:db8::1',
    'not-an-ip',
    '',
  ])('%j gives all nulls', (ip) => {
    expect(geo.lookup(ip)).toEqual(NULLS);
  });
});

describe('describe()', () => {
  it('names the bundled packages and their versions', () => {
    const req = createRequire(import.meta.url);
    const versionOf = (pkg: string) =>
      (JSON.parse(readFileSync(req.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
    const d = geo.describe();
    expect(d).toHaveLength(2);
    expect(d[0]).toMatchObject({
      kind: 'country',
      source: 'geo-whois-asn',
      version: versionOf('@ip-location-db/geo-whois-asn-country-mmdb'),
    });
    expect(d[0]!.builtAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(d[1]).toMatchObject({
      kind: 'asn',
      source: 'ip-location-db',
      licence: 'CC-BY-4.0',
      version: versionOf('@ip-location-db/asn'),
    });
    for (const x of d) expect(x.source.length).toBeLessThanOrEqual(16);
  });
});

describe('user-supplied MMDB files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deckscope-mmdb-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, content: Buffer | string): string => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const asnDb = (recordSize: 24 | 28 | 32, ipVersion: 4 | 6 = 6) =>
    writeMmdb({
      databaseType: 'GeoLite2-ASN',
      ipVersion,
      recordSize,
      networks: [
        ['8.8.8.0/24', { autonomous_system_number: 64500, autonomous_system_organization: 'Test AS One' }],
        ['85.214.0.0/16', { autonomous_system_number: 64501, autonomous_system_organization: 'Test AS Two' }],
        ...(ipVersion === 6
          ? ([
              [
                '2001:4860::/32',
                {
                  autonomous_system_number: new Typed('uint32', 64502),
                  autonomous_system_organization: 'Test AS Six',
                },
              ],
            ] as Array<[string, { autonomous_system_number: Typed; autonomous_system_organization: string }]>)
          : []),
      ],
    });

  it('the test writer produces files mmdb-lib reads (sanity check of the helper)', () => {
    const r = new Reader<AsnResponse>(asnDb(28));
    expect(r.metadata).toMatchObject({ databaseType: 'GeoLite2-ASN', ipVersion: 6, recordSize: 28 });
    expect(r.getWithPrefixLength('8.8.8.8')).toEqual([
      { autonomous_system_number: 64500, autonomous_system_organization: 'Test AS One' },
      24,
    ]);
    expect(r.get('8.8.9.1')).toBeNull();
  });

  it.each([24, 28, 32] as const)(
    '--asn-db GeoLite2-ASN shape, %i-bit records, replaces the bundled ASN data',
    (size) => {
      const g = GeoIp.open({ asnDb: file(`asn-${size}.mmdb`, asnDb(size)) });
      expect(g.lookup('8.8.8.8')).toEqual({
        country_code: 'US', // bundled country data still used
        country_source: 'geo-whois-asn',
        asn: 64500,
        as_name: 'Test AS One',
        bgp_prefix: '8.8.8.0/24',
        asn_source: 'mmdb',
      });
      expect(g.lookup('85.214.128.1')).toMatchObject({ asn: 64501, bgp_prefix: '85.214.0.0/16' });
      expect(g.lookup('2001:4860:4860::8888')).toMatchObject({
        asn: 64502,
        as_name: 'Test AS Six',
        bgp_prefix: '2001:4860::/32',
      });
      // not in the user file: no fallback to the bundled data
      expect(g.lookup('1.1.1.1')).toMatchObject({ asn: null, asn_source: null, bgp_prefix: null });
      expect(g.lookup('10.0.0.1')).toEqual(NULLS);
      expect(g.describe()[1]).toMatchObject({ kind: 'asn', source: 'mmdb', name: 'GeoLite2-ASN' });
    },
  );

  it('an IPv4-only ASN MMDB answers IPv4 and gives nulls for IPv6', () => {
    const g = GeoIp.open({ asnDb: file('asn-v4.mmdb', asnDb(24, 4)) });
    expect(g.lookup('8.8.8.8')).toMatchObject({ asn: 64500, bgp_prefix: '8.8.8.0/24' });
    expect(g.lookup('2606:4700:4700::1111')).toMatchObject({ asn: null });
  });

  it('--geoip-db accepts GeoLite2-Country (country.iso_code) and ip-location-db (country_code) shapes', () => {
    const geolite = writeMmdb({
      databaseType: 'GeoLite2-Country',
      networks: [
        [
          '8.8.8.0/24',
          { country: { iso_code: 'NZ', geoname_id: 2186224 }, registered_country: { iso_code: 'US' } },
        ],
        ['1.1.1.0/24', { registered_country: { iso_code: 'AU' } }],
        ['2606:4700::/32', { country: { iso_code: 'CA' } }],
      ],
    });
    const g = GeoIp.open({ geoipDb: file('country.mmdb', geolite) });
    expect(g.lookup('8.8.8.8')).toMatchObject({ country_code: 'NZ', country_source: 'mmdb', asn: 15169 });
    expect(g.lookup('1.1.1.1').country_code).toBe('AU');
    expect(g.lookup('2606:4700:4700::1111').country_code).toBe('CA');
    expect(g.lookup('9.9.9.9')).toMatchObject({ country_code: null, country_source: null });

    const ild = writeMmdb({ databaseType: 'country', networks: [['8.8.8.0/24', { country_code: 'FR' }]] });
    expect(GeoIp.open({ geoipDb: file('ild.mmdb', ild) }).lookup('8.8.8.8').country_code).toBe('FR');
  });

  const expectBadOption = (fn: () => unknown, ...parts: string[]) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeckscopeError);
    expect((err as DeckscopeError).code).toBe('E_BAD_OPTION');
    for (const p of parts) expect((err as Error).message).toContain(p);
  };

  it('a non-MMDB file is a clear usage error naming the file and what to pass', () => {
    const p = file('not.mmdb', 'start,end,asn\n1,2,3\n'.repeat(100));
    expectBadOption(() => GeoIp.open({ asnDb: p }), '--asn-db', p, 'not a MaxMind DB', 'GeoLite2-ASN');
    expectBadOption(() => GeoIp.open({ geoipDb: p }), '--geoip-db', p, 'GeoLite2-Country');
  });

  it('a missing file or a directory is a clear usage error', () => {
    const missing = join(dir, 'nope.mmdb');
    expectBadOption(() => GeoIp.open({ asnDb: missing }), '--asn-db', missing, 'no such file');
    expectBadOption(() => GeoIp.open({ geoipDb: dir }), '--geoip-db', dir, 'is a directory');
  });

  it('a database of the other kind is refused', () => {
    const country = writeMmdb({
      databaseType: 'GeoLite2-Country',
      networks: [['8.8.8.0/24', { country_code: 'US' }]],
    });
    expectBadOption(() => GeoIp.open({ asnDb: file('c.mmdb', country) }), '--asn-db', 'not an ASN database');
    expectBadOption(
      () => GeoIp.open({ geoipDb: file('a.mmdb', asnDb(24)) }),
      '--geoip-db',
      'not a country database',
    );
  });
});
