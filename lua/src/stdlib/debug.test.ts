// The debug library against lua5.3: each program prints what the library reports (getinfo fields,
// locals, upvalues, hook event sequences, tracebacks) and must print exactly what lua5.3 prints.
import { strict as assert } from 'assert';
import { luaCompiler } from '../compiler/compile';
import { LuaState } from '../vm/state';
import { hasLua53, maskAddresses, runOursSource, runReferenceSource } from '../vm/testing/reference';

/** Prints a table's fields in key order (what getinfo returns). */
const DUMP = `
local function dump(t)
  if t == nil then return "nil" end
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    local v = t[k]
    if type(v) == "table" then
      local lines = {}
      for l in pairs(v) do lines[#lines + 1] = l end
      table.sort(lines)
      v = "{" .. table.concat(lines, ",") .. "}"
    elseif type(v) == "function" then
      v = v == print and "print" or "function"
    end
    parts[#parts + 1] = k .. "=" .. tostring(v)
  end
  return table.concat(parts, " ")
end
`;

const PROGRAMS: Record<string, string> = {
  'the frame a finalizer interrupted is named metamethod __gc': `
local seen = {}
setmetatable({}, {__gc = function ()
  for level = 1, 3 do local t = debug.getinfo(level, "nS") seen[#seen + 1] = level .. ":" .. tostring(t.namewhat) .. ":" .. tostring(t.name) .. ":" .. t.what end
end})
collectgarbage()
print(table.concat(seen, " "))
seen = {}
local done = false
setmetatable({}, {__gc = function () local t = debug.getinfo(2, "n") seen[1] = t.namewhat .. ":" .. tostring(t.name) done = true end})
repeat local a = {} until done
print(seen[1])
`,
  'upvalues of library closures (the gmatch iterator)': `
local it = string.gmatch("a1b2", "%a")
print(debug.getupvalue(it, 1))
print(debug.getupvalue(it, 2))
print(select('#', debug.getupvalue(it, 3)), type(select(2, debug.getupvalue(it, 3))))
print(debug.getupvalue(it, 4))
print(it())
print(debug.setupvalue(it, 1, "zzz"))
print(it(), it())
print(debug.upvalueid(it, 1) ~= nil, debug.upvalueid(it, 1) == debug.upvalueid(it, 1), debug.upvalueid(it, 1) ~= debug.upvalueid(it, 2))
print(pcall(debug.upvalueid, it, 4))
print(pcall(debug.upvaluejoin, it, 1, function () return it end, 1))
print(debug.getupvalue(print, 1))
`,
  'getinfo of functions and levels': DUMP + `
local function f(a, b, ...)
  local x = a
  return x
end
print(dump(debug.getinfo(f)))
print(dump(debug.getinfo(f, "S")))
print(dump(debug.getinfo(f, "u")))
print(dump(debug.getinfo(f, "L")))
print(dump(debug.getinfo(print)))
print(dump(debug.getinfo(print, "SluntL")))
print(dump(debug.getinfo(1, "Slnt")))
print(debug.getinfo(100), debug.getinfo(-1))
print(pcall(debug.getinfo, 1, "X"))
print(pcall(debug.getinfo, "x"))
print(pcall(debug.getinfo))
local t = {}
function t.method(self) return debug.getinfo(1, "n") end
function t:m2() return debug.getinfo(1, "n") end
glob = function() return debug.getinfo(1, "nlt") end
local function up() return debug.getinfo(2, "nl") end
local function caller() return up() end
print(dump(t.method()), dump(t:m2()), dump(glob()), dump(caller()))
local function tc() return debug.getinfo(1, "t") end
local function calls_tc() return tc() end
print(dump(calls_tc()), dump((tc())))
for _, lvl in ipairs({0, 1}) do print(lvl, dump(debug.getinfo(lvl, "Sn"))) end
local mt = setmetatable({}, {__index = function() return debug.getinfo(1, "n") end,
  __add = function() return debug.getinfo(1, "n") end})
print(dump(mt.x), dump(mt + 1))
for i in function() return debug.getinfo(1, "n").name end do print(i) break end
local co = coroutine.create(function(x) coroutine.yield(x) end)
coroutine.resume(co, 1)
print(dump(debug.getinfo(co, 0, "Sln")), dump(debug.getinfo(co, 1, "Sl")), debug.getinfo(co, 2))
print(dump(debug.getinfo(load("return 1"), "S")), dump(debug.getinfo(load("x = 1", "=name"), "S")))
print(dump(debug.getinfo(load("\\n\\nlocal function g() end return g", "@file.lua")(), "S")))
`,

  'getlocal and setlocal': `
local function foo(a, b, ...)
  local c = a + b
  print(debug.getlocal(1, 1), debug.getlocal(1, 2), debug.getlocal(1, 3))
  print(debug.getlocal(1, 4), debug.getlocal(1, -1), debug.getlocal(1, -2), debug.getlocal(1, -3))
  print(debug.setlocal(1, 3, 100), c, debug.setlocal(1, -1, "v"), ...)
  print(debug.setlocal(1, 9, 1), debug.setlocal(1, -9, 1))
  local function inner() print(debug.getlocal(2, 1), debug.setlocal(2, 2, 20)) end
  inner()
  print(a, b)
  do local d = 4; print(debug.getlocal(1, 4)) end
  print(debug.getlocal(1, 4))
  return c
end
foo(1, 2, "x", "y")
print(debug.getlocal(foo, 1), debug.getlocal(foo, 2), debug.getlocal(foo, 3), debug.getlocal(print, 1))
local function nonvararg(x) return debug.getlocal(1, -1) end
print(nonvararg(1, 2, 3))
print(pcall(debug.getlocal, 50, 1))
print(pcall(debug.setlocal, 50, 1, 1))
print(pcall(debug.getlocal, 1))
print(debug.getlocal(0, 1), debug.getlocal(0, 2), debug.getlocal(0, 3))
local co = coroutine.create(function(p, ...) local q = p * 2; coroutine.yield() end)
coroutine.resume(co, 21, "va")
print(debug.getlocal(co, 1, 1), debug.getlocal(co, 1, 2), debug.getlocal(co, 1, -1), debug.getlocal(co, 1, 3))
print(debug.setlocal(co, 1, 2, "changed"), debug.getlocal(co, 1, 2))
print(debug.getlocal(co, foo, 1))
print(select("#", debug.getlocal(1, 50)))
`,

  'upvalues': `
local a, b = 1, 2
local function f() return a + b end
local function g() a = a + 1; return a end
print(debug.getupvalue(f, 1), debug.getupvalue(f, 2), debug.getupvalue(f, 3))
print(debug.getupvalue(f, 0), debug.getupvalue(print, 1))
print(debug.setupvalue(f, 2, 40), b, f())
print(debug.setupvalue(f, 3, 1), debug.setupvalue(print, 1, 1))
print(debug.upvalueid(f, 1) == debug.upvalueid(g, 1), debug.upvalueid(f, 1) == debug.upvalueid(f, 2))
print(pcall(debug.upvalueid, f, 3))
print(pcall(debug.upvalueid, print, 1))
debug.upvaluejoin(f, 1, f, 2)
print(f(), debug.upvalueid(f, 1) == debug.upvalueid(f, 2), debug.upvalueid(f, 1) == debug.upvalueid(g, 1))
print(pcall(debug.upvaluejoin, f, 1, print, 1))
print(pcall(debug.upvaluejoin, f, 3, g, 1))
print(pcall(debug.getupvalue, {}, 1))
print(pcall(debug.setupvalue, f, 1))
print(debug.getupvalue(load("return x"), 1))
print(type(debug.upvalueid(f, 1)))
`,

  'hooks: call, return, line and tail call events': `
local out = {}
local function hook(ev, line)
  local info = debug.getinfo(2, "nSl")
  out[#out + 1] = ev .. " " .. tostring(line) .. " " .. tostring(info.name) .. " " .. info.namewhat .. " "
    .. info.short_src .. ":" .. info.currentline .. " " .. info.what
end
local function add(a, b) return a + b end
local function tail(n) if n == 0 then return 0 end return tail(n - 1) end
local t = setmetatable({}, {__index = function(t, k) return k .. "!" end})
debug.sethook(hook, "crl")
local x = add(1, 2)
local y = tail(2)
local z = t.foo
local s = ("x"):rep(3)
for i, v in ipairs({1}) do x = x + v end
pcall(error, "e")
local co = coroutine.wrap(function(a) coroutine.yield(a) return 2 end)
co(1) co()
debug.sethook()
for _, l in ipairs(out) do print(l) end
print(debug.gethook())
`,

  'hooks: errors, callbacks from natives, metamethods, iterators': `
local out = {}
local function hook(ev, line)
  local info = debug.getinfo(2, "nSl")
  out[#out+1] = ev .. " " .. tostring(line) .. " " .. tostring(info.name) .. " " .. info.namewhat .. " " .. info.currentline .. " " .. info.what
end
local function bad() error("x") end
local function cmp(a, b) return a > b end
debug.sethook(hook, "crl")
local ok = pcall(bad)
local s = string.gsub("ab", "%w", function(c) return c .. c end)
local t = {3, 1, 2}
table.sort(t, cmp)
local mt = setmetatable({}, {__add = function(a, b) return 1 end, __concat = function(a, b) return "c" end, __eq = function() return true end})
local r = mt + 1
local c = mt .. "x"
local e = mt == setmetatable({}, getmetatable(mt))
for k, v in next, {1} do r = r + 1 end
local function it(_, i) if i < 2 then return i + 1 end end
for i in it, nil, 0 do r = r + i end
local ok2 = xpcall(bad, function(m) return m end)
debug.sethook()
for _, l in ipairs(out) do print(l) end
`,

  'hooks: counts, masks, per coroutine': `
local x, n = 0, 0
debug.sethook(function(ev) n = n + 1 end, "", 7)
for i = 1, 100 do x = x + i end
debug.sethook()
print("count", n)
local function h() end
debug.sethook(h, "l", 3)
local f, mask, count = debug.gethook()
debug.sethook()
print(f == h, mask, count)
debug.sethook(h, "cr")
f, mask, count = debug.gethook()
debug.sethook()
print(f == h, mask, count, debug.gethook())
local events = {}
local co = coroutine.create(function()
  local a = 1
  coroutine.yield()
  a = a + 1
  return a
end)
debug.sethook(co, function(ev, line) events[#events + 1] = ev .. ":" .. tostring(line) end, "lcr")
print(debug.gethook() == nil, select(2, debug.gethook(co)))
coroutine.resume(co)
local y = 1
coroutine.resume(co)
print(table.concat(events, " "))
local lines = {}
debug.sethook(function(ev, line) lines[#lines + 1] = line end, "l")
local i = 1
while i < 3 do
  i = i + 1
end
debug.sethook()
print(table.concat(lines, " "))
-- the hook is off while it runs
local inner = 0
debug.sethook(function() inner = inner + 1; local z = 0; for k = 1, 3 do z = z + k end end, "l")
local w = 1
w = 2
debug.sethook()
print(inner)
print(pcall(debug.sethook, print))
print(pcall(debug.sethook, 1, "l"))
`,

  'hooks: count events while hooks run, jumps of tests, temporaries': `
local ev = {}
local function f(n) local s = 0 for i = 1, n do s = s + i end return s end
for _, work in ipairs({0, 1, 3}) do
  ev = {}
  debug.sethook(function(e)
    local junk = {}
    for i = 1, work do junk[i] = tostring(i) .. "x" end
    local i = 1
    while true do
      local name, value = debug.getlocal(2, i)
      if not name then break end
      i = i + 1
    end
    ev[#ev + 1] = debug.getinfo(2, "l").currentline .. "/" .. i
  end, "", 3)
  f(4)
  debug.sethook()
  print(work, table.concat(ev, " "))
end
local function body2()
    local i = 1
    while true do
      local name, value = debug.getlocal(2, i)
      if not name then break end
      i = i + 1
    end
    return i
end
ev = {}
debug.sethook(function() local inf = debug.getinfo(2, "Sl") ev[#ev+1] = inf.short_src .. inf.currentline end, "", 1)
body2()
debug.sethook()
print(table.concat(ev, " "))
`,

  'hooks: results in flight stay under a hook': `
local function many() return 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 end
local function sum(...) local s = 0 for i = 1, select("#", ...) do s = s + select(i, ...) end return s end
local seen = {}
debug.sethook(function(ev, line)
  local junk = {}
  for i = 1, 20 do junk[i] = tostring(i) .. "x" end
  local info = debug.getinfo(2, "l")
  local i = 1
  while true do
    local name, value = debug.getlocal(2, i)
    if not name then break end
    if name:sub(1, 1) ~= "(" then seen[#seen + 1] = ev .. ":" .. name .. "=" .. tostring(value) end
    i = i + 1
  end
end, "lr")
local a = sum(many())
local b = {many()}
local c = select("#", many(), many())
debug.sethook()
print(a, #b, c)
print(#seen)
`,

  'hooks: locals of a returning function': `
local function foo (a, b)
  do local x,y,z end
  local c, d = 10, 20
  return
end
local function collectlocals (level)
  for i = 1, 5 do print(debug.getlocal(level + 1, i)) end
end
local function aux ()
  if debug.getinfo(2).name == "foo" then
    collectlocals(2)
  end
end
debug.sethook(aux, "r"); foo(100, 200); debug.sethook()
`,

  'tracebacks': `
local function lvl3() return debug.traceback("msg") end
local function lvl2() return (lvl3()) end
function global_fn() return (lvl2()) end
print(global_fn())
print(debug.traceback("m", 2))
print(debug.traceback(12))
print(debug.traceback({}) ~= nil, type(debug.traceback({})))
print(debug.traceback(nil, 1))
print(debug.traceback("x", 50))
local function tail() return debug.traceback() end
local function calls_tail() return tail() end
print(calls_tail())
local co = coroutine.create(function() local function inner() coroutine.yield() end inner() end)
coroutine.resume(co)
print(debug.traceback(co))
print(debug.traceback(co, "hi", 1))
local dead = coroutine.create(function() local x = nil; return x.y end)
coroutine.resume(dead)
print(debug.traceback(dead))
local function deep(n) if n == 0 then return debug.traceback("deep") end return (deep(n - 1)) end
print(deep(30))
print(pcall(error))
local t = setmetatable({}, {__index = function() return debug.traceback() end})
print(t.x)
debug.sethook(function(ev) print(debug.traceback("in hook")) debug.sethook() end, "l")
local z = 1
`,

  'metatables, registry, user values': `
local t = {}
local mt = {}
print(debug.setmetatable(t, mt) == t, debug.getmetatable(t) == mt)
print(debug.getmetatable(1), debug.setmetatable(10, {__index = function(n, k) return k .. n end}))
print((5).x, (2)[3])
debug.setmetatable(10, nil)
print(pcall(function() return (5).x end))
debug.setmetatable(print, {__index = {name = "fn"}})
print(print.name, (function() end).name)
debug.setmetatable(print, nil)
print(pcall(debug.setmetatable, t, 1))
print(debug.getmetatable("").__index == string)
print(type(debug.getregistry()), debug.getregistry() == debug.getregistry())
print(debug.getuservalue(1), debug.getuservalue(nil))
print(pcall(debug.setuservalue, {}, 1))
print(pcall(debug.setuservalue, debug.upvalueid(function() return t end, 1), 1))
`,
};

function runOurs(source: string): string {
  const r = runOursSource(source, '=stdin', luaCompiler);
  return maskAddresses(r.stdout + r.stderr);
}

describe('debug library (against lua5.3)', function () {
  this.timeout(30000);

  it('has lua5.3 to compare with', () => {
    assert.ok(hasLua53(), 'lua5.3 must be installed');
  });

  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(name, () => {
      const ref = runReferenceSource(source);
      assert.equal(ref.status, 0, ref.stderr);
      assert.equal(runOurs(source), maskAddresses(ref.stdout + ref.stderr));
    });
  }
});

describe('debug library (engine)', () => {
  it('keeps the instruction budget under a hook that loops forever', () => {
    const state = new LuaState({ print: () => {} });
    state.vm.setBudget(100000);
    assert.throws(() => state.run('debug.sethook(function() while true do end end, "l")\nlocal x = 1', '=t'),
      (e: { kind?: string }) => e.kind === 'budget');
  });

  it('charges the instructions a hook runs', () => {
    const state = new LuaState({ print: () => {} });
    state.run('local x = 0 for i = 1, 100 do x = x + i end', '=t');
    const plain = state.vm.instructions;
    const hooked = new LuaState({ print: () => {} });
    hooked.run('debug.sethook(function() local y = 0 for k = 1, 10 do y = y + k end end, "", 1) local x = 0 for i = 1, 100 do x = x + i end debug.sethook()', '=t');
    assert.ok(hooked.vm.instructions > plain * 20, `${hooked.vm.instructions} vs ${plain}`);
  });

  it('keeps the step hook running under a debug hook, and removes neither with the other', () => {
    const state = new LuaState({ print: () => {} });
    let steps = 0;
    state.vm.setHook(() => { steps++; }, 10);
    state.run('debug.sethook(function() end, "crl", 1) local x = 0 for i = 1, 1000 do x = x + i end debug.sethook()', '=t');
    assert.ok(steps >= 200, `${steps} step hook calls`);
    const [hook] = state.run('return debug.gethook()', '=t');
    assert.equal(hook, undefined);
  });

  it('debug.debug reads nothing and returns at once (no console)', () => {
    const state = new LuaState({ print: () => {} });
    assert.deepEqual(state.run('return select("#", debug.debug())', '=t'), [0]);
  });

  it('names in the registry the libraries package.loaded holds', () => {
    const state = new LuaState({ print: () => {} });
    const [names] = state.run('local n = {} for k in pairs(debug.getregistry()._LOADED) do n[#n + 1] = k end table.sort(n) return table.concat(n, " ")', '=t');
    assert.equal(names, '_G coroutine debug io math os package string table utf8');
  });
});
