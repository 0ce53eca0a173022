// The type and flow analysis: fixture scripts whose lines carry the codes expected on them, under
// their own contract (lua/test/analysis/types); for every failure a fixture claims, a run in the
// sandbox that fails the same way (the checker and the runtime agree); and the types the language
// service shows.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Sandbox } from '../sandbox/sandbox';
import { parse } from '../syntax/parser';
import { analyze } from '../syntax/scope';
import { visit } from '../syntax/visit';
import type * as ast from '../syntax/ast';
import { analyzeScript } from './checker';
import { formatType, type Type } from './types';
import { checkFixture, contractAt, expectations, luaFiles } from './testing/fixtures';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'lua', 'test', 'analysis', 'types');
const CLAIMS = new Set(['host-args', 'maybe-nil', 'type-mismatch', 'output-shape']);

describe('type and flow analysis: fixtures', () => {
  const contract = contractAt(FIXTURES);
  const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.lua')).sort();

  it('has fixtures', () => assert.ok(files.length >= 8));

  for (const file of files) {
    it(`finds exactly the marked problems in ${file}`, () => checkFixture(path.join(FIXTURES, file), contract));
  }
});

type Kind = 'runtime' | 'output';
/** A claim (`file:line` in the folder), a script that makes the runtime fail the same way, its input, and the error kind. */
type Companion = [string, string, Record<string, unknown>, Kind];

/**
 * Every fixture line under lua/test that claims a failure the runtime can show (host-args,
 * maybe-nil, type-mismatch, output-shape) has a companion run here, under the contract of the
 * fixture's folder.
 */
const COMPANIONS: { folder: string; runs: Companion[] }[] = [{
  folder: 'analysis/types',
  runs: [
    ['maybe_nil.lua:3', 'local a = lookup_vendor_alias(input.vendor_name) return { normalized_vendor = a:upper() }', {}, 'runtime'],
    ['maybe_nil.lua:4', 'local a = lookup_vendor_alias(input.vendor_name) local n = #a', {}, 'runtime'],
    ['maybe_nil.lua:5', 'local a = lookup_vendor_alias(input.vendor_name) local s = "v: " .. a', {}, 'runtime'],
    ['maybe_nil.lua:7', 'local amount = input.amount local d = amount * 2', {}, 'runtime'],
    ['maybe_nil.lua:9', 'local p = tonumber(input.vendor_name) local q = p + 1', {}, 'runtime'],
    ['maybe_nil.lua:10', 'local c = input.address.city', {}, 'runtime'],
    ['maybe_nil.lua:12', 'local f = string.match(input.vendor_name, "%d+") local u = f:upper()', {}, 'runtime'],
    ['maybe_nil.lua:15', 'local data = ... local n = #data.tags', {}, 'runtime'],
    ['maybe_nil.lua:58', 'local notify = input.amount and print notify("x")', {}, 'runtime'],
    ['maybe_nil.lua:60', 'local size = tonumber(input.vendor_name) local long = size > 10', {}, 'runtime'],
    ['mismatch.lua:7', 'local n = 42 local x = n.field', {}, 'runtime'],
    ['mismatch.lua:8', 'local flag = true local x = flag.field', {}, 'runtime'],
    ['mismatch.lua:9', 'local n = 42 local x = n()', {}, 'runtime'],
    ['mismatch.lua:10', 'local s = "text" local x = s()', {}, 'runtime'],
    ['mismatch.lua:11', 'local n = 42 local x = #n', {}, 'runtime'],
    ['mismatch.lua:12', 'local flag = true local x = "a" .. flag', {}, 'runtime'],
    ['mismatch.lua:13', 'local t = { a = 1 } local x = "a" .. t', {}, 'runtime'],
    ['mismatch.lua:14', 'local flag = true local x = flag + 1', {}, 'runtime'],
    ['mismatch.lua:15', 'local t = { a = 1 } local x = t + 1', {}, 'runtime'],
    ['mismatch.lua:16', 'local f = function() return 1 end local x = f .. ""', {}, 'runtime'],
    ['mismatch.lua:17', 'local t = { a = 1 } local x = t.missing.deeper', {}, 'runtime'],
    ['mismatch.lua:31', 'local flag = true local x = flag < 1', {}, 'runtime'],
    ['mismatch.lua:32', 'local t = { a = 1 } local x = t <= 1', {}, 'runtime'],
    ['mismatch.lua:33', 'local s = "text" local x = s < 1', {}, 'runtime'],
    ['host_args.lua:5', 'lookup_vendor_alias(42)', {}, 'runtime'],
    ['host_args.lua:6', 'lookup_vendor_alias(input.tags)', { tags: ['a'] }, 'runtime'],
    ['host_args.lua:8', 'local amount = input.amount if amount then lookup_vendor_alias(amount * 2) end', { amount: 3 }, 'runtime'],
    ['host_args.lua:10', 'local alias = lookup_vendor_alias(input.vendor_name) lookup_vendor_alias(alias)', {}, 'runtime'],
    ['host_args.lua:12', 'tools.emit_review_note("this note is far too long for the contract")', {}, 'runtime'],
    ['host_args.lua:16', 'local long = "this one is also much longer than twenty" tools.emit_review_note(long)', {}, 'runtime'],
    ['host_args.lua:17', 'score(250)', {}, 'runtime'],
    ['host_args.lua:18', 'score(-1)', {}, 'runtime'],
    ['host_args.lua:23', 'kb.search(input.vendor_name, 2.5)', {}, 'runtime'],
    ['host_args.lua:25', 'local alias_of = lookup_vendor_alias alias_of(true)', {}, 'runtime'],
    ['host_args.lua:26', 'tools.emit_review_note(nil)', {}, 'runtime'],
    ['host_args.lua:27', 'set_level("medium")', {}, 'runtime'],
    ['host_args.lua:30', 'local level = "urgent" set_level(level)', {}, 'runtime'],
    ['host_args.lua:33', 'tag_all({ "a", 2 })', {}, 'runtime'],
    ['output_locals.lua:5', 'local out = {} out.normalized_vendor = "x" out.level = "medium" return out', {}, 'output'],
    ['output_locals.lua:10', 'local out = {} out.normalized_vendor = "y" out.confidence = 2 return out', {}, 'output'],
    ['output_locals.lua:11', 'local out = {} out.normalized_vendor = "y" out.extra = true return out', {}, 'output'],
    ['output_locals.lua:14', 'local out = {} out.normalized_vendor = "y" out.count = 1.5 return out', {}, 'output'],
    ['output_locals.lua:15', 'local out = {} out.count = 1 return out', {}, 'output'],
    ['output_falls_off.lua:6', 'if input.mode then return end return { normalized_vendor = "x" }', { mode: 'fast' }, 'output'],
    ['output_falls_off.lua:8', 'if input.amount then return { normalized_vendor = "x" } end print("no output")', {}, 'output'],
    ['output_nested.lua:4', 'return { normalized_vendor = "x", address = { city = 1 } }', {}, 'output'],
    ['output_nested.lua:7', 'return { normalized_vendor = "x", address = { zip = "12345" } }', {}, 'output'],
    ['output_nested.lua:10', 'return { normalized_vendor = "x", address = { city = "c", town = "t" } }', {}, 'output'],
    ['output_nested.lua:13', 'return { normalized_vendor = "x", address = { city = "c", geo = { lat = 100 } } }', {}, 'output'],
    ['output_nested.lua:17', 'local addr = {} addr.city = 7 local out = { normalized_vendor = "y" } out.address = addr return out', {}, 'output'],
    ['output_nested.lua:24', 'local addr = {} addr.zip = "12345" return { normalized_vendor = "y", address = addr }', {}, 'output'],
    ['output_nested.lua:28', 'local place = { city = "c" } place.zip = "abc" return { normalized_vendor = "y", address = place }', {}, 'output'],
    ['output_nested.lua:33', 'local geo = {} geo.lat = "north" local out = { normalized_vendor = "z", address = { city = "c", geo = geo } } return out', {}, 'output'],
    ['output_nested.lua:41', 'local alias = lookup_vendor_alias(input.vendor_name) return { normalized_vendor = "x", address = { city = alias } }', {}, 'output'],
    ['output_lists.lua:4', 'return { normalized_vendor = "x", tags = { "a", 1 } }', {}, 'output'],
    ['output_lists.lua:7', 'return { normalized_vendor = "x", tags = { "a", "b", "c", "d" } }', {}, 'output'],
    ['output_lists.lua:10', 'return { normalized_vendor = "x", tags = { "much too long" } }', {}, 'output'],
    ['output_lists.lua:14', 'local list = { "first" } table.insert(list, 5) return { normalized_vendor = "x", tags = list }', {}, 'output'],
    ['output_lists.lua:18', 'local list = { "first" } list[#list + 1] = true return { normalized_vendor = "x", tags = list }', {}, 'output'],
    ['output_lists.lua:25', 'return { normalized_vendor = "x", tags = { first = "a" } }', {}, 'output'],
    ['output_lists.lua:28', 'return { normalized_vendor = "x", address = { "Main St", "Springfield" } }', {}, 'output'],
    ['output_lists.lua:31', 'return { normalized_vendor = "x", lines = { { qty = 2 } } }', {}, 'output'],
    ['output_lists.lua:35', 'local line = { sku = "a" } line.qty = 0 local lines = {} table.insert(lines, line) return { normalized_vendor = "x", lines = lines }', {}, 'output'],
    ['output_lists.lua:41', 'local out = { normalized_vendor = "x" } out.lines = {} return out', {}, 'output'],
    ['output_paths.lua:4', 'local alias = lookup_vendor_alias(input.vendor_name) return { normalized_vendor = alias }', {}, 'output'],
    ['output_paths.lua:11', 'local level = "top" return { normalized_vendor = "x", level = level }', {}, 'output'],
    ['output_paths.lua:15', 'local note = "a long note here" return { normalized_vendor = "x", note = note }', {}, 'output'],
    ['output_paths.lua:18', 'return { normalized_vendor = "x", count = input.vendor_name }', {}, 'output'],
    ['loops.lua:8', 'local found for _, tag in ipairs(input.tags or {}) do if tag == "vip" then found = tag end end local u = found:upper()', { tags: ['a'] }, 'runtime'],
    ['loops.lua:39', 'local maybe = lookup_vendor_alias("z") for _ = 1, 2 do maybe = maybe:lower() end', {}, 'runtime'],
    ['closures.lua:10', 'local name = lookup_vendor_alias("x") local function shout() return name:upper() end shout()', {}, 'runtime'],
    ['closures.lua:27', 'local function find(key) if key == "a" then return "found" end end local f = find("b"):upper()', {}, 'runtime'],
    ['annotations.lua:4', '---@param s string?\nlocal function size(s) return #s end size(nil)', {}, 'runtime'],
    ['annotations.lua:14', '---@return string?\nlocal function maybe() return input.mode end local m = maybe():upper()', {}, 'runtime'],
    ['annotations.lua:24', '---@class Point\n---@field x number\n---@field y number?\n---@type Point\nlocal p = { x = 1 } local py = p.y + 1', {}, 'runtime'],
    ['unicode.lua:4', 'local price = input["café"] local d = price * 2', {}, 'runtime'],
    ['unicode.lua:7', 'tools.emit_review_note("ééééééééééééééééééééé")', {}, 'runtime'],
    ['unicode.lua:13', 'local out = { normalized_vendor = "ü" } out["résumé"] = "ééééé" return out', {}, 'output'],
    ['unicode.lua:14', 'local out = { normalized_vendor = "ü" } out.saison = "printemps" return out', {}, 'output'],
    ['guards.lua:44', 'local a = lookup_vendor_alias("6") if not a then print("none") end local u = a:upper()', {}, 'runtime'],
    ['guards.lua:51', 'local a = lookup_vendor_alias("7") if a then return { normalized_vendor = a } end local u = a:upper()', {}, 'runtime'],
    ['branches.lua:8', 'local label = nil if #input.vendor_name > 3 then label = "long" end local s = label:upper()', { vendor_name: 'ab' }, 'runtime'],
    ['branches.lua:13', 'local other = nil if #input.vendor_name > 3 then other = 1 elseif #input.vendor_name > 1 then print(other + 1) end', { vendor_name: 'ab' }, 'runtime'],
    ['branches.lua:20', 'local tail = nil while #input.vendor_name > 100 do tail = "x" end local s = tail:upper()', {}, 'runtime'],
  ],
}, {
  folder: 'analysis',
  runs: [
    ['shapes.lua:3', 'local city = input.address.citty', {}, 'runtime'],
    ['shapes.lua:4', 'local ok = input.address.city', {}, 'runtime'],
    ['shapes.lua:8', 'return { normalized_vendor = 1 }', {}, 'output'],
    ['shapes.lua:11', 'return { normalized_vendor = "x", extra = true }', {}, 'output'],
    ['shapes.lua:14', 'return { normalized_vendor = "x", count = 1.5 }', {}, 'output'],
    ['shapes.lua:16', 'local amount = input.amount return { confidence = amount }', { amount: 2 }, 'output'],
    ['host.lua:6', 'lookup_vendor_alias(1)', {}, 'runtime'],
    ['host.lua:7', 'lookup_vendor_alias("a", "b")', {}, 'runtime'],
    ['host.lua:8', 'lookup_vendor_alias()', {}, 'runtime'],
    ['host.lua:9', 'kb.search("q", 1.5)', {}, 'runtime'],
    ['host.lua:14', 'tools.emit_review_note(nil)', {}, 'runtime'],
  ],
}, {
  folder: 'modules',
  runs: [
    // No declared file exists in the run (the sandbox is given none): io.open gives nil.
    ['check/files.lua:21', 'local f = io.open("data/rates.csv") f:close()', {}, 'runtime'],
  ],
}];

/** Host implementations for the fixtures' contracts (each sandbox takes those its contract declares). */
const HOSTS: Record<string, (...args: unknown[]) => unknown> = {
  lookup_vendor_alias: (alias) => (alias === 'known' ? 'Known' : null),
  'tools.emit_review_note': () => null,
  'kb.search': (query) => [{ title: String(query), url: 'u' }],
  score: (value) => value,
  set_level: () => null,
  tag_all: () => null,
};

describe('type and flow analysis: the runtime fails where the fixtures say it will', function () {
  this.timeout(30000);
  const TESTS = path.join(ROOT, 'lua', 'test');
  /** The codes each claimed line carries, by `folder/file:line` under lua/test. */
  const claims = new Map<string, string[]>();
  for (const file of luaFiles(TESTS, true)) {
    for (const [line, codes] of expectations(fs.readFileSync(file, 'utf8'))) {
      if (codes.some((c) => CLAIMS.has(c))) claims.set(`${path.relative(TESTS, file).split(path.sep).join('/')}:${line}`, codes);
    }
  }

  it('has a companion run for every claimed failure in every fixture folder', () => {
    const companions = COMPANIONS.flatMap(({ folder, runs }) => runs.map((r) => `${folder}/${r[0]}`));
    assert.deepEqual(companions.sort(), [...claims.keys()].sort());
    assert.ok(claims.size >= 60, String(claims.size));
  });

  for (const { folder, runs } of COMPANIONS) {
    const contract = contractAt(path.join(TESTS, folder));
    const host = Object.fromEntries(Object.entries(HOSTS).filter(([name]) => contract.host.has(name)));
    const sandbox = new Sandbox({ manifest: contract, host });
    for (const [claim, script, input, kind] of runs) {
      it(`fails at run time as ${folder}/${claim} says (${kind})`, async () => {
        const codes = claims.get(`${folder}/${claim}`) ?? [];
        const result = await sandbox.run(script, { vendor_name: 'acme', ...input }, { name: 'x.lua' });
        assert.ok(!result.ok, `${claim} ran: ${JSON.stringify(result.ok && result.output)}`);
        assert.equal(result.error.kind, kind, result.error.message);
        // The runtime checks a host call's arguments before the host sees them.
        if (codes.includes('host-args')) assert.match(result.error.message, /bad argument #\d to '[\w.]+'/);
        // And the checker sees the same problem in the companion script.
        const found = analyzeScript(script, 'x.lua', contract).findings.map((f) => f.code);
        assert.ok(found.some((c) => codes.includes(c)), `${claim} claims ${codes.join(', ')}; the companion has ${found.join(', ')}`);
      });
    }
  }
});

describe('type and flow analysis: environments', () => {
  const contract = contractAt(FIXTURES);

  it('gives the same findings whatever the ids of the locals (a trie of one level or several)', () => {
    // Locals before the padding get small ids, those after it large ones: branches, joins and
    // loop fixpoints over both. The padding's locals are out of scope at once.
    const before = ['local v = lookup_vendor_alias(input.vendor_name)', 'local count = 0', 'local t = {}'];
    const after = [
      'local w = tonumber(input.vendor_name)',
      'local u = input.amount',
      'for i = 1, 3 do',
      '  if w then count = count + w else count = count + i end',
      '  if v then w = #v elseif u then v = nil end',
      '  t.x = u',
      'end',
      'while count < 10 do count = count + 1 if count > 5 then v = nil end end',
      'if not u then u = "x" end',
      'local a = v:upper()',
      'local b = w + 1',
      'local c = u + 1',
      'local d = t.x * 2',
      'return { normalized_vendor = v or a, confidence = b and 0.5, count = count }',
    ];
    const findings = (padding: number): string[] => {
      const pad: string[] = [];
      for (let i = 0; i < padding; i++) pad.push(`do local p${i}, q${i} = ${i}, "${i}" end`);
      const text = [...before, ...pad, ...after].join('\n') + '\n';
      const analysis = analyzeScript(text, 'ids.lua', contract);
      const lines = analysis.parsed.lineMap;
      const out: string[] = [];
      for (const f of analysis.findings) {
        const line = lines.positionAt(f.start).line;
        // The padding's own locals are unused: not what is compared.
        if (line >= before.length && line < before.length + padding) continue;
        out.push(`${line < before.length ? line : line - padding}: ${f.code} ${f.message}`);
      }
      return out;
    };
    const small = findings(0);
    assert.ok(small.some((f) => f.includes('maybe-nil')), small.join('\n'));
    // 2 locals a line: ids past 16 (one level below the root), 256 (two) and 4,096 (three).
    for (const padding of [10, 200, 2100]) assert.deepEqual(findings(padding), small, `padding ${padding}`);
  });
});

describe('type and flow analysis: the output, nested', function () {
  this.timeout(30000);
  const contract = contractAt(FIXTURES);
  const sandbox = new Sandbox({ manifest: contract, host: { lookup_vendor_alias: (alias) => (alias === 'known' ? 'Known' : null), 'tools.emit_review_note': () => null, 'kb.search': () => [], score: (v) => v } });

  it('checks a value set on some paths only against the schema as set (the run fails on those paths)', async () => {
    const script = 'local out = { normalized_vendor = "x" } if input.vendor_name == "big" then out.confidence = 3 end return out';
    assert.deepEqual(analyzeScript(script, 'x.lua', contract).findings.map((f) => f.code), ['output-shape']);
    const result = await sandbox.run(script, { vendor_name: 'big' }, { name: 'x.lua' });
    assert.ok(!result.ok && result.error.kind === 'output', JSON.stringify(result));
    assert.ok((await sandbox.run(script, { vendor_name: 'small' }, { name: 'x.lua' })).ok);
  });

  it('leaves alone what the runtime accepts (a float with an integral value, a nil optional field, a table filled elsewhere, narrowed values)', async () => {
    const scripts = [
      'return { normalized_vendor = "x", count = 2.0, note = nil }',
      'local function fill(t) t.city = "c" end local addr = {} local out = { normalized_vendor = "x", address = addr } fill(addr) return out',
      'local a = lookup_vendor_alias("known") if a then return { normalized_vendor = "x", address = { city = a }, tags = { a } } end return { normalized_vendor = "y" }',
      'local out = { normalized_vendor = "x", address = {} } out.address.city = "c" return out',
      'local list = {} table.insert(list, "a") list[#list + 1] = "b" return { normalized_vendor = "x", tags = list, lines = { { sku = "s", qty = 1 } } }',
      // A field the contract does not have, set to nil: not in the output.
      'local out = { normalized_vendor = "x" } out.extra = nil return out',
      'return { normalized_vendor = "x", extra = nil }',
    ];
    for (const script of scripts) {
      assert.deepEqual(analyzeScript(script, 'x.lua', contract).findings.map((f) => `${f.code}: ${f.message}`), [], script);
      const result = await sandbox.run(script, { vendor_name: 'acme' }, { name: 'x.lua' });
      assert.ok(result.ok, `${script}: ${!result.ok && result.error.message}`);
    }
  });

  it('names the path and adds a missing nested field', () => {
    const source = 'return { normalized_vendor = "x", address = { zip = "12345" } }';
    const [finding] = analyzeScript(source, 'x.lua', contract).findings;
    assert.equal(finding.message, "the output's 'address' misses the required field 'city'");
    const edit = finding.fixes![0].edits[0];
    const fixed = source.slice(0, edit.start) + edit.newText + source.slice(edit.end);
    assert.equal(fixed, 'return { normalized_vendor = "x", address = { zip = "12345", city = "" } }');
    assert.deepEqual(analyzeScript(fixed, 'x.lua', contract).findings, []);
    const deep = analyzeScript('local geo = {}\ngeo.lat = "north"\nreturn { normalized_vendor = "x", address = { city = "c", geo = geo } }', 'x.lua', contract).findings;
    assert.deepEqual(deep.map((f) => f.message), ["the output's 'address.geo.lat' must be a number, not a string"]);
  });
});

describe('type and flow analysis: the output, schemas it cannot read alone', () => {
  it('says nothing of a value whose schema is a $ref into the contract', () => {
    const base = contractAt(FIXTURES);
    const output = { type: 'object', definitions: { s: { type: 'string', maxLength: 2 } }, properties: { a: { $ref: '#/definitions/s' }, b: { type: 'array', items: { $ref: '#/definitions/s' } } } };
    const contract = { ...base, output } as typeof base;
    assert.deepEqual(analyzeScript('return { a = "xyz", b = { "abc" } }', 'x.lua', contract).findings, []);
  });
});

describe('type and flow analysis: the quick fix "Add a nil check"', () => {
  const contract = contractAt(FIXTURES);
  const withCheck = (source: string): string | undefined => {
    const finding = analyzeScript(source, 'x.lua', contract).findings.find((f) => f.code === 'maybe-nil');
    assert.ok(finding, source);
    const fix = finding.fixes?.find((f) => f.title === 'Add a nil check');
    if (!fix) return undefined;
    const [edit] = fix.edits;
    return source.slice(0, edit.start) + edit.newText + source.slice(edit.end);
  };

  it('inserts an indented check that raises an error before the statement, and the finding is gone', () => {
    const cases: [string, string][] = [
      ['local a = lookup_vendor_alias("x")\nif input.amount then\n  print(a:upper())\nend\nreturn { normalized_vendor = "x" }',
        'local a = lookup_vendor_alias("x")\nif input.amount then\n  if a == nil then error("a is nil") end\n  print(a:upper())\nend\nreturn { normalized_vendor = "x" }'],
      ['local a = lookup_vendor_alias("x")\r\nreturn { normalized_vendor = a }',
        'local a = lookup_vendor_alias("x")\r\nif a == nil then error("a is nil") end\r\nreturn { normalized_vendor = a }'],
      ['local a = lookup_vendor_alias("x") local n = #a\nreturn { normalized_vendor = "x", count = n }',
        'local a = lookup_vendor_alias("x") if a == nil then error("a is nil") end local n = #a\nreturn { normalized_vendor = "x", count = n }'],
      ['local a = lookup_vendor_alias("x")\nif a:upper() == "A" then print(1) end\nreturn { normalized_vendor = "x" }',
        'local a = lookup_vendor_alias("x")\nif a == nil then error("a is nil") end\nif a:upper() == "A" then print(1) end\nreturn { normalized_vendor = "x" }'],
      ['local a = lookup_vendor_alias("x")\nreturn { normalized_vendor = "x", address = { city = a } }',
        'local a = lookup_vendor_alias("x")\nif a == nil then error("a is nil") end\nreturn { normalized_vendor = "x", address = { city = a } }'],
    ];
    for (const [source, expected] of cases) {
      const fixed = withCheck(source);
      assert.equal(fixed, expected);
      assert.deepEqual(analyzeScript(fixed!, 'x.lua', contract).findings, [], fixed);
    }
  });

  it('is not offered where a check before the statement would not guard the use', () => {
    // A field (not a local), an elseif condition, a loop condition.
    assert.equal(withCheck('local d = input.amount * 2\nreturn { normalized_vendor = "x", confidence = d }'), undefined);
    assert.equal(withCheck('local a = lookup_vendor_alias("x")\nif input.amount then print(1) elseif a:upper() == "A" then print(2) end\nreturn { normalized_vendor = "x" }'), undefined);
    assert.equal(withCheck('local a = lookup_vendor_alias("x")\nwhile #a > 3 do print(1) end\nreturn { normalized_vendor = "x" }'), undefined);
  });
});

/** The type of the first declaration of `name` in the source. */
function declared(source: string, name: string, contract = contractAt(FIXTURES)): string {
  const analysis = analyzeScript(source, 'x.lua', contract);
  let found: Type | undefined;
  visit(analysis.parsed.chunk, {
    enter(node: ast.Node) {
      if (found === undefined && node.kind === 'Name' && node.name === name && analysis.scope.declarationOf(node)) found = analysis.types.typeOf(node);
    },
  });
  assert.ok(found, `no type for ${name}`);
  return formatType(found);
}

describe('type and flow analysis: types for the language service', () => {
  it('gives declared names their types', () => {
    assert.equal(declared('local s = lookup_vendor_alias("x")', 's'), 'string?');
    assert.equal(declared('local n = #input.vendor_name', 'n'), 'integer');
    assert.equal(declared('local t = { a = 1, b = "x" }', 't'), '{ a: integer, b: string }');
    assert.equal(declared('local r = kb.search("q")', 'r'), '{ title: string, url: string }[]');
    assert.equal(declared('local a = input.amount', 'a'), 'number?');
    assert.equal(declared('local i = input', 'i'), '{ vendor_name: string, amount: number?, tags: string[]?, address: { city: string, ... }?, mode: string?, café: number?, ... }');
    assert.equal(declared('local function f(k) if k then return "x" end end', 'f'), 'fun(k: unknown): string?');
    assert.equal(declared('local f = string.match', 'f'), 'fun(s: string, pattern: string, init?: integer): string?, unknown');
    assert.equal(declared('for i = 1, 3 do print(i) end', 'i'), 'integer');
    assert.equal(declared('local x = 1 / 2', 'x'), 'float');
    assert.equal(declared('local u = ("x"):upper()', 'u'), 'string');
    assert.equal(declared('local d = ...', 'd'), declared('local i = input', 'i'));
    assert.equal(declared('local p = pcall(print)', 'p'), 'boolean');
    assert.equal(declared('local f = io.open("x")', 'f'), 'file?');
    assert.equal(declared('local t = {}\nt.total = 1\nlocal copy = t', 'copy'), '{ total: integer, ... }');
  });

  it('gives expressions their narrowed types', () => {
    const source = 'local s = lookup_vendor_alias("x")\nif s then print(s) end\nprint(s)';
    const analysis = analyzeScript(source, 'x.lua', contractAt(FIXTURES));
    const uses: string[] = [];
    visit(analysis.parsed.chunk, {
      enter(node: ast.Node) {
        if (node.kind === 'Name' && node.name === 's' && analysis.scope.referenceOf(node)) uses.push(formatType(analysis.types.typeOf(node)!));
      },
    });
    assert.deepEqual(uses, ['string?', 'string', 'string?']);
    const call = analysis.parsed.chunk.body.body[0] as ast.LocalStatement;
    assert.equal(formatType(analysis.types.typeOf(call.values[0])!), 'string?');
    // Fields and methods, for hover and completion.
    const fields = analyzeScript('local r = kb.search("q")\nlocal first = r[1]\nprint(first.title:upper())', 'x.lua', contractAt(FIXTURES));
    const seen: string[] = [];
    visit(fields.parsed.chunk, {
      enter(node: ast.Node) {
        if (node.kind === 'Member') seen.push(`${node.name.name}: ${formatType(fields.types.typeOf(node.name)!)}`);
        if (node.kind === 'Call' && node.method) seen.push(`${node.method.name}: ${formatType(fields.types.typeOf(node.method)!)}`);
      },
    });
    assert.deepEqual(seen, ['search: fun(query: string, limit?: integer): { title: string, url: string }[]', 'upper: fun(s: string): string', 'title: string']);
  });

  it('says where a nil comes from, with an `or` default as the fix', () => {
    const source = 'local alias = lookup_vendor_alias("x")\nprint(alias:upper())\nreturn { normalized_vendor = "x" }';
    const [finding] = analyzeScript(source, 'x.lua', contractAt(FIXTURES)).findings;
    assert.equal(finding.code, 'maybe-nil');
    assert.equal(finding.severity, 'error');
    assert.match(finding.message, /^`alias` may be nil \(lookup_vendor_alias returns string\?\)/);
    const edit = finding.fixes![0].edits[0];
    const fixed = source.slice(0, edit.start) + edit.newText + source.slice(edit.end);
    assert.equal(fixed.split('\n')[1], 'print((alias or ""):upper())');
    assert.deepEqual(analyzeScript(fixed, 'x.lua', contractAt(FIXTURES)).findings, []);
    const warning = analyzeScript('local n = tonumber("x") + 1\nreturn { normalized_vendor = "x", confidence = n }', 'x.lua', contractAt(FIXTURES)).findings[0];
    assert.equal(warning.severity, 'warning');
    assert.match(warning.message, /tonumber returns number\?/);
  });

  it('stays linear on long and deep scripts', () => {
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) lines.push(`local v${i} = lookup_vendor_alias("${i}")`, `if v${i} then print(v${i}:upper()) end`);
    const analysis = analyzeScript(`${lines.join('\n')}\nreturn { normalized_vendor = "x" }`, 'x.lua', contractAt(FIXTURES));
    assert.deepEqual(analysis.findings.filter((f) => f.code !== 'syntax').map((f) => f.code), []);
    const deep = `local x = ${'('.repeat(150)}1${')'.repeat(150)}\nlocal y = a${'.b'.repeat(5000)}\nreturn { normalized_vendor = "x" }`;
    assert.ok(Array.isArray(analyzeScript(deep, 'x.lua', contractAt(FIXTURES)).findings));
    const scope = analyze(parse('local t = {} ' + 'for i = 1, 2 do '.repeat(30) + 't = { t } ' + 'end '.repeat(30)).chunk);
    assert.ok(scope.locals.length > 0);
  });

  it('claims no type-mismatch in a script that may give basic types metatables (debug.setmetatable)', () => {
    const mismatches = (source: string) => analyzeScript(source, 'x.lua', undefined).findings.filter((f) => f.code === 'type-mismatch').length;
    assert.equal(mismatches('print((10)[3])'), 1);
    assert.equal(mismatches('debug.setmetatable(10, { __index = function (a, b) return a + b end })\nprint((10)[3])'), 0);
    assert.equal(mismatches('local dbg = require "debug"\ndbg.setmetatable(10, { __index = function (a, b) return a + b end })\nprint((10)[3])'), 0);
  });
});
