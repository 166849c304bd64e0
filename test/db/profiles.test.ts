// The profiler's writer (src/db/profiles.ts): snapshots commute (the greatest by profile_at,
// profile_events, profile_sensor wins whatever the order of the writes), they create the attackers
// row they need, and they leave the event writer's columns alone.
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/adapter.js';
import { migrate } from '../../src/db/migrate.js';
import { type ProfileRow, writeProfiles } from '../../src/db/profiles.js';
import { backends, noteServerSkip, rows } from './helpers.js';

noteServerSkip('test/db/profiles.test.ts');

const row = (over: Partial<ProfileRow>): ProfileRow => ({
  ip: '192.0.2.1',
  first_seen: '2026-01-01T00:00:00.000001Z',
  last_seen: '2026-01-01T00:01:00.000000Z',
  profile_at: '2026-01-01T00:01:00.000000Z',
  profile_events: 10,
  profile_sensor: 'a',
  behavior_class: 'scanning',
  beacon_interval_s: null,
  beacon_jitter_pct: null,
  c2_framework: null,
  tool_guesses: [],
  timing_stats: {},
  phase_sequence: { order: ['recon'] },
  classification: { class: 'scanning' },
  c2_attribution: null,
  scan_stats: {},
  auth_attempts: 0,
  auth_failures: 0,
  command_count: 0,
  traversal_path: null,
  is_traversal: false,
  commands: [],
  ...over,
});

const older = row({});
const newer = row({
  last_seen: '2026-01-01T00:02:00.000000Z',
  profile_at: '2026-01-01T00:02:00.000000Z',
  profile_events: 3,
  profile_sensor: 'b',
  behavior_class: 'brute_force',
  auth_attempts: 3,
  auth_failures: 3,
  traversal_path: 'd1 -> d2',
  is_traversal: true,
  commands: [{ command: 'id' }],
});

const STATE = `SELECT a.ip, a.first_seen, a.last_seen, a.traversal_path, a.is_traversal, a.commands, b.behavior_class,
  b.profile_at, b.profile_events, b.profile_sensor, b.auth_attempts, b.retransmit_count, b.flow_count
  FROM attackers a JOIN attacker_behavior b ON b.attacker_uuid = a.uuid ORDER BY a.ip`;

describe.each(backends())('profile snapshots on $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('commute: the newest snapshot wins in either order, and a repeat changes nothing', async () => {
    const states: unknown[] = [];
    for (const order of [
      [older, newer],
      [newer, older, newer],
    ]) {
      const db = await openDb(await backend.fresh());
      try {
        await migrate(db);
        for (const r of order) await db.transaction((tx) => writeProfiles(tx, [r]));
        states.push(await rows(db, STATE));
      } finally {
        await db.close();
      }
    }
    expect(states[0]).toEqual(states[1]);
    expect(states[0]).toEqual([
      {
        ip: '192.0.2.1',
        first_seen: new Date('2026-01-01T00:00:00.000Z'),
        last_seen: new Date('2026-01-01T00:02:00.000Z'),
        traversal_path: 'd1 -> d2',
        is_traversal: true,
        commands: [{ command: 'id' }],
        behavior_class: 'brute_force',
        profile_at: new Date('2026-01-01T00:02:00.000Z'),
        profile_events: 3,
        profile_sensor: 'b',
        auth_attempts: 3,
        retransmit_count: 0,
        flow_count: 0,
      },
    ]);
  });

  it('rewrites the attackers row only when a snapshot changes it', async () => {
    const db = await openDb(await backend.fresh());
    const version = async () =>
      (await db.query<{ v: string }>(`SELECT xmin::text AS v FROM attackers WHERE ip = '192.0.2.1'`)).rows[0]!
        .v;
    try {
      await migrate(db);
      expect(await db.transaction((tx) => writeProfiles(tx, [newer]))).toBe(1);
      const v1 = await version();
      // A later snapshot within the same first/last seen, with the same path and commands: the
      // behaviour row is replaced, the attackers row is left as it is.
      const same = { ...newer, profile_at: '2026-01-01T00:02:00.000001Z', behavior_class: 'recon' };
      expect(await db.transaction((tx) => writeProfiles(tx, [same]))).toBe(1);
      expect(await version()).toBe(v1);
      // New commands: the attackers row follows the snapshot.
      const more = {
        ...same,
        profile_at: '2026-01-01T00:02:00.000002Z',
        commands: [{ command: 'uname -a' }],
      };
      expect(await db.transaction((tx) => writeProfiles(tx, [more]))).toBe(1);
      expect(await version()).not.toBe(v1);
      expect(await rows(db, STATE)).toMatchObject([
        { commands: [{ command: 'uname -a' }], behavior_class: 'recon', traversal_path: 'd1 -> d2' },
      ]);
      // A stale snapshot writes nothing.
      expect(await db.transaction((tx) => writeProfiles(tx, [older]))).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('keeps the event writer columns of an existing row', async () => {
    const db = await openDb(await backend.fresh());
    try {
      await migrate(db);
      await db.query(
        `INSERT INTO attackers (ip, first_seen, last_seen, event_count) VALUES ('192.0.2.1', '2025-12-31T00:00:00Z', '2026-01-01T00:00:30Z', 7)`,
      );
      await db.query(
        `INSERT INTO attacker_behavior (attacker_uuid, ip, os_guess, retransmit_count, flow_count)
         SELECT uuid, ip, 'Linux', 4, 2 FROM attackers`,
      );
      expect(await db.transaction((tx) => writeProfiles(tx, [older]))).toBe(1);
      const [r] = (
        await db.query<Record<string, unknown>>(
          'SELECT a.first_seen, a.event_count, b.os_guess, b.retransmit_count, b.flow_count, b.behavior_class FROM attackers a JOIN attacker_behavior b ON b.attacker_uuid = a.uuid',
        )
      ).rows;
      expect(r).toEqual({
        first_seen: new Date('2025-12-31T00:00:00Z'),
        event_count: 7,
        os_guess: 'Linux',
        retransmit_count: 4,
        flow_count: 2,
        behavior_class: 'scanning',
      });
    } finally {
      await db.close();
    }
  });
});
