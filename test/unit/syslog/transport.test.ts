// Senders, file writer and listener over loopback (127.0.0.1, ephemeral ports).
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventToSyslog, syslogToEvent } from '../../../src/syslog/format.js';
import { SyslogListener } from '../../../src/syslog/listener.js';
import type { SyslogMessage } from '../../../src/syslog/message.js';
import { parseRfc5424, sdParams } from '../../../src/syslog/parse.js';
import {
  parseHostPort,
  SyslogFileWriter,
  SyslogTcpSender,
  SyslogUdpSender,
} from '../../../src/syslog/transport.js';

const LOOP = '127.0.0.1';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function event(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ts: `2026-06-20T10:00:00.${String(i).padStart(6, '0')}Z`,
    event_type: 'tls_client_hello',
    sensor_id: 'sensor-1',
    src_ip: '192.0.2.1',
    src_port: 40000 + i,
    dst_ip: '10.0.0.5',
    dst_port: 443,
    transport: 'tcp',
    sni: `host-${i}.example`,
    ...extra,
  };
}

async function listener(opts: ConstructorParameters<typeof SyslogListener>[0]) {
  const l = new SyslogListener(opts);
  const bound = await l.start();
  cleanups.push(() => l.close());
  const got: SyslogMessage[] = [];
  l.on('message', (m) => got.push(m));
  return { l, bound, got };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('parseHostPort', () => {
  it.each([
    ['127.0.0.1:514', { host: '127.0.0.1', port: 514 }],
    ['[::1]:6514', { host: '::1', port: 6514 }],
    ['514', { host: '127.0.0.1', port: 514 }],
    ['collector.example:1514', { host: 'collector.example', port: 1514 }],
  ])('%s', (s, want) => expect(parseHostPort(s)).toEqual(want));
  it.each(['::1:514', 'host:', 'host:70000', ':514', 'a:b'])('%s is refused', (s) => {
    expect(parseHostPort(s)).toBeNull();
  });
});

describe('UDP', () => {
  it('one message per datagram, hostile values intact', async () => {
    const { bound, got, l } = await listener({ udp: [{ host: LOOP, port: 0 }] });
    const sender = new SyslogUdpSender({ host: LOOP, port: bound.udp[0]!.port });
    cleanups.push(() => sender.close());
    const events = [event(1), event(2, { sni: 'a\nb"]\\\0é' }), event(3)];
    for (const e of events) expect(sender.send(eventToSyslog(e, { controls: 'raw' }))).toBe(true);
    await sender.flush();
    await until(() => got.length === 3);
    expect(got.map((m) => syslogToEvent(m))).toEqual(events);
    expect(sender.stats).toMatchObject({ sent: 3, dropped: 0, rejected: 0 });
    expect(l.stats).toMatchObject({ messages: 3, udpDatagrams: 3 });
  });

  it('refuses a message over the datagram limit; the listener drops oversize datagrams', async () => {
    const { bound, got, l } = await listener({ udp: [{ host: LOOP, port: 0 }], maxMessageBytes: 200 });
    const sender = new SyslogUdpSender({ host: LOOP, port: bound.udp[0]!.port, maxMessageBytes: 1000 });
    cleanups.push(() => sender.close());
    expect(sender.send('x'.repeat(1001))).toBe(false);
    sender.send(`<134>1 - h a - m - ${'y'.repeat(500)}`);
    sender.send('<134>1 - h a - m - small');
    await sender.flush();
    await until(() => got.length === 1);
    expect(got[0]!.msg).toBe('small');
    expect(sender.stats.rejected).toBe(1);
    await until(() => l.stats.udpOversize === 1);
  });

  it('reports what does not parse', async () => {
    const { bound, l } = await listener({ udp: [{ host: LOOP, port: 0 }] });
    const bad: string[] = [];
    l.on('invalid', (e) => bad.push(e.code));
    const sender = new SyslogUdpSender({ host: LOOP, port: bound.udp[0]!.port });
    cleanups.push(() => sender.close());
    sender.send('not syslog');
    await until(() => bad.length === 1);
    expect(bad).toEqual(['bad_pri']);
    expect(l.stats.invalid).toEqual({ bad_pri: 1 });
  });
});

describe('TCP', () => {
  it('octet-counted stream from the sender: every message, LF inside values intact', async () => {
    const { bound, got, l } = await listener({ tcp: [{ host: LOOP, port: 0 }] });
    const sender = new SyslogTcpSender({ host: LOOP, port: bound.tcp[0]!.port });
    cleanups.push(() => sender.close());
    const events = Array.from({ length: 500 }, (_, i) =>
      event(i, i % 7 === 0 ? { sni: `x\n${i}\r\n"]` } : {}),
    );
    for (const e of events) sender.send(eventToSyslog(e, { controls: 'raw' }));
    expect(await sender.flush()).toBe(true);
    await until(() => got.length === events.length);
    expect(got.map((m) => syslogToEvent(m))).toEqual(events);
    expect(sender.stats).toMatchObject({ sent: 500, dropped: 0, queued: 0, connects: 1 });
    expect(l.stats.tcpConnections).toBe(1);
  });

  it('non-transparent framing: LF-ended lines; messages with LF refused', async () => {
    const { bound, got } = await listener({ tcp: [{ host: LOOP, port: 0 }] });
    const sender = new SyslogTcpSender({ host: LOOP, port: bound.tcp[0]!.port, framing: 'non-transparent' });
    cleanups.push(() => sender.close());
    expect(sender.send(eventToSyslog(event(1)))).toBe(true);
    expect(sender.send('<134>1 - h a - m - two\nlines')).toBe(false);
    expect(sender.send(eventToSyslog(event(2, { sni: 'a\nb' })))).toBe(true); // escaped: one line
    await sender.flush();
    await until(() => got.length === 2);
    expect(got.map((m) => sdParams(m).sni)).toEqual(['host-1.example', 'a\\nb']);
    expect(sender.stats.rejected).toBe(1);
  });

  it('mixed framings across connections, detected per connection', async () => {
    const { bound, got, l } = await listener({ tcp: [{ host: LOOP, port: 0 }] });
    const port = bound.tcp[0]!.port;
    const line = (i: number) => eventToSyslog(event(i));
    const octets = (s: string) => `${Buffer.byteLength(s)} ${s}`;
    const a = tcpConnect(port, LOOP);
    const b = tcpConnect(port, LOOP);
    cleanups.push(() => {
      a.destroy();
      b.destroy();
    });
    const text = `${octets(line(1))}${octets(line(2))}`;
    a.write(text.slice(0, 50));
    b.write(`${line(3)}\n${line(4).slice(0, 20)}`);
    a.write(text.slice(50));
    b.write(`${line(4).slice(20)}\n`);
    await until(() => got.length === 4);
    expect(got.map((m) => sdParams(m).src_port).sort()).toEqual(['40001', '40002', '40003', '40004']);
    expect(l.stats.tcpConnections).toBe(2);
  });

  it("a DECNET line with a raw LF in a value arrives whole (the collector's W19 a)", async () => {
    const { bound, got } = await listener({ tcp: [{ host: LOOP, port: 0 }] });
    const c = tcpConnect(bound.tcp[0]!.port, LOOP);
    cleanups.push(() => void c.destroy());
    c.write(
      '<134>1 2026-06-20T10:00:00+00:00 decky-01 sniffer - tls_client_hello [relay@55555 src_ip="10.0.0.1" ' +
        'sni="evil\n<134>1 2026-06-20T10:00:00+00:00 decky-01 sniffer - x [relay@55555 src_ip=\\"6.6.6.6\\"\\]" ja3="abc"]\n',
    );
    await until(() => got.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toHaveLength(1);
    expect(sdParams(got[0]!)).toMatchObject({ src_ip: '10.0.0.1', ja3: 'abc' });
  });

  it('reconnects with backoff after the collector drops the connection, queueing meanwhile', async () => {
    const received: string[] = [];
    const sockets = new Set<Socket>();
    let accepted = 0;
    const server: Server = createServer((s) => {
      accepted++;
      sockets.add(s);
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString();
        // octet frames: LEN SP MSG
        for (;;) {
          const sp = buf.indexOf(' ');
          if (sp < 0) break;
          const n = Number(buf.slice(0, sp));
          if (buf.length < sp + 1 + n) break;
          received.push(buf.slice(sp + 1, sp + 1 + n));
          buf = buf.slice(sp + 1 + n);
        }
      });
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, LOOP, () => r()));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;
    const sender = new SyslogTcpSender({ host: LOOP, port, backoffMinMs: 20, backoffMaxMs: 100 });
    cleanups.push(() => sender.close(100));
    sender.send('<134>1 - h a - m - one');
    await until(() => received.length === 1);
    for (const s of sockets) s.destroy();
    await until(() => !sender.isConnected);
    sender.send('<134>1 - h a - m - two');
    sender.send('<134>1 - h a - m - three');
    await until(() => received.length === 3);
    expect(received).toEqual([
      '<134>1 - h a - m - one',
      '<134>1 - h a - m - two',
      '<134>1 - h a - m - three',
    ]);
    expect(accepted).toBe(2);
    expect(sender.stats).toMatchObject({ sent: 3, connects: 2, disconnects: 1, dropped: 0 });
  });

  it('connects once the collector appears; the queue is bounded and drops are counted', async () => {
    // A port with nothing listening: bind, note it, close.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, LOOP, () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const sender = new SyslogTcpSender({
      host: LOOP,
      port,
      backoffMinMs: 10,
      backoffMaxMs: 40,
      maxQueueMessages: 3,
    });
    cleanups.push(() => sender.close(100));
    for (let i = 0; i < 5; i++) sender.send(`<134>1 - h a - m - ${i}`);
    expect(sender.stats).toMatchObject({ queued: 3, dropped: 2 });
    await until(() => sender.stats.errors > 0); // refused at least once
    const l = new SyslogListener({ tcp: [{ host: LOOP, port }] });
    await l.start();
    cleanups.push(() => l.close());
    const got: string[] = [];
    l.on('message', (m) => got.push(m.msg ?? ''));
    await until(() => got.length === 3);
    expect(got).toEqual(['0', '1', '2']);
  });

  it('close() counts what could not be sent', async () => {
    const sender = new SyslogTcpSender({ host: LOOP, port: 1, backoffMinMs: 1000 });
    sender.send('<134>1 - h a - m - lost');
    await sender.close(10);
    expect(sender.stats).toMatchObject({ sent: 0, dropped: 1, queued: 0 });
    expect(sender.send('x')).toBe(false);
  });

  it('the listener caps connections and closes idle ones', async () => {
    const { bound, l } = await listener({
      tcp: [{ host: LOOP, port: 0 }],
      maxConnections: 1,
      // Long enough that the first connection is still open when the second one arrives, even on
      // a loaded machine.
      idleTimeoutMs: 1000,
    });
    const port = bound.tcp[0]!.port;
    const a = tcpConnect(port, LOOP);
    cleanups.push(() => void a.destroy());
    await until(() => l.stats.tcpConnections === 1);
    const b = tcpConnect(port, LOOP);
    cleanups.push(() => void b.destroy());
    await until(() => l.stats.tcpRefused === 1);
    // The idle close is counted when the timer fires; the socket leaves the open set on its
    // 'close' event, a tick later.
    await until(() => l.stats.tcpOpen === 0);
    expect(l.stats.tcpIdleClosed).toBe(1);
    expect(l.stats.tcpRefused).toBe(1);
  });
});

describe('file', () => {
  it('appends one line per message, refuses CR/LF, reopens after rotation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deckscope-syslog-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'decnet.log');
    const w = new SyslogFileWriter({ path });
    await w.open();
    const events = [event(1), event(2, { sni: 'evil\n<134>1 forged' })];
    for (const e of events) expect(w.write(eventToSyslog(e))).toBe(true);
    expect(w.write('two\nlines')).toBe(false);
    await w.flush();
    renameSync(path, `${path}.1`);
    await w.reopen();
    w.write(eventToSyslog(event(3)));
    await w.close();
    const rotated = readFileSync(`${path}.1`, 'utf8').split('\n');
    expect(rotated).toHaveLength(3); // two lines and the final newline
    const back = rotated
      .filter((x) => x)
      .map((x) => {
        const r = parseRfc5424(x, { unescapeControls: true });
        return r.ok ? syslogToEvent(r.message) : null;
      });
    expect(back).toEqual(events);
    expect(readFileSync(path, 'utf8')).toBe(`${eventToSyslog(event(3))}\n`);
    expect(w.stats).toMatchObject({ sent: 3, rejected: 1, dropped: 0, errors: 0 });
  });

  it('drops and counts when its buffer is full', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deckscope-syslog-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const w = new SyslogFileWriter({ path: join(dir, 'x.log'), maxBufferBytes: 10, flushBytes: 1 << 20 });
    expect(w.write('12345')).toBe(true);
    expect(w.write('123456')).toBe(false);
    expect(w.stats.dropped).toBe(1);
    await w.close();
    expect(readFileSync(join(dir, 'x.log'), 'utf8')).toBe('12345\n');
  });

  it('counts a write error instead of throwing', async () => {
    const w = new SyslogFileWriter({ path: '/nonexistent-dir/x.log' });
    w.write('line');
    await w.flush();
    expect(w.stats).toMatchObject({ errors: 1, dropped: 1, sent: 0 });
  });
});
