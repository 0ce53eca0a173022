// The parser never throws, never hangs and never overflows the stack: garbage bytes, a 5 MB file,
// 10,000-deep nesting of every construct, every prefix of a real program and long operator chains
// all give a whole tree with sound ranges and, when invalid, a diagnostic. (No timing assertions:
// "bounded" means these finish within mocha's timeout.)

import { strict as assert } from 'assert';
import * as ast from './ast';
import { parse, ParseResult } from './parser';
import { readCorpus } from './testing/corpus';
import { garbage, mutate } from './testing/programs';
import { Random } from './testing/random';
import { nodes, rangeProblems } from './testing/tree';

/** What must hold for any input: a whole tree, sound ranges, diagnostics inside the source. */
function assertSound(result: ParseResult, label: string): void {
  const length = result.source.length;
  assert.deepEqual(rangeProblems(result.chunk, length), [], label);
  for (const d of result.diagnostics) {
    assert.ok(d.start >= 0 && d.start <= d.end && d.end <= length, `${label}: diagnostic range ${d.start}..${d.end}`);
    assert.ok(d.line !== undefined && d.line >= 1, `${label}: diagnostic line ${d.line}`);
    assert.ok(d.message.length > 0);
  }
  assert.ok(result.diagnostics.length <= 100);
  assert.equal(result.firstError === undefined, result.diagnostics.length === 0, label);
}

function parseSound(source: string | Uint8Array, label: string): ParseResult {
  const result = parse(source, { name: label });
  assertSound(result, label);
  return result;
}

const real = readCorpus('accept').find((f) => f.name === 'realistic-module.lua')!;
const realText = Buffer.from(real.bytes).toString('utf8');

describe('parser robustness: garbage', () => {
  it('never throws on 2,000 seeded random byte strings, and their trees are sound', () => {
    const r = new Random(1);
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      const bytes = garbage(r);
      const result = parseSound(bytes, `garbage #${i}`);
      if (result.firstError) rejected++;
    }
    assert.ok(rejected > 1800, `${rejected}`);
  });

  it('never throws on random text of any Unicode characters', () => {
    const r = new Random(2);
    for (let i = 0; i < 500; i++) {
      let text = '';
      const n = r.int(200);
      // Any code point, lone surrogates included.
      for (let k = 0; k < n; k++) text += String.fromCodePoint(r.chance(0.7) ? 32 + r.int(95) : r.int(0x110000));
      parseSound(text, `text #${i}`);
    }
  });

  it('never throws on 1,000 mutations of the corpus programs', () => {
    const r = new Random(3);
    const sources = readCorpus('accept').map((f) => Buffer.from(f.bytes).toString('utf8')).filter((s) => s.length < 20000);
    for (let i = 0; i < 1000; i++) parseSound(mutate(r, r.pick(sources)), `mutation #${i}`);
  });
});

describe('parser robustness: size', () => {
  it('parses a 5 MB file of valid code without a diagnostic', () => {
    const unit = `do\n${realText}\nend\n`;
    const copies = Math.ceil(5_000_000 / unit.length);
    const result = parseSound(unit.repeat(copies), '5 MB');
    assert.ok(result.source.length >= 5_000_000);
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.chunk.body.body.length, copies);
  });

  it('parses a 5 MB file with an error every few hundred lines: 100 diagnostics, then the rest of the tree', () => {
    const unit = `do\n${realText}\nend\nx = = 1\n`;
    const copies = Math.ceil(5_000_000 / unit.length);
    const result = parseSound(unit.repeat(copies), '5 MB with errors');
    assert.equal(result.diagnostics.length, 100);
    assert.equal(result.chunk.body.body.filter((s) => s.kind === 'Do').length, copies);
  });

  it('handles 5 MB tokens: an unfinished string, an unfinished long comment, a long string', () => {
    assert.equal(parseSound('x = "' + 'a'.repeat(5_000_000), 'string').firstError?.message, 'unfinished string near <eof>');
    assert.equal(parseSound('--[[' + 'a\n'.repeat(2_500_000), 'comment').firstError?.message, 'unfinished long comment (starting at line 1) near <eof>');
    const long = parseSound('x = [==[' + 'ab]]\n'.repeat(1_000_000) + ']==]', 'long string');
    assert.deepEqual(long.diagnostics, []);
  });

  it('handles 5 MB of one line and of random bytes', () => {
    parseSound('x = = ' + 'a b c d e f '.repeat(500_000), 'one line');
    const bytes = new Uint8Array(5_000_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251;
    parseSound(bytes, 'bytes');
  });
});

describe('parser robustness: nesting 10,000 deep', () => {
  const limit = (where: string, near: string) => `too many C levels (limit is 200) in ${where} near ${near}`;
  const cases: [string, string, string][] = [
    ['parentheses', 'x = ' + '('.repeat(10_000) + '1' + ')'.repeat(10_000), limit('main function', "'('")],
    ['do blocks', 'do '.repeat(10_000) + 'end '.repeat(10_000), limit('main function', "'do'")],
    ['tables', 'x = ' + '{'.repeat(10_000) + '}'.repeat(10_000), limit('main function', "'{'")],
    ['functions', 'x = ' + 'function() return '.repeat(10_000) + '1' + ' end'.repeat(10_000), limit('function at line 1', "'function'")],
    ['calls', 'x = ' + 'f('.repeat(10_000) + ')'.repeat(10_000), limit('main function', "'f'")],
    ['indexes', 'x = ' + 'a['.repeat(10_000) + '1' + ']'.repeat(10_000), limit('main function', "'a'")],
    ['if blocks', 'if x then '.repeat(10_000) + 'end '.repeat(10_000), limit('main function', "'x'")],
    ['while loops', 'while x do '.repeat(10_000) + 'end '.repeat(10_000), limit('main function', "'x'")],
    ['repeat loops', 'repeat '.repeat(10_000) + 'until x '.repeat(10_000), limit('main function', "'repeat'")],
    ['unary minus', 'x = ' + '- '.repeat(10_000) + '1', limit('main function', "'-'")],
    ['not', 'x = ' + 'not '.repeat(10_000) + '1', limit('main function', "'not'")],
    ['concatenation (right associative)', 'x = ' + Array(10_000).fill('1').join(' .. '), limit('main function', "'1'")],
    ['exponentiation (right associative)', 'x = ' + Array(10_000).fill('2').join(' ^ '), limit('main function', "'2'")],
    // Lua parses the no-op statements after a label nested in it, so consecutive labels nest too.
    ['labels', Array.from({ length: 10_000 }, (_, i) => `::l${i}::`).join(' '), limit('main function', "'::'")],
  ];
  for (const [name, source, message] of cases) {
    it(name, () => assert.equal(parseSound(source, name).firstError?.message, message));
  }

  it('unclosed: 10,000 open parentheses, blocks, tables, functions', () => {
    for (const source of ['x = ' + '('.repeat(10_000), 'do '.repeat(10_000), 'x = ' + '{'.repeat(10_000), 'x = ' + 'function() '.repeat(10_000)]) {
      const result = parseSound(source, source.slice(0, 12));
      assert.ok(result.firstError, source.slice(0, 12));
    }
  });

  it('closing only: 10,000 ends and brackets', () => {
    for (const source of ['end '.repeat(10_000), ')'.repeat(10_000), 'x = 1 ' + ']}'.repeat(10_000)]) {
      assert.ok(parseSound(source, source.slice(0, 6)).firstError);
    }
  });
});

describe('parser robustness: truncation and long chains', () => {
  it('every prefix of a real program parses soundly; the whole program has no diagnostic', () => {
    let withDiagnostics = 0;
    for (let n = 0; n <= realText.length; n++) {
      const result = parseSound(realText.slice(0, n), `prefix ${n}`);
      if (result.firstError) withDiagnostics++;
    }
    assert.deepEqual(parse(realText).diagnostics, []);
    // Most prefixes stop inside a construct (the differential test compares a sample with luac).
    assert.ok(withDiagnostics > realText.length * 0.8, `${withDiagnostics} of ${realText.length}`);
  });

  it('every prefix of a multi-byte text, as text and as bytes', () => {
    const text = 'local s = "日本語 ü" -- é\nreturn [[😀]], \'\\u{48}\'';
    const bytes = Buffer.from(text, 'utf8');
    for (let n = 0; n <= text.length; n++) parseSound(text.slice(0, n), `text prefix ${n}`);
    for (let n = 0; n <= bytes.length; n++) parseSound(new Uint8Array(bytes.subarray(0, n)), `byte prefix ${n}`);
  });

  it('long left-associative chains: 100,000 operands, fields, calls', () => {
    const sum = parseSound('x = ' + Array(100_000).fill('1').join(' + '), 'sum');
    assert.deepEqual(sum.diagnostics, []);
    const fields = parseSound('x = a' + '.b'.repeat(100_000), 'fields');
    assert.deepEqual(fields.diagnostics, []);
    const calls = parseSound('f' + '()'.repeat(100_000), 'calls');
    assert.deepEqual(calls.diagnostics, []);
    // The tree is 100,000 deep; walking it needs no recursion.
    assert.ok(nodes(sum.chunk).filter((n): n is ast.BinaryExpression => n.kind === 'Binary').length === 99_999);
  });

  it('long flat input: 100,000 statements, errors, stray ends', () => {
    assert.equal(parseSound('x = 1\n'.repeat(100_000), 'statements').chunk.body.body.length, 100_000);
    assert.equal(parseSound('x = = 1\n'.repeat(100_000), 'errors').diagnostics.length, 100);
    assert.equal(parseSound('end\n'.repeat(100_000), 'ends').diagnostics.length, 100);
    assert.equal(parseSound(Array.from({ length: 300 }, (_, i) => `local a${i}`).join('\n'), 'locals').firstError?.message,
      "too many local variables (limit is 200) in main function near 'local'");
  });
});
