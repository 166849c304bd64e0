/**
 * Test-only: the certificates of the FoxIO corpus captures that pin JA4X, pulled out with the test
 * pcap reader, `locateTls` (HTTP CONNECT / SOCKS captures) and `parseTlsStream({ certificates })`.
 */
import { fileURLToPath } from 'node:url';
import { locateTls } from '../../../../src/parsers/tls/locate.js';
import { parseTlsStream } from '../../../../src/parsers/tls/stream.js';
import { readTcpStreams } from '../tls/pcap-streams.js';

export const FOXIO_PCAP_DIR = fileURLToPath(new URL('../../../corpus/foxio-ja4/pcap/', import.meta.url));

/** The foxio-ja4 captures for which EXPECTED-INDEX.json pins JA4X over TCP. */
export const JA4X_CAPTURES = [
  'badcurveball.pcap',
  'browsers-x509.pcapng',
  'http2-with-cookies.pcapng',
  'https-connect.pcap',
  'https3-301-get.pcap',
  'ipv6.pcapng',
  'latest.pcapng',
  'socks-https-example.pcap',
  'ssh2.pcapng',
  'tls-alpn-h2.pcap',
  'tls-handshake.pcapng',
] as const;

/** One Certificate message found in a capture, with the flow named from the client's side. */
export interface CorpusChain {
  capture: string;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  /** Index of the Certificate message within its stream direction. */
  message: number;
  chain: Uint8Array[];
}

const cache = new Map<string, CorpusChain[]>();

/** Every Certificate message of every TCP direction of `capture` (a file name in FOXIO_PCAP_DIR). */
export function corpusChains(capture: string): CorpusChain[] {
  const hit = cache.get(capture);
  if (hit !== undefined) return hit;
  const out: CorpusChain[] = [];
  for (const d of readTcpStreams(FOXIO_PCAP_DIR + capture)) {
    let data = d.data;
    if (data.length > 0 && data[0] !== 0x16) {
      const at = locateTls(data, 2); // TLS after a CONNECT or SOCKS reply
      if (at < 0) continue;
      data = data.subarray(at);
    }
    const r = parseTlsStream(data, { certificates: true });
    r.certificates.forEach((m, message) => {
      // Certificates travel server → client, so the client is this direction's destination.
      out.push({
        capture,
        client: d.dst,
        clientPort: d.dstPort,
        server: d.src,
        serverPort: d.srcPort,
        message,
        chain: m.chain,
      });
    });
  }
  cache.set(capture, out);
  return out;
}

/** The DER at chain position `index` of the first Certificate message sent to client port `clientPort`. */
export function corpusCert(capture: string, clientPort: number, index: number): Uint8Array {
  const chain = corpusChains(capture).find((c) => c.clientPort === clientPort);
  const der = chain?.chain[index];
  if (der === undefined)
    throw new Error(`no certificate ${index} for client port ${clientPort} in ${capture}`);
  return der;
}
