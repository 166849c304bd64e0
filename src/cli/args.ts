// Command-line parsing with tcpdump's habits (-r, -i, trailing BPF or -F, -s, -B, -p, -c) on
// node:util parseArgs. Unknown options are rejected with a pointer to --help.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { parseHoneypots } from '../capture/source.js';
import { LIMITS, type LimitName } from '../config/limits.js';
import { DeckscopeError } from '../util/errors.js';
import type { Cidr } from '../util/ip.js';

export interface CliOptions {
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
  workers: number | undefined;
  honeypots: Cidr[];
  maxFlows: number;
  idleTimeout: number;
  streamBytes: number;
  reassemblyBudget: number;
  maxScanSources: number;
  synDedup: number;
  mode: 'full' | 'flow' | 'read';
}

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
      --stats-json FILE|-   write the end-of-run summary as JSON (- = stderr)
      --sensor-id ID        sensor name in every event (default: host name)
      --no-ja4plus          turn off the FoxIO-licensed JA4+ methods (JA4S, JA4T, ...)
  -q, --quiet               no progress and no summary on stderr

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

/** Turns argv (without node and the script) into validated options. */
export function parseCli(argv: string[]): CliOptions {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        read: { type: 'string', short: 'r', multiple: true },
        interface: { type: 'string', short: 'i' },
        'list-interfaces': { type: 'boolean', short: 'D' },
        'filter-file': { type: 'string', short: 'F' },
        snaplen: { type: 'string', short: 's' },
        'buffer-size': { type: 'string', short: 'B' },
        'no-promisc': { type: 'boolean', short: 'p' },
        count: { type: 'string', short: 'c' },
        output: { type: 'string', short: 'o' },
        'stats-json': { type: 'string' },
        'sensor-id': { type: 'string' },
        'no-ja4plus': { type: 'boolean' },
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
        version: { type: 'boolean', short: 'V' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw usage((err as Error).message.replace(/\. To specify.*$/s, ''));
  }
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
  };
}
