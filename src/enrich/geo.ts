// Offline country and ASN lookup for attacker addresses. No network at run time: the data ships in npm
// packages (refreshed by updating them) or comes from MMDB files the user passes.
//
// Bundled data (loaded lazily on first use, or at once with warm()):
// * country: @ip-location-db/geo-whois-asn-country-mmdb, geo-whois-asn-country.mmdb (IPv4+IPv6, record
//   `{country_code}`). The package is labelled CC0-1.0; its sources (RIR whois / NRO statistics) are
//   CC BY 4.0 by the NRO, so attribute nro.net.
// * ASN: @ip-location-db/asn, asn-ipv4-num.csv and asn-ipv6-num.csv, CC BY 4.0 by RouteViews, DB-IP and
//   the NRO (attribution required: routeviews.org, db-ip.com, nro.net).
// User data: `--geoip-db` (GeoLite2-Country/City, DB-IP country lite, ip-location-db country MMDB) and
// `--asn-db` (GeoLite2-ASN, DB-IP ASN lite, ip-location-db asn MMDB) replace the bundled dataset of
// their kind. MMDB files are read with mmdb-lib (MIT).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Reader, type Response } from 'mmdb-lib';
import { DeckscopeError } from '../util/errors.js';
import { formatIp } from '../util/ip.js';
import { classifyParsed, type ParsedAddress, parseAddress } from './addresses.js';
import { AsnTable } from './asn-table.js';

/** Country and AS of one address; every field is null when unknown, private or reserved. */
export interface GeoResult {
  country_code: string | null;
  country_source: string | null;
  asn: number | null;
  as_name: string | null;
  /** CIDR of the matching ASN record (MMDB network, or the CSV range's block holding the address). */
  bgp_prefix: string | null;
  asn_source: string | null;
}

export interface GeoOpenOptions {
  /** Country MMDB replacing the bundled one (`--geoip-db`). */
  geoipDb?: string;
  /** ASN MMDB replacing the bundled CSV (`--asn-db`). */
  asnDb?: string;
}

/** One dataset in use, for the README and `-V`. */
export interface DatasetInfo {
  kind: 'country' | 'asn';
  /** The short tag written to country_source / asn_source. */
  source: string;
  name: string;
  version: string | null;
  licence: string;
  attribution: string | null;
  path: string;
  /** Build time of an MMDB (from its metadata), once loaded. */
  builtAt: string | null;
}

/** Source tag of the bundled country MMDB. */
export const SOURCE_BUNDLED_COUNTRY = 'geo-whois-asn';
/** Source tag of the bundled ASN CSVs. */
export const SOURCE_BUNDLED_ASN = 'ip-location-db';
/** Source tag of a user-supplied MMDB. */
export const SOURCE_USER_MMDB = 'mmdb';

const COUNTRY_PKG = '@ip-location-db/geo-whois-asn-country-mmdb';
const ASN_PKG = '@ip-location-db/asn';
const COUNTRY_FILE = 'geo-whois-asn-country.mmdb';
const ASN_V4_FILE = 'asn-ipv4-num.csv';
const ASN_V6_FILE = 'asn-ipv6-num.csv';

const NULL_RESULT: Readonly<GeoResult> = Object.freeze({
  country_code: null,
  country_source: null,
  asn: null,
  as_name: null,
  bgp_prefix: null,
  asn_source: null,
});

const require = createRequire(import.meta.url);

function packageDir(pkg: string): { dir: string; version: string | null } {
  const pj = require.resolve(`${pkg}/package.json`);
  let version: string | null = null;
  try {
    version = (JSON.parse(readFileSync(pj, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    version = null;
  }
  return { dir: dirname(pj), version };
}

interface CountryRecord {
  country_code?: unknown;
  country?: { iso_code?: unknown };
  registered_country?: { iso_code?: unknown };
}

interface AsnRecord {
  autonomous_system_number?: unknown;
  autonomous_system_organization?: unknown;
}

function isoCode(v: unknown): string | null {
  if (typeof v !== 'string' || v.length !== 2) return null;
  const cc = v.toUpperCase();
  if (cc < 'AA' || cc > 'ZZ' || cc === 'ZZ' || cc === 'XX') return null;
  return /^[A-Z]{2}$/.test(cc) ? cc : null;
}

function networkOf(a: ParsedAddress, prefix: number): string {
  const net = a.bytes.slice();
  for (let i = 0; i < net.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    net[i]! &= (0xff00 >> keep) & 0xff;
  }
  return `${formatIp(net)}/${prefix}`;
}

/** An MMDB file, read whole into memory; lookups never throw. */
class MmdbFile<T> {
  readonly reader: Reader<Response>;
  constructor(
    readonly path: string,
    buf: Buffer,
  ) {
    this.reader = new Reader<Response>(buf);
  }
  get(a: ParsedAddress): [T | null, number] {
    if (a.version === 6 && this.reader.metadata.ipVersion === 4) return [null, 0];
    try {
      return this.reader.getWithPrefixLength(a.text) as unknown as [T | null, number];
    } catch {
      return [null, 0];
    }
  }
}

function openMmdb<T>(path: string, flag: string, what: string): MmdbFile<T> {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${code ?? String(err)})`;
    throw new DeckscopeError('E_BAD_OPTION', `${flag} ${path}: ${why}; pass the path of ${what}`, {
      cause: err,
    });
  }
  try {
    return new MmdbFile<T>(path, buf);
  } catch (err) {
    throw new DeckscopeError(
      'E_BAD_OPTION',
      `${flag} ${path}: not a MaxMind DB (MMDB) file (${(err as Error).message}); pass ${what}`,
      { cause: err },
    );
  }
}

function checkKind(db: MmdbFile<unknown>, flag: string, want: 'country' | 'asn', what: string): void {
  const type = String(db.reader.metadata.databaseType ?? '');
  const isAsn = /asn/i.test(type);
  const isCountry = /country|city/i.test(type);
  const wrong = want === 'asn' ? isCountry && !isAsn : isAsn && !isCountry;
  if (wrong) {
    throw new DeckscopeError(
      'E_BAD_OPTION',
      `${flag} ${db.path}: database type "${type}" is not ${want === 'asn' ? 'an ASN' : 'a country'} database; pass ${what}`,
    );
  }
}

const GEOIP_WHAT = 'a GeoLite2-Country/City, DB-IP IP-to-Country Lite or ip-location-db country .mmdb file';
const ASN_WHAT = 'a GeoLite2-ASN, DB-IP IP-to-ASN Lite or ip-location-db asn .mmdb file';

interface CountryLookup {
  readonly source: string;
  lookup(a: ParsedAddress): string | null;
  load(): void;
  info(): DatasetInfo;
}

interface AsnLookup {
  readonly source: string;
  lookup(a: ParsedAddress): { asn: number; org: string | null; prefix: string } | null;
  load(): void;
  info(): DatasetInfo;
}

class MmdbCountry implements CountryLookup {
  get source(): string {
    return this.meta.source;
  }
  private db: MmdbFile<CountryRecord> | null;
  private failed = false;
  constructor(
    private readonly path: string,
    private readonly meta: Omit<DatasetInfo, 'builtAt' | 'path' | 'kind'>,
    eager: MmdbFile<CountryRecord> | null,
  ) {
    this.db = eager;
  }
  load(): void {
    if (this.db || this.failed) return;
    try {
      this.db = openMmdb<CountryRecord>(this.path, 'bundled country data', 'a reinstalled deckscope');
    } catch {
      this.failed = true; // bundled data missing: lookups give null rather than throwing mid-capture
    }
  }
  lookup(a: ParsedAddress): string | null {
    this.load();
    if (!this.db) return null;
    const [rec] = this.db.get(a);
    if (!rec) return null;
    return (
      isoCode(rec.country_code) ?? isoCode(rec.country?.iso_code) ?? isoCode(rec.registered_country?.iso_code)
    );
  }
  info(): DatasetInfo {
    const built = this.db?.reader.metadata.buildEpoch;
    return { kind: 'country', path: this.path, builtAt: built ? built.toISOString() : null, ...this.meta };
  }
}

class MmdbAsn implements AsnLookup {
  get source(): string {
    return this.meta.source;
  }
  constructor(
    private readonly db: MmdbFile<AsnRecord>,
    private readonly meta: Omit<DatasetInfo, 'builtAt' | 'path' | 'kind'>,
  ) {}
  load(): void {}
  lookup(a: ParsedAddress): { asn: number; org: string | null; prefix: string } | null {
    const [rec, prefix] = this.db.get(a);
    if (!rec) return null;
    const asn = rec.autonomous_system_number;
    if (typeof asn !== 'number' || !Number.isInteger(asn) || asn <= 0) return null;
    const org = rec.autonomous_system_organization;
    return { asn, org: typeof org === 'string' && org !== '' ? org : null, prefix: networkOf(a, prefix) };
  }
  info(): DatasetInfo {
    const built = this.db.reader.metadata.buildEpoch;
    return { kind: 'asn', path: this.db.path, builtAt: built ? built.toISOString() : null, ...this.meta };
  }
}

// Parsed bundled tables are shared by every GeoIp of the process (they are immutable).
const tableCache = new Map<string, AsnTable>();

/** The bundled ASN CSVs; each family is parsed on its first lookup (once per process). */
class CsvAsn implements AsnLookup {
  get source(): string {
    return this.meta.source;
  }
  private readonly loaded: Record<4 | 6, AsnTable | null> = { 4: null, 6: null };
  private readonly failed: Record<4 | 6, boolean> = { 4: false, 6: false };
  constructor(
    private readonly dir: string,
    private readonly meta: Omit<DatasetInfo, 'builtAt' | 'path' | 'kind'>,
  ) {}
  load(): void {
    this.table(4);
    this.table(6);
  }
  private table(version: 4 | 6): AsnTable | null {
    if (!this.loaded[version] && !this.failed[version]) {
      const path = join(this.dir, version === 4 ? ASN_V4_FILE : ASN_V6_FILE);
      try {
        let t = tableCache.get(path);
        if (!t) {
          t = AsnTable.parse(readFileSync(path, 'utf8'), version);
          tableCache.set(path, t);
        }
        this.loaded[version] = t;
      } catch {
        this.failed[version] = true;
      }
    }
    return this.loaded[version];
  }
  lookup(a: ParsedAddress): { asn: number; org: string | null; prefix: string } | null {
    return this.table(a.version)?.lookup(a.bytes) ?? null;
  }
  /** Row counts and parse times of the tables loaded so far. */
  tables(): { v4: AsnTable['info'] | null; v6: AsnTable['info'] | null } {
    return { v4: this.loaded[4]?.info ?? null, v6: this.loaded[6]?.info ?? null };
  }
  info(): DatasetInfo {
    return { kind: 'asn', path: this.dir, builtAt: null, ...this.meta };
  }
}

/** attackers.as_name's width (characters). */
export const AS_NAME_MAX_CHARS = 128;

/** An AS name as the attackers table can hold it: no NUL or lone surrogates, at most
 *  AS_NAME_MAX_CHARS characters (a few registry names are longer). */
function storableName(name: string): string {
  return name
    .replace(/\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .slice(0, AS_NAME_MAX_CHARS);
}

/** Offline country + ASN lookup. lookup() never throws. */
export class GeoIp {
  private constructor(
    private readonly country: CountryLookup,
    private readonly asn: AsnLookup,
  ) {}

  /** The bundled datasets only. */
  static openDefault(): GeoIp {
    return GeoIp.open({});
  }

  /**
   * User MMDB files replace the bundled dataset of their kind; they are read and checked now, and a
   * missing, unreadable or non-MMDB file throws DeckscopeError('E_BAD_OPTION') naming the file.
   */
  static open(opts: GeoOpenOptions): GeoIp {
    let country: CountryLookup;
    if (opts.geoipDb) {
      const db = openMmdb<CountryRecord>(opts.geoipDb, '--geoip-db', GEOIP_WHAT);
      checkKind(db, '--geoip-db', 'country', GEOIP_WHAT);
      country = new MmdbCountry(
        opts.geoipDb,
        userMeta(SOURCE_USER_MMDB, db.reader.metadata.databaseType, 'as licensed by its vendor'),
        db,
      );
    } else {
      const pkg = packageDir(COUNTRY_PKG);
      country = new MmdbCountry(
        join(pkg.dir, COUNTRY_FILE),
        {
          source: SOURCE_BUNDLED_COUNTRY,
          name: `${COUNTRY_PKG} (${COUNTRY_FILE})`,
          version: pkg.version,
          licence: 'CC0-1.0 (package); sources CC-BY-4.0',
          attribution: 'NRO (nro.net) via ip-location-db',
        },
        null,
      );
    }
    let asn: AsnLookup;
    if (opts.asnDb) {
      const db = openMmdb<AsnRecord>(opts.asnDb, '--asn-db', ASN_WHAT);
      checkKind(db, '--asn-db', 'asn', ASN_WHAT);
      asn = new MmdbAsn(
        db,
        userMeta(SOURCE_USER_MMDB, db.reader.metadata.databaseType, 'as licensed by its vendor'),
      );
    } else {
      const pkg = packageDir(ASN_PKG);
      asn = new CsvAsn(pkg.dir, {
        source: SOURCE_BUNDLED_ASN,
        name: `${ASN_PKG} (${ASN_V4_FILE}, ${ASN_V6_FILE})`,
        version: pkg.version,
        licence: 'CC-BY-4.0',
        attribution: 'RouteViews (routeviews.org), DB-IP (db-ip.com), NRO (nro.net) via ip-location-db',
      });
    }
    return new GeoIp(country, asn);
  }

  /** Loads every lazily loaded dataset now (call at startup so the first lookup does not pay for it). */
  warm(): void {
    this.country.load();
    this.asn.load();
  }

  /** Country and AS of `ip`; all null for private/reserved/invalid addresses or no data. */
  lookup(ip: string): GeoResult {
    const a = parseAddress(ip);
    if (!a || classifyParsed(a) !== 'global') return { ...NULL_RESULT };
    let cc: string | null = null;
    let hit: { asn: number; org: string | null; prefix: string } | null = null;
    try {
      cc = this.country.lookup(a);
    } catch {
      cc = null;
    }
    try {
      hit = this.asn.lookup(a);
    } catch {
      hit = null;
    }
    return {
      country_code: cc,
      country_source: cc ? this.country.source : null,
      asn: hit?.asn ?? null,
      as_name: hit?.org ? storableName(hit.org) : null,
      bgp_prefix: hit?.prefix ?? null,
      asn_source: hit ? this.asn.source : null,
    };
  }

  /** The datasets in use, with versions and licences. */
  describe(): DatasetInfo[] {
    return [this.country.info(), this.asn.info()];
  }
}

function userMeta(
  source: string,
  type: string,
  licence: string,
): Omit<DatasetInfo, 'builtAt' | 'path' | 'kind'> {
  return { source, name: type || 'MMDB', version: null, licence, attribution: null };
}
