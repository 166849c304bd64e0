// DNS servers on loopback for PTR tests: dnsmasq (a real server) with PTR records, and a scriptable
// UDP responder that can answer late, answer with an rcode, or swallow queries, and that counts what
// it receives (including how many queries are outstanding at once).

import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseIp } from '../../src/util/ip.js';

export const DNSMASQ = '/usr/sbin/dnsmasq';
export const HAVE_DNSMASQ = existsSync(DNSMASQ);

/** The in-addr.arpa / ip6.arpa name of an address. */
export function reverseName(ip: string): string {
  const b = parseIp(ip);
  if (!b) throw new Error(`bad address ${ip}`);
  if (b.length === 4) return `${[...b].reverse().join('.')}.in-addr.arpa`;
  const nibbles: string[] = [];
  for (const byte of b) nibbles.push((byte >> 4).toString(16), (byte & 15).toString(16));
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

/** A port free for both UDP and TCP on 127.0.0.1 (dnsmasq binds both). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port');
}

export interface Dnsmasq {
  server: string;
  stop(): Promise<void>;
}

/**
 * Starts dnsmasq on 127.0.0.1:<free port> answering `ptr` names, NODATA for `txtOnly` addresses (a TXT
 * record but no PTR), and NXDOMAIN for every other reverse name (no upstream servers).
 */
export async function startDnsmasq(ptr: Record<string, string>, txtOnly: string[] = []): Promise<Dnsmasq> {
  const port = await freePort();
  const args = [
    '--keep-in-foreground',
    '--no-daemon',
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--conf-file=/dev/null',
    '--pid-file=',
    '--cache-size=0',
    '--local=/in-addr.arpa/',
    '--local=/ip6.arpa/',
    ...Object.entries(ptr).map(([ip, name]) => `--ptr-record=${reverseName(ip)},${name}`),
    ...txtOnly.map((ip) => `--txt-record=${reverseName(ip)},not-a-ptr`),
  ];
  if (process.getuid?.() === 0) args.push('--user=root', '--group=root');
  const child: ChildProcess = spawn(DNSMASQ, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const server = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  };
  // Ready when it answers a query (any answer, NXDOMAIN included).
  const probe = new Resolver({ timeout: 200, tries: 1 });
  probe.setServers([server]);
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited (${child.exitCode}): ${stderr}`);
    try {
      // resolvePtr, not reverse(): in Node 20 reverse() reports a refused connection as ENOTFOUND
      // too, which would call dnsmasq ready before it listens.
      await probe.resolvePtr(reverseName('192.0.2.1'));
      break;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') break;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`dnsmasq did not answer on ${server}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { server, stop };
}

/** What the scripted server does with one question. */
export type Reply = { rcode: number; ptr?: string | null; delayMs?: number } | 'drop';

export interface ScriptedDns {
  server: string;
  /** Queries received (all types). */
  readonly received: string[];
  /** Most queries received and not yet answered at any moment. */
  readonly maxOutstanding: number;
  close(): Promise<void>;
}

interface Question {
  id: number;
  flags: number;
  name: string;
  qtype: number;
  questionEnd: number;
}

function parseQuery(msg: Buffer): Question | null {
  if (msg.length < 12) return null;
  let o = 12;
  const labels: string[] = [];
  for (;;) {
    const len = msg[o];
    if (len === undefined || len > 63) return null;
    o++;
    if (len === 0) break;
    labels.push(msg.toString('latin1', o, o + len));
    o += len;
  }
  if (o + 4 > msg.length) return null;
  return {
    id: msg.readUInt16BE(0),
    flags: msg.readUInt16BE(2),
    name: labels.join('.'),
    qtype: msg.readUInt16BE(o),
    questionEnd: o + 4,
  };
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter((l) => l.length > 0);
  return Buffer.concat([
    ...parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0]),
  ]);
}

function buildReply(msg: Buffer, q: Question, r: { rcode: number; ptr?: string | null }): Buffer {
  const question = msg.subarray(12, q.questionEnd);
  const withAnswer = r.rcode === 0 && r.ptr !== undefined && r.ptr !== null;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  header.writeUInt16BE(0x8000 | (q.flags & 0x0100) | 0x0080 | (r.rcode & 0xf), 2); // QR, RD copied, RA
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(withAnswer ? 1 : 0, 6);
  if (!withAnswer) return Buffer.concat([header, question]);
  const rdata = encodeName(r.ptr!);
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
  rr.writeUInt16BE(12, 2); // PTR
  rr.writeUInt16BE(1, 4); // IN
  rr.writeUInt32BE(60, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([header, question, rr, rdata]);
}

/** Starts a UDP DNS responder on 127.0.0.1 whose behaviour per question name is `script`. */
export async function startScriptedDns(script: (name: string, qtype: number) => Reply): Promise<ScriptedDns> {
  const sock: Socket = createSocket('udp4');
  const received: string[] = [];
  let outstanding = 0;
  let maxOutstanding = 0;
  const timers = new Set<NodeJS.Timeout>();
  sock.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    const q = parseQuery(msg);
    if (!q) return;
    received.push(q.name);
    const reply = script(q.name, q.qtype);
    if (reply === 'drop') return;
    outstanding++;
    maxOutstanding = Math.max(maxOutstanding, outstanding);
    const send = () => {
      outstanding--;
      sock.send(buildReply(msg, q, reply), rinfo.port, rinfo.address);
    };
    if (reply.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        send();
      }, reply.delayMs);
      timers.add(t);
    } else send();
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  return {
    server: `127.0.0.1:${sock.address().port}`,
    received,
    get maxOutstanding() {
      return maxOutstanding;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        sock.close(() => resolve());
      }),
  };
}
