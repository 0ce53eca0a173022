// The contract checker on fixture scripts whose lines carry the codes expected on them
// (`--@ forbidden`), under the fixtures' contract; and the examples, which must be clean.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Contract } from '../contract/manifest';
import { analyzeScript } from './checker';
import type { Finding } from './findings';
import { checkFixture, contractAt, luaFiles } from './testing/fixtures';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'lua', 'test', 'analysis');

describe('contract checker', () => {
  const contract = contractAt(FIXTURES);
  const files = luaFiles(FIXTURES);

  it('has fixtures', () => assert.ok(files.length >= 5));

  for (const file of files) {
    it(`finds exactly the marked problems in ${path.basename(file)}`, () => checkFixture(file, contract));
  }

  it('gives no diagnostics on the example workspaces', () => {
    for (const dir of ['invoice-normalizer', 'agent-tools']) {
      const folder = path.join(ROOT, 'examples', dir);
      const exampleContract = contractAt(folder);
      const scripts = luaFiles(folder, true);
      assert.ok(scripts.length > 0);
      for (const script of scripts) {
        const { findings } = analyzeScript(fs.readFileSync(script, 'utf8'), path.basename(script), exampleContract);
        assert.deepEqual(findings.map((f) => `${path.basename(script)}: ${f.code}: ${f.message}`), []);
      }
    }
  });

  it('says forbidden with the runtime\'s words, and falls back to deny-all without a contract', () => {
    const forbidden = analyzeScript('os.execute("x")', 'a.lua', contract).findings[0];
    assert.equal(forbidden.message, 'os.execute is not granted by checker-fixtures (sandlua.json)');
    const none = analyzeScript('os.execute("x") lookup_vendor_alias("a")', 'a.lua', undefined).findings;
    assert.deepEqual(none.map((f) => f.code), ['forbidden', 'ungranted-host']);
    assert.match(none[0].message, /denied by default \(no sandlua\.json governs this script\)/);
    const broken = analyzeScript('lookup_vendor_alias("a")', 'a.lua', undefined, { brokenContract: 'x/sandlua.json' }).findings;
    assert.match(broken[0].message, /the broken contract x\/sandlua\.json/);
  });

  it('offers fixes: did-you-mean, and a missing required output field', () => {
    const typo = analyzeScript('lookup_vendr_alias("a")\nreturn { normalized_vendor = "x" }', 'a.lua', contract).findings[0];
    assert.deepEqual(typo.fixes?.[0].edits, [{ start: 0, end: 18, newText: 'lookup_vendor_alias' }]);
    const source = 'return { confidence = 1 }';
    const missing = analyzeScript(source, 'a.lua', contract).findings[0];
    assert.equal(missing.code, 'output-shape');
    const edit = missing.fixes![0].edits[0];
    const fixed = source.slice(0, edit.start) + edit.newText + source.slice(edit.end);
    assert.equal(fixed, 'return { confidence = 1, normalized_vendor = "" }');
    assert.deepEqual(analyzeScript(fixed, 'a.lua', contract).findings, []);
  });

  it('never throws, whatever the input', () => {
    const garbage = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
    assert.ok(Array.isArray(analyzeScript(garbage, 'g.lua', contract).findings));
    assert.ok(Array.isArray(analyzeScript('return {' + 'x.'.repeat(10000), 'g.lua', contract).findings));
  });
});

describe('contract checker: modules and files', () => {
  const MODULES = path.join(ROOT, 'lua', 'test', 'modules');
  const contract = contractAt(MODULES);
  for (const file of luaFiles(path.join(MODULES, 'check'))) {
    it(`finds exactly the marked problems in check/${path.basename(file)}`, () => checkFixture(file, contract));
  }

  it('says what is missing, with a did-you-mean that fixes the literal', () => {
    const source = 'local a = require("pricing.utl")\nlocal b = require("pricing.ghost")\nlocal f = io.open("data/rate.csv")\nlocal g = io.open("data/rates.csv", "w")\nlocal h = io.open("../x")';
    // Contract findings only (the unused locals are lint's).
    const findings = analyzeScript(source, 'a.lua', contract).findings.filter((f) => f.severity === 'error');
    assert.deepEqual(findings.map((f) => f.message), [
      "module 'pricing.utl' is not declared by pricing (sandlua.json); did you mean 'pricing.util'? Declared: pricing.util, pricing.tax, pricing.ghost.",
      "module 'pricing.ghost' is declared as lib/ghost.lua, which does not exist (paths are relative to the folder of sandlua.json)",
      "'data/rate.csv' is not a file declared by pricing (sandlua.json); did you mean 'data/rates.csv'? Declared: data/rates.csv (read), out/report.txt (write), logs/run.log (read-write).",
      "io.open with mode \"w\" writes 'data/rates.csv', but pricing (sandlua.json) grants it read access only",
      "io.open can never reach '../x': a path must stay inside the contract's folder (no '..')",
    ]);
    const apply = (f: Finding): string => {
      const e = f.fixes![0].edits[0];
      return source.slice(0, e.start) + e.newText + source.slice(e.end);
    };
    assert.match(apply(findings[0]), /^local a = require\("pricing\.util"\)/);
    assert.match(apply(findings[2]), /io\.open\("data\/rates\.csv"\)\nlocal g/);
  });

  it('asks the caller whether module files exist (the language service counts unsaved documents)', () => {
    const asked: string[] = [];
    const analysis = analyzeScript('require("pricing.ghost")', 'a.lua', contract, { fileExists: (f) => (asked.push(f), true) });
    assert.deepEqual(analysis.findings, []);
    assert.deepEqual(asked, [path.join(MODULES, 'lib', 'ghost.lua')]);
    assert.deepEqual([...analysis.files], [[path.join(MODULES, 'lib', 'ghost.lua'), true]]);
  });

  it('takes a declared module\'s return for its value, not the output', () => {
    const file = path.join(MODULES, 'lib', 'tax.lua');
    const source = fs.readFileSync(file, 'utf8');
    assert.deepEqual(analyzeScript(source, 'tax.lua', contract, { path: file }).findings.filter((f) => f.severity === 'error'), []);
    assert.ok(analyzeScript(source, 'tax.lua', contract).findings.some((f) => f.code === 'output-shape'));
  });

  it('leaves require and io to `forbidden` where the contract grants neither', () => {
    const plain = contractAt(FIXTURES);
    const codes = analyzeScript('local m = require("x")\nlocal f = io.open("y", "w")', 'a.lua', plain).findings.filter((f) => f.severity === 'error').map((f) => f.code);
    assert.deepEqual(codes, ['forbidden', 'forbidden']);
  });
});

describe('globals a script does not define itself', () => {
  const contract = contractAt(FIXTURES);
  const errors = (source: string, c: Contract | undefined = contract, options = {}) =>
    analyzeScript(source, 'a.lua', c, options).findings.filter((f) => f.code === 'undefined-global' || f.code === 'ungranted-host').map((f) => `${f.code} ${f.severity}`);

  it('indexing an undefined global is an error, a plain read (nil) a warning, a test of it nothing', () => {
    assert.deepEqual(errors('print(count.x)'), ['undefined-global error']);
    assert.deepEqual(errors('print(count)'), ['undefined-global warning']);
    assert.deepEqual(errors('local n = count or 0\nprint(n)'), []);
  });

  it('counts globals set through _G, _ENV and rawset as the script\'s own', () => {
    assert.deepEqual(errors('_G.limit = 1\nprint(limit.x)'), []);
    assert.deepEqual(errors('_ENV.limit = 1\nprint(limit.x)'), []);
    assert.deepEqual(errors('rawset(_G, "report", print)\nreport("x")'), []);
    assert.deepEqual(errors('rawset({}, "report", print)\nreport("x")'), ['ungranted-host error']);
    // Set by computed names, or by loaded code: said, not claimed.
    assert.deepEqual(errors('for k, v in pairs({}) do _G[k] = v end\nreport("x")'), ['ungranted-host warning']);
    assert.deepEqual(errors('load("function report() end")()\nreport("x")'), ['ungranted-host warning']);
    assert.deepEqual(errors('print(rawget(_G, "x"))\nreport("x")'), ['ungranted-host error']);
  });

  it('counts the globals a required module defines (modules share the script\'s globals)', () => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'sandlua-globals-'));
    try {
      fs.mkdirSync(path.join(dir, 'lib'));
      fs.writeFileSync(path.join(dir, 'sandlua.json'), JSON.stringify({ name: 'g', modules: { compat: 'lib/compat.lua' } }));
      fs.writeFileSync(path.join(dir, 'lib', 'compat.lua'), 'if not rawget(_G, "warn") then rawset(_G, "warn", print) end\nhelper = {}\nreturn {}\n');
      const withModules = contractAt(dir);
      assert.deepEqual(errors('require("compat")\nwarn("x")\nprint(helper.x)', withModules), []);
      assert.deepEqual(errors('warn("x")\nprint(helper.x)', withModules), ['ungranted-host error', 'undefined-global error']);
      // A module (required in turn) that sets globals by computed names: names nothing defines may exist.
      fs.writeFileSync(path.join(dir, 'sandlua.json'), JSON.stringify({ name: 'g', modules: { compat: 'lib/compat.lua', importer: 'lib/importer.lua' } }));
      fs.writeFileSync(path.join(dir, 'lib', 'compat.lua'), 'require("importer")\nreturn {}\n');
      fs.writeFileSync(path.join(dir, 'lib', 'importer.lua'), 'return function(t) local into = _G; for k, v in pairs(t) do into[k] = v end end\n');
      assert.deepEqual(errors('require("compat")\nmap({}, print)\nprint(range.x)', contractAt(dir)), ['ungranted-host warning', 'undefined-global warning']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
