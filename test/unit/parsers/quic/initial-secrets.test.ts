import { describe, expect, it } from 'vitest';
import { deriveInitialKeys, hkdfLabel } from '../../../../src/parsers/quic/initial-secrets.js';
import { quicVersionParams } from '../../../../src/parsers/quic/versions.js';
import { hex, RFC_SAMPLES, SAMPLE_DCID, toHex } from './rfc-vectors.js';

describe.each(RFC_SAMPLES)('Initial secrets: $name', (sample) => {
  const params = quicVersionParams(sample.version)!;

  it('uses the RFC labels', () => {
    expect(params.keyLabel).toBe(sample.labelNames.key);
    expect(params.ivLabel).toBe(sample.labelNames.iv);
    expect(params.hpLabel).toBe(sample.labelNames.hp);
  });

  it.each([
    ['client in', 32, 'clientIn'],
    ['server in', 32, 'serverIn'],
    [sample.labelNames.key, 16, 'key'],
    [sample.labelNames.iv, 12, 'iv'],
    [sample.labelNames.hp, 16, 'hp'],
  ] as const)('HkdfLabel of %s (length %i) is the RFC byte string', (label, length, field) => {
    expect(toHex(hkdfLabel(label, new Uint8Array(0), length))).toBe(sample.labels[field]);
  });

  it('derives the initial secret, both sides’ secrets and their key, iv and hp', () => {
    const keys = deriveInitialKeys(params, hex(SAMPLE_DCID));
    expect(toHex(keys.initialSecret)).toBe(sample.initialSecret);
    expect(toHex(keys.clientSecret)).toBe(sample.client.secret);
    expect(toHex(keys.serverSecret)).toBe(sample.server.secret);
    expect(toHex(keys.client.key)).toBe(sample.client.key);
    expect(toHex(keys.client.iv)).toBe(sample.client.iv);
    expect(toHex(keys.client.hp)).toBe(sample.client.hp);
    expect(toHex(keys.server.key)).toBe(sample.server.key);
    expect(toHex(keys.server.iv)).toBe(sample.server.iv);
    expect(toHex(keys.server.hp)).toBe(sample.server.hp);
  });
});
