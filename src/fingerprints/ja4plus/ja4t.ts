// JA4T / JA4TS (FoxIO License 1.1, see LICENSE-FoxIO-1.1.txt beside this file): TCP SYN and
// SYN-ACK fingerprints `window_options_mss_wscale`, in the form of FoxIO's Wireshark plugin.
import type { TcpOptions } from '../../parsers/tcp/options.js';

/** JA4T of a SYN (or JA4TS of a SYN-ACK): missing options, MSS or window scale are written `00`. */
export function ja4t(window: number, opts: TcpOptions): string {
  const kinds = opts.kinds.length ? opts.kinds.join('-') : '00';
  const mss = opts.mss === null ? '00' : String(opts.mss);
  const ws = opts.wscale === null || opts.wscale === 0 ? '00' : String(opts.wscale);
  return `${window}_${kinds}_${mss}_${ws}`;
}
