// Tables' fields (string keys, kept in a plain object: table.ts) against lua5.3: names a
// JavaScript object would treat specially, string keys that look like numbers, traversals that
// clear and re-set fields, tombstones swept, and fields of weak tables. Each program prints in an
// order of its own making (sorted keys), so that the traversal order is free as in Lua.
import { strict as assert } from 'assert';
import { luaCompiler } from '../compiler/compile';
import { hasLua53, runOursSource, runReferenceSource } from './testing/reference';
import { LuaTable } from './table';

const PROGRAMS = {
  'names with a meaning in JavaScript': `
    local t = {}
    local names = {"__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype", "length", "__index", ""}
    for i, k in ipairs(names) do t[k] = i end
    local seen = {}
    for k, v in pairs(t) do seen[#seen + 1] = k .. "=" .. v end
    table.sort(seen)
    print(table.concat(seen, " "), t.__proto__, t.constructor, rawget(t, "toString"), t.nothing)
    t.__proto__ = nil
    print(t.__proto__, next({}), rawlen(t))`,
  'string keys that look like numbers are not numbers': `
    local t = {}
    t["1"] = "s1"; t[1] = "n1"; t["01"] = "s01"; t["1.0"] = "s1.0"; t[2.0] = "n2"; t["4294967295"] = "big"; t["-0"] = "m0"
    local seen = {}
    for k, v in pairs(t) do seen[#seen + 1] = type(k) .. ":" .. tostring(k) .. "=" .. v end
    table.sort(seen)
    print(table.concat(seen, " "), #t, t[1], t["1"], t[2], t["2"])`,
  'clearing fields during a traversal, then setting them again': `
    local t = {}
    for i = 1, 200 do t["k" .. i] = i end
    local n, sum = 0, 0
    for k, v in pairs(t) do
      if v % 3 == 0 then t[k] = nil else t[k] = v * 2 end
      n = n + 1
    end
    for k, v in pairs(t) do sum = sum + v end
    for i = 1, 200, 3 do t["k" .. i] = -i end
    local count = 0
    for k in pairs(t) do count = count + 1 end
    -- next from k4 works (whether another key follows it is the hash order: lua5.3's varies by run).
    print(n, sum, count, t.k3, t.k4, (pcall(next, t, "k4")))`,
  'many cleared fields are swept when new ones come, and traversals still end': `
    local t = {}
    for round = 1, 50 do
      for i = 1, 40 do t["r" .. round .. "_" .. i] = i end
      for i = 1, 40 do t["r" .. round .. "_" .. i] = nil end
    end
    t.last = true
    local count = 0
    for k, v in pairs(t) do count = count + 1 end
    print(count, t.last, t.r1_1, next(t))`,
  'next from a cleared field, and from one that never was': `
    local t = {a = 1, b = 2, c = 3}
    local k = next(t)
    t[k] = nil
    local rest = 0
    local key = k
    repeat key = next(t, key) if key then rest = rest + 1 end until key == nil
    print(rest, pcall(next, t, "zzz"))`,
  'weak values among fields': `
    local t = setmetatable({}, {__mode = "v"})
    t.kept = {}
    local hold = t.kept
    t.gone = {}
    t.text = "stays"
    collectgarbage()
    collectgarbage()
    print(t.kept == hold, t.gone, t.text)`,
  'a table of more than 8,192 fields (kept in its Map): reads, writes, clears during a traversal, next': `
    local t = {}
    for i = 1, 10000 do t["k" .. i] = i end
    t[1], t[2.5] = "one", "float"
    local n, sum = 0, 0
    for k, v in pairs(t) do
      if type(k) == "string" then
        if v % 3 == 0 then t[k] = nil else t[k] = v * 2 end
      end
      n = n + 1
    end
    for k, v in pairs(t) do if type(v) == "number" then sum = sum + v end end
    for i = 1, 10000, 3 do t["k" .. i] = -i end
    local count = 0
    for k in pairs(t) do count = count + 1 end
    print(n, sum, count, t.k3, t.k4, rawget(t, "k7"), t[1], t[2.5], #t, next(t, "k4") ~= nil, pcall(next, t, "nope"))
    t.k4 = nil
    print(t.k4, select("#", next(t, "k5")))`,
  'methods, metatables and weak tables of many fields': `
    local Class = {}
    Class.__index = Class
    for i = 1, 9000 do Class["m" .. i] = function(self) return i end end
    function Class:who() return "class" end
    local obj = setmetatable({}, Class)
    for i = 1, 9000 do obj["f" .. i] = i end
    local Small = { who = function() return "small class" end }
    Small.__index = Small
    local own = setmetatable({}, Small)
    for i = 1, 9000 do own["f" .. i] = i end
    function own:who() return "own" end
    local a, b, c = 0, nil, nil
    for i = 1, 3000 do a = a + obj:m5() + obj:m8999(); b = obj:who(); c = own:who() end
    print(a, b, c, obj.f9000, obj.m1(own))
    local weak = {}
    for i = 1, 9000 do weak["w" .. i] = i end
    weak.__mode = "v"
    local cache = setmetatable({}, weak)
    cache.kept = {}
    local hold = cache.kept
    cache.gone = {}
    local closed = 0
    local mt = {}
    for i = 1, 9000 do mt["x" .. i] = i end
    mt.__gc = function() closed = closed + 1 end
    setmetatable({}, mt)
    collectgarbage()
    collectgarbage()
    print(cache.kept == hold, cache.gone, closed)`,
};

describe('VM: tables\' fields against lua5.3', () => {
  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(name, function () {
      if (!hasLua53()) this.skip();
      const expected = runReferenceSource(source);
      assert.equal(expected.status, 0, expected.stderr);
      assert.deepEqual(runOursSource(source, '=table', luaCompiler), expected);
    });
  }

  it('finds a field by its value, and forgets nothing of a table that has fields', () => {
    const t = new LuaTable();
    t.setStr('constructor', 1);
    t.setStr('__proto__', 2);
    t.set(3, 'three');
    assert.equal(t.findKeyOf(2), '__proto__');
    assert.equal(t.get('constructor'), 1);
    assert.equal(t.getStr('toString'), undefined);
    assert.equal(t.fieldCount, 2);
    const keys: unknown[] = [];
    for (let e = t.next(undefined); e; e = t.next(e[0])) keys.push(e[0]);
    assert.deepEqual(keys.sort(), [3, '__proto__', 'constructor'].sort());
  });

  it('takes a field out without a tombstone (removeField), cleared or not, and with many fields too', () => {
    const keys = (t: LuaTable): unknown[] => {
      const out: unknown[] = [];
      for (let e = t.next(undefined); e; e = t.next(e[0])) out.push(e[0]);
      return out.sort();
    };
    const t = new LuaTable();
    for (const k of ['a', 'b', 'c', 'd']) t.setStr(k, k);
    t.removeField('b');
    t.setStr('c', undefined);
    t.removeField('c');
    t.removeField('absent');
    assert.equal(t.fieldCount, 2);
    assert.deepEqual(keys(t), ['a', 'd']);
    assert.equal(t.getStr('b'), undefined);
    t.setStr('b', 'again');
    assert.equal(t.fieldCount, 3);
    assert.deepEqual(keys(t), ['a', 'b', 'd']);
    const many = new LuaTable();
    for (let i = 0; i <= 8192; i++) many.setStr(`k${i}`, i);
    many.removeField('k7');
    assert.equal(many.getStr('k7'), undefined);
    assert.equal(many.getStr('k8'), 8);
    assert.equal(keys(many).length, 8192);
  });
});
