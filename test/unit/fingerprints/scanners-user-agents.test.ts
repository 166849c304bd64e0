import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_USER_AGENT_TABLE,
  loadUserAgentRules,
  MAX_USER_AGENT_CHARS,
  matchUserAgent,
} from '../../../src/fingerprints/scanners.js';
import { DeckscopeError } from '../../../src/util/errors.js';

describe('matchUserAgent (data/tools/user-agents.json)', () => {
  it.each([
    [
      'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
      'nmap',
      'hand-written',
    ],
    ['ivre-masscan/1.3 https://github.com/robertdavidgraham/', 'masscan', 'hand-written'],
    ['masscan/1.0 (https://github.com/robertdavidgraham/masscan)', 'masscan', 'hand-written'],
    ['Mozilla/5.0 zgrab/0.x', 'zgrab', 'hand-written'],
    ['Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)', 'censys', 'hand-written'],
    [
      'Expanse, a Palo Alto Networks company, searches across the global IPv4 space',
      'expanse',
      'hand-written',
    ],
    ['Nuclei - Open-source project (github.com/projectdiscovery/nuclei)', 'nuclei', 'hand-written'],
    ['Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:Port Check)', 'nikto', 'hand-written'],
    ['sqlmap/1.7.2#stable (https://sqlmap.org)', 'sqlmap', 'hand-written'],
    ['Mozilla/4.0 (Hydra)', 'hydra', 'hand-written'],
    ['gobuster/3.6', 'gobuster', 'hand-written'],
    ['Fuzz Faster U Fool v2.1.0-dev', 'ffuf', 'hand-written'],
    ['WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)', 'wpscan', 'hand-written'],
    ['Hello, world', 'mirai', 'hand-written'],
    ['Hello World', 'mirai', 'hand-written'],
    ['curl/8.5.0', 'curl', 'hand-written'],
    ['CURL/7.29.0', 'curl', 'hand-written'],
    ['Wget/1.21.4', 'wget', 'hand-written'],
    ['python-requests/2.31.0', 'python_requests', 'hand-written'],
    ['Python-urllib/3.11', 'python_urllib', 'hand-written'],
    ['Go-http-client/1.1', 'go_http', 'hand-written'],
    ['libwww-perl/6.72', 'libwww_perl', 'hand-written'],
    [
      'Mozilla/5.0 (compatible; Nimbostratus-Bot/v1.3.2; http://cloudsystemnetworks.com)',
      'nimbostratus',
      'nginx-ultimate-bad-bot-blocker',
    ],
    ['ZmEu', 'zmeu', 'nginx-ultimate-bad-bot-blocker'],
    [
      'Mozilla/5.0 (l9scan/2.0.636313e2334313e28313e24333; +https://leakix.net)',
      'leakix',
      'nginx-ultimate-bad-bot-blocker',
    ],
    ['Mozilla/5.0 (compatible; Jorgee)', 'jorgee', 'nginx-ultimate-bad-bot-blocker'],
    ['Mozilla/5.0 [en] (X11, U; OpenVAS-VT 22.4.1)', 'openvas', 'nginx-ultimate-bad-bot-blocker'],
  ])('%s -> %s', (ua, tool, source) => {
    expect(matchUserAgent(ua)).toMatchObject({ tool, source });
  });

  it.each([
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'my-app (uses curl/8 internally)',
    'Hello, world!',
    '',
  ])('%j -> null', (ua) => {
    expect(matchUserAgent(ua)).toBeNull();
  });

  it(`examines only the first ${MAX_USER_AGENT_CHARS} characters`, () => {
    expect(matchUserAgent(`${'x'.repeat(MAX_USER_AGENT_CHARS)}sqlmap/1.0`)).toBeNull();
    expect(matchUserAgent(`${'x'.repeat(MAX_USER_AGENT_CHARS - 10)}sqlmap/1.0`)).toMatchObject({
      tool: 'sqlmap',
    });
  });
});

describe('the shipped table', () => {
  const doc = JSON.parse(readFileSync(DEFAULT_USER_AGENT_TABLE, 'utf8')) as {
    sources: Record<string, { licence: string; licence_file?: string }>;
    entries: Array<{ pattern: string; source: string; tool: string }>;
  };

  it('every entry names a source with a redistributable licence; licence files are shipped beside it', () => {
    const allowed = new Set(['BSD-3-Clause', 'MIT']);
    for (const [name, src] of Object.entries(doc.sources)) {
      expect(allowed.has(src.licence), name).toBe(true);
      if (src.licence_file !== undefined) {
        expect(existsSync(join(dirname(DEFAULT_USER_AGENT_TABLE), src.licence_file)), name).toBe(true);
      }
    }
    for (const e of doc.entries) expect(doc.sources[e.source], e.pattern).toBeDefined();
    expect(loadUserAgentRules()).toHaveLength(doc.entries.length);
  });

  it('covers the tools DECNET attributes by User-Agent (decnet-reference.md §4.3)', () => {
    const tools = new Set(doc.entries.map((e) => e.tool));
    for (const t of [
      'nmap',
      'nikto',
      'sqlmap',
      'nuclei',
      'masscan',
      'zgrab',
      'metasploit',
      'curl',
      'python_requests',
      'gobuster',
      'dirbuster',
      'hydra',
      'wfuzz',
    ]) {
      expect(tools.has(t), t).toBe(true);
    }
  });
});

describe('a broken table is refused with a DeckscopeError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deckscope-ua-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, body: unknown): string => {
    const p = join(dir, name);
    writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
    return p;
  };
  const src = { s: { licence: 'MIT' } };

  it.each([
    ['missing', join(dir, 'nope.json')],
    ['not JSON', write('bad.json', '{')],
    ['no entries', write('empty.json', { sources: src })],
    [
      'bad regex',
      write('regex.json', {
        sources: src,
        entries: [{ pattern: '(', match: 'regex', tool: 't', category: 'c', source: 's' }],
      }),
    ],
    [
      'unlicensed source',
      write('lic.json', {
        sources: { s: {} },
        entries: [{ pattern: 'x', match: 'substring', tool: 't', category: 'c', source: 's' }],
      }),
    ],
    [
      'unknown match kind',
      write('kind.json', {
        sources: src,
        entries: [{ pattern: 'x', match: 'glob', tool: 't', category: 'c', source: 's' }],
      }),
    ],
  ])('%s', (_name, path) => {
    expect(() => matchUserAgent('curl/8', path)).toThrow(DeckscopeError);
  });

  it('a custom table is used when given', () => {
    const p = write('ok.json', {
      sources: src,
      entries: [{ pattern: 'evil', match: 'substring', tool: 'evil', category: 'c', source: 's' }],
    });
    expect(matchUserAgent('very EVIL agent', p)).toEqual({
      tool: 'evil',
      category: 'c',
      pattern: 'evil',
      source: 's',
    });
    expect(matchUserAgent('curl/8', p)).toBeNull();
  });
});
