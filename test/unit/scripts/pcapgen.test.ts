// Tests of the synthetic-capture library (scripts/pcapgen), the benchmark pcap generator and the
// pure-JS baseline. Frame bytes are checked with a small decoder here and, when installed, with
// tshark and tcpdump as independent readers.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runJsBaseline } from '../../../bench/js-baseline.js';
import { type BenchManifest, generateBenchPcap, parseMix } from '../../../scripts/gen-bench-pcap.js';
import {
  buildClientHello,
  buildFragments,
  buildHttpRequest,
  buildKexinit,
  buildPacket,
  buildServerFlight,
  type ClientHelloProfile,
  type ClientHelloSpec,
  captureFileBytes,
  dnsQuery,
  encodeTcpOptions,
  finishChecksum,
  formatIp,
  internetChecksum,
  ipv4Spec,
  ipv6Spec,
  isGrease,
  type LinkSpec,
  LinkType,
  type PacketRecord,
  PacketTag,
  PcapngWriter,
  Prng,
  parseIp,
  pseudoHeaderSum,
  type SessionPacket,
  SSH_CLIENT_PROFILES,
  SSH_SERVER_PROFILES,
  sshIdentification,
  sum16,
  TCP_STACKS,
  TcpFlags,
  TcpSession,
  TlsExt,
  writeCaptureFile,
} from '../../../scripts/pcapgen/index.js';

const hasTool = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const TSHARK = hasTool('tshark');
const TCPDUMP = hasTool('tcpdump');
if (!TSHARK)
  console.warn('pcapgen tests: tshark not found, skipping tshark cross-checks (apt-get install tshark)');
if (!TCPDUMP)
  console.warn('pcapgen tests: tcpdump not found, skipping tcpdump cross-checks (apt-get install tcpdump)');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcapgen-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const CHECKSUM_PREFS = [
  '-o',
  'tcp.check_checksum:TRUE',
  '-o',
  'ip.check_checksum:TRUE',
  '-o',
  'udp.check_checksum:TRUE',
];
const DECODE_AS = ['-d', 'tcp.port==8443,tls', '-d', 'tcp.port==2222,ssh'];

// Runs tshark and returns its stdout lines (fails the test on a non-zero exit).
function tshark(args: string[]): string[] {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const errors = r.stderr.split('\n').filter((l) => l.trim() && !l.includes('Running as user'));
  expect(errors, 'tshark stderr').toEqual([]);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

// tshark -T fields with the given fields; each row split on tabs.
function fields(file: string, names: string[], extra: string[] = []): string[][] {
  return tshark([
    '-r',
    file,
    ...extra,
    '-T',
    'fields',
    '-E',
    'occurrence=a',
    ...names.flatMap((n) => ['-e', n]),
  ]).map((l) => l.split('\t'));
}

// JA3 string computed from what the builder was asked to put in the hello (GREASE left out).
function expectedJa3(spec: ClientHelloSpec): string {
  const ng = (xs: readonly number[]): string => xs.filter((x) => !isGrease(x)).join('-');
  return [
    spec.legacyVersion,
    ng(spec.cipherSuites),
    ng(spec.extensions.map((e) => e.type)),
    ng(spec.supportedGroups),
    spec.ecPointFormats.join('-'),
  ].join(',');
}

// Minimal decoder for Ethernet + IPv4 + TCP frames written by the tests.
function decodeTcp4(frame: Uint8Array) {
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  const ip = 14;
  const ihl = (b[ip]! & 15) * 4;
  const total = b.readUInt16BE(ip + 2);
  const t = ip + ihl;
  const doff = (b[t + 12]! >>> 4) * 4;
  return {
    ttl: b[ip + 8]!,
    df: (b[ip + 6]! & 0x40) !== 0,
    ipId: b.readUInt16BE(ip + 4),
    srcPort: b.readUInt16BE(t),
    dstPort: b.readUInt16BE(t + 2),
    seq: b.readUInt32BE(t + 4),
    ack: b.readUInt32BE(t + 8),
    flags: ((b[t + 12]! & 1) << 8) | b[t + 13]!,
    window: b.readUInt16BE(t + 14),
    options: b.subarray(t + 20, t + doff),
    payload: b.subarray(t + doff, ip + total),
    ipHeaderOk: finishChecksum(sum16(b, ip, ihl)) === 0,
    tcpChecksumOk:
      finishChecksum(
        sum16(
          b,
          t,
          total - ihl,
          pseudoHeaderSum(b.subarray(ip + 12, ip + 16), b.subarray(ip + 16, ip + 20), 6, total - ihl),
        ),
      ) === 0,
  };
}

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('Prng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const xs = Array.from({ length: 8 }, () => a.u32());
    expect(Array.from({ length: 8 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.u32())).not.toEqual(xs);
  });

  it('keeps range() inside its bounds and fill()/noise() deterministic', () => {
    const p = new Prng(1);
    for (let i = 0; i < 10_000; i++) {
      const v = p.range(5, 9);
      expect(v >= 5 && v <= 9).toBe(true);
    }
    const x = new Prng(3).fill(new Uint8Array(37));
    expect(new Prng(3).fill(new Uint8Array(37))).toEqual(x);
    const n1 = new Prng(3).noise(new Uint8Array(5000));
    expect(new Prng(3).noise(new Uint8Array(5000))).toEqual(n1);
  });
});

describe('checksums and addresses', () => {
  it('matches the RFC 1071 worked example', () => {
    // RFC 1071 §3: 0001 f203 f4f5 f6f7 sums (with end-around carry) to ddf2.
    const b = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(internetChecksum(b, 0, b.length)).toBe(~0xddf2 & 0xffff);
    // Odd length: the last byte is padded with zero.
    expect(finishChecksum(sum16(Uint8Array.of(0x12, 0x34, 0x56), 0, 3))).toBe(~(0x1234 + 0x5600) & 0xffff);
  });

  it('parses and formats IPv4 and IPv6', () => {
    expect(formatIp(parseIp('198.18.0.1'))).toBe('198.18.0.1');
    expect(formatIp(parseIp('2001:db8:0:0:0:0:0:1'))).toBe('2001:db8::1');
    expect(formatIp(parseIp('::ffff:192.0.2.1'))).toBe('::ffff:c000:201');
    expect(() => parseIp('1.2.3.256')).toThrow(TypeError);
    expect(() => parseIp('1::2::3')).toThrow(TypeError);
  });
});

describe('TCP options', () => {
  it('encodes a Linux SYN option list in wire order', () => {
    const bytes = encodeTcpOptions(TCP_STACKS.linux.synOptions(0x01020304));
    expect(Buffer.from(bytes).toString('hex')).toBe(
      '020405b40402080a0102030400000000 01030307'.replace(' ', ''),
    );
  });

  it('pads to 4 bytes with EOL, keeps explicit EOLs and arbitrary kinds, rejects > 40 bytes', () => {
    expect(Array.from(encodeTcpOptions([{ kind: 'wscale', shift: 8 }]))).toEqual([3, 3, 8, 0]);
    expect(Buffer.from(encodeTcpOptions(TCP_STACKS.macos.synOptions(1))).subarray(-2)).toEqual(
      Buffer.from([0, 0]),
    );
    expect(Array.from(encodeTcpOptions([{ kind: 'raw', type: 30, data: Uint8Array.of(1, 2) }]))).toEqual([
      30, 4, 1, 2,
    ]);
    const tooMany = Array.from({ length: 5 }, () => ({ kind: 'sack' as const, blocks: [[1, 2] as const] }));
    expect(() => encodeTcpOptions(tooMany)).toThrow(RangeError);
  });
});

describe('frames', () => {
  const src = parseIp('203.0.113.7');
  const dst = parseIp('198.18.0.10');

  it('writes IPv4/TCP with valid header and TCP checksums and the requested fields', () => {
    const frame = buildPacket({
      link: { type: LinkType.ETHERNET },
      ip: { ...ipv4Spec(src, dst, true, 57, 0x1234), tos: 0x10, options: Uint8Array.of(1) },
      l4: {
        proto: 'tcp',
        srcPort: 40000,
        dstPort: 443,
        seq: 123,
        ack: 456,
        flags: TcpFlags.ACK | TcpFlags.PSH,
        window: 501,
      },
      payload: Buffer.from('hello'),
    });
    const d = decodeTcp4(frame);
    expect(d).toMatchObject({
      ttl: 57,
      df: true,
      ipId: 0x1234,
      srcPort: 40000,
      dstPort: 443,
      seq: 123,
      ack: 456,
      window: 501,
    });
    expect(frame[14]).toBe(0x46); // IHL 6: one 4-byte option word
    expect(Buffer.from(d.payload).toString()).toBe('hello');
    expect(d.ipHeaderOk && d.tcpChecksumOk).toBe(true);
  });

  it('pads Ethernet frames to 60 bytes outside the IP datagram', () => {
    const frame = buildPacket({
      link: { type: LinkType.ETHERNET, padToMinimum: true, padByte: 0xab },
      ip: ipv4Spec(src, dst),
      l4: { proto: 'tcp', srcPort: 1, dstPort: 2, seq: 0, flags: TcpFlags.RST },
    });
    expect(frame.length).toBe(60);
    const d = decodeTcp4(frame);
    expect(d.payload.length).toBe(0);
    expect(Buffer.from(frame).readUInt16BE(16)).toBe(40); // IP total length excludes the padding
    expect(Array.from(frame.subarray(54))).toEqual(new Array(6).fill(0xab));
  });

  it('splits IPv4 datagrams into 8-byte-aligned fragments', () => {
    const frames = buildFragments(
      {
        link: { type: LinkType.RAW },
        ip: ipv4Spec(src, dst, false, 64, 7),
        l4: { proto: 'udp', srcPort: 1, dstPort: 2 },
        payload: new Uint8Array(3000),
      },
      1400,
    );
    expect(frames.length).toBe(3);
    const offsets = frames.map((f) => Buffer.from(f).readUInt16BE(6));
    expect(offsets.map((v) => (v & 0x1fff) * 8)).toEqual([0, 1400, 2800]);
    expect(offsets.map((v) => (v & 0x2000) !== 0)).toEqual([true, true, false]);
  });
});

describe('TcpSession', () => {
  const session = (opts: Partial<ConstructorParameters<typeof TcpSession>[0]> = {}) =>
    new TcpSession({
      client: { ip: '203.0.113.7', port: 51515, stack: 'linux', isn: 1000, tsClock: 500 },
      server: { ip: '198.18.0.10', port: 443, isn: 9000 },
      prng: new Prng(7),
      startTs: 1_736_899_200_000_000,
      ...opts,
    });
  const dec = (p: SessionPacket) => decodeTcp4(p.frame);

  it('tracks seq/ack through handshake, data both ways and FIN close', () => {
    const s = session();
    s.handshake();
    s.send('client', Buffer.from('abc'));
    s.send('server', Buffer.from('defgh'));
    s.close('client');
    const d = s.packets.map(dec);
    expect(d.map((x) => [x.flags, x.seq, x.ack])).toEqual([
      [TcpFlags.SYN, 1000, 0],
      [TcpFlags.SYN | TcpFlags.ACK, 9000, 1001],
      [TcpFlags.ACK, 1001, 9001],
      [TcpFlags.ACK | TcpFlags.PSH, 1001, 9001],
      [TcpFlags.ACK | TcpFlags.PSH, 9001, 1004],
      [TcpFlags.FIN | TcpFlags.ACK, 1004, 9006],
      [TcpFlags.FIN | TcpFlags.ACK, 9006, 1005],
      [TcpFlags.ACK, 1005, 9007],
    ]);
    expect(d.every((x) => x.ipHeaderOk && x.tcpChecksumOk)).toBe(true);
    // Timestamps negotiated: every non-SYN segment carries NOP NOP TS, echoing the peer's last TSval.
    expect(s.timestamps).toBe(true);
    expect(d[2]!.options.length).toBe(12);
    expect(d[2]!.options.readUInt32BE(8)).toBe(d[1]!.options.readUInt32BE(d[1]!.options.indexOf(8) + 2));
    // Capture times increase; the client's answer comes one RTT after the server's segment.
    const ts = s.packets.map((p) => p.ts);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(ts[2]! - ts[1]!).toBeGreaterThan(30_000);
  });

  it('splits a Chrome ClientHello over two MSS-sized segments and tags the completing one', () => {
    const s = session();
    s.handshake();
    const ch = buildClientHello('chrome', new Prng(1), { sni: 'www.example.com' });
    expect(ch.bytes.length).toBeGreaterThan(s.maxSegment('client'));
    const segs = s.send('client', ch.bytes, { tag: PacketTag.CLIENT_HELLO });
    expect(segs.map((p) => p.payloadLength)).toEqual([1448, ch.bytes.length - 1448]);
    expect(segs.map((p) => p.tags)).toEqual([0, PacketTag.CLIENT_HELLO]);
    expect(Buffer.concat(segs.map((p) => dec(p).payload))).toEqual(ch.bytes);
  });

  it('retransmits a data segment with the same sequence range, and the SYN with the same ISN', () => {
    const s = session();
    s.handshake({ synRetransmits: 2 });
    const out = s.send('client', new Uint8Array(3000).fill(7), { retransmit: [1] });
    const syns = s.packets.filter((p) => p.flags === TcpFlags.SYN);
    expect(syns.map((p) => dec(p).seq)).toEqual([1000, 1000, 1000]);
    expect(syns.map((p) => p.tags & PacketTag.SYN_RETRANSMIT)).toEqual([
      0,
      PacketTag.SYN_RETRANSMIT,
      PacketTag.SYN_RETRANSMIT,
    ]);
    expect(syns[1]!.ts - syns[0]!.ts).toBe(1_000_000);
    expect(syns[2]!.ts - syns[1]!.ts).toBe(2_000_000);
    const retx = out.at(-1)!;
    expect(retx.tags).toBe(PacketTag.DATA_RETRANSMIT);
    expect(dec(retx).seq).toBe(dec(out[1]!).seq);
    expect(dec(retx).payload).toEqual(dec(out[1]!).payload);
    expect(retx.ts - out[out.length - 2]!.ts).toBeGreaterThan(200_000);
  });

  it('delivers segments out of order, sends keep-alives at next-1, and closes with RST', () => {
    const s = session();
    s.handshake();
    const out = s.send('client', new Uint8Array(30).fill(1), { segments: 3, order: [2, 0, 1] });
    expect(out.map((p) => dec(p).seq - 1001)).toEqual([20, 0, 10]);
    expect(out.map((p) => (p.tags & PacketTag.OUT_OF_ORDER) !== 0)).toEqual([false, true, true]);
    s.keepAlive('client', { idleUs: 10_000_000 });
    const ka = s.packets.at(-2)!;
    expect(ka.tags).toBe(PacketTag.KEEPALIVE);
    expect(dec(ka).seq).toBe(1001 + 30 - 1);
    s.rst('client');
    expect(dec(s.packets.at(-1)!).flags).toBe(TcpFlags.RST | TcpFlags.ACK);
  });

  it('builds SYN-scan probes: closed, open, filtered', () => {
    const closed = session({ client: { ip: '203.0.113.7', port: 40000, stack: 'masscan', isn: 5 } }).probe(
      'closed',
    );
    expect(closed.packets.map((p) => [dec(p).flags, dec(p).seq, dec(p).ack])).toEqual([
      [TcpFlags.SYN, 5, 0],
      [TcpFlags.RST | TcpFlags.ACK, 0, 6],
    ]);
    expect(dec(closed.packets[0]!).options.length).toBe(0); // masscan: no options
    const open = session({ client: { ip: '203.0.113.7', port: 40000, stack: 'nmap', isn: 5 } }).probe('open');
    expect(open.packets.map((p) => dec(p).flags)).toEqual([
      TcpFlags.SYN,
      TcpFlags.SYN | TcpFlags.ACK,
      TcpFlags.RST,
    ]);
    expect(dec(open.packets[2]!).seq).toBe(6);
    const filtered = session().probe('filtered', { synRetransmits: 1 });
    expect(filtered.packets.length).toBe(2);
  });

  it('uses each stack SYN layout, TTL and window', () => {
    const win = session({ client: { ip: '203.0.113.7', port: 50000, stack: 'windows', hops: 10 } });
    win.syn();
    const d = dec(win.packets[0]!);
    expect(d.ttl).toBe(118);
    expect(d.window).toBe(64240);
    expect(d.df).toBe(true);
    // MSS 1460, NOP, WScale 8, NOP, NOP, SACK permitted
    expect(Array.from(d.options)).toEqual([2, 4, 5, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2]);
  });
});

describe('payload builders', () => {
  it('ClientHello profiles: GREASE, permutation, sizes, TLS 1.2-only curl', () => {
    const p = new Prng(11);
    const a = buildClientHello('chrome', p, { sni: 'a.example' });
    const b = buildClientHello('chrome', p, { sni: 'a.example' });
    expect(isGrease(a.spec.cipherSuites[0]!)).toBe(true);
    expect(isGrease(a.spec.extensions[0]!.type) && isGrease(a.spec.extensions.at(-1)!.type)).toBe(true);
    expect(a.spec.extensions.map((e) => e.type)).not.toEqual(b.spec.extensions.map((e) => e.type));
    const ks = a.spec.extensions.find((e) => e.type === TlsExt.KEY_SHARE)!;
    expect(Buffer.from(ks.data).indexOf(Buffer.from([0x11, 0xec, 0x04, 0xc0]))).toBeGreaterThan(0); // 1216-byte share
    // Record and handshake lengths agree with the bytes.
    expect(a.bytes.readUInt16BE(3)).toBe(a.bytes.length - 5);
    expect(a.bytes.readUIntBE(6, 3)).toBe(a.bytes.length - 9);
    const curl = buildClientHello('curl-tls12', p, {});
    expect(curl.spec.extensions.some((e) => e.type === TlsExt.SUPPORTED_VERSIONS)).toBe(false);
    expect(curl.spec.extensions.some((e) => e.type === TlsExt.SERVER_NAME)).toBe(false);
    expect(buildClientHello('go', p, { alpn: ['http/1.1'] }).spec.alpn).toEqual(['http/1.1']);
  });

  it('SSH KEXINIT packets are block-aligned with at least 4 bytes of padding and carry the name-lists', () => {
    const lists = SSH_CLIENT_PROFILES[0]!.lists;
    const pkt = buildKexinit(lists, new Prng(2));
    const len = pkt.readUInt32BE(0);
    expect((len + 4) % 8).toBe(0);
    expect(pkt[4]!).toBeGreaterThanOrEqual(4);
    expect(pkt[5]).toBe(20);
    const firstListLen = pkt.readUInt32BE(22);
    expect(pkt.subarray(26, 26 + firstListLen).toString()).toBe(lists.kex.join(','));
    expect(sshIdentification('SSH-2.0-Go').toString()).toBe('SSH-2.0-Go\r\n');
  });

  it('HTTP requests keep the client header order', () => {
    const req = buildHttpRequest('python-requests', '198.18.0.1', new Prng(1), {
      method: 'GET',
      target: '/',
    }).toString();
    expect(req.split('\r\n').slice(0, 6)).toEqual([
      'GET / HTTP/1.1',
      'Host: 198.18.0.1',
      'User-Agent: python-requests/2.31.0',
      'Accept-Encoding: gzip, deflate',
      'Accept: */*',
      'Connection: keep-alive',
    ]);
  });
});

describe('writers', () => {
  const rec: PacketRecord = { ts: 1_736_899_200_123_456, frame: Uint8Array.of(1, 2, 3, 4, 5), nanos: 789 };

  it('writes classic pcap with microsecond and nanosecond magics', () => {
    const us = captureFileBytes([rec], { linkType: LinkType.LINUX_SLL2 });
    expect(us.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(us.readUInt32LE(20)).toBe(276);
    expect([us.readUInt32LE(24), us.readUInt32LE(28), us.readUInt32LE(32), us.readUInt32LE(36)]).toEqual([
      1_736_899_200, 123_456, 5, 5,
    ]);
    const ns = captureFileBytes([rec], { linkType: LinkType.RAW, nanosecond: true });
    expect(ns.readUInt32LE(0)).toBe(0xa1b23c4d);
    expect(ns.readUInt32LE(28)).toBe(123_456_789);
  });

  it('cuts frames to the snap length and keeps the wire length', () => {
    const frame = new Uint8Array(100).fill(1);
    const b = captureFileBytes([{ ts: 0, frame }], { linkType: LinkType.ETHERNET, snaplen: 64 });
    expect([b.readUInt32LE(16), b.readUInt32LE(32), b.readUInt32LE(36), b.length]).toEqual([
      64,
      64,
      100,
      24 + 16 + 64,
    ]);
    const ng = captureFileBytes([{ ts: 0, frame }], {
      linkType: LinkType.ETHERNET,
      snaplen: 64,
      format: 'pcapng',
    });
    const epb = ng.length - (32 + 64);
    expect([ng.readUInt32LE(epb), ng.readUInt32LE(epb + 20), ng.readUInt32LE(epb + 24)]).toEqual([
      6, 64, 100,
    ]);
  });

  it('writes pcapng SHB, IDB (with if_tsresol) and padded EPBs', () => {
    const w = new PcapngWriter({
      interfaces: [{ linkType: 1 }, { linkType: 101, nanosecond: true, name: 'eth0' }],
    });
    w.write(rec.ts, rec.frame);
    w.writeOn(1, rec.ts, rec.frame, 5, 789);
    const b = w.close()!;
    let off = 0;
    const blocks: Array<[number, number]> = [];
    while (off < b.length) {
      const type = b.readUInt32LE(off);
      const len = b.readUInt32LE(off + 4);
      expect(b.readUInt32LE(off + len - 4)).toBe(len);
      expect(len % 4).toBe(0);
      blocks.push([type, off]);
      off += len;
    }
    expect(blocks.map(([t]) => t)).toEqual([0x0a0d0d0a, 1, 1, 6, 6]);
    const epbNs = blocks[4]![1];
    const tsNs = (BigInt(b.readUInt32LE(epbNs + 12)) << 32n) | BigInt(b.readUInt32LE(epbNs + 16));
    expect(tsNs).toBe(1_736_899_200_123_456_789n);
  });
});

describe('bench generator', () => {
  it('parses --mix and rejects unknown keys', () => {
    expect(parseMix('scan=95,tls=2,ssh=1,http=2')).toMatchObject({ scan: 95, tls: 2, other: 0, dns: 0 });
    expect(() => parseMix('scan=1,bogus=2')).toThrow(/unknown mix key/);
    expect(() => parseMix('scan=0')).toThrow(/no positive weight/);
  });

  it('is byte-for-byte deterministic for a seed', () => {
    const a = path.join(tmp, 'det-a.pcap');
    const b = path.join(tmp, 'det-b.pcap');
    const c = path.join(tmp, 'det-c.pcap');
    generateBenchPcap({ output: a, packets: 5000, seed: 9 });
    generateBenchPcap({ output: b, packets: 5000, seed: 9 });
    generateBenchPcap({ output: c, packets: 5000, seed: 10 });
    expect(sha256(a)).toBe(sha256(b));
    expect(sha256(a)).not.toBe(sha256(c));
    expect(fs.readFileSync(`${a}.manifest.json`, 'utf8')).toBe(fs.readFileSync(`${b}.manifest.json`, 'utf8'));
  });

  it('the JS baseline agrees with the manifest (flows, packets, bytes; padding not payload)', () => {
    const file = path.join(tmp, 'padded.pcap');
    const m = generateBenchPcap({ output: file, packets: 20_000, seed: 3, ethPad: true });
    const r = runJsBaseline(file);
    expect(r.packets).toBe(m.packets);
    expect(r.tcp_flows).toBe(m.tcp_flows);
    expect(r.udp_flows).toBe(m.udp_flows);
    expect(r.flows).toBe(m.tcp_flows + m.udp_flows);
    expect(r.captured_bytes).toBe(m.bytes);
    expect(r.payload_bytes).toBe(m.payload_bytes);
    expect(r.other_packets).toBe(m.icmp_packets);
  });

  it('follows the requested mix', () => {
    const m = generateBenchPcap({
      output: path.join(tmp, 'mix.pcap'),
      packets: 20_000,
      mix: parseMix('scan=95,tls=5'),
    });
    expect(m.flows_by_kind.ssh + m.flows_by_kind.http + m.flows_by_kind.dns).toBe(0);
    expect(m.flows_by_kind.scan / m.flows).toBeGreaterThan(0.9);
    expect(m.client_hellos).toBeGreaterThan(0);
  });
});

const DIST_GEN = fileURLToPath(new URL('../../../dist/scripts/gen-bench-pcap.js', import.meta.url));
const DIST_BASELINE = fileURLToPath(new URL('../../../dist/bench/js-baseline.js', import.meta.url));
const HAVE_DIST = fs.existsSync(DIST_GEN) && fs.existsSync(DIST_BASELINE);
if (!HAVE_DIST) console.warn('pcapgen tests: dist/ not built, skipping CLI tests (npm run build:ts)');

describe.skipIf(!HAVE_DIST)('compiled CLIs', () => {
  const node = (args: string[]) => spawnSync(process.execPath, args, { encoding: 'utf8' });

  it('gen-bench-pcap writes what generateBenchPcap writes, and rejects bad options with exit 2', () => {
    const viaCli = path.join(tmp, 'cli.pcap');
    const inProcess = path.join(tmp, 'cli-ref.pcap');
    const r = node([
      DIST_GEN,
      '-o',
      viaCli,
      '-n',
      '3000',
      '--seed',
      '5',
      '--mix',
      'scan=50,tls=50',
      '--eth-pad',
      '-q',
    ]);
    expect(r.status, r.stderr).toBe(0);
    generateBenchPcap({
      output: inProcess,
      packets: 3000,
      seed: 5,
      mix: parseMix('scan=50,tls=50'),
      ethPad: true,
    });
    expect(sha256(viaCli), 'dist/ is stale: npm run build:ts').toBe(sha256(inProcess));
    expect(JSON.parse(fs.readFileSync(`${viaCli}.manifest.json`, 'utf8')).packets).toBe(3000);
    const bad = node([DIST_GEN, '-o', path.join(tmp, 'bad.pcap'), '--mix', 'scan=1,nope=2']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown mix key "nope"/);
    expect(node([DIST_GEN]).status).toBe(2);
  });

  it('js-baseline prints one JSON line with the documented fields', () => {
    const file = path.join(tmp, 'cli-ref.pcap');
    if (!fs.existsSync(file)) generateBenchPcap({ output: file, packets: 3000, seed: 5 });
    const r = node([DIST_BASELINE, file]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(1);
    const out = JSON.parse(lines[0]!);
    for (const k of ['packets', 'flows', 'seconds', 'cpu_user_s', 'cpu_system_s', 'max_rss_mib']) {
      expect(typeof out[k], k).toBe('number');
    }
    expect(out.packets).toBe(3000);
    expect(node([DIST_BASELINE, path.join(tmp, 'missing.pcap')]).status).toBe(1);
  });
});

describe.skipIf(!TSHARK)('cross-checks with tshark', () => {
  const links: Array<[string, LinkSpec, RegExp]> = [
    ['ethernet', { type: LinkType.ETHERNET }, /^eth:ethertype:ipv?6?:/],
    ['vlan', { type: LinkType.ETHERNET, vlans: [100] }, /^eth:ethertype:vlan:ethertype:ip/],
    [
      'qinq',
      { type: LinkType.ETHERNET, vlans: [300, 100], qinq: true },
      /^eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip/,
    ],
    ['padded', { type: LinkType.ETHERNET, padToMinimum: true }, /^eth:ethertype:ip/],
    ['sll', { type: LinkType.LINUX_SLL }, /^sll:ethertype:ip/],
    ['sll2', { type: LinkType.LINUX_SLL2 }, /^sll:ethertype:ip/],
    ['raw', { type: LinkType.RAW }, /^raw:ip/],
    ['null-bsd', { type: LinkType.NULL, nullFamilyV6: 24 }, /^null:ip/],
    ['null-freebsd', { type: LinkType.NULL, nullFamilyV6: 28 }, /^null:ip/],
    ['null-darwin', { type: LinkType.NULL, nullFamilyV6: 30 }, /^null:ip/],
  ];

  // IPv4 and IPv6 TCP sessions (Windows stack: option-less ACKs that need padding), UDP and ICMPv6.
  function sampleRecords(link: LinkSpec): { recs: PacketRecord[]; tcp: SessionPacket[]; v6: number } {
    const p = new Prng(5);
    const recs: PacketRecord[] = [];
    const tcp: SessionPacket[] = [];
    let v6 = 1; // the ICMPv6 echo below
    for (const [c, s] of [
      ['203.0.113.9', '198.18.0.5'],
      ['2001:db8::9', '2001:db8:dec0::5'],
    ] as const) {
      const t = new TcpSession({
        client: { ip: c, port: 40001, stack: 'windows' },
        server: { ip: s, port: 80 },
        link,
        prng: p,
      });
      t.handshake();
      t.send('client', buildHttpRequest('curl', 'decoy', p, { method: 'GET', target: '/' }));
      t.close('server');
      recs.push(...t.packets);
      tcp.push(...t.packets);
      if (c.includes(':')) v6 += t.packets.length;
    }
    const last = recs.at(-1)!.ts;
    recs.push({
      ts: last + 10,
      frame: buildPacket({
        link,
        ip: ipv4Spec(parseIp('203.0.113.9'), parseIp('198.18.0.5')),
        l4: { proto: 'udp', srcPort: 5353, dstPort: 53 },
        payload: dnsQuery(1, 'example.com', 1),
      }),
    });
    recs.push({
      ts: last + 20,
      frame: buildPacket({
        link,
        ip: ipv6Spec(parseIp('2001:db8::9'), parseIp('2001:db8:dec0::5')),
        l4: { proto: 'icmp', type: 128, rest: 0x10001 },
        payload: new Uint8Array(8),
      }),
    });
    return { recs, tcp, v6 };
  }

  for (const [name, link, layers] of links) {
    for (const format of ['pcap', 'pcap-ns', 'pcapng'] as const) {
      it(`reads ${name} (${format}) with tshark${TCPDUMP ? ' and tcpdump' : ''}: layers, checksums, payload lengths`, () => {
        const file = path.join(tmp, `link-${name}.${format}`);
        const { recs, tcp, v6 } = sampleRecords(link);
        writeCaptureFile(file, recs, {
          linkType: link.type,
          format: format === 'pcapng' ? 'pcapng' : 'pcap',
          nanosecond: format !== 'pcap',
        });
        const rows = fields(
          file,
          [
            'frame.protocols',
            'ip.checksum.status',
            'tcp.checksum.status',
            'udp.checksum.status',
            'icmpv6.checksum.status',
            'tcp.len',
            'frame.time_epoch',
          ],
          CHECKSUM_PREFS,
        );
        expect(rows.length).toBe(recs.length);
        for (const [protocols, ipCk, tcpCk, udpCk, icmp6Ck] of rows) {
          expect(protocols).toMatch(layers);
          for (const ck of [ipCk, tcpCk, udpCk, icmp6Ck]) expect(['', '1']).toContain(ck); // 1 = good
        }
        // TCP payload lengths come from the IP length fields: Ethernet padding is not payload.
        const tcpRows = rows.filter((r) => r[0]!.includes(':tcp'));
        expect(tcpRows.map((r) => Number(r[5]))).toEqual(tcp.map((r) => r.payloadLength));
        expect(rows.filter((r) => r[0]!.includes(':ipv6:')).length).toBe(v6);
        expect(Number(rows[0]![6])).toBeCloseTo(recs[0]!.ts / 1e6, 6);
        if (TCPDUMP) {
          const r = spawnSync('tcpdump', ['-nn', '-r', file], { encoding: 'utf8' });
          expect(r.status).toBe(0);
          expect(r.stdout.split('\n').filter((l) => l.trim()).length).toBe(recs.length);
        }
      });
    }
  }

  it('verifies checksums over IPv4 options and fragments and IPv6 extension headers', () => {
    const link: LinkSpec = { type: LinkType.ETHERNET };
    const c6 = parseIp('2001:db8::9');
    const s6 = parseIp('2001:db8:dec0::5');
    const c4 = parseIp('203.0.113.9');
    const s4 = parseIp('198.18.0.5');
    const tcp = {
      proto: 'tcp' as const,
      srcPort: 40000,
      dstPort: 80,
      seq: 1,
      ack: 1,
      flags: TcpFlags.ACK | TcpFlags.PSH,
    };
    const payload = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const frames: Uint8Array[] = [
      buildPacket({
        link,
        ip: {
          ...ipv6Spec(c6, s6),
          extHeaders: [{ kind: 'hopByHop', options: Uint8Array.of(5, 2, 0, 0) }, { kind: 'destOptions' }],
        },
        l4: tcp,
        payload,
      }),
      // Routing header: the checksum uses the final destination (RFC 8200 §8.1).
      buildPacket({
        link,
        ip: {
          ...ipv6Spec(c6, parseIp('2001:db8:ffff::1')),
          extHeaders: [{ kind: 'routing', addresses: [s6] }],
        },
        l4: tcp,
        payload,
      }),
      buildPacket({
        link,
        ip: { ...ipv6Spec(c6, s6), extHeaders: [{ kind: 'fragment', id: 7 }] },
        l4: { proto: 'udp', srcPort: 5353, dstPort: 53 },
        payload: dnsQuery(9, 'example.com', 1),
      }),
      buildPacket({
        link,
        ip: { ...ipv4Spec(c4, s4), options: Uint8Array.of(0x94, 4, 0, 0) },
        l4: tcp,
        payload,
      }),
      ...buildFragments(
        {
          link,
          ip: ipv4Spec(c4, s4, false, 64, 99),
          l4: { proto: 'udp', srcPort: 1000, dstPort: 2000 },
          payload: new Prng(1).bytes(3000),
        },
        1400,
      ),
      ...buildFragments(
        {
          link,
          ip: { ...ipv6Spec(c6, s6), extHeaders: [{ kind: 'hopByHop' }] },
          l4: { ...tcp, dstPort: 2000 },
          payload: new Prng(2).bytes(3000),
        },
        1400,
        1234,
      ),
    ];
    const file = path.join(tmp, 'ext.pcap');
    writeCaptureFile(
      file,
      frames.map((frame, i) => ({ ts: 1_736_899_200_000_000 + i, frame })),
      { linkType: LinkType.ETHERNET },
    );
    const rows = fields(
      file,
      ['frame.protocols', 'tcp.checksum.status', 'udp.checksum.status', 'ip.checksum.status'],
      CHECKSUM_PREFS,
    );
    const protos = rows.map((r) => r[0]);
    expect(protos[0]).toContain('ipv6.hopopts:ipv6.dstopts:tcp');
    expect(protos[1]).toContain('ipv6.routing:tcp');
    expect(protos[2]).toContain('ipv6.fraghdr:udp:dns');
    expect(protos[6]).toContain('ip:udp'); // reassembled from three fragments
    expect(protos[9]).toContain('ipv6.fraghdr:tcp');
    const statuses = rows.flatMap((r) => r.slice(1)).filter((s) => s !== '');
    expect(statuses.length).toBeGreaterThan(8);
    expect(new Set(statuses)).toEqual(new Set(['1']));
  });

  it('tshark reassembles the split ClientHello; every JA3/JA3S matches the builder inputs', () => {
    const p = new Prng(21);
    const cases: Array<[ClientHelloProfile, string | undefined, string[] | undefined]> = [
      ['chrome', 'www.example.com', undefined],
      ['chrome', undefined, ['http/1.1']],
      ['chrome-x25519', 'mail.example.org', undefined],
      ['firefox', 'portal.example.net', ['h2']],
      ['curl-tls12', 'x.example', undefined],
      ['go', undefined, []],
      ['python-openssl3', 'api.example.com', ['http/1.1']],
    ];
    const recs: PacketRecord[] = [];
    const expected: Array<{ ja3: string; ja3s: string; split: boolean }> = [];
    let t = 1_736_899_200_000_000;
    cases.forEach(([profile, sni, alpn], i) => {
      const s = new TcpSession({
        client: { ip: `203.0.113.${10 + i}`, port: 40000 + i, stack: i % 2 ? 'windows' : 'linux' },
        server: { ip: '198.18.0.5', port: 443 },
        prng: p,
        startTs: t,
      });
      s.handshake();
      const ch = buildClientHello(profile, p, { sni, alpn });
      const segs = s.send('client', ch.bytes, { ack: true });
      const flight = buildServerFlight(ch.spec, p, { tls13: i % 3 !== 0 });
      s.send('server', flight.bytes);
      s.close('client');
      recs.push(...s.packets);
      t = s.now + 1000;
      const sh = flight.spec;
      expected.push({
        ja3: expectedJa3(ch.spec),
        ja3s: [sh.legacyVersion, sh.cipherSuite, sh.extensions.map((e) => e.type).join('-')].join(','),
        split: segs.length === 2,
      });
    });
    expect(expected.filter((e) => e.split).length).toBe(2);
    const file = path.join(tmp, 'hellos.pcap');
    writeCaptureFile(file, recs, { linkType: LinkType.ETHERNET });
    const hellos = fields(
      file,
      ['tcp.stream', 'tls.handshake.ja3_full', 'tcp.segment.count'],
      ['-Y', 'tls.handshake.type == 1'],
    );
    expect(hellos.map((r) => Number(r[0]))).toEqual(cases.map((_, i) => i));
    expect(hellos.map((r) => r[1])).toEqual(expected.map((e) => e.ja3));
    expect(hellos.map((r) => r[2] === '2')).toEqual(expected.map((e) => e.split));
    const servers = fields(file, ['tls.handshake.ja3s_full'], ['-Y', 'tls.handshake.type == 2']);
    expect(servers.map((r) => r[0])).toEqual(expected.map((e) => e.ja3s));
  });

  it('tshark HASSH algorithm strings match the SSH profiles', () => {
    const p = new Prng(4);
    const recs: PacketRecord[] = [];
    SSH_CLIENT_PROFILES.forEach((cp, i) => {
      const sp = SSH_SERVER_PROFILES[i % SSH_SERVER_PROFILES.length]!;
      const s = new TcpSession({
        client: { ip: `203.0.113.${20 + i}`, port: 41000 + i },
        server: { ip: '198.18.0.6', port: 22 },
        prng: p,
        startTs: 1_736_899_200_000_000 + i * 10_000_000,
      });
      s.handshake();
      s.send('server', sshIdentification(sp.banner));
      if (cp.kexinitWithBanner)
        s.send('client', Buffer.concat([sshIdentification(cp.banner), buildKexinit(cp.lists, p)]));
      else {
        s.send('client', sshIdentification(cp.banner));
        s.send('client', buildKexinit(cp.lists, p));
      }
      s.send('server', buildKexinit(sp.lists, p));
      s.close('client');
      recs.push(...s.packets);
    });
    const file = path.join(tmp, 'ssh.pcap');
    writeCaptureFile(file, recs, { linkType: LinkType.ETHERNET });
    const got = fields(file, ['ssh.kex.hassh_algorithms'], ['-Y', 'ssh.kex.hassh_algorithms']).map(
      (r) => r[0],
    );
    expect(got).toEqual(
      SSH_CLIENT_PROFILES.map((cp) =>
        [cp.lists.kex, cp.lists.ciphers, cp.lists.macs, cp.lists.compression]
          .map((l) => l.join(','))
          .join(';'),
      ),
    );
  });

  it('the bench manifest agrees with tshark on a 20k-packet file', () => {
    const file = path.join(tmp, 'bench-20k.pcap');
    const m: BenchManifest = generateBenchPcap({ output: file, packets: 20_000, seed: 1 });
    expect(JSON.parse(fs.readFileSync(`${file}.manifest.json`, 'utf8'))).toEqual(m);
    const rows = fields(
      file,
      [
        'tls.handshake.type',
        'tcp.segment.count',
        'ssh.protocol',
        'ssh.message_code',
        'tcp.dstport',
        'http.request.method',
        'tcp.stream',
        'udp.stream',
        'tcp.analysis.retransmission',
        'tcp.flags.syn',
        'ip.checksum.status',
        'tcp.checksum.status',
        'udp.checksum.status',
        'tcp.srcport',
        'tcp.flags.ack',
        'tcp.flags.reset',
        'tcp.analysis.keep_alive',
      ],
      [...CHECKSUM_PREFS, ...DECODE_AS],
    );
    const has = (cell: string | undefined, v: string): boolean => (cell ?? '').split(',').includes(v);
    const toServer = (r: string[]): boolean => r[4] === '22' || r[4] === '2222';
    const count = (pred: (r: string[]) => boolean): number => rows.filter(pred).length;
    expect(rows.length).toBe(m.packets);
    expect(count((r) => has(r[0], '1'))).toBe(m.client_hellos);
    expect(count((r) => has(r[0], '1') && r[1] === '2')).toBe(m.client_hellos_split);
    expect(count((r) => has(r[0], '2'))).toBe(m.server_hellos);
    expect(count((r) => r[2] !== '' && toServer(r))).toBe(m.ssh_client_banners);
    expect(count((r) => has(r[3], '20') && toServer(r))).toBe(m.ssh_client_kexinits);
    expect(count((r) => r[5] !== '')).toBe(m.http_requests);
    expect(new Set(rows.map((r) => r[6]).filter((s) => s !== '')).size).toBe(m.tcp_flows);
    expect(new Set(rows.map((r) => r[7]).filter((s) => s !== '')).size).toBe(m.udp_flows);
    expect(count((r) => r[8] !== '' && r[9] === '1')).toBe(m.retransmitted_syns);
    const dataRetx = count((r) => r[8] !== '' && r[9] === '0');
    expect(Math.abs(dataRetx - m.retransmitted_data_segments)).toBeLessThanOrEqual(m.out_of_order_segments);
    expect(m.client_hellos_split).toBeGreaterThan(0);
    const statuses = rows.flatMap((r) => r.slice(10, 13)).filter((s) => s !== '');
    expect(new Set(statuses)).toEqual(new Set(['1']));
    expect(count((r) => r[16] !== '')).toBe(m.keepalives);
    // syn_only_flows: streams whose client (the SYN sender) sent nothing but SYN and RST segments.
    const clientPort = new Map<string, string>();
    const nonSyn = new Set<string>();
    for (const r of rows) {
      if (r[6] === '' || r[6] === undefined) continue;
      if (r[9] === '1' && r[14] === '0' && !clientPort.has(r[6])) clientPort.set(r[6], r[13]!);
    }
    for (const r of rows) {
      if (r[6] && clientPort.get(r[6]) === r[13] && r[9] === '0' && r[15] === '0') nonSyn.add(r[6]);
    }
    expect(clientPort.size - nonSyn.size).toBe(m.syn_only_flows);
  });

  it('with --eth-pad, tshark sees padding and the same payload bytes as the manifest', () => {
    const file = path.join(tmp, 'bench-padded.pcap');
    const m = generateBenchPcap({ output: file, packets: 5_000, seed: 2, ethPad: true });
    const rows = fields(file, ['frame.len', 'eth.padding', 'tcp.len', 'udp.length']);
    expect(rows.every((r) => Number(r[0]) >= 60)).toBe(true);
    expect(rows.filter((r) => r[1] !== '').length).toBeGreaterThan(100);
    const payload = rows.reduce((s, r) => s + (r[2] ? Number(r[2]) : 0) + (r[3] ? Number(r[3]) - 8 : 0), 0);
    expect(payload).toBe(m.payload_bytes);
  });
});
