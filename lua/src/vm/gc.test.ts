// The collector (gc.ts) as scripts see it, differential against lua5.3: weak tables after
// collectgarbage(), ephemerons, finalizer order, resurrection and errors, the count's trends,
// collectgarbage's options and results, automatic passes that loops wait for, lua_close.

import { strict as assert } from 'assert';
import { luaCompiler } from '../compiler/compile';
import { Strings, SIZE } from './gc';
import { LuaState } from './state';
import { LuaError } from './value';
import { hasLua53, runOursSource, runReferenceSource } from './testing/reference';

const haveLua = hasLua53();

/** Runs `source` on both engines (as stdin) and compares stdout, stderr and status. */
function same(source: string): string {
  const expected = runReferenceSource(source);
  const actual = runOursSource(source, '=stdin', luaCompiler);
  assert.equal(actual.stderr, expected.stderr, 'stderr');
  assert.equal(actual.stdout, expected.stdout, 'stdout');
  assert.equal(actual.status, expected.status, 'status');
  return actual.stdout;
}

const COUNT = 'local function count(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end\n';

const PROGRAMS: Record<string, string> = {
  'weak keys, weak values, both, after collectgarbage()': COUNT + `
local k = setmetatable({}, {__mode = 'k'})
local v = setmetatable({}, {__mode = 'v'})
local kv = setmetatable({}, {__mode = 'kv'})
local keep = {}
for i = 1, 10 do
  local o = {}
  if i % 2 == 0 then keep[#keep + 1] = o end
  k[o] = i; v[i] = o; kv[o] = o
end
k.str = {}                    -- a string key holds its value
v.s = 'text'; v[100] = function () end
v[101] = coroutine.create(print)
kv[1] = 'one'; kv.two = 2     -- strings and numbers are never removed
kv[keep[1]] = {}              -- a kept key, a dropped value
collectgarbage()
print(count(k), count(v), count(kv), k.str ~= nil, v.s, v[100], v[101], kv[1], kv.two)
for i = 1, 10 do assert((v[i] ~= nil) == (i % 2 == 0)) end
keep = nil
collectgarbage()
print(count(k), count(v), count(kv))
`,
  'ephemerons: a value that refers to its key does not keep it': COUNT + `
local e = setmetatable({}, {__mode = 'k'})
do local key = {} e[key] = {key} end
local held = {}
e[held] = {held}
collectgarbage()
local n = 0
for key, value in pairs(e) do n = n + 1; assert(value[1] == key) end
print(n)
-- a chain of keys, each reached only through the previous entry's value
local chain = setmetatable({}, {__mode = 'k'})
local first = {}
local x = first
for i = 1, 50 do local nx = {} chain[x] = {next = nx}; x = nx end
x = nil
collectgarbage()
print(count(chain))
first = nil
collectgarbage()
print(count(chain))
`,
  'finalizers: newest first, resurrection, __gc set too late, errors': COUNT + `
local order = {}
local mt = {__gc = function (o) order[#order + 1] = o.name end}
for i = 1, 5 do setmetatable({name = i}, mt) end
collectgarbage()
print(table.concat(order, ' '))
local saved
local w = setmetatable({}, {__mode = 'k'})
local wv = setmetatable({}, {__mode = 'v'})
do
  local o = setmetatable({name = 'r'}, {__gc = function (o) saved = o end})
  w[o] = true; wv[1] = o
end
collectgarbage()
-- weak values are cleared before the finalizer runs, weak keys only once the object is gone
print(saved and saved.name, next(w) ~= nil, wv[1])
saved = nil
collectgarbage()
print(next(w))
local called = false
local late = {}
setmetatable({}, late)
late.__gc = function () called = true end
collectgarbage()
print(called)
setmetatable({}, {__gc = true})   -- not a function: nothing is called
collectgarbage()
setmetatable({}, {__gc = function () error('boom') end})
print(pcall(collectgarbage))
setmetatable({}, {__gc = function () error({}) end})
print(pcall(collectgarbage))
print(pcall(collectgarbage))
-- an error stops the run; the others wait for the next collection
local ran = {}
local emt = {__gc = function (o) ran[#ran + 1] = o.i; if o.i == 3 then error('three') end end}
for i = 1, 5 do setmetatable({i = i}, emt) end
print(pcall(collectgarbage))
print(table.concat(ran, ' '))
collectgarbage()
print(table.concat(ran, ' '))
`,
  'collectgarbage("count"): grows with what is held and allocated, falls after collecting': `
collectgarbage()
local a = collectgarbage('count')
local t = {}
for i = 1, 100000 do t[i] = i end
collectgarbage()
local b = collectgarbage('count')
t = nil
collectgarbage()
local c = collectgarbage('count')
print(math.type(a), b > a + 1000, c < b - 1000)
collectgarbage()
local d = collectgarbage('count')
local u = {}
for i = 1, 1000 do u[i] = {} end
print(collectgarbage('count') > d + 40)
`,
  'collectgarbage options and results (5.3.6)': `
print(collectgarbage('isrunning'), collectgarbage('stop'), collectgarbage('isrunning'), collectgarbage('restart'), collectgarbage('isrunning'))
print(collectgarbage('setpause', 150), collectgarbage('setpause', 200))
print(collectgarbage('setstepmul', 10), collectgarbage('setstepmul', 200))
print(collectgarbage('step', 100000), collectgarbage(), collectgarbage('collect'))
print(select('#', collectgarbage('count')), math.type(collectgarbage('count')))
print(pcall(collectgarbage, 'generational'))
print(pcall(collectgarbage, 'incremental'))
print(pcall(collectgarbage, 'count', 'x'))
collectgarbage('stop')
local w = setmetatable({}, {__mode = 'k'})
w[{}] = 1
for i = 1, 2000 do local x = {} end
print(next(w) ~= nil, collectgarbage('isrunning'))
local steps = 0
repeat steps = steps + 1 until collectgarbage('step', 0)
print(next(w), collectgarbage('isrunning'))
collectgarbage('restart')
`,
  'automatic passes end the loops that wait for them': `
local x = setmetatable({[1] = {}}, {__mode = 'kv'})
local n = 0
while x[1] do local s = n .. n .. n; n = n + 1 end
print('weak entry gone')
local finished = false
local u = setmetatable({}, {__gc = function () finished = true end})
u = nil
repeat local a = {} until finished
print('finalized')
finished = false
u = setmetatable({}, {__gc = function () finished = true end})
local i = 0
repeat local j = i; u = function () return j end; i = i + 1 until finished
print('finalized by closures')
`,
  'threads hold their stacks; a wrapped coroutine holds its thread': `
local C = setmetatable({}, {__mode = 'v'})
local co = coroutine.create(function () local t = {} C[1] = t coroutine.yield() return t end)
coroutine.resume(co)
collectgarbage()
print(C[1] ~= nil)
co = nil
collectgarbage()
print(C[1])
local W = setmetatable({}, {__mode = 'k'})
local f = coroutine.wrap(function () local t = {} W[t] = 1 coroutine.yield() end)
f()
collectgarbage()
print(next(W) ~= nil)
f = nil
collectgarbage()
print(next(W))
-- a closure keeps a dead thread's variable alive
local g
do
  local co2 = coroutine.wrap(function () local v = {} g = function () return v end coroutine.yield() end)
  co2()
end
collectgarbage(); collectgarbage()
print(type(g()))
`,
  'a closure a weak table lost does not come back from the closure cache': `
local w = setmetatable({}, {__mode = 'k'})
local function make () return function () end end
w[make()] = true
collectgarbage()
print(next(w))
local f = make()
w[f] = true
collectgarbage()
print(next(w) == f, make() == f)
`,
};

describe('collector (differential, lua5.3)', function () {
  this.timeout(60000);

  it('has the reference interpreter (required under CI)', function () {
    if (!haveLua && process.env.CI !== 'true') this.skip();
    assert.ok(haveLua, 'lua5.3 must be installed');
  });

  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(name, function () {
      if (!haveLua) {
        if (process.env.CI === 'true') assert.fail('lua5.3 missing');
        this.skip();
      }
      same(source);
    });
  }

  it('runs the finalizers of everything still marked when the state closes, as lua_close', function () {
    if (!haveLua) {
      if (process.env.CI === 'true') assert.fail('lua5.3 missing');
      this.skip();
    }
    const source = `
setmetatable({}, {__gc = function () print('closing 1') end})
keep = setmetatable({}, {__gc = function (o) print('closing 2', o == keep) end})
setmetatable({}, {__gc = function () error('ignored at close') end})
setmetatable({}, {__gc = function () print('closing 4') end})
print('end of script')`;
    const expected = runReferenceSource(source);
    let stdout = '';
    const state = new LuaState({ print: (line) => { stdout += line + '\n'; } });
    state.run(source, '=stdin');
    state.close();
    assert.equal(stdout, expected.stdout);
    assert.equal(stdout, 'end of script\nclosing 4\nclosing 2\ttrue\nclosing 1\n');
  });
});

/** Runs a source that sets global `t` in `state`, and measures the heap it holds (then drops `t`). */
function measurer(state: LuaState): (source: string) => number {
  return (source) => {
    state.run(source, '=x');
    const bytes = state.vm.gc.measure().bytes;
    state.run('t = nil', '=x');
    return bytes;
  };
}

describe('collector (engine)', () => {
  it('costs nothing before the first weak table or finalizer: no pass runs by allocation', () => {
    const state = new LuaState();
    state.run('local t = {} for i = 1, 50000 do t[i] = {} end', '=x');
    assert.equal(state.vm.gc.passes, 0);
    assert.equal(state.vm.gcThreshold, Infinity);
    state.run('setmetatable({}, {__mode = "k"}) local t = {} for i = 1, 50000 do t[i] = {} end', '=x');
    assert.ok(state.vm.gc.passes > 0);
  });

  it('counts each long text once: the same string held many times, equal ones made apart, many of one length', () => {
    const measure = measurer(new LuaState());
    const base = measure('t = {}');
    const K = 20000;
    // One 20,000-character string in 100 slots, then 100 equal ones made apart: one text each time.
    const one = measure(`t = {} local s = string.rep("a", ${K}) for i = 1, 100 do t[i] = s end`) - base;
    const apart = measure(`t = {} for i = 1, 100 do t[i] = string.rep("a", ${K}) end`) - base;
    assert.ok(one >= K && one < 2 * K, `${one}`);
    assert.ok(Math.abs(apart - one) < 64, `${apart} vs ${one}`);
    // 100 different texts of one length (past the buckets' plain compare: keyed by samples),
    // differing at the end only or in the middle only: all counted.
    const ends = measure(`t = {} for i = 1, 100 do t[i] = string.rep("b", ${K - 3}) .. string.format("%03d", i) end`) - base;
    assert.ok(ends >= 100 * K, `${ends}`);
    const middles = measure(`t = {} for i = 1, 100 do t[i] = string.rep("c", ${K / 2}) .. string.format("%03d", i) .. string.rep("c", ${K / 2 - 3}) end`) - base;
    assert.ok(middles >= 100 * K, `${middles}`);
    // Equal texts among them, made apart, still once.
    const mixed = measure(`t = {} for i = 1, 100 do t[i] = string.rep("d", ${K - 3}) .. string.format("%03d", i % 10) end`) - base;
    assert.ok(mixed >= 10 * K && mixed < 11 * K, `${mixed}`);
  });

  it('counts each short text once, however many hold it and however it was made, in every pass', () => {
    const measure = measurer(new LuaState());
    const N = 20000;
    const slots = measure(`t = {} for i = 1, ${N} do t[i] = i end`);
    // One text in every slot, and equal texts made apart (short: up to 40 characters, and longer).
    for (const length of [12, 40, 41, 300]) {
      const one = measure(`t = {} local s = string.rep("o", ${length - 1}) .. "x" for i = 1, ${N} do t[i] = s end`) - slots;
      const apart = measure(`t = {} for i = 1, ${N} do t[i] = string.rep("o", ${length - 1}) .. "x" end`) - slots;
      assert.equal(one, SIZE.string + length, `${length}`);
      assert.equal(apart, one, `${length}`);
    }
    // 20,000 different texts, twice each, in two passes in a row (the second one reuses the first's set).
    const texts = `t = {} for i = 1, ${N} do local s = "item" .. i t[i] = s t[${N} + i] = "item" .. i end`;
    const twice = measure(`t = {} for i = 1, ${2 * N} do t[i] = i end`);
    let textBytes = 0;
    for (let i = 1; i <= N; i++) textBytes += SIZE.string + `item${i}`.length;
    assert.equal(measure(texts) - twice, textBytes);
    assert.equal(measure(texts) - twice, textBytes);
  });

  it("counts short strings exactly when their hashes are all equal (a crowd goes in Sets)", () => {
    class Crowded extends Strings {
      protected override hash(): number {
        return 12345;
      }
    }
    for (const strings of [new Strings(), new Crowded()]) {
      const made = (i: number): string => `s${i}`.padEnd(10 + (i % 31), '-');
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 3000; i++) assert.equal(strings.add(made(i)), true, `${i}`);
        // Equal strings made apart, again: all there (the table grew meanwhile, four times).
        for (let i = 0; i < 3000; i++) assert.equal(strings.add(made(i).slice(0, 5) + made(i).slice(5)), false, `${i}`);
        assert.equal(strings.size, 3000);
        strings.clear();
        assert.equal(strings.size, 0);
      }
    }
    // A crowd whose chain is short again once the table has grown: the strings it put in the Sets
    // are found there, not added to the table a second time.
    class Spread extends Strings {
      protected override hash(s: string): number {
        return s.startsWith('crowd') ? Number(s.slice(5)) * 1024 + 7 : super.hash(s);
      }
    }
    const spread = new Spread();
    for (let k = 0; k < 100; k++) assert.equal(spread.add(`crowd${k}`), true);
    for (let i = 0; i < 3000; i++) assert.equal(spread.add(`other${i}`), true);
    for (let k = 0; k < 100; k++) assert.equal(spread.add(`crowd${k}`), false, `${k}`);
    assert.equal(spread.size, 3100);
    // Passes of few strings after one of many: the large table is kept for a while (its few
    // strings taken out one by one), then let go; each pass exact all the way.
    const strings = new Strings();
    const capacity = (): number => (strings as unknown as { mask: number }).mask + 1;
    for (let i = 0; i < 50000; i++) strings.add(`many${i}`);
    strings.clear();
    const large = capacity();
    assert.ok(large >= 100000, `${large}`);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 10; i++) assert.equal(strings.add(`few${i}`), true, `round ${round}: few${i}`);
      for (let i = 0; i < 10; i++) assert.equal(strings.add(`few${i}`.slice(0, 3) + `${i}`), false, `round ${round}: few${i} again`);
      for (let i = 0; i < 10; i++) assert.equal(strings.add(`many${i}`), true, `round ${round}: many${i}, gone with its pass`);
      assert.equal(strings.size, 20);
      strings.clear();
      assert.equal(capacity(), round < 15 ? large : 1024, `round ${round}`);
    }
    // A pass that needs the large table again keeps it from then on.
    for (let i = 0; i < 50000; i++) strings.add(`many${i}`);
    strings.clear();
    for (let i = 0; i < 10; i++) strings.add(`few${i}`);
    strings.clear();
    assert.equal(capacity(), large);
  });

  it('reads strings past a megabyte that share a length only when the limit depends on them, one a step', () => {
    const state = new LuaState();
    const M = 1 << 21;
    // Two equal ropes made apart and one string held twice: texts of one length met again.
    state.run(`a = string.rep("x", ${M / 2}) .. string.rep("x", ${M / 2}) b = string.rep("x", ${M / 2}) .. string.rep("x", ${M / 2}) c = {a, a, b}`, '=x');
    const exact = state.vm.gc.measure();
    assert.equal(exact.unsettled, undefined);
    assert.ok(exact.bytes >= M && exact.bytes < 2 * M, `${exact.bytes}`);
    // Not told to settle: the doubts are reported apart from what was counted.
    const quick = state.vm.gc.measure({ limit: 100 * M, settle: false });
    assert.equal(quick.bytes, exact.bytes);
    assert.ok(quick.unsettled !== undefined && quick.unsettled >= 3 * M, `${quick.unsettled}`);
    // A limit the count is surely under, or surely over, whatever the doubts are: nothing read.
    assert.ok(state.vm.gc.measure({ limit: 100 * M, settle: true }).unsettled! >= 3 * M);
    assert.ok(state.vm.gc.measure({ limit: M / 2, settle: true }).unsettled! >= 3 * M);
    // A limit they decide: read, the reads begun in a slice of their own (yields true, for a
    // sliced host; reads under a millisecond share it).
    const steps = state.vm.gc.measureSteps({ limit: 3 * M, settle: true });
    let fresh = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) if (r.value === true) fresh++;
    assert.equal(r.value.unsettled, undefined);
    assert.equal(r.value.bytes, exact.bytes);
    assert.ok(fresh >= 1, `${fresh}`);
  });

  it('marks the values a pending metamethod call holds and a host adds as roots', () => {
    const state = new LuaState();
    const [held] = state.run('w = setmetatable({}, {__mode = "k"}) local t = {} w[t] = 1 return t', '=x');
    state.vm.gc.roots.add(held);
    state.run('collectgarbage()', '=x');
    assert.equal(state.run('return next(w) ~= nil', '=x')[0], true);
    state.vm.gc.roots.delete(held);
    state.run('collectgarbage()', '=x');
    assert.equal(state.run('return next(w) == nil', '=x')[0], true);
  });

  it('passes a finalizer\'s error out of the allocation that ran it, as 5.3', () => {
    const state = new LuaState();
    assert.throws(() => state.run(`
      setmetatable({}, {__gc = function () error('from gc', 0) end})
      for i = 1, 1e6 do local t = {} end`, '=x'), (e: unknown) => e instanceof LuaError && e.value === 'error in __gc metamethod (from gc)');
  });

  it('keeps values a multiple-result call left above the frame when a finalizer runs between instructions', () => {
    // A finalizer run from onCount (the sandbox's passes) must not overwrite pending results.
    const state = new LuaState();
    let passes = 0;
    // A host pass (as the sandbox's) exactly where results wait above the frame for the next call.
    state.vm.setHook((vm, frame) => {
      if (vm.current.top > frame.top) {
        passes++;
        vm.gc.collect();
      }
      return false;
    }, 1);
    const [n, last, finalized] = state.run(`
      local function many() local t = {} for i = 1, 200 do t[i] = i end return table.unpack(t) end
      local finalized = 0
      local mt = {__gc = function () local a, b, c = {}, {}, {} finalized = finalized + 1 end}
      local function count(...) return select('#', ...), (select(200, ...)) end
      local total, tail
      for i = 1, 20 do
        setmetatable({}, mt)
        total, tail = count(many())
        if total ~= 200 or tail ~= 200 then break end
      end
      return total, tail, finalized`, '=x');
    assert.ok(passes > 0);
    assert.ok((finalized as number) > 0);
    assert.equal(n, 200);
    assert.equal(last, 200);
  });
});
