// Resumable natives (Request.steps): a long library call works in slices, and between slices a
// sandbox gives the event loop its turns; a plain state, or a call nested in a callback from a
// native, runs the slices to the end. The results are the same either way.
import { strict as assert } from 'assert';
import { parseManifest } from '../contract/manifest';
import type { Contract } from '../contract/manifest';
import { Sandbox } from '../sandbox/sandbox';
import { LuaState } from '../vm/state';
import { LuaValue, NativeFunction, Request } from '../vm/value';

function contract(limits: Record<string, number>): Contract {
  const result = parseManifest(JSON.stringify({ name: 'resumable', scripts: ['*.lua'], limits }), '/virtual/sandlua.json');
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}

/** Starts `script` in `state` and resumes it after every pause its hook asks for, to the end. */
function runPausing(state: LuaState, script: string, name: string): { values: LuaValue[]; pauses: number } {
  const fn = state.load(script, name);
  assert.ok(typeof fn !== 'string', String(fn));
  let out = state.start(fn, []);
  let pauses = 0;
  while (out.status === 'suspended') {
    pauses++;
    out = state.vm.resume();
  }
  return { values: out.values, pauses };
}

const GENEROUS = contract({ instructions: 1e9, timeMs: 20000, memoryBytes: 256 * 1024 * 1024 });

/** Library calls over inputs long enough to take several slices each; returns one line of results. */
const MIXED = `
  local out = {}
  local function add(...) for i = 1, select('#', ...) do out[#out + 1] = tostring((select(i, ...))) end end
  local s = string.rep("ab(c)d", 3000)
  add(select(2, s:gsub("%b()", "<%0>")), #s:gsub("(a)(b)", "%2%1"), #s:gsub("%w+", {ab = "X"}))
  add(#s:gsub("c", function (c) return c:upper() end), s:find("(%b())d$"), s:match("^(.-)%((c)%)"))
  local n = 0 for w in s:gmatch("[abc]+") do n = n + #w end add(n)
  add(string.rep("a", 100):find(".-.-b"), string.rep("a", 150):find("a-a-a-$"))
  add(pcall(string.find, string.rep("a", 300), string.rep("a?", 300)))
  local t = {} for i = 1, 20000 do t[i] = (i * 7919) % 20011 end
  table.sort(t) add(t[1], t[10000], t[20000])
  local u = table.move(t, 1, 5000, 1, {})
  table.sort(u, function (a, b) return a > b end) add(u[1], u[5000])
  add(#table.concat(t, ","))
  table.insert(t, 1, -1) add(t[1], t[2], #t) add(table.remove(t, 1), t[1], #t)
  table.move(t, 1, 20000, 3) add(t[1], t[3], t[20002])
  add(utf8.len(string.rep("\\xc3\\xa9", 100000)), utf8.len(string.rep("a", 100000) .. "\\xff"))
  add(select('#', utf8.codepoint(string.rep("a", 10000), 1, -1)))
  add(#os.date("!" .. string.rep("%Y-%m-%d ", 3000), 86400), os.date("!%c", 0))
  add(pcall(os.date, string.rep("%Y", 5000) .. "%Q", 0))
  add(#string.format(string.rep("%% x", 30000)), string.format(string.rep("ab%%", 20000) .. "%d|%5.1f|%s", 7, 2.25, "z"):sub(-12))
  add(#string.format(string.rep("%d,", 20000), table.unpack(t, 1, 20000)), pcall(string.format, string.rep("%%", 40000) .. "%d"))
  return table.concat(out, " ")
`;

describe('stdlib: resumable library calls', function () {
  this.timeout(20000);

  it('a long pattern match in a sandbox lets the event loop turn meanwhile (a 5 ms timer fires)', async () => {
    const script = 'local s = string.rep("a", 260) return s:find(".-.-b")';
    const plain = new LuaState().run(script, '=match');
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    const started = performance.now();
    const result = await new Sandbox({ manifest: GENEROUS }).run(script, null);
    const ms = performance.now() - started;
    clearInterval(timer);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.output, plain[0] ?? null);
    // One call of string.find did all that work: the timer still fired (generous margin).
    assert.ok(result.stats.instructions > 1000000, `${result.stats.instructions} instructions`);
    if (ms > 100) assert.ok(ticks >= 3, `${ticks} timer ticks in ${ms.toFixed(0)} ms`);
  });

  it('gives the same results in a plain state (slices run to the end) and in a sandbox (slices with turns)', async () => {
    const [plain] = new LuaState().run(MIXED, '=mixed');
    assert.equal(typeof plain, 'string');
    assert.match(plain as string, /^3000 /);
    const result = await new Sandbox({ manifest: GENEROUS }).run(MIXED, null);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.output, plain);
  });

  it('runs resumable calls nested in a sort comparator to the end, with the same results', async () => {
    const script = `
      local big = string.rep("xay", 5000)
      local t = {} for i = 1, 40 do t[i] = (i * 17) % 41 end
      table.sort(t, function (a, b)
        local _, n = big:gsub("a", "b")
        local m = #table.concat({big, big})
        return a + n + m < b + n + m
      end)
      return table.concat(t, ",")`;
    const [plain] = new LuaState().run(script, '=nested');
    const result = await new Sandbox({ manifest: GENEROUS }).run(script, null);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.output, plain);
    assert.match(plain as string, /^1,2,3,/);
  });

  it('a limit reached inside a slice ends the run as before (budget, time)', async () => {
    const budget = await new Sandbox({ manifest: contract({ instructions: 200000, timeMs: 20000 }) })
      .run('return string.rep("a", 400):find(".-.-b")', null);
    assert.ok(!budget.ok && budget.error.kind === 'budget' && /instruction budget exhausted/.test(budget.error.message), JSON.stringify(budget));
    const time = await new Sandbox({ manifest: contract({ instructions: 1e12, timeMs: 200 }) })
      .run('return string.rep("a", 3000):find(".-.-.-b")', null);
    assert.ok(!time.ok && time.error.kind === 'budget' && /time limit/.test(time.error.message), JSON.stringify(time));
  });

  it('pauses between slices anywhere a native runs in the loop: a generic for, a coroutine, pcall, gsub\'s callback', () => {
    const script = `
      local s = string.rep("a", 120) .. "b" .. string.rep("a", 50) .. "b"
      local out = {}
      for x, y in s:gmatch("(a-)a-(a-)b") do out[#out + 1] = #x .. ":" .. #y end
      local co = coroutine.wrap(function () for m in s:gmatch("a-.-b") do coroutine.yield(#m) end end)
      local c1, c2 = co(), co()
      local ok, e = pcall(string.gsub, string.rep("a", 100), ".-.-.-c", function () end)
      local _, n = string.rep("ab", 5000):gsub("(a)(b)", function (a, b) return b .. a end)
      return table.concat(out, ","), c1, c2, ok, #e, n`;
    const plain = new LuaState().run(script, '=anywhere');
    // As lua5.3 prints them.
    assert.deepEqual(plain, ['0:120,0:50', 121, 51, true, 100, 5000]);
    const state: LuaState = new LuaState({ charge: (steps) => state.vm.charge(steps) });
    state.vm.setHook((_vm, frame, canPause) => canPause && frame.native !== undefined, 100);
    const { values, pauses } = runPausing(state, script, '=anywhere');
    assert.deepEqual(values, plain);
    assert.ok(pauses > 100, `${pauses} pauses`);
  });

  it('string.format of a long format pauses between slices, and a short one does not', () => {
    // Library work charged as the sandbox charges it: instructions of the VM's count.
    const state: LuaState = new LuaState({ charge: (steps) => state.vm.charge(steps) });
    state.vm.setHook((_vm, frame) => frame.native !== undefined, 100);
    const long = runPausing(state, 'return string.format(string.rep("%% x", 30000) .. "%d", 5)', '=long');
    assert.deepEqual(long.values, ['% x'.repeat(30000) + '5']);
    // 90,002 characters of format: six slices of 16,384, with a pause before each but the first
    // (and string.rep's work may bring the hook one more time).
    assert.ok(long.pauses >= 5 && long.pauses <= 6, `${long.pauses} pauses`);
    assert.equal(runPausing(state, 'return string.format(string.rep("%% x", 2000))', '=short').pauses, 0);
  });

  it('the VM asks the step hook between slices: it pauses a started run, and runs nested ones to the end', () => {
    const state = new LuaState();
    const slices: string[] = [];
    // A native of five slices, each charging like work done.
    state.globals.setStr('work', new NativeFunction('work', (args: LuaValue[]) => {
      let left = 5;
      return Request.steps(() => {
        slices.push(`slice ${left}`);
        state.vm.charge(10);
        return --left > 0 ? undefined : [String(args[0]) + ' done'];
      });
    }));
    state.vm.setHook((_vm, frame, canPause) => {
      if (frame.native !== undefined) slices.push(canPause ? 'pause' : 'nested');
      return frame.native !== undefined;
    }, 5);
    const script = 'local a = work("top") local ok, b = pcall(work, "pcall") table.sort({2, 1}, function (x, y) work("sort") return x < y end) return a, b';
    const { values, pauses } = runPausing(state, script, '=hook');
    assert.deepEqual(values, ['top done', 'pcall done']);
    // Four pauses for each of the two calls the run makes itself, none in the comparator's.
    assert.equal(pauses, 8);
    assert.deepEqual(slices.slice(0, 4), ['slice 5', 'pause', 'slice 4', 'pause']);
    assert.ok(slices.includes('nested'));
    // A plain synchronous run: the slices run to the end.
    state.vm.setHook(undefined);
    assert.deepEqual(state.run('return work("sync")', '=sync'), ['sync done']);
  });
});
