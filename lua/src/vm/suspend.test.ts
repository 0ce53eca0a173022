// The VM suspends at a host call and resumes later (async host functions, as the sandbox needs
// them), pauses from its step hook (as the debugger needs), and runs deep Lua recursion without
// growing the JS stack.
import { strict as assert } from 'assert';
import { LuaState } from './state';
import { LuaError, LuaValue, NativeFunction, Request } from './value';
import { LuaTable } from './table';

/** A host function that answers after a timer, through the VM's `await` request. */
function asyncHost(name: string, answer: (args: LuaValue[]) => LuaValue[] | Error, delayMs = 1): NativeFunction {
  return new NativeFunction(name, (args) => new Request('await', args, new Promise((resolve, reject) => {
    setTimeout(() => {
      const result = answer(args);
      if (result instanceof Error) reject(result);
      else resolve(result);
    }, delayMs);
  })));
}

function stateWithHost(log: string[] = []): LuaState {
  const state = new LuaState({ print: (line) => log.push(line) });
  state.globals.setStr('fetch', asyncHost('fetch', (args) => [`data:${String(args[0])}`]));
  state.globals.setStr('double', asyncHost('double', (args) => [(args[0] as number) * 2]));
  state.globals.setStr('fail', asyncHost('fail', () => new Error('backend down')));
  return state;
}

describe('VM suspension at host calls', () => {
  it('suspends at an async host call and resumes with its results, anywhere in Lua code', async () => {
    const log: string[] = [];
    const state = stateWithHost(log);
    const results = await state.runAsync(`
      local function deep(n) if n == 0 then return double(21) end return deep(n - 1) end
      local t = setmetatable({}, {__index = function (_, k) return fetch(k) end})
      local co = coroutine.wrap(function (x) local y = coroutine.yield(double(x)) return fetch(y) end)
      local sum = 0
      for i = 1, 5 do sum = sum + double(i) end
      print(deep(50), t.key, co(4), co("z"), sum)
      return sum, t.other
    `, '=host');
    assert.deepEqual(log, ['42\tdata:key\t8\tdata:z\t30']);
    assert.deepEqual(results, [30, 'data:other']);
  });

  it('turns a rejected host call into a Lua error that pcall catches', async () => {
    const log: string[] = [];
    const state = stateWithHost(log);
    await state.runAsync(`
      local ok, err = pcall(fail)
      print(ok, err)
      print(pcall(function () local v = double(2); error("after " .. v) end))
    `, '=host');
    assert.deepEqual(log, ['false\tbackend down', 'false\thost:4: after 4']);
    await assert.rejects(state.runAsync('fail()', '=boom'), (e: unknown) => e instanceof LuaError && /backend down/.test(e.message));
  });

  it('refuses to suspend inside a callback from a native, with a clear error', async () => {
    const state = stateWithHost();
    const [ok, message] = await state.runAsync(`
      return pcall(table.sort, {3, 1, 2}, function (a, b) return double(a) < double(b) end)
    `, '=sort');
    assert.equal(ok, false);
    assert.match(String(message), /attempt to yield across a C-call boundary/);
  });

  it('runs many suspended scripts concurrently, each with its own state', async () => {
    const runs = Array.from({ length: 20 }, (_, i) => {
      const state = stateWithHost();
      return state.runAsync(`local n = ... local acc = 0 for i = 1, 10 do acc = acc + double(n) end return acc`, '=c', [i]);
    });
    const results = await Promise.all(runs);
    assert.deepEqual(results.map((r) => r[0]), Array.from({ length: 20 }, (_, i) => 20 * i));
  });

  it('goes on with an await\'s continuation: results, another call, or an error', async () => {
    const state = new LuaState({ print: () => undefined });
    const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 1));
    // twice(x): waits for x, then doubles it; thenCall(f, x): waits, then calls f(x) in the loop and adds 1.
    state.globals.setStr('twice', new NativeFunction('twice', (args) => Request.await(later([args[0]]), ([x]) => [(x as number) * 2])));
    state.globals.setStr('thenCall', new NativeFunction('thenCall', (args) => Request.await(later([args[1]]), ([x]) => Request.call(args[0], [x], ([y]) => [(y as number) + 1]))));
    state.globals.setStr('thenFail', new NativeFunction('thenFail', () => Request.await(later([]), () => { throw new LuaError('after the wait'); })));
    const results = await state.runAsync(`
      local a = twice(21)
      local b = thenCall(function (x) return twice(x) + 1 end, 5)
      local ok, message = pcall(thenFail)
      return a, b, ok, message`, '=await');
    assert.deepEqual(results, [42, 12, false, 'after the wait']);
  });

  it('can be driven by hand: start, see the pending host call, resume later', () => {
    const state = new LuaState();
    const pending: LuaValue[][] = [];
    state.globals.setStr('ask', new NativeFunction('ask', (args) => {
      pending.push(args);
      return new Request('await', args, new Promise(() => {}));
    }));
    const fn = state.load('local a = ask("first") local b = ask(a .. "!") return a, b', '=manual');
    assert.ok(typeof fn !== 'string');
    let out = state.start(fn, []);
    assert.equal(out.status, 'suspended');
    assert.deepEqual(pending, [['first']]);
    out = state.vm.resume({ values: ['one'] });
    assert.equal(out.status, 'suspended');
    assert.deepEqual(pending[1], ['one!']);
    out = state.vm.resume({ values: ['two'] });
    assert.deepEqual(out, { status: 'done', values: ['one', 'two'] });
  });

  it('pauses from the step hook before an instruction and continues where it stopped', () => {
    const state = new LuaState();
    const fn = state.load('local s = 0 for i = 1, 100 do s = s + i end return s', '=steps');
    assert.ok(typeof fn !== 'string');
    let steps = 0;
    let pauses = 0;
    state.vm.setHook((_vm, _frame, canPause) => {
      steps++;
      return canPause && steps % 50 === 0;
    }, 1);
    let out = state.start(fn, []);
    while (out.status === 'suspended') {
      pauses++;
      out = state.vm.resume();
    }
    assert.deepEqual(out.values, [5050]);
    assert.ok(steps > 200, `${steps} instructions seen`);
    assert.equal(pauses, Math.floor(steps / 50));
  });

  it('calls the step hook at its own pace, and within the nested interval inside Lua a native called (setHookPace)', () => {
    const state = new LuaState();
    const fn = state.load(`
      local s = 0
      for i = 1, 30000 do s = s + i end
      local t = {} for i = 1, 300 do t[i] = (i * 37) % 301 end
      table.sort(t, function (a, b) mark() local x = 0 for j = 1, 10 do x = x + j end return a < b end)
      for i = 1, 30000 do s = s + i end
      return s, t[1], t[300]`, '=pace');
    assert.ok(typeof fn !== 'string');
    // Where the comparator was first called, and each hook call: where (true: the run could
    // pause there) and the instruction count.
    const marks: number[] = [];
    state.globals.setStr('mark', new NativeFunction('mark', () => {
      marks.push(state.vm.instructions);
      return [];
    }));
    const calls: [boolean, number][] = [];
    state.vm.setHook((vm, _frame, canPause) => {
      calls.push([canPause, vm.instructions]);
      vm.setHookPace(5000, 40);
      return false;
    }, 5000);
    const out = state.start(fn, []);
    assert.deepEqual(out, { status: 'done', values: [900030000, 1, 300] });
    // The instructions between two calls made in the same kind of place.
    const gaps = (where: boolean): number[] => {
      const between: number[] = [];
      for (let i = 1; i < calls.length; i++) if (calls[i][0] === where && calls[i - 1][0] === where) between.push(calls[i][1] - calls[i - 1][1]);
      return between;
    };
    const nested = gaps(false);
    const top = gaps(true);
    // Inside the comparator (a sort's callback), 40 instructions apart at most; elsewhere 5,000.
    assert.ok(nested.length > 100, `${nested.length} nested calls`);
    assert.ok(Math.max(...nested) <= 40, `${Math.max(...nested)}`);
    // The first one too: a call from a native starts within the nested interval, whatever was left of the other.
    const first = calls.find(([canPause]) => !canPause)!;
    assert.ok(first[1] - marks[0] <= 40, `${first[1] - marks[0]}`);
    assert.ok(Math.max(...top) > 4000 && Math.max(...top) <= 5000, `${Math.max(...top)}`);
  });

  it('ends deep Lua recursion with Lua\'s stack overflow error, not a JS RangeError', () => {
    const state = new LuaState();
    const [ok, message] = state.run('local function f(n) return 1 + f(n + 1) end return pcall(f, 1)', '=deep');
    assert.equal(ok, false);
    assert.match(String(message), /stack overflow/);
    // Proper tail calls run in constant space.
    assert.deepEqual(state.run('local function loop(n) if n == 0 then return "done" end return loop(n - 1) end return loop(1e6)', '=tail'), ['done']);
    // Metamethods nest like PUC's C calls: 200 levels, then Lua's "C stack overflow", as lua5.3.
    const meta = state.run(`
      local t = setmetatable({}, {__index = function (t, k) if k == 0 then return 0 end return t[k - 1] + 1 end})
      local ok, err = pcall(function () return t[150000] end)
      return ok, err, t[150]`, '=meta');
    assert.deepEqual(meta, [false, 'meta:2: C stack overflow', 150]);
    assert.ok(state.globals instanceof LuaTable);
  });
});
