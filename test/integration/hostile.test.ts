// Hostile and degenerate input: nothing crashes, memory stays bounded, everything is counted.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LinkType, TcpSession, writeCaptureFile } from '../../scripts/pcapgen/index.js';
import { writeSynFlood } from '../../scripts/synflood.js';
import { CORPUS } from '../helpers/corpus.js';
import { ofType, replay } from '../helpers/replay.js';

const tmp = mkdtempSync(join(tmpdir(), 'deckscope-hostile-'));

describe('a 100k-flow SYN flood against a small flow table', () => {
  const file = join(tmp, 'flood.pcap');
  writeSynFlood(file, 100_000);

  it('evicts and counts instead of growing, and folds every probe into scan summaries', async () => {
    const { events, summary } = await replay([file], { maxFlows: 1024, maxScanSources: 16 });
    const c = summary.capture;
    expect(c.packets).toBe(100_000);
    expect(c.tcpFlows).toBe(100_000);
    expect(c.flowsPeak).toBeLessThanOrEqual(1024);
    expect(c.flowsEnded.evicted).toBe(100_000 - 1024);
    expect(c.flowsEnded.shutdown).toBe(1024);
    expect(c.flowsTrivial).toBe(100_000);
    // 100k flows from 2 sources (64512 ports each): all accounted for in the summaries.
    const scans = ofType(events, 'scan_summary');
    expect(scans.reduce((n, e) => n + (e.flows as number), 0)).toBe(100_000);
    expect(scans.every((e) => e.no_reply === e.flows)).toBe(true);
    // Bounded: 1024 flows need well under a MiB of table; no reassembly buffers at all.
    expect(c.engineMemoryBytes).toBeLessThan(4 * 2 ** 20);
    expect(c.reassembly.peakBytes).toBe(0);
    expect(ofType(events, 'tcp_flow_timing')).toHaveLength(0);
  });
});

describe('many open flows with short payloads', () => {
  it('hold small reassembly buffers, and lose no request', async () => {
    // 2000 connections open at once, each with one ~100-byte HTTP request and no close: every
    // stream is pending until the end of the file. A short stream must not pin a large buffer
    // (memory scales with open flows on a busy segment).
    const flows = 2000;
    const packets = [];
    for (let i = 0; i < flows; i++) {
      const s = new TcpSession({
        client: { ip: `198.18.${10 + (i >> 8)}.${i & 255}`, port: 40000 + i },
        server: { ip: '198.18.0.80', port: 80 },
        seed: i + 1,
        startTs: 1_736_899_200_000_000 + i * 1000,
      });
      s.handshake();
      s.send(
        'client',
        Buffer.from(`GET /item/${i} HTTP/1.1\r\nHost: 198.18.0.80\r\nUser-Agent: probe/${i}\r\n\r\n`),
        {
          ack: true,
        },
      );
      packets.push(...s.packets);
    }
    packets.sort((a, b) => a.ts - b.ts);
    const file = join(tmp, 'open-flows.pcap');
    writeCaptureFile(file, packets, { linkType: LinkType.ETHERNET });
    const { events, summary } = await replay([file]);
    const c = summary.capture;
    expect(c.flowsPeak).toBe(flows);
    expect(c.flowsEnded.shutdown).toBe(flows);
    expect(ofType(events, 'http_request')).toHaveLength(flows);
    // Under 1 KiB of buffer per ~100-byte stream.
    expect(c.reassembly.peakBytes).toBeGreaterThan(0);
    expect(c.reassembly.peakBytes).toBeLessThanOrEqual(flows * 1024);
    expect(c.reassembly.bytesInUse).toBe(0);
  });
});

describe('garbage inside a valid capture', () => {
  it('counts random frames as malformed or non-IP and keeps going', async () => {
    // A real capture with 2000 random frames appended (Ethernet link type).
    const real = readFileSync(`${CORPUS}foxio-ja4/pcap/tls12.pcap`);
    const recs: Buffer[] = [real];
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed >> 8;
    };
    for (let i = 0; i < 2000; i++) {
      const len = 1 + (rnd() % 200);
      const body = Buffer.alloc(len);
      for (let j = 0; j < len; j++) body[j] = rnd() & 0xff;
      if (i % 2 === 0 && len > 14) body.writeUInt16BE(i % 4 === 0 ? 0x0800 : 0x86dd, 12); // claim IP
      if (i % 4 === 0 && len > 15) body[14] = 0x45;
      const h = Buffer.alloc(16);
      h.writeUInt32LE(1_700_000_000, 0);
      h.writeUInt32LE(i, 4);
      h.writeUInt32LE(len, 8);
      h.writeUInt32LE(len, 12);
      recs.push(h, body);
    }
    const file = join(tmp, 'garbage.pcap');
    writeFileSync(file, Buffer.concat(recs));
    const { summary } = await replay([file]);
    const c = summary.capture;
    expect(c.packets).toBe(2001);
    expect(c.malformedTotal + c.notIp + c.otherTransport + c.ipFragments + c.tcpPackets + c.udpPackets).toBe(
      2001,
    );
    expect(c.malformedTotal).toBeGreaterThan(500);
    expect(summary.batchesFailed).toBe(0);
  });
});

describe('packets with lying lengths', () => {
  // Ethernet + IPv4 + TCP/UDP frames built by hand, then given impossible length fields.
  function frame(opts: {
    ipTotal?: number;
    ihl?: number;
    tcpOff?: number;
    udpLen?: number;
    proto?: number;
    payload?: number;
  }) {
    const payload = opts.payload ?? 10;
    const proto = opts.proto ?? 6;
    const l4 = proto === 6 ? 20 : 8;
    const f = Buffer.alloc(14 + 20 + l4 + payload);
    f.writeUInt16BE(0x0800, 12);
    f[14] = 0x40 | (opts.ihl ?? 5);
    f.writeUInt16BE(opts.ipTotal ?? 20 + l4 + payload, 16);
    f[22] = 64;
    f[23] = proto;
    f.set([198, 18, 9, 1], 26);
    f.set([198, 18, 0, 1], 30);
    f.writeUInt16BE(40000, 34);
    f.writeUInt16BE(80, 36);
    if (proto === 6) {
      f[46] = (opts.tcpOff ?? 5) << 4;
      f[47] = 0x18;
    } else {
      f.writeUInt16BE(opts.udpLen ?? 8 + payload, 38);
    }
    return f;
  }
  function pcap(frames: Buffer[]): string {
    const file = join(tmp, `lying-${frames.length}.pcap`);
    writeCaptureFile(
      file,
      frames.map((frame, i) => ({ ts: 1_700_000_000_000_000 + i, frame })),
      {
        linkType: LinkType.ETHERNET,
      },
    );
    return file;
  }

  it('counts each lie by reason and decodes the honest packet', async () => {
    const file = pcap([
      frame({}), // honest
      frame({ ipTotal: 1500 }), // IP total length beyond the (unsnapped) frame
      frame({ ipTotal: 12 }), // below the IP header
      frame({ ihl: 15 }), // header longer than the packet
      frame({ ihl: 3 }), // header shorter than 20 bytes
      frame({ tcpOff: 15 }), // TCP header beyond the segment
      frame({ tcpOff: 2 }), // TCP header shorter than 20 bytes
      frame({ proto: 17, udpLen: 4000 }), // UDP length beyond the datagram
      frame({ proto: 17, udpLen: 3 }), // UDP length below its header
      Buffer.from([0x00, 0x01, 0x02]), // shorter than an Ethernet header
    ]);
    const { summary } = await replay([file]);
    const c = summary.capture;
    expect(c.packets).toBe(10);
    expect(c.tcpPackets).toBe(1);
    expect(c.malformed).toEqual({
      truncated_link: 1,
      truncated_ip: 1,
      bad_ip_version: 0,
      bad_ip_header_len: 1,
      bad_ip_total_len: 2,
      bad_ipv6_ext_chain: 0,
      truncated_tcp: 0,
      bad_tcp_offset: 2,
      truncated_udp: 0,
      bad_udp_len: 2,
    });
  });

  it('survives a TLS record claiming 16 MiB, counting the anomaly', async () => {
    // A ClientHello record header claiming 2^24 - 1 bytes, inside a real-looking flow.
    const s = new TcpSession({
      client: { ip: '198.18.9.9', port: 45000 },
      server: { ip: '198.18.0.43', port: 443 },
      seed: 9,
    });
    s.handshake();
    const bogus = Buffer.from([
      0x16,
      0x03,
      0x01,
      0xff,
      0xff,
      0x01,
      0xff,
      0xff,
      0xff,
      ...new Array(200).fill(0x41),
    ]);
    s.send('client', bogus, { ack: true });
    s.send('server', Buffer.from('x'), { ack: true });
    s.close('client');
    const file = join(tmp, 'bogus-record.pcap');
    writeCaptureFile(file, s.packets, { linkType: LinkType.ETHERNET });
    const { events, summary } = await replay([file]);
    expect(ofType(events, 'tls_client_hello')).toHaveLength(0);
    expect(ofType(events, 'tcp_flow_timing')).toHaveLength(1);
    expect(Object.keys(summary.anomalies).some((k) => k.startsWith('tls_'))).toBe(true);
    expect(summary.batchesFailed).toBe(0);
  });
});
