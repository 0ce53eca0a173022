// `load` and what a run leaves behind: a reader that never ends meets the budget or the memory
// limit, compiling is charged by size (a huge or quadratic chunk ends in `budget`), valid chunks of
// any length still load; the compile cache is bounded by size; nothing of a finished run stays
// reachable (heap measured in a child process with --expose-gc), closures are each state's own,
// and `tostring` addresses start afresh in every run.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import type { Contract } from '../contract/manifest';
import { testContract } from './testing/contract';
import { compile } from '../compiler/compile';
import type { Proto } from '../vm/proto';
import { LuaState } from '../vm/state';
import { LuaClosure, Upvalue } from '../vm/value';
import { Sandbox, type RunResult } from './sandbox';
import { memoryFiles } from './files';

function contract(json: Record<string, unknown>): Contract {
  return testContract('load', json);
}

const LIMITS = { instructions: 5_000_000, timeMs: 3000, memoryBytes: 16 * 1024 * 1024, callDepth: 200, outputBytes: 1024 * 1024 };

async function run(source: string, json: Record<string, unknown> = {}): Promise<RunResult> {
  return new Sandbox({ manifest: contract({ stdlib: { allow: ['load', 'os.date'] }, limits: LIMITS, ...json }) }).run(source, null);
}

function fails(result: RunResult, kinds: string[]): void {
  assert.ok(!result.ok, `expected a failure, got ${JSON.stringify(result).slice(0, 300)}`);
  assert.ok(kinds.includes(result.error.kind), `${result.error.kind}: ${result.error.message.slice(0, 300)}`);
}

describe('sandbox: load and what a run leaves behind', function () {
  this.timeout(60000);

  describe('load is charged', () => {
    it('a native reader that never ends (load(os.date)) meets a limit, even under pcall', async () => {
      fails(await run('return pcall(load, os.date)', { limits: { ...LIMITS, instructions: 200_000 } }), ['budget', 'memory']);
    });

    it('a Lua reader of one byte at a time that never ends meets a limit', async () => {
      fails(await run('return load(function() return "x" end)'), ['budget', 'memory']);
    });

    it('a reader of large pieces meets the memory limit', async () => {
      fails(await run('local piece = string.rep("-", 1 << 16) return load(function() return piece end)'), ['memory']);
    });

    it('a reader that ends is read whole', async () => {
      const result = await run('local parts, i = {"return ", "1 ", "+ 41"}, 0 return load(function() i = i + 1 return parts[i] end)()');
      assert.deepEqual(result.ok && result.output, 42);
    });

    it('compiling a huge chunk is charged by its size: the budget ends it before or while it compiles', async () => {
      fails(await run('local f = load("return " .. string.rep("1 + ", 400000) .. "1") return f and f()', { limits: { ...LIMITS, memoryBytes: 64 << 20 } }), ['budget']);
      // A long and/or chain makes the compiler walk jump lists (quadratic, as in PUC): charged as it goes.
      fails(await run('local f = load("return " .. string.rep("x and ", 60000) .. "x") return f ~= nil', { limits: { ...LIMITS, instructions: 100_000_000, timeMs: 60_000 } }), ['budget']);
    });

    it('the clock sees a long compile: the run fails on its time limit', async () => {
      const result = await run('local f = load(string.rep("x = 1\\n", 100000)) return f ~= nil', { limits: { ...LIMITS, instructions: 100_000_000, timeMs: 50 } });
      fails(result, ['budget']);
      // A chunk this long is compiled on the compile worker while the run waits (the loop free).
      assert.match(result.ok ? '' : result.error.message, /time limit of 50 ms exceeded while compiling a chunk for load/);
    });

    it('a long chunk compiled off the thread meets the budget where compiling here would, and pcall cannot catch it', async () => {
      // 60,000 and/or terms: the compiler's charges pass the budget long before the end (the worker stops there).
      const chain = 'load("return " .. string.rep("x and ", 60000) .. "x")';
      const result = await run(`local ok = pcall(${chain}) return ok`, { limits: { ...LIMITS, instructions: 20_000_000, timeMs: 60_000 } });
      fails(result, ['budget']);
      assert.match(result.ok ? '' : result.error.message, /instruction budget exhausted/);
      // 2,000 terms (under the worker's threshold) compile here: the same charges as there.
      const short = await run('local f = load("return " .. string.rep("x and ", 2000) .. "x") x = 5 return f()');
      assert.deepEqual(short.ok && short.output, 5);
      // A long chunk with an environment of its own, loaded inside a coroutine, and one that does not compile.
      const long = '"local s = 0 " .. string.rep("s = s + y ", 3000) .. "return s"';
      const inside = await run(`return { coroutine.wrap(function() return load(${long}, "=long", "t", { y = 2 })() end)(), select(2, load(${long} .. " +")) }`);
      assert.deepEqual(inside.ok && inside.output, [6000, '[string "local s = 0 s = s + y s = s + y s = s + y s =..."]:1: unexpected symbol near <eof>']);
    });

    it('loadfile and dofile of a long file go the same way: the function, or the compiler\'s message', async () => {
      const long = ['local M = {}', ...Array.from({ length: 2000 }, (_, i) => `M[${i}] = ${i}`), 'return #M'].join('\n');
      const manifest = contract({ stdlib: { allow: ['io', 'loadfile', 'dofile'] }, files: { 'big.lua': 'read', 'bad.lua': 'read' }, limits: LIMITS });
      const sandbox = new Sandbox({ manifest, files: memoryFiles({ 'big.lua': long, 'bad.lua': long + ' +' }) });
      const result = await sandbox.run('local f = assert(loadfile("big.lua")) local g, message = loadfile("bad.lua") return { f(), dofile("big.lua"), g == nil, message }', null);
      assert.deepEqual(result.ok && result.output, [1999, 1999, true, 'bad.lua:2002: unexpected symbol near <eof>']);
    });

    it('LuaState: a run that can suspend loads through compileLater (its charges added); a synchronous call, a native\'s callback and a binary chunk compile in place', async () => {
      const asked: string[] = [];
      let charged = 0;
      const state = new LuaState({
        print: () => undefined,
        charge: (steps) => { charged += steps; },
        compileLater: (source, name) => {
          asked.push(name);
          return new Promise((resolve) => setTimeout(() => resolve({ proto: compile(source, name), steps: 1234 }), 1));
        },
      });
      assert.deepEqual(await state.runAsync('local f = load("return ...", "=later") return f(7)', '=main'), [7]);
      assert.deepEqual(asked, ['=later']);
      assert.ok(charged >= 1234, String(charged));
      assert.deepEqual(await state.runAsync('local f, message = load("return +", "=bad") return f, message', '=main'), [undefined, "bad:1: unexpected symbol near '+'"]);
      asked.length = 0;
      assert.deepEqual(state.run('return load("return 8", "=sync")()', '=main'), [8]);
      assert.deepEqual(await state.runAsync('local n table.sort({2, 1}, function(a, b) n = load("return 9", "=inside")() return a < b end) return n', '=main'), [9]);
      assert.deepEqual(await state.runAsync('return load(string.dump(function() return 10 end), "=binary")()', '=main'), [10]);
      assert.deepEqual(asked, []);
      // A chunk compileLater leaves to the state is compiled (and charged) once.
      const compiled: string[] = [];
      const here = new LuaState({ print: () => undefined, compile: (source, name, steps) => { compiled.push(name); return compile(source, name, steps); }, compileLater: () => undefined });
      assert.deepEqual(await here.runAsync('return load("return 11", "=short")()', '=main'), [11]);
      assert.deepEqual(compiled, ['=main', '=short']);
    });

    it('the charge is counted in the run\'s instructions', async () => {
      const small = await run('return load("return 1")()');
      const large = await run(`return load("return " .. string.rep("1 + ", 10000) .. "1")()`);
      assert.ok(small.ok && large.ok);
      assert.equal(large.output, 10001);
      assert.ok(large.stats.instructions - small.stats.instructions > 40000 * 16, `${small.stats.instructions} ${large.stats.instructions}`);
    });

    it('a chunk of 10,000 terms loads and runs', async () => {
      const result = await run(`return load("local x = 2 return " .. string.rep("x + ", 9999) .. "x")()`);
      assert.deepEqual(result.ok && result.output, 20000);
    });
  });

  describe('nothing of a run survives it', () => {
    it('a closure is each state\'s own, while a state still reuses its own as 5.3 does', () => {
      const proto = compile('return function() end', '=shared') as Proto;
      const a = new LuaState();
      const b = new LuaState();
      const make = (state: LuaState) => state.call(new LuaClosure(proto, [Upvalue.closed(state.globals)]))[0];
      const fa = make(a);
      assert.ok(fa instanceof LuaClosure);
      assert.notEqual(make(b), fa);
      assert.equal(make(a), fa);
    });

    it('tostring addresses start afresh in every run, whatever other runs made', async () => {
      const sandbox = new Sandbox({ manifest: contract({ limits: LIMITS }) });
      const script = 'local t = {} return tostring(t) .. " " .. tostring(print) .. " " .. tostring(function() end)';
      const first = await sandbox.run(script, null);
      await sandbox.run('local t = {} for i = 1, 1000 do t[i] = tostring({}) end return #t', null);
      const again = await sandbox.run(script, null);
      assert.ok(first.ok && again.ok);
      assert.match(String(first.output), /^table: 0x[0-9a-f]{8} function: 0x[0-9a-f]{8} function: 0x[0-9a-f]{8}$/);
      assert.equal(again.output, first.output);
      // Addresses still tell objects apart within a run.
      const distinct = await sandbox.run('local seen, n = {}, 0 for i = 1, 100 do local s = tostring({}) if not seen[s] then seen[s] = true n = n + 1 end end return n', null);
      assert.deepEqual(distinct.ok && distinct.output, 100);
    });

    it('the compile cache keeps small scripts and is bounded by size', () => {
      const sandbox = new Sandbox({ manifest: contract({ limits: LIMITS }) });
      const small = 'return 1 -- cache test';
      assert.equal(sandbox.compile(small, 'small.lua'), sandbox.compile(small, 'small.lua'));
      // A script larger than an eighth of the cache is compiled for each run.
      const huge = `return "${'x'.repeat(1_200_000)}"`;
      assert.notEqual(sandbox.compile(huge, 'huge.lua'), sandbox.compile(huge, 'huge.lua'));
      // Eight scripts of 0.9 MB each push the oldest ones out.
      const big = (i: number) => `return "${String(i).repeat(900_000)}"`;
      const first = sandbox.compile(big(0), 'big.lua');
      for (let i = 1; i < 10; i++) sandbox.compile(big(i), 'big.lua');
      assert.notEqual(sandbox.compile(big(0), 'big.lua'), first);
    });

    it('twenty finished runs that each held 10 MB leave the heap near where it was (child process, --expose-gc)', () => {
      const program = `
        const { Sandbox } = require(${JSON.stringify(path.join(__dirname, 'sandbox.js'))});
        const { parseManifest } = require(${JSON.stringify(path.join(__dirname, '..', 'contract', 'manifest.js'))});
        const manifest = parseManifest(JSON.stringify({ name: 'retain', scripts: ['*.lua'],
          limits: { instructions: 5e6, timeMs: 20000, memoryBytes: 64 * 1024 * 1024 } }), '/virtual/sandlua.json').manifest;
        const sandbox = new Sandbox({ manifest });
        const heap = () => { global.gc(); global.gc(); return process.memoryUsage().heapUsed; };
        (async () => {
          await sandbox.run('return 1', null);
          const before = heap();
          for (let i = 0; i < 20; i++) {
            // A closure holding a flat 10 MB string of its own, and one with no upvalue.
            const result = await sandbox.run('-- script ' + i + '\\n' +
              'local parts = {} for k = 1, 1000 do parts[k] = k + ' + i + ' end local held = table.concat(parts, string.rep("x", 10000)) ' +
              'local function keep() return held end local function none() end return #keep()', null);
            if (!result.ok || !(Number(result.output) > 9_990_000)) throw new Error(JSON.stringify(result));
          }
          const after = heap();
          process.stdout.write(JSON.stringify({ before, after }));
        })().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });`;
      const child = spawnSync(process.execPath, ['--expose-gc', '-e', program], { encoding: 'utf8', timeout: 50000 });
      assert.equal(child.status, 0, child.stderr);
      const { before, after } = JSON.parse(child.stdout) as { before: number; after: number };
      const grown = (after - before) / (1024 * 1024);
      assert.ok(grown < 20, `the heap grew by ${grown.toFixed(1)} MB after 20 runs holding 10 MB each (before ${before}, after ${after})`);
    });

    it('a finished run and a dropped state die in a young-generation collection: none is carried into the old generation (child process, --expose-gc)', () => {
      // What V8 carries past its young-generation collections stays until a full collection: a
      // host running short scripts paid for it in the collector (states kept alive by a closure
      // openBase made: ~50 KB of every state promoted, a third of the time of a short run).
      const program = `
        const v8 = require('v8');
        const { Sandbox } = require(${JSON.stringify(path.join(__dirname, 'sandbox.js'))});
        const { LuaState } = require(${JSON.stringify(path.join(__dirname, '..', 'vm', 'state.js'))});
        const { parseManifest } = require(${JSON.stringify(path.join(__dirname, '..', 'contract', 'manifest.js'))});
        const manifest = parseManifest(JSON.stringify({ name: 'young', scripts: ['*.lua'], host: { lookup: { params: [{ name: 's', type: 'string' }], returns: 'string?' } } }), '/virtual/sandlua.json').manifest;
        const sandbox = new Sandbox({ manifest, host: { lookup: (s) => s.toUpperCase() } });
        const script = 'local t = setmetatable({}, { __index = string }) local name = lookup(input.name) return { name = name, n = #t.rep("x", 3) }';
        const old = () => v8.getHeapSpaceStatistics().filter((s) => s.space_name !== 'new_space').reduce((a, s) => a + s.space_used_size, 0);
        // KB carried into the old generation per item: made after a full collection, then two young ones.
        const carried = async (make, n) => {
          global.gc(); global.gc({ type: 'minor' }); global.gc({ type: 'minor' });
          const before = old();
          for (let i = 0; i < n; i++) await make();
          global.gc({ type: 'minor' }); global.gc({ type: 'minor' });
          return (old() - before) / 1024 / n;
        };
        const state = () => { new LuaState(); };
        const run = async () => { const r = await sandbox.run(script, { name: 'a' }); if (!r.ok) throw new Error(JSON.stringify(r.error)); };
        (async () => {
          // Warmed up first: V8 holds on to objects through what its code has learnt.
          for (let i = 0; i < 1500; i++) { state(); await run(); }
          process.stdout.write(JSON.stringify({ state: await carried(state, 200), run: await carried(run, 200) }));
        })().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });`;
      const child = spawnSync(process.execPath, ['--expose-gc', '-e', program], { encoding: 'utf8', timeout: 50000 });
      assert.equal(child.status, 0, child.stderr);
      const carried = JSON.parse(child.stdout) as { state: number; run: number };
      // A state is ~60 KB, a run a little more; what is left (~1 KB of a state, ~4 KB of a run) is
      // V8's bookkeeping and the memory measures' own working objects.
      assert.ok(carried.state < 10, `${carried.state.toFixed(1)} KB of every dropped LuaState carried into the old generation`);
      assert.ok(carried.run < 15, `${carried.run.toFixed(1)} KB of every finished run carried into the old generation`);
    });
  });
});
