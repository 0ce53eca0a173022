// The library called directly from TypeScript (no compiler needed): budget charging in loops, the
// matcher's depth limit, the injectable random source and clock, and what the sandbox's os library
// leaves out. Behaviour against lua5.3 is compared in stdlib.test.ts.

import * as assert from 'assert';
import { LFloat } from '../vm/number';
import { LuaState } from '../vm/state';
import { LuaTable } from '../vm/table';
import { LuaError, LuaValue, NativeFunction } from '../vm/value';
import { formatHexFloat } from './format';
import { DefaultRandom, RandomSource } from './math';
import type { Clock } from './os';
import { MatchState } from './pattern';

class Budget extends Error {}

/** The budget error, as it comes out of the VM (which may wrap a host exception). */
function isBudget(e: unknown): boolean {
  return e instanceof Budget || (e instanceof LuaError && /^budget exceeded/.test(e.message));
}

function makeState(options: { limit?: number; random?: RandomSource; clock?: Clock } = {}) {
  let used = 0;
  const limit = options.limit ?? Infinity;
  const state = new LuaState({
    compile: () => 'no compiler in these tests',
    charge: (steps) => {
      assert.ok(steps >= 0 && Number.isFinite(steps), `charge(${steps})`);
      used += steps;
      if (used > limit) throw new Budget(`budget exceeded after ${used}`);
    },
    random: options.random,
    clock: options.clock,
  });
  const lib = (name: string, fn: string): NativeFunction => {
    const t = state.globals.get(name) as LuaTable;
    return t.get(fn) as NativeFunction;
  };
  const call = (name: string, fn: string, ...args: LuaValue[]) => state.call(lib(name, fn), args);
  return { state, call, used: () => used };
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof LuaError) return e.message;
    throw e;
  }
  assert.fail('expected a Lua error');
}

describe('stdlib: budget charging', () => {
  it('stops a pathological pattern through the charge callback', () => {
    const { call, used } = makeState({ limit: 100000 });
    // Exponential backtracking: each 'a-' retries every split of the subject.
    const subject = 'a'.repeat(60);
    const pattern = 'a-'.repeat(40) + 'b';
    assert.throws(() => call('string', 'find', subject, pattern), isBudget);
    assert.ok(used() > 100000);
  });

  it('charges gsub, gmatch and find in proportion to the work', () => {
    const { call, used } = makeState();
    call('string', 'gsub', 'x'.repeat(100000), '.', '%0%0');
    const afterGsub = used();
    assert.ok(afterGsub >= 100000, `gsub charged ${afterGsub}`);
    const it = call('string', 'gmatch', 'ab'.repeat(5000), 'a')[0] as NativeFunction;
    for (let i = 0; i < 5000; i++) it.call([]);
    assert.ok(used() >= afterGsub + 5000);
  });

  it('charges string.rep before building the string', () => {
    const { call, used } = makeState({ limit: 1e6 });
    assert.throws(() => call('string', 'rep', 'x', 1e9), isBudget);
    assert.ok(used() >= 1e9 / 16);
    const fresh = makeState({ limit: 1e9 });
    assert.strictEqual(errorOf(() => fresh.call('string', 'rep', 'x', 2 ** 40)), 'resulting string too large');
  });

  it('charges table loops: concat, unpack, insert, remove, move, sort', () => {
    const { state, call, used } = makeState();
    const t = new LuaTable();
    for (let i = 1; i <= 10000; i++) t.setInt(i, i);
    call('table', 'concat', t, ',');
    call('table', 'unpack', t);
    const a = used();
    assert.ok(a >= 20000, `concat and unpack charged ${a}`);
    call('table', 'insert', t, 1, 0);
    call('table', 'remove', t, 1);
    call('table', 'move', t, 1, 10000, 2);
    const b = used();
    assert.ok(b >= a + 30000, `insert/remove/move charged ${b - a}`);
    const u = new LuaTable();
    for (let i = 1; i <= 5000; i++) u.setInt(i, (i * 7919) % 5003);
    call('table', 'sort', u);
    assert.ok(used() >= b + 5000 * 10, `sort charged ${used() - b}`);
    for (let i = 2; i <= 5000; i++) assert.ok((u.getInt(i - 1) as number) <= (u.getInt(i) as number));
    void state;
  });

  it('a budget error from a sort comparator leaves the table as PUC would (partially sorted, no loss)', () => {
    const { call } = makeState({ limit: 3000 });
    const t = new LuaTable();
    for (let i = 1; i <= 2000; i++) t.setInt(i, 2001 - i);
    assert.throws(() => call('table', 'sort', t), isBudget);
    const seen = new Set<LuaValue>();
    for (let i = 1; i <= 2000; i++) seen.add(t.getInt(i));
    assert.strictEqual(seen.size, 2000);
  });
});

describe('stdlib: pattern matcher limits', () => {
  const fail = (m: string) => new LuaError(m);
  it('reports pattern too complex at PUC\'s depth (200 nested calls)', () => {
    const deep = new MatchState('a'.repeat(300), 'a?'.repeat(300), fail, () => {});
    assert.throws(() => deep.match(0, 0), /pattern too complex/);
    const ok = new MatchState('a'.repeat(300), 'a?'.repeat(198), fail, () => {});
    assert.strictEqual(ok.match(0, 0), 198);
  });

  it('never overflows the JS stack, whatever the pattern', () => {
    for (const p of ['('.repeat(10000), 'a*'.repeat(10000), '%b()'.repeat(5000), '[a]'.repeat(20000) + 'x']) {
      const ms = new MatchState('a'.repeat(10000), p, fail, () => {});
      try {
        ms.match(0, 0);
      } catch (e) {
        assert.ok(e instanceof LuaError, String(e));
      }
    }
  });
});

describe('stdlib: injectable sources', () => {
  it('DefaultRandom is the C library random() of glibc (seeded 1 at start)', () => {
    const r = new DefaultRandom();
    assert.deepStrictEqual([r.next31(), r.next31(), r.next31(), r.next31(), r.next31()], [1804289383, 846930886, 1681692777, 1714636915, 1957747793]);
  });

  it('DefaultRandom seeds as srandom() does: the last seed before a draw decides, 0 is 1 (glibc\'s figures)', () => {
    // The seed is applied at the first draw after it (most runs draw none).
    const r = new DefaultRandom(42);
    assert.deepStrictEqual([r.next31(), r.next31()], [71876166, 708592740]);
    r.seed(7);
    r.seed(42);
    assert.deepStrictEqual([r.next31(), r.next31(), r.next31()], [71876166, 708592740, 1483128881]);
    r.seed(0);
    assert.deepStrictEqual(r.next31(), 1804289383);
  });

  it('math.random draws from the given source; randomseed seeds it and discards a value', () => {
    const draws: number[] = [0.5, 0.25, 0.999, 0];
    const seeds: number[] = [];
    let i = 0;
    const source: RandomSource = { next: () => draws[i++ % draws.length], seed: (x) => seeds.push(x) };
    const { call } = makeState({ random: source });
    assert.deepStrictEqual(call('math', 'random'), [0.5]);
    assert.deepStrictEqual(call('math', 'random', 10), [3]);
    assert.deepStrictEqual(call('math', 'random', 1, 1000), [1000]);
    call('math', 'randomseed', 42);
    assert.deepStrictEqual(seeds, [42]);
    assert.strictEqual(i, 4);
    call('math', 'randomseed', -1);
    assert.deepStrictEqual(seeds, [42, 4294967295]);
  });

  it('os.date names the time zone only for a format that shows it (%Z)', () => {
    let named = 0;
    const clock: Clock = { now: () => 1e12, cpu: () => 0, timezoneOffset: () => -90, timezoneName: () => { named++; return 'XST'; } };
    const { call } = makeState({ clock });
    assert.deepStrictEqual(call('os', 'date', '%H:%M %z'), ['03:16 +0130']);
    assert.strictEqual(typeof call('os', 'date')[0], 'string');
    assert.strictEqual(call('os', 'date', '*t').length, 1);
    assert.strictEqual(named, 0);
    assert.deepStrictEqual(call('os', 'date', '%Z %Z'), ['XST XST']);
    assert.ok(named >= 1);
  });

  it('os.time, os.date and os.clock read the given clock', () => {
    const clock: Clock = { now: () => 1e12 + 999, cpu: () => 1.25, timezoneOffset: () => -90, timezoneName: () => 'XST' };
    const { call } = makeState({ clock });
    assert.deepStrictEqual(call('os', 'time'), [1e9]);
    const clockResult = call('os', 'clock')[0];
    assert.ok(typeof clockResult === 'number' && clockResult === 1.25);
    assert.deepStrictEqual(call('os', 'date', '%Y-%m-%d %H:%M:%S %z %Z'), ['2001-09-09 03:16:40 +0130 XST']);
    assert.deepStrictEqual(call('os', 'date', '!%H:%M %Z'), ['01:46 GMT']);
    const t = new LuaTable();
    t.setStr('year', 2001);
    t.setStr('month', 9);
    t.setStr('day', 9);
    t.setStr('hour', 3);
    t.setStr('min', 16);
    t.setStr('sec', 40);
    assert.deepStrictEqual(call('os', 'time', t), [1e9]);
    assert.strictEqual(t.getStr('yday'), 252);
  });

  it('os starts no process, and reads only the environment the state is given', () => {
    const { state, call } = makeState();
    const os = state.globals.get('os') as LuaTable;
    for (const name of ['execute', 'exit', 'remove', 'rename', 'tmpname']) assert.ok(os.get(name) instanceof NativeFunction, name);
    // No shell: system(NULL) is 0, a command exits with 127 as sh does for one it cannot run.
    assert.deepStrictEqual(call('os', 'execute'), [false]);
    assert.deepStrictEqual(call('os', 'execute', 'touch /tmp/never'), [undefined, 'exit', 127]);
    assert.deepStrictEqual(call('os', 'getenv', 'PATH'), [process.env.PATH]);
    const quiet = new LuaState({ compile: () => 'none', getenv: (name) => (name === 'MODE' ? 'test' : undefined) });
    const getenv = (quiet.globals.get('os') as LuaTable).get('getenv') as NativeFunction;
    assert.deepStrictEqual(getenv.call(['MODE']), ['test']);
    assert.deepStrictEqual(getenv.call(['HOME']), [undefined]);
    assert.deepStrictEqual(call('os', 'setlocale'), ['C']);
    assert.deepStrictEqual(call('os', 'setlocale', 'en_US.UTF-8'), [undefined]);
  });
});

describe('stdlib: values', () => {
  it('formats hexadecimal floats as glibc', () => {
    assert.strictEqual(formatHexFloat(1, undefined), '0x1p+0');
    assert.strictEqual(formatHexFloat(0.1, undefined), '0x1.999999999999ap-4');
    assert.strictEqual(formatHexFloat(5e-324, undefined), '0x0.0000000000001p-1022');
    assert.strictEqual(formatHexFloat(1.5, 0), '0x2p+0');
    assert.strictEqual(formatHexFloat(1.03125, 1), '0x1.0p+0'); // 0x1.08p0: a tie, to even
    assert.strictEqual(formatHexFloat(1.09375, 1), '0x1.2p+0'); // 0x1.18p0
    assert.strictEqual(formatHexFloat(-0, undefined, true), '-0x0.p+0');
  });

  it('keeps integer and float subtypes through the math library', () => {
    const { call } = makeState();
    assert.deepStrictEqual(call('math', 'floor', 3.5), [3]);
    assert.ok(call('math', 'abs', '-3')[0] instanceof LFloat);
    assert.deepStrictEqual(call('math', 'abs', -(2n ** 63n)), [-(2n ** 63n)]);
    assert.deepStrictEqual(call('math', 'fmod', -(2n ** 63n), -1), [0]);
    assert.strictEqual(errorOf(() => call('math', 'fmod', 1, 0)), "bad argument #2 to 'math.fmod' (zero)");
  });

  it('works on byte strings, 8-bit clean', () => {
    const { call } = makeState();
    assert.deepStrictEqual(call('string', 'upper', 'a\xe4\0z'), ['A\xe4\0Z']);
    assert.deepStrictEqual(call('string', 'byte', '\xff\0', 1, -1), [255, 0]);
    assert.deepStrictEqual(call('utf8', 'char', 0x10ffff), ['\xf4\x8f\xbf\xbf']);
    assert.deepStrictEqual(call('string', 'find', 'a\0b', '%z'), [2, 2]);
  });
});
