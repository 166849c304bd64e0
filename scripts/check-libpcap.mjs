#!/usr/bin/env node
// Checks, before the addon is compiled, that the libpcap development headers are present,
// and says which package provides them when they are not.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function viaPkgConfig() {
  try {
    execFileSync('pkg-config', ['--exists', 'libpcap'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const headers = [
  '/usr/include/pcap.h',
  '/usr/include/pcap/pcap.h',
  '/usr/local/include/pcap.h',
  '/opt/homebrew/include/pcap.h',
];
if (process.platform === 'darwin' || viaPkgConfig() || headers.some((h) => existsSync(h))) {
  process.exit(0);
}
process.stderr.write(
  [
    'deckscope: libpcap headers not found (pcap.h), so the capture addon cannot be built.',
    '  Debian/Ubuntu:  apt-get install libpcap-dev',
    '  Fedora/RHEL:    dnf install libpcap-devel',
    '  Alpine:         apk add libpcap-dev',
    'then run npm install again.',
    '',
  ].join('\n'),
);
process.exit(1);
