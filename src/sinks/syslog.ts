// RFC 5424 syslog output of every event, in DECNET's format (src/syslog/format.ts), to a file, a
// UDP collector (RFC 5426) or a TCP collector (octet counting, RFC 6587).
import { eventToSyslog } from '../syslog/format.js';
import {
  parseHostPort,
  type SenderStats,
  SyslogFileWriter,
  SyslogTcpSender,
  SyslogUdpSender,
} from '../syslog/transport.js';
import { DeckscopeError } from '../util/errors.js';
import { forEachLine } from '../util/text.js';
import type { EventSink } from './sink.js';

/** Where `--syslog` sends: `udp://HOST:PORT`, `tcp://HOST:PORT`, or a file path. */
export type SyslogTarget =
  | { kind: 'udp' | 'tcp'; host: string; port: number }
  | { kind: 'file'; path: string };

/** Parses a `--syslog` value; throws a usage error naming the accepted forms. */
export function parseSyslogTarget(value: string): SyslogTarget {
  const m = /^(udp|tcp):\/\/(.+)$/.exec(value);
  if (m) {
    const hp = parseHostPort(m[2]!);
    if (hp === null) {
      throw new DeckscopeError(
        'E_USAGE',
        `--syslog ${value}: want ${m[1]}://HOST:PORT (e.g. ${m[1]}://127.0.0.1:514)`,
      );
    }
    return { kind: m[1] as 'udp' | 'tcp', ...hp };
  }
  if (value === '' || /^[a-z]+:\/\//i.test(value)) {
    throw new DeckscopeError(
      'E_USAGE',
      `--syslog ${value}: want udp://HOST:PORT, tcp://HOST:PORT or a file path`,
    );
  }
  return { kind: 'file', path: value };
}

/** Formats each JSON line of a batch as one syslog message and sends it. A file is flushed
 *  batch by batch (a replay waits for the disk); a collector never blocks the capture: its
 *  bounded queue drops and counts. */
export class SyslogSink implements EventSink {
  lines = 0;
  /** Lines that were not JSON objects (never expected; counted rather than thrown). */
  unparsable = 0;
  readonly closed = false;

  private constructor(
    private readonly send: (line: string) => boolean,
    private readonly flushBatch: () => Promise<unknown>,
    private readonly shut: () => Promise<void>,
    private readonly senderStats: () => SenderStats,
    private readonly hostname: string | undefined,
  ) {}

  /** Opens the target (a file is created or appended to). */
  static async open(target: SyslogTarget, opts: { hostname?: string } = {}): Promise<SyslogSink> {
    if (target.kind === 'file') {
      const w = new SyslogFileWriter({ path: target.path });
      try {
        await w.open();
      } catch (err) {
        throw new DeckscopeError('E_OUTPUT', `cannot write ${target.path}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      return new SyslogSink(
        (l) => w.write(l),
        () => w.flush(),
        () => w.close(),
        () => w.stats,
        opts.hostname,
      );
    }
    if (target.kind === 'udp') {
      const u = new SyslogUdpSender({ host: target.host, port: target.port });
      return new SyslogSink(
        (l) => u.send(l),
        async () => {},
        () => u.close(),
        () => u.stats,
        opts.hostname,
      );
    }
    const t = new SyslogTcpSender({ host: target.host, port: target.port });
    return new SyslogSink(
      (l) => t.send(l),
      async () => {},
      () => t.close(),
      () => t.stats,
      opts.hostname,
    );
  }

  async write(chunk: Uint8Array): Promise<void> {
    const opts = this.hostname === undefined ? {} : { hostname: this.hostname };
    forEachLine(chunk, (line) => {
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        this.unparsable++;
        return;
      }
      if (event === null || typeof event !== 'object') {
        this.unparsable++;
        return;
      }
      this.send(eventToSyslog(event as Record<string, unknown>, opts));
      this.lines++;
    });
    await this.flushBatch();
  }

  /** What the transport did: sent, dropped (a bound was reached), rejected, errors. */
  stats(): SenderStats {
    return this.senderStats();
  }

  async close(): Promise<void> {
    await this.shut();
  }
}
