// Syslog senders: UDP (RFC 5426, one message per datagram), TCP (RFC 6587 octet counting by
// default, as RFC 5425 frames it), and a line file. Each is a small class holding its own state;
// none blocks its caller, every queue is bounded, and every message is counted as sent, dropped or
// rejected.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { type FileHandle, open } from 'node:fs/promises';
import { connect, isIPv6, type Socket } from 'node:net';
import {
  SYSLOG_FILE_FLUSH_BYTES,
  SYSLOG_FILE_MAX_BUFFER_BYTES,
  SYSLOG_MAX_MESSAGE_BYTES,
  SYSLOG_TCP_BACKOFF_MAX_MS,
  SYSLOG_TCP_BACKOFF_MIN_MS,
  SYSLOG_TCP_CONNECT_TIMEOUT_MS,
  SYSLOG_TCP_MAX_QUEUE_BYTES,
  SYSLOG_TCP_MAX_QUEUE_MESSAGES,
  SYSLOG_UDP_MAX_INFLIGHT,
  SYSLOG_UDP_MAX_PAYLOAD_IPV4,
  SYSLOG_UDP_MAX_PAYLOAD_IPV6,
} from './limits.js';

const encoder = new TextEncoder();

function toBytes(message: string | Uint8Array): Uint8Array {
  return typeof message === 'string' ? encoder.encode(message) : message;
}

/** Counters every sender keeps. */
export interface SenderStats {
  /** Messages handed to the kernel. */
  sent: number;
  /** Messages dropped because a bound was reached (queue, in-flight datagrams) or the sender was
   *  closed. */
  dropped: number;
  /** Messages refused: over the size limit, or (line framings) containing CR or LF. */
  rejected: number;
  /** Socket or file errors seen. */
  errors: number;
}

function newStats(): SenderStats {
  return { sent: 0, dropped: 0, rejected: 0, errors: 0 };
}

/** "host:port", "[v6]:port" or "port" (host defaulting to `defaultHost`) as host and port. Returns
 *  null when it is not one. */
export function parseHostPort(s: string, defaultHost = '127.0.0.1'): { host: string; port: number } | null {
  let host = defaultHost;
  let portText = s;
  const br = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (br) {
    host = br[1]!;
    portText = br[2]!;
  } else if (s.includes(':')) {
    const i = s.lastIndexOf(':');
    if (s.indexOf(':') !== i) return null; // a bare IPv6 address needs brackets
    host = s.slice(0, i);
    portText = s.slice(i + 1);
  }
  if (!/^\d{1,5}$/.test(portText) || host === '') return null;
  const port = Number(portText);
  return port <= 65535 ? { host, port } : null;
}

export interface UdpSenderOptions {
  host: string;
  port: number;
  /** Largest datagram (bytes); default the UDP ceiling for the address family (RFC 5426 §3.2). */
  maxMessageBytes?: number;
  /** Datagrams in flight before new ones are dropped; default SYSLOG_UDP_MAX_INFLIGHT. */
  maxInflight?: number;
}

/** Sends each message as one UDP datagram (RFC 5426). Loss is UDP's: nothing is retried. */
export class SyslogUdpSender {
  readonly stats: SenderStats = newStats();
  private readonly socket: UdpSocket;
  private readonly max: number;
  private readonly maxInflight: number;
  private inflight = 0;
  private closed = false;

  constructor(private readonly opts: UdpSenderOptions) {
    const v6 = isIPv6(opts.host);
    this.socket = createSocket(v6 ? 'udp6' : 'udp4');
    this.socket.on('error', () => {
      this.stats.errors++;
    });
    this.socket.unref();
    this.max = opts.maxMessageBytes ?? (v6 ? SYSLOG_UDP_MAX_PAYLOAD_IPV6 : SYSLOG_UDP_MAX_PAYLOAD_IPV4);
    this.maxInflight = opts.maxInflight ?? SYSLOG_UDP_MAX_INFLIGHT;
  }

  /** Sends one message; false when it was dropped or rejected (counted). */
  send(message: string | Uint8Array): boolean {
    if (this.closed || this.inflight >= this.maxInflight) {
      this.stats.dropped++;
      return false;
    }
    const bytes = toBytes(message);
    if (bytes.length > this.max) {
      this.stats.rejected++;
      return false;
    }
    this.inflight++;
    this.socket.send(bytes, this.opts.port, this.opts.host, (err) => {
      this.inflight--;
      if (err) {
        this.stats.errors++;
        this.stats.dropped++;
      } else this.stats.sent++;
    });
    return true;
  }

  /** Resolves when every datagram accepted so far has been handed to the kernel. */
  async flush(): Promise<void> {
    while (this.inflight > 0) await new Promise((r) => setImmediate(r));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    await new Promise<void>((r) => this.socket.close(() => r()));
  }
}

export type TcpFraming = 'octet-counting' | 'non-transparent';

export interface TcpSenderOptions {
  host: string;
  port: number;
  /** Default 'octet-counting' (`LEN SP MSG`); 'non-transparent' ends each message with LF and
   *  refuses messages that contain CR or LF. */
  framing?: TcpFraming;
  maxMessageBytes?: number;
  maxQueueMessages?: number;
  maxQueueBytes?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  connectTimeoutMs?: number;
}

export interface TcpSenderStats extends SenderStats {
  connects: number;
  disconnects: number;
  queued: number;
  queuedBytes: number;
}

/** Sends messages over one TCP connection, reconnecting with exponential backoff (jittered) while
 *  queueing up to the bounds; when the queue is full new messages are dropped and counted. A message
 *  counts as sent once written to the socket: TCP syslog has no acknowledgement, so messages in
 *  flight when a connection breaks are lost (RFC 6587 §4). */
export class SyslogTcpSender {
  private readonly counters = { sent: 0, dropped: 0, rejected: 0, errors: 0, connects: 0, disconnects: 0 };
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  private queuedBytes = 0;
  private socket: Socket | null = null;
  private connected = false;
  private writable = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  private readonly waiters: (() => void)[] = [];
  private readonly o: Required<TcpSenderOptions>;

  constructor(opts: TcpSenderOptions) {
    this.o = {
      framing: 'octet-counting',
      maxMessageBytes: SYSLOG_MAX_MESSAGE_BYTES,
      maxQueueMessages: SYSLOG_TCP_MAX_QUEUE_MESSAGES,
      maxQueueBytes: SYSLOG_TCP_MAX_QUEUE_BYTES,
      backoffMinMs: SYSLOG_TCP_BACKOFF_MIN_MS,
      backoffMaxMs: SYSLOG_TCP_BACKOFF_MAX_MS,
      connectTimeoutMs: SYSLOG_TCP_CONNECT_TIMEOUT_MS,
      ...opts,
    };
    this.connect();
  }

  get stats(): TcpSenderStats {
    return { ...this.counters, queued: this.queue.length - this.head, queuedBytes: this.queuedBytes };
  }

  /** True while a connection is up. */
  get isConnected(): boolean {
    return this.connected;
  }

  /** Queues one message; false when it was dropped or rejected (counted). */
  send(message: string | Uint8Array): boolean {
    const bytes = toBytes(message);
    if (this.closing) {
      this.counters.dropped++;
      return false;
    }
    if (bytes.length > this.o.maxMessageBytes) {
      this.counters.rejected++;
      return false;
    }
    let frame: Uint8Array;
    if (this.o.framing === 'octet-counting') {
      const prefix = encoder.encode(`${bytes.length} `);
      frame = new Uint8Array(prefix.length + bytes.length);
      frame.set(prefix);
      frame.set(bytes, prefix.length);
    } else {
      if (bytes.includes(10) || bytes.includes(13)) {
        this.counters.rejected++;
        return false;
      }
      frame = new Uint8Array(bytes.length + 1);
      frame.set(bytes);
      frame[bytes.length] = 10;
    }
    if (
      this.queue.length - this.head >= this.o.maxQueueMessages ||
      this.queuedBytes + frame.length > this.o.maxQueueBytes
    ) {
      this.counters.dropped++;
      return false;
    }
    this.queue.push(frame);
    this.queuedBytes += frame.length;
    this.pump();
    return true;
  }

  /** Resolves true when the queue has been written out, false if `timeoutMs` passed first. */
  flush(timeoutMs = 10_000): Promise<boolean> {
    if (this.queue.length === this.head) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  /** Flushes for up to `timeoutMs`, then closes; what is still queued is counted as dropped. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.closing) return;
    if (this.connected) await this.flush(timeoutMs);
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.counters.dropped += this.queue.length - this.head;
    this.queue.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
    const s = this.socket;
    this.socket = null;
    if (s && this.connected && !s.destroyed) await new Promise<void>((r) => s.end(() => r()));
    s?.destroy();
  }

  private connect(): void {
    if (this.closing) return;
    const s = connect({ host: this.o.host, port: this.o.port });
    this.socket = s;
    s.setNoDelay(true);
    s.setTimeout(this.o.connectTimeoutMs, () => s.destroy(new Error('connect timeout')));
    s.once('connect', () => {
      s.setTimeout(0);
      this.connected = true;
      this.writable = true;
      this.attempt = 0;
      this.counters.connects++;
      this.pump();
    });
    s.on('drain', () => {
      this.writable = true;
      this.pump();
    });
    s.on('data', () => {}); // collectors do not talk back; discard whatever comes
    s.on('error', () => {
      this.counters.errors++;
    });
    s.once('close', () => {
      if (this.connected) this.counters.disconnects++;
      this.connected = false;
      this.writable = false;
      if (this.socket === s) this.socket = null;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.closing || this.timer) return;
    const base = Math.min(this.o.backoffMaxMs, this.o.backoffMinMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const delay = base / 2 + Math.random() * (base / 2);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
    this.timer.unref();
  }

  private pump(): void {
    const s = this.socket;
    if (!s || !this.connected) return;
    while (this.writable && this.head < this.queue.length) {
      const frame = this.queue[this.head]!;
      this.queue[this.head] = EMPTY;
      this.head++;
      this.queuedBytes -= frame.length;
      this.counters.sent++;
      this.writable = s.write(frame);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      for (const w of this.waiters.splice(0)) w();
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

const EMPTY = new Uint8Array(0);

export interface FileWriterOptions {
  path: string;
  maxBufferBytes?: number;
  flushBytes?: number;
}

/** Appends one message per line to a file (the form of DECNET's ingest log). Lines are buffered
 *  and written in batches; `reopen()` (on SIGHUP, after logrotate) starts appending to whatever is
 *  at the path now. Messages containing CR or LF are refused (eventToSyslog's default escaping never
 *  produces them). */
export class SyslogFileWriter {
  readonly stats: SenderStats = newStats();
  private fh: FileHandle | null = null;
  private pending: string[] = [];
  private pendingBytes = 0;
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private closed = false;
  private readonly maxBuffer: number;
  private readonly flushAt: number;

  constructor(private readonly opts: FileWriterOptions) {
    this.maxBuffer = opts.maxBufferBytes ?? SYSLOG_FILE_MAX_BUFFER_BYTES;
    this.flushAt = opts.flushBytes ?? SYSLOG_FILE_FLUSH_BYTES;
  }

  /** Opens (creates) the file for appending; rejects with the system error when it cannot. */
  async open(): Promise<void> {
    if (!this.fh) this.fh = await open(this.opts.path, 'a');
  }

  /** Buffers one line; false when it was refused or the buffer is full (counted). */
  write(line: string): boolean {
    if (this.closed) {
      this.stats.dropped++;
      return false;
    }
    if (line.includes('\n') || line.includes('\r')) {
      this.stats.rejected++;
      return false;
    }
    const size = Buffer.byteLength(line) + 1;
    if (this.pendingBytes + size > this.maxBuffer) {
      this.stats.dropped++;
      return false;
    }
    this.pending.push(line);
    this.pendingBytes += size;
    if (this.pendingBytes >= this.flushAt) void this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
    return true;
  }

  /** Writes everything buffered so far. Never rejects: failures are counted and the lines dropped. */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.pending.length === 0) return;
      const lines = this.pending;
      this.pending = [];
      this.pendingBytes = 0;
      try {
        await this.open();
        await this.fh!.write(`${lines.join('\n')}\n`);
        this.stats.sent += lines.length;
      } catch {
        this.stats.errors++;
        this.stats.dropped += lines.length;
      }
    });
    return this.writing;
  }

  /** Flushes, then reopens the path (log rotation). */
  async reopen(): Promise<void> {
    await this.flush();
    const old = this.fh;
    this.fh = null;
    await old?.close().catch(() => {
      this.stats.errors++;
    });
    await this.open();
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }
}
