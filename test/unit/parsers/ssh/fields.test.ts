import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSshIdentification } from '../../../../src/parsers/ssh/banner.js';
import { kexinitFields, sshBannerFields } from '../../../../src/parsers/ssh/fields.js';
import { parseKexinit } from '../../../../src/parsers/ssh/kexinit.js';
import { ascii, type KexinitSpec, kexinitPayload, OPENSSH_LISTS } from './builders.js';

const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');

function kexinit(spec: KexinitSpec = {}) {
  const r = parseKexinit(kexinitPayload(spec));
  if (!r.ok) throw new Error(r.error);
  return r.kexinit;
}

describe('sshBannerFields', () => {
  it('client banner', () => {
    expect(sshBannerFields(parseSshIdentification(ascii('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n')))).toEqual({
      banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2',
      ssh_version: 'SSH-2.0-OpenSSH_9.2p1 Debian-2',
      proto_version: '2.0',
      software_version: 'OpenSSH_9.2p1',
      comments: 'Debian-2',
    });
  });

  it('server banner with pre-banner lines, escaped', () => {
    const f = sshBannerFields(parseSshIdentification(ascii('Hi\x1b[2J\r\nSSH-2.0-x\xff\r\n'), 'server'));
    expect(f).toMatchObject({ banner: 'SSH-2.0-x\\xff', pre_banner_lines: ['Hi\\x1b[2J'] });
  });
});

describe('kexinitFields', () => {
  // Spec strings (docs/fingerprints.md §9) for the builder's default lists.
  const CLIENT_ALGORITHMS =
    'curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ext-info-c;' +
    'chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com;umac-64-etm@openssh.com,hmac-sha2-256;' +
    'none,zlib@openssh.com';
  const SERVER_ALGORITHMS =
    'curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ext-info-c;aes256-ctr,aes128-ctr;hmac-sha1;none';

  it('client: hassh over the client-to-server lists', () => {
    const f = kexinitFields(kexinit({ langC2s: ['en'] }), 'client');
    expect(f).toEqual({
      direction: 'client',
      hassh: md5(CLIENT_ALGORITHMS),
      hassh_algorithms: CLIENT_ALGORITHMS,
      kex_algorithms: OPENSSH_LISTS.kex,
      host_key_algorithms: OPENSSH_LISTS.hostKey,
      ciphers: OPENSSH_LISTS.encC2s,
      macs: OPENSSH_LISTS.macC2s,
      compression: OPENSSH_LISTS.compC2s,
      kex_order_raw: 'curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ext-info-c',
      encryption_c2s: OPENSSH_LISTS.encC2s,
      encryption_s2c: OPENSSH_LISTS.encS2c,
      mac_c2s: OPENSSH_LISTS.macC2s,
      mac_s2c: OPENSSH_LISTS.macS2c,
      compression_c2s: OPENSSH_LISTS.compC2s,
      compression_s2c: OPENSSH_LISTS.compS2c,
      languages_c2s: ['en'],
      languages_s2c: [],
      first_kex_packet_follows: false,
    });
  });

  it('server: hassh_server over the server-to-client lists', () => {
    const f = kexinitFields(kexinit(), 'server');
    expect(f).toMatchObject({
      direction: 'server',
      hassh_server: md5(SERVER_ALGORITHMS),
      hassh_algorithms: SERVER_ALGORITHMS,
      ciphers: OPENSSH_LISTS.encS2c,
      macs: OPENSSH_LISTS.macS2c,
      compression: OPENSSH_LISTS.compS2c,
    });
    expect(f).not.toHaveProperty('hassh');
  });

  it('names are escaped for output; the hash is over the wire bytes', () => {
    const f = kexinitFields(
      kexinit({ kex: ['k\xffx', 'a\\b'], encC2s: [], macC2s: [], compC2s: [] }),
      'client',
    );
    expect(f.kex_algorithms).toEqual(['k\\xffx', 'a\\\\b']);
    expect(f.kex_order_raw).toBe('k\\xffx,a\\\\b');
    expect(f.hassh_algorithms).toBe('k\\xffx,a\\\\b;;;');
    expect(f.hassh).toBe(md5(Buffer.from('k\xffx,a\\b;;;', 'latin1')));
  });
});
