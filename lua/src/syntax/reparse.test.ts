// Incremental reparsing gives exactly the tree, comments and diagnostics of a full parse. Seeded
// random edits (tokens inserted, characters deleted, lines removed, code typed one character at a
// time through invalid states) on generated programs and the accept corpus, each parse taking over
// the previous one as an editor session does; the counts show that reuse really happened.

import { strict as assert } from 'assert';
import * as v8 from 'v8';
import * as vm from 'vm';
import * as ast from './ast';
import { gotoSpan, mentionsGoto, parse, parseInSlices, ParseResult, sourceSlice, windowRead } from './parser';
import { editBetween } from './reparse';
import { readCorpus } from './testing/corpus';
import { TOKEN_PALETTE, joinedPrograms, validProgram } from './testing/programs';
import { Random } from './testing/random';
import { treeJson } from './testing/tree';
import { forEachChild } from './visit';
import { prepareMoves, type SourceEdit } from './reparse';

const SNIPPETS = [
  'local q = f(x) + 1\n', 'if y then z() end\n', '--[[ note ]]', 'x = "a', 'function m.n(a, b) return a end\n',
  'end\n', '[[', '-- c\n', 'goto done\n', '::done::\n', 'return 1\n', 'local t = { a = 1, [2] = b }\n', '(g)()\n',
];

/**
 * Parses after an error-free one (the only ones reuse applies to), how many kept a prefix or a tail,
 * and how many statements nested in a top-level statement read again were taken over.
 */
interface Counts { clean: number; prefix: number; tail: number; capped?: number; nested?: number; windows?: number; widened?: number }

/**
 * Every other reparse is told its edit (ParseOptions.edit), as the language server tells it: the
 * smallest replacement, or one that takes a few unchanged characters in on either side (an
 * editor's range need not be the smallest).
 */
let reparses = 0;
function toldEdit(before: string, after: string, told = false): SourceEdit | undefined {
  const n = reparses++;
  if (n % 2 === 0 && !told) return undefined;
  const smallest = editBetween(before, after);
  let start = smallest.start;
  let suffix = before.length - smallest.end;
  const wider = [0, 1, 3][(n >> 1) % 3];
  const left = Math.min(start, wider);
  const right = Math.min(suffix, wider);
  start -= left;
  suffix -= right;
  return { start, end: before.length - suffix, text: after.slice(start, after.length - suffix) };
}

/** The statements in the blocks nested in these top-level statements. */
function nestedIn(statements: ast.Statement[]): ast.Statement[] {
  const out: ast.Statement[] = [];
  const stack: ast.Node[] = [...statements];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind === 'Block') out.push(...node.body);
    forEachChild(node, (child) => { stack.push(child); });
  }
  return out;
}

/** Parses `text` taking over `previous`, checks it against a full parse, and counts the reuse. */
function reparse(previous: ParseResult, text: string, counts: Counts, label: string, told = false): ParseResult {
  const old = new Set<ast.Statement>(previous.chunk.body.body);
  const first = previous.chunk.body.body[0];
  const last = previous.chunk.body.body[previous.chunk.body.body.length - 1];
  const oldNested = new Set(nestedIn(previous.chunk.body.body));
  // Its lines counted, as the language service counts them: the new parse's come from them (LineMap.edited).
  const before = previous.lineMap;
  // Asked of every parse, as the analyses ask it: a windowed reparse answers from the earlier answer.
  mentionsGoto(previous);
  const incremental = parse(text, { name: 'x', previous, edit: toldEdit(previous.source, text, told) });
  assert.equal(mentionsGoto(incremental), text.includes('goto'), `${label}: mentions goto`);
  assert.deepEqual(gotoSpan(incremental), { first: text.indexOf('goto'), last: text.lastIndexOf('goto') }, `${label}: goto span`);
  const full = parse(text, { name: 'x' });
  // The text as the analyses read it (from the window, or the earlier text around it): spans
  // before, inside, after and across the window's ends.
  const window = windowRead(incremental);
  if (window) {
    const ends = [0, window.base - 2, window.base, window.base + 3, window.base + window.length - 2, window.base + window.length, window.base + window.length + 5, text.length];
    for (const a of ends) for (const b of ends) if (a >= 0 && a <= b && b <= text.length) assert.equal(sourceSlice(incremental, a, b), text.slice(a, b), `${label}: text from ${a} to ${b}`);
  }
  if (window && counts.windows !== undefined) {
    if (window.widened) counts.widened!++;
    else counts.windows++;
  }
  assert.equal(treeJson(incremental.chunk), treeJson(full.chunk), `${label}: tree`);
  const lines = (map: typeof before): number[] => Array.from({ length: map.lineCount }, (_, i) => map.lineStart(i));
  assert.deepEqual(lines(incremental.lineMap), lines(full.lineMap), `${label}: lines`);
  assert.deepEqual(incremental.diagnostics, full.diagnostics, `${label}: diagnostics`);
  assert.deepEqual(incremental.firstError, full.firstError, `${label}: first error`);
  const body = incremental.chunk.body.body;
  if (previous.diagnostics.length === 0) counts.clean++;
  if (previous.diagnostics.length === 100 && counts.capped !== undefined) counts.capped++;
  if (body.length > 0 && body[0] === first && old.has(body[0])) counts.prefix++;
  if (body.length > 0 && body[body.length - 1] === last && old.has(body[body.length - 1])) counts.tail++;
  if (counts.nested !== undefined) for (const s of nestedIn(body.filter((s) => !old.has(s)))) if (oldNested.has(s)) counts.nested++;
  return incremental;
}

function edit(r: Random, text: string): string {
  const at = r.int(text.length + 1);
  switch (r.int(5)) {
    case 0: return text.slice(0, at) + r.pick(TOKEN_PALETTE) + text.slice(at);
    case 1: return text.slice(0, at) + text.slice(at + 1 + r.int(5));
    case 2: return text.slice(0, at) + ' ' + text.slice(at);
    case 3: {
      // Remove the line holding `at`.
      const start = text.lastIndexOf('\n', at - 1) + 1;
      const end = text.indexOf('\n', at);
      return text.slice(0, start) + (end < 0 ? '' : text.slice(end + 1));
    }
    default: return text.slice(0, at) + '\n' + text.slice(at);
  }
}

/** Types `snippet` at the start of a line, one character per parse, then deletes it again. */
function typeAndErase(r: Random, start: ParseResult, counts: Counts, label: string): ParseResult {
  const text = start.source;
  const lines = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.push(i + 1);
  const at = r.pick(lines);
  const snippet = r.pick(SNIPPETS);
  let current = start;
  for (let n = 1; n <= snippet.length; n++) {
    current = reparse(current, text.slice(0, at) + snippet.slice(0, n) + text.slice(at), counts, `${label} typing ${JSON.stringify(snippet.slice(0, n))} at ${at}`);
  }
  for (let n = snippet.length - 1; n >= 0; n--) {
    current = reparse(current, text.slice(0, at) + snippet.slice(0, n) + text.slice(at), counts, `${label} erasing to ${JSON.stringify(snippet.slice(0, n))} at ${at}`);
  }
  return current;
}

function program(r: Random): string {
  const text = joinedPrograms(r, 1 + r.int(4));
  // A shebang or byte order mark only at the very start.
  return r.chance(0.05) ? '#!/usr/bin/lua\n' + text : text;
}

/** A program with well over 100 errors spread through it, and valid code after them. */
function erroneous(r: Random): string {
  const bad = ['x = = 1', 'local = 2', 'f(', 'end', '"open', 'local a <', '1 + 1', 'goto', '::l:: ::l::', 'break', 'return 1 return'];
  const good = ['local v = 1', 'f(x)', 'do local y = 2 end', 'if a then b() end', 't.k = function() return 1 end'];
  const lines: string[] = [];
  const errors = 100 + r.int(150);
  for (let i = 0; i < errors; i++) lines.push(r.pick(bad), r.pick(good));
  for (let i = 0; i < 30; i++) lines.push(r.pick(good));
  return lines.join('\n') + '\n' + validProgram(r).replace(/^\ufeff/, '').replace(/^#.*\n/, '');
}

describe('incremental reparsing', () => {
  it('equals a full parse over 200 generated programs and random edits, reusing statements', function () {
    this.timeout(120_000);
    const counts: Counts = { clean: 0, prefix: 0, tail: 0, nested: 0, windows: 0 };
    for (let seed = 1; seed <= 200; seed++) {
      const r = new Random(seed);
      let text = program(r);
      let current = parse(text, { name: 'x' });
      for (let k = 0; k < 8; k++) {
        text = edit(r, text);
        current = reparse(current, text, counts, `seed ${seed} edit ${k}`);
      }
    }
    assert.ok(counts.prefix > counts.clean / 4 && counts.tail > counts.clean / 4 && counts.nested! > counts.clean, JSON.stringify(counts));

  });

  it('parses in slices as at once (programs with and past 100 errors, the corpus, bytes), and an edit takes the result over', function () {
    this.timeout(120_000);
    const counts: Counts = { clean: 0, prefix: 0, tail: 0 };
    let stops = 0;
    let parsed = 0;
    const r = new Random(77);
    /** Parses `source` in slices stopped at random, and checks the result against `parse`'s. */
    const sliced = (source: string | Uint8Array, label: string): ParseResult => {
      const task = parseInSlices(source, { name: 'x' });
      let result: ParseResult | undefined;
      for (let k = 0; (result = task.step(() => r.chance(0.7))) === undefined; k++) {
        assert.ok(k < 100_000, `${label}: the slices get further`);
        stops++;
      }
      assert.equal(task.step(() => false), result, `${label}: the result once made`);
      const full = parse(source, { name: 'x' });
      assert.equal(treeJson(result.chunk), treeJson(full.chunk), `${label}: tree`);
      assert.deepEqual(result.diagnostics, full.diagnostics, `${label}: diagnostics`);
      assert.deepEqual(result.firstError, full.firstError, `${label}: first error`);
      assert.equal(result.lineMap.lineCount, full.lineMap.lineCount, `${label}: lines`);
      parsed++;
      return result;
    };
    const texts: [string, string][] = [];
    for (let seed = 1; seed <= 60; seed++) {
      const g = new Random(9000 + seed);
      texts.push([`seed ${9000 + seed}`, seed % 3 === 0 ? erroneous(g) : program(g)]);
    }
    for (const file of readCorpus('accept')) texts.push([file.name, Buffer.from(file.bytes).toString('utf8')]);
    texts.push(['stray closers', 'local a = 1\nend\nx = 2 until y\nelseif z then w()\nreturn a\n']);
    for (const [label, text] of texts) {
      const result = sliced(text, label);
      // The next version takes the sliced parse over as it would a parse made at once.
      reparse(result, edit(r, text), counts, `${label}, edited`);
    }
    sliced(Buffer.from('#!/usr/bin/lua\nlocal s = "caf\xc3\xa9"\nprint(s)\n', 'latin1'), 'bytes');
    assert.ok(stops > parsed * 2 && counts.prefix > 0 && counts.tail > 0, `${stops} stops in ${parsed} parses; ${JSON.stringify(counts)}`);
  });

  it('makes statements ready to move a few at a time, and the edits after equal a full parse', () => {
    const r = new Random(41);
    let text = joinedPrograms(r, 6);
    let current = parse(text, { name: 'x' });
    const statements = current.chunk.body.body;
    assert.ok(statements.length > 10, `${statements.length} statements`);
    // Three at a time: the ones made ready are passed over the next time.
    const slice = (): (() => boolean) => {
      let left = 3;
      return () => left-- > 0;
    };
    let made = 0;
    for (let n = prepareMoves(statements, slice()); n > 0; n = prepareMoves(statements, slice())) {
      assert.ok(n <= 3);
      made += n;
    }
    assert.equal(made, statements.length);
    assert.equal(prepareMoves(statements, () => true), 0);
    const counts: Counts = { clean: 0, prefix: 0, tail: 0 };
    for (let k = 0; k < 12; k++) {
      text = edit(r, text);
      current = reparse(current, text, counts, `edit ${k}`);
    }
    // Statements made ready give the nested statements an edit inside them takes over from their
    // lists of nodes (see nestedStatements): a line typed inside a function's body, each parse's
    // statements made ready before the next, as the language server does in its idle time.
    const lines = ['local M = {}'];
    for (let f = 0; f < 4; f++) lines.push(`function M.f${f}(a)`, ...Array.from({ length: 20 }, (_, i) => `  if a > ${i} then a = a - ${i} end`), '  return a', 'end');
    text = lines.join('\n') + '\n';
    current = parse(text, { name: 'x' });
    const typed: Counts = { clean: 0, prefix: 0, tail: 0, nested: 0 };
    for (let k = 0; k < 8; k++) {
      prepareMoves(current.chunk.body.body, () => true);
      const at = text.indexOf('  if a > 10', text.indexOf(`function M.f${k % 4}(`));
      text = text.slice(0, at) + '  local x = 1\n' + text.slice(at);
      current = reparse(current, text, typed, `typed ${k}`);
    }
    // The statements before the new local in its function (after it, one more local is active).
    assert.ok(typed.nested! >= 8 * 15, JSON.stringify(typed));
  });

  it('equals a full parse while code is typed and erased character by character', function () {
    this.timeout(120_000);
    const counts: Counts = { clean: 0, prefix: 0, tail: 0, nested: 0, windows: 0 };
    for (let seed = 1; seed <= 30; seed++) {
      const r = new Random(1000 + seed);
      let current = parse(program(r), { name: 'x' });
      for (let k = 0; k < 3; k++) current = typeAndErase(r, current, counts, `seed ${1000 + seed}`);
    }
    assert.ok(counts.prefix > counts.clean / 4 && counts.tail > counts.clean / 4 && counts.nested! > counts.clean, JSON.stringify(counts));
  });

  it('told its edit, reads only around it, and equals a full parse (a string or comment opened past that reads on)', function () {
    this.timeout(120_000);
    const counts: Counts = { clean: 0, prefix: 0, tail: 0, windows: 0, widened: 0 };
    for (let seed = 1; seed <= 10; seed++) {
      const r = new Random(5000 + seed);
      // Programs in blocks of their own (their labels and locals apart), a top-level statement each.
      // Some say `goto` (a loop, a name, a comment), which the parse follows through the edits.
      const loop = 'local i = 0\n::top::\ni = i + 1 -- goto again\nif i < 3 then goto top end\nlocal gotos = i\n';
      const parts = Array.from({ length: 6 + r.int(4) }, () => `do\n${r.chance(0.3) ? loop : validProgram(r).replace(/^\ufeff/, '').replace(/^#.*\n/, '')}\nend`);
      let current = parse((seed % 4 === 0 ? '#!/usr/bin/lua\n' : '') + parts.join('\n'), { name: 'x' });
      for (let k = 0; k < 2; k++) current = typeAndErase(r, current, counts, `seed ${5000 + seed}`);
      // A long comment opened halfway, which takes the rest of the text in, and closed again.
      const text = current.source;
      const at = text.indexOf('\n', text.length >> 1) + 1;
      for (const opened of ['--[[', '--[[ ]]', '']) current = reparse(current, text.slice(0, at) + opened + text.slice(at), counts, `seed ${5000 + seed} comment ${opened}`, true);
      for (let k = 0; k < 6; k++) current = reparse(current, edit(r, current.source), counts, `seed ${5000 + seed} edit ${k}`);
    }
    assert.ok(counts.windows! > counts.clean / 2 && counts.widened! >= 5, JSON.stringify(counts));
  });

  it('told its edit, follows where the text says `goto` (first and last) without reading it all', () => {
    const words = ['goto', 'go', 'to', 'got', 'oto', 'g', 'o', 't', 'x', '', 'gotogoto'];
    for (let seed = 1; seed <= 20; seed++) {
      const r = new Random(7000 + seed);
      const lines = Array.from({ length: 8 }, (_, i) => `local a${i} = "${r.pick(words)}${r.pick(words)}${r.pick(words)}"`);
      let current = parse(lines.join('\n') + '\n', { name: 'x' });
      let windows = 0;
      for (let k = 0; k < 150; k++) {
        // An edit inside a string's quotes, anywhere from its first character to its last.
        const text = current.source;
        const line = r.int(lines.length);
        const open = text.indexOf('"', text.indexOf(`local a${line} =`));
        const close = text.indexOf('"', open + 1);
        const start = open + 1 + r.int(close - open);
        const end = Math.min(close, start + (r.chance(0.5) ? r.int(4) : 0));
        const edit = { start, end, text: r.pick(words) };
        mentionsGoto(current);
        const next = text.slice(0, start) + edit.text + text.slice(end);
        current = parse(next, { name: 'x', previous: current, edit });
        if (windowRead(current)) windows++;
        assert.deepEqual(gotoSpan(current), { first: next.indexOf('goto'), last: next.lastIndexOf('goto') }, `seed ${7000 + seed} edit ${k}: ${JSON.stringify(edit)}`);
      }
      assert.ok(windows > 100, `seed ${7000 + seed}: ${windows} windows`);
    }
  });

  it('equals a full parse on the accept corpus under edits', function () {
    this.timeout(120_000);
    const counts: Counts = { clean: 0, prefix: 0, tail: 0, nested: 0, windows: 0 };
    const r = new Random(7);
    for (const file of readCorpus('accept')) {
      let text = Buffer.from(file.bytes).toString('utf8');
      let current = parse(text, { name: 'x' });
      for (let k = 0; k < 6; k++) {
        text = edit(r, text);
        current = reparse(current, text, counts, `${file.name} edit ${k}`);
      }
      current = typeAndErase(r, current, counts, file.name);
    }
    assert.ok(counts.prefix > 0 && counts.tail > 0 && counts.nested! > 0, JSON.stringify(counts));
  });

  it('equals a full parse on programs past the limit of 100 diagnostics, reusing their statements', function () {
    this.timeout(120_000);
    const counts: Counts = { clean: 0, prefix: 0, tail: 0, capped: 0 };
    for (let seed = 1; seed <= 40; seed++) {
      const r = new Random(5000 + seed);
      let text = erroneous(r);
      let current = parse(text, { name: 'x' });
      for (let k = 0; k < 6; k++) {
        text = edit(r, text);
        current = reparse(current, text, counts, `seed ${5000 + seed} edit ${k}`);
      }
      current = typeAndErase(r, current, counts, `seed ${5000 + seed}`);
    }
    assert.ok(counts.capped! > 100 && counts.prefix > counts.capped! / 4 && counts.tail > counts.capped! / 4, JSON.stringify(counts));
  });

  it('takes an earlier result over only once, one with errors only around them, and never one from bytes', () => {
    const text = 'local a = 1\nlocal b = 1\nlocal c = 2\nprint(a, b, c)\n';
    const first = parse(text);
    const second = parse(text.replace('2', '22'), { previous: first });
    assert.equal(second.chunk.body.body[0], first.chunk.body.body[0]);
    // `first` is spent: a second use parses from scratch.
    const third = parse(text.replace('2', '222'), { previous: first });
    assert.notEqual(third.chunk.body.body[0], first.chunk.body.body[0]);
    // Code being typed: the statements before the first error are kept, the one with it is read again,
    // and the ones after the last error are taken over.
    const broken = parse('local a = 1\nlocal b = 1\nlocal c = = 2\nprint(a)\nprint(b)\n');
    const fixed = parse('local a = 1\nlocal b = 1\nlocal c = 2\nprint(a)\nprint(b)\n', { previous: broken });
    assert.deepEqual(fixed.diagnostics, []);
    assert.equal(fixed.chunk.body.body[1], broken.chunk.body.body[1]);
    assert.notEqual(fixed.chunk.body.body[2], broken.chunk.body.body[2]);
    const last = (r: ParseResult): ast.Statement => r.chunk.body.body[r.chunk.body.body.length - 1];
    assert.equal(last(fixed), last(broken));
    // An edit before the error: nothing from the edit to the error's statement is kept.
    const early = parse('local a = 1\nlocal b = = 1\nprint(a)\n');
    const edited = parse('local a = 12\nlocal b = = 1\nprint(a)\n', { previous: early });
    assert.equal(edited.diagnostics.length, 1);
    assert.equal(last(edited), last(early));
    const bytes = parse(new TextEncoder().encode(text));
    const after = parse(text.replace('2', '4'), { previous: bytes });
    assert.notEqual(after.chunk.body.body[0], bytes.chunk.body.body[0]);
  });

  it('takes a nested statement over only where it reads the same: locals, nesting, `...`, gotos', () => {
    /** Parses `before`, then `after` taking it over; both the same as a full parse, and `after` has `says`. */
    const check = (before: string, after: string, says: RegExp): void => {
      const first = parse(before);
      assert.deepEqual(first.diagnostics, []);
      const counts: Counts = { clean: 0, prefix: 0, tail: 0 };
      const second = reparse(first, after, counts, JSON.stringify(after.slice(0, 60)));
      assert.match(second.diagnostics.map((d) => d.message).join('; '), says);
    };
    // One more local before it: its own local is the 201st.
    const names = Array.from({ length: 199 }, (_, i) => `a${i}`).join(', ');
    check(`function f()\n  local ${names}\n  g()\n  local last = 1\nend\n`, `function f()\n  local ${names}\n  local z\n  g()\n  local last = 1\nend\n`, /too many local variables/);
    // The function loses its `...`.
    check('function f(...)\n  g()\n  do local t = {...} end\nend\n', 'function f()\n  g()\n  do local t = {...} end\nend\n', /cannot use '...' outside a vararg function/);
    // The label its goto jumps back to is gone.
    check('do\n  ::top::\n  g()\n  if n then goto top end\nend\n', 'do\n  g()\n  if n then goto top end\nend\n', /no visible label 'top'/);
    // One nesting level more around it (an unclosed `do` before it): its deepest part is one too deep.
    let depth = 1;
    const nestedDo = (k: number): string => `function f()\n  g()\n  ${'do '.repeat(k)}${'end '.repeat(k)}\nend\n`;
    while (parse(nestedDo(depth + 1)).diagnostics.length === 0) depth++;
    check(nestedDo(depth), nestedDo(depth).replace('  g()', '  do g()'), /too many C levels/);
  });

  it('keeps no earlier result alive (an editing session holds one tree, not its history)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const text = 'local a = 1\nlocal b = 2\nlocal c = = 3\nprint(a, b, c)\n';
    const refs: WeakRef<ParseResult>[] = [];
    let current = parse(text);
    for (let i = 0; i < 5; i++) {
      refs.push(new WeakRef(current));
      current = parse(i % 2 ? text : text.replace('= =', '='), { previous: current });
    }
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.deepEqual(refs.map((r) => r.deref() === undefined), [true, true, true, true, true]);
    assert.ok(current.chunk.body.body.length > 0);
  });
});

