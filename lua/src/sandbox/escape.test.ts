// Attempts to get out of the sandbox, or to take the host down from inside it. Each must end in the
// expected error kind (or the expected harmless value), in bounded time, with the host healthy:
// the process keeps running, the next run works, and nothing is written outside the sandbox.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseManifest } from '../contract/manifest';
import type { Contract } from '../contract/manifest';
import { checkAttempts, type Attempt } from './testing/attempts';
import { Sandbox } from './sandbox';

function contract(extra: Record<string, unknown> = {}): Contract {
  const json = {
    name: 'escape-test',
    version: '1.0.0',
    scripts: ['*.lua'],
    host: {
      echo: { params: [{ name: 'value', type: 'any' }], returns: 'any' },
      'tools.note': { params: [{ name: 'text', type: 'string', maxLength: 100 }], returns: 'nil' },
    },
    limits: { instructions: 200000, timeMs: 2000, memoryBytes: 2_000_000, callDepth: 100, outputBytes: 10000 },
    ...extra,
  };
  const result = parseManifest(JSON.stringify(json), '/virtual/sandlua.json');
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-escape-'));
const marker = path.join(scratch, 'pwned');

const sandbox = new Sandbox({
  manifest: contract(),
  host: {
    echo: (v) => v,
    'tools.note': () => undefined,
  },
});
// A contract that grants string.rep and load back (the official test suite needs load, say).
const generous = new Sandbox({ manifest: contract({ stdlib: { allow: ['load', 'string.rep'] }, limits: { instructions: 1000000, timeMs: 2000, memoryBytes: 2_000_000, callDepth: 100, outputBytes: 10000 } }), host: { echo: (v) => v, 'tools.note': () => undefined } });

const ATTEMPTS: Attempt[] = [
  // The standard library's dangerous corners.
  { name: 'os.execute', source: `os.execute("touch ${marker}")`, expect: 'forbidden', message: /os\.execute is not granted by escape-test \(sandlua\.json\)/ },
  { name: 'io.open', source: `io.open("${marker}", "w")`, expect: 'forbidden', message: /io is not granted/ },
  { name: 'io.popen through _G', source: `_G.io.popen("id")`, expect: 'forbidden' },
  { name: 'require', source: 'require("os")', expect: 'forbidden', message: /require is not granted/ },
  { name: 'dofile', source: 'dofile("/etc/passwd")', expect: 'forbidden' },
  { name: 'loadfile', source: 'loadfile("/etc/passwd")', expect: 'forbidden' },
  { name: 'load', source: 'load("return 1")()', expect: 'forbidden', message: /load is not granted/ },
  { name: 'loadstring (5.1): nil, as in lua5.3', source: 'loadstring("return 1")', expect: 'runtime' },
  { name: 'debug library', source: 'debug.getregistry()', expect: 'forbidden', message: /debug is not granted/ },
  { name: 'package.loaded', source: 'return package.loaded', expect: 'forbidden' },
  { name: 'collectgarbage', source: 'collectgarbage("count")', expect: 'forbidden' },
  { name: 'os.exit', source: 'os.exit(1)', expect: 'forbidden' },
  { name: 'os.getenv', source: 'return os.getenv("HOME")', expect: 'forbidden' },
  { name: 'os.remove', source: `os.remove("${marker}")`, expect: 'forbidden' },
  { name: 'string.dump', source: 'string.dump(print)', expect: 'forbidden', message: /string\.dump is not granted/ },
  // Names in disguise.
  { name: '_ENV["require"]', source: 'return _ENV["require"]', expect: 'forbidden' },
  { name: 'computed global name', source: 'local n = "lo" .. "ad" return _ENV[n]', expect: 'forbidden' },
  { name: 'rawget of the globals', source: 'return {rawget(_G, "load") == nil, rawget(_G, "io") == nil}', expect: 'ok', output: [true, true] },
  { name: 'string metatable to dump', source: 'return ("").dump', expect: 'forbidden', message: /string\.dump/ },
  { name: 'getmetatable("").__index is the script\'s string library', source: 'return {getmetatable("").__index == string, getmetatable("").__metatable == nil}', expect: 'ok', output: [true, true] },
  { name: 'the string metatable is the run\'s own: changing it reaches no denied name', source: 'local mt = getmetatable("") mt.__index = function(s, k) return k end return ("").dump', expect: 'ok', output: 'dump' },
  { name: 'the string metatable still leads to the guard of denied fields', source: 'local mt = getmetatable("") return mt.__index.dump', expect: 'forbidden', message: /string\.dump is not granted/ },
  { name: 'local alias of os', source: 'local o = os local x = o.execute', expect: 'forbidden' },
  { name: 'pairs over a library finds no denied field', source: 'local n = {} for k in pairs(os) do n[#n + 1] = k end table.sort(n) return n', expect: 'ok', output: ['clock', 'date', 'difftime', 'time'] },
  { name: 'replacing the global metatable', source: 'setmetatable(_G, nil)', expect: 'runtime', message: /protected metatable/ },
  { name: 'replacing a library metatable', source: 'setmetatable(os, {})', expect: 'runtime', message: /protected metatable/ },
  { name: 'a new _ENV does not bring the library back', source: 'local _ENV = setmetatable({}, {__index = _G}) return io', expect: 'forbidden' },
  { name: 'load granted: chunks get the sandbox environment', source: 'return load("return io")()', expect: 'forbidden', box: generous },
  { name: 'load granted: a broken binary chunk is an error value', source: 'return select(2, load("\\27Lua"))', expect: 'ok', output: 'binary string: truncated precompiled chunk', box: generous },
  // JavaScript must not show through.
  { name: '__proto__ of a table', source: 'return {({}).__proto__ == nil, ({}).constructor == nil}', expect: 'ok', output: [true, true] },
  { name: 'constructor of a string', source: 'return {("x").constructor == nil, ("x").toString == nil}', expect: 'ok', output: [true, true] },
  { name: 'prototype keys of the globals', source: 'return {__proto__ == nil, constructor == nil, hasOwnProperty == nil, valueOf == nil}', expect: 'ok', output: [true, true, true, true] },
  { name: 'prototype keys of a host table', source: 'return {tools.constructor == nil, tools.__proto__ == nil}', expect: 'ok', output: [true, true] },
  { name: 'functions cannot reach the host', source: 'return echo(print)', expect: 'runtime', message: /function, which cannot leave the sandbox/ },
  { name: 'cyclic table to the host', source: 'local t = {} t.t = t return echo(t)', expect: 'runtime', message: /cycle/ },
  { name: 'deep table to the host', source: 'local t = {} for i = 1, 200 do t = {t} end return echo(t)', expect: 'runtime', message: /nested more than 100/ },
  { name: 'host argument constraints', source: 'tools.note(string.rep("x", 200))', expect: 'runtime', box: generous, message: /bad argument #1 to 'note'/ },
  // CPU and memory bombs, in Lua and in library functions.
  { name: 'endless loop', source: 'while true do end', expect: 'budget' },
  { name: 'endless loop under pcall', source: 'while true do pcall(function () while true do end end) end', expect: 'budget' },
  { name: 'pathological pattern', source: 'return string.find(("a"):rep(1e5), ".-.-.-.-b$")', expect: 'budget', box: generous },
  { name: 'huge string.rep', source: 'return #string.rep("x", 1e9)', expect: 'memory', box: generous },
  { name: 'string doubling', source: 'local s = "x" while true do s = s .. s end', expect: 'memory' },
  { name: 'table growth', source: 'local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end', expect: 'memory' },
  { name: 'table.concat of a large table', source: 'local t = {} for i = 1, 12 do t[i] = ("y"):rep(100000) .. i end return #table.concat(t, ",")', expect: 'memory', box: generous, message: /memory limit of 2000000 bytes exceeded/ },
  { name: 'string.format width', source: 'return string.format("%099d", 1):rep(1e6)', expect: 'memory', box: generous },
  { name: 'gsub explosion', source: 'local s = ("ab"):rep(1000) for i = 1, 5 do s = s:gsub("a", ("a"):rep(100)) end', expect: 'memory', box: generous },
  { name: 'deep recursion', source: 'local function f() return 1 + f() end return f()', expect: 'stack' },
  { name: 'deep recursion through __index', source: 'local t = setmetatable({}, {}) getmetatable(t).__index = function (s, k) return s[k] end return t.x', expect: 'stack' },
  { name: 'recursion through coroutines', source: 'local function f() return coroutine.wrap(f)() end return f()', expect: 'stack' },
  { name: 'coroutine spin', source: 'local co = coroutine.wrap(function () while true do coroutine.yield() end end) while true do co() end', expect: 'budget' },
  { name: 'sort with a lying comparator', source: 'local t = {} for i = 1, 1000 do t[i] = i end table.sort(t, function () return true end)', expect: 'runtime', message: /invalid order function/ },
  // Error objects that misbehave.
  { name: 'error with a __tostring that loops', source: 'error(setmetatable({}, {__tostring = function () while true do end end}))', expect: 'runtime', message: /error object is a table value/ },
  { name: 'error object that is a function', source: 'error(print)', expect: 'runtime', message: /error object is a function value/ },
  { name: 'output with a __tostring that loops', source: 'return setmetatable({}, {__tostring = function () while true do end end, __index = function () while true do end end})', expect: 'ok', output: {} },
  { name: 'output with functions', source: 'return {f = print}', expect: 'output', message: /function/ },
  { name: 'output too large', source: 'local t = {} for i = 1, 5000 do t[i] = i end return t', expect: 'output', message: /more than the limit/ },
  { name: 'writing the input', source: 'input = {}', expect: 'runtime', message: /read-only/ },
  // The host's own failures.
  { name: 'host throws', source: 'return echo(setmetatable({}, {}))', expect: 'ok', output: {} },
];

describe('sandbox escapes', function () {
  this.timeout(60000);
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('has at least 40 attempts', () => {
    assert.ok(ATTEMPTS.length >= 40, `${ATTEMPTS.length} attempts`);
  });

  checkAttempts(ATTEMPTS, sandbox, () => assert.ok(!fs.existsSync(marker), 'something was written outside the sandbox'));

  it('leaves the host healthy: the next run works and runs do not see each other', async () => {
    const first = await generous.run('string.upper = nil; x_global = 1; return {#string.rep("a", 3)}', null);
    assert.ok(first.ok);
    const second = await generous.run('return {string.upper("a"), x_global == nil}', null);
    assert.deepEqual(second.ok && second.output, ['A', true]);
  });

  it('keeps a changed string metatable to the run that changed it', async () => {
    const first = await generous.run('local mt = getmetatable("") mt.__index = nil mt.__add = function() return 1 end return {("a" + {}) == 1}', null);
    assert.deepEqual(first.ok && first.output, [true]);
    const second = await generous.run('return {("a"):upper(), getmetatable("").__add == nil, getmetatable("").__index == string}', null);
    assert.deepEqual(second.ok && second.output, ['A', true, true]);
  });
});
