// Opens a capture source (files or an interface) through the addon, turning user options into
// the addon's and its errors into DeckscopeErrors with remedies.
import { accessSync, constants, statSync } from 'node:fs';
import { DeckscopeError, fromAddonError } from '../util/errors.js';
import { type Cidr, parseCidr } from '../util/ip.js';
import { loadAddon, type NativeCapture } from './addon.js';

export interface SourceOptions {
  files?: string[];
  interface?: string;
  filter?: string;
  snaplen?: number;
  bufferKiB?: number;
  promisc?: boolean;
  count?: number;
  mode?: 'full' | 'flow' | 'read';
  maxFlows?: number;
  idleTimeout?: number;
  streamBytes?: number;
  reassemblyBudget?: number;
  maxScanSources?: number;
  batchBytes?: number;
  maxInflight?: number;
  udpDatagrams?: number;
  synDedup?: number;
  honeypots?: Cidr[];
}

/** Parses --honeypots "CIDR,CIDR"; throws a usage error naming the bad entry. */
export function parseHoneypots(spec: string): Cidr[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const c = parseCidr(s);
      if (!c)
        throw new DeckscopeError(
          'E_USAGE',
          `--honeypots: '${s}' is not an address or CIDR (e.g. 198.18.0.0/15)`,
        );
      return c;
    });
}

/** Checks an input file before libpcap sees it, for a clearer message. */
function checkFile(path: string): void {
  if (path === '-') return;
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    throw new DeckscopeError('E_NO_SUCH_FILE', `${path}: no such file`);
  }
  if (st.isDirectory()) throw new DeckscopeError('E_NOT_PCAP', `${path}: is a directory, not a pcap file`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new DeckscopeError(
      'E_FILE_PERMISSION',
      `${path}: not readable by this user (check its permissions)`,
    );
  }
}

/** Opens the capture (files are checked and opened now; nothing is read until start()). */
export function openCapture(opts: SourceOptions): NativeCapture {
  for (const f of opts.files ?? []) checkFile(f);
  const addon = loadAddon();
  const native: Record<string, unknown> = { ...opts };
  delete native.honeypots;
  if (opts.honeypots)
    native.honeypots = opts.honeypots.map((c) => ({ version: c.version, addr: c.addr, prefix: c.prefix }));
  try {
    return new addon.Capture(native);
  } catch (err) {
    const e = fromAddonError(err);
    if (e.code === 'E_NOT_PCAP') {
      e.message = `${e.message}: not a pcap or pcapng file (deckscope reads both, recognised by content, not name)`;
    } else if (e.code === 'E_TRUNCATED_PCAP') {
      e.message = `${e.message}: the file ends inside its header; it is cut short or still being written`;
    }
    throw e;
  }
}
