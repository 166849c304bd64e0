// The writer's local spool: JSON lines the database could not take yet, in segment files replayed
// oldest first. Segments are named by a sequence number; appends go to the newest, and lines
// that were only in memory when the database went away are written to a segment *before* the
// oldest, so replay keeps arrival order. A segment is deleted only once every line of it is
// committed, so a crash mid-replay replays it again (event ids make that harmless). The
// directory is held with a lock file: one writer per spool.

import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DbError } from './errors.js';
import { takeLock } from './lock.js';

/** A segment takes no more appends past this size (bytes): replay reads one segment at a time. */
export const SPOOL_SEGMENT_BYTES = 16 * 1024 * 1024;

/** First sequence number of an empty spool: room below it for segments written ahead of it. */
const FIRST_SEQ = 100_000_000_000;
const NAME = /^(\d{12})\.jsonl$/;

export interface Segment {
  readonly seq: number;
  readonly path: string;
  bytes: number;
  /** Closed to appends (being replayed, or found from an earlier run). */
  sealed: boolean;
  /** The writes to this file so far, in order. */
  written: Promise<void>;
}

export class Spool {
  /** Segments oldest first; the last one takes appends until it is full or sealed. */
  private readonly segments: Segment[] = [];
  private total = 0;
  /** Highest total size reached (bytes). */
  peakBytes = 0;

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly unlock: () => void,
  ) {}

  /** Opens (creating) a spool directory, taking its lock and finding what an earlier run left. */
  static open(dir: string, maxBytes: number): Spool {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new DbError('E_DB', `spool directory ${dir}: ${(err as Error).message}`, { cause: err });
    }
    const unlock = takeLock(
      join(dir, 'spool.lock'),
      `spool directory ${dir}`,
      'give each sensor its own --db-spool DIR',
    );
    const spool = new Spool(dir, maxBytes, unlock);
    for (const f of readdirSync(dir).sort()) {
      const m = NAME.exec(f);
      if (!m) continue;
      const path = join(dir, f);
      const bytes = statSync(path).size;
      if (bytes === 0) rmSync(path, { force: true });
      else spool.segments.push({ seq: Number(m[1]), path, bytes, sealed: true, written: Promise.resolve() });
    }
    spool.total = spool.segments.reduce((n, s) => n + s.bytes, 0);
    spool.peakBytes = spool.total;
    return spool;
  }

  /** Bytes of lines waiting on disk. */
  get bytes(): number {
    return this.total;
  }

  get empty(): boolean {
    return this.segments.length === 0;
  }

  /** True when `n` more bytes fit under the bound. */
  fits(n: number): boolean {
    return this.total + n <= this.maxBytes;
  }

  private file(seq: number): string {
    return join(this.dir, `${String(seq).padStart(12, '0')}.jsonl`);
  }

  /** Appends complete lines after everything spooled so far. */
  async append(data: Uint8Array): Promise<void> {
    let last = this.segments[this.segments.length - 1];
    if (!last || last.sealed || last.bytes >= SPOOL_SEGMENT_BYTES) {
      const seq = last ? last.seq + 1 : FIRST_SEQ;
      last = { seq, path: this.file(seq), bytes: 0, sealed: false, written: Promise.resolve() };
      this.segments.push(last);
    }
    this.grow(data.byteLength, last); // counted before the write, so concurrent appends see it
    const path = last.path;
    last.written = last.written.then(() => appendFile(path, data));
    await last.written;
  }

  /** Writes complete lines ahead of everything spooled so far (they arrived earlier). */
  async prepend(parts: readonly Uint8Array[]): Promise<void> {
    const total = parts.reduce((n, p) => n + p.byteLength, 0);
    if (total === 0) return;
    const first = this.segments[0];
    const seq = first ? first.seq - 1 : FIRST_SEQ;
    const path = this.file(seq);
    const seg: Segment = {
      seq,
      path,
      bytes: 0,
      sealed: true,
      written: writeFile(path, Buffer.concat(parts)),
    };
    this.segments.unshift(seg);
    this.grow(total, seg);
    await seg.written;
  }

  private grow(n: number, seg: Segment): void {
    seg.bytes += n;
    this.total += n;
    if (this.total > this.peakBytes) this.peakBytes = this.total;
  }

  /** The oldest segment, sealed (appends go to a new segment from now on). */
  takeOldest(): Segment | null {
    const seg = this.segments[0];
    if (seg) seg.sealed = true;
    return seg ?? null;
  }

  async read(seg: Segment): Promise<Buffer> {
    await seg.written;
    return readFile(seg.path);
  }

  /** Deletes a segment whose every line is committed. */
  async remove(seg: Segment): Promise<void> {
    const i = this.segments.indexOf(seg);
    if (i === -1) return;
    this.segments.splice(i, 1);
    this.total -= seg.bytes;
    await seg.written.catch(() => {});
    await rm(seg.path, { force: true });
  }

  /** Keeps a line the database refused, for inspection (never replayed). */
  async reject(line: string): Promise<void> {
    await appendFile(join(this.dir, 'rejected.jsonl'), `${line}\n`);
  }

  close(): void {
    this.unlock();
  }
}
