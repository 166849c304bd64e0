// Capture timestamps are microseconds since the Unix epoch.

/** ISO-8601 UTC with microseconds, e.g. 2024-05-01T12:00:00.123456Z. */
export function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const micro = us - ms * 1000;
  const iso = new Date(ms).toISOString(); // ...ss.mmmZ
  return `${iso.slice(0, -1)}${String(micro).padStart(3, '0')}Z`;
}
