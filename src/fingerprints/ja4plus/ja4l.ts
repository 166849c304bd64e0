// JA4L / JA4LS, "light distance" (FoxIO License 1.1, see LICENSE-FoxIO-1.1.txt beside this file),
// per FoxIO's JA4L diagram: a_b_c with a = one-way TCP handshake latency (µs), b = the side's
// observed TTL / hop limit, c = one-way application-handshake latency (µs). Times (capture µs):
// A client SYN, B server SYN-ACK, C client ACK, D first client data, E first server data after D,
// F next client data after E. Client: (C-B)/2 _ TTL _ (F-E)/2; server: (B-A)/2 _ TTL _ (E-D)/2.
// Differences are full precision, halved and truncated; without c the value is a_b.

/** JA4L (client side) or JA4LS (server side); null without the handshake half it needs. */
export function ja4l(handshakeUs: number, ttl: number, appUs: number): string | null {
  if (handshakeUs < 0 || ttl === 0) return null;
  const a = Math.trunc(handshakeUs / 2);
  return appUs >= 0 ? `${a}_${ttl}_${Math.trunc(appUs / 2)}` : `${a}_${ttl}`;
}
