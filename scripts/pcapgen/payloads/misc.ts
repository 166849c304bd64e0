// Other payloads attackers send to decoys: telnet option negotiation (RFC 854/855) and logins,
// Redis RESP commands, SMB1 negotiate ([MS-CIFS]), RDP X.224 connection request ([MS-RDPBCGR]),
// MySQL handshake, TDS pre-login ([MS-TDS]), DNS (RFC 1035) queries and answers, and random junk.

import { ByteWriter } from '../bytes.js';
import type { Prng } from '../prng.js';

export const TELNET_IAC = 255;
export const TELNET_DO = 253;
export const TELNET_DONT = 254;
export const TELNET_WILL = 251;
export const TELNET_WONT = 252;

// A busybox-style telnetd's opening negotiation.
export function telnetServerNegotiation(): Buffer {
  return Buffer.from([255, 253, 1, 255, 253, 31, 255, 251, 1, 255, 251, 3]);
}

// A bot's negotiation answer (refusing everything it was asked).
export function telnetClientNegotiation(): Buffer {
  return Buffer.from([255, 252, 1, 255, 252, 31, 255, 254, 1, 255, 254, 3]);
}

// Credentials Mirai-family bots try.
export const TELNET_CREDENTIALS: ReadonlyArray<readonly [string, string]> = [
  ['root', 'xc3511'],
  ['root', 'vizxv'],
  ['admin', 'admin'],
  ['root', 'admin'],
  ['root', '888888'],
  ['root', 'default'],
  ['support', 'support'],
  ['root', '12345'],
  ['user', 'user'],
  ['root', 'root'],
];

// RESP array-of-bulk-strings encoding of a Redis command.
export function redisCommand(args: readonly string[]): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return Buffer.from(s, 'latin1');
}

// SMB1 NEGOTIATE request in a NetBIOS session message, offering the classic dialects.
export function smbNegotiateRequest(prng: Prng): Buffer {
  const dialects = [
    'PC NETWORK PROGRAM 1.0',
    'LANMAN1.0',
    'Windows for Workgroups 3.1a',
    'LM1.2X002',
    'LANMAN2.1',
    'NT LM 0.12',
    'SMB 2.002',
    'SMB 2.???',
  ];
  const body = new ByteWriter(200);
  for (const d of dialects) body.u8(2).ascii(d).u8(0);
  const b = body.finish();
  const pid = prng.u32() & 0xffff;
  const smb = new ByteWriter(256);
  smb.u8(0xff).ascii('SMB').u8(0x72); // protocol, SMB_COM_NEGOTIATE
  smb.u32(0).u8(0x18); // status, flags
  smb.u8(0x53).u8(0xc8); // flags2 0xc853, little-endian like every SMB field
  smb.zeros(12); // PID high, security features, reserved
  smb
    .u8(0xff)
    .u8(0xff)
    .u8(pid & 0xff)
    .u8(pid >>> 8)
    .zeros(4); // TID, PID, UID, MID
  smb
    .u8(0)
    .u8(b.length & 0xff)
    .u8(b.length >>> 8)
    .bytes(b); // word count, byte count, dialects
  const msg = smb.finish();
  const out = new ByteWriter(msg.length + 4);
  out.u8(0).u24(msg.length).bytes(msg);
  return out.finish();
}

// TPKT + X.224 Connection Request with an mstshash cookie and an RDP negotiation request.
export function rdpConnectionRequest(user: string): Buffer {
  const cookie = Buffer.from(`Cookie: mstshash=${user}\r\n`, 'latin1');
  const x224 = new ByteWriter(64);
  x224
    .u8(6 + cookie.length + 8)
    .u8(0xe0)
    .u16(0)
    .u16(0)
    .u8(0)
    .bytes(cookie);
  x224.u8(1).u8(0).u8(8).u8(0).u8(3).u8(0).u8(0).u8(0); // RDP_NEG_REQ, TLS|CredSSP (LE)
  const x = x224.finish();
  const out = new ByteWriter(x.length + 4);
  out
    .u8(3)
    .u8(0)
    .u16(x.length + 4)
    .bytes(x);
  return out.finish();
}

// TPKT + X.224 Connection Confirm selecting TLS.
export function rdpConnectionConfirm(): Buffer {
  return Buffer.from([3, 0, 0, 19, 14, 0xd0, 0, 0, 0x12, 0x34, 0, 2, 0x1f, 8, 0, 1, 0, 0, 0]);
}

// MySQL protocol-10 initial handshake from a server.
export function mysqlGreeting(prng: Prng, version = '5.7.42-0ubuntu0.18.04.1'): Buffer {
  const p = new ByteWriter(96);
  p.u8(10).ascii(version).u8(0);
  p.u8(prng.range(1, 250)).u8(0).u8(0).u8(0); // connection id (LE)
  for (let i = 0; i < 8; i++) p.u8(0x21 + prng.int(90));
  p.u8(0).u8(0xff).u8(0xf7).u8(0x21).u8(0x02).u8(0x00).u8(0xff).u8(0x81).u8(21);
  p.zeros(10);
  for (let i = 0; i < 12; i++) p.u8(0x21 + prng.int(90));
  p.u8(0).ascii('mysql_native_password').u8(0);
  const body = p.finish();
  const out = new ByteWriter(body.length + 4);
  out
    .u8(body.length & 0xff)
    .u8((body.length >>> 8) & 0xff)
    .u8(0)
    .u8(0)
    .bytes(body);
  return out.finish();
}

// TDS PRELOGIN packet (type 0x12) as SQL clients and scanners send it.
export function tdsPrelogin(prng: Prng): Buffer {
  const opts = new ByteWriter(64);
  // option tokens: VERSION, ENCRYPTION, INSTOPT, THREADID, MARS, terminator
  const data = [
    Uint8Array.of(0x0f, 0, 0x07, 0xd0, 0, 0),
    Uint8Array.of(0),
    Uint8Array.of(0),
    prng.bytes(4),
    Uint8Array.of(0),
  ];
  let off = 5 * data.length + 1;
  data.forEach((d, i) => {
    opts.u8(i).u16(off).u16(d.length);
    off += d.length;
  });
  opts.u8(0xff);
  for (const d of data) opts.bytes(d);
  const body = opts.finish();
  const out = new ByteWriter(body.length + 8);
  out
    .u8(0x12)
    .u8(1)
    .u16(body.length + 8)
    .u16(0)
    .u8(0)
    .u8(0)
    .bytes(body);
  return out.finish();
}

export const DnsType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  ANY: 255,
} as const;

function dnsName(w: ByteWriter, name: string): void {
  for (const label of name.split('.')) if (label) w.prefixed(1, () => w.ascii(label));
  w.u8(0);
}

// A recursive DNS query for one name (optionally with an EDNS0 OPT record).
export function dnsQuery(id: number, name: string, qtype: number, edns = false): Buffer {
  const w = new ByteWriter(64);
  w.u16(id)
    .u16(0x0100)
    .u16(1)
    .u16(0)
    .u16(0)
    .u16(edns ? 1 : 0);
  dnsName(w, name);
  w.u16(qtype).u16(1);
  if (edns) w.u8(0).u16(41).u16(4096).u32(0).u16(0);
  return w.finish();
}

// The answer to dnsQuery: NXDOMAIN, or one A record when address is given.
export function dnsResponse(id: number, name: string, qtype: number, address?: Uint8Array): Buffer {
  const w = new ByteWriter(96);
  const answer = address !== undefined && qtype === DnsType.A;
  w.u16(id)
    .u16(answer ? 0x8180 : 0x8183)
    .u16(1)
    .u16(answer ? 1 : 0)
    .u16(0)
    .u16(0);
  dnsName(w, name);
  w.u16(qtype).u16(1);
  if (answer) w.u16(0xc00c).u16(DnsType.A).u16(1).u32(300).u16(4).bytes(address);
  return w.finish();
}

// Random binary junk of n bytes (what fuzzers and misdirected protocols send).
export function junk(prng: Prng, n: number): Buffer {
  return prng.noise(Buffer.allocUnsafe(n)) as Buffer;
}
