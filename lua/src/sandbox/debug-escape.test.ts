// The debug library granted to a script: it reaches only what the script could reach anyway, and
// takes none of the sandbox's guards or limits away.
import { strict as assert } from 'assert';
import { parseManifest } from '../contract/manifest';
import type { Contract } from '../contract/manifest';
import { checkAttempts, type Attempt } from './testing/attempts';
import { Sandbox } from './sandbox';
import { LuaState } from '../vm/state';

function contract(limits = { instructions: 200000, timeMs: 2000, memoryBytes: 2_000_000, callDepth: 100, outputBytes: 10000 }): Contract {
  const json = {
    name: 'debug-escape-test',
    version: '1.0.0',
    scripts: ['*.lua'],
    stdlib: { allow: ['debug'] },
    host: { echo: { params: [{ name: 'value', type: 'any' }], returns: 'any' } },
    limits,
  };
  const result = parseManifest(JSON.stringify(json), '/virtual/sandlua.json');
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}

const sandbox = new Sandbox({ manifest: contract(), host: { echo: (v) => v } });
/** Room for instructions, little for memory: memory is the limit reached. */
const roomy = new Sandbox({ manifest: contract({ instructions: 5_000_000, timeMs: 5000, memoryBytes: 300_000, callDepth: 100, outputBytes: 10000 }), host: { echo: (v) => v } });

const ATTEMPTS: Attempt[] = [
  { name: 'debug is granted', source: 'return type(debug.getinfo)', expect: 'ok', output: 'function' },
  // Protected metatables stay.
  { name: 'removing the global guard', source: 'debug.setmetatable(_G, nil)', expect: 'runtime', message: /cannot change a protected metatable/ },
  { name: 'replacing a library guard', source: 'debug.setmetatable(os, {})', expect: 'runtime', message: /cannot change a protected metatable/ },
  // The string metatable is the run's own (see sandbox.ts): replacing it changes this run's strings only.
  { name: 'replacing the string metatable reaches no denied name', source: 'debug.setmetatable("", {__index = os}) return ("").execute', expect: 'forbidden', message: /os\.execute is not granted/ },
  { name: 'denied names still raise after debug.getmetatable', source: 'local mt = debug.getmetatable(os) return os.execute', expect: 'forbidden', message: /os\.execute is not granted/ },
  { name: 'other metatables change as in Lua', source: 'debug.setmetatable(1, {__index = {answer = 42}}) return (1).answer', expect: 'ok', output: 42 },
  // The registry holds only what the script's globals hold.
  {
    name: 'registry libraries are the granted ones',
    source: 'local n = {} for k in pairs(debug.getregistry()._LOADED) do n[#n + 1] = k end table.sort(n) return n',
    expect: 'ok', output: ['_G', 'coroutine', 'debug', 'math', 'os', 'string', 'table', 'utf8'],
  },
  { name: 'registry os is the guarded copy', source: 'return debug.getregistry()._LOADED.os.execute', expect: 'forbidden', message: /os\.execute is not granted/ },
  { name: 'registry globals are the script globals', source: 'return debug.getregistry()[2] == _G', expect: 'ok', output: true },
  {
    name: 'registry holds no functions of the host',
    source: 'local n = 0 for k, v in pairs(debug.getregistry()) do n = n + 1 end return n',
    expect: 'ok', output: 3,
  },
  // Natives show no upvalues, and their locals are their arguments.
  { name: 'no upvalues in natives', source: 'return {debug.getupvalue(print, 1) == nil, debug.getupvalue(echo, 1) == nil, debug.getupvalue(debug.getmetatable(_G).__index, 1) == nil}', expect: 'ok', output: [true, true, true] },
  { name: 'upvalueid of a native', source: 'return debug.upvalueid(echo, 1)', expect: 'runtime', message: /invalid upvalue index/ },
  {
    name: 'locals of a host call are its arguments',
    source: `local seen = {}
      debug.sethook(function (ev)
        local info = debug.getinfo(2, "S")
        if info.what == "C" then
          local i = 1
          while true do
            local name, value = debug.getlocal(2, i)
            if not name then break end
            seen[#seen + 1] = name .. "=" .. tostring(value)
            i = i + 1
          end
        end
      end, "c")
      echo(7)
      debug.sethook()
      return seen`,
    expect: 'ok', output: ['(*temporary)=7', '(*temporary)=nil', '(*temporary)=nil'],
  },
  { name: 'getinfo of a host function', source: 'local i = debug.getinfo(echo) return {i.what, i.nups, i.source}', expect: 'ok', output: ['C', 0, '=[C]'] },
  // Hooks cannot lift the limits.
  { name: 'a hook that loops forever', source: 'debug.sethook(function () while true do end end, "l")\nlocal x = 1', expect: 'budget' },
  { name: 'a count hook that loops forever', source: 'debug.sethook(function () while true do end end, "", 1) local x = 1', expect: 'budget' },
  { name: 'an endless loop after removing hooks', source: 'debug.sethook() while true do end', expect: 'budget' },
  { name: 'an endless loop under a hook', source: 'debug.sethook(function () end, "crl", 1) while true do end', expect: 'budget' },
  { name: 'hook work is charged', source: 'debug.sethook(function () for i = 1, 1000 do end end, "", 1) for i = 1, 1000 do end', expect: 'budget', message: /instruction budget exhausted/ },
  {
    name: 'memory hidden in the registry',
    source: 'local i = 0 while true do i = i + 1 debug.getregistry()[i] = {i} end',
    expect: 'memory', message: /memory limit of 300000 bytes exceeded/, box: roomy,
  },
  {
    name: 'memory held only by a hook',
    source: 'do local t = {} debug.sethook(function () t[#t + 1] = {} end, "", 1) end while true do end',
    expect: 'memory', message: /memory limit of 300000 bytes exceeded/, box: roomy,
  },
  { name: 'deep recursion in a hook', source: 'local function f() return 1 + f() end debug.sethook(f, "l")\nlocal x = 1', expect: 'stack' },
  { name: 'a hook cannot yield', source: 'local co = coroutine.wrap(function () debug.sethook(coroutine.yield, "l")\nlocal x = 1 end) co()', expect: 'runtime', message: /yield across/ },
  { name: 'a hook on a coroutine is charged', source: 'local co = coroutine.create(function () while true do end end) debug.sethook(co, function () end, "l") coroutine.resume(co)', expect: 'budget' },
  { name: 'an error in a hook is an error', source: 'debug.sethook(function () error("from hook") end, "l")\nlocal x = 1', expect: 'runtime', message: /from hook/ },
  { name: 'tracebacks work', source: 'local function f() local s = debug.traceback("t") return s end local r = f() return r', expect: 'ok', output: "t\nstack traceback:\n\tattempt.lua:1: in local 'f'\n\tattempt.lua:1: in main chunk\n\t[C]: in ?" },
];

describe('sandbox escapes through the debug library', function () {
  this.timeout(60000);
  checkAttempts(ATTEMPTS, sandbox);

  it('counts what only the registry or a hook holds', () => {
    const heap = (source: string): number => {
      const state = new LuaState({ print: () => {} });
      state.run(source, '=t');
      return state.vm.gc.measure().bytes;
    };
    const fill = 'local t = {} for i = 1, 2000 do t[i] = {i} end';
    const empty = heap('');
    assert.ok(heap(`do ${fill} debug.getregistry().x = t end`) > empty + 100000);
    assert.ok(heap(`do ${fill} debug.sethook(function () return t end, "l") end`) > empty + 100000);
    assert.ok(heap(`do ${fill} local co = coroutine.create(print) debug.sethook(co, function () return t end, "l") debug.getregistry().co = co end`) > empty + 100000);
  });

  it('leaves the next run without hooks', async () => {
    const first = await sandbox.run('debug.sethook(function () end, "l") return 1', null);
    assert.ok(first.ok);
    const second = await sandbox.run('return {debug.gethook() == nil}', null);
    assert.deepEqual(second.ok && second.output, [true]);
  });
});
