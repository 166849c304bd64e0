// Test-side asciicast conversions, written independently of src/sessions: asciicast v2 → v3
// (intervals, comments, an exit event) and asciicast v2 → DECNET session-shard lines.

/** A v2 event as read from the file. */
export interface CastEvent {
  t: number;
  code: string;
  data: string;
}

/** Splits an asciicast v2 text into its header object and events (plain JSON.parse per line). */
export function readV2(text: string): { header: Record<string, unknown>; events: CastEvent[] } {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const header = JSON.parse(lines[0]!) as Record<string, unknown>;
  const events = lines.slice(1).map((l) => {
    const [t, code, data] = JSON.parse(l) as [number, string, string];
    return { t, code, data };
  });
  return { header, events };
}

/** Converts asciicast v2 text to v3: `term` instead of width/height, intervals since the previous
 *  event (6 decimals, as asciinema writes), a comment and a blank line, and a final "x" event. */
export function v2ToV3(text: string, exitStatus = '0'): string {
  const { header, events } = readV2(text);
  const env = (header.env ?? {}) as Record<string, unknown>;
  const v3Header: Record<string, unknown> = {
    version: 3,
    term: { cols: header.width, rows: header.height, type: env.TERM },
  };
  if (header.timestamp !== undefined) v3Header.timestamp = header.timestamp;
  if (header.env !== undefined) v3Header.env = header.env;
  const out = [JSON.stringify(v3Header), '# converted from asciicast v2 by test/helpers/asciicast.ts'];
  let prev = 0;
  events.forEach((e, i) => {
    out.push(`[${(e.t - prev).toFixed(6)}, ${JSON.stringify(e.code)}, ${JSON.stringify(e.data)}]`);
    prev = e.t;
    if (i === Math.floor(events.length / 2)) out.push('', '# half-way comment');
  });
  out.push(`[0.000000, "x", ${JSON.stringify(exitStatus)}]`);
  return `${out.join('\n')}\n`;
}

/** One shard line with its absolute time (for interleaving). */
export interface ShardLine {
  t: number;
  line: string;
}

/** Converts asciicast v2 text to DECNET shard lines for `sid`: a `{sid, hdr}` header, then
 *  `{sid, t, ch, d}` for the "i"/"o" events with absolute epoch times `epoch + t` (6 decimals). */
export function v2ToShard(
  text: string,
  sid: string,
  epoch: number,
  hdr: Record<string, unknown>,
): ShardLine[] {
  const { events } = readV2(text);
  const out: ShardLine[] = [
    { t: epoch - 1, line: JSON.stringify({ sid, hdr: { ...hdr, timestamp: epoch } }) },
  ];
  for (const e of events) {
    if (e.code !== 'i' && e.code !== 'o') continue;
    const t = epoch + e.t;
    out.push({
      t,
      line: `{"sid": ${JSON.stringify(sid)}, "t": ${t.toFixed(6)}, "ch": "${e.code}", "d": ${JSON.stringify(e.data)}}`,
    });
  }
  return out;
}

/** Interleaves shard lines of several sessions by time into one shard text. */
export function mergeShards(...sessions: ShardLine[][]): string {
  const all = sessions.flat();
  all.sort((a, b) => a.t - b.t);
  return `${all.map((l) => l.line).join('\n')}\n`;
}
