// Hostile inputs for the fuzz: strings, ids, query strings, bodies, content types and headers.
import fc from 'fast-check';
import { env } from 'cloudflare:test';

/** Strings that have broken parsers, validators, SQL and renderers before. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\t\n\r',
  '\u0000',
  'a\u0000b',
  '\u202Eevil\u202C', // right-to-left override
  '\u200F\u05E9\u05DC\u05D5\u05DD', // RTL mark + Hebrew
  'مرحبا بالعالم',
  '\u200B', // zero-width space
  '\u200B\u200C\u200D\u2060\uFEFF',
  '\uFEFF{"a":1}',
  '👩‍👩‍👧‍👦🎛️🎚️',
  '🏳️‍🌈'.repeat(30),
  'Z̴̡̛̝͎̟͍̳͔̺̭̈́͂͗̀̈́͋͂a̷̧̡̛̹̲̦̜͓̟̓̓̿l̸̨̛̺̼̺̣͈̫̾̓̈́g̴̨͎͔̗͍̅̔͌͐o̶̢͕̥̜̝̾̒̃̃̌',
  '\uD800', // lone high surrogate
  '\uDFFF', // lone low surrogate
  'x\uDBFFy\uDC00',
  '../../../../etc/passwd',
  '..',
  '.',
  '/',
  '%',
  '%00',
  '%ZZ',
  '%C0%AF',
  '\\',
  "' OR '1'='1' --",
  '"; DROP TABLE tracks; --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '${7*7}{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '-1',
  '0',
  '0x10',
  '9007199254740993',
  '99999999999999999999999999999999',
  '1.5',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
  'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc',
  'trk_',
  'acc_00000000000000000000',
  'sf:x',
  'a@b',
  'UPPER@EXAMPLE.TEST',
  'x'.repeat(64),
  'x'.repeat(65),
  'é'.repeat(100),
  'é'.repeat(101),
  'x'.repeat(200),
  'x'.repeat(201),
  'x'.repeat(254),
  'x'.repeat(255),
  'x'.repeat(4097),
  'x'.repeat(5001),
];

/** Long strings around and far past every limit of the contract. */
export const longString = fc
  .constantFrom(40, 41, 50, 51, 100, 101, 200, 201, 2048, 2049, 4096, 4097, 5000, 5001, 20_000, 100_000)
  .chain((n) => fc.constantFrom('x', 'é', '😀', '\u200B', ' ').map((c) => c.repeat(n)));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
  { arbitrary: longString, weight: 1 },
);

/** Strings that can go into an HTTP header value (Latin-1, no control characters). */
export const toHeaderValue = (s: string) => s.replace(/[^\x20-\x7E]/g, '');

/** Percent-encodes anything, including lone surrogates (as the bytes a careless client would send). */
export function encodeAny(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s]
      .map((ch) => {
        try {
          return encodeURIComponent(ch);
        } catch {
          const u = ch.charCodeAt(0); // lone surrogate → its 3-byte (invalid) UTF-8 form
          return [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)].map((b) => '%' + b.toString(16).toUpperCase()).join('');
        }
      })
      .join('');
  }
}

/** A path segment: a real id, a hostile one (encoded), or raw bytes a browser would never send. */
export const pathSegment = (real: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...real).map(encodeURIComponent), weight: 6 },
    { arbitrary: hostileString.filter((s) => s.length > 0).map(encodeAny), weight: 3 },
    {
      arbitrary: fc.constantFrom('%', '%%', '%E0%A4%A', '%ED%A0%80', '%FF%FE', '%2e%2e', '..%2F..%2Fme', '%2F', ';x=1', 'x'.repeat(8000)),
      weight: 1,
    },
  );

/** A query string: the route's own keys with hostile values, random keys, repeats, and broken encodings. */
export const queryString = (keys: string[]): fc.Arbitrary<string> =>
  fc
    .array(
      fc.tuple(
        fc.oneof({ arbitrary: fc.constantFrom(...(keys.length ? keys : ['q'])), weight: 3 }, { arbitrary: hostileString, weight: 1 }),
        fc.oneof(
          { arbitrary: hostileString, weight: 3 },
          { arbitrary: fc.integer({ min: -(2 ** 53), max: 2 ** 53 }).map(String), weight: 1 },
          { arbitrary: fc.constantFrom('true', 'false', 'any', '1', '0', '-1', '1e3', '500', '501', '1000', '1001'), weight: 2 },
        ),
        fc.boolean(), // raw (unencoded) value
      ),
      { maxLength: 5 },
    )
    .map((pairs) => pairs.map(([k, v, raw]) => `${encodeAny(k)}=${raw ? toHeaderValue(v).replace(/[#\s]/g, '') : encodeAny(v)}`).join('&'));

function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** A body that is not what the route expects (the route's own plausible body is mixed in by the caller). */
export const hostileBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'), weight: 3 },
  { arbitrary: hostileString, weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 1 }, // random bytes, usually invalid UTF-8
  { arbitrary: fc.constantFrom(10, 100, 1000, 5000, 50_000).chain((d) => fc.constantFrom(nested(d, 'array'), nested(d, 'object'))), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      '{"__proto__":{"isAdmin":true,"owner_id":"acc_x"},"constructor":{"prototype":{"polluted":1}}}',
      '{"constructor":{"prototype":{"role":"owner"}}}',
      '{"title":1e999,"bpm":-1e999,"cursor":1e-400}',
      '{"bpm":123456789012345678901234567890,"master":-0}',
      '{"bpm":NaN}',
      '{"a":1,"a":2}',
      '',
      'null',
      'true',
      '"a string"',
      '[]',
      '{}',
      '\uFEFF{}',
      '{"a":"\\ud800"}',
      '{"a":"\\u0000"}',
      '{"a":1}garbage',
      "{'a':1}",
      '{a:1}',
      '[1,2,3,]',
      '\u0000\u0000\u0000',
    ),
    weight: 2,
  },
);

export const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 10 },
  {
    arbitrary: fc.constantFrom(
      null,
      '',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json; charset=utf-16le',
      'application/vnd.api+json',
      'application/merge-patch+json',
      'text/plain',
      'text/html',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=----pd',
      'multipart/form-data',
      'application/xml',
      'application/octet-stream',
      'application/json, text/plain',
      ';;;',
    ),
    weight: 4,
  },
  { arbitrary: hostileString.map(toHeaderValue), weight: 1 },
);

/** Extra headers a hostile client might add. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'Origin',
        'X-HTTP-Method-Override',
        'Accept',
        'Accept-Encoding',
        'Cookie',
        'X-Forwarded-For',
        'Range',
        'If-None-Match',
        'X-Dropbox-Signature',
        'Transfer-Encoding-X',
      ),
      hostileString.map(toHeaderValue),
    ),
    { maxLength: 3 },
  )
  .map((pairs) => Object.fromEntries(pairs));

export { DEFAULT_FUZZ_SEED } from './seed.ts';

/**
 * The seed of this run, as worker/vitest.config.ts resolved VITE_FUZZ_SEED (see seed.ts): the fixed one by default,
 * VITE_FUZZ_SEED=<n> replays a seed, VITE_FUZZ_SEED=random explores with a new one (printed, so a failure can be
 * replayed). It arrives inside workerd as the FUZZ_SEED binding.
 */
export function fuzzSeed(): number {
  const seed = Number(env.FUZZ_SEED);
  if (!Number.isSafeInteger(seed))
    throw new Error(`FUZZ_SEED binding missing or not an integer: ${JSON.stringify(env.FUZZ_SEED)} (see worker/vitest.config.ts)`);
  return seed;
}

/** Text a well-behaved client could send for a field of at most `max` characters (Unicode included). */
export const validText = (max: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: Math.min(max, 30) }), weight: 3 },
      { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 2 },
      { arbitrary: fc.constantFrom('Midnight Drive', 'Ben Beats', 'producer', 'house', 'Cm'), weight: 1 },
    )
    .filter((s) => s.trim().length > 0 && s.length <= max && !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')));

/** Any JSON value, hostile ones first. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.double(),
  fc.integer(),
  fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1 + 0.2),
  fc.jsonValue({ maxDepth: 2 }),
);

/**
 * A valid body with one thing wrong: a field replaced by a hostile value, an unknown (or prototype-polluting) key
 * added, or a field dropped.
 */
export const mutated = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc
    .tuple(
      valid,
      fc.nat(),
      anyValue,
      fc.constantFrom('replace', 'add', 'drop'),
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', 'id', 'ownerId', 'owner_id', 'role', 'status'),
    )
    .map(([body, n, value, op, key]) => {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return value;
      const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
      const keys = Object.keys(out);
      if (op === 'add' || keys.length === 0) Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
      else if (op === 'replace') out[keys[n % keys.length]] = value;
      else delete out[keys[n % keys.length]];
      return out;
    });
