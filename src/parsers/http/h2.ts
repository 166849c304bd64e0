import { H2_INITIAL_MAX_FRAME_SIZE, MAX_H2_FRAMES_SCANNED } from './limits.js';
import { type HttpParseStatus, pushOnce } from './syntax.js';

/** The client connection preface, RFC 9113 §3.4: `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n` (24 octets). */
export const H2_PREFACE = Uint8Array.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', (c) => c.charCodeAt(0));

/** Octets of a frame header (RFC 9113 §4.1). */
export const H2_FRAME_HEADER_LENGTH = 9;

/** Frame types (RFC 9113 §6). */
export const H2FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** SETTINGS parameters (RFC 9113 §6.5.2; 8 from RFC 8441, 9 from RFC 9218). Unknown ones are kept. */
export const H2Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
  ENABLE_CONNECT_PROTOCOL: 0x8,
  NO_RFC7540_PRIORITIES: 0x9,
} as const;

/** SETTINGS flag ACK (RFC 9113 §6.5). */
const FLAG_ACK = 0x1;

/** The first HEADERS frame's header (its HPACK block is not decoded). */
export interface H2HeadersFrame {
  streamId: number;
  /** END_STREAM 0x1, END_HEADERS 0x4, PADDED 0x8, PRIORITY 0x20. */
  flags: number;
  /** Payload octets. */
  length: number;
}

/** What {@link parseH2Preface} found at the start of a client→server stream. */
export interface H2PrefaceResult {
  /**
   * 'ok': the preface and a well-formed first SETTINGS frame are present. 'incomplete': the data is a
   * proper prefix of that. 'invalid': not an HTTP/2 preface, or a first frame the peer must reject.
   */
  status: HttpParseStatus;
  /** The whole 24-octet preface is present. */
  preface: boolean;
  /** The first SETTINGS frame's parameters as (identifier, value), in wire order; null until parsed. */
  settings: Array<[id: number, value: number]> | null;
  /** Window Size Increment of the first connection-level WINDOW_UPDATE before the first HEADERS. */
  windowUpdate: number | null;
  /** Types of the frames after the preface, in order (at most MAX_H2_FRAMES_SCANNED). */
  frameTypes: number[];
  /** The first HEADERS frame, or null if none within the frames scanned. */
  headers: H2HeadersFrame | null;
  /** Stable codes, each once, in first-seen order. */
  anomalies: string[];
}

/** Reads a big-endian u32 at `p` (caller checked the bounds). */
function u32(data: Uint8Array, p: number): number {
  return ((data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!) >>> 0;
}

/** Adds 'bad_settings_value' for values RFC 9113 §6.5.2 makes a connection error. */
function checkSetting(id: number, value: number, anomalies: string[]): void {
  const bad =
    (id === H2Setting.ENABLE_PUSH && value > 1) ||
    (id === H2Setting.INITIAL_WINDOW_SIZE && value > 0x7fffffff) ||
    (id === H2Setting.MAX_FRAME_SIZE && (value < 16384 || value > 0xffffff)) ||
    (id === H2Setting.ENABLE_CONNECT_PROTOCOL && value > 1) ||
    (id === H2Setting.NO_RFC7540_PRIORITIES && value > 1);
  if (bad) pushOnce(anomalies, 'bad_settings_value');
}

/**
 * Parses the start of a cleartext HTTP/2 client stream with prior knowledge (RFC 9113 §3.3–§3.4): the
 * 24-octet preface, the mandatory first SETTINGS frame (parameters in order), then scans up to
 * {@link MAX_H2_FRAMES_SCANNED} frames for a stream-0 WINDOW_UPDATE and the first HEADERS frame. HPACK
 * is not decoded. Never throws.
 *
 * 'invalid' codes: 'not_h2_preface', 'preface_not_followed_by_settings', 'settings_ack_in_preface',
 * 'settings_on_stream', 'bad_settings_length', 'frame_too_large' (also reported, without changing the
 * status, when a later frame is too large; scanning stops there). Tolerated: 'bad_settings_value',
 * 'duplicate_setting', 'bad_window_update', 'reserved_bit_set'.
 */
export function parseH2Preface(data: Uint8Array): H2PrefaceResult {
  const result: H2PrefaceResult = {
    status: 'incomplete',
    preface: false,
    settings: null,
    windowUpdate: null,
    frameTypes: [],
    headers: null,
    anomalies: [],
  };
  const invalid = (code: string): H2PrefaceResult => {
    pushOnce(result.anomalies, code);
    result.status = 'invalid';
    return result;
  };
  const n = Math.min(data.length, H2_PREFACE.length);
  for (let i = 0; i < n; i++) if (data[i] !== H2_PREFACE[i]) return invalid('not_h2_preface');
  if (data.length < H2_PREFACE.length) return result;
  result.preface = true;

  let p = H2_PREFACE.length;
  while (result.frameTypes.length < MAX_H2_FRAMES_SCANNED && p + H2_FRAME_HEADER_LENGTH <= data.length) {
    const length = (data[p]! << 16) | (data[p + 1]! << 8) | data[p + 2]!;
    const type = data[p + 3]!;
    const flags = data[p + 4]!;
    const word = u32(data, p + 5);
    const streamId = word & 0x7fffffff;
    const payload = p + H2_FRAME_HEADER_LENGTH;
    const first = result.frameTypes.length === 0;
    if ((word & 0x80000000) !== 0) pushOnce(result.anomalies, 'reserved_bit_set');
    if (first) {
      if (type !== H2FrameType.SETTINGS) return invalid('preface_not_followed_by_settings');
      if ((flags & FLAG_ACK) !== 0) return invalid('settings_ack_in_preface');
      if (streamId !== 0) return invalid('settings_on_stream');
      if (length % 6 !== 0) return invalid('bad_settings_length');
    }
    if (length > H2_INITIAL_MAX_FRAME_SIZE) {
      if (first) return invalid('frame_too_large');
      pushOnce(result.anomalies, 'frame_too_large');
      break;
    }
    if (first) {
      if (payload + length > data.length) return result; // incomplete SETTINGS
      const settings: Array<[number, number]> = [];
      const seen = new Set<number>();
      for (let q = payload; q < payload + length; q += 6) {
        const id = (data[q]! << 8) | data[q + 1]!;
        const value = u32(data, q + 2);
        if (seen.has(id)) pushOnce(result.anomalies, 'duplicate_setting');
        seen.add(id);
        checkSetting(id, value, result.anomalies);
        settings.push([id, value]);
      }
      result.settings = settings;
      result.status = 'ok';
    }
    result.frameTypes.push(type);
    if (type === H2FrameType.HEADERS) {
      result.headers = { streamId, flags, length };
      break;
    }
    if (type === H2FrameType.WINDOW_UPDATE && streamId === 0 && result.windowUpdate === null) {
      if (length !== 4 || payload + 4 > data.length) {
        if (length !== 4) pushOnce(result.anomalies, 'bad_window_update');
      } else {
        const w = u32(data, payload);
        if ((w & 0x80000000) !== 0) pushOnce(result.anomalies, 'reserved_bit_set');
        const increment = w & 0x7fffffff;
        if (increment === 0) pushOnce(result.anomalies, 'bad_window_update');
        result.windowUpdate = increment;
      }
    }
    p = payload + length;
  }
  return result;
}
