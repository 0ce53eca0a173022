// The Lua 5.3 scanner (manual §3.1): tokens, numerals of every form, escapes, long brackets of any
// level, comments, the `#` first line; numeral and string values are compared with lua5.3's own in
// one batch (in CI a missing lua5.3 fails the suite rather than skipping). Also the line map.

import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { Lexer, LexError, T, Token, utf8Bytes } from './lexer';
import { LineMap } from './linemap';
import { parseNumeral } from './numeral';
import { longString, numeral, shortString } from './testing/programs';
import { Random } from './testing/random';

function scan(source: string | Uint8Array): { tokens: Token[]; errors: LexError[]; lexer: Lexer } {
  const errors: LexError[] = [];
  const bytes = typeof source !== 'string';
  const text = typeof source === 'string' ? source : Buffer.from(source).toString('latin1');
  const lexer = new Lexer(text, (e) => errors.push(e), { bytes });
  lexer.skipShebang();
  const tokens: Token[] = [];
  for (let t = lexer.next(); t.type !== T.EOF; t = lexer.next()) tokens.push(t);
  return { tokens, errors, lexer };
}

/** Runs a Lua script with lua5.3 and returns its output lines, or undefined where it is missing. */
function lua(script: string): string[] | undefined {
  const run = spawnSync('lua5.3', ['-'], { input: Buffer.from(script, 'utf8'), encoding: 'latin1', maxBuffer: 1 << 26 });
  if (run.error) {
    if (process.env.CI === 'true') throw new Error('lua5.3 is required in CI: ' + run.error.message);
    return undefined;
  }
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\n').slice(0, -1);
}

const HEX_BYTES = 'local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end';

function hexOfBytes(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) out += value.charCodeAt(i).toString(16).padStart(2, '0');
  return out;
}

describe('lexer: tokens (§3.1)', () => {
  it('reads every symbol, longest match first', () => {
    const source = '+ - * / // % ^ # & ~ | << >> == ~= <= >= < > = ( ) { } [ ] :: ; : , . .. ...';
    assert.deepEqual(scan(source).tokens.map((t) => t.text), source.split(' '));
    assert.deepEqual(scan('a.b..c...d//e').tokens.map((t) => t.text), ['a', '.', 'b', '..', 'c', '...', 'd', '//', 'e']);
    assert.deepEqual(scan('~==<<=>>=::=').tokens.map((t) => t.text), ['~=', '=', '<<', '=', '>>', '=', '::', '=']);
  });

  it('tells the 22 keywords from names', () => {
    const keywords = 'and break do else elseif end false for function goto if in local nil not or repeat return then true until while';
    const tokens = scan(keywords).tokens;
    assert.equal(tokens.length, 22);
    assert.ok(tokens.every((t) => t.type !== T.Name));
    assert.ok(scan('End AND goto_ _ends x1 _').tokens.every((t) => t.type === T.Name));
  });

  it('reads thousands of different names and the keywords between them (the names table grows)', () => {
    const words: string[] = [];
    for (let i = 0; i < 5000; i++) words.push(`n${i.toString(36)}`, i % 7 === 0 ? 'end' : `_${i}`);
    const tokens = scan(words.join(' ')).tokens;
    assert.deepEqual(tokens.map((t) => t.text), words);
    assert.deepEqual(tokens.map((t) => t.type === T.End), words.map((w) => w === 'end'));
  });

  it('reads names made to share one hash as quickly as others, keywords among them included', () => {
    // The scanner's hash of a name is h * 31 + c: "Aa" and "BB" share one, and so do all 131,072
    // names of 17 such pairs. Also every three-character name sharing the hash of `end`. Were each
    // search to walk the names sharing its hash, this would take minutes (the suite's timeout is a
    // minute); it takes well under a second.
    const flood: string[] = [];
    for (let i = 0; i < 1 << 17; i++) {
      let name = 'v';
      for (let b = 0; b < 17; b++) name += (i >> b) & 1 ? 'BB' : 'Aa';
      flood.push(name);
    }
    const hash = (w: string): number => [...w].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 0);
    const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789';
    const likeEnd: string[] = [];
    for (const a of chars.slice(0, 53)) for (const b of chars) for (const c of chars) if (a + b + c !== 'end' && hash(a + b + c) === hash('end')) likeEnd.push(a + b + c);
    assert.ok(likeEnd.length >= 2);
    const source = `${likeEnd.join(' ')} ${flood.join(' ')} if x then end ${flood.slice(0, 100).join(' ')} end`;
    const tokens = scan(source).tokens;
    assert.equal(tokens.length, likeEnd.length + flood.length + 5 + 100);
    const ends = tokens.filter((t) => t.type === T.End);
    assert.equal(ends.length, 2);
    assert.ok(tokens.filter((t) => t.type === T.Name).every((t) => t.text !== 'end'));
    assert.equal(tokens[likeEnd.length + flood.length].type, T.If);
  });

  it('takes every Lua space character (\\t \\n \\v \\f \\r and space) as a separator', () => {
    assert.deepEqual(scan('a\tb\nc\vd\fe\rf g').tokens.map((t) => t.text), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('reports UTF-16 offsets for text and byte offsets for bytes', () => {
    assert.deepEqual(scan('"日本" x').tokens.map((t) => [t.start, t.end]), [[0, 4], [5, 6]]);
    assert.deepEqual(scan(new Uint8Array(Buffer.from('"日本" x'))).tokens.map((t) => [t.start, t.end]), [[0, 8], [9, 10]]);
  });

  it('turns a character no token starts with into one Unknown token', () => {
    const { tokens, lexer } = scan('@ $ é 😀');
    assert.deepEqual(tokens.map((t) => t.type), [T.Unknown, T.Unknown, T.Unknown, T.Unknown]);
    assert.deepEqual(tokens.map((t) => lexer.nearText(t)), ["'@'", "'$'", "'<\\195>'", "'<\\240>'"]);
    assert.equal(tokens[3].end - tokens[3].start, 2, 'a surrogate pair is one character');
  });
});

describe('lexer: numerals (§3.1)', () => {
  const valid = [
    '3', '345', '0xff', '0xBEBADA', '3.0', '3.1416', '314.16e-2', '0.31416E1', '34e1', '0x0.1E', '0xA23p-4',
    '0X1.921FB54442D18P+1', '.5', '5.', '1e+10', '0x.8', '0x8.', '0x1P-1', '00012', '0x7fffffffffffffff',
    '0xffffffffffffffff', '0x10000000000000000', '0x123456789abcdef01', '9223372036854775807', '9223372036854775808',
    '18446744073709551616', '1e308', '1e309', '2e-324', '0x.1p-1074', '0x1p1024', '0x1.fffffffffffffp1023',
    '0x1.ffffffffffffffp1023', '4.9e-324', '2.2250738585072011e-308', '0x0.0000000000001p-1022', '1' + '0'.repeat(400),
    '0.' + '0'.repeat(400) + '1', '0x' + 'f'.repeat(40) + '.8p-100', '123456789012345678', '0X7FFFFFFFFFFFFFFF',
    // Subnormal and overflow edges, where rounding twice (to 53 bits, then to the subnormal's
    // fewer bits) would be wrong.
    '0x1.7ffffffffffffffp-1074', '0x1.800000000000001p-1074', '0x1.fffffffffffff8p-1023', '0x1.fffffffffffff7ffp-1023',
    '0x1.00000000000008p-1022', '0x1.fffffffffffff8p1023', '0x1.fffffffffffff7ffffp1023', '0x1p-1075', '0x1.0000001p-1075',
    '0x3p-1076', '0x1p-2000', '0x1p99999999999999999999', '0x1p-99999999999999999999', '0x0p99999',
  ];
  const malformed = ['1e', '1e+', '0x', '0xp1', '0x.p1', '1..2', '1.2.3', '3abc', '0x1p', '0x1pA', '0x1p-', '.0x1', '1f', '0x1.2.3'];

  it('scans a numeral as luac does: digits, hex digits, dots, exponents with a sign', () => {
    const texts = (s: string) => scan(s).tokens.map((t) => t.text);
    assert.deepEqual(texts('1e+5+1'), ['1e+5', '+', '1']);
    assert.deepEqual(texts('0x1p+4+1'), ['0x1p+4', '+', '1']);
    assert.deepEqual(texts('3..2'), ['3..2']);
    assert.deepEqual(texts('0x1Pp'), ['0x1P', 'p'], 'after an exponent mark, only a digit or dot continues');
    assert.deepEqual(texts('1e-e'), ['1e-e']);
    assert.deepEqual(texts('.5.'), ['.5.']);
    assert.deepEqual(texts('a.5'), ['a', '.5']);
  });

  it('rejects malformed numerals with luac\'s message', () => {
    for (const text of malformed) {
      const { errors } = scan(`x = ${text}`);
      assert.equal(errors[0]?.message, `malformed number near '${text}'`, text);
      assert.equal(parseNumeral(text), undefined, text);
    }
  });

  it('converts every numeral to the value and subtype lua5.3 gives it', function () {
    const r = new Random(31);
    const numerals = [...valid];
    for (let i = 0; i < 300; i++) numerals.push(numeral(r));
    const script = numerals.map((n) =>
      `do local x = ${n} if math.type(x) == "integer" then print("int", string.format("%d", x)) ` +
      `else print("float", (string.pack("<d", x):gsub(".", function(c) return string.format("%02x", c:byte()) end))) end end`).join('\n');
    const expected = lua(script);
    if (!expected) return this.skip();
    const view = new DataView(new ArrayBuffer(8));
    const actual = numerals.map((n) => {
      const { tokens, errors } = scan(n);
      assert.deepEqual(errors, [], n);
      const value = tokens[0].number!;
      if (value.integer) return `int\t${value.int64 ?? BigInt(value.value)}`;
      view.setFloat64(0, value.value, true);
      let hex = '';
      for (let i = 0; i < 8; i++) hex += view.getUint8(i).toString(16).padStart(2, '0');
      return `float\t${hex}`;
    });
    assert.equal(actual.length, expected.length);
    const differences = numerals.map((n, i) => [n, actual[i], expected[i]]).filter(([, a, e]) => a !== e);
    assert.deepEqual(differences, []);
  });
});

describe('lexer: short strings and escapes (§3.1)', () => {
  const value = (source: string) => {
    const { tokens, errors } = scan(source);
    assert.deepEqual(errors, [], source);
    assert.equal(tokens.length, 1, source);
    return tokens[0].text;
  };

  it('decodes each escape', () => {
    assert.equal(value('"\\a\\b\\f\\n\\r\\t\\v\\\\\\"\\\'"'), '\x07\b\f\n\r\t\v\\"\'');
    assert.equal(value('"\\x41\\x7a\\xFF"'), 'Az\xff');
    assert.equal(value('"\\65\\0667\\255\\0"'), 'AB7\xff\0');
    assert.equal(value('"\\u{41}\\u{7FF}\\u{FFFF}\\u{10FFFF}"'), 'A' + '\xdf\xbf' + '\xef\xbf\xbf' + '\xf4\x8f\xbf\xbf');
    assert.equal(value('"a\\z  \n\t  b"'), 'ab');
    assert.equal(value('"a\\\nb\\\r\nc\\\n\rd"'), 'a\nb\nc\nd');
    assert.equal(value("'\"'"), '"');
  });

  it('encodes text as UTF-8 bytes, takes bytes as they are', () => {
    assert.equal(value('"é"'), '\xc3\xa9');
    assert.equal(scan(new Uint8Array([0x22, 0xe9, 0x22])).tokens[0].text, '\xe9');
  });

  it('gives every string the bytes lua5.3 gives it', function () {
    const r = new Random(7);
    const literals: string[] = ['""', "''", '"\\z"', '[[]]', '[[\n]]', '[[\r\n\r\n]]', '[==[\n\rx]==]', '"\\u{0}"'];
    for (let i = 0; i < 200; i++) literals.push(shortString(r), longString(r));
    const expected = lua([HEX_BYTES, ...literals.map((l) => `print(hex(${l}))`)].join('\n'));
    if (!expected) return this.skip();
    const actual = literals.map((l) => hexOfBytes(value(l)));
    const differences = literals.map((l, i) => [l, actual[i], expected[i]]).filter(([, a, e]) => a !== e);
    assert.deepEqual(differences, []);
  });

  it('reports unfinished strings and bad escapes where luac does, and recovers at the quote', () => {
    const { tokens, errors } = scan('x = "a\\qb" y');
    assert.equal(errors[0].message, `invalid escape sequence near '"a\\q'`);
    assert.deepEqual([errors[0].start, errors[0].end], [4, 8]);
    assert.deepEqual(tokens.map((t) => t.text), ['x', '=', 'a', 'y']);
    assert.equal(scan('"\\x4').errors[0].message, `hexadecimal digit expected near '"\\x4'`);
    assert.equal(scan('"\\u{110000}"').errors[0].message, `UTF-8 value too large near '"\\u{110000'`);
    assert.equal(scan('"\\300"').errors[0].message, `decimal escape too large near '"\\300"'`);
  });

  it("stops an escape error's line at the offending character, as Lua's scanner does", () => {
    const { errors } = scan('"\\x\nabc"');
    assert.equal(errors[0].message, 'hexadecimal digit expected near \'"\\x\n\'');
    assert.equal(errors[0].scanned, 3);
  });
});

describe('lexer: long brackets and comments (§3.1)', () => {
  it('reads long strings of any level, dropping a first line break and normalising the others', () => {
    const { tokens } = scan('[[a]] [==[\nx]]y]=]z]==] [[\r\n1\r\n2\n\r3\r4]] [====[]====]');
    assert.deepEqual(tokens.map((t) => t.text), ['a', 'x]]y]=]z', '1\n2\n3\n4', '']);
    assert.ok(tokens.every((t) => t.quote === '['));
  });

  it('reports an unfinished long string or comment with the line it started on', () => {
    assert.equal(scan('\n\nx = [=[ abc ]]').errors[0].message, 'unfinished long string (starting at line 3) near <eof>');
    assert.equal(scan('--[==[ x ]=]').errors[0].message, 'unfinished long comment (starting at line 1) near <eof>');
    assert.equal(scan('x = [==y').errors[0].message, "invalid long string delimiter near '[=='");
  });

  it('keeps comments with their text and ranges', () => {
    const { lexer, tokens } = scan('a --x\n--[[ y ]] b --[=[\nz]=] --[ not long\n--');
    assert.deepEqual(tokens.map((t) => t.text), ['a', 'b']);
    assert.deepEqual(lexer.comments.map((c) => [c.text, c.long, c.start, c.end]),
      [['x', false, 2, 5], [' y ', true, 6, 15], ['z', true, 18, 28], ['[ not long', false, 29, 41], ['', false, 42, 44]]);
  });

  it('skips a # first line (up to \\n, \\r included) and a byte order mark', () => {
    assert.deepEqual(scan('#!/bin/lua\nx').tokens.map((t) => t.text), ['x']);
    assert.deepEqual(scan('#!/bin/lua\rx\ny').tokens.map((t) => t.text), ['y']);
    assert.deepEqual(scan('\ufeff#x\ny').tokens.map((t) => t.text), ['y']);
    assert.deepEqual(scan(new Uint8Array([0xef, 0xbb, 0xbf, 0x79])).tokens.map((t) => t.text), ['y']);
    assert.deepEqual(scan('x\n#y').tokens.map((t) => t.text), ['x', '#', 'y']);
    const { lexer } = scan('#a\rb\nc');
    assert.equal(lexer.luaLines().lineOf(5), 2, 'the # line is one line for Lua whatever \\r it holds');
  });
});

describe('lexer: utf8Bytes', () => {
  it("encodes code points up to 2^31 as Lua 5.3's luaO_utf8esc", () => {
    assert.equal(utf8Bytes(0x41), 'A');
    assert.equal(utf8Bytes(0x7ff), '\xdf\xbf');
    assert.equal(utf8Bytes(0x10ffff), '\xf4\x8f\xbf\xbf');
    assert.equal(utf8Bytes(0x7fffffff), '\xfd\xbf\xbf\xbf\xbf\xbf');
  });
});

describe('line map', () => {
  it('maps offsets to lines and columns for \\n, \\r\\n and \\r', () => {
    const map = new LineMap('a\nbc\r\nd\re');
    assert.equal(map.lineCount, 4);
    assert.deepEqual([0, 2, 3, 4, 6, 8].map((o) => map.positionAt(o)), [
      { line: 0, character: 0 }, { line: 1, character: 0 }, { line: 1, character: 1 }, { line: 1, character: 2 },
      { line: 2, character: 0 }, { line: 3, character: 0 },
    ]);
    assert.equal(map.offsetAt({ line: 2, character: 0 }), 6);
    assert.equal(map.offsetAt({ line: 1, character: 99 }), 6, 'clamped to the next line start');
    assert.equal(map.offsetAt({ line: 9, character: 0 }), 9);
    assert.equal(map.lineOf(9), 4);
  });

  it('gives an edited text the lines a fresh map gives, from the map before the edit (random edits)', () => {
    const random = new Random(53);
    const pieces = ['\n', '\n\n', 'a', 'local x = 1', ' ', '\r\n', '\r'];
    const piece = (): string => pieces[random.int(pieces.length)];
    const lines = (map: LineMap): number[] => Array.from({ length: map.lineCount }, (_, i) => map.lineStart(i));
    for (let round = 0; round < 300; round++) {
      let text = '';
      for (let i = random.int(30); i > 0; i--) text += piece();
      // Mostly \n texts (the maps made from an earlier one), some with \r (made afresh).
      if (round % 5 !== 0) text = text.replace(/\r/g, '');
      let map = new LineMap(text);
      // Every other round types in one place (edits within a line, one after the other), where a
      // map shares its list with the one before it.
      const typing = round % 2 === 1;
      let at = random.int(text.length + 1);
      for (let step = 0; step < 10; step++) {
        const start = typing ? Math.min(text.length, Math.max(0, at + random.int(3) - 1)) : random.int(text.length + 1);
        const end = typing ? Math.min(text.length, start + random.int(2)) : start + random.int(text.length - start + 1);
        let inserted = '';
        for (let i = random.int(4); i > 0; i--) inserted += piece();
        if (round % 5 !== 0) inserted = inserted.replace(/\r/g, '');
        if (typing && random.int(4) > 0) inserted = inserted.replace(/[\r\n]/g, '');
        const next = text.slice(0, start) + inserted + text.slice(end);
        // The edit as a diff finds it: the common prefix and suffix left out.
        let from = 0;
        while (from < Math.min(text.length, next.length) && text[from] === next[from]) from++;
        let suffix = 0;
        while (suffix < Math.min(text.length, next.length) - from && text[text.length - 1 - suffix] === next[next.length - 1 - suffix]) suffix++;
        const edited = LineMap.edited(map, next, from, text.length - suffix, next.length - suffix);
        const fresh = new LineMap(next);
        assert.deepEqual(lines(edited), lines(fresh), JSON.stringify({ text, next }));
        for (let offset = 0; offset <= next.length; offset++) assert.deepEqual(edited.positionAt(offset), fresh.positionAt(offset), JSON.stringify({ next, offset }));
        // The map before the edit still maps its own text.
        assert.deepEqual(lines(map), lines(new LineMap(text)), JSON.stringify({ text, next, before: true }));
        text = next;
        map = edited;
        at = start + inserted.length;
      }
    }
  });

  it('counts \\n\\r as one break in Lua mode only', () => {
    assert.equal(new LineMap('a\n\rb').lineCount, 3);
    assert.equal(new LineMap('a\n\rb', { lua: true }).lineCount, 2);
    assert.equal(new LineMap('a\r\n\n\rb', { lua: true }).lineOf(5), 3);
  });

  it('clamps offsets outside the text', () => {
    const map = new LineMap('ab\ncd');
    assert.deepEqual(map.positionAt(-5), { line: 0, character: 0 });
    assert.deepEqual(map.positionAt(99), { line: 1, character: 2 });
  });
});
