// `deckscope report`: the top attackers and their fingerprints, and the fingerprints several hosts
// share, read from the database's views (docs/schema.md), as a table or as JSON (--json).

import { openDb, type Queryable } from '../db/adapter.js';
import { DbError } from '../db/errors.js';
import type { DbCommandOptions } from './args.js';

interface TopAttacker {
  ip: string;
  first_seen: Date;
  last_seen: Date;
  event_count: number;
  decky_count: number;
  service_count: number;
  sensor_count: number;
  country_code: string | null;
  asn: number | null;
  as_name: string | null;
  ptr_record: string | null;
  os_guess: string | null;
  hop_distance: number | null;
  fingerprint_count: number;
  fingerprints: Record<string, string[]>;
}

interface SharedFingerprint {
  kind: string;
  value: string;
  ip_count: number;
  event_count: number;
  first_seen: Date;
  last_seen: Date;
  sample_ips: string[];
}

export interface Report {
  database: string;
  totals: {
    attackers: number;
    events: number;
    fingerprints: number;
    first_seen: Date | null;
    last_seen: Date | null;
  };
  top_attackers: TopAttacker[];
  shared_fingerprints: SharedFingerprint[];
}

/** Reads the report from a database with the deckscope schema. */
export async function readReport(db: Queryable & { label: string }, limit: number): Promise<Report> {
  const ok = await db.query<{ ok: boolean }>(
    "SELECT to_regclass('v_top_attackers') IS NOT NULL AND to_regclass('v_shared_fingerprints') IS NOT NULL AS ok",
  );
  if (!ok.rows[0]?.ok)
    throw new DbError(
      'E_DB_MIGRATION',
      `${db.label} has no deckscope schema: run deckscope db migrate --db ${db.label}, or a capture with --db`,
    );
  const totals = (
    await db.query<Report['totals']>(
      `SELECT (SELECT count(*) FROM attackers) AS attackers,
              (SELECT COALESCE(sum(event_count), 0) FROM attackers) AS events,
              (SELECT count(*) FROM attacker_fingerprints) AS fingerprints,
              (SELECT min(first_seen) FROM attackers) AS first_seen,
              (SELECT max(last_seen) FROM attackers) AS last_seen`,
    )
  ).rows[0]!;
  const top = (await db.query<TopAttacker>('SELECT * FROM v_top_attackers LIMIT $1', [limit])).rows;
  const shared = (
    await db.query<SharedFingerprint>(
      `SELECT kind, value, ip_count, event_count, first_seen, last_seen, sample_ips
       FROM v_shared_fingerprints LIMIT $1`,
      [limit],
    )
  ).rows;
  return { database: db.label, totals, top_attackers: top, shared_fingerprints: shared };
}

/** Kinds in the order a reader looks for them; others follow alphabetically. */
const KIND_ORDER = ['ja4', 'ja3', 'ja4h', 'hassh', 'ssh_banner', 'ja4t', 'p0f_sig', 'user_agent', 'ja4x'];

/** Attacker-supplied text made safe for a terminal: control characters escaped, length capped. */
function safe(s: string, max = 72): string {
  const clean = s.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function when(d: Date | null): string {
  return d ? d.toISOString().slice(0, 19).replace('T', ' ') : '-';
}

function table(head: string[], rows: string[][], right: Set<number>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [line(head), ...rows.map(line)];
}

/** The report as text for a terminal. */
export function formatReport(r: Report): string {
  const t = r.totals;
  const out = [
    `deckscope report: ${r.database}`,
    `${t.attackers} source addresses, ${t.events} events, ${t.fingerprints} (address, fingerprint) pairs` +
      (t.first_seen ? `; ${when(t.first_seen)} to ${when(t.last_seen)} UTC` : ''),
  ];
  if (r.top_attackers.length === 0) {
    out.push('', 'No events yet: capture with --db first, e.g. deckscope -r capture.pcap --db ' + r.database);
    return out.join('\n');
  }
  out.push('', `Top ${r.top_attackers.length} source addresses by events`);
  const head = [
    '#',
    'address',
    'events',
    'deckies',
    'services',
    'first seen (UTC)',
    'last seen (UTC)',
    'os guess',
  ];
  const rows = r.top_attackers.map((a, i) => [
    String(i + 1),
    a.ip,
    String(a.event_count),
    String(a.decky_count),
    String(a.service_count),
    when(a.first_seen),
    when(a.last_seen),
    safe(a.os_guess ?? '-', 32),
  ]);
  const lines = table(head, rows, new Set([0, 2, 3, 4]));
  out.push(lines[0]!);
  r.top_attackers.forEach((a, i) => {
    out.push(lines[i + 1]!);
    const kinds = Object.keys(a.fingerprints).sort((x, y) => {
      const ix = KIND_ORDER.indexOf(x);
      const iy = KIND_ORDER.indexOf(y);
      return (ix === -1 ? 99 : ix) - (iy === -1 ? 99 : iy) || x.localeCompare(y);
    });
    const w = Math.max(0, ...kinds.map((k) => k.length));
    for (const k of kinds) {
      const vals = a.fingerprints[k]!;
      const more = vals.length > 2 ? ` (+${vals.length - 2} more)` : '';
      out.push(
        `      ${k.padEnd(w)}  ${vals
          .slice(0, 2)
          .map((v) => safe(v))
          .join(', ')}${more}`,
      );
    }
  });
  if (r.shared_fingerprints.length) {
    out.push('', 'Fingerprints shared by several addresses');
    out.push(
      ...table(
        ['kind', 'value', 'addresses', 'events', 'last seen (UTC)'],
        r.shared_fingerprints.map((f) => [
          f.kind,
          safe(f.value, 60),
          String(f.ip_count),
          String(f.event_count),
          when(f.last_seen),
        ]),
        new Set([2, 3]),
      ),
    );
  }
  return out.join('\n');
}

/** `deckscope report`: prints the report; exit status 0. */
export async function runReport(o: DbCommandOptions): Promise<number> {
  const db = await openDb(o.db);
  try {
    const r = await readReport(db, o.limit);
    process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatReport(r)}\n`);
    return 0;
  } finally {
    await db.close();
  }
}
