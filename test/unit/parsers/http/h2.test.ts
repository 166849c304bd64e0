import { describe, expect, it } from 'vitest';
import { H2_PREFACE, H2FrameType, parseH2Preface } from '../../../../src/parsers/http/h2.js';
import { MAX_H2_FRAMES_SCANNED } from '../../../../src/parsers/http/limits.js';
import { concat, h2FirstFlight, h2Frame, settingsPayload, u32 } from './builders.js';

const SETTINGS = H2FrameType.SETTINGS;
const WINDOW_UPDATE = H2FrameType.WINDOW_UPDATE;
const HEADERS = H2FrameType.HEADERS;
const PRIORITY = H2FrameType.PRIORITY;

describe('parseH2Preface', () => {
  it('reads SETTINGS in order, the connection WINDOW_UPDATE and the first HEADERS', () => {
    const r = parseH2Preface(h2FirstFlight());
    expect(r).toEqual({
      status: 'ok',
      preface: true,
      settings: [
        [1, 65536],
        [2, 0],
        [4, 6291456],
        [6, 262144],
      ],
      windowUpdate: 15663105,
      frameTypes: [SETTINGS, WINDOW_UPDATE, HEADERS],
      headers: { streamId: 1, flags: 0x25, length: 40 },
      anomalies: [],
    });
  });

  it('keeps frame order with PRIORITY frames and unknown settings', () => {
    const data = concat(
      H2_PREFACE,
      h2Frame(
        SETTINGS,
        0,
        0,
        settingsPayload([
          [1, 65536],
          [0x4a4a, 7],
          [4, 131072],
          [5, 16384],
        ]),
      ),
      h2Frame(WINDOW_UPDATE, 0, 0, u32(12517377)),
      h2Frame(PRIORITY, 0, 3, [0, 0, 0, 0, 200]),
      h2Frame(PRIORITY, 0, 5, [0, 0, 0, 0, 100]),
      h2Frame(HEADERS, 0x24, 13, new Uint8Array(10)),
    );
    const r = parseH2Preface(data);
    expect(r.status).toBe('ok');
    expect(r.settings).toEqual([
      [1, 65536],
      [0x4a4a, 7],
      [4, 131072],
      [5, 16384],
    ]);
    expect(r.windowUpdate).toBe(12517377);
    expect(r.frameTypes).toEqual([SETTINGS, WINDOW_UPDATE, PRIORITY, PRIORITY, HEADERS]);
    expect(r.headers).toEqual({ streamId: 13, flags: 0x24, length: 10 });
  });

  it('an empty SETTINGS frame is fine; no WINDOW_UPDATE or HEADERS yet', () => {
    const r = parseH2Preface(concat(H2_PREFACE, h2Frame(SETTINGS, 0, 0)));
    expect(r).toMatchObject({
      status: 'ok',
      settings: [],
      windowUpdate: null,
      headers: null,
      frameTypes: [SETTINGS],
    });
  });

  it('a HEADERS frame whose payload is cut is still seen', () => {
    const full = h2FirstFlight();
    const r = parseH2Preface(full.subarray(0, full.length - 20));
    expect(r.headers).toEqual({ streamId: 1, flags: 0x25, length: 40 });
  });

  it('ignores a stream WINDOW_UPDATE and flags a zero increment', () => {
    const data = concat(
      H2_PREFACE,
      h2Frame(SETTINGS, 0, 0),
      h2Frame(WINDOW_UPDATE, 0, 1, u32(1000)),
      h2Frame(WINDOW_UPDATE, 0, 0, u32(0)),
    );
    const r = parseH2Preface(data);
    expect(r.windowUpdate).toBe(0);
    expect(r.anomalies).toEqual(['bad_window_update']);
  });

  it('flags bad and duplicate settings values and reserved bits', () => {
    const data = concat(
      H2_PREFACE,
      h2Frame(
        SETTINGS,
        0,
        0,
        settingsPayload([
          [2, 2],
          [5, 100],
          [2, 0],
        ]),
      ),
      h2Frame(WINDOW_UPDATE, 0, 0, u32(0x80000010)),
    );
    const r = parseH2Preface(data);
    expect(r.status).toBe('ok');
    expect(r.windowUpdate).toBe(16);
    expect(r.anomalies).toEqual(['bad_settings_value', 'duplicate_setting', 'reserved_bit_set']);
  });

  it.each([
    ['empty data', new Uint8Array(0), 'incomplete', false],
    ['part of the preface', H2_PREFACE.subarray(0, 10), 'incomplete', false],
    ['the preface alone', H2_PREFACE, 'incomplete', true],
    ['part of the SETTINGS header', concat(H2_PREFACE, [0, 0]), 'incomplete', true],
    [
      'part of the SETTINGS payload',
      concat(H2_PREFACE, h2Frame(SETTINGS, 0, 0, settingsPayload([[1, 1]])).subarray(0, 12)),
      'incomplete',
      true,
    ],
  ] as const)('%s → incomplete', (_name, data, status, preface) => {
    const r = parseH2Preface(data);
    expect(r.status).toBe(status);
    expect(r.preface).toBe(preface);
    expect(r.settings).toBeNull();
    expect(r.anomalies).toEqual([]);
  });

  it.each([
    [
      'an HTTP/1.1 request',
      Uint8Array.from('GET / HTTP/1.1\r\n\r\n', (c) => c.charCodeAt(0)),
      'not_h2_preface',
    ],
    ['a corrupted preface', concat(H2_PREFACE.subarray(0, 20), [0x41]), 'not_h2_preface'],
    ['HEADERS first', concat(H2_PREFACE, h2Frame(HEADERS, 4, 1, [0x82])), 'preface_not_followed_by_settings'],
    ['a SETTINGS ACK first', concat(H2_PREFACE, h2Frame(SETTINGS, 1, 0)), 'settings_ack_in_preface'],
    ['SETTINGS on a stream', concat(H2_PREFACE, h2Frame(SETTINGS, 0, 3)), 'settings_on_stream'],
    [
      'a SETTINGS length that is not a multiple of 6',
      concat(H2_PREFACE, h2Frame(SETTINGS, 0, 0, [0, 1, 0, 0, 0])),
      'bad_settings_length',
    ],
    [
      'an over-long SETTINGS frame',
      concat(H2_PREFACE, [0, 0x48, 0x06, SETTINGS, 0, 0, 0, 0, 0]),
      'frame_too_large',
    ],
  ] as const)('%s is invalid', (_name, data, code) => {
    const r = parseH2Preface(data);
    expect(r.status).toBe('invalid');
    expect(r.settings).toBeNull();
    expect(r.anomalies).toEqual([code]);
  });

  it('an over-long later frame stops the scan without invalidating the preface', () => {
    const data = concat(H2_PREFACE, h2Frame(SETTINGS, 0, 0), [0x01, 0, 0, HEADERS, 0, 0, 0, 0, 1]);
    const r = parseH2Preface(data);
    expect(r.status).toBe('ok');
    expect(r.headers).toBeNull();
    expect(r.anomalies).toEqual(['frame_too_large']);
  });

  it(`scans at most ${MAX_H2_FRAMES_SCANNED} frames`, () => {
    const pings = Array.from({ length: 40 }, () => h2Frame(H2FrameType.PING, 0, 0, new Uint8Array(8)));
    const r = parseH2Preface(concat(H2_PREFACE, h2Frame(SETTINGS, 0, 0), ...pings, h2Frame(HEADERS, 4, 1)));
    expect(r.frameTypes).toHaveLength(MAX_H2_FRAMES_SCANNED);
    expect(r.headers).toBeNull();
  });
});
