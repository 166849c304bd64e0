// The end-of-run summary (tcpdump-style counts plus ours) and its JSON form for --stats-json.
import type { EnricherStats } from '../db/enrichment.js';
import type { RunSummary } from '../pipeline.js';

function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

function list(o: Record<string, number>): string {
  const parts = Object.entries(o)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(', ') : 'none';
}

/** Human-readable summary lines for stderr. */
export function formatSummary(s: RunSummary): string {
  const c = s.capture;
  const events = Object.values(s.events).reduce((a, b) => a + b, 0);
  const pps = s.wallSeconds > 0 ? Math.round(c.packets / s.wallSeconds) : 0;
  const lines = [
    `deckscope: ${c.packets} packets (${fmtBytes(c.wireBytes)}) in ${s.wallSeconds.toFixed(2)} s (${pps} packets/s)`,
    `  flows: ${c.tcpFlows} TCP, ${c.udpFlows} UDP; ended ${list(c.flowsEnded)}; ${c.flowsTrivial} without payload folded into ${c.scanSummaries} scan summaries`,
    `  events: ${events} (${list(s.events)})`,
    `  kernel: ${c.kernel ? `received ${c.kernel.received}, dropped ${c.kernel.dropped}, interface dropped ${c.kernel.ifDropped}` : 'n/a (file)'}`,
    `  not decoded: ${c.malformedTotal} malformed (${list(c.malformed)}), ${c.ipFragments} IP fragments, ${c.notIp} non-IP, ${c.otherTransport} other transport`,
    `  shed: ${c.batchesShed} batches (${c.packetsShed} packets); reassembly budget hits ${c.reassembly.budgetExhausted}; evicted flows ${c.flowsEnded.evicted}`,
  ];
  if (Object.keys(s.anomalies).length) lines.push(`  anomalies: ${list(s.anomalies)}`);
  if (s.db) {
    const d = s.db;
    lines.push(
      `  database ${d.db}: ${d.written} events written (${d.duplicates} already there) in ${d.batches} batches; ` +
        `${d.fingerprintRows} fingerprint and ${d.attackerRows} attacker row updates`,
    );
    lines.push(
      `    retried ${d.batchesRetried} batches, ${d.outages} outages; spooled ${d.spooled}, replayed ${d.replayed}, ` +
        `shed ${d.shed}, rejected ${d.rejected}, expired ${d.expired}` +
        (d.spoolBytesLeft ? `; ${fmtBytes(d.spoolBytesLeft)} left in the spool for the next start` : ''),
    );
  }
  if (s.profiler) {
    const p = s.profiler;
    lines.push(
      `  profiler: ${p.events} events, ${p.attackersPeak} attackers at most (${p.evicted} evicted), ` +
        `${p.snapshots} snapshots in ${p.ticks} ticks${p.writeErrors ? `, ${p.writeErrors} failed writes` : ''}`,
    );
  }
  if (s.enrichment) lines.push(formatEnrichment(s.enrichment));
  if (s.syslog) {
    const y = s.syslog;
    lines.push(`  syslog: ${y.sent} sent, ${y.dropped} dropped, ${y.rejected} rejected, ${y.errors} errors`);
  }
  if (s.batchesFailed) lines.push(`  parser failures: ${s.batchesFailed} batches`);
  return lines.join('\n');
}

/** The enrichment line of a summary. */
export function formatEnrichment(e: EnricherStats): string {
  const ptr = Object.entries(e.ptr)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `  enrichment: ${e.geoFound} of ${e.geoLookups} addresses with a country or ASN; reverse DNS: ${ptr || 'none'}` +
    (e.ptrAbandoned ? `, ${e.ptrAbandoned} abandoned at exit` : '') +
    (e.writeErrors ? `; ${e.writeErrors} failed writes` : '')
  );
}

/** The summary as one JSON object. */
export function summaryJson(s: RunSummary): Record<string, unknown> {
  return {
    packets: s.capture.packets,
    bytes: s.capture.wireBytes,
    wall_seconds: s.wallSeconds,
    flows: {
      tcp: s.capture.tcpFlows,
      udp: s.capture.udpFlows,
      ended: s.capture.flowsEnded,
      trivial: s.capture.flowsTrivial,
      peak: s.capture.flowsPeak,
    },
    events: s.events,
    streams: s.streams,
    datagrams: s.datagrams,
    udp: s.udp,
    anomalies: s.anomalies,
    kernel: s.capture.kernel,
    malformed: s.capture.malformed,
    malformed_total: s.capture.malformedTotal,
    ip_fragments: s.capture.ipFragments,
    not_ip: s.capture.notIp,
    shed: { batches: s.capture.batchesShed, records: s.capture.recordsShed, packets: s.capture.packetsShed },
    retransmits: s.capture.retransmits,
    syn_retransmits: s.capture.synRetransmits,
    scan_summaries: s.capture.scanSummaries,
    syn_deduplicated: s.capture.synDeduplicated,
    reassembly: s.capture.reassembly,
    records: s.records,
    batches: s.batches,
    batches_failed: s.batchesFailed,
    output_lines: s.outputLines,
    warnings: s.warnings,
    stopped_early: s.stoppedEarly,
    ...(s.db
      ? {
          db: {
            db: s.db.db,
            events: s.db.events,
            written: s.db.written,
            duplicates: s.db.duplicates,
            batches: s.db.batches,
            batches_retried: s.db.batchesRetried,
            outages: s.db.outages,
            spooled: s.db.spooled,
            replayed: s.db.replayed,
            shed: s.db.shed,
            rejected: s.db.rejected,
            expired: s.db.expired,
            fingerprint_rows: s.db.fingerprintRows,
            attacker_rows: s.db.attackerRows,
            queue_peak_bytes: s.db.queuePeakBytes,
            spool_peak_bytes: s.db.spoolPeakBytes,
            spool_bytes_left: s.db.spoolBytesLeft,
            partitions_dropped: s.db.partitionsDropped,
          },
        }
      : {}),
    ...(s.profiler ? { profiler: s.profiler } : {}),
    ...(s.enrichment ? { enrichment: s.enrichment } : {}),
    ...(s.syslog ? { syslog: s.syslog } : {}),
    engine_memory_bytes: s.capture.engineMemoryBytes,
    process: processUsage(),
  };
}

/** CPU seconds (all threads) and peak resident memory of this process so far. */
export function processUsage(): { cpu_user_s: number; cpu_system_s: number; max_rss_mib: number } {
  const u = process.resourceUsage();
  return {
    cpu_user_s: u.userCPUTime / 1e6,
    cpu_system_s: u.systemCPUTime / 1e6,
    max_rss_mib: u.maxRSS / 1024,
  };
}
