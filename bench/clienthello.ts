// ClientHello micro-benchmark: record bytes → parseTlsStream → every ClientHello fingerprint and
// field of a tls_client_hello event (ja3, ja3_full, ja4, ja4_r, ja4_o, ja4_ro and the raw lists),
// in one thread, as one parser worker does it. The hellos are the generator's browser and tool
// profiles (GREASE, post-quantum key shares, SNI and ALPN varied), built once before timing.
// Prints one JSON object: hellos per second (median of RUNS timed passes) and µs per hello.
// With --profile chrome every hello has its extensions permuted (as Chrome 110+ does), so the
// fingerprint memo of src/parsers/tls/fields.ts misses: that is the cold-path figure.
//   node dist/bench/clienthello.js [--hellos N] [--runs N] [--profile NAME]

import {
  buildClientHello,
  CLIENT_HELLO_PROFILES,
  type ClientHelloProfile,
} from '../scripts/pcapgen/payloads/tls.js';
import { Prng } from '../scripts/pcapgen/prng.js';
import { clientHelloFields } from '../src/parsers/tls/fields.js';
import { parseTlsStream } from '../src/parsers/tls/stream.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`${name} wants a positive integer, got ${process.argv[i + 1]}`);
    process.exit(2);
  }
  return v;
}

const DISTINCT = arg('--hellos', 4096);
const RUNS = arg('--runs', 5);
const PROFILE_ARG = process.argv.indexOf('--profile');
const PROFILES: readonly ClientHelloProfile[] =
  PROFILE_ARG >= 0 ? [process.argv[PROFILE_ARG + 1] as ClientHelloProfile] : CLIENT_HELLO_PROFILES;
if (!PROFILES.every((p) => CLIENT_HELLO_PROFILES.includes(p))) {
  console.error(`--profile wants one of ${CLIENT_HELLO_PROFILES.join(', ')}`);
  process.exit(2);
}
/** Hellos fingerprinted per timed pass. */
const PER_PASS = 200_000;

function corpus(): Uint8Array[] {
  const prng = new Prng(7);
  const out: Uint8Array[] = [];
  for (let i = 0; i < DISTINCT; i++) {
    const profile = PROFILES[i % PROFILES.length]!;
    const sni = i % 5 === 0 ? undefined : `host${i}.example.net`;
    out.push(new Uint8Array(buildClientHello(profile, prng, { sni }).bytes));
  }
  return out;
}

/** Fingerprints `n` hellos round-robin; returns seconds and a checksum that keeps the work live. */
function pass(hellos: Uint8Array[], n: number): { s: number; sink: number } {
  const opts = { ja4plus: true, protocol: 't' as const };
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const tls = parseTlsStream(hellos[i % hellos.length]!);
    const ch = tls.clientHellos[0];
    if (ch === undefined) throw new Error(`hello ${i % hellos.length} did not parse: ${tls.anomalies}`);
    const f = clientHelloFields(ch.hello, opts);
    sink += (f.ja4 as string).length + (f.ja3 as string).length + (f.ja4_ro as string).length;
  }
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, sink };
}

function main(): void {
  const hellos = corpus();
  const bytes = hellos.reduce((a, h) => a + h.length, 0);
  pass(hellos, 50_000); // warm-up: let V8 optimise before timing
  const rates: number[] = [];
  let sink = 0;
  for (let r = 0; r < RUNS; r++) {
    const { s, sink: k } = pass(hellos, PER_PASS);
    sink += k;
    rates.push(PER_PASS / s);
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)]!;
  console.log(
    JSON.stringify({
      scenario: 'clienthello_fingerprints_one_thread',
      profiles: PROFILES,
      distinct_hellos: hellos.length,
      mean_hello_bytes: Math.round(bytes / hellos.length),
      runs: rates.map(Math.round),
      hellos_per_s: Math.round(median),
      us_per_hello: Number((1e6 / median).toFixed(2)),
      checksum: sink,
    }),
  );
}

main();
