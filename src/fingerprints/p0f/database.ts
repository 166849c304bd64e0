// Parser of p0f v3's fingerprint database (p0f.fp, docs/README §5 of p0f 3.09b) into an immutable
// index of its [tcp:request] and [tcp:response] signatures. Total over any text: a line p0f would
// refuse (and exit on) is reported with its line number and skipped, never thrown.
import { findMatch, layoutKey, type MatchProbe } from './match.js';
import {
  P0F_MAX_TCP_OPTIONS,
  Quirk,
  TCPOPT_EOL,
  TCPOPT_MSS,
  TCPOPT_NOP,
  TCPOPT_SACK,
  TCPOPT_SACKOK,
  TCPOPT_TIMESTAMP,
  TCPOPT_WSCALE,
} from './packet.js';
import { windowMultiple } from './signature.js';

/** Diagnostics kept per parse (the rest are only counted): a hostile file cannot grow memory
 *  through its error list. */
export const P0F_DB_MAX_DIAGNOSTICS = 200;
/** Non-alphanumeric characters p0f allows in names (config.h NAME_CHARS). */
const NAME_CHARS = ' ./-_!?()';

export type WindowType = 'any' | 'fixed' | 'mod' | 'mss' | 'mtu';

/** A `label = type:class:name:flavor` line. */
export interface P0fLabel {
  /** 's' specific, 'g' generic (used only when nothing specific matches). */
  readonly type: 's' | 'g';
  /** OS family from `classes` ('win', 'unix', 'other'), or '!' for userland tools. */
  readonly osClass: string;
  /** As first spelled in the file (p0f folds names case-insensitively). */
  readonly name: string;
  /** '' when the label has none. */
  readonly flavor: string;
  /** What p0f prints as `os=`: name, then a space and the flavor if there is one. */
  readonly text: string;
  /** `sys = ` entries of a userland-tool label (OS names, or `@class`). */
  readonly sys: readonly string[];
  readonly line: number;
}

/** One `sig = ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass` line of a TCP section. */
export interface P0fTcpSignature {
  readonly line: number;
  readonly label: P0fLabel;
  /** The signature text as written. */
  readonly text: string;
  /** null: `*` (either version). */
  readonly ipVersion: 4 | 6 | null;
  /** Initial TTL (with any `+N` distance added). */
  readonly ttl: number;
  /** `N-`: the TTL is a maximum (tools that randomise it). */
  readonly randomTtl: boolean;
  readonly ipOptLen: number;
  /** -1 for `*`. */
  readonly mss: number;
  readonly windowType: WindowType;
  /** The window, modulus or multiplier, per `windowType` (0 for `any`). */
  readonly window: number;
  /** -1 for `*`. */
  readonly wscale: number;
  readonly layout: readonly number[];
  readonly layoutKey: string;
  readonly eolPad: number;
  readonly quirks: number;
  /** -1 `*`, 0 no payload, 1 payload. */
  readonly payClass: number;
}

export interface P0fDiagnostic {
  readonly line: number;
  readonly message: string;
}

/** The parsed database: TCP signatures indexed by option layout, in file order within a layout. */
export interface P0fDatabase {
  readonly request: ReadonlyMap<string, readonly P0fTcpSignature[]>;
  readonly response: ReadonlyMap<string, readonly P0fTcpSignature[]>;
  /** TCP signatures loaded (both directions). */
  readonly signatures: number;
  readonly classes: readonly string[];
  /** Lines p0f would have refused, first P0F_DB_MAX_DIAGNOSTICS of them. */
  readonly diagnostics: readonly P0fDiagnostic[];
  /** Total number of refused lines, including those not kept in `diagnostics`. */
  readonly errorCount: number;
}

/** A Map whose contents are fixed at construction (the database index is shared by every match). */
class FrozenMap<K, V> extends Map<K, V> {
  private frozen = false;
  constructor(from: Map<K, V>) {
    super();
    for (const [k, v] of from) super.set(k, v);
    this.frozen = true;
  }
  override set(k: K, v: V): this {
    if (this.frozen) throw new TypeError('the p0f database index is immutable');
    return super.set(k, v);
  }
  override delete(_k: K): boolean {
    throw new TypeError('the p0f database index is immutable');
  }
  override clear(): void {
    throw new TypeError('the p0f database index is immutable');
  }
}

type Section = 'mtu' | 'tcp:request' | 'tcp:response' | 'http:request' | 'http:response' | 'invalid';
type State = 'section' | 'label' | 'sys' | 'sig';

class ParseError extends Error {}

function fail(message: string): never {
  throw new ParseError(message);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isAlnum(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z0-9]$/.test(c);
}

function isNameChar(c: string | undefined): boolean {
  return c !== undefined && (isAlnum(c) || NAME_CHARS.includes(c));
}

/** A cursor over one signature value, with p0f's field readers. */
class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  peek(k = 0): string | undefined {
    return this.s[this.i + k];
  }
  startsWith(t: string): boolean {
    return this.s.startsWith(t, this.i);
  }
  /** A run of digits (possibly empty, which p0f reads as 0) followed by one of `ends`. */
  number(ends: string, what: string, min: number, max: number): number {
    const start = this.i;
    while (isDigit(this.peek())) this.i++;
    const end = this.peek();
    if (end === undefined || !ends.includes(end)) fail(`malformed ${what}`);
    const digits = this.s.slice(start, this.i);
    const v = digits.length > 9 ? Number.POSITIVE_INFINITY : digits ? Number(digits) : 0;
    if (v < min || v > max) fail(`bogus ${what} '${digits}'`);
    return v;
  }
  expect(c: string, what: string): void {
    if (this.peek() !== c) fail(`malformed ${what}`);
    this.i++;
  }
}

const OPTION_TOKENS: [string, number][] = [
  ['nop', TCPOPT_NOP],
  ['mss', TCPOPT_MSS],
  ['ws', TCPOPT_WSCALE],
  ['sok', TCPOPT_SACKOK],
  ['sack', TCPOPT_SACK],
  ['ts', TCPOPT_TIMESTAMP],
];

// Quirk tokens with the IP version they are invalid for.
const QUIRK_TOKENS: [string, number, 4 | 6 | null][] = [
  ['df', Quirk.df, 6],
  ['id+', Quirk.idNonZero, 6],
  ['id-', Quirk.idZero, 6],
  ['ecn', Quirk.ecn, null],
  ['0+', Quirk.mbzNonZero, 6],
  ['flow', Quirk.flow, 4],
  ['seq-', Quirk.seqZero, null],
  ['ack+', Quirk.ackNonZero, null],
  ['ack-', Quirk.ackZero, null],
  ['uptr+', Quirk.urgPtrNonZero, null],
  ['urgf+', Quirk.urg, null],
  ['pushf+', Quirk.push, null],
  ['ts1-', Quirk.ts1Zero, null],
  ['ts2+', Quirk.ts2NonZero, null],
  ['opt+', Quirk.optAfterEol, null],
  ['exws', Quirk.excessiveWscale, null],
  ['bad', Quirk.badOptions, null],
];

type SigFields = Omit<P0fTcpSignature, 'line' | 'label' | 'text'>;

/** Parses one TCP signature value (the text after `sig = `); throws ParseError on what p0f refuses. */
function parseTcpSig(value: string): SigFields {
  const c = new Cursor(value);
  let ipVersion: 4 | 6 | null;
  const v = c.peek();
  if (v === '4') ipVersion = 4;
  else if (v === '6') ipVersion = 6;
  else if (v === '*') ipVersion = null;
  else fail('unrecognized IP version');
  c.i++;
  c.expect(':', 'signature');

  let ttl = c.number(':+-', 'initial TTL', 1, 255);
  let randomTtl = false;
  if (c.peek() === '-') {
    c.i++;
    randomTtl = true;
  } else if (c.peek() === '+') {
    c.i++;
    ttl += c.number(':', 'initial TTL distance', 0, 255);
    if (ttl > 255) fail('bogus initial TTL');
  }
  c.expect(':', 'signature');

  const ipOptLen = c.number(':', 'IP option length', 0, 255);
  c.i++;

  let mss = -1;
  if (c.peek() === '*' && c.peek(1) === ':') c.i += 2;
  else {
    mss = c.number(':', 'MSS', 0, 65535);
    c.i++;
  }

  let windowType: WindowType;
  let window = 0;
  if (c.peek() === '*' && c.peek(1) === ',') {
    windowType = 'any';
    c.i += 2;
  } else {
    if (c.peek() === '%') {
      c.i++;
      windowType = 'mod';
      window = c.number(',', "'%' window", 2, 65535);
    } else if (c.startsWith('mss*') || c.startsWith('mtu*')) {
      windowType = c.peek(1) === 's' ? 'mss' : 'mtu';
      c.i += 4;
      window = c.number(',', 'MSS/MTU multiplier', 1, 1000);
    } else {
      windowType = 'fixed';
      window = c.number(',', 'window size', 0, 65535);
    }
    c.i++;
  }

  let wscale = -1;
  if (c.peek() === '*' && c.peek(1) === ':') c.i += 2;
  else {
    wscale = c.number(':', 'window scale', 0, 255);
    c.i++;
  }

  const layout: number[] = [];
  let eolPad = 0;
  while (c.peek() !== ':') {
    if (layout.length >= P0F_MAX_TCP_OPTIONS) fail('too many TCP options');
    if (c.startsWith('eol')) {
      c.i += 3;
      c.expect('+', 'EOL option');
      eolPad = c.number(':', 'EOL padding (EOL must be the last option)', 0, 255);
      layout.push(TCPOPT_EOL);
    } else if (c.peek() === '?') {
      c.i++;
      layout.push(c.number(':,', "'?' option", 0, 255));
    } else {
      const tok = OPTION_TOKENS.find(([t]) => c.startsWith(t));
      if (!tok) fail('unrecognized TCP option');
      c.i += tok[0].length;
      layout.push(tok[1]);
    }
    if (c.peek() === ':') break;
    c.expect(',', 'TCP options');
  }
  c.i++;

  let quirks = 0;
  while (c.peek() !== ':') {
    const tok = QUIRK_TOKENS.find(([t]) => c.startsWith(t));
    if (!tok) fail('unrecognized quirk');
    if (tok[2] !== null && tok[2] === ipVersion) fail(`'${tok[0]}' is not valid for IPv${ipVersion}`);
    quirks |= tok[1];
    c.i += tok[0].length;
    if (c.peek() === ':') break;
    c.expect(',', 'quirks');
  }
  c.i++;

  const rest = value.slice(c.i);
  const payClass = rest === '*' ? -1 : rest === '0' ? 0 : rest === '+' ? 1 : fail('malformed payload class');
  return {
    ipVersion,
    ttl,
    randomTtl,
    ipOptLen,
    mss,
    windowType,
    window,
    wscale,
    layout: Object.freeze(layout),
    layoutKey: layoutKey(layout),
    eolPad,
    quirks,
    payClass,
  };
}

// The probe of a database signature, for p0f's "already covered by an earlier line" check.
function sigProbe(s: SigFields): MatchProbe {
  const m =
    s.windowType === 'fixed'
      ? windowMultiple({
          ipVersion: s.ipVersion === 6 ? 6 : 4,
          synAck: false,
          ttl: s.ttl,
          ipOptLen: s.ipOptLen,
          mss: s.mss,
          window: s.window,
          wscale: s.wscale,
          layout: [],
          eolPad: s.eolPad,
          quirks: s.quirks,
          payload: false,
          totalHeader: 0,
          ts1: 0,
          dscp: 0,
          synMss: 0,
        })
      : null;
  return {
    ipVersion: s.ipVersion,
    ttl: s.ttl,
    quirks: s.quirks,
    layoutKey: s.layoutKey,
    eolPad: s.eolPad,
    ipOptLen: s.ipOptLen,
    mss: s.mss,
    wscale: s.wscale,
    payClass: s.payClass,
    windowType: s.windowType,
    window: s.window,
    multiplier: m ? m.multiplier : -1,
    useMtu: m?.unit === 'mtu',
  };
}

/** Parses p0f.fp text. Never throws; refused lines are in `diagnostics`. */
export function parseP0fDatabase(text: string): P0fDatabase {
  const request = new Map<string, P0fTcpSignature[]>();
  const response = new Map<string, P0fTcpSignature[]>();
  const classes: string[] = [];
  const names = new Map<string, string>();
  const diagnostics: P0fDiagnostic[] = [];
  let errorCount = 0;
  let signatures = 0;

  let section: Section | null = null;
  let state: State = 'section';
  let label: P0fLabel | null = null;
  let labelBroken = false;

  const report = (line: number, message: string): void => {
    errorCount++;
    if (diagnostics.length < P0F_DB_MAX_DIAGNOSTICS) diagnostics.push(Object.freeze({ line, message }));
  };
  const intern = (name: string): string => {
    const key = name.toLowerCase();
    const known = names.get(key);
    if (known !== undefined) return known;
    names.set(key, name);
    return name;
  };
  const knownClass = (c: string): boolean => classes.some((k) => k.toLowerCase() === c.toLowerCase());

  const parseLabel = (value: string, lineNo: number): P0fLabel => {
    const type = value[0];
    if ((type !== 's' && type !== 'g') || value[1] !== ':') fail('malformed label type (expected s: or g:)');
    let i = 2;
    while (i < value.length && (isAlnum(value[i]) || value[i] === '!')) i++;
    if (i === 2 || value[i] !== ':') fail('malformed label class');
    const osClass = value.slice(2, i);
    if (osClass !== '!' && !knownClass(osClass)) fail(`unknown class '${osClass}' (not in 'classes')`);
    const nameStart = ++i;
    while (i < value.length && isNameChar(value[i])) i++;
    if (i === nameStart || value[i] !== ':') fail('malformed label name');
    const name = intern(value.slice(nameStart, i));
    const flavor = value.slice(i + 1);
    return Object.freeze({
      type,
      osClass,
      name,
      flavor,
      text: flavor ? `${name} ${flavor}` : name,
      sys: Object.freeze([] as string[]),
      line: lineNo,
    });
  };

  const parseSys = (value: string): string[] => {
    const out: string[] = [];
    for (const raw of value.split(',')) {
      let entry = raw.replace(/^[ \t]+/, '');
      if (!entry) continue;
      const isClass = entry.startsWith('@');
      if (isClass) entry = entry.slice(1);
      if (!entry || ![...entry].every(isNameChar)) fail('malformed sys entry');
      if (isClass) {
        if (!knownClass(entry)) fail(`unknown class '${entry}' in sys`);
        out.push(`@${entry}`);
      } else out.push(intern(entry));
    }
    return out;
  };

  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    // p0f strips leading blanks only; trailing blanks and CR are stripped here too (p0f would
    // refuse such lines, which only editors introduce).
    const line = lines[n]!.replace(/^[ \t]+/, '').replace(/[ \t\r]+$/, '');
    if (!line || line.startsWith(';')) continue;
    try {
      if (line.startsWith('[')) {
        section = 'invalid';
        state = 'label';
        label = null;
        labelBroken = false;
        const m = /^\[(mtu|tcp:request|tcp:response|http:request|http:response)\]$/.exec(line);
        if (!m) fail(`unrecognized section '${line}'`);
        section = m[1] as Section;
        continue;
      }
      const m = /^([A-Za-z_]+)[ \t]*=[ \t]*(.*)$/.exec(line);
      if (!m) fail('unexpected statement (expected name = value)');
      const [, key, value] = m as unknown as [string, string, string];
      if (section === 'invalid') continue;
      switch (key) {
        case 'classes':
          if (state !== 'section') fail("misplaced 'classes' (must precede the first section)");
          for (const entry of value.split(',')) {
            const cls = entry.trim();
            if (!cls) continue;
            if (![...cls].every(isAlnum)) fail(`malformed class '${cls}'`);
            classes.push(cls);
          }
          break;
        case 'ua_os':
          if (section !== 'http:request' || state !== 'label') fail("misplaced 'ua_os'");
          break;
        case 'label':
          if (state !== 'label' && state !== 'sig') fail("misplaced 'label'");
          label = null;
          labelBroken = true;
          state = 'sig';
          if (section === 'mtu') {
            if (!value) fail('empty MTU label');
            labelBroken = false;
            break;
          }
          label = parseLabel(value, lineNo);
          labelBroken = false;
          if (label.osClass === '!') state = 'sys';
          break;
        case 'sys':
          if (state !== 'sys') fail("misplaced 'sys'");
          state = 'sig';
          {
            const sys = Object.freeze(parseSys(value));
            // (a cast: the checker loses this variable's type across the loop's try block)
            const current = label as P0fLabel | null;
            if (current) label = Object.freeze({ ...current, sys });
          }
          break;
        case 'sig': {
          if (state !== 'sig') fail("misplaced 'sig'");
          if (labelBroken) fail('signature under a refused label');
          if (section !== 'tcp:request' && section !== 'tcp:response') break;
          if (!label) fail("'sig' before any label");
          const fields = parseTcpSig(value);
          const index = section === 'tcp:request' ? request : response;
          const bucket = index.get(fields.layoutKey) ?? [];
          const dupe = findMatch(bucket, sigProbe(fields), true).exact;
          if (dupe) fail(`signature already covered by line ${dupe.sig.line}`);
          bucket.push(Object.freeze({ ...fields, line: lineNo, label, text: value }));
          index.set(fields.layoutKey, bucket);
          signatures++;
          break;
        }
        default:
          fail(`unrecognized field '${key}'`);
      }
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      report(lineNo, e.message);
    }
  }
  for (const b of request.values()) Object.freeze(b);
  for (const b of response.values()) Object.freeze(b);
  return Object.freeze({
    request: new FrozenMap<string, readonly P0fTcpSignature[]>(request),
    response: new FrozenMap<string, readonly P0fTcpSignature[]>(response),
    signatures,
    classes: Object.freeze(classes),
    diagnostics: Object.freeze(diagnostics),
    errorCount,
  });
}
