// Command-line parsing with tcpdump's habits (-r, -i, trailing BPF or -F, -s, -B, -p, -c) on
// node:util parseArgs. Unknown options are rejected with a pointer to --help.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { parseHoneypots } from '../capture/source.js';
import { LIMITS, type LimitName } from '../config/limits.js';
import { DEFAULT_DB, parseDbUrl } from '../db/adapter.js';
import { DB_LIMITS } from '../db/limits.js';
import { MAX_SIMILAR_DISTANCE } from '../db/sessions.js';
import { parseHostPort } from '../syslog/transport.js';
import { DeckscopeError } from '../util/errors.js';
import type { Cidr } from '../util/ip.js';

export interface CliOptions extends EnrichOptions {
  help: boolean;
  version: boolean;
  listInterfaces: boolean;
  files: string[];
  interface: string | undefined;
  filter: string | undefined;
  snaplen: number;
  bufferKiB: number;
  promisc: boolean;
  count: number;
  output: string;
  statsJson: string | undefined;
  quiet: boolean;
  sensorId: string;
  ja4plus: boolean;
  /** --p0f-db: the p0f.fp SYNs are matched against (undefined: the shipped copy). */
  p0fDb: string | undefined;
  workers: number | undefined;
  honeypots: Cidr[];
  maxFlows: number;
  idleTimeout: number;
  streamBytes: number;
  reassemblyBudget: number;
  maxScanSources: number;
  synDedup: number;
  mode: 'full' | 'flow' | 'read';
  /** --db value, or undefined when events go to JSON lines only. */
  db: string | undefined;
  /** --syslog destination (udp://, tcp:// or a file), or undefined. */
  syslog: string | undefined;
  /** True when -o was given (with --db or --syslog, JSON lines are written only then). */
  outputGiven: boolean;
  retentionDays: number;
  dbSpool: string;
  dbSpoolMaxBytes: number;
  dbQueueMaxBytes: number;
  dbConnections: number;
}

/** `deckscope db migrate` and `deckscope report`. */
export interface DbCommandOptions {
  help: boolean;
  db: string;
  json: boolean;
  limit: number;
}

/** `deckscope ingest`: honeypot service syslog from files or UDP/TCP listeners. */
export interface IngestOptions extends EnrichOptions {
  help: boolean;
  files: string[];
  udp: Array<{ host: string; port: number }>;
  tcp: Array<{ host: string; port: number }>;
  db: string;
  sensorId: string;
  quiet: boolean;
  statsJson: string | undefined;
  dbSpool: string;
  dbSpoolMaxBytes: number;
  dbQueueMaxBytes: number;
  dbConnections: number;
  retentionDays: number;
}

/** `deckscope sessions ingest`: terminal recordings into session_profile. */
export interface SessionsIngestOptions extends EnrichOptions {
  help: boolean;
  paths: string[];
  db: string;
  watch: boolean;
  json: boolean;
  quiet: boolean;
}

/** `deckscope sessions similar`: sessions by digraph SimHash distance. */
export interface SessionsSimilarOptions {
  help: boolean;
  sessionId: string;
  db: string;
  maxDistance: number;
  limit: number;
  json: boolean;
}

export type Command =
  | { command: 'capture'; options: CliOptions }
  | { command: 'sessions-ingest'; options: SessionsIngestOptions }
  | { command: 'sessions-similar'; options: SessionsSimilarOptions }
  | { command: 'ingest'; options: IngestOptions }
  | { command: 'db-migrate'; options: DbCommandOptions }
  | { command: 'report'; options: DbCommandOptions };

export const USAGE = `Usage: deckscope [-r FILE]... | -i IFACE  [options] [BPF expression]

Input
  -r, --read FILE           read a pcap or pcapng file (repeatable; - for stdin)
  -i, --interface IFACE     capture live (needs CAP_NET_RAW; see README)
  -D, --list-interfaces     list capture interfaces and exit
  -F, --filter-file FILE    read the BPF expression from FILE
  -s, --snaplen BYTES       bytes captured per packet (default 65535)
  -B, --buffer-size KIB     kernel capture buffer in KiB (default 65536)
  -p, --no-promisc          do not put the interface in promiscuous mode
  -c, --count N             stop after N packets
      --honeypots CIDR,...  decoy networks: their side of a flow is the server

Output
  -o, --output FILE|-       JSON lines to FILE or stdout (default: -)
      --syslog DEST         also send every event as RFC 5424 syslog in DECNET's format:
                            udp://HOST:PORT, tcp://HOST:PORT (octet counting) or a file;
                            with --syslog or --db, JSON lines are written only when -o is given
      --stats-json FILE|-   write the end-of-run summary as JSON (- = stderr)
      --sensor-id ID        sensor name in every event (default: host name)
      --no-ja4plus          turn off the FoxIO-licensed JA4+ methods (JA4S, JA4T, ...)
      --p0f-db FILE         p0f 3 fingerprint database for os_guess (default: the bundled
                            p0f.fp; e.g. /etc/p0f/p0f.fp from Debian's p0f)
  -q, --quiet               no progress and no summary on stderr

Database (docs/schema.md)
      --db URL              also write events and attacker profiles to PostgreSQL:
                            postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, or
                            pglite:DIR (in-process, no server; pglite alone = ${DEFAULT_DB.slice(7)});
                            with --db, JSON lines are written only when -o is given
      --retention-days N    keep N days of events, dropping whole day partitions (default 0 = all)
      --db-spool DIR        where events wait while the database is away (default ./data/spool)
      --db-spool-max MIB    bound of that spool (default 1024; then live capture sheds, files wait)
      --db-queue-max MIB    events held in memory for the database (default 64)
      --db-connections N    event batches written at once to a server, a connection each
                            (default 2; PGlite: 1)

Attacker enrichment (with --db, ingest and sessions ingest; README "Enrichment")
      --geoip-db FILE       country MMDB (GeoLite2-Country, DB-IP lite) instead of the bundled one
      --asn-db FILE         ASN MMDB (GeoLite2-ASN, DB-IP ASN lite) instead of the bundled one
      --dns-server IP[:PORT]  resolver for reverse DNS (repeatable; default: the system's)
      --no-ptr              no reverse DNS (also DECKSCOPE_PTR=off)
      --no-enrich           neither GeoIP/ASN nor reverse DNS

Limits
      --max-flows N         concurrent flows tracked (default 1048576)
      --flow-timeout S      idle seconds before a flow ends (default 60)
      --stream-bytes N      bytes reassembled per flow direction (default 16384)
      --reassembly-budget MIB  total reassembly memory (default 128)
      --max-scan-sources N  scanning sources summarised at once (default 131072)
      --syn-dedup S         count repeated SYN fingerprints per sender for S seconds
                            instead of one event each (default 300; 0 = every SYN)
      --workers N           parser threads (default: CPUs - 1)

  -V, --version             print versions (deckscope, libpcap) and exit
  -h, --help                this help

Commands
  deckscope ingest FILE... | --syslog-udp ADDR --syslog-tcp ADDR  [--db URL] [--sensor-id ID]
                                                honeypot service syslog (DECNET's RFC 5424 lines) into
                                                events and attacker profiles (default ${DEFAULT_DB});
                                                ADDR is HOST:PORT, [V6]:PORT or PORT; listeners run
                                                until SIGINT/SIGTERM
  deckscope sessions ingest PATH... [--watch] [--json] [--db URL]
                                                terminal recordings (asciicast v2/v3, DECNET session
                                                shards; files or directories) into keystroke
                                                profiles (session_profile); --watch follows a
                                                recordings directory until SIGINT
  deckscope sessions similar SID [--max-distance BITS] [-n N] [--json] [--db URL]
                                                sessions whose digraph SimHash is within BITS
                                                (default 8) of session SID's, nearest first
  deckscope db migrate [--db URL]               create or update the schema (default ${DEFAULT_DB})
  deckscope report [--db URL] [--json] [-n N]   top attackers and their fingerprints

Signals: SIGINT/SIGTERM stop and flush (a second SIGINT exits at once), SIGUSR2 prints stats.
Exit status: 0 ok, 1 runtime error, 2 usage error.`;

function usage(msg: string): DeckscopeError {
  return new DeckscopeError('E_USAGE', `${msg} (deckscope --help lists the options)`);
}

/** Parses a whole number option within its documented range. */
function num(name: string, raw: string | undefined, limit: LimitName): number {
  const l = LIMITS[limit];
  if (raw === undefined) return l.default;
  if (!/^\d+$/.test(raw)) throw usage(`--${name}: '${raw}' is not a whole number`);
  const n = Number(raw);
  if (n < l.min || n > l.max) throw usage(`--${name}: ${n} is outside ${l.min}..${l.max} ${l.unit}`);
  return n;
}

/** Parses a whole number option within a database limit's range. */
function dbNum(name: string, raw: string | undefined, limit: keyof typeof DB_LIMITS): number {
  const l = DB_LIMITS[limit];
  if (raw === undefined) return l.default;
  if (!/^\d+$/.test(raw)) throw usage(`--${name}: '${raw}' is not a whole number`);
  const n = Number(raw);
  if (n < l.min || n > l.max) throw usage(`--${name}: ${n} is outside ${l.min}..${l.max} ${l.unit}`);
  return n;
}

/** Turns argv into a command: `db migrate`, `report`, or a capture (the default). */
export function parseCommand(argv: string[]): Command {
  if (argv[0] === 'ingest') return { command: 'ingest', options: parseIngest(argv.slice(1)) };
  if (argv[0] === 'report') return { command: 'report', options: parseDbCommand(argv.slice(1), true) };
  if (argv[0] === 'sessions') {
    if (argv[1] === 'ingest')
      return { command: 'sessions-ingest', options: parseSessionsIngest(argv.slice(2)) };
    if (argv[1] === 'similar')
      return { command: 'sessions-similar', options: parseSessionsSimilar(argv.slice(2)) };
    throw usage(
      argv[1]
        ? `unknown command 'sessions ${argv[1]}'`
        : "'sessions' needs a subcommand: sessions ingest or sessions similar",
    );
  }
  if (argv[0] === 'db') {
    if (argv[1] !== 'migrate')
      throw usage(argv[1] ? `unknown command 'db ${argv[1]}'` : "'db' needs a subcommand: db migrate");
    return { command: 'db-migrate', options: parseDbCommand(argv.slice(2), false) };
  }
  return { command: 'capture', options: parseCli(argv) };
}

function listenAddress(name: string, raw: string): { host: string; port: number } {
  const a = parseHostPort(raw, '0.0.0.0');
  if (a === null) throw usage(`--${name}: '${raw}' is not HOST:PORT, [V6]:PORT or PORT`);
  return a;
}

/** The database writer's options, shared by capture and ingest. */
const DB_WRITER_ARGS = {
  'retention-days': { type: 'string' },
  'db-spool': { type: 'string' },
  'db-spool-max': { type: 'string' },
  'db-queue-max': { type: 'string' },
  'db-connections': { type: 'string' },
} as const;

/** Attacker enrichment options (src/cli/enrich.ts), shared by every command that writes profiles. */
const ENRICH_ARGS = {
  'dns-server': { type: 'string', multiple: true },
  'geoip-db': { type: 'string' },
  'asn-db': { type: 'string' },
  'no-ptr': { type: 'boolean' },
  'no-enrich': { type: 'boolean' },
} as const;

/** What the user asked of enrichment. */
export interface EnrichOptions {
  enrich: boolean;
  ptr: boolean;
  dnsServers: string[];
  geoipDb: string | undefined;
  asnDb: string | undefined;
}

/** An IP literal with an optional port, as node:dns Resolver.setServers takes it. */
function isDnsServer(s: string): boolean {
  if (isIP(s)) return true;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|(\d+\.\d+\.\d+\.\d+)):(\d{1,5})$/.exec(s);
  return m !== null && isIP(m[1] ?? m[2] ?? '') !== 0 && Number(m[3]) >= 1 && Number(m[3]) <= 65535;
}

/** Validated values of {@link ENRICH_ARGS}. */
function enrichOptions(v: Record<string, unknown>): EnrichOptions {
  const servers = (v['dns-server'] as string[] | undefined) ?? [];
  for (const s of servers)
    if (!isDnsServer(s)) throw usage(`--dns-server: '${s}' is not IP, IPV4:PORT or [IPV6]:PORT`);
  return {
    enrich: !v['no-enrich'],
    ptr: !v['no-ptr'] && !v['no-enrich'],
    dnsServers: servers,
    geoipDb: v['geoip-db'] as string | undefined,
    asnDb: v['asn-db'] as string | undefined,
  };
}

/** Validated values of {@link DB_WRITER_ARGS}. */
function dbWriterOptions(v: Record<string, unknown>) {
  return {
    retentionDays: dbNum('retention-days', v['retention-days'] as string | undefined, 'retentionDays'),
    dbSpool: (v['db-spool'] as string | undefined) ?? './data/spool',
    dbSpoolMaxBytes: dbNum('db-spool-max', v['db-spool-max'] as string | undefined, 'spoolMiB') * 1024 * 1024,
    dbQueueMaxBytes: dbNum('db-queue-max', v['db-queue-max'] as string | undefined, 'queueMiB') * 1024 * 1024,
    dbConnections: dbNum('db-connections', v['db-connections'] as string | undefined, 'connections'),
  };
}

function parseIngest(argv: string[]): IngestOptions {
  const parsed = parseOrUsage(
    argv,
    {
      'syslog-udp': { type: 'string', multiple: true },
      'syslog-tcp': { type: 'string', multiple: true },
      db: { type: 'string' },
      'sensor-id': { type: 'string' },
      'stats-json': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      ...DB_WRITER_ARGS,
      ...ENRICH_ARGS,
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const udp = ((v['syslog-udp'] as string[] | undefined) ?? []).map((a) => listenAddress('syslog-udp', a));
  const tcp = ((v['syslog-tcp'] as string[] | undefined) ?? []).map((a) => listenAddress('syslog-tcp', a));
  const files = parsed.positionals;
  const help = Boolean(v.help);
  if (!help) {
    if (files.length && (udp.length || tcp.length))
      throw usage('ingest: give either FILE... or --syslog-udp/--syslog-tcp, not both');
    if (!files.length && !udp.length && !tcp.length)
      throw usage('ingest: nothing to read: give FILE... or --syslog-udp ADDR / --syslog-tcp ADDR');
  }
  const db = dbOption(v.db as string | undefined);
  return {
    help,
    files,
    udp,
    tcp,
    db,
    sensorId: (v['sensor-id'] as string | undefined) ?? hostname(),
    quiet: Boolean(v.quiet),
    statsJson: v['stats-json'] as string | undefined,
    ...dbWriterOptions(v),
    ...enrichOptions(v),
  };
}

/** parseArgs with deckscope's usage errors. */
function parseOrUsage(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  positionals: boolean,
) {
  try {
    return parseArgs({ args: argv, allowPositionals: positionals, strict: true, options });
  } catch (err) {
    throw usage((err as Error).message.replace(/\. To specify.*$/s, ''));
  }
}

/** A --db value, checked (a malformed URL is a usage error, reported before anything runs). */
function dbOption(raw: string | undefined): string {
  let db = raw ?? DEFAULT_DB;
  if (db === 'pglite') db = DEFAULT_DB;
  parseDbUrl(db);
  return db;
}

/** A -n/--limit value from 1 to 999999. */
function limitOption(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^[1-9]\d{0,5}$/.test(raw)) throw usage(`--limit: '${raw}' is not a number from 1 to 999999`);
  return Number(raw);
}

function parseSessionsIngest(argv: string[]): SessionsIngestOptions {
  const parsed = parseOrUsage(
    argv,
    {
      db: { type: 'string' },
      watch: { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      ...ENRICH_ARGS,
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const help = Boolean(v.help);
  if (!help && parsed.positionals.length === 0)
    throw usage('sessions ingest: nothing to read: give recording files or directories');
  return {
    help,
    paths: parsed.positionals,
    db: dbOption(v.db as string | undefined),
    watch: Boolean(v.watch),
    json: Boolean(v.json),
    quiet: Boolean(v.quiet),
    ...enrichOptions(v),
  };
}

function parseSessionsSimilar(argv: string[]): SessionsSimilarOptions {
  const parsed = parseOrUsage(
    argv,
    {
      db: { type: 'string' },
      'max-distance': { type: 'string' },
      limit: { type: 'string', short: 'n' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const help = Boolean(v.help);
  if (!help && parsed.positionals.length !== 1)
    throw usage('sessions similar: give exactly one session id (the session_id column)');
  const rawD = v['max-distance'] as string | undefined;
  if (rawD !== undefined && (!/^\d{1,2}$/.test(rawD) || Number(rawD) > MAX_SIMILAR_DISTANCE))
    throw usage(`--max-distance: '${rawD}' is not a number of bits from 0 to ${MAX_SIMILAR_DISTANCE}`);
  return {
    help,
    sessionId: parsed.positionals[0] ?? '',
    db: dbOption(v.db as string | undefined),
    maxDistance: rawD === undefined ? 8 : Number(rawD),
    limit: limitOption(v.limit as string | undefined, 20),
    json: Boolean(v.json),
  };
}

function parseDbCommand(argv: string[], report: boolean): DbCommandOptions {
  const parsed = parseOrUsage(
    argv,
    {
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...(report ? { json: { type: 'boolean' }, limit: { type: 'string', short: 'n' } } : {}),
    },
    false,
  );
  const v = parsed.values as Record<string, string | boolean | undefined>;
  return {
    help: Boolean(v.help),
    db: dbOption(v.db as string | undefined),
    json: Boolean(v.json),
    limit: limitOption(v.limit as string | undefined, 10),
  };
}

/** Turns argv (without node and the script) into validated options. */
export function parseCli(argv: string[]): CliOptions {
  const parsed = parseOrUsage(
    argv,
    {
      read: { type: 'string', short: 'r', multiple: true },
      interface: { type: 'string', short: 'i' },
      'list-interfaces': { type: 'boolean', short: 'D' },
      'filter-file': { type: 'string', short: 'F' },
      snaplen: { type: 'string', short: 's' },
      'buffer-size': { type: 'string', short: 'B' },
      'no-promisc': { type: 'boolean', short: 'p' },
      count: { type: 'string', short: 'c' },
      output: { type: 'string', short: 'o' },
      syslog: { type: 'string' },
      'stats-json': { type: 'string' },
      'sensor-id': { type: 'string' },
      'no-ja4plus': { type: 'boolean' },
      'p0f-db': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      honeypots: { type: 'string' },
      'max-flows': { type: 'string' },
      'flow-timeout': { type: 'string' },
      'stream-bytes': { type: 'string' },
      'reassembly-budget': { type: 'string' },
      'max-scan-sources': { type: 'string' },
      'syn-dedup': { type: 'string' },
      workers: { type: 'string' },
      mode: { type: 'string' },
      db: { type: 'string' },
      ...DB_WRITER_ARGS,
      ...ENRICH_ARGS,
      version: { type: 'boolean', short: 'V' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const files = (v.read as string[] | undefined) ?? [];
  const iface = v.interface as string | undefined;
  const help = Boolean(v.help);
  const version = Boolean(v.version);
  const listInterfaces = Boolean(v['list-interfaces']);
  if (!help && !version && !listInterfaces) {
    if (files.length && iface) throw usage('give either -r FILE or -i IFACE, not both');
    if (!files.length && !iface) throw usage('nothing to read: give -r FILE or -i IFACE');
  }
  let filter = parsed.positionals.length ? parsed.positionals.join(' ') : undefined;
  const ffile = v['filter-file'] as string | undefined;
  if (ffile) {
    if (filter) throw usage('give the filter either as -F FILE or as trailing words, not both');
    try {
      filter = readFileSync(ffile, 'utf8')
        .split('\n')
        .map((l) => l.replace(/#.*/, '').trim())
        .filter(Boolean)
        .join(' ');
    } catch (err) {
      throw usage(`-F ${ffile}: ${(err as Error).message}`);
    }
  }
  const mode = (v.mode as string | undefined) ?? 'full';
  if (mode !== 'full' && mode !== 'flow' && mode !== 'read')
    throw usage(`--mode: '${mode}' is not full, flow or read`);
  const workersRaw = v.workers as string | undefined;
  const db = v.db === undefined ? undefined : dbOption(v.db as string);
  if (db === undefined) {
    for (const name of [...Object.keys(DB_WRITER_ARGS), 'geoip-db', 'asn-db', 'dns-server'])
      if (v[name] !== undefined) throw usage(`--${name} applies to --db only`);
  }
  return {
    help,
    version,
    listInterfaces,
    files,
    interface: iface,
    filter,
    snaplen: num('snaplen', v.snaplen as string | undefined, 'snaplen'),
    bufferKiB: num('buffer-size', v['buffer-size'] as string | undefined, 'bufferKiB'),
    promisc: !v['no-promisc'],
    count: v.count === undefined ? 0 : num('count', v.count as string, 'count'),
    output: (v.output as string | undefined) ?? '-',
    statsJson: v['stats-json'] as string | undefined,
    quiet: Boolean(v.quiet),
    sensorId: (v['sensor-id'] as string | undefined) ?? hostname(),
    ja4plus: !v['no-ja4plus'],
    p0fDb: v['p0f-db'] as string | undefined,
    workers: workersRaw === undefined ? undefined : num('workers', workersRaw, 'workers'),
    honeypots: v.honeypots ? parseHoneypots(v.honeypots as string) : [],
    maxFlows: num('max-flows', v['max-flows'] as string | undefined, 'maxFlows'),
    idleTimeout: num('flow-timeout', v['flow-timeout'] as string | undefined, 'idleTimeout'),
    streamBytes: num('stream-bytes', v['stream-bytes'] as string | undefined, 'streamBytes'),
    reassemblyBudget:
      num('reassembly-budget', v['reassembly-budget'] as string | undefined, 'reassemblyBudgetMiB') *
      1024 *
      1024,
    maxScanSources: num('max-scan-sources', v['max-scan-sources'] as string | undefined, 'maxScanSources'),
    synDedup: num('syn-dedup', v['syn-dedup'] as string | undefined, 'synDedup'),
    mode,
    db,
    outputGiven: v.output !== undefined,
    syslog: v.syslog as string | undefined,
    ...dbWriterOptions(v),
    ...enrichOptions(v),
  };
}
