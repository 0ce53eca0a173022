// The readings of require and io calls, and what a module file exports.
import { strict as assert } from 'assert';
import { analyze } from '../syntax/scope';
import { parse } from '../syntax/parser';
import { accessAllows, fileUses, modeNeed, moduleExports, requireUses } from './modules';
import { chunkGlobals } from './paths';

const scopeOf = (source: string) => analyze(parse(source).chunk);

describe('the globals a chunk defines', () => {
  it('reads plain writes, writes through _G and _ENV, and rawset with a literal name', () => {
    const g = chunkGlobals(scopeOf('x = 1\n_G.y = 2\n_ENV.z = 3\nrawset(_G, "w", 4)\nprint(rawget(_G, "v"))\nfunction f() end\nlocal l = 1\nl = 2'));
    assert.deepEqual([...g.names].sort(), ['f', 'w', 'x', 'y', 'z']);
    assert.equal(g.open, false);
  });

  it('is open where the global table escapes, is indexed by a computed name or code is loaded', () => {
    for (const source of ['local env = _G', 'for k in pairs(_G) do end', '_G[k] = 1', 'rawset(_G, k, 1)', 'load("x = 1")()', 'dofile("a.lua")', 'setmetatable(_ENV, {})']) {
      assert.equal(chunkGlobals(scopeOf(source)).open, true, source);
    }
    for (const source of ['print(rawget(_G, "x"))', 'rawset(_G, "x", 1)', 'local t = {}\nt[k] = 1', 'print(_G.x)']) {
      assert.equal(chunkGlobals(scopeOf(source)).open, false, source);
    }
  });
});

describe('modules and files: reading calls', () => {
  it('reads require with a literal name, through aliases and _ENV, in every call style', () => {
    const uses = requireUses(scopeOf('local a = require("a.b")\nlocal b = require "c"\nlocal r = require\nlocal c = r [[d]]\nlocal e = _ENV.require("e")\nlocal f = require(x)\nlocal g = t:require("no")'));
    assert.deepEqual(uses.map((u) => u.name), ['a.b', 'c', 'd', 'e']);
  });

  it('reads io.open and io.lines paths and what their modes need', () => {
    const uses = fileUses(scopeOf('io.open("a")\nio.open("./b//c", "wb")\nio.open("d", m)\nio.open("e", "x")\nio.lines("f", "l")\nio.lines()\nlocal o = io.open; o("../g", "a+")\nio.open(p)'));
    assert.deepEqual(uses.map((u) => [u.fn, u.path, u.normalized, u.need]), [
      ['io.open', 'a', 'a', 'read'],
      ['io.open', './b//c', 'b/c', 'write'],
      ['io.open', 'd', 'd', undefined],
      ['io.open', 'e', 'e', undefined],
      ['io.lines', 'f', 'f', 'read'],
      ['io.open', '../g', undefined, 'read-write'],
    ]);
    assert.match(uses[5].outside!, /no '\.\.'/);
  });

  it('reads UTF-8 paths as text', () => {
    assert.equal(fileUses(scopeOf('io.open("données/é.csv")'))[0].path, 'données/é.csv');
  });

  it('knows the modes Lua accepts and what each declared access allows', () => {
    assert.deepEqual(['r', 'rb', 'w', 'a', 'r+', 'w+b', 'a+', 'x', 'rw', ''].map(modeNeed), ['read', 'read', 'write', 'write', 'read-write', 'read-write', 'read-write', undefined, undefined, undefined]);
    assert.equal(accessAllows('read', 'read'), true);
    assert.equal(accessAllows('read', 'write'), false);
    assert.equal(accessAllows('write', 'read-write'), false);
    assert.equal(accessAllows('read-write', 'write'), true);
  });
});

describe('modules and files: what a module exports', () => {
  it('reads a table built up in a local and returned', () => {
    const fields = moduleExports([
      '-- The module.',
      'local M = {}',
      '',
      '--- Adds.',
      '--- Two numbers.',
      'function M.add(a, b) return a + b end',
      'local function helper(x, ...) end',
      'M.helper = helper',
      'M["PI"] = 3.14',
      'M.neg = -1',
      'do',
      '  M.inner = function() end -- not a doc',
      'end',
      'function M:method(x) end',
      'local n = 1 -- about n',
      'M.count = n',
      'return M',
    ].join('\n'));
    assert.deepEqual(fields.map((f) => [f.name, f.kind, f.signature, f.doc, f.method]), [
      ['add', 'function', 'add(a, b)', 'Adds.\nTwo numbers.', undefined],
      ['helper', 'function', 'helper(x, ...)', undefined, undefined],
      ['PI', 'value', 'number', undefined, undefined],
      ['neg', 'value', 'integer', undefined, undefined],
      ['inner', 'function', 'inner()', undefined, undefined],
      ['method', 'function', 'method(x)', undefined, true],
      ['count', 'value', 'value', undefined, undefined],
    ]);
  });

  it('reads a returned table constructor, and starts over when the local is declared again', () => {
    assert.deepEqual(moduleExports('return { f = function(a) end, n = 1, "positional", [k] = 2, t = {} }').map((f) => f.signature), ['f(a)', 'integer', 'table']);
    assert.deepEqual(moduleExports('local M = { a = 1 }\nM.b = 2\nlocal M = { c = true }\nreturn M').map((f) => f.name), ['c']);
  });

  it('gives nothing for what it cannot read, and never throws', () => {
    assert.deepEqual(moduleExports('return make()'), []);
    assert.deepEqual(moduleExports('print("no return")'), []);
    assert.deepEqual(moduleExports('local M = {}\nfunction M.f( end'), []);
    assert.deepEqual(moduleExports('return {' + 'x.'.repeat(5000)), []);
  });
});
