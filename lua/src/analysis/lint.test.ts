// Lint and unknown-member on fixture scripts whose lines carry the codes expected on them
// (`--@ unused`), under a contract that grants the whole standard library; the checker's own
// fixtures and the examples stay free of these codes; and every fix, applied, removes its finding.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeScript } from './checker';
import { applyEdits, checkFixture, contractAt, expectations, luaFiles } from './testing/fixtures';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'lua', 'test', 'analysis', 'lint');
const NEW_CODES = new Set(['unused', 'shadowing', 'unreachable-code', 'assignment-count', 'for-direction', 'unknown-member']);

describe('lint and unknown-member', () => {
  const contract = contractAt(FIXTURES);
  const files = luaFiles(FIXTURES);

  it('has a fixture per code', () => {
    const marked = new Set(files.flatMap((f) => [...expectations(fs.readFileSync(f, 'utf8')).values()].flat()));
    for (const code of NEW_CODES) assert.ok(marked.has(code), code);
  });

  for (const file of files) {
    it(`finds exactly the marked problems in lint/${path.basename(file)}`, () => checkFixture(file, contract));
  }

  it('leaves the checker\'s fixtures and the examples free of the new codes', () => {
    const folders = [path.join(ROOT, 'lua', 'test', 'analysis'), path.join(ROOT, 'lua', 'test', 'modules'), path.join(ROOT, 'examples', 'invoice-normalizer'), path.join(ROOT, 'examples', 'agent-tools')];
    let checked = 0;
    for (const folder of folders) {
      const folderContract = contractAt(folder);
      for (const file of luaFiles(folder, true)) {
        // The language service's fixtures are scripts caught mid-edit (a completion's cursor), not finished ones.
        if (file.startsWith(FIXTURES) || file.includes(`${path.sep}service${path.sep}`)) continue;
        const { findings } = analyzeScript(fs.readFileSync(file, 'utf8'), path.basename(file), folderContract);
        // tax.lua's `rate(region)` ignores its parameter on purpose: the hover fixtures show its name.
        const expected = file.endsWith(`${path.sep}tax.lua`) ? ["unused: unused parameter 'region'"] : [];
        assert.deepEqual(findings.filter((f) => NEW_CODES.has(f.code)).map((f) => `${f.code}: ${f.message}`), expected, file);
        checked++;
      }
    }
    assert.ok(checked >= 10, String(checked));
  });

  it('gives lint codes warning severity, and unknown-member error', () => {
    const findings = analyzeScript('local x = 1\nlocal y = string.formt("%d", 1)\nprint(y)', 'a.lua', contract).findings;
    assert.deepEqual(findings.map((f) => [f.code, f.severity]), [['unused', 'warning'], ['unknown-member', 'error']]);
  });

  it('leaves a script that does not parse to its syntax errors (mid-edit code is not linted)', () => {
    const codes = analyzeScript('local unused = 1\nlocal x = = 2\n', 'a.lua', contract).findings.map((f) => f.code);
    assert.deepEqual(codes, ['syntax']);
  });

  it('names the 5.3 replacement, or the closest member', () => {
    const messages = (source: string): string[] => analyzeScript(source, 'a.lua', contract).findings.map((f) => f.message);
    assert.deepEqual(messages('print(table.getn({}), math.pow(2, 3), string.formt, unpack({}), math.atan2(1, 2))'), [
      "'table.getn' is not in Lua 5.3 (it was Lua 5.1's): use the length operator #t",
      "'math.pow' is not in Lua 5.3 (it was Lua 5.2's): use the operator x ^ y",
      "Lua 5.3's string library has no 'formt'; did you mean 'string.format'? (it reads as nil)",
      "'unpack' is not in Lua 5.3 (it was Lua 5.1's): use 'table.unpack'",
      "'math.atan2' is not in Lua 5.3 (it was Lua 5.2's): use 'math.atan', which takes y and x",
    ]);
    // A name beyond ASCII is shown as the script wrote it (UTF-8), not byte by byte.
    assert.deepEqual(messages('print(math["値"])'), ["Lua 5.3's math library has no '値' (it reads as nil)"]);
    assert.deepEqual(messages('local f = loadstring or load\nprint(f)'), []);
    assert.match(messages('local f = loadstring\nprint(f)')[0], /'loadstring' is not in Lua 5\.3.*use 'load'/);
    // Called or indexed it fails (an error); only read, it is nil (a warning).
    const severities = (source: string): string[] => analyzeScript(source, 'a.lua', contract).findings.map((f) => f.severity);
    assert.deepEqual(severities('print(string.formt("x"), table.getn.x, unpack({}))'), ['error', 'error', 'error']);
    assert.deepEqual(severities('print(string.formt, table.getn, unpack)'), ['warning', 'warning', 'warning']);
  });

  it('leaves forbidden to names that exist but are not granted', () => {
    const plain = contractAt(path.join(ROOT, 'lua', 'test', 'analysis'));
    const codes = analyzeScript('print(string.rep("x", 2), string.reps("x"))', 'a.lua', plain).findings.map((f) => f.code);
    assert.deepEqual(codes, ['forbidden', 'unknown-member']);
  });

  it('fixes: each applied fix removes its finding', () => {
    const cases: [string, string, string][] = [
      // [source, code, fixed source]
      ['local x = 1\nprint(2)\n', 'unused', 'print(2)\n'],
      ['local x = { 1, "a", f = function() end }\nprint(2)\n', 'unused', 'print(2)\n'],
      ['local function helper() return 1 end\nprint(2)\n', 'unused', 'print(2)\n'],
      // Its whole line when nothing else is on it (indentation, `;`, the break), else the statement alone.
      ['print(1)\n  local x = 1\nprint(2)\n', 'unused', 'print(1)\nprint(2)\n'],
      ['print(1)\r\n\tlocal x = 1;\r\nprint(2)\r\n', 'unused', 'print(1)\r\nprint(2)\r\n'],
      ['print(1) local x = 1\nprint(2)\n', 'unused', 'print(1) \nprint(2)\n'],
      ['local x = tostring(1)\nprint(2)\n', 'unused', 'local _x = tostring(1)\nprint(2)\n'],
      ['local x = 1\nx = 2\n', 'unused', 'local _x = 1\n_x = 2\n'],
      ['local function f(a, b) return a end\nprint(f(1))\n', 'unused', 'local function f(a, _b) return a end\nprint(f(1))\n'],
      ['for i = 1, 2 do print(1) end\n', 'unused', 'for _i = 1, 2 do print(1) end\n'],
      ['print(string.formt("%d", 1))\n', 'unknown-member', 'print(string.format("%d", 1))\n'],
      ['print(unpack({ 1 }))\n', 'unknown-member', 'print(table.unpack({ 1 }))\n'],
      ['print(loadstring("return 1"))\n', 'unknown-member', 'print(load("return 1"))\n'],
      ['for w in string.gfind("a", "%a") do print(w) end\n', 'unknown-member', 'for w in string.gmatch("a", "%a") do print(w) end\n'],
      ['print(math.mod(7, 2))\n', 'unknown-member', 'print(math.fmod(7, 2))\n'],
      ['local s = "abc"\nprint(s:uper())\n', 'unknown-member', 'local s = "abc"\nprint(s:upper())\n'],
      ['counter = 1\nprint(counter)\n', 'global-write', 'local counter = 1\nprint(counter)\n'],
      ['function helper() return 1 end\nprint(helper())\n', 'global-write', 'local function helper() return 1 end\nprint(helper())\n'],
    ];
    for (const [source, code, fixed] of cases) {
      const finding = analyzeScript(source, 'a.lua', contract).findings.find((f) => f.code === code);
      assert.ok(finding?.fixes?.length, `${code} on ${source}`);
      const result = applyEdits(source, finding.fixes[0].edits);
      assert.equal(result, fixed);
      const after = analyzeScript(result, 'a.lua', contract).findings;
      assert.deepEqual(after.filter((f) => f.code === code || f.code === 'syntax'), [], result);
    }
  });

  it('offers local only where it declares the name before any other use', () => {
    const source = 'local function f() return counter end\ncounter = 1\nx, y = 1, 2\nif f() then z = 1 end\nprint(f(), x, y, z)\n';
    const findings = analyzeScript(source, 'a.lua', contract).findings;
    assert.deepEqual(findings.filter((f) => f.code === 'global-write').map((f) => f.fixes ?? []), [[], [], [], []]);
  });

  it('stays iterative on long chains and long conditions', () => {
    const chain = 'local v = x' + ' or x'.repeat(20000) + '\nprint(v)';
    assert.ok(Array.isArray(analyzeScript(chain, 'a.lua', contract).findings));
    const nested = 'local t = {}\nlocal v = t' + '.a'.repeat(20000) + '\nprint(v, string' + '.a'.repeat(20000) + ')';
    const codes = analyzeScript(nested, 'a.lua', contract).findings.map((f) => f.code);
    assert.deepEqual(codes, ['unknown-member']);
  });
});
