// Receives syslog over UDP (one message per datagram, RFC 5426) and TCP (octet counting or newline
// framing, detected per connection: framer.ts) and emits each message parsed (parse.ts). Bounded:
// messages above the size limit are skipped, connections are capped and closed when idle, and a
// slow consumer can pause() the TCP side. Nothing is global: each listener owns its sockets.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { type AddressInfo, createServer, isIPv6, type Server, type Socket } from 'node:net';
import { SyslogFramer, type SyslogFraming } from './framer.js';
import {
  SYSLOG_LISTENER_IDLE_TIMEOUT_MS,
  SYSLOG_LISTENER_MAX_CONNECTIONS,
  SYSLOG_MAX_MESSAGE_BYTES,
} from './limits.js';
import type { SyslogMessage } from './message.js';
import { parseRfc5424, type SyslogAnomaly, type SyslogParseError, type SyslogParseOptions } from './parse.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface SyslogListenerOptions {
  udp?: readonly ListenAddress[];
  tcp?: readonly ListenAddress[];
  /** Largest message accepted (bytes); default SYSLOG_MAX_MESSAGE_BYTES. */
  maxMessageBytes?: number;
  maxConnections?: number;
  idleTimeoutMs?: number;
  /** Kernel receive buffer of the UDP sockets (bytes); the system default when absent. */
  udpReceiveBufferBytes?: number;
  /** Passed to parseRfc5424 (maxBytes is always maxMessageBytes). */
  parse?: Omit<SyslogParseOptions, 'maxBytes'>;
}

/** Where a message came from. */
export interface ReceivedFrom {
  transport: 'udp' | 'tcp';
  remoteAddress: string;
  remotePort: number;
  /** TCP only: the connection's framing. */
  framing?: SyslogFraming;
}

export interface SyslogListenerStats {
  messages: number;
  /** Messages that did not parse, by error code. */
  invalid: Record<string, number>;
  /** Tolerated anomalies of parsed messages, by kind. */
  anomalies: Record<string, number>;
  udpDatagrams: number;
  udpOversize: number;
  tcpConnections: number;
  tcpRefused: number;
  tcpIdleClosed: number;
  tcpOpen: number;
  /** Framing counters summed over TCP connections (closed and open ones as of their last data). */
  oversize: number;
  garbageBytes: number;
  resplits: number;
  truncated: number;
  errors: number;
}

interface ListenerEvents {
  /** A parsed message. */
  message: [message: SyslogMessage, from: ReceivedFrom, anomalies: readonly SyslogAnomaly[]];
  /** A message that did not parse, with its raw bytes. */
  invalid: [error: SyslogParseError, from: ReceivedFrom, raw: Uint8Array];
}

/** A syslog receiver on the given UDP and TCP addresses. Emits 'message' and 'invalid' (never
 *  'error': socket errors after start are counted in stats.errors). */
export class SyslogListener extends EventEmitter<ListenerEvents> {
  readonly stats: SyslogListenerStats = {
    messages: 0,
    invalid: {},
    anomalies: {},
    udpDatagrams: 0,
    udpOversize: 0,
    tcpConnections: 0,
    tcpRefused: 0,
    tcpIdleClosed: 0,
    tcpOpen: 0,
    oversize: 0,
    garbageBytes: 0,
    resplits: 0,
    truncated: 0,
    errors: 0,
  };
  private readonly udpSockets: UdpSocket[] = [];
  private readonly servers: Server[] = [];
  private readonly connections = new Set<Socket>();
  private readonly max: number;
  private readonly maxConnections: number;
  private readonly idleMs: number;
  private readonly parseOpts: SyslogParseOptions;
  private paused = false;

  constructor(private readonly opts: SyslogListenerOptions) {
    super();
    this.max = opts.maxMessageBytes ?? SYSLOG_MAX_MESSAGE_BYTES;
    this.maxConnections = opts.maxConnections ?? SYSLOG_LISTENER_MAX_CONNECTIONS;
    this.idleMs = opts.idleTimeoutMs ?? SYSLOG_LISTENER_IDLE_TIMEOUT_MS;
    this.parseOpts = { ...opts.parse, maxBytes: this.max };
  }

  /** Binds every address; resolves with the bound addresses (port 0 gives an ephemeral port), or
   *  rejects with the first bind error after closing what was bound. */
  async start(): Promise<{ udp: AddressInfo[]; tcp: AddressInfo[] }> {
    try {
      const udp: AddressInfo[] = [];
      for (const a of this.opts.udp ?? []) udp.push(await this.bindUdp(a));
      const tcp: AddressInfo[] = [];
      for (const a of this.opts.tcp ?? []) tcp.push(await this.listenTcp(a));
      return { udp, tcp };
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  /** Stops reading TCP connections (their senders see backpressure); UDP keeps arriving. */
  pause(): void {
    this.paused = true;
    for (const c of this.connections) c.pause();
  }

  resume(): void {
    this.paused = false;
    for (const c of this.connections) c.resume();
  }

  /** Closes every socket and connection. */
  async close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    this.connections.clear();
    await Promise.all([
      ...this.udpSockets.map((s) => new Promise<void>((r) => s.close(() => r()))),
      ...this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))),
    ]);
    this.udpSockets.length = 0;
    this.servers.length = 0;
  }

  private bindUdp(a: ListenAddress): Promise<AddressInfo> {
    const s = createSocket({ type: isIPv6(a.host) ? 'udp6' : 'udp4' });
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.bind(a.port, a.host, () => {
        s.off('error', reject);
        s.on('error', () => {
          this.stats.errors++;
        });
        if (this.opts.udpReceiveBufferBytes) s.setRecvBufferSize(this.opts.udpReceiveBufferBytes);
        s.on('message', (data, rinfo) => {
          this.stats.udpDatagrams++;
          const from: ReceivedFrom = {
            transport: 'udp',
            remoteAddress: rinfo.address,
            remotePort: rinfo.port,
          };
          if (data.length > this.max) {
            this.stats.udpOversize++;
            return;
          }
          this.deliver(data, from);
        });
        this.udpSockets.push(s);
        resolve(s.address());
      });
    });
  }

  private listenTcp(a: ListenAddress): Promise<AddressInfo> {
    const server = createServer((c) => this.accept(c));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(a.port, a.host, () => {
        server.off('error', reject);
        server.on('error', () => {
          this.stats.errors++;
        });
        this.servers.push(server);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  private accept(c: Socket): void {
    if (this.connections.size >= this.maxConnections) {
      this.stats.tcpRefused++;
      c.destroy();
      return;
    }
    this.stats.tcpConnections++;
    this.connections.add(c);
    this.stats.tcpOpen = this.connections.size;
    const framer = new SyslogFramer({ maxMessageBytes: this.max });
    const from: ReceivedFrom = {
      transport: 'tcp',
      remoteAddress: c.remoteAddress ?? '',
      remotePort: c.remotePort ?? 0,
    };
    const seen = { oversize: 0, garbageBytes: 0, resplits: 0, truncated: 0 };
    const account = () => {
      for (const k of ['oversize', 'garbageBytes', 'resplits', 'truncated'] as const) {
        this.stats[k] += framer.stats[k] - seen[k];
        seen[k] = framer.stats[k];
      }
    };
    const frames = (list: Uint8Array[]) => {
      if (list.length > 0) {
        const f: ReceivedFrom = framer.framing ? { ...from, framing: framer.framing } : from;
        for (const m of list) this.deliver(m, f);
      }
      account();
    };
    if (this.paused) c.pause();
    c.setTimeout(this.idleMs, () => {
      this.stats.tcpIdleClosed++;
      c.destroy();
    });
    c.on('data', (chunk) => frames(framer.push(chunk)));
    c.on('error', () => {
      this.stats.errors++;
    });
    c.once('close', () => {
      frames(framer.end());
      this.connections.delete(c);
      this.stats.tcpOpen = this.connections.size;
    });
  }

  private deliver(raw: Uint8Array, from: ReceivedFrom): void {
    const r = parseRfc5424(raw, this.parseOpts);
    if (r.ok) {
      this.stats.messages++;
      for (const a of r.anomalies) this.stats.anomalies[a] = (this.stats.anomalies[a] ?? 0) + 1;
      this.emit('message', r.message, from, r.anomalies);
    } else {
      this.stats.invalid[r.error.code] = (this.stats.invalid[r.error.code] ?? 0) + 1;
      this.emit('invalid', r.error, from, raw);
    }
  }
}
