import type { HelloParseResult } from '../tls/client-hello.js';

/** HandshakeType hello_verify_request (RFC 6347 §4.3.2; DTLS only, not used by DTLS 1.3). */
export const HELLO_VERIFY_REQUEST = 3;

/** A parsed HelloVerifyRequest (RFC 6347 §4.2.1). */
export interface HelloVerifyRequest {
  /** server_version: DTLS 1.0 (0xfeff) whatever was negotiated, per RFC 6347 §4.2.1. */
  serverVersion: number;
  /** The cookie the client must echo in its next ClientHello. */
  cookie: Uint8Array;
}

/**
 * Parses a HelloVerifyRequest body: `ProtocolVersion server_version; opaque cookie<0..2^8-1>;`, which
 * must fill the body exactly ('bad_hello_verify_request' otherwise). Never throws.
 */
export function parseHelloVerifyRequest(body: Uint8Array): HelloParseResult<HelloVerifyRequest> {
  if (body.length < 3 || 3 + body[2]! !== body.length)
    return { ok: false, error: 'bad_hello_verify_request' };
  return { ok: true, hello: { serverVersion: (body[0]! << 8) | body[1]!, cookie: body.subarray(3) } };
}
