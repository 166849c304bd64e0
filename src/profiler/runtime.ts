// The profiler in the main thread: sensor JSON lines and honeypot records -> ProfilerEvents -> one
// AttackerProfile per source address in a bounded map (the least recently seen attacker is evicted
// and counted) -> on a tick (every PROFILE_FLUSH_MS of wall time, and at the end of a run) the
// snapshots of the attackers that changed since the last tick go to a writer (src/db/profiles.ts).
//
// An evicted attacker that changed since the last tick is snapshotted as it leaves, so nothing it
// did is lost; if it comes back it starts a new profile, whose snapshot replaces the stored one once
// it is newer (the database keeps the newest snapshot by packet time: src/db/profiles.ts).

import { type ProfileRow, RawJson } from '../db/profiles.js';
import type { EventSink } from '../sinks/sink.js';
import type { HoneypotRecord } from '../syslog/honeypot.js';
import { forEachLine } from '../util/text.js';
import { fromHoneypotRecord, fromSensorEvent } from './adapt.js';
import { type AttackerBehavior, AttackerProfile } from './profile.js';
import { snapshotJson } from './snapshot-json.js';
import type { ProfilerEvent } from './types.js';

/** Attackers profiled at once (attackers). A profile is small for the common source (a scanner or a
 *  brute-forcer: a few keys, tens of episodes, ≈ 2–8 KiB), so 16384 of them is tens of MiB; the
 *  worst case per profile is bounded by the caps of episodes.ts/phases.ts. Past it the least
 *  recently seen attacker is evicted (its snapshot is written first). */
export const MAX_PROFILED_ATTACKERS = 16_384;
/** Wall time between flush ticks (ms): the database lags the traffic by at most this, and a
 *  tick costs one transaction plus the statistics of the attackers that changed. */
export const PROFILE_FLUSH_MS = 10_000;
/** Snapshots written per transaction (rows): bounds the jsonb parameter (≈ 2–10 KiB a row). */
export const PROFILE_WRITE_ROWS = 1000;
/** Snapshots of evicted attackers waiting for the next tick (rows); past it a tick is started at
 *  once, and while the database is away the oldest are dropped and counted. */
export const MAX_PENDING_SNAPSHOTS = 4096;
/** Distinct commands kept per attacker for attackers.commands (commands), each cut at
 *  MAX_COMMAND_CHARS (characters): DECNET's list grew without bound (P11). */
export const MAX_COMMANDS_KEPT = 64;
export const MAX_COMMAND_CHARS = 512;

/** Counters, for the run summary and the tests. */
export interface ProfilerStats {
  /** Events profiled. */
  events: number;
  /** Inputs skipped: unparsable lines, events without a source address or time. */
  skipped: number;
  /** Attackers in the map now, and the most at once. */
  attackers: number;
  attackersPeak: number;
  /** Attackers evicted to stay within the cap. */
  evicted: number;
  /** Snapshots written (rows sent to the writer), and rows the database took as newer. */
  snapshots: number;
  rowsWritten: number;
  ticks: number;
  /** Ticks whose write failed (retried at the next tick). */
  writeErrors: number;
  /** Snapshots of evicted attackers dropped because the pending list was full. */
  droppedSnapshots: number;
}

export interface ProfilerRuntimeOptions {
  /** Written into profile_sensor: whose view a snapshot is. */
  sensorId: string;
  /** Writes one batch (unique ips, sorted); resolves with the rows the database took. */
  write: (rows: ProfileRow[]) => Promise<number>;
  maxAttackers?: number;
  /** Told of every attacker address the profiler meets (src/db/enrichment.ts); started with the
   *  tick and closed after the last one. */
  enricher?: { see(ip: string, isoTs: string): void; start(): void; close(): Promise<void> };
  /** C2 attribution in the snapshots (default true). */
  attribution?: boolean;
  onWarning?: (w: { code: string; message: string }) => void;
}

interface CommandSeen {
  ts: string;
  service: string | null;
  decky: string | null;
  command: string;
}

interface Entry {
  profile: AttackerProfile;
  /** ISO strings of the first and last event (exact, as the events table holds them). */
  first: string;
  last: string;
  lastTs: number;
  commands: CommandSeen[];
}

/** A snapshot column serialised once, as it will be written (RawJson: not parsed back). */
const asJson = (v: unknown): RawJson | null =>
  v === null || v === undefined ? null : new RawJson(snapshotJson(v));

/** Builds the database row of one snapshot. */
export function profileRow(b: AttackerBehavior, e: Entry, sensorId: string): ProfileRow {
  const beacon = b.classification.beacon_key;
  const beaconTiming = beacon === null ? null : (b.keys.find((k) => k.key === beacon)?.timing ?? null);
  const tools = b.phases.tools.map((t) => t.tool);
  const framework = b.attribution?.framework ?? null;
  if (framework !== null && !tools.includes(framework)) tools.push(framework);
  const honeypots = b.phases.honeypots.map((h) => h.dst_ip);
  return {
    ip: b.src_ip,
    first_seen: e.first,
    last_seen: e.last,
    profile_at: e.last,
    profile_events: b.event_count,
    profile_sensor: sensorId,
    behavior_class: b.behavior_class,
    beacon_interval_s: b.beacon_interval_s,
    beacon_jitter_pct: beaconTiming?.jitter_symmetric_pct_from_cv ?? null,
    c2_framework: framework,
    tool_guesses: asJson(tools),
    timing_stats: asJson({ keys: b.keys, visits: b.visits, evicted_keys: b.evicted_keys }),
    phase_sequence: asJson(b.phases),
    classification: asJson(b.classification),
    c2_attribution: asJson(b.attribution),
    scan_stats: asJson(b.scan),
    auth_attempts: b.auth.attempts,
    auth_failures: b.auth.failures,
    command_count: b.commands,
    traversal_path: honeypots.length >= 2 ? honeypots.join(' -> ') : null,
    is_traversal: honeypots.length >= 2,
    commands: asJson(e.commands),
  };
}

/** Bounded per-attacker profiles with a periodic flush. */
export class ProfilerRuntime {
  private readonly map = new Map<string, Entry>();
  private readonly dirty = new Set<string>();
  private readonly pending = new Map<string, ProfileRow>();
  private readonly max: number;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly warned = new Set<string>();
  readonly stats: ProfilerStats = {
    events: 0,
    skipped: 0,
    attackers: 0,
    attackersPeak: 0,
    evicted: 0,
    snapshots: 0,
    rowsWritten: 0,
    ticks: 0,
    writeErrors: 0,
    droppedSnapshots: 0,
  };

  constructor(private readonly opts: ProfilerRuntimeOptions) {
    this.max = Math.max(1, opts.maxAttackers ?? MAX_PROFILED_ATTACKERS);
  }

  /** Starts the wall-clock tick (unref'd: it never keeps the process alive). */
  start(intervalMs = PROFILE_FLUSH_MS): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
    this.opts.enricher?.start();
  }

  /** Stops the tick and writes what changed since the last one. */
  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    try {
      await this.flush();
    } finally {
      await this.opts.enricher?.close();
    }
  }

  /** Profiles one event; `isoTs` is its time as the input wrote it (kept exact for first/last seen). */
  add(ev: ProfilerEvent, isoTs: string, extra: { decky?: string | null } = {}): void {
    let e = this.map.get(ev.src_ip);
    if (e === undefined) {
      if (this.map.size >= this.max) this.evictOldest();
      e = { profile: new AttackerProfile(ev.src_ip), first: isoTs, last: isoTs, lastTs: ev.ts, commands: [] };
      this.map.set(ev.src_ip, e);
      this.opts.enricher?.see(ev.src_ip, isoTs);
      this.stats.attackers = this.map.size;
      if (this.map.size > this.stats.attackersPeak) this.stats.attackersPeak = this.map.size;
    } else {
      // Least recently seen first: a touched entry moves to the end of the map's order.
      this.map.delete(ev.src_ip);
      this.map.set(ev.src_ip, e);
      if (isoTs < e.first) e.first = isoTs;
      if (isoTs > e.last) {
        e.last = isoTs;
        e.lastTs = ev.ts;
      }
    }
    e.profile.add(ev);
    this.stats.events++;
    this.dirty.add(ev.src_ip);
    if (ev.kind === 'command' && ev.command !== undefined && e.commands.length < MAX_COMMANDS_KEPT) {
      const command = ev.command.slice(0, MAX_COMMAND_CHARS);
      if (!e.commands.some((c) => c.command === command))
        e.commands.push({ ts: isoTs, service: ev.service ?? null, decky: extra.decky ?? null, command });
    }
  }

  /** Profiles a chunk of the pipeline's JSON lines. */
  addSensorLines(chunk: Uint8Array): void {
    forEachLine(chunk, (line) => this.addSensorLine(line));
  }

  /** Profiles one sensor event line (or an already parsed event). */
  addSensorLine(line: string | Record<string, unknown>): void {
    let obj: Record<string, unknown>;
    try {
      obj = typeof line === 'string' ? (JSON.parse(line) as Record<string, unknown>) : line;
    } catch {
      this.stats.skipped++;
      return;
    }
    if (obj === null || typeof obj !== 'object') {
      // A line of JSON that is not an object (`null`, a number) names no attacker.
      this.stats.skipped++;
      return;
    }
    const ev = fromSensorEvent(obj);
    if (ev === null) {
      this.stats.skipped++;
      return;
    }
    this.add(ev, obj.ts as string);
  }

  /** Profiles one honeypot record; false when it names no attacker. */
  addHoneypotRecord(rec: HoneypotRecord): boolean {
    const ev = fromHoneypotRecord(rec);
    if (ev === null) {
      this.stats.skipped++;
      return false;
    }
    this.add(ev, rec.ts, { decky: rec.decky });
    return true;
  }

  /** The current snapshot of one attacker (tests and reports). */
  snapshot(ip: string): AttackerBehavior | null {
    return this.map.get(ip)?.profile.snapshot({ attribution: this.opts.attribution !== false }) ?? null;
  }

  /** Writes the snapshots of the attackers that changed since the last tick (ticks run one at a time). */
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.tick());
    return this.chain;
  }

  private snap(e: Entry): ProfileRow {
    const b = e.profile.snapshot({ attribution: this.opts.attribution !== false });
    return profileRow(b, e, this.opts.sensorId);
  }

  private evictOldest(): void {
    const oldest = this.map.keys().next().value;
    if (oldest === undefined) return;
    const e = this.map.get(oldest)!;
    this.map.delete(oldest);
    this.stats.evicted++;
    if (this.dirty.delete(oldest)) {
      this.pending.set(oldest, this.snap(e));
      if (this.pending.size > MAX_PENDING_SNAPSHOTS) {
        const drop = this.pending.keys().next().value;
        if (drop !== undefined) this.pending.delete(drop);
        this.stats.droppedSnapshots++;
      }
      if (this.pending.size >= MAX_PENDING_SNAPSHOTS / 2) void this.drainPending();
    }
  }

  /**
   * Writes the evicted attackers' snapshots only (not every dirty profile, which is the tick's
   * job), once: a burst of evictions queues one write, not one per eviction. Resolves when the
   * queued write is done; the sink awaits it so a flood of new attackers slows a file replay
   * instead of dropping snapshots.
   */
  drainPending(): Promise<void> {
    if (this.draining !== null) return this.draining;
    this.draining = this.chain = this.chain
      .then(() => {
        const rows = [...this.pending.values()];
        this.pending.clear();
        return this.writeRows(rows);
      })
      .finally(() => {
        this.draining = null;
      });
    return this.draining;
  }

  /** True when evicted snapshots wait to be written (the sink then waits for them). */
  get backlogged(): boolean {
    return this.pending.size >= MAX_PENDING_SNAPSHOTS / 2;
  }

  private draining: Promise<void> | null = null;

  private async tick(): Promise<void> {
    this.stats.ticks++;
    const rows = new Map<string, ProfileRow>(this.pending);
    this.pending.clear();
    const dirty = [...this.dirty];
    this.dirty.clear();
    for (const ip of dirty) {
      const e = this.map.get(ip);
      if (e !== undefined) rows.set(ip, this.snap(e));
    }
    await this.writeRows([...rows.values()]);
  }

  /** Writes rows sorted by ip in transactions of PROFILE_WRITE_ROWS; what fails is kept for the
   *  next tick (bounded). */
  private async writeRows(rows: ProfileRow[]): Promise<void> {
    if (rows.length === 0) return;
    const sorted = rows.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
    for (let i = 0; i < sorted.length; i += PROFILE_WRITE_ROWS) {
      const part = sorted.slice(i, i + PROFILE_WRITE_ROWS);
      try {
        this.stats.rowsWritten += await this.opts.write(part);
        this.stats.snapshots += part.length;
      } catch (err) {
        this.stats.writeErrors++;
        this.warn(
          'E_PROFILE_WRITE',
          `attacker profiles were not written (retried at the next tick): ${(err as Error).message}`,
        );
        // Retry what failed at the next tick: attackers still held are re-snapshotted then.
        for (const r of sorted.slice(i)) {
          if (this.map.has(r.ip)) this.dirty.add(r.ip);
          else if (!this.pending.has(r.ip) && this.pending.size < MAX_PENDING_SNAPSHOTS)
            this.pending.set(r.ip, r);
          else this.stats.droppedSnapshots++;
        }
        return;
      }
    }
  }

  private warn(code: string, message: string): void {
    if (this.warned.has(code)) return;
    this.warned.add(code);
    this.opts.onWarning?.({ code, message });
  }
}

/** An EventSink that profiles every JSON line it is given and passes the chunk on to `inner` (the
 *  database sink). close() writes the last snapshots, then closes `inner`, so the final tick runs
 *  while the database connection is still open. */
export class ProfilerSink implements EventSink {
  constructor(
    readonly runtime: ProfilerRuntime,
    private readonly inner: EventSink,
  ) {}

  get lines(): number {
    return this.inner.lines;
  }

  get closed(): boolean {
    return this.inner.closed;
  }

  async write(chunk: Uint8Array, profile?: Uint8Array): Promise<void> {
    this.runtime.addSensorLines(profile ?? chunk);
    await this.inner.write(chunk);
    if (this.runtime.backlogged) await this.runtime.drainPending();
  }

  async close(): Promise<void> {
    try {
      await this.runtime.close();
    } finally {
      await this.inner.close();
    }
  }
}
