// Reverse DNS (PTR) for attacker addresses: each address is queried at most once per resolver lifetime,
// a bounded number at a time, with a hard per-query deadline, off the capture/profiler path.
//
// Semantics (after DECNET's `decnet/geoip/ptr.py`): `result(ip) === undefined` means "never tried" (or
// still queued); a result whose status is not 'ok' means "tried and failed", and is not retried.
// Queries go through node:dns `Resolver.resolvePtr` on the reverse name (c-ares, plain DNS to the
// configured servers or those of /etc/resolv.conf; /etc/hosts and NSS are not consulted). Every
// in-flight query owns its own Resolver so that the hard timer can cancel exactly that query. c-ares
// may give up earlier than timeoutMs (it adapts its timeout to measured server latency); the own
// timer guarantees the upper bound.
//
// Memory: at most `maxTracked` addresses (default 250k, ~190 B each, so ~48 MB) are remembered;
// beyond that the oldest finished entries are forgotten (counted in `stats.evicted`) and could be queried
// again. At most `maxPending` addresses wait in the queue; lookups beyond that are dropped (counted in
// `stats.dropped`) and not remembered, so a later lookup retries them. Finished results wait for take()
// in a buffer of the same bound (`stats.untakenDropped` counts overflow; result(ip) still answers).

import { Resolver } from 'node:dns/promises';
import { DeckscopeError } from '../util/errors.js';
import { classifyParsed, type ParsedAddress, parseAddress } from './addresses.js';

/** Outcome of one PTR attempt. 'skipped' and 'disabled' are decided locally, without a query. */
export type PtrStatus =
  | 'ok'
  | 'nxdomain'
  | 'nodata'
  | 'timeout'
  | 'servfail'
  | 'refused'
  | 'error'
  | 'skipped'
  | 'disabled';

/** One finished PTR attempt. */
export interface PtrResult {
  /** The address as first passed to lookup(). */
  ip: string;
  status: PtrStatus;
  /** First PTR name without the trailing dot; null unless status is 'ok'. */
  name: string | null;
  /** When the attempt finished, ms since the epoch. */
  at: number;
  /** The resolver error code behind a failure (e.g. 'ENOTFOUND', 'ECONNREFUSED'), else null. */
  detail: string | null;
}

export interface PtrOptions {
  /** DNS servers: 'host', 'host:port' or '[v6]:port' (IP literals). Default: the OS resolver's servers. */
  servers?: string[];
  /** Hard deadline per query. Default 2000 ms. */
  timeoutMs?: number;
  /** Queries in flight at once. Default 10. */
  concurrency?: number;
  /** Kill switch. Default: `process.env.DECKSCOPE_PTR !== 'off'`. */
  enabled?: boolean;
  /** Queue bound. Default 100 000. */
  maxPending?: number;
  /** Remembered addresses bound. Default 250 000. */
  maxTracked?: number;
}

/** Counters since construction. */
export interface PtrStats {
  lookups: number;
  queries: number;
  ok: number;
  nxdomain: number;
  nodata: number;
  timeout: number;
  servfail: number;
  refused: number;
  error: number;
  skipped: number;
  disabled: number;
  dropped: number;
  evicted: number;
  untakenDropped: number;
  inFlight: number;
  queued: number;
  maxInFlight: number;
}

export const PTR_TIMEOUT_MS_DEFAULT = 2000;
export const PTR_CONCURRENCY_DEFAULT = 10;
export const PTR_MAX_PENDING_DEFAULT = 100_000;
/** About 190 B of heap per remembered address (measured): 250 000 ≈ 48 MB, 1M ≈ 190 MB. */
export const PTR_MAX_TRACKED_DEFAULT = 250_000;
/** Longest name accepted from an answer: a DNS name's limit, which attackers.ptr_record
 *  (varchar(256)) holds. A longer one (c-ares escapes odd bytes as \DDD) is refused. */
const PTR_NAME_MAX_CHARS = 255;
const QUEUE_COMPACT_MIN = 1024;

interface Entry {
  ip: string;
  /** The reverse name, only while queued (dropped once sent, to keep the seen set small). */
  query: string | null;
  result: PtrResult | null;
}

interface Slot {
  resolver: Resolver;
  entry: Entry | null;
  timer: NodeJS.Timeout | null;
  seq: number;
}

const CODE_STATUS: Readonly<Record<string, PtrStatus>> = {
  ENOTFOUND: 'nxdomain',
  ENODATA: 'nodata',
  ETIMEOUT: 'timeout',
  ESERVFAIL: 'servfail',
  EREFUSED: 'refused',
};

const UNSAFE_NAME = /[\u0000-\u001f\u007f]/;

/** Asynchronous, bounded, once-per-address PTR resolver. Never throws from lookup()/take()/result(). */
export class PtrResolver {
  readonly enabled: boolean;
  readonly timeoutMs: number;
  readonly concurrency: number;
  private readonly maxPending: number;
  private readonly maxTracked: number;
  private readonly servers: string[] | null;
  private readonly entries = new Map<string, Entry>();
  private queue: Entry[] = [];
  private queueHead = 0;
  private done: PtrResult[] = [];
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private closed = false;
  private readonly counters: PtrStats = {
    lookups: 0,
    queries: 0,
    ok: 0,
    nxdomain: 0,
    nodata: 0,
    timeout: 0,
    servfail: 0,
    refused: 0,
    error: 0,
    skipped: 0,
    disabled: 0,
    dropped: 0,
    evicted: 0,
    untakenDropped: 0,
    inFlight: 0,
    queued: 0,
    maxInFlight: 0,
  };

  /** Throws DeckscopeError('E_BAD_OPTION') for an unusable server address or limit. */
  constructor(opts: PtrOptions = {}) {
    this.enabled = opts.enabled ?? process.env.DECKSCOPE_PTR !== 'off';
    this.timeoutMs = positiveInt(opts.timeoutMs ?? PTR_TIMEOUT_MS_DEFAULT, 'PTR timeout (ms)');
    this.concurrency = positiveInt(opts.concurrency ?? PTR_CONCURRENCY_DEFAULT, 'PTR concurrency');
    this.maxPending = positiveInt(opts.maxPending ?? PTR_MAX_PENDING_DEFAULT, 'PTR queue size');
    this.maxTracked = positiveInt(opts.maxTracked ?? PTR_MAX_TRACKED_DEFAULT, 'PTR tracked addresses');
    this.servers = opts.servers && opts.servers.length > 0 ? [...opts.servers] : null;
    if (this.servers) {
      // Validate once up front so a typo is a usage error at startup, not a silent failure later.
      const probe = new Resolver();
      try {
        probe.setServers(this.servers);
      } catch (err) {
        throw new DeckscopeError(
          'E_BAD_OPTION',
          `--dns-server ${this.servers.join(',')}: not a usable DNS server address; pass an IP address, ` +
            `IP:port or [IPv6]:port`,
          { cause: err },
        );
      }
    }
  }

  /** Enqueues a PTR query for `ip` unless it was seen before. O(1); never throws. */
  lookup(ip: string): void {
    if (this.closed) return;
    this.counters.lookups++;
    const parsed = parseAddress(ip);
    const key = parsed ? parsed.text : `?${String(ip)}`;
    if (this.entries.has(key)) return;
    const text = String(ip);
    const entry: Entry = { ip: text === key ? key : text, query: null, result: null };
    if (!parsed || classifyParsed(parsed) !== 'global') {
      this.remember(key, entry);
      this.finish(entry, 'skipped', null, null);
      return;
    }
    if (!this.enabled) {
      this.remember(key, entry);
      this.finish(entry, 'disabled', null, null);
      return;
    }
    if (this.queue.length - this.queueHead >= this.maxPending) {
      this.counters.dropped++;
      return;
    }
    entry.query = reverseName(parsed);
    this.remember(key, entry);
    this.queue.push(entry);
    this.pump();
  }

  /** The finished result for `ip`; undefined while never tried or still queued/in flight. */
  result(ip: string): PtrResult | undefined {
    const parsed = parseAddress(ip);
    return this.entries.get(parsed ? parsed.text : `?${String(ip)}`)?.result ?? undefined;
  }

  /** True while `ip` is queued or in flight. */
  isPending(ip: string): boolean {
    const parsed = parseAddress(ip);
    const e = this.entries.get(parsed ? parsed.text : `?${String(ip)}`);
    return e !== undefined && e.result === null;
  }

  /** Drains results finished since the last call (including 'skipped' and 'disabled'). */
  take(): PtrResult[] {
    const out = this.done;
    this.done = [];
    return out;
  }

  /** Queued plus in-flight queries. */
  pending(): number {
    return this.queue.length - this.queueHead + this.counters.inFlight;
  }

  /** Counters snapshot. */
  stats(): PtrStats {
    return { ...this.counters, queued: this.queue.length - this.queueHead };
  }

  /** Cancels in-flight queries, drops the queue and ignores later lookups. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.slots) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      slot.seq++;
      if (slot.entry) slot.resolver.cancel();
      slot.entry = null;
    }
    this.counters.inFlight = 0;
    this.queue = [];
    this.queueHead = 0;
  }

  private remember(key: string, entry: Entry): void {
    if (this.entries.size >= this.maxTracked) {
      // Forget the oldest finished entry; queued/in-flight entries are kept.
      for (const [k, e] of this.entries) {
        if (e.result !== null) {
          this.entries.delete(k);
          this.counters.evicted++;
          break;
        }
      }
    }
    this.entries.set(key, entry);
  }

  private finish(entry: Entry, status: PtrStatus, name: string | null, detail: string | null): void {
    const result: PtrResult = { ip: entry.ip, status, name, at: Date.now(), detail };
    entry.result = result;
    this.counters[status]++;
    if (this.done.length >= this.maxPending) {
      // Nobody is calling take(): forget the older half in one step (result(ip) still answers).
      const drop = this.done.length >> 1 || 1;
      this.done = this.done.slice(drop);
      this.counters.untakenDropped += drop;
    }
    this.done.push(result);
  }

  private pump(): void {
    while (!this.closed && this.queueHead < this.queue.length) {
      let slot: Slot | null;
      try {
        slot = this.acquireSlot();
      } catch (err) {
        slot = null;
        // The resolver channel could not be created (c-ares init failure): fail this entry, not the caller.
        const failed = this.queue[this.queueHead]!;
        this.queue[this.queueHead] = undefined as unknown as Entry;
        this.queueHead++;
        failed.query = null;
        this.finish(failed, 'error', null, errorCode(err));
        continue;
      }
      if (!slot) break;
      const entry = this.queue[this.queueHead]!;
      this.queue[this.queueHead] = undefined as unknown as Entry;
      this.queueHead++;
      this.start(slot, entry);
    }
    if (this.queueHead >= QUEUE_COMPACT_MIN && this.queueHead * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private acquireSlot(): Slot | null {
    const slot = this.idle.pop();
    if (slot) return slot;
    if (this.slots.length >= this.concurrency) return null;
    const resolver = new Resolver({ timeout: this.timeoutMs, tries: 1 });
    if (this.servers) resolver.setServers(this.servers);
    const created: Slot = { resolver, entry: null, timer: null, seq: 0 };
    this.slots.push(created);
    return created;
  }

  private start(slot: Slot, entry: Entry): void {
    const seq = ++slot.seq;
    slot.entry = entry;
    this.counters.queries++;
    this.counters.inFlight++;
    if (this.counters.inFlight > this.counters.maxInFlight)
      this.counters.maxInFlight = this.counters.inFlight;
    const settle = (status: PtrStatus, name: string | null, detail: string | null): void => {
      if (slot.seq !== seq || this.closed) return; // superseded (timed out) or closed
      slot.seq++;
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      slot.entry = null;
      this.counters.inFlight--;
      this.finish(entry, status, name, detail);
      this.idle.push(slot);
      this.pump();
    };
    slot.timer = setTimeout(() => {
      if (slot.seq !== seq) return;
      slot.resolver.cancel(); // only this slot's query: one query per Resolver
      settle('timeout', null, 'deadline');
    }, this.timeoutMs);
    slot.timer.unref();
    const query = entry.query ?? '';
    entry.query = null;
    let promise: Promise<string[]>;
    try {
      promise = slot.resolver.resolvePtr(query);
    } catch (err) {
      settle('error', null, errorCode(err));
      return;
    }
    promise.then(
      (names) => {
        const name = normaliseName(names[0]);
        if (name === undefined) settle('error', null, 'EBADNAME');
        else if (name === null) settle('nodata', null, 'EMPTY');
        else settle('ok', name, null);
      },
      (err: unknown) => {
        const code = errorCode(err);
        settle(CODE_STATUS[code] ?? 'error', null, code);
      },
    );
  }
}

/**
 * The in-addr.arpa / ip6.arpa name of an address. resolvePtr() on it (ares_query) keeps the DNS
 * outcome apart (NXDOMAIN, NODATA, SERVFAIL, REFUSED, timeout); Resolver.reverse() (ares_gethostbyaddr)
 * reports every failure as ENOTFOUND.
 */
export function reverseName(a: ParsedAddress): string {
  const b = a.bytes;
  if (a.version === 4) return `${b[3]}.${b[2]}.${b[1]}.${b[0]}.in-addr.arpa`;
  let out = '';
  for (let i = b.length - 1; i >= 0; i--) out += `${(b[i]! & 15).toString(16)}.${(b[i]! >> 4).toString(16)}.`;
  return `${out}ip6.arpa`;
}

/** Strips the trailing dot; null for an empty name, undefined for an unacceptable one. */
function normaliseName(raw: string | undefined): string | null | undefined {
  if (raw === undefined) return null;
  const name = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (name.length === 0) return null;
  if (name.length > PTR_NAME_MAX_CHARS || UNSAFE_NAME.test(name)) return undefined;
  return name;
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

function positiveInt(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new DeckscopeError('E_BAD_OPTION', `${what} must be a positive integer, got ${n}`);
  }
  return n;
}
