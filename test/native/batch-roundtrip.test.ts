// Pins native/batch_format.h to src/batch/format.ts: the addon's offsetof() table must equal the
// decoder's, and values written through the real BatchWriter must decode to themselves.
import { describe, expect, it } from 'vitest';
import {
  BATCH_MAGIC,
  BATCH_VERSION,
  type FlowEndRecord,
  LAYOUT,
  RecordType,
  readBatchHeader,
  readRecords,
  type ScanSummaryRecord,
  SshWindowFlag,
  type SshWindowRecord,
  type StreamRecord,
  type SynRecord,
  type SynRepeatRecord,
} from '../../src/batch/format.js';
import { loadAddon } from '../../src/capture/addon.js';

const addon = loadAddon();

type NativeLayout = Record<
  string,
  { size: number; fields: Record<string, { offset: number; size: number }> }
> & {
  magic: number;
  version: number;
  recordTypes: Record<string, number>;
};

describe('batch layout', () => {
  const native = addon.layout() as unknown as NativeLayout;

  it('has the same magic, version and record type numbers', () => {
    expect(native.magic).toBe(BATCH_MAGIC);
    expect(native.version).toBe(BATCH_VERSION);
    expect(native.recordTypes).toEqual(RecordType);
  });

  it.each(Object.keys(LAYOUT) as Array<keyof typeof LAYOUT>)(
    '%s has the same size and field offsets',
    (name) => {
      const n = native[name]!;
      expect(n.size).toBe(LAYOUT[name].size);
      const offsets = Object.fromEntries(Object.entries(n.fields).map(([k, v]) => [k, v.offset]));
      expect(offsets).toEqual(LAYOUT[name].fields);
    },
  );
});

const v4 = (a: number, b: number, c: number, d: number) => Uint8Array.from([a, b, c, d]);
const v6 = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]);
const flow = {
  'flow.flow_id': 2 ** 40 + 7,
  'flow.ip_version': 4,
  'flow.transport': 6,
  'flow.client_port': 51515,
  'flow.server_port': 443,
  'flow.vlan': 100,
  'flow.client_ip': v4(198, 18, 0, 1),
  'flow.server_ip': v4(198, 19, 255, 254),
};

describe('batch round trip through the native writer', () => {
  const options = Uint8Array.from([2, 4, 5, 180, 1, 3, 3, 7, 0]);
  const data = new TextEncoder().encode('stream bytes');
  const peer = new TextEncoder().encode('peer');
  const buf = addon.encodeTestRecords([
    {
      struct: 'SynRecord',
      flags: 1,
      fields: {
        ...flow,
        ts_us: 1_700_000_000_123_456,
        seq: 0xfedcba98,
        ack: 0x01020304,
        flow_label: 0xabcde,
        window: 64240,
        ip_id: 54321,
        ip_total_len: 60,
        urg_ptr: 7,
        payload_len: 0,
        tcp_flags: 0x1c2,
        ttl: 117,
        tos: 0x28,
        ip_flags: 2,
        ip_opts_len: 4,
        tcp_reserved: 5,
        options_len: options.length,
        syn_count: 3,
        options,
      },
    },
    {
      struct: 'StreamRecord',
      flags: 0x11,
      data: new Uint8Array([...data, ...peer]),
      fields: {
        ...flow,
        'flow.ip_version': 6,
        'flow.client_ip': v6,
        'flow.server_ip': v6,
        ts_first_us: 1_600_000_000_000_001,
        ts_last_us: 1_600_000_000_999_999,
        prev_len: 517,
        len: data.length,
        emit_index: 2,
        ttl: 52,
        peer_len: peer.length,
      },
    },
    {
      struct: 'FlowEndRecord',
      flags: 0x85,
      fields: {
        ...flow,
        ts_first_us: 1_000,
        ts_last_us: 2_000_000,
        'bytes.0': 2 ** 33 + 5,
        'bytes.1': 123456,
        'packets.0': 4_000_000_000,
        'packets.1': 9,
        'retransmits.0': 3,
        'retransmits.1': 1,
        syn_retransmits: 2,
        out_of_order: 6,
        iat_min_us: 12.5,
        iat_max_us: 1e6,
        iat_sum_us: 1234567.25,
        syn_to_synack_us: 250,
        synack_to_ack_us: -1,
        data_to_reply_us: 40_123.5,
        reply_to_data_us: -1,
        end_reason: 2,
        client_ttl: 64,
        server_ttl: 128,
      },
    },
    {
      struct: 'SynRepeatRecord',
      flags: 1,
      fields: {
        ...flow,
        ts_first_us: 1_700_000_000_000_000,
        ts_last_us: 1_700_000_299_999_999,
        repeats: 4321,
        window_s: 300,
        // three sampled SYNs: the second without a timestamp option
        sample_ts_us: new Uint8Array(
          new BigInt64Array([1_700_000_000_000_000n, 1_700_000_001_500_000n, 1_700_000_299_999_999n]).buffer,
        ),
        sample_isn: new Uint8Array(new Uint32Array([0xdeadbeef, 1, 0xffffffff]).buffer),
        sample_tsval: new Uint8Array(new Uint32Array([1000, 0, 300_999]).buffer),
        sample_ip_id: new Uint8Array(new Uint16Array([54321, 0, 65535]).buffer),
        sample_has_ts: new Uint8Array([1, 0, 1]),
        samples: 3,
      },
    },
    {
      struct: 'ScanSummaryRecord',
      flags: 0,
      fields: {
        ip_version: 4,
        end_reason: 3,
        sample_port_count: 3,
        src_ip: v4(203, 0, 113, 9),
        ts_first_us: 5,
        ts_last_us: 60_000_005,
        flows: 1000,
        syn_packets: 1010,
        synack_replies: 3,
        rst_replies: 990,
        no_reply: 7,
        distinct_ports_est: 998,
        distinct_hosts_est: 1,
        sample_ports: new Uint8Array(new Uint16Array([22, 23, 80]).buffer),
      },
    },
    {
      struct: 'SshWindowRecord',
      flags: SshWindowFlag.final,
      fields: {
        ...flow,
        'flow.server_port': 22,
        ts_first_us: 1_700_000_000_000_001,
        ts_last_us: 1_700_000_123_456_789,
        window_index: 70_000,
        mode_client: 36,
        mode_server: 65_535,
        packets_client: 123,
        packets_server: 77,
        acks_client: 4_000_000_001,
        acks_server: 9,
      },
    },
  ]);

  it('writes a valid header', () => {
    const h = readBatchHeader(buf);
    expect(h.recordCount).toBe(6);
    expect(h.usedBytes).toBe(buf.byteLength);
    expect(h.flags).toBe(1);
  });

  const [syn, stream, end, repeat, scan, ssh] = [...readRecords(buf)] as [
    SynRecord,
    StreamRecord,
    FlowEndRecord,
    SynRepeatRecord,
    ScanSummaryRecord,
    SshWindowRecord,
  ];

  it('decodes a SYN record field by field', () => {
    expect(syn.type).toBe(RecordType.syn);
    expect(syn.flags).toBe(1);
    expect(syn.flow.toJSON()).toEqual({
      flowId: 2 ** 40 + 7,
      ipVersion: 4,
      transport: 6,
      clientPort: 51515,
      serverPort: 443,
      vlan: 100,
      clientIp: v4(198, 18, 0, 1),
      serverIp: v4(198, 19, 255, 254),
    });
    expect(syn).toMatchObject({
      tsUs: 1_700_000_000_123_456,
      seq: 0xfedcba98,
      ack: 0x01020304,
      flowLabel: 0xabcde,
      window: 64240,
      ipId: 54321,
      ipTotalLen: 60,
      urgPtr: 7,
      payloadLen: 0,
      tcpFlags: 0x1c2,
      ttl: 117,
      tos: 0x28,
      ipFlags: 2,
      ipOptsLen: 4,
      tcpReserved: 5,
      synCount: 3,
    });
    expect([...syn.options]).toEqual([...options]);
  });

  it('decodes a stream record with its data and peer bytes', () => {
    expect(stream.type).toBe(RecordType.stream);
    expect(stream.flow.ipVersion).toBe(6);
    expect([...stream.flow.clientIp]).toEqual([...v6]);
    expect(stream).toMatchObject({
      tsFirstUs: 1_600_000_000_000_001,
      tsLastUs: 1_600_000_000_999_999,
      prevLen: 517,
      emitIndex: 2,
      ttl: 52,
    });
    expect(new TextDecoder().decode(stream.data)).toBe('stream bytes');
    expect(new TextDecoder().decode(stream.peer)).toBe('peer');
  });

  it('decodes a flow end record, including 64-bit counters and doubles', () => {
    expect(end).toMatchObject({
      flags: 0x85,
      tsFirstUs: 1_000,
      tsLastUs: 2_000_000,
      bytes: [2 ** 33 + 5, 123456],
      packets: [4_000_000_000, 9],
      retransmits: [3, 1],
      synRetransmits: 2,
      outOfOrder: 6,
      iatMinUs: 12.5,
      iatMaxUs: 1e6,
      iatSumUs: 1234567.25,
      synToSynAckUs: 250,
      synAckToAckUs: -1,
      dataToReplyUs: 40_123.5,
      replyToDataUs: -1,
      endReason: 2,
      clientTtl: 64,
      serverTtl: 128,
    });
  });

  it('decodes a SYN repeat record', () => {
    expect(repeat).toMatchObject({
      type: RecordType.synRepeat,
      flags: 1,
      tsFirstUs: 1_700_000_000_000_000,
      tsLastUs: 1_700_000_299_999_999,
      repeats: 4321,
      windowS: 300,
      samples: [
        { tsUs: 1_700_000_000_000_000, isn: 0xdeadbeef, ipId: 54321, tsval: 1000 },
        { tsUs: 1_700_000_001_500_000, isn: 1, ipId: 0, tsval: null },
        { tsUs: 1_700_000_299_999_999, isn: 0xffffffff, ipId: 65535, tsval: 300_999 },
      ],
    });
    expect(repeat.flow.flowId).toBe(2 ** 40 + 7);
  });

  it('decodes a scan summary record', () => {
    expect(scan).toMatchObject({
      ipVersion: 4,
      endReason: 3,
      tsFirstUs: 5,
      tsLastUs: 60_000_005,
      flows: 1000,
      synPackets: 1010,
      synAckReplies: 3,
      rstReplies: 990,
      noReply: 7,
      distinctPortsEst: 998,
      distinctHostsEst: 1,
      samplePorts: [22, 23, 80],
    });
    expect([...scan.srcIp]).toEqual([203, 0, 113, 9]);
  });

  it('decodes a JA4SSH window record', () => {
    expect(ssh).toMatchObject({
      type: RecordType.sshWindow,
      flags: SshWindowFlag.final,
      tsFirstUs: 1_700_000_000_000_001,
      tsLastUs: 1_700_000_123_456_789,
      windowIndex: 70_000,
      modeClient: 36,
      modeServer: 65_535,
      packetsClient: 123,
      packetsServer: 77,
      acksClient: 4_000_000_001,
      acksServer: 9,
    });
    expect(ssh.flow.flowId).toBe(2 ** 40 + 7);
    expect(ssh.flow.serverPort).toBe(22);
    expect([...ssh.flow.clientIp]).toEqual([198, 18, 0, 1]);
  });

  it('rejects a buffer of another version', () => {
    const copy = buf.slice(0);
    new DataView(copy).setUint16(4, BATCH_VERSION + 1, true);
    expect(() => readBatchHeader(copy)).toThrow(/version/);
  });
});
