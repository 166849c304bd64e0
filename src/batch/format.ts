// Decoder of the batch layout defined in native/batch_format.h (version 5). The offsets below
// are this side's own copy; test/native/batch-roundtrip.test.ts compares them with the addon's
// offsetof() table and round-trips values, so a change on one side alone fails the test.

export const BATCH_MAGIC = 0x31425344;
export const BATCH_VERSION = 6;
export const BATCH_HEADER_SIZE = 32;
export const RECORD_HEADER_SIZE = 8;

export const RecordType = {
  syn: 1,
  stream: 2,
  flowEnd: 3,
  datagram: 4,
  scanSummary: 5,
  synRepeat: 6,
  sshWindow: 7,
} as const;

export const BatchFlag = { final: 1 } as const;
export const SynFlag = { isSynAck: 1, scanRepresentative: 2 } as const;
export const StreamFlag = {
  serverToClient: 1,
  final: 2,
  truncated: 4,
  gap: 8,
  synSeen: 16,
  flowEnd: 32,
} as const;
export const FlowEndFlag = {
  synSeen: 1,
  synAckSeen: 2,
  handshakeDone: 4,
  clientFin: 8,
  serverFin: 16,
  clientRst: 32,
  serverRst: 64,
  midstream: 128,
} as const;
export const SshWindowFlag = { final: 1 } as const;
export const END_REASONS = ['', 'fin', 'rst', 'idle', 'evicted', 'shutdown'] as const;

/** Offsets of the FlowRef that follows the RecordHeader in every per-flow record. */
const FLOW_REF_FIELDS = {
  'flow.flow_id': 8,
  'flow.ip_version': 16,
  'flow.transport': 17,
  'flow.client_port': 18,
  'flow.server_port': 20,
  'flow.vlan': 22,
  'flow.client_ip': 24,
  'flow.server_ip': 40,
} as const;

/** Field offsets (bytes from the record start) of every struct in batch_format.h. */
export const LAYOUT = {
  BatchHeader: {
    size: 32,
    fields: {
      magic: 0,
      version: 4,
      header_size: 6,
      record_count: 8,
      used_bytes: 12,
      flags: 16,
      packets: 20,
      sequence: 24,
    },
  },
  SynRecord: {
    size: 136,
    fields: {
      ...FLOW_REF_FIELDS,
      ts_us: 56,
      seq: 64,
      ack: 68,
      flow_label: 72,
      window: 76,
      ip_id: 78,
      ip_total_len: 80,
      urg_ptr: 82,
      payload_len: 84,
      tcp_flags: 86,
      ttl: 88,
      tos: 89,
      ip_flags: 90,
      ip_opts_len: 91,
      tcp_reserved: 92,
      options_len: 93,
      syn_count: 94,
      options: 96,
    },
  },
  StreamRecord: {
    size: 88,
    fields: {
      ...FLOW_REF_FIELDS,
      ts_first_us: 56,
      ts_last_us: 64,
      prev_len: 72,
      len: 76,
      emit_index: 80,
      ttl: 82,
      peer_len: 84,
    },
  },
  FlowEndRecord: {
    size: 176,
    fields: {
      ...FLOW_REF_FIELDS,
      ts_first_us: 56,
      ts_last_us: 64,
      'bytes.0': 72,
      'bytes.1': 80,
      'packets.0': 88,
      'packets.1': 92,
      'retransmits.0': 96,
      'retransmits.1': 100,
      syn_retransmits: 104,
      out_of_order: 108,
      iat_min_us: 112,
      iat_max_us: 120,
      iat_sum_us: 128,
      syn_to_synack_us: 136,
      synack_to_ack_us: 144,
      data_to_reply_us: 152,
      reply_to_data_us: 160,
      end_reason: 168,
      client_ttl: 169,
      server_ttl: 170,
    },
  },
  SynRepeatRecord: {
    size: 240,
    fields: {
      ...FLOW_REF_FIELDS,
      ts_first_us: 56,
      ts_last_us: 64,
      repeats: 72,
      window_s: 76,
      sample_ts_us: 80,
      sample_isn: 144,
      sample_tsval: 176,
      sample_ip_id: 208,
      sample_has_ts: 224,
      samples: 232,
    },
  },
  ScanSummaryRecord: {
    size: 112,
    fields: {
      ip_version: 8,
      end_reason: 9,
      sample_port_count: 10,
      src_ip: 16,
      ts_first_us: 32,
      ts_last_us: 40,
      flows: 48,
      syn_packets: 52,
      synack_replies: 56,
      rst_replies: 60,
      no_reply: 64,
      distinct_ports_est: 68,
      distinct_hosts_est: 72,
      sample_ports: 80,
    },
  },
  SshWindowRecord: {
    size: 96,
    fields: {
      ...FLOW_REF_FIELDS,
      ts_first_us: 56,
      ts_last_us: 64,
      window_index: 72,
      mode_client: 76,
      mode_server: 78,
      packets_client: 80,
      packets_server: 82,
      acks_client: 84,
      acks_server: 88,
    },
  },
} as const;

const SYN = LAYOUT.SynRecord.fields;
const STR = LAYOUT.StreamRecord.fields;
const END = LAYOUT.FlowEndRecord.fields;
const SCAN = LAYOUT.ScanSummaryRecord.fields;
const REP = LAYOUT.SynRepeatRecord.fields;
const SSH = LAYOUT.SshWindowRecord.fields;

/** The canonical tuple of a flow; the client is the SYN sender. Addresses are 4 or 16 bytes,
 *  views into the batch made on first use (most records only need `flowId`). */
export class FlowRef {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly base: number,
    readonly flowId: number,
    readonly ipVersion: 4 | 6,
    readonly transport: 6 | 17,
    readonly clientPort: number,
    readonly serverPort: number,
    readonly vlan: number,
  ) {}

  get clientIp(): Uint8Array {
    return this.bytes.subarray(this.base + 24, this.base + 24 + (this.ipVersion === 4 ? 4 : 16));
  }

  get serverIp(): Uint8Array {
    return this.bytes.subarray(this.base + 40, this.base + 40 + (this.ipVersion === 4 ? 4 : 16));
  }

  /** A plain object with every field (for tests and logs). */
  toJSON(): Record<string, unknown> {
    return {
      flowId: this.flowId,
      ipVersion: this.ipVersion,
      transport: this.transport,
      clientPort: this.clientPort,
      serverPort: this.serverPort,
      vlan: this.vlan,
      clientIp: this.clientIp,
      serverIp: this.serverIp,
    };
  }
}

export interface SynRecord {
  type: 1;
  flags: number;
  flow: FlowRef;
  tsUs: number;
  seq: number;
  ack: number;
  flowLabel: number;
  window: number;
  ipId: number;
  ipTotalLen: number;
  urgPtr: number;
  payloadLen: number;
  tcpFlags: number;
  ttl: number;
  tos: number;
  ipFlags: number;
  ipOptsLen: number;
  tcpReserved: number;
  synCount: number;
  options: Uint8Array;
}

export interface StreamRecord {
  type: 2 | 4;
  flags: number;
  flow: FlowRef;
  tsFirstUs: number;
  tsLastUs: number;
  prevLen: number;
  emitIndex: number;
  ttl: number;
  data: Uint8Array;
  /** Server->client records only: the client's prefix already sent, for joining hellos. */
  peer: Uint8Array;
}

export interface FlowEndRecord {
  type: 3;
  flags: number;
  flow: FlowRef;
  tsFirstUs: number;
  tsLastUs: number;
  bytes: [number, number];
  packets: [number, number];
  retransmits: [number, number];
  synRetransmits: number;
  outOfOrder: number;
  iatMinUs: number;
  iatMaxUs: number;
  iatSumUs: number;
  synToSynAckUs: number;
  synAckToAckUs: number;
  /** First client data -> first server data after it (JA4L's D->E), -1 if not seen. */
  dataToReplyUs: number;
  /** That server data -> the next client data (E->F), -1 if not seen. */
  replyToDataUs: number;
  endReason: number;
  clientTtl: number;
  serverTtl: number;
}

export interface ScanSummaryRecord {
  type: 5;
  flags: number;
  ipVersion: 4 | 6;
  endReason: number;
  srcIp: Uint8Array;
  tsFirstUs: number;
  tsLastUs: number;
  flows: number;
  synPackets: number;
  synAckReplies: number;
  rstReplies: number;
  noReply: number;
  distinctPortsEst: number;
  distinctHostsEst: number;
  samplePorts: number[];
}

/** SYNs identical to one already sent (same sender and stack fingerprint) within the window. */
export interface SynRepeatRecord {
  type: 6;
  flags: number;
  flow: FlowRef;
  tsFirstUs: number;
  tsLastUs: number;
  repeats: number;
  windowS: number;
  /** The window's SYNs sampled for IP ID / ISN / TCP clock behaviour: the sent SYN first, then
   *  the following ones in capture order (once the slots are full, the last holds the latest). */
  samples: SynSample[];
}

/** One sampled SYN of a dedup window. */
export interface SynSample {
  tsUs: number;
  isn: number;
  ipId: number;
  /** TCP timestamp TSval, null when the SYN had no timestamp option. */
  tsval: number | null;
}

/** Slots of SynRepeatRecord's sample arrays (limits::kSynBehaviourSamples). */
export const SYN_BEHAVIOUR_SAMPLES = 8;

/** One JA4SSH window of an SSH flow: 200 SSH packets (segments with new payload, both
 *  directions), or fewer in the last window, sent when the flow ends (flag `final`). */
export interface SshWindowRecord {
  type: 7;
  flags: number;
  flow: FlowRef;
  tsFirstUs: number;
  tsLastUs: number;
  windowIndex: number;
  /** Most frequent TCP payload length of the client's SSH packets (ties: smaller; 0 if none). */
  modeClient: number;
  modeServer: number;
  packetsClient: number;
  packetsServer: number;
  /** Bare ACKs (TCP flags exactly ACK, no payload). */
  acksClient: number;
  acksServer: number;
}

export type BatchRecord =
  | SynRecord
  | StreamRecord
  | FlowEndRecord
  | ScanSummaryRecord
  | SynRepeatRecord
  | SshWindowRecord;

export interface BatchHeader {
  recordCount: number;
  usedBytes: number;
  flags: number;
  packets: number;
  sequence: number;
}

/** Thrown when a buffer is not a batch of the version this decoder reads. */
export class BatchFormatError extends Error {
  readonly code = 'E_BATCH_FORMAT';
}

/** Reads a signed 64-bit microsecond timestamp as a number (exact below 2^53). */
function readI64(dv: DataView, off: number): number {
  return dv.getUint32(off, true) + dv.getInt32(off + 4, true) * 0x1_0000_0000;
}

function readU64(dv: DataView, off: number): number {
  return dv.getUint32(off, true) + dv.getUint32(off + 4, true) * 0x1_0000_0000;
}

function readFlowRef(dv: DataView, bytes: Uint8Array, base: number): FlowRef {
  return new FlowRef(
    bytes,
    base,
    readU64(dv, base + 8),
    dv.getUint8(base + 16) === 6 ? 6 : 4,
    dv.getUint8(base + 17) === 17 ? 17 : 6,
    dv.getUint16(base + 18, true),
    dv.getUint16(base + 20, true),
    dv.getUint16(base + 22, true),
  );
}

/** Validates the batch header and returns it. */
export function readBatchHeader(buf: ArrayBuffer): BatchHeader {
  if (buf.byteLength < BATCH_HEADER_SIZE) throw new BatchFormatError('batch shorter than its header');
  const dv = new DataView(buf);
  if (dv.getUint32(0, true) !== BATCH_MAGIC) throw new BatchFormatError('bad batch magic');
  const version = dv.getUint16(4, true);
  if (version !== BATCH_VERSION) {
    throw new BatchFormatError(
      `batch version ${version}, this build reads ${BATCH_VERSION}: rebuild the addon`,
    );
  }
  const usedBytes = dv.getUint32(12, true);
  if (usedBytes > buf.byteLength) throw new BatchFormatError('batch length exceeds its buffer');
  return {
    recordCount: dv.getUint32(8, true),
    usedBytes,
    flags: dv.getUint32(16, true),
    packets: dv.getUint32(20, true),
    sequence: readU64(dv, 24),
  };
}

/** Decodes one record at `off` (its RecordHeader). */
export function readRecord(dv: DataView, bytes: Uint8Array, off: number): BatchRecord | null {
  const type = dv.getUint16(off, true);
  const flags = dv.getUint16(off + 2, true);
  switch (type) {
    case RecordType.syn: {
      const optionsLen = Math.min(40, dv.getUint8(off + SYN.options_len));
      return {
        type,
        flags,
        flow: readFlowRef(dv, bytes, off),
        tsUs: readI64(dv, off + SYN.ts_us),
        seq: dv.getUint32(off + SYN.seq, true),
        ack: dv.getUint32(off + SYN.ack, true),
        flowLabel: dv.getUint32(off + SYN.flow_label, true),
        window: dv.getUint16(off + SYN.window, true),
        ipId: dv.getUint16(off + SYN.ip_id, true),
        ipTotalLen: dv.getUint16(off + SYN.ip_total_len, true),
        urgPtr: dv.getUint16(off + SYN.urg_ptr, true),
        payloadLen: dv.getUint16(off + SYN.payload_len, true),
        tcpFlags: dv.getUint16(off + SYN.tcp_flags, true),
        ttl: dv.getUint8(off + SYN.ttl),
        tos: dv.getUint8(off + SYN.tos),
        ipFlags: dv.getUint8(off + SYN.ip_flags),
        ipOptsLen: dv.getUint8(off + SYN.ip_opts_len),
        tcpReserved: dv.getUint8(off + SYN.tcp_reserved),
        synCount: dv.getUint8(off + SYN.syn_count),
        options: bytes.subarray(off + SYN.options, off + SYN.options + optionsLen),
      };
    }
    case RecordType.stream:
    case RecordType.datagram: {
      const len = dv.getUint32(off + STR.len, true);
      const peerLen = dv.getUint32(off + STR.peer_len, true);
      const start = off + LAYOUT.StreamRecord.size;
      return {
        type,
        flags,
        flow: readFlowRef(dv, bytes, off),
        tsFirstUs: readI64(dv, off + STR.ts_first_us),
        tsLastUs: readI64(dv, off + STR.ts_last_us),
        prevLen: dv.getUint32(off + STR.prev_len, true),
        emitIndex: dv.getUint16(off + STR.emit_index, true),
        ttl: dv.getUint8(off + STR.ttl),
        data: bytes.subarray(start, start + len),
        peer: bytes.subarray(start + len, start + len + peerLen),
      };
    }
    case RecordType.flowEnd:
      return {
        type,
        flags,
        flow: readFlowRef(dv, bytes, off),
        tsFirstUs: readI64(dv, off + END.ts_first_us),
        tsLastUs: readI64(dv, off + END.ts_last_us),
        bytes: [readU64(dv, off + END['bytes.0']), readU64(dv, off + END['bytes.1'])],
        packets: [dv.getUint32(off + END['packets.0'], true), dv.getUint32(off + END['packets.1'], true)],
        retransmits: [
          dv.getUint32(off + END['retransmits.0'], true),
          dv.getUint32(off + END['retransmits.1'], true),
        ],
        synRetransmits: dv.getUint32(off + END.syn_retransmits, true),
        outOfOrder: dv.getUint32(off + END.out_of_order, true),
        iatMinUs: dv.getFloat64(off + END.iat_min_us, true),
        iatMaxUs: dv.getFloat64(off + END.iat_max_us, true),
        iatSumUs: dv.getFloat64(off + END.iat_sum_us, true),
        synToSynAckUs: dv.getFloat64(off + END.syn_to_synack_us, true),
        synAckToAckUs: dv.getFloat64(off + END.synack_to_ack_us, true),
        dataToReplyUs: dv.getFloat64(off + END.data_to_reply_us, true),
        replyToDataUs: dv.getFloat64(off + END.reply_to_data_us, true),
        endReason: dv.getUint8(off + END.end_reason),
        clientTtl: dv.getUint8(off + END.client_ttl),
        serverTtl: dv.getUint8(off + END.server_ttl),
      };
    case RecordType.scanSummary: {
      const ipVersion = dv.getUint8(off + SCAN.ip_version) === 6 ? 6 : 4;
      const n = Math.min(16, dv.getUint16(off + SCAN.sample_port_count, true));
      const samplePorts: number[] = [];
      for (let i = 0; i < n; i++) samplePorts.push(dv.getUint16(off + SCAN.sample_ports + 2 * i, true));
      return {
        type,
        flags,
        ipVersion,
        endReason: dv.getUint8(off + SCAN.end_reason),
        srcIp: bytes.subarray(off + SCAN.src_ip, off + SCAN.src_ip + (ipVersion === 4 ? 4 : 16)),
        tsFirstUs: readI64(dv, off + SCAN.ts_first_us),
        tsLastUs: readI64(dv, off + SCAN.ts_last_us),
        flows: dv.getUint32(off + SCAN.flows, true),
        synPackets: dv.getUint32(off + SCAN.syn_packets, true),
        synAckReplies: dv.getUint32(off + SCAN.synack_replies, true),
        rstReplies: dv.getUint32(off + SCAN.rst_replies, true),
        noReply: dv.getUint32(off + SCAN.no_reply, true),
        distinctPortsEst: dv.getUint32(off + SCAN.distinct_ports_est, true),
        distinctHostsEst: dv.getUint32(off + SCAN.distinct_hosts_est, true),
        samplePorts,
      };
    }
    case RecordType.synRepeat:
      return {
        type,
        flags,
        flow: readFlowRef(dv, bytes, off),
        tsFirstUs: readI64(dv, off + REP.ts_first_us),
        tsLastUs: readI64(dv, off + REP.ts_last_us),
        repeats: dv.getUint32(off + REP.repeats, true),
        windowS: dv.getUint32(off + REP.window_s, true),
        samples: readSynSamples(dv, off),
      };
    case RecordType.sshWindow:
      return {
        type,
        flags,
        flow: readFlowRef(dv, bytes, off),
        tsFirstUs: readI64(dv, off + SSH.ts_first_us),
        tsLastUs: readI64(dv, off + SSH.ts_last_us),
        windowIndex: dv.getUint32(off + SSH.window_index, true),
        modeClient: dv.getUint16(off + SSH.mode_client, true),
        modeServer: dv.getUint16(off + SSH.mode_server, true),
        packetsClient: dv.getUint16(off + SSH.packets_client, true),
        packetsServer: dv.getUint16(off + SSH.packets_server, true),
        acksClient: dv.getUint32(off + SSH.acks_client, true),
        acksServer: dv.getUint32(off + SSH.acks_server, true),
      };
    default:
      return null; // unknown record type: skipped by length
  }
}

function readSynSamples(dv: DataView, off: number): SynSample[] {
  const n = Math.min(dv.getUint8(off + REP.samples), SYN_BEHAVIOUR_SAMPLES);
  const out: SynSample[] = [];
  for (let i = 0; i < n; i++) {
    const hasTs = dv.getUint8(off + REP.sample_has_ts + i) !== 0;
    out.push({
      tsUs: readI64(dv, off + REP.sample_ts_us + 8 * i),
      isn: dv.getUint32(off + REP.sample_isn + 4 * i, true),
      ipId: dv.getUint16(off + REP.sample_ip_id + 2 * i, true),
      tsval: hasTs ? dv.getUint32(off + REP.sample_tsval + 4 * i, true) : null,
    });
  }
  return out;
}

/** The datagrams of a datagram record's data (or peer): each is a little-endian u16 length and
 *  its bytes. A truncated tail is dropped. */
export function splitDatagrams(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off + 2 <= data.length; ) {
    const n = data[off]! | (data[off + 1]! << 8);
    if (off + 2 + n > data.length) break;
    out.push(data.subarray(off + 2, off + 2 + n));
    off += 2 + n;
  }
  return out;
}

/** Calls `fn` for each record of a batch in order (unknown record types are skipped); returns
 *  the number of records. A plain loop: the hot path avoids generator overhead. */
export function forEachRecord(buf: ArrayBuffer, fn: (rec: BatchRecord) => void): number {
  const header = readBatchHeader(buf);
  const dv = new DataView(buf);
  const bytes = new Uint8Array(buf);
  let off = BATCH_HEADER_SIZE;
  for (let i = 0; i < header.recordCount; i++) {
    if (off + RECORD_HEADER_SIZE > header.usedBytes)
      throw new BatchFormatError('record header past batch end');
    const len = dv.getUint32(off + 4, true);
    if (len < RECORD_HEADER_SIZE || len % 8 !== 0 || off + len > header.usedBytes) {
      throw new BatchFormatError(`bad record length ${len} at ${off}`);
    }
    const rec = readRecord(dv, bytes, off);
    if (rec) fn(rec);
    off += len;
  }
  return header.recordCount;
}

/** The records of a batch in order, as an array. */
export function readRecords(buf: ArrayBuffer): BatchRecord[] {
  const out: BatchRecord[] = [];
  forEachRecord(buf, (r) => out.push(r));
  return out;
}
