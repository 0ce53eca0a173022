// Garbage collection through the sandbox (vm/gc.ts): weak tables and finalizers work under a
// contract that grants collectgarbage, the loops that wait for them end, the figure
// collectgarbage("count") answers is the one the memory limit uses, collections and finalizers
// are charged, and a library's memory request over the limit is a `memory` error.
import { strict as assert } from 'assert';
import { parseManifest } from '../contract/manifest';
import type { Contract } from '../contract/manifest';
import { Sandbox } from './sandbox';

function contract(limits: Record<string, number> = {}): Contract {
  const json = {
    name: 'gc-test',
    scripts: ['*.lua'],
    stdlib: { allow: ['collectgarbage', 'string.rep', 'load'] },
    limits: { instructions: 5_000_000, timeMs: 10_000, memoryBytes: 16_000_000, ...limits },
  };
  const result = parseManifest(JSON.stringify(json), '/virtual/sandlua.json');
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}

async function run(source: string, limits: Record<string, number> = {}) {
  return new Sandbox({ manifest: contract(limits) }).run(source, { name: 'input' });
}

async function output(source: string, limits: Record<string, number> = {}): Promise<unknown> {
  const result = await run(source, limits);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
  return result.output;
}

describe('sandbox: garbage collection', function () {
  this.timeout(60000);

  it('clears weak tables on collectgarbage() and keeps what is held', async () => {
    assert.deepEqual(await output(`
      local k = setmetatable({}, {__mode = 'k'})
      local v = setmetatable({}, {__mode = 'v'})
      local keep = {}
      for i = 1, 10 do local o = {} if i <= 3 then keep[i] = o end k[o] = i v[i] = o end
      k[input] = 'input'; k.s = {}
      collectgarbage()
      local nk, nv = 0, 0
      for _ in pairs(k) do nk = nk + 1 end
      for _ in pairs(v) do nv = nv + 1 end
      return {nk, nv, k[input]}`), [5, 3, 'input']);
  });

  it('ends the loops that wait for a collection: weak entries and finalizers', async () => {
    assert.deepEqual(await output(`
      local x = setmetatable({[1] = {}}, {__mode = 'kv'})
      local n = 0
      while x[1] do local s = n .. n; n = n + 1 end
      local finished, u = false, nil
      u = setmetatable({}, {__gc = function () finished = true end})
      repeat u = {} until finished
      local order = {}
      local mt = {__gc = function (o) order[#order + 1] = o.i end}
      for i = 1, 3 do setmetatable({i = i}, mt) end
      collectgarbage()
      return {finished, order}`), [true, [3, 2, 1]]);
  });

  it('runs a finalizer a loop waits for, though the sandbox\'s own passes keep a dead register\'s garbage', async () => {
    // The sandbox's memory passes (between instructions) mark every register, the dead call
    // argument that still holds the first `u` too; they must not postpone the precise pass that
    // allocation brings (which once made this loop run out of budget, depending on timing).
    assert.deepEqual(await output(`
      local x = setmetatable({[1] = {}}, {__mode = 'kv'})
      local n = 0
      while x[1] do local s = n .. n; n = n + 1 end
      local finished, u = false, nil
      u = setmetatable({}, {__gc = function () finished = true end})
      repeat u = {} until finished
      return {finished}`, { instructions: 200_000 }), [true]);
  });

  it('runs finalizers that the scheduled memory pass found, with no explicit collection', async () => {
    // No allocation drives a pass here: only the sandbox's own schedule (every million instructions or more).
    assert.deepEqual(await output(`
      local done = false
      do local o = setmetatable({}, {__gc = function () done = true end}) end
      -- Registers are kept while in scope or until reused: these reuse the ones the call used.
      local a, b, c, d = 1, 2, 3, 4
      local i = 0
      while not done and i < 1e6 do i = i + 1 end
      return {done}`), [true]);
  });

  it('does not collect while the script has stopped the collector', async () => {
    assert.deepEqual(await output(`
      collectgarbage('stop')
      local w = setmetatable({}, {__mode = 'k'})
      w[{}] = 1
      for i = 1, 50000 do local x = i end
      local held = next(w) ~= nil
      collectgarbage('restart')
      collectgarbage()
      return {held, next(w) == nil, collectgarbage('isrunning')}`), [true, true, true]);
  });

  it('answers collectgarbage("count") with the figure the memory limit uses', async () => {
    const source = `
      big = {}
      for i = 1, 20000 do big[i] = {i} end
      collectgarbage()
      return collectgarbage('count') * 1024`;
    const result = await run(source);
    assert.ok(result.ok);
    const figure = result.output as number;
    // The run's peak is measured by the same pass (at the end, with `big` still held).
    assert.ok(Math.abs(result.stats.memoryBytes - figure) < figure * 0.01, `${result.stats.memoryBytes} vs ${figure}`);
    const under = await run(source, { memoryBytes: Math.floor(figure * 0.97) });
    assert.ok(!under.ok && under.error.kind === 'memory', JSON.stringify(under));
    assert.ok(!under.ok && /^not enough memory/.test(under.error.message));
    const over = await run(source, { memoryBytes: Math.ceil(figure * 1.05) });
    assert.ok(over.ok, JSON.stringify(!over.ok && over.error));
  });

  it('counts falling memory after the script drops what it held', async () => {
    assert.deepEqual(await output(`
      collectgarbage()
      local a = collectgarbage('count')
      local t = {} for i = 1, 50000 do t[i] = i end
      collectgarbage()
      local b = collectgarbage('count')
      t = nil
      collectgarbage()
      local c = collectgarbage('count')
      return {b > a + 500, c < b - 500}`), [true, true]);
  });

  it('charges collections and finalizers to the budget', async () => {
    const collections = await run('local t = {} for i = 1, 3000 do t[i] = {} end while true do collectgarbage() end', { instructions: 2_000_000 });
    assert.ok(!collections.ok && collections.error.kind === 'budget', JSON.stringify(collections));
    const finalizer = await run('setmetatable({}, {__gc = function () while true do end end}) collectgarbage()', { instructions: 200_000 });
    assert.ok(!finalizer.ok && finalizer.error.kind === 'budget', JSON.stringify(finalizer));
  });

  it('makes a library memory request over the limit a memory error, with Lua\'s message', async () => {
    const limits = { memoryBytes: 64 * 1024 * 1024 };
    for (const source of [
      'return #string.rep("x", 2e9)',
      'return #string.rep("x", 1e8)',
      'return #string.rep("abc", 4e8, ",")',
      'local t, s = {}, ("y"):rep(1e6) for i = 1, 100 do t[i] = s end return #table.concat(t, s)',
      'return #string.format("%s%s", ("x"):rep(3e7), ("x"):rep(3e7))',
    ]) {
      const result = await run(source, limits);
      assert.ok(!result.ok, source);
      assert.equal(result.error.kind, 'memory', `${source}: ${result.error.message}`);
      assert.match(result.error.message, /^not enough memory/);
    }
    // Past Lua 5.3's own size limit (INT_MAX), Lua's answer comes first, whatever the memory
    // limit: a catchable error, as lua5.3 gives for string.rep("x", 1e10).
    assert.deepEqual(await output('return {pcall(string.rep, "x", 3e9)}', { memoryBytes: 4 * 1024 * 1024 * 1024 }), [false, 'resulting string too large']);
    assert.deepEqual(await output('return {pcall(string.rep, "x", 1e10)}', limits), [false, 'resulting string too large']);
    assert.deepEqual(await output('return {pcall(string.rep, "abc", 1e9, ",")}', limits), [false, 'resulting string too large']);
  });
});
