// require in the sandbox: the contract's modules and nothing else. Declared modules shared by two
// scripts, names that try to reach other files, a host call and the limits inside a module's top
// level, the audit record's modules and their replay, files read from the contract's folder only.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadManifest, parseManifest } from '../contract/manifest';
import type { Contract } from '../contract/manifest';
import type { CallFrame } from '../vm/interp';
import { Sandbox, RunDebugger, RunResult } from './sandbox';
import { sha256 } from './audit';

function contract(json: Record<string, unknown> = {}): Contract {
  const result = parseManifest(JSON.stringify({
    name: 'pricing',
    scripts: ['*.lua'],
    modules: { 'pricing.util': 'lib/pricing_util.lua', 'pricing.tax': './lib//tax.lua', helper: 'helper.lua' },
    ...json,
  }), '/virtual/sandlua.json');
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}

const UTIL = `
local M = {}
LOADS = (LOADS or 0) + 1
M.name, M.file = ...
function M.round(x) return math.floor(x * 100 + 0.5) / 100 end
function M.tax(x) return require("pricing.tax").rate * x end
return M`;
const TAX = 'return { rate = 0.2 }';

function error(result: RunResult): { kind: string; message: string; line?: number } {
  assert.ok(!result.ok, `expected an error, got ${JSON.stringify(result.ok && result.output)}`);
  return result.error;
}

describe('sandbox modules', function () {
  this.timeout(30000);

  it('loads declared modules by name, once per run, with the name and the declared path', async () => {
    const reads: string[] = [];
    const sandbox = new Sandbox({
      manifest: contract(),
      modules: (p) => { reads.push(p); return ({ 'lib/pricing_util.lua': UTIL, 'lib/tax.lua': TAX } as Record<string, string>)[p]; },
    });
    const result = await sandbox.run(`
      local u = require "pricing.util"
      assert(require "pricing.util" == u)
      return { round = u.round(input.x), tax = u.tax(10), name = u.name, file = u.file, loads = LOADS }`, { x: 1.23456 });
    assert.deepEqual(result.ok && result.output, { round: 1.23, tax: 2, name: 'pricing.util', file: 'lib/pricing_util.lua', loads: 1 });
    assert.deepEqual(reads, ['lib/pricing_util.lua', 'lib/tax.lua']);
  });

  it('shares a helper between two scripts: each run loads its own copy', async () => {
    const sandbox = new Sandbox({ manifest: contract(), modules: { 'lib/pricing_util.lua': UTIL, 'lib/tax.lua': TAX } });
    const first = await sandbox.run('local u = require "pricing.util"; u.extra = 1; return { loads = LOADS, round = u.round(2.555) }');
    const second = await sandbox.run('local u = require "pricing.util"; return { loads = LOADS, extra = u.extra == nil, tax = u.tax(5) }');
    assert.deepEqual(first.ok && first.output, { loads: 1, round: 2.56 });
    assert.deepEqual(second.ok && second.output, { loads: 1, extra: true, tax: 1 });
  });

  it('finds no undeclared name, and no name reaches a file: module names are names, never paths', async () => {
    const reads: string[] = [];
    const sandbox = new Sandbox({ manifest: contract(), modules: (p) => { reads.push(p); return 'return "file ' + p + '"'; } });
    const names = ['other', '../x', 'a/../../b', 'lib/pricing_util', 'lib.pricing_util', 'lib/pricing_util.lua', '/etc/passwd', 'pricing', 'pricing.util.x', 'string.x', ''];
    for (const name of names) {
      const result = await sandbox.run('return select(2, pcall(require, input))', name);
      assert.equal(result.ok && result.output,
        `module '${name}' not found:\n\tno field package.preload['${name}']\n\tno module '${name}' in pricing's modules (sandlua.json)`);
    }
    assert.deepEqual(reads, []);
    // Uncaught: a runtime error at the line of the require.
    const uncaught = error(await sandbox.run('local x = 1\nreturn require "nope"'));
    assert.equal(uncaught.kind, 'runtime');
    assert.equal(uncaught.line, 2);
    assert.match(uncaught.message, /^script\.lua:2: module 'nope' not found:/);
  });

  it('says which file is missing or does not compile (kind syntax)', async () => {
    const sandbox = new Sandbox({ manifest: contract(), modules: { 'lib/pricing_util.lua': 'local x =' } });
    const syntax = error(await sandbox.run('return require "pricing.util"'));
    assert.equal(syntax.kind, 'syntax');
    assert.equal(syntax.message, "error loading module 'pricing.util' from file 'lib/pricing_util.lua':\n\tlib/pricing_util.lua:1: unexpected symbol near <eof>");
    assert.equal(syntax.line, 1);
    const missing = error(await sandbox.run('local ok, e = pcall(require, "pricing.tax"); error(e, 0)'));
    assert.equal(missing.kind, 'runtime');
    assert.equal(missing.message, "error loading module 'pricing.tax' from file 'lib/tax.lua':\n\tcannot read lib/tax.lua (no such file)");
    // An error inside a module names the module's file and line.
    const failing = new Sandbox({ manifest: contract(), modules: { 'helper.lua': 'local t\n\nreturn t.x' } });
    const inside = error(await failing.run('return require "helper"'));
    assert.equal(inside.message, "helper.lua:3: attempt to index a nil value (local 't')");
    assert.equal(inside.line, undefined);
  });

  it('compiles a long module (16 KiB or more) on the compile worker while the run waits, as a long script is', async () => {
    // 2,000 functions: ~90 KB; then the same with a syntax error at its end, and a 2 MB one.
    const long = ['local M = {}', ...Array.from({ length: 2000 }, (_, i) => `function M.f${i}(x) return x + ${i} end`), 'return M'].join('\n');
    const broken = long.replace(/return M$/, 'return M +');
    const huge = ['local M = {}', ...Array.from({ length: 100_000 }, (_, i) => `M[${i}] = ${i}`), 'return M'].join('\n');
    const files = { 'lib/pricing_util.lua': long, 'lib/tax.lua': broken, 'helper.lua': huge };
    const sandbox = new Sandbox({ manifest: contract(), modules: files });
    const loaded = await sandbox.run('local u = require "pricing.util" return u.f1999(1)');
    assert.deepEqual(loaded.ok && loaded.output, 2000);
    const again = await sandbox.run('local u = require "pricing.util" return u.f7(1)');
    assert.deepEqual(again.ok && again.output, 8);
    const bad = error(await sandbox.run('return require "pricing.tax"'));
    assert.equal(bad.kind, 'syntax');
    assert.match(bad.message, /^error loading module 'pricing.tax' from file 'lib\/tax.lua':\n\tlib\/tax.lua:2002: unexpected symbol near <eof>$/);
    const slow = new Sandbox({ manifest: contract({ limits: { timeMs: 20 } }), modules: files });
    const late = error(await slow.run('return require "helper"'));
    assert.equal(late.kind, 'budget');
    assert.equal(late.message, "time limit of 20 ms exceeded while compiling module 'helper.lua'");
  });

  it('runs a module\'s top level in the loop: an async host call waits, a debugger steps in it', async () => {
    const manifest = contract({ host: { fetch_rate: { params: [{ name: 'code', type: 'string' }], returns: 'number' } } });
    const sources = { 'lib/tax.lua': 'return { rate = fetch_rate("FR") }', 'lib/pricing_util.lua': UTIL };
    const sandbox = new Sandbox({
      manifest,
      modules: sources,
      host: { fetch_rate: async (code) => { await new Promise((r) => setTimeout(r, 5)); return code === 'FR' ? 0.2 : 0; } },
    });
    const result = await sandbox.run('return require("pricing.util").tax(100)');
    assert.deepEqual(result.ok && result.output, 20);
    assert.equal(result.stats.hostCalls, 1);

    const seen = new Set<string>();
    const debug: RunDebugger = {
      attach: () => undefined,
      stepEvery: () => 1,
      step: (frame: CallFrame) => { if (frame.closure) seen.add(frame.closure.proto.source); return false; },
      paused: async () => undefined,
    };
    const stepped = await sandbox.run('return require("pricing.util").tax(1)', undefined, { debug });
    assert.ok(stepped.ok);
    assert.deepEqual([...seen].sort(), ['@lib/pricing_util.lua', '@lib/tax.lua', '@script.lua']);
  });

  it('counts a module\'s work against the limits: instructions, time, memory, depth', async () => {
    const limits = { instructions: 100000, timeMs: 2000, memoryBytes: 1_000_000, callDepth: 50, outputBytes: 1000 };
    const run = async (module: string, script = 'return require "helper"') =>
      new Sandbox({ manifest: contract({ limits }), modules: { 'helper.lua': module } }).run(script);
    assert.equal(error(await run('while true do end')).kind, 'budget');
    assert.equal(error(await run('local s = 0; while true do s = s + 1 end', 'pcall(require, "helper"); return 1')).kind, 'budget');
    assert.equal(error(await run('local function f(n) return 1 + f(n + 1) end; return f(1)')).kind, 'stack');
    assert.equal(error(await run('local t = {}; for i = 1, 1e6 do t[i] = ("x"):rep(1000) .. i end')).kind, 'memory');
    const time = await new Sandbox({ manifest: contract({ limits: { ...limits, instructions: 1e9, timeMs: 200 } }), modules: { 'helper.lua': 'while true do end' } }).run('return require "helper"');
    assert.equal(error(time).kind, 'budget');
    assert.match(error(time).message, /time limit of 200 ms exceeded/);
    // The instructions a module runs are the run's.
    const light = await run('return 1');
    const heavy = await run('local s = 0; for i = 1, 5000 do s = s + i end; return s');
    assert.ok(heavy.stats.instructions - light.stats.instructions > 5000 * 2 - 100, `${light.stats.instructions} → ${heavy.stats.instructions}`);
    // Memory a module keeps alive through package.loaded counts too.
    const held = await run('local t = {}; for i = 1, 5000 do t[i] = ("y"):rep(250) .. i end; return t', 'require "helper"; return 1');
    assert.equal(error(held).kind, 'memory');
  });

  it('records the modules in the audit, and replay runs the recorded sources', async () => {
    const sources: Record<string, string> = { 'lib/pricing_util.lua': UTIL, 'lib/tax.lua': TAX };
    const sandbox = new Sandbox({ manifest: contract(), modules: (p) => sources[p] });
    const result = await sandbox.run('local u = require "pricing.util"; return u.tax(input)', 50, { audit: true });
    assert.ok(result.ok && result.audit);
    assert.deepEqual(result.output, 10);
    const record = result.audit;
    assert.deepEqual(record.modules?.map((m) => [m.name, m.path, m.sha256]), [
      ['pricing.util', 'lib/pricing_util.lua', sha256(UTIL)],
      ['pricing.tax', 'lib/tax.lua', sha256(TAX)],
    ]);
    assert.equal(record.modules?.[1].source, TAX);
    // The files changed since: a replay still runs what ran; a new run sees the change.
    sources['lib/tax.lua'] = 'return { rate = 0.5 }';
    const replayed = await sandbox.replay(JSON.parse(JSON.stringify(record)));
    assert.deepEqual(replayed.ok && replayed.output, 10);
    const fresh = await sandbox.run('return require("pricing.util").tax(input)', 50);
    assert.deepEqual(fresh.ok && fresh.output, 25);
  });

  it('package.loaded holds only what the contract grants, and require returns the granted tables', async () => {
    const sandbox = new Sandbox({ manifest: contract({ stdlib: { allow: ['package'] } }), modules: { 'helper.lua': 'return 7' } });
    const result = await sandbox.run(`
      local names = {}
      for k in pairs(package.loaded) do names[#names + 1] = k end
      table.sort(names)
      return {
        names = table.concat(names, " "),
        same = require "os" == os and package.loaded.string == string and require "_G" == _G,
        exec = rawget(package.loaded.os, "execute") == nil and rawget(package.loaded.os, "time") ~= nil,
        helper = require "helper", stored = package.loaded.helper,
        found = package.searchpath("helper", "./?.lua"), notfound = select(2, package.searchpath("lib.x", "./?.lua;?.lua")),
        escapes = package.searchpath("x", "/etc/passwd;../helper.lua;lib/../../helper.lua;/virtual/helper.lua") == nil,
        loadlib = select(3, package.loadlib("/lib/x86_64-linux-gnu/libc.so.6", "*")),
      }`);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const out = result.output as Record<string, unknown>;
    assert.equal(out.names, '_G coroutine math os package string table utf8');
    assert.equal(out.same, true);
    assert.equal(out.exec, true);
    assert.equal(out.helper, 7);
    assert.equal(out.stored, 7);
    assert.equal(out.found, './helper.lua');
    assert.equal(out.notfound, "\n\tno file './lib/x.lua'\n\tno file 'lib/x.lua'");
    assert.equal(out.escapes, true);
    assert.equal(out.loadlib, 'absent');
    // A script's changes to package.path and package.searchers act as in Lua.
    const changed = await sandbox.run(`
      local ok1, e1 = pcall(function () package.path = {}; return require "helper2" end)
      package.path = "./?.lua"
      table.insert(package.searchers, 2, function (name) return function () return "from a searcher" end end)
      local v = require "anything"
      package.searchers = 3
      local ok2, e2 = pcall(require, "more")
      return { e1 = e1, v = v, e2 = e2 }`);
    assert.deepEqual(changed.ok && changed.output, { e1: "'package.path' must be a string", v: 'from a searcher', e2: "'package.searchers' must be a table" });
    // Without package granted, require still works and package stays out of reach.
    const plain = new Sandbox({ manifest: contract(), modules: { 'helper.lua': 'return string.upper("ok")' } });
    const r = await plain.run('return { v = require "helper", s = require "string" == string }');
    assert.deepEqual(r.ok && r.output, { v: 'OK', s: true });
    assert.equal(error(await plain.run('require "helper"; return package.loaded')).kind, 'forbidden');
  });

  describe('files from the contract\'s folder', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-modules-'));
      fs.mkdirSync(path.join(dir, 'work', 'lib'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'secret.lua'), 'return "secret"');
      fs.writeFileSync(path.join(dir, 'work', 'lib', 'pricing_util.lua'), UTIL);
      fs.writeFileSync(path.join(dir, 'work', 'lib', 'tax.lua'), TAX);
      fs.symlinkSync(path.join(dir, 'secret.lua'), path.join(dir, 'work', 'helper.lua'));
      fs.writeFileSync(path.join(dir, 'work', 'sandlua.json'), JSON.stringify({
        name: 'pricing', scripts: ['*.lua'], modules: { 'pricing.util': 'lib/pricing_util.lua', 'pricing.tax': 'lib/tax.lua', helper: 'helper.lua' },
      }));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('reads declared modules by default, and refuses a link that leads outside', async () => {
      const loaded = loadManifest(path.join(dir, 'work', 'sandlua.json'));
      assert.ok(loaded.manifest, JSON.stringify(loaded.problems));
      const sandbox = new Sandbox({ manifest: loaded.manifest });
      const ok = await sandbox.run('return require("pricing.util").tax(100)');
      assert.deepEqual(ok.ok && ok.output, 20);
      const outside = error(await sandbox.run('return require "helper"'));
      assert.equal(outside.message, "error loading module 'helper' from file 'helper.lua':\n\tcannot read helper.lua (helper.lua resolves outside the contract's folder)");
    });
  });
});
