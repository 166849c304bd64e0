// Builds the p0f input of one SYN or SYN+ACK from what the pipeline has: the engine's SynRecord
// (everything p0f looks at) or, lossy, a tcp_syn_fingerprint / tcp_synack_fingerprint event.
import { SynFlag, type SynRecord } from '../../batch/format.js';
import type { P0fInput } from './packet.js';

/** The p0f input of an engine SYN record. `synMss`: for a SYN+ACK, the MSS of the flow's SYN. */
export function p0fInputFromSynRecord(r: SynRecord, synMss = 0): P0fInput {
  const input: P0fInput = {
    ipVersion: r.flow.ipVersion,
    ttl: r.ttl,
    tos: r.tos,
    ipFlags: r.ipFlags,
    ipId: r.ipId,
    flowLabel: r.flowLabel,
    ipOptsLen: r.ipOptsLen,
    seq: r.seq,
    ack: r.ack,
    tcpFlags: r.tcpFlags,
    urgPtr: r.urgPtr,
    window: r.window,
    options: r.options,
    payloadLen: r.payloadLen,
  };
  if ((r.flags & SynFlag.isSynAck) !== 0) input.synMss = synMss;
  return input;
}

const TCP_SYN = 0x02;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;
const TCP_URG = 0x20;
const TCP_ECE = 0x40;

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}

// Re-encodes the event's parsed option list as option bytes. Values the event does not keep
// (SACK blocks, unknown options' data) are zeros; p0f reads neither.
function optionBytes(list: unknown, optAfterEol: boolean): Uint8Array | null {
  if (!Array.isArray(list)) return null;
  const out: number[] = [];
  for (const o of list as Record<string, unknown>[]) {
    const kind = num(o?.kind);
    if (kind === null || kind > 255) return null;
    switch (kind) {
      case 0: {
        const pad = num(o.pad) ?? 0;
        out.push(0);
        for (let i = 0; i < pad; i++) out.push(optAfterEol && i === 0 && pad > 1 ? 1 : 0);
        break;
      }
      case 1:
        out.push(1);
        break;
      case 2: {
        const v = num(o.value) ?? 0;
        out.push(2, 4, (v >> 8) & 0xff, v & 0xff);
        break;
      }
      case 3:
        out.push(3, 3, (num(o.value) ?? 0) & 0xff);
        break;
      case 4:
        out.push(4, 2);
        break;
      case 8: {
        const a = num(o.tsval) ?? 0;
        const b = num(o.tsecr) ?? 0;
        out.push(8, 10, a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff);
        out.push(b >>> 24, (b >>> 16) & 0xff, (b >>> 8) & 0xff, b & 0xff);
        break;
      }
      default: {
        const len = Math.min(num(o.length) ?? 2, 255);
        out.push(kind, len);
        for (let i = 2; i < len; i++) out.push(0);
      }
    }
  }
  return Uint8Array.from(out);
}

/** The p0f input of a tcp_syn_fingerprint / tcp_synack_fingerprint event, or null when the event
 *  lacks a field p0f needs. Lossy where the event is: the ACK number (only "non-zero" survives as
 *  the quirk ack+, taken here as p0f's ack+), malformed option bytes (the event keeps the options
 *  parsed up to the fault, so `bad` signatures differ), and padding content after EOL. */
export function p0fInputFromEvent(e: Record<string, unknown>, synMss = 0): P0fInput | null {
  const synAck = e.event_type === 'tcp_synack_fingerprint';
  if (!synAck && e.event_type !== 'tcp_syn_fingerprint') return null;
  const quirks = new Set(Array.isArray(e.quirks) ? (e.quirks as unknown[]).map(String) : []);
  const ipVersion = e.ip_version === 6 ? 6 : e.ip_version === 4 ? 4 : null;
  const ttl = num(e.ttl);
  const tos = num(e.tos);
  const window = num(e.window);
  const options = optionBytes(e.options, quirks.has('opt+'));
  if (ipVersion === null || ttl === null || tos === null || window === null || options === null) return null;
  let tcpFlags = TCP_SYN | (synAck ? TCP_ACK : 0);
  if (quirks.has('urgf+')) tcpFlags |= TCP_URG;
  if (quirks.has('pushf+')) tcpFlags |= TCP_PSH;
  // ecn without ECN bits in the IP header came from the TCP flags.
  if (quirks.has('ecn') && (tos & 3) === 0) tcpFlags |= TCP_ECE;
  const input: P0fInput = {
    ipVersion,
    ttl,
    tos,
    ipFlags: (e.df === true ? 0x2 : 0) | (quirks.has('0+') ? 0x4 : 0),
    ipId: num(e.ip_id) ?? 0,
    flowLabel: quirks.has('flow') ? 1 : 0,
    ipOptsLen: num(e.ip_options_len) ?? 0,
    seq: num(e.isn) ?? 0,
    ack: synAck ? (quirks.has('ack-') ? 0 : 1) : quirks.has('ack+') ? 0x01000000 : 0,
    tcpFlags,
    urgPtr: quirks.has('uptr+') ? 1 : 0,
    window,
    options,
    payloadLen: num(e.syn_payload_len) ?? 0,
  };
  if (synAck) input.synMss = synMss;
  return input;
}
