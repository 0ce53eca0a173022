// string.dump's writer: byte for byte what `luac5.3 -o` (and `-s`) writes for the same file, and
// round trips through load (same results, and the same bytes when dumped again). Messages and
// modes of load are compared with lua5.3 in lua/test/programs/dump.lua.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compile } from '../compiler/compile';
import { dump, dumpToString } from './dump';
import { hasLuac } from './luac';
import type { Proto } from './proto';
import { LuaState } from './state';
import { undump } from './undump';
import { LuaClosure, LuaValue } from './value';

const PROGRAMS: Record<string, string> = {
  empty: '',
  arith: 'local a, b = 7, 2.5\nreturn a + b, a // 2, a / 2, a % 3, -a, ~a, a << 3, 2^63, math.mininteger, -0.0, 1e999\n',
  strings: `local s = "${'x'.repeat(40)}" .. "${'y'.repeat(41)}" .. "${'z'.repeat(260)}"\nreturn s, "\\0\\200\\255", #s\n`,
  closures: [
    'local n = 0',
    'local function counter(step)',
    '  local own = step * 2',
    '  return function(...)',
    '    n = n + own',
    '    return n, select("#", ...), function() return own, n end',
    '  end',
    'end',
    'local c = counter(3)',
    'c() c(1, 2)',
    'return c()',
  ].join('\n') + '\n',
  control: [
    'local t, s = {}, 0',
    'for i = 1, 10 do t[i] = i * i end',
    'for k, v in ipairs(t) do if v % 2 == 0 then s = s + v elseif v > 50 then goto done end end',
    '::done::',
    'while s > 100 do s = s - 7 end',
    'repeat s = s + 1 until s % 5 == 0',
    'local u = {1, 2, 3, n = t, [10] = "ten", f = function(self) return self.n end}',
    'return s, u:f()[3], #u, t[1] and t[2] or t[3]',
  ].join('\n') + '\n',
  varargs: 'local function f(...) local a, b = ... return {...}, select("#", ...), a, b end\nreturn f(1, nil, 3)\n',
  constants: `local t = {${Array.from({ length: 300 }, (_, i) => `"k${i}"`).join(', ')}}\nreturn t[1] .. t[300], #t\n`,
};

let scratch: string | undefined;

/** luac5.3's binary chunk for `source`, compiled as file `chunk.lua` (chunk name `@chunk.lua`). */
function luacChunk(source: string, strip: boolean): Uint8Array {
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-dump-'));
  fs.writeFileSync(path.join(scratch, 'chunk.lua'), source, 'latin1');
  const run = spawnSync('luac5.3', [...(strip ? ['-s'] : []), '-o', 'chunk.luac', 'chunk.lua'], { cwd: scratch, encoding: 'latin1' });
  assert.equal(run.status, 0, run.stderr);
  return new Uint8Array(fs.readFileSync(path.join(scratch, 'chunk.luac')));
}

function ours(source: string): Proto {
  const p = compile(source, '@chunk.lua');
  assert.ok(typeof p !== 'string', String(p));
  return p;
}

/** Results of a function as comparable text (tables by their contents one level deep). */
function show(state: LuaState, values: LuaValue[]): string {
  return values.map((v) => (v instanceof LuaClosure ? 'function' : state.vm.tostring(v).replace(/0x[0-9a-f]+/, 'ADDR'))).join(',');
}

describe('dump', () => {
  after(() => { if (scratch) fs.rmSync(scratch, { recursive: true, force: true }); });

  it('writes the bytes luac5.3 writes, with and without debug information', function () {
    const available = hasLuac();
    if (!available && process.env.CI === 'true') assert.fail('luac5.3 is required in CI');
    for (const [name, source] of Object.entries(PROGRAMS)) {
      for (const strip of [false, true]) {
        const mine = dump(ours(source), strip);
        if (available) assert.deepEqual(Buffer.from(mine), Buffer.from(luacChunk(source, strip)), `${name}${strip ? ' (stripped)' : ''}`);
        else assert.deepEqual(dump(undump(mine), strip), mine);
      }
    }
  });

  it('round trips through load: the same results, and the same bytes dumped again', () => {
    for (const [name, source] of Object.entries(PROGRAMS)) {
      const state = new LuaState({ print: () => {} });
      const fn = state.load(source, '@chunk.lua');
      assert.ok(fn instanceof LuaClosure);
      const expected = show(state, state.call(fn));
      for (const strip of [false, true]) {
        const chunk = dumpToString(fn.proto, strip);
        const loaded = state.load(chunk, 'chunk');
        assert.ok(loaded instanceof LuaClosure, `${name}: ${String(loaded)}`);
        assert.equal(show(state, state.call(loaded)), expected, name);
        assert.equal(dumpToString(loaded.proto, strip), chunk, `${name} dumped again`);
        // A stripped function has no debug information left to dump (its upvalues are nameless, as
        // in lua5.3: see lua/test/programs/dump.lua), and that too reads back the same.
        const full = dumpToString(loaded.proto, false);
        const reloaded = state.load(full, 'chunk');
        assert.ok(reloaded instanceof LuaClosure);
        assert.equal(dumpToString(reloaded.proto, false), full, `${name} dumped in full twice`);
        if (strip) assert.equal(reloaded.proto.lineInfo.length, 0);
      }
    }
  });

  it('reads what it writes for every function of the official-style programs, nested ones included', () => {
    for (const source of Object.values(PROGRAMS)) {
      const walk = (p: Proto): void => {
        const again = undump(dump(p));
        assert.deepEqual(again.code, p.code);
        assert.deepEqual(again.constants, p.constants);
        assert.deepEqual(again.locVars, p.locVars);
        assert.equal(again.source, p.source, 'a dumped nested function carries its source');
        p.protos.forEach(walk);
      };
      walk(ours(source));
    }
  });

  it('string.dump: natives cannot be dumped; a loaded chunk gets _ENV as its first upvalue', () => {
    const state = new LuaState({ print: () => {} });
    const [ok, message] = state.run('return pcall(string.dump, print)', '=t');
    assert.equal(ok, false);
    assert.equal(message, 'unable to dump given function');
    const results = state.run([
      'local a, b = 1, 2',
      'local function f() return a, b end',
      'local g = load(string.dump(f))',
      'local x, y = g()',
      'local env = {}',
      'return x == _G, y, load(string.dump(f), "=c", "b", env)() == env',
    ].join('\n'), '=t');
    assert.deepEqual(results, [true, undefined, true]);
  });
});
