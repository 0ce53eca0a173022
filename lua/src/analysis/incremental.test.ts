// The analysis of an edited script that takes over its previous version's (the parse's statements,
// the type analysis's functions: `CheckerOptions.previous`) gives exactly what a fresh analysis
// gives: the same findings and the same type on every node. Seeded random edit sequences, as an
// editor session sends them (lines inserted and removed, spaces, snippets typed one character at a
// time through invalid states), on the type fixtures under their contract and on a generated
// script shaped like real-world code; and the functions an edit leaves alone are really taken over.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type * as ast from '../syntax/ast';
import { visit } from '../syntax/visit';
import { Random } from '../syntax/testing/random';
import type { Contract } from '../contract/manifest';
import { parse } from '../syntax/parser';
import { analyze } from '../syntax/scope';
import { analyzeScript, type ScriptAnalysis } from './checker';
import { AnalysisInterrupted, type InferenceMemo } from './infer';
import { formatType } from './types';
import type { Fix } from './findings';
import { contractAt } from './testing/fixtures';
import { editBetween } from '../syntax/reparse';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'lua', 'test', 'analysis', 'types');
const CHECKER_FIXTURES = path.join(ROOT, 'lua', 'test', 'analysis');
const LINT_FIXTURES = path.join(ROOT, 'lua', 'test', 'analysis', 'lint');

/** Statements typed at the start of a line: valid in most places, they change types, globals and output. */
const LINES = [
  ' ', 'local z = 1\n', 'z = nil\n', 'print(input.vendor_name:lower())\n', '-- note\n', 'local t = {}\n', 'x = nil\n',
  'return { normalized_vendor = "v" }\n', 'while true do end\n', 'local m = ("x"):formt()\n', 'function string.formt() end\n', 'local q = "x"\nq:formt()\n', 'local s = lookup_vendor_alias(input.vendor_name)\n', 'if s then s = s .. "" end\n',
  '---@param a string\n', 'local function h(a) return a, {} end\n', 'end\n', 'do\n', 'tools.emit_review_note(1)\n',
];
const TYPED = ['local q = f(x) + 1\n', 'if y then z() end\n', 'function m.n(a, b) return a end\n', 'x = "a', 'local u = input.count or 0\n'];

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

function edit(r: Random, text: string): string {
  const starts = lineStarts(text);
  switch (r.int(6)) {
    case 0: {
      const at = r.int(text.length + 1);
      return text.slice(0, at) + text.slice(at + 1 + r.int(4));
    }
    case 1: {
      // Remove a line.
      const i = r.int(starts.length);
      return text.slice(0, starts[i]) + (i + 1 < starts.length ? text.slice(starts[i + 1]) : '');
    }
    case 2: {
      const at = r.int(text.length + 1);
      return text.slice(0, at) + ' ' + text.slice(at);
    }
    default: {
      const at = r.pick(starts);
      return text.slice(0, at) + r.pick(LINES) + text.slice(at);
    }
  }
}

/** Every finding, and every node's type, as text. */
function observed(a: ScriptAnalysis): { findings: string; types: string } {
  const types: string[] = [];
  visit(a.parsed.chunk, { enter(n: ast.Node) {
    const t = a.types.typeOf(n);
    if (t) types.push(`${n.start}-${n.end} ${n.kind}: ${formatType(t)}`);
  } });
  return { findings: JSON.stringify(a.findings), types: types.join('\n') };
}

let steps = 0;

/**
 * Analyses `text` taking `previous` over (every other time told the edit, as the language server
 * tells it: the parse then reads the text around it only), and checks it against a fresh analysis.
 */
function step(previous: ScriptAnalysis, text: string, contract: Contract, label: string): ScriptAnalysis {
  const edit = steps++ % 2 ? editBetween(previous.parsed.source, text) : undefined;
  const incremental = analyzeScript(text, 'x.lua', contract, { previous, edit });
  const fresh = analyzeScript(text, 'x.lua', contract);
  const a = observed(incremental);
  const b = observed(fresh);
  assert.equal(a.findings, b.findings, `${label}: findings`);
  assert.equal(a.types, b.types, `${label}: types`);
  return incremental;
}

/** Long functions, then a test suite's one `describe(...)` statement (as bench/lsp.mjs's real-world shape, smaller). */
export function realWorldShape(functions: number, body: number, cases: number): string {
  const out = ['local M = {}', 'local insert, concat = table.insert, table.concat', ''];
  for (let f = 0; f < functions; f++) {
    out.push(`function M.parse_${f}(state, tokens, options)`, '  local out, errors = {}, {}', '  local i = 1');
    for (let b = 0; b < body; b++) {
      out.push(
        `  local tk${b} = tokens[i]`,
        `  if tk${b} and tk${b}.kind == "name" then`,
        `    insert(out, { kind = "ref", name = tk${b}.text, at = i, depth = state.depth + ${b % 4} })`,
        `  elseif tk${b} and tk${b}.kind == "op" then`,
        `    errors[#errors + 1] = string.format("unexpected %s at %d", tk${b}.text, i)`,
        '  end',
        '  i = i + 1',
      );
    }
    out.push('  return out, errors', 'end', '');
  }
  out.push('describe("the parser", function()');
  for (let t = 0; t < cases; t++) {
    out.push(`  it("parses case ${t}", function()`, `    local out, errors = M.parse_${t % functions}({ depth = 0 }, { { kind = "name", text = "x${t}" } })`,
      '    assert(#errors == 0)', `    assert(out[1].name == "x${t}")`, '  end)');
  }
  out.push('end)', 'return { normalized_vendor = "v", confidence = 1 }');
  return out.join('\n') + '\n';
}

/**
 * A long script of top-level statements (as generated data and configuration are written): a
 * table's fields set one by one, conditions on them, closures that see the main function's locals,
 * a loop, and the output returned.
 */
function mainShape(statements: number): string {
  const out = ['local raw = input.vendor_name', 'local t, count = {}, 0', 'local label = raw and "x" or nil', 'if not label then return { normalized_vendor = "none" } end'];
  for (let i = 0; out.length < statements; i++) {
    out.push(`t.v${i} = string.format("%d", ${i}) .. raw:lower()`);
    if (i % 10 === 9) out.push(`if #t.v${i} > 3 then tools.emit_review_note(t.v${i}) end`);
    if (i % 25 === 24) out.push(`local function get${i}() return label .. t.v${i} end`, `count = count + #get${i}()`);
    if (i % 40 === 39) out.push(`for k = 1, ${i % 7 + 1} do count = count + k end`);
  }
  out.push('return { normalized_vendor = raw .. label, confidence = count > 0 and 0.5 or 0 }');
  return out.join('\n') + '\n';
}

describe('incremental analysis', () => {
  const contract = contractAt(FIXTURES);
  // The type fixtures, the checker's (forbidden names, host calls, loops, string shapes) and lint's, each under its folder's contract.
  const sources: (readonly [string, string, Contract])[] = [];
  for (const folder of [FIXTURES, CHECKER_FIXTURES, LINT_FIXTURES]) {
    const governing = contractAt(folder);
    for (const f of fs.readdirSync(folder).filter((n) => n.endsWith('.lua')).sort()) sources.push([f, fs.readFileSync(path.join(folder, f), 'utf8'), governing]);
  }
  sources.push(['real-world shape', realWorldShape(4, 6, 12), contract]);
  // Function bodies and a describe callback long enough to be kept statement by statement.
  sources.push(['long function bodies', realWorldShape(2, 14, 40), contract]);
  sources.push(['top-level statements', mainShape(120), contract]);

  for (const [name, source, contract] of sources) {
    it(`gives a fresh analysis's findings and types after random edits: ${name}`, () => {
      for (let seed = 1; seed <= 3; seed++) {
        const r = new Random(seed * 7919 + name.length);
        let text = source;
        let current = analyzeScript(text, 'x.lua', contract);
        for (let i = 0; i < 12; i++) {
          text = edit(r, text);
          current = step(current, text, contract, `${name} seed ${seed} edit ${i}`);
        }
        // Type a statement one character at a time at a line start, then erase it again.
        const at = r.pick(lineStarts(text));
        const snippet = r.pick(TYPED);
        for (let n = 1; n <= snippet.length; n++) current = step(current, text.slice(0, at) + snippet.slice(0, n) + text.slice(at), contract, `${name} typing ${JSON.stringify(snippet.slice(0, n))}`);
        for (let n = snippet.length - 1; n >= 0; n--) current = step(current, text.slice(0, at) + snippet.slice(0, n) + text.slice(at), contract, `${name} erasing to ${JSON.stringify(snippet.slice(0, n))}`);
      }
    });
  }

  it("takes lint's findings over for the statements an edit leaves, with the lines they name moved", () => {
    const text = [
      'local count, spare = 1, 2', 'local M = {}', 'function M.f(x)', '  local count = x', '  return count', 'end',
      'function M.g()', '  local total = 3', '  return function() local total = 4 return total + count end', 'end', 'return M', '',
    ].join('\n');
    const lint = (a: ScriptAnalysis): string[] => a.findings.filter((f) => f.code === 'shadowing' || f.code === 'unused').map((f) => f.message);
    let current = analyzeScript(text, 'x.lua', contract);
    assert.deepEqual(lint(current), [
      "unused local 'spare'", "'count' shadows the local 'count' of an enclosing function (line 1)", "unused local 'total'", "'total' shadows the local 'total' of an enclosing function (line 8)",
    ]);
    const main = current.scope.functions[0];
    // Lines added inside M.f: M.g's findings are taken over, moved, and the line they name with them.
    for (let i = 1; i <= 3; i++) {
      const source = current.parsed.source;
      current = step(current, source.replace('  return count\n', '  -- a note\n  return count\n'), contract, `line ${i} added`);
      assert.equal(current.scope.functions[0], main, 'the scopes are taken over');
      assert.ok(lint(current).includes(`'total' shadows the local 'total' of an enclosing function (line ${8 + i})`));
    }
    // The main block's local read for the first time in M.f: no longer unused (the main function's locals are judged every time).
    current = step(current, current.parsed.source.replace('  return count\n', '  return count + spare\n'), contract, 'the main local read');
    assert.equal(current.scope.functions[0], main, 'the scopes are taken over');
    assert.ok(!lint(current).includes("unused local 'spare'"));
    // A main block's local declared before M.g, which M.g's local now hides: analysed afresh, not taken over.
    current = step(current, `local total = 0\n${current.parsed.source}`, contract, 'a main local declared');
    assert.notEqual(current.scope.functions[0], main);
    assert.ok(lint(current).includes("'total' shadows the local 'total' of an enclosing function (line 1)"));
    // An alias of `error` assigned after the statements that call it: they are parsed as they were,
    // but the scopes are analysed afresh, and the code after a call of it is reachable now.
    const alias = 'local fail = error\nlocal N = {}\nfunction N.h() fail("x") print("after") end\nprint(1)\nprint(2)\nreturn N\n';
    current = analyzeScript(alias, 'x.lua', contract);
    assert.ok(current.findings.some((f) => f.code === 'unreachable-code'));
    const h = current.parsed.chunk.body.body[2];
    current = step(current, alias.replace('print(2)', 'fail = print'), contract, 'the alias assigned');
    assert.equal(current.parsed.chunk.body.body[2], h, 'the statement is taken over by the parse');
    assert.ok(!current.findings.some((f) => f.code === 'unreachable-code'));
  });

  it("takes the global paths' findings over for the statements an edit leaves, and judges them again when what they read changes", () => {
    const text = [
      'local M = {}', 'function M.a()', '  return helper(1), string.formt("x"), compute_total(M)', 'end',
      'function M.b()', '  return missing_name.field', 'end', 'print(1)', 'print(2)', 'return { normalized_vendor = "v" }', '',
    ].join('\n');
    const codes = (a: ScriptAnalysis): string[] => a.findings.filter((f) => f.code === 'undefined-global' || f.code === 'unknown-member' || f.code === 'ungranted-host')
      .map((f) => `${f.code} ${a.parsed.source.slice(f.start, f.end)}`);
    let current = analyzeScript(text, 'x.lua', contract);
    const main = current.scope.functions[0];
    assert.deepEqual(codes(current).sort(), ['ungranted-host compute_total', 'ungranted-host helper', 'undefined-global missing_name', 'unknown-member formt'].sort());
    const a = current.parsed.chunk.body.body[1];
    // Lines added in M.b: M.a's findings are taken over, moved.
    current = step(current, current.parsed.source.replace('  return missing_name', '  -- a note\n  return missing_name'), contract, 'a line added');
    assert.equal(current.scope.functions[0], main);
    assert.equal(current.parsed.chunk.body.body[1], a, 'M.a is taken over by the parse');
    // A global defined by a later statement: M.a's call of it is no longer ungranted.
    current = step(current, current.parsed.source.replace('print(2)', 'function helper(x) return x end'), contract, 'a global defined');
    assert.equal(current.scope.functions[0], main);
    assert.ok(!codes(current).includes('ungranted-host helper'));
    // The string library extended by a later statement: string.formt exists now.
    current = step(current, current.parsed.source.replace('print(1)', 'function string.formt(s) return s end'), contract, 'a library extended');
    assert.ok(!codes(current).includes('unknown-member formt'));
    // A guard in the main block before M.b: reading missing_name there is a test of whether it exists.
    current = step(current, current.parsed.source.replace('function M.b()', 'if not missing_name then return {} end\nfunction M.b()'), contract, 'a guard added');
    assert.ok(!codes(current).includes('undefined-global missing_name'));
    // The fix that declares an ungranted call is typed from its arguments, which an earlier
    // statement's assignment types: judged again even where the call's statement was taken over.
    const typed = 'local cfg = 0\ncfg = 1\nprint(1)\ncompute_total(cfg)\nprint(2)\nreturn { normalized_vendor = "v" }\n';
    const declare = (a: ScriptAnalysis): string | undefined => a.findings.find((f) => f.code === 'ungranted-host')?.fixes?.[0]?.title;
    current = analyzeScript(typed, 'x.lua', contract);
    assert.match(declare(current) ?? '', /compute_total\(cfg: integer\)/);
    const call = current.parsed.chunk.body.body[3];
    current = step(current, typed.replace('cfg = 1', 'cfg = "x"'), contract, 'the argument retyped');
    assert.equal(current.parsed.chunk.body.body[3], call, 'the call is taken over by the parse');
    assert.match(declare(current) ?? '', /compute_total\(cfg: string\)/);
    // The same in a main block long enough to be kept statement by statement (MainMemo): retyped
    // by an edit before the call, and the same fix (not made again) after an edit that leaves the
    // argument's type.
    const padding = Array.from({ length: 120 }, (_, i) => `print(${i})`).join('\n');
    const long = `local cfg = 0\ncfg = 1\n${padding}\ncompute_total(cfg)\n${padding}\nreturn { normalized_vendor = "v" }\n`;
    const fixesOf = (a: ScriptAnalysis): unknown => a.findings.find((f) => f.code === 'ungranted-host')?.fixes;
    current = analyzeScript(long, 'x.lua', contract);
    current = step(current, long.replace('print(0)', 'print(0.5)'), contract, 'a statement before it edited');
    assert.match(declare(current) ?? '', /compute_total\(cfg: integer\)/);
    const fixes = fixesOf(current);
    current = step(current, current.parsed.source.replace('print(119)\nreturn', 'print(119.5)\nreturn'), contract, 'a statement after it edited');
    assert.equal(fixesOf(current), fixes, 'the same fix');
    current = step(current, current.parsed.source.replace('cfg = 1', 'cfg = "x"'), contract, 'the argument retyped, long');
    assert.match(declare(current) ?? '', /compute_total\(cfg: string\)/);
    current = step(current, current.parsed.source.replace('print(1)', 'print(1.5)'), contract, 'an edit after the retype');
    assert.match(declare(current) ?? '', /compute_total\(cfg: string\)/);
    // Calls inside functions whose statements the parse takes over: a function the edit leaves
    // keeps its call's fix; one analysed again (an upvalue it reads retyped) gets it typed again.
    const inner = 'local n = 0\nlocal s = "x"\nlocal function a()\n  send_mail(n)\nend\nlocal function b()\n  send_note(s)\nend\nprint(a, b)\nreturn { normalized_vendor = "v" }\n';
    const fixOf = (a: ScriptAnalysis, name: string): Fix[] | undefined => a.findings.find((f) => f.code === 'ungranted-host' && a.parsed.source.startsWith(name, f.start))?.fixes;
    current = analyzeScript(inner, 'x.lua', contract);
    current = step(current, inner.replace('print(a, b)', 'print(b, a)'), contract, 'an edit after the functions');
    const noteFix = fixOf(current, 'send_note');
    assert.ok(noteFix);
    current = step(current, current.parsed.source.replace('local n = 0', 'local n = "one"'), contract, 'the upvalue a reads retyped');
    assert.match(fixOf(current, 'send_mail')?.[0]?.title ?? '', /send_mail\(n: string\)/);
    assert.equal(fixOf(current, 'send_note'), noteFix, 'b keeps its fix');
    current = step(current, current.parsed.source.replace('local s = "x"', 'local s = 2'), contract, 'the upvalue b reads retyped');
    assert.match(fixOf(current, 'send_note')?.[0]?.title ?? '', /send_note\(s: integer\)/);
  });

  it('takes over the statements of a long function body an edit leaves, where they start as they started', () => {
    const bodyOf = (a: ScriptAnalysis, name: string): ast.Statement[] => {
      const s = a.parsed.chunk.body.body.find((x) => x.kind === 'FunctionStatement' && a.parsed.source.slice(x.start, x.start + 40).includes(name)) as ast.FunctionStatement;
      return s.func.body.body;
    };
    // An analysis after an open keeps the body it analyses again (the edited function's), for the
    // edits after it; each edit below starts from such an analysis (a parse is taken over once).
    const text = realWorldShape(2, 14, 40);
    const edited = (from: string, to: string, source = text): string => {
      const at = source.indexOf(from, from.startsWith('local insert') ? 0 : source.indexOf('function M.parse_1('));
      return source.slice(0, at) + to + source.slice(at + from.length);
    };
    const warm = edited('  local tk12 = tokens[i]', '   local tk12 = tokens[i]');
    const kept = (): ScriptAnalysis => step(analyzeScript(text, 'x.lua', contract), warm, contract, 'a space, after an open');
    // A space typed in the middle of the second function: its other statements are taken over.
    const first = kept();
    const records = new Map(bodyOf(first, 'M.parse_1(').map((s) => [s, first.memo!.bodies.get(s)]));
    assert.ok([...records.values()].every((r) => r !== undefined), 'the body analysed again is kept');
    const after = step(first, edited('  local tk7 = tokens[i]', '   local tk7 = tokens[i]', warm), contract, 'a space');
    const now = bodyOf(after, 'M.parse_1(');
    const taken = now.filter((s) => records.has(s) && after.memo!.bodies.get(s) === records.get(s));
    assert.ok(now.length >= 40 && taken.length >= now.length - 3, `${taken.length} of ${now.length} statements taken over`);
    // What a kept statement reads changed before it: analysed again, as a fresh analysis would.
    const edits: [string, string, string][] = [
      ['a local renamed: its uses after it read a global', '  local tk3 = tokens[i]', '  local tk33 = tokens[i]'],
      ['a local renamed: its uses further on read a global', '  local out, errors = {}, {}', '  local outs, errors = {}, {}'],
      ['a local renamed: the script now sets a global', '  local out, errors = {}, {}', '  local out, errs = {}, {}'],
      ['a local declared with another type', '  local out, errors = {}, {}', '  local out, errors = {}, "x"'],
      ['a local assigned another type', '  local i = 1', '  local i = 1\n  out = "x"'],
      ['a parameter set to nil before the rest', '  local tk3 = tokens[i]', '  local tk3 = tokens[i]\n  tokens = nil'],
      ['an upvalue declared with another type', 'local insert, concat = table.insert, table.concat', 'local insert, concat = print, table.concat'],
    ];
    for (const [label, from, to] of edits) step(kept(), edited(from, to, warm), contract, label);
    // A renamed local of a known type: the statements after it that read its name read a global.
    const checks = Array.from({ length: 40 }, (_, k) => `  if total < limit then\n    total = total + ${k}\n  end`).join('\n');
    const limits = `local M = {}\nfunction M.run(x)\n  local limit = 10\n  local total = 0\n${checks}\n  return total\nend\nreturn { normalized_vendor = "v", confidence = 1 }\n`;
    const limitsKept = step(analyzeScript(limits, 'x.lua', contract), limits.replace('  return total', '   return total'), contract, 'a space at the end');
    step(limitsKept, limits.replace('local limit = 10', 'local limit2 = 10').replace('  return total', '   return total'), contract, 'a local of a known type renamed');
  });

  it('takes over the functions an edit leaves as they were', () => {
    const text = realWorldShape(4, 6, 12);
    const before = analyzeScript(text, 'x.lua', contract);
    const functions = (a: ScriptAnalysis): ast.FunctionExpression[] => a.scope.functions.slice(1).map((f) => f.node as ast.FunctionExpression);
    const kept = new Map(functions(before).map((f) => [f, before.memo!.functions.get(f)]));
    // A space typed inside the second function: the others (and the describe's callbacks) are taken over.
    const at = text.indexOf('  local i = 1', text.indexOf('function M.parse_1('));
    const after = analyzeScript(text.slice(0, at) + ' ' + text.slice(at), 'x.lua', contract, { previous: before });
    const now = functions(after);
    const taken = now.filter((f) => kept.has(f) && after.memo!.functions.get(f) === kept.get(f));
    assert.equal(now.length, kept.size);
    assert.ok(!taken.some((f) => f.start <= at && at < f.end), 'the edited function is analysed again');
    // All but the edited function: the other three, the describe's callback and its twelve cases.
    assert.equal(taken.length, now.length - 1);
    assert.equal(observed(after).findings, observed(analyzeScript(text.slice(0, at) + ' ' + text.slice(at), 'x.lua', contract)).findings);
    // Inside one case of the describe: the parse takes the other cases over (statements nested in
    // the one top-level statement), and so does the type analysis, but for the describe's callback.
    const inCase = text.indexOf('assert(', text.indexOf('it("parses case 5"'));
    const edited = text.slice(0, inCase) + ' ' + text.slice(inCase);
    const before3 = analyzeScript(text, 'x.lua', contract);
    const kept3 = new Map(functions(before3).map((f) => [f, before3.memo!.functions.get(f)]));
    const after3 = analyzeScript(edited, 'x.lua', contract, { previous: before3 });
    const now3 = functions(after3);
    const taken3 = now3.filter((f) => kept3.has(f) && after3.memo!.functions.get(f) === kept3.get(f));
    assert.equal(taken3.length, now3.length - 2, 'all but the describe\'s callback and the edited case');
    const fresh = observed(analyzeScript(edited, 'x.lua', contract));
    assert.equal(observed(after3).findings, fresh.findings);
    assert.equal(observed(after3).types, fresh.types);
  });

  it('takes over the main function\'s statements before an edit, and after it from where the analysis stands as it stood', () => {
    const text = mainShape(300);
    const before = analyzeScript(text, 'x.lua', contract);
    const kept = before.memo!.main!.statements;
    // A space typed inside an expression halfway: every statement but the edited one is taken over.
    const at = text.indexOf('string.format', text.indexOf('t.v100 ='));
    const spaced = step(before, text.slice(0, at) + ' ' + text.slice(at), contract, 'a space halfway');
    const now = spaced.memo!.main!.statements;
    assert.equal(now.length, kept.length);
    const edited = now.findIndex((r) => r.statement.start <= at && at < r.statement.end);
    assert.ok(edited > 100);
    assert.deepEqual(now.map((r, i) => (r === kept[i] ? '' : i)).filter((x) => x !== ''), [edited]);
    // A value that changes what comes after (the type of a field read later): the statements after
    // it are analysed again until the analysis stands where it stood (here: not before the end).
    const changed = step(spaced, text.replace('t.v100 = string.format("%d", 100) .. raw:lower()', 't.v100 = 42'), contract, 'a field\'s type changed');
    assert.ok(changed.memo!.main!.statements.slice(0, edited).every((r, i) => r === now[i]));
  });

  it('analyses the statements after an edit again when a local they see was declared with another type', () => {
    // `label` is a string after the check either way, but it was declared `string?` and then
    // `false|string`: a closure that finds no type for it where it is defined reads the declared
    // one, so the statements after are not taken over, though the analysis stands where it stood.
    // (Statements after them make the main block long enough for its analysis to be kept.)
    const text = ['local label = input.amount and "x" or nil', 'if not label then return { normalized_vendor = "none" } end',
      'local function get() return label end', 'local v = get()', ...Array.from({ length: 100 }, (_, i) => `local n${i} = v .. "${i}"`),
      'return { normalized_vendor = v or "y" }', ''].join('\n');
    const before = analyzeScript(text, 'x.lua', contract);
    const kept = before.memo!.main!.statements;
    const after = step(before, text.replace('or nil', 'or false'), contract, 'declared with false');
    assert.ok(after.memo!.main!.statements.every((r, i) => r !== kept[i]));
    step(after, text, contract, 'declared with nil again');
  });

  it('takes over the functions that see a top-level local when its declaration is edited and means the same', () => {
    const text = realWorldShape(4, 6, 12);
    const functions = (a: ScriptAnalysis): ast.FunctionExpression[] => a.scope.functions.slice(1).map((f) => f.node as ast.FunctionExpression);
    const header = text.indexOf('local insert');
    const before = analyzeScript(text, 'x.lua', contract);
    const kept = new Map(functions(before).map((f) => [f, before.memo!.functions.get(f)]));
    // A space typed inside `local insert, concat = table.insert, table.concat`: every function is taken over.
    const spaced = text.slice(0, header + 6) + ' ' + text.slice(header + 6);
    const after = step(before, spaced, contract, 'a space in the header');
    const now = functions(after);
    assert.equal(now.filter((f) => after.memo!.functions.get(f) === kept.get(f)).length, now.length);
    // The header's locals made to mean something else: what sees them is analysed again, as a fresh analysis would.
    let current = after;
    let edited = spaced;
    const r = new Random(31);
    const changes: ((line: string) => string)[] = [
      (line) => line.replace('table.concat', 'table.remove'), (line) => line.replace('table.remove', 'table.concat'),
      (line) => line.replace('concat,', 'concat2,'), (line) => line.replace('concat2,', 'concat,'),
      (line) => line.replace('local insert', 'local  insert'), (line) => line.replace('  ', ' '),
      (line) => line.replace(', table.concat', ''), (line) => line.replace(/table\.insert$/, 'table.insert, table.concat'),
      (line) => line + ' ',
    ];
    for (let i = 0; i < 30; i++) {
      const end = edited.indexOf('\n', header);
      edited = edited.slice(0, header) + r.pick(changes)(edited.slice(header, end)) + edited.slice(end);
      current = step(current, edited, contract, `header edit ${i}: ${edited.slice(header, edited.indexOf('\n', header))}`);
    }
  });

  // A language server gives a long analysis its time in slices (CheckerOptions.keepGoing): each
  // one stops between functions, and the next takes over what it finished, of the same version
  // or of an edited one, as the service does (its parse and scopes taken over too).
  for (const [name, source, contract] of sources) {
    it(`gives a fresh analysis's findings and types when stopped and taken up again, with edits between: ${name}`, () => {
      let stopped = 0;
      for (let seed = 1; seed <= 3; seed++) {
        const r = new Random(seed * 104729 + name.length);
        let text = source;
        let parsed = parse(text, { name: 'x.lua' });
        let scope = analyze(parsed.chunk);
        let memo: InferenceMemo | undefined;
        for (let attempt = 0; ; attempt++) {
          assert.ok(attempt < 1000, `${name} seed ${seed}: the slices get further`);
          try {
            const done = analyzeScript(text, 'x.lua', contract, { parsed, scope, memo, keepGoing: () => r.int(3) > 0 });
            const a = observed(done);
            const b = observed(analyzeScript(text, 'x.lua', contract));
            assert.equal(a.findings, b.findings, `${name} seed ${seed}: findings`);
            assert.equal(a.types, b.types, `${name} seed ${seed}: types`);
            break;
          } catch (error) {
            if (!(error instanceof AnalysisInterrupted)) throw error;
            memo = error.memo;
            stopped++;
            // Now and then the script is edited before the analysis goes on.
            if (r.int(3) === 0) {
              text = edit(r, text);
              parsed = parse(text, { name: 'x.lua', previous: parsed });
              scope = analyze(parsed.chunk, scope);
            }
          }
        }
      }
      // The long scripts stop many times (between functions, and between top-level statements).
      if (!name.endsWith('.lua')) assert.ok(stopped > 5, `${name}: stopped ${stopped} times`);
    });
  }
});
