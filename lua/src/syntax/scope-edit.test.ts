// The scopes of an edited chunk, made by taking over the previous version's (`analyze(chunk,
// previous)`, after an incremental parse that took over the previous parse), are exactly a fresh
// analysis's: every function, local (ids, scope ranges, references, written, captured, aliases),
// reference, global and global-path use. Seeded random edits on generated programs and the accept
// corpus, each version taking over the last as an editor session does; the counts show that the
// statements an edit left were really taken over.
import { strict as assert } from 'assert';
import type * as ast from './ast';
import { parse, type ParseResult } from './parser';
import { analyze, analyzeInSlices, type ScopeInfo } from './scope';
import { readCorpus } from './testing/corpus';
import { TOKEN_PALETTE, joinedPrograms } from './testing/programs';
import { Random } from './testing/random';

/** Everything a scope analysis says, as text (objects by their place in the lists and the source). */
export function scopeText(scope: ScopeInfo): string {
  const fn = new Map(scope.functions.map((f, i) => [f, i]));
  const range = (n: ast.Range | undefined): string => (n ? `${n.start}-${n.end}` : '-');
  return JSON.stringify({
    functions: scope.functions.map((f) => [range(f.node), f.node.kind, f.parent ? fn.get(f.parent) : -1, f.locals.map((l) => l.id), f.upvalues.map((u) => [u.name, u.local?.id ?? -1])]),
    locals: scope.locals.map((l, i) => [i, l.id, l.name, l.kind, range(l.declaration), range(l.declaringNode), fn.get(l.function), l.scope.start, l.scope.end,
      l.references.map((r) => r.node.start), l.written, l.captured, range(l.initializer), l.aliasOf?.join('.') ?? null, l.fieldReferences?.map((r) => r.node.start) ?? null]),
    references: scope.references.map((r) => [r.node.start, r.node.name, r.access, r.binding, r.local?.id ?? -1, r.env?.id ?? -1, r.upvalue]),
    globals: [...scope.globals].map(([k, v]) => [k, v.map((r) => r.node.start)]),
    uses: scope.uses.map((u) => [u.path.join('.'), range(u.node), u.access, u.dynamicKey ?? false, range(u.call), u.via?.id ?? -1]),
    globalTableModified: scope.globalTableModified,
  });
}

const LINES = [
  'local q = f(x) + 1\n', 'if y then z() end\n', 'function m.n(a, b) return a end\n', 'x = os.getenv("a")\n', 'local s = string\n',
  's = nil\n', 'do local t = {} t.u = s end\n', '_G.v = 1\n', 'print(io.write)\n', 'local function g() return g end\n', 'goto done\n', '::done::\n',
];

function edit(r: Random, text: string): string {
  const at = r.int(text.length + 1);
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  switch (r.int(10)) {
    case 0: return text.slice(0, at) + r.pick(TOKEN_PALETTE) + text.slice(at);
    case 1: return text.slice(0, at) + text.slice(at + 1 + r.int(5));
    case 2: return text.slice(0, at) + ' ' + text.slice(at);
    case 3: {
      const end = text.indexOf('\n', at);
      return text.slice(0, lineStart) + (end < 0 ? '' : text.slice(end + 1));
    }
    case 4: case 5: return text.slice(0, lineStart) + r.pick(LINES) + text.slice(lineStart);
    // What typing inside a line mostly is: the code stays valid.
    default: return text.slice(0, lineStart) + r.pick([' ', '\n', '  ']) + text.slice(lineStart);
  }
}

interface Counts { steps: number; taken: number; startsMoved?: number }

/**
 * Parses and analyses `text` taking the previous version over, and checks the scopes against a
 * fresh analysis, and that `referenceOf` finds every reference (through the starts of the names,
 * moved with the statements on a long file, see Analyzer.referenceStarts).
 */
function step(previous: { parsed: ParseResult; scope: ScopeInfo }, text: string, counts: Counts, label: string): { parsed: ParseResult; scope: ScopeInfo } {
  const before = previous.scope.locals[0];
  const parsed = parse(text, { name: 'x', previous: previous.parsed });
  const scope = analyze(parsed.chunk, previous.scope);
  const fresh = analyze(parse(text, { name: 'x' }).chunk);
  assert.equal(scopeText(scope), scopeText(fresh), label);
  counts.steps++;
  if (before !== undefined && scope.locals[0] === before) counts.taken++;
  if ((scope as unknown as { referenceStarts?: Int32Array }).referenceStarts !== undefined) counts.startsMoved = (counts.startsMoved ?? 0) + 1;
  for (const ref of scope.references) assert.equal(scope.referenceOf(ref.node), ref, `${label}: the reference at ${ref.node.start}`);
  for (const local of scope.locals) if (local.declaration) assert.equal(scope.declarationOf(local.declaration), local, `${label}: the local declared at ${local.declaration.start}`);
  for (const ref of scope.references.slice(0, 50)) assert.equal(scope.declarationOf(ref.node), undefined, `${label}: a reference is no declaration`);
  return { parsed, scope };
}

describe('scopes of an edited chunk', () => {
  it('equal a fresh analysis over 150 generated programs and random edits, taking statements over', function () {
    this.timeout(120_000);
    const counts: Counts = { steps: 0, taken: 0 };
    for (let seed = 1; seed <= 150; seed++) {
      const r = new Random(seed);
      let text = joinedPrograms(r, 2 + r.int(4));
      const parsed = parse(text, { name: 'x' });
      let current = { parsed, scope: analyze(parsed.chunk) };
      for (let k = 0; k < 8; k++) {
        text = edit(r, text);
        current = step(current, text, counts, `seed ${seed} edit ${k}`);
      }
    }
    assert.ok(counts.taken > 0, JSON.stringify(counts));
  });

  it('made in slices equal a fresh analysis made at once, and an edit takes them over', function () {
    this.timeout(120_000);
    const counts: Counts = { steps: 0, taken: 0 };
    const r = new Random(31);
    let stops = 0;
    const texts = Array.from({ length: 60 }, (_, i) => joinedPrograms(new Random(700 + i), 2 + (i % 4)));
    for (const file of readCorpus('accept')) texts.push(Buffer.from(file.bytes).toString('utf8'));
    texts.forEach((text, i) => {
      const parsed = parse(text, { name: 'x' });
      const task = analyzeInSlices(parsed.chunk);
      let scope: ScopeInfo | undefined;
      for (let k = 0; (scope = task.step(() => r.chance(0.7))) === undefined; k++) {
        assert.ok(k < 100_000, `text ${i}: the slices get further`);
        stops++;
      }
      assert.equal(task.step(() => false), scope, `text ${i}: the result once made`);
      assert.equal(scopeText(scope), scopeText(analyze(parse(text, { name: 'x' }).chunk)), `text ${i}`);
      for (const ref of scope.references) assert.equal(scope.referenceOf(ref.node), ref, `text ${i}: the reference at ${ref.node.start}`);
      // A second analysis of the same tree: each answers with its own locals.
      const twin = analyze(parsed.chunk);
      for (const local of scope.locals) if (local.declaration) assert.equal(scope.declarationOf(local.declaration), local, `text ${i}: the first analysis's local at ${local.declaration.start}`);
      for (const local of twin.locals) if (local.declaration) assert.equal(twin.declarationOf(local.declaration), local, `text ${i}: the second analysis's local at ${local.declaration.start}`);
      step({ parsed, scope }, edit(r, text), counts, `text ${i}, edited`);
    });
    assert.ok(stops > texts.length * 2 && counts.taken > 0, `${stops} stops; ${JSON.stringify(counts)}`);
  });

  it('take over every statement but the edited one while a function body is edited', () => {
    // A module: locals, functions on its table, a test suite's describe; lines typed inside bodies.
    const lines = ['local M = {}', 'local insert = table.insert', 'local alias = string', ''];
    for (let f = 0; f < 6; f++) {
      lines.push(`function M.f${f}(a, b)`, '  local out = {}', '  for i = 1, #a do insert(out, alias.upper(a[i]) .. b) end', `  if b then M.last = ${f} end`, '  return out', 'end');
      lines.push(`local function helper${f}(x) return M.f${f}(x, "") end`, `M.h${f} = helper${f}`);
    }
    lines.push('describe("m", function()', '  it("works", function() assert(M.f1({ "a" }, "b")[1] == "Ab") end)', 'end)', 'return M');
    let text = lines.join('\n') + '\n';
    const parsed = parse(text, { name: 'x' });
    let current = { parsed, scope: analyze(parsed.chunk) };
    const counts: Counts = { steps: 0, taken: 0 };
    const r = new Random(5);
    const typed = ['  local y = a\n', '  b = nil\n', '  print(M, alias.lower)\n', '  M = M\n', '  insert = nil\n', '  local s = os\n  s.exit()\n', ' '];
    for (let k = 0; k < 60; k++) {
      const bodies = [...text.matchAll(/^function M\.f\d\(a, b\)\n/gm)].map((m) => m.index! + m[0].length);
      assert.equal(bodies.length, 6);
      const at = r.pick(bodies);
      text = text.slice(0, at) + r.pick(typed) + text.slice(at);
      current = step(current, text, counts, `edit ${k}`);
    }
    // Typing `M = M` or `insert = nil` makes a local of the main block written: then everything is analysed again.
    assert.ok(counts.taken > counts.steps / 2, JSON.stringify(counts));
  });

  it('take over the main block\'s locals when the statement that declares them is edited', () => {
    // A module's header: locals every function sees. Typing inside a header line keeps its names,
    // so the statements after keep their references to the same locals; renaming one, or making
    // an alias stand for another path, is analysed afresh.
    const header = ['local M = {}', 'local insert, concat = table.insert, table.concat', 'local s = string', 'local function helper(x) return x end', 'local count = 0'];
    const lines = [...header, ''];
    for (let f = 0; f < 8; f++) {
      lines.push(`function M.f${f}(a)`, '  local out = {}', '  insert(out, s.upper(helper(a)))', '  count = count + 1', `  return concat(out, "${f}")`, 'end');
    }
    lines.push('return M');
    let text = lines.join('\n') + '\n';
    const parsed = parse(text, { name: 'x' });
    let current = { parsed, scope: analyze(parsed.chunk) };
    const counts: Counts = { steps: 0, taken: 0 };
    let kept = 0;
    const r = new Random(23);
    const changes: ((line: string) => string)[] = [
      (line) => { const at = line.indexOf(' ', 6); return line.slice(0, at) + ' ' + line.slice(at); },
      (line) => ' ' + line,
      (line) => line + ' ',
      (line) => line.replace('table.insert', 'table.remove').replace('string', 'utf8'),
      (line) => line.replace('concat', 'concat2'),
      (line) => line.replace('= 0', '= 1'),
    ];
    for (let k = 0; k < 60; k++) {
      const textLines = text.split('\n');
      const index = r.int(header.length);
      const declared = current.scope.functions[0].locals.filter((l) => l.declaringNode.start >= textLines.slice(0, index).join('\n').length && l.scope.start <= textLines.slice(0, index + 1).join('\n').length);
      textLines[index] = r.pick(changes)(textLines[index]);
      text = textLines.join('\n');
      current = step(current, text, counts, `edit ${k}`);
      if (declared.length > 0 && declared.every((l) => current.scope.locals[l.id] === l)) kept++;
    }
    assert.ok(kept > counts.steps / 2, `${kept} of ${counts.steps} edits kept the locals`);
  });

  it('move the references\' starts with the statements on a long file, and find every reference after each edit', function () {
    this.timeout(120_000);
    const lines = ['local M = {}', 'local insert = table.insert', ''];
    for (let f = 0; f < 400; f++) {
      lines.push(`function M.f${f}(a, b)`, '  local out = {}', '  for i = 1, #a do insert(out, string.upper(a[i]) .. b) end', `  if b then M.last = ${f} end`, '  return out, a, b', 'end');
    }
    lines.push('return M');
    let text = lines.join('\n') + '\n';
    const parsed = parse(text, { name: 'x' });
    let current = { parsed, scope: analyze(parsed.chunk) };
    assert.ok(current.scope.references.length > 4096, `${current.scope.references.length} references`);
    current.scope.referenceOf(current.scope.references[0].node);
    const counts: Counts = { steps: 0, taken: 0 };
    const r = new Random(17);
    for (let k = 0; k < 40; k++) {
      text = edit(r, text);
      current = step(current, text, counts, `edit ${k}`);
    }
    assert.ok((counts.startsMoved ?? 0) > counts.steps / 2, JSON.stringify(counts));
  });

  it('equal a fresh analysis on the accept corpus under edits', function () {
    this.timeout(120_000);
    const counts: Counts = { steps: 0, taken: 0 };
    const r = new Random(11);
    for (const file of readCorpus('accept')) {
      let text = Buffer.from(file.bytes).toString('utf8');
      const parsed = parse(text, { name: 'x' });
      let current = { parsed, scope: analyze(parsed.chunk) };
      for (let k = 0; k < 6; k++) {
        text = edit(r, text);
        current = step(current, text, counts, `${file.name} edit ${k}`);
      }
    }
    assert.ok(counts.taken > 0, JSON.stringify(counts));
  });
});
