// Loads the native capture addon, with a message that says what to do when it is missing. Only
// capture needs it: parsers, fingerprints, outputs and --help import without it.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DeckscopeError } from '../util/errors.js';

export interface NativeCapture {
  start(cb: (kind: 'batch' | 'warning' | 'end', a?: ArrayBuffer | string, b?: string) => void): void;
  stop(): void;
  ack(): void;
  stats(): NativeStats;
  linkTypes(): number[];
}

export interface NativeStats {
  running: boolean;
  fileIndex: number;
  packets: number;
  wireBytes: number;
  tcpPackets: number;
  udpPackets: number;
  notIp: number;
  otherTransport: number;
  ipFragments: number;
  malformed: Record<string, number>;
  malformedTotal: number;
  flowsCreated: number;
  tcpFlows: number;
  udpFlows: number;
  flowsOpen: number;
  flowsClosing: number;
  flowsPeak: number;
  flowsEnded: Record<'fin' | 'rst' | 'idle' | 'evicted' | 'shutdown', number>;
  flowsTrivial: number;
  postClosePackets: number;
  portReuse: number;
  retransmits: number;
  synRetransmits: number;
  scanSources: number;
  scanSummaries: number;
  scanSourcesEvicted: number;
  synDeduplicated: number;
  records: Record<
    'syn' | 'stream' | 'datagram' | 'flowEnd' | 'scanSummary' | 'synRepeat' | 'sshWindow',
    number
  >;
  /** Flows marked SSH (for JA4SSH windows), those beyond maxSshWindows, windows held now. */
  ssh: { flows: number; untracked: number; windowsInUse: number };
  reassembly: Record<
    'bytesInUse' | 'peakBytes' | 'budgetExhausted' | 'holesOverflow' | 'beforeBase' | 'beyondLimit',
    number
  >;
  engineMemoryBytes: number;
  batches: number;
  batchBytes: number;
  batchesShed: number;
  recordsShed: number;
  packetsShed: number;
  kernel: { received: number; dropped: number; ifDropped: number } | null;
}

export interface Addon {
  Capture: new (options: Record<string, unknown>) => NativeCapture;
  libVersion(): string;
  listInterfaces(): Array<{
    name: string;
    description: string | null;
    up: boolean;
    running: boolean;
    loopback: boolean;
  }>;
  layout(): Record<string, unknown>;
  encodeTestRecords(records: unknown[]): ArrayBuffer;
}

let cached: Addon | null = null;

/** The addon, loaded once from build/Release. */
export function loadAddon(): Addon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const root = fileURLToPath(
    new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url),
  );
  const path = `${root}build/Release/deckscope.node`;
  try {
    cached = require(path) as Addon;
    return cached;
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    const hint = /libpcap\.so/.test(msg)
      ? 'the libpcap runtime library is missing: apt-get install libpcap0.8 (Debian/Ubuntu) or libpcap (Fedora)'
      : 'the capture addon is not built: apt-get install libpcap-dev (Debian/Ubuntu) or libpcap-devel (Fedora), then npm run build';
    throw new DeckscopeError('E_ADDON_MISSING', `${hint} (${msg})`, { cause: err });
  }
}
