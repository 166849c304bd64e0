// Finds where TLS starts in a stream that opens with another protocol: HTTP CONNECT, SOCKS 4/5,
// STARTTLS (SMTP, IMAP, POP3, FTP, LDAP), MySQL's SSL request, ADB's STLS. The TLS that follows
// the upgrade is what gets fingerprinted.

const TLS_HANDSHAKE = 0x16;
const MAX_RECORD = 16384 + 2048;

/** Offset of the first TLS handshake record whose first message has type `msgType`, or -1. */
export function locateTls(data: Uint8Array, msgType: 1 | 2): number {
  if (data.length >= 6 && data[0] === TLS_HANDSHAKE) return 0;
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  for (
    let i = buf.indexOf(TLS_HANDSHAKE, 1);
    i !== -1 && i + 9 <= buf.length;
    i = buf.indexOf(TLS_HANDSHAKE, i + 1)
  ) {
    if (buf[i + 1] !== 0x03 || buf[i + 2]! > 0x04 || buf[i + 5] !== msgType) continue;
    const recLen = (buf[i + 3]! << 8) | buf[i + 4]!;
    const msgLen = (buf[i + 6]! << 16) | (buf[i + 7]! << 8) | buf[i + 8]!;
    if (recLen < 4 || recLen > MAX_RECORD || msgLen < 38) continue; // a hello is never shorter
    return i;
  }
  return -1;
}

/** Bytes from `start` to the end of the record that completes the first handshake message
 *  (records of type 22 only), or -1 when the data ends first. A ClientHello or ServerHello is
 *  always the first message of its direction, so this is all a hello parser needs to read. */
export function firstHandshakeSpan(data: Uint8Array, start: number): number {
  let off = start;
  let have = 0;
  let need = -1;
  while (off + 5 <= data.length && data[off] === TLS_HANDSHAKE) {
    const recLen = (data[off + 3]! << 8) | data[off + 4]!;
    const body = off + 5;
    if (need < 0) {
      if (recLen < 4) return -1;
      need = 4 + ((data[body + 1]! << 16) | (data[body + 2]! << 8) | data[body + 3]!);
    }
    have += recLen;
    off = body + recLen;
    if (have >= need) return off <= data.length ? off - start : -1;
  }
  return -1;
}
