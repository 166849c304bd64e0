// The attacker enricher of a command that writes profiles: offline GeoIP/ASN (bundled datasets or
// --geoip-db/--asn-db) and reverse DNS (system resolver or --dns-server; off with --no-ptr or
// DECKSCOPE_PTR=off), writing through the command's database connection.

import type { Db } from '../db/adapter.js';
import { AttackerEnricher, writeEnrichment } from '../db/enrichment.js';
import { GeoIp } from '../enrich/geo.js';
import { PtrResolver } from '../enrich/ptr.js';
import type { EnrichOptions } from './args.js';

/** PTR lookups are on unless --no-ptr, --no-enrich or DECKSCOPE_PTR=off. */
export function ptrEnabled(o: EnrichOptions): boolean {
  return o.ptr && process.env.DECKSCOPE_PTR !== 'off';
}

/** The enricher for `o`, or null with --no-enrich. A bad --geoip-db/--asn-db file throws a usage
 *  error naming it, before anything is read. */
export function openEnricher(
  o: EnrichOptions,
  db: Pick<Db, 'transaction'>,
  onWarning: (w: { code: string; message: string }) => void,
): AttackerEnricher | null {
  if (!o.enrich) return null;
  const geo = GeoIp.open({
    ...(o.geoipDb ? { geoipDb: o.geoipDb } : {}),
    ...(o.asnDb ? { asnDb: o.asnDb } : {}),
  });
  geo.warm(); // the bundled tables load now, not in the first profiler tick
  const ptr = ptrEnabled(o) ? new PtrResolver(o.dnsServers.length ? { servers: o.dnsServers } : {}) : null;
  return new AttackerEnricher({
    geo,
    ptr,
    write: (batch) => db.transaction((tx) => writeEnrichment(tx, batch)),
    onWarning,
  });
}
