// Attacker enrichment in the running system: every attacker address the profiler meets gets its
// country and ASN from the offline datasets at once (src/enrich/geo.ts) and a reverse-DNS lookup
// queued (src/enrich/ptr.ts, once per address per process, never awaited by the capture or the
// profiler tick). Results are written in batches on a timer, as upserts of the attackers row, so it
// does not matter whether the enrichment or the profile reaches the table first. `seen` only dates
// a row the enrichment creates; an existing row's first/last seen belong to the writers that saw
// its events (a session without a start time is enriched at ingest time and must not look recent).
// A PTR outcome is written only once known: ptr_status NULL means never tried, a status means tried
// (src/db/migrations/005_sessions.sql).

import type { GeoIp, GeoResult } from '../enrich/geo.js';
import type { PtrResolver } from '../enrich/ptr.js';
import type { Tx } from './adapter.js';
import { writeSettingAside } from './errors.js';

/** Between enrichment writes (ms). */
export const ENRICH_FLUSH_MS = 2000;
/** Rows per write (rows). */
export const ENRICH_WRITE_ROWS = 2000;
/** At exit, how long PTR lookups already queued may still finish (ms): a short replay gets its
 *  names; a long queue (a real resolver timing out on every scanner) is cut off and stays
 *  "never tried". */
export const PTR_EXIT_GRACE_MS = 5000;
/** Addresses remembered as already enriched (addresses); past it the oldest is forgotten and
 *  would be enriched again if it came back. */
export const MAX_REMEMBERED_ADDRESSES = 2_000_000;
/** Addresses waiting to be written (rows); past it the oldest geo rows are dropped and counted
 *  (they are recomputed when the address is seen by a later process). */
export const MAX_PENDING_ENRICHMENTS = 200_000;

/** What one flush writes: geo rows for addresses newly seen, PTR rows for lookups that finished. */
export interface EnrichmentBatch {
  geo: Array<{ ip: string; seen: string } & GeoResult>;
  ptr: Array<{ ip: string; seen: string; ptr_record: string | null; ptr_status: string; ptr_at: string }>;
}

const UPSERT_GEO = `
INSERT INTO attackers AS a (ip, first_seen, last_seen, country_code, country_source, asn, as_name, bgp_prefix,
                            asn_source, enriched_at, updated_at)
SELECT r.ip, r.seen, r.seen, r.country_code, r.country_source, r.asn, r.as_name, r.bgp_prefix, r.asn_source,
       now(), now()
FROM jsonb_to_recordset($1::jsonb) AS r(ip inet, seen timestamptz, country_code varchar(2),
     country_source varchar(16), asn bigint, as_name varchar(128), bgp_prefix cidr, asn_source varchar(16))
ORDER BY r.ip
ON CONFLICT (ip) DO UPDATE SET
  country_code = EXCLUDED.country_code,
  country_source = EXCLUDED.country_source,
  asn = EXCLUDED.asn,
  as_name = EXCLUDED.as_name,
  bgp_prefix = EXCLUDED.bgp_prefix,
  asn_source = EXCLUDED.asn_source,
  enriched_at = now()`;

// A failed lookup keeps the name an earlier one found; ptr_status says how the latest one ended.
const UPSERT_PTR = `
INSERT INTO attackers AS a (ip, first_seen, last_seen, ptr_record, ptr_status, ptr_at, updated_at)
SELECT r.ip, r.seen, r.seen, r.ptr_record, r.ptr_status, r.ptr_at, now()
FROM jsonb_to_recordset($1::jsonb) AS r(ip inet, seen timestamptz, ptr_record varchar(256),
     ptr_status varchar(16), ptr_at timestamptz)
ORDER BY r.ip
ON CONFLICT (ip) DO UPDATE SET
  ptr_record = COALESCE(EXCLUDED.ptr_record, a.ptr_record),
  ptr_status = EXCLUDED.ptr_status,
  ptr_at = EXCLUDED.ptr_at`;

/** Writes one batch in the caller's transaction (each list unique by ip); returns rows touched. */
export async function writeEnrichment(tx: Tx, batch: EnrichmentBatch): Promise<number> {
  let n = 0;
  const byIp = <T extends { ip: string }>(rows: T[]) =>
    [...new Map(rows.map((r) => [r.ip, r])).values()].sort((a, b) => (a.ip < b.ip ? -1 : 1));
  if (batch.geo.length) n += (await tx.query(UPSERT_GEO, [JSON.stringify(byIp(batch.geo))])).rowCount;
  if (batch.ptr.length) n += (await tx.query(UPSERT_PTR, [JSON.stringify(byIp(batch.ptr))])).rowCount;
  return n;
}

export interface EnricherStats {
  /** Addresses looked up in the offline datasets, and those with a country or an ASN. */
  geoLookups: number;
  geoFound: number;
  /** PTR outcomes written, by status. */
  ptr: Record<string, number>;
  /** Rows written, failed writes (retried), and rows dropped because the pending list was full. */
  rowsWritten: number;
  writeErrors: number;
  dropped: number;
  /** PTR lookups still pending at exit, abandoned. */
  ptrAbandoned: number;
  /** Rows the database refused (a value it cannot store), skipped. */
  refused: number;
}

/** Enriches the addresses `see()` is given and writes the results through `write` on a timer. */
export class AttackerEnricher {
  readonly stats: EnricherStats = {
    geoLookups: 0,
    geoFound: 0,
    ptr: {},
    rowsWritten: 0,
    writeErrors: 0,
    dropped: 0,
    ptrAbandoned: 0,
    refused: 0,
  };
  private readonly seen = new Map<string, string>();
  private geoRows: EnrichmentBatch['geo'] = [];
  private ptrRows: EnrichmentBatch['ptr'] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly opts: {
      geo: GeoIp | null;
      ptr: PtrResolver | null;
      write: (batch: EnrichmentBatch) => Promise<number>;
      onWarning?: (w: { code: string; message: string }) => void;
    },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), ENRICH_FLUSH_MS);
    this.timer.unref();
  }

  /** An attacker address met at packet time `ts` (ISO-8601): enriched once per process. */
  see(ip: string, ts: string): void {
    if (this.seen.has(ip)) return;
    if (this.seen.size >= MAX_REMEMBERED_ADDRESSES) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(ip, ts);
    if (this.opts.geo) {
      const g = this.opts.geo.lookup(ip);
      this.stats.geoLookups++;
      if (g.country_code !== null || g.asn !== null) {
        this.stats.geoFound++;
        this.push(this.geoRows, { ip, seen: ts, ...g });
      }
    }
    this.opts.ptr?.lookup(ip);
  }

  private push<T>(list: T[], row: T): void {
    if (list.length >= MAX_PENDING_ENRICHMENTS) {
      list.shift();
      this.stats.dropped++;
    }
    list.push(row);
  }

  private collectPtr(): void {
    for (const r of this.opts.ptr?.take() ?? []) {
      this.stats.ptr[r.status] = (this.stats.ptr[r.status] ?? 0) + 1;
      this.push(this.ptrRows, {
        ip: r.ip,
        seen: this.seen.get(r.ip) ?? new Date(r.at).toISOString(),
        ptr_record: r.name,
        ptr_status: r.status,
        ptr_at: new Date(r.at).toISOString(),
      });
    }
  }

  /** Writes what is ready; a failed write keeps the rows for the next flush. */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      this.collectPtr();
      while (this.geoRows.length || this.ptrRows.length) {
        const batch = {
          geo: this.geoRows.slice(0, ENRICH_WRITE_ROWS),
          ptr: this.ptrRows.slice(0, ENRICH_WRITE_ROWS),
        };
        try {
          // A row the database cannot store is set aside (counted), never retried forever.
          const geo = await writeSettingAside(batch.geo, (rows) =>
            this.opts.write({ geo: [...rows], ptr: [] }),
          );
          const ptr = await writeSettingAside(batch.ptr, (rows) =>
            this.opts.write({ geo: [], ptr: [...rows] }),
          );
          for (const n of [...geo.results, ...ptr.results]) this.stats.rowsWritten += n;
          for (const x of [...geo.refused, ...ptr.refused]) {
            this.stats.refused++;
            this.opts.onWarning?.({
              code: 'enrichment_refused',
              message: `enrichment of ${x.row.ip} was refused by the database (${x.reason}); skipped`,
            });
          }
        } catch (err) {
          this.stats.writeErrors++;
          this.opts.onWarning?.({
            code: 'enrichment_write',
            message: `attacker enrichment write failed (${(err as Error).message}); retried at the next flush`,
          });
          return;
        }
        this.geoRows = this.geoRows.slice(batch.geo.length);
        this.ptrRows = this.ptrRows.slice(batch.ptr.length);
      }
    });
    return this.writing;
  }

  /** Stops the timer, lets queued PTR lookups finish for at most `graceMs`, and writes what is
   *  known; lookups still pending then are abandoned (their addresses stay "never tried"). */
  async close(graceMs = PTR_EXIT_GRACE_MS): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const ptr = this.opts.ptr;
    for (const end = Date.now() + graceMs; ptr && ptr.pending() > 0 && Date.now() < end; )
      await new Promise((r) => setTimeout(r, 20));
    await this.flush();
    this.stats.ptrAbandoned = ptr?.pending() ?? 0;
    ptr?.close();
  }
}
