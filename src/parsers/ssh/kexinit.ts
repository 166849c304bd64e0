import { ByteReader } from '../../util/reader.js';
import { KEXINIT_COOKIE_LENGTH, KEXINIT_NAME_LIST_COUNT, SSH_MSG_KEXINIT } from './constants.js';
import { MAX_ALGORITHM_NAME_LENGTH } from './limits.js';
import { latin1, pushOnce } from './text.js';

/**
 * A parsed SSH_MSG_KEXINIT (RFC 4253 §7.1). Name-lists (RFC 4251 §5) are arrays of names in wire order;
 * each name is its wire bytes decoded as latin1 (one char per byte, lossless, equal to the text for the
 * US-ASCII names the RFC allows). An empty name-list is []; empty names inside a list are kept ('a,,b'
 * → ['a', '', 'b']) so that `list.join(',')` always gives back the name-list exactly as sent.
 */
export interface Kexinit {
  /** 16 random bytes (a view into the input). */
  cookie: Uint8Array;
  kexAlgorithms: readonly string[];
  serverHostKeyAlgorithms: readonly string[];
  encryptionAlgorithmsClientToServer: readonly string[];
  encryptionAlgorithmsServerToClient: readonly string[];
  macAlgorithmsClientToServer: readonly string[];
  macAlgorithmsServerToClient: readonly string[];
  compressionAlgorithmsClientToServer: readonly string[];
  compressionAlgorithmsServerToClient: readonly string[];
  languagesClientToServer: readonly string[];
  languagesServerToClient: readonly string[];
  firstKexPacketFollows: boolean;
  /** uint32 reserved for future extension (0 on the wire). */
  reserved: number;
  /** Stable codes for what was malformed but tolerated. */
  anomalies: readonly string[];
}

/** Result of {@link parseKexinit}: the message, or a stable error code. */
export type KexinitParseResult = { ok: true; kexinit: Kexinit } | { ok: false; error: string };

/**
 * Parses an SSH_MSG_KEXINIT payload (RFC 4253 §7.1; the payload of the binary packet, message number
 * byte included). Errors: 'not_kexinit' (first byte is not SSH_MSG_KEXINIT), 'truncated_kexinit' (a field
 * or name-list runs past the payload). Tolerated anomalies: 'non_ascii_name' (a byte ≥ 0x80),
 * 'non_printable_name' (a control character, space or DEL: RFC 4251 §6), 'empty_name', 'name_too_long'
 * (> 64 characters), 'non_canonical_boolean' (first_kex_packet_follows not 0/1), 'nonzero_reserved',
 * 'trailing_data'. Never throws.
 *
 * Results are memoised by the bytes after the cookie (see {@link BODY_MEMO_MAX_ENTRIES}): results
 * for equal bytes share their name-list and anomaly arrays, which is why they are readonly. Callers
 * may use the identity of `kexAlgorithms` as the identity of everything but the cookie.
 */
export function parseKexinit(payload: Uint8Array): KexinitParseResult {
  if (payload.length < 1 + KEXINIT_COOKIE_LENGTH || payload[0] !== SSH_MSG_KEXINIT) return parseBody(payload);
  const cookie = payload.subarray(1, 1 + KEXINIT_COOKIE_LENGTH);
  const bytes = payload.length - 1 - KEXINIT_COOKIE_LENGTH;
  if (bytes > BODY_MEMO_MAX_BYTES) return parseBody(payload);
  const key = latin1(payload.subarray(1 + KEXINIT_COOKIE_LENGTH));
  let body = bodyMemo.get(key);
  if (body === undefined) {
    body = parseBody(payload);
    // The memo must not keep the first payload's cookie: it is a view into a whole batch.
    if (body.ok) body.kexinit.cookie = NO_COOKIE;
    if (bodyMemo.size >= BODY_MEMO_MAX_ENTRIES) bodyMemo.clear();
    bodyMemo.set(key, body);
  }
  // The memoised result with this payload's own cookie.
  return body.ok ? { ok: true, kexinit: { ...body.kexinit, cookie } } : body;
}

/** Parsed KEXINITs by their bytes after the cookie: a brute-forcer repeats one client build
 *  thousands of times and a honeypot's server sends the same KEXINIT to all, each differing only
 *  in its 16 random cookie bytes. Bounded; cleared when full. */
const BODY_MEMO_MAX_ENTRIES = 1024;
/** Longer KEXINITs (real ones are 0.5–2 KiB) are parsed each time rather than kept as keys. */
const BODY_MEMO_MAX_BYTES = 8192;
const bodyMemo = new Map<string, KexinitParseResult>();
const NO_COOKIE = new Uint8Array(0);

function parseBody(payload: Uint8Array): KexinitParseResult {
  const r = new ByteReader(payload);
  if (r.u8() !== SSH_MSG_KEXINIT || r.overrun) return { ok: false, error: 'not_kexinit' };
  const anomalies: string[] = [];
  const cookie = r.bytes(KEXINIT_COOKIE_LENGTH);
  if (cookie === undefined) return { ok: false, error: 'truncated_kexinit' };
  const lists: string[][] = [];
  for (let i = 0; i < KEXINIT_NAME_LIST_COUNT; i++) {
    const list = readNameList(r, anomalies);
    if (list === undefined) return { ok: false, error: 'truncated_kexinit' };
    lists.push(list);
  }
  const firstKexPacketFollows = r.u8();
  const reserved = r.u32();
  if (r.overrun) return { ok: false, error: 'truncated_kexinit' };
  if (firstKexPacketFollows > 1) pushOnce(anomalies, 'non_canonical_boolean');
  if (reserved !== 0) pushOnce(anomalies, 'nonzero_reserved');
  if (!r.atEnd) pushOnce(anomalies, 'trailing_data');
  return {
    ok: true,
    kexinit: {
      cookie,
      kexAlgorithms: lists[0]!,
      serverHostKeyAlgorithms: lists[1]!,
      encryptionAlgorithmsClientToServer: lists[2]!,
      encryptionAlgorithmsServerToClient: lists[3]!,
      macAlgorithmsClientToServer: lists[4]!,
      macAlgorithmsServerToClient: lists[5]!,
      compressionAlgorithmsClientToServer: lists[6]!,
      compressionAlgorithmsServerToClient: lists[7]!,
      languagesClientToServer: lists[8]!,
      languagesServerToClient: lists[9]!,
      firstKexPacketFollows: firstKexPacketFollows !== 0,
      reserved,
      anomalies,
    },
  };
}

/** Reads one name-list (uint32 length + comma-separated names); undefined if it overruns. */
function readNameList(r: ByteReader, anomalies: string[]): string[] | undefined {
  const length = r.u32();
  if (r.overrun) return undefined;
  const bytes = r.bytes(length);
  if (bytes === undefined) return undefined;
  if (bytes.length === 0) return [];
  let nameStart = 0;
  for (let i = 0; i <= bytes.length; i++) {
    const b = i < bytes.length ? bytes[i]! : 0x2c;
    if (b === 0x2c) {
      const len = i - nameStart;
      if (len === 0) pushOnce(anomalies, 'empty_name');
      else if (len > MAX_ALGORITHM_NAME_LENGTH) pushOnce(anomalies, 'name_too_long');
      nameStart = i + 1;
    } else if (b >= 0x80) {
      pushOnce(anomalies, 'non_ascii_name');
    } else if (b <= 0x20 || b === 0x7f) {
      pushOnce(anomalies, 'non_printable_name');
    }
  }
  return latin1(bytes).split(',');
}
