// Turns batch records into events (DESIGN.md "Events"): one JSON object per line, the client
// always in src_*, `ts` from the packet. Pure: a batch in, lines and counters out.
import {
  type BatchRecord,
  END_REASONS,
  FlowEndFlag,
  type FlowEndRecord,
  type FlowRef,
  RecordType,
  type ScanSummaryRecord,
  StreamFlag,
  type StreamRecord,
  SynFlag,
  type SynRecord,
} from '../batch/format.js';
import { ja4t } from '../fingerprints/ja4plus/ja4t.js';
import { initialTtl, optionsSignature, synQuirks } from '../fingerprints/tcp.js';
import { parseTcpOptions } from '../parsers/tcp/options.js';
import { clientHelloFields, serverHelloFields } from '../parsers/tls/fields.js';
import { locateTls } from '../parsers/tls/locate.js';
import { parseTlsStream, type TlsStreamResult } from '../parsers/tls/stream.js';
import { communityId } from '../util/community-id.js';
import { formatIp } from '../util/ip.js';
import { isoMicros } from '../util/time.js';

export interface BuildOptions {
  sensorId: string;
  /** FoxIO-licensed JA4+ methods (JA4S, JA4T, ...); off with --no-ja4plus. */
  ja4plus: boolean;
}

/** Counters a batch contributes to the run summary. */
export interface BuildCounters {
  events: Record<string, number>;
  streams: { tls: number; other: number; empty: number };
  datagrams: number;
  anomalies: Record<string, number>;
}

export function newCounters(): BuildCounters {
  return { events: {}, streams: { tls: 0, other: 0, empty: 0 }, datagrams: 0, anomalies: {} };
}

/** Adds `b` into `a`. */
export function mergeCounters(a: BuildCounters, b: BuildCounters): void {
  for (const [k, v] of Object.entries(b.events)) a.events[k] = (a.events[k] ?? 0) + v;
  for (const [k, v] of Object.entries(b.anomalies)) a.anomalies[k] = (a.anomalies[k] ?? 0) + v;
  a.streams.tls += b.streams.tls;
  a.streams.other += b.streams.other;
  a.streams.empty += b.streams.empty;
  a.datagrams += b.datagrams;
}

type Envelope = {
  flow_id: number;
  community_id: string;
  src_ip: string;
  src_port: number;
  dst_ip: string;
  dst_port: number;
  transport: 'tcp' | 'udp';
  vlan?: number;
};

const TCP_CWR = 0x80;
const TCP_ECE = 0x40;

/** Collects the events of one batch as JSON lines. */
export class EventBuilder {
  private readonly envelopes = new Map<number, Envelope>();
  private lines: string[] = [];
  counters: BuildCounters = newCounters();

  constructor(private readonly opts: BuildOptions) {}

  /** Builds the events of every record of a batch; returns JSON lines (each ending in \n). */
  build(records: Iterable<BatchRecord>): string {
    for (const rec of records) {
      switch (rec.type) {
        case RecordType.syn:
          this.syn(rec);
          break;
        case RecordType.stream:
          this.stream(rec);
          break;
        case RecordType.flowEnd:
          this.flowEnd(rec);
          break;
        case RecordType.scanSummary:
          this.scanSummary(rec);
          break;
        case RecordType.datagram:
          this.counters.datagrams++; // QUIC/DTLS parsing arrives with issue 3
          break;
      }
    }
    const out = this.lines.length ? `${this.lines.join('\n')}\n` : '';
    this.lines = [];
    this.envelopes.clear();
    return out;
  }

  private envelope(f: FlowRef): Envelope {
    let e = this.envelopes.get(f.flowId);
    if (!e) {
      e = {
        flow_id: f.flowId,
        community_id: communityId(f.clientIp, f.clientPort, f.serverIp, f.serverPort, f.transport),
        src_ip: formatIp(f.clientIp),
        src_port: f.clientPort,
        dst_ip: formatIp(f.serverIp),
        dst_port: f.serverPort,
        transport: f.transport === 6 ? 'tcp' : 'udp',
      };
      if (f.vlan) e.vlan = f.vlan;
      this.envelopes.set(f.flowId, e);
    }
    return e;
  }

  private emit(type: string, tsUs: number, env: Envelope | null, fields: Record<string, unknown>): void {
    const head = { ts: isoMicros(tsUs), event_type: type, sensor_id: this.opts.sensorId };
    this.lines.push(JSON.stringify(env ? { ...head, ...env, ...fields } : { ...head, ...fields }));
    this.counters.events[type] = (this.counters.events[type] ?? 0) + 1;
  }

  private anomaly(code: string): void {
    this.counters.anomalies[code] = (this.counters.anomalies[code] ?? 0) + 1;
  }

  private syn(r: SynRecord): void {
    const synAck = (r.flags & SynFlag.isSynAck) !== 0;
    const opts = parseTcpOptions(r.options);
    if (opts.bad) this.anomaly('tcp_options_bad');
    const ittl = initialTtl(r.ttl);
    const fields: Record<string, unknown> = {
      ttl: r.ttl,
      initial_ttl: ittl,
      hop_distance: Math.min(64, Math.max(0, ittl - r.ttl)),
      window: r.window,
      mss: opts.mss,
      wscale: opts.wscale,
      options: opts.list,
      options_sig: optionsSignature(opts),
      quirks: synQuirks(
        {
          ipVersion: r.flow.ipVersion,
          ipFlags: r.ipFlags,
          ipId: r.ipId,
          tos: r.tos,
          flowLabel: r.flowLabel,
          seq: r.seq,
          ack: r.ack,
          tcpFlags: r.tcpFlags,
          urgPtr: r.urgPtr,
          isSynAck: synAck,
        },
        opts,
      ),
      ip_version: r.flow.ipVersion,
      ip_id: r.ipId,
      df: (r.ipFlags & 0x2) !== 0,
      isn: r.seq,
      // ECN: on a SYN, ECE+CWR together ask for ECN (RFC 3168 §6.1.1); on a SYN-ACK, ECE alone agrees.
      ecn: synAck
        ? (r.tcpFlags & (TCP_ECE | TCP_CWR)) === TCP_ECE
        : (r.tcpFlags & (TCP_ECE | TCP_CWR)) === (TCP_ECE | TCP_CWR),
      tos: r.tos,
      ip_ecn: r.tos & 3,
      ip_options_len: r.ipOptsLen,
      syn_payload_len: r.payloadLen,
      p0f_sig: null,
      os_guess: null,
    };
    if (this.opts.ja4plus) fields[synAck ? 'ja4ts' : 'ja4t'] = ja4t(r.window, opts);
    if (synAck) fields.synack_count = r.synCount;
    else fields.syn_count = r.synCount;
    if (r.flags & SynFlag.scanRepresentative) fields.scan = true;
    this.emit(
      synAck ? 'tcp_synack_fingerprint' : 'tcp_syn_fingerprint',
      r.tsUs,
      this.envelope(r.flow),
      fields,
    );
  }

  private stream(r: StreamRecord): void {
    if (r.data.length === 0) {
      this.counters.streams.empty++;
      return;
    }
    const toClient = (r.flags & StreamFlag.serverToClient) !== 0;
    const found = tlsIn(r.data, toClient ? 2 : 1);
    if (!found) {
      this.counters.streams.other++; // SSH, HTTP and SMTP parsers arrive with issue 4
      return;
    }
    const { tls, offset } = found;
    this.counters.streams.tls++;
    if (r.prevLen === 0) for (const a of tls.anomalies) this.anomaly(`tls_${a}`);
    const proto = { ja4plus: this.opts.ja4plus, protocol: 't' as const };
    if (!toClient) {
      if (tls.sslv2ClientHello && r.prevLen === 0) {
        this.emit('tls_client_hello', r.tsFirstUs, this.envelope(r.flow), { sslv2: true });
      }
      for (const { hello, end } of tls.clientHellos) {
        if (offset + end <= r.prevLen) continue; // already reported from an earlier record of this stream
        this.emit('tls_client_hello', r.tsFirstUs, this.envelope(r.flow), clientHelloFields(hello, proto));
      }
      return;
    }
    let client: Record<string, unknown> | null = null;
    for (const { hello, end } of tls.serverHellos) {
      if (offset + end <= r.prevLen) continue;
      if (client === null && r.peer.length) {
        const ch = tlsIn(r.peer, 1)?.tls.clientHellos[0];
        client = ch ? clientSide(clientHelloFields(ch.hello, proto)) : {};
      }
      this.emit('tls_session', r.tsFirstUs, this.envelope(r.flow), {
        ...serverHelloFields(hello, proto),
        ...client,
      });
    }
  }

  private flowEnd(r: FlowEndRecord): void {
    if (r.flow.transport !== 6) return;
    const packets = r.packets[0] + r.packets[1];
    const gaps = packets - 1;
    const rtt = r.synToSynAckUs >= 0 && r.synAckToAckUs >= 0 ? r.synToSynAckUs + r.synAckToAckUs : -1;
    const ms = (us: number) => Math.round(us) / 1000;
    this.emit('tcp_flow_timing', r.tsFirstUs, this.envelope(r.flow), {
      packets,
      bytes: r.bytes[0] + r.bytes[1],
      duration_s: (r.tsLastUs - r.tsFirstUs) / 1e6,
      mean_iat_ms: gaps > 0 ? ms(r.iatSumUs / gaps) : null,
      min_iat_ms: gaps > 0 ? ms(r.iatMinUs) : null,
      max_iat_ms: gaps > 0 ? ms(r.iatMaxUs) : null,
      retransmits: r.retransmits[0] + r.retransmits[1],
      rtt_ms: rtt >= 0 ? ms(rtt) : null,
      end_reason: END_REASONS[r.endReason] ?? 'unknown',
      packets_to_server: r.packets[0],
      packets_to_client: r.packets[1],
      bytes_to_server: r.bytes[0],
      bytes_to_client: r.bytes[1],
      retransmits_to_server: r.retransmits[0],
      retransmits_to_client: r.retransmits[1],
      syn_retransmits: r.synRetransmits,
      out_of_order: r.outOfOrder,
      server_rtt_ms: r.synToSynAckUs >= 0 ? ms(r.synToSynAckUs) : null,
      client_rtt_ms: r.synAckToAckUs >= 0 ? ms(r.synAckToAckUs) : null,
      handshake: (r.flags & FlowEndFlag.handshakeDone) !== 0,
      midstream: (r.flags & FlowEndFlag.midstream) !== 0,
      client_ttl: r.clientTtl,
      server_ttl: r.serverTtl || null,
    });
  }

  private scanSummary(r: ScanSummaryRecord): void {
    this.emit('scan_summary', r.tsFirstUs, null, {
      src_ip: formatIp(r.srcIp),
      transport: 'tcp',
      first_ts: isoMicros(r.tsFirstUs),
      last_ts: isoMicros(r.tsLastUs),
      duration_s: (r.tsLastUs - r.tsFirstUs) / 1e6,
      flows: r.flows,
      syn_packets: r.synPackets,
      synack_replies: r.synAckReplies,
      rst_replies: r.rstReplies,
      no_reply: r.noReply,
      distinct_ports_est: r.distinctPortsEst,
      distinct_hosts_est: r.distinctHostsEst,
      sample_ports: r.samplePorts,
      end_reason: END_REASONS[r.endReason] || 'window',
    });
  }
}

/** The TLS in a stream: at its start, or after another protocol's preamble (STARTTLS, CONNECT, SOCKS). */
function tlsIn(data: Uint8Array, msgType: 1 | 2): { tls: TlsStreamResult; offset: number } | null {
  const tls = parseTlsStream(data);
  if (tls.isTls) return { tls, offset: 0 };
  const offset = locateTls(data, msgType);
  return offset > 0 ? { tls: parseTlsStream(data.subarray(offset)), offset } : null;
}

/** The ClientHello fields a tls_session carries (renamed where the server has its own value). */
function clientSide(f: Record<string, unknown>): Record<string, unknown> {
  return {
    ja3: f.ja3,
    ja3_full: f.ja3_full,
    ja4: f.ja4,
    ja4_r: f.ja4_r,
    ja4_o: f.ja4_o,
    ja4_ro: f.ja4_ro,
    sni: f.sni,
    client_alpn: f.alpn,
    client_tls_version: f.tls_version,
  };
}
