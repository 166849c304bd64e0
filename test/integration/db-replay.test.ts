// Captures through the real pipeline into the database: every event the pipeline emits becomes
// one row, a second replay of the same captures leaves the same rows, and two pipelines writing
// the same captures at once into one server produce exactly the rows of one, without deadlock.
// The profile tables always equal what the stored events imply (nothing counted twice).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/adapter.js';
import { PostgresSink } from '../../src/sinks/postgres.js';
import { TeeSink } from '../../src/sinks/sink.js';
import {
  BytesSink,
  backends,
  CORPUS_FILES,
  distinctLines,
  expectedProfiles,
  generatedPcap,
  noteServerSkip,
  runPipeline,
  SERVER_URL,
  serverBackend,
  snapshot,
  storedEventCount,
  storedProfiles,
  tmp,
} from '../db/helpers.js';

noteServerSkip('test/integration/db-replay.test.ts');

let generated = '';
beforeAll(() => {
  generated = generatedPcap(20_000, 11);
});

/** Replays `files` through the pipeline into the database at `url`, keeping the lines it fed. */
async function replayInto(url: string, files: string[], opts: { batchEvents?: number } = {}) {
  const db = await PostgresSink.open({
    db: url,
    spoolDir: tmp('spool'),
    spoolMaxBytes: 64 << 20,
    queueMaxBytes: 16 << 20,
    retentionDays: 0,
    backpressure: true,
    ...opts,
  });
  const fed = new BytesSink();
  const summary = await runPipeline(files, new TeeSink(fed, db));
  await db.close();
  return { summary, m: db.metrics(), lines: distinctLines(fed.text), fed: fed.lines };
}

async function expectConsistent(url: string, lines: Set<string>): Promise<void> {
  const db = await openDb(url);
  try {
    expect(await storedEventCount(db)).toBe(lines.size);
    expect(await storedProfiles(db)).toEqual(expectedProfiles(lines));
  } finally {
    await db.close();
  }
}

describe.each(backends())('replay into $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('writes every event once; replaying the same captures leaves the same rows', async () => {
    const url = await backend.fresh();
    const first = await replayInto(url, CORPUS_FILES);
    const events = Object.values(first.summary.events).reduce((a, b) => a + b, 0);
    expect(first.m).toMatchObject({
      events,
      written: first.lines.size,
      duplicates: events - first.lines.size,
    });
    const db = await openDb(url);
    const before = await snapshot(db);
    await db.close();

    const second = await replayInto(url, CORPUS_FILES, { batchEvents: 333 });
    expect(second.lines).toEqual(first.lines); // the same capture gives the same events
    expect(second.m).toMatchObject({ written: 0, duplicates: events, shed: 0, rejected: 0 });
    const db2 = await openDb(url);
    expect(await snapshot(db2)).toEqual(before);
    await db2.close();
    await expectConsistent(url, first.lines);
  });

  it('a busy generated capture: each distinct event stored once, profiles equal to the events', async () => {
    const url = await backend.fresh();
    const first = await replayInto(url, [generated]);
    const second = await replayInto(url, [generated], { batchEvents: 777 });
    const union = new Set([...first.lines, ...second.lines]);
    expect(first.m.written).toBe(first.lines.size);
    expect(second.m.written).toBe([...second.lines].filter((l) => !first.lines.has(l)).length);
    await expectConsistent(url, union);
  });
});

describe.runIf(SERVER_URL)('two pipelines writing the same captures into one server at once', () => {
  const backend = serverBackend();
  afterAll(() => backend.cleanup());

  it('produce exactly the rows one pipeline does, without deadlock', async () => {
    const alone = await backend.fresh();
    await replayInto(alone, CORPUS_FILES);
    const db = await openDb(alone);
    const expected = await snapshot(db);
    await db.close();

    const shared = await backend.fresh();
    const [a, b] = await Promise.all([
      replayInto(shared, CORPUS_FILES, { batchEvents: 16 }),
      replayInto(shared, CORPUS_FILES, { batchEvents: 23 }),
    ]);
    expect(a.m.written + b.m.written).toBe(a.lines.size);
    expect(a.m.batchesRetried + b.m.batchesRetried).toBe(0); // no deadlock (40P01), no retry
    const db2 = await openDb(shared);
    expect(await snapshot(db2)).toEqual(expected);
    await db2.close();
  });

  it('with a busy capture too: every event once, profiles equal to the events', async () => {
    const shared = await backend.fresh();
    const [a, b] = await Promise.all([
      replayInto(shared, [generated], { batchEvents: 100 }),
      replayInto(shared, [generated], { batchEvents: 150 }),
    ]);
    const union = new Set([...a.lines, ...b.lines]);
    expect(a.m.written + b.m.written).toBe(union.size);
    expect(a.m.batchesRetried + b.m.batchesRetried).toBe(0);
    await expectConsistent(shared, union);
  });
});
