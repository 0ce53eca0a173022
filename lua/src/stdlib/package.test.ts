// `require` and `package` on a plain LuaState, compared with lua5.3 on real module files in a
// temporary folder: package.loaded and preload, the searchers' order and messages, searchpath,
// what loaders get and return, modules requiring modules, and cycles. Then what only this engine
// does: no dynamic libraries, and module code running in the VM's loop (host calls wait in it).

import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { luaCompiler } from '../compiler/compile';
import { LuaState } from '../vm/state';
import { LuaTable } from '../vm/table';
import { LuaError, LuaValue, NativeFunction, Request } from '../vm/value';
import { hasLua53, maskAddresses, runOursSource } from '../vm/testing/reference';

interface Case {
  name: string;
  /** Module files, relative to the case's folder. */
  files: Record<string, string>;
  /** The main script; `DIR` is the case's folder, package.path/cpath point into it. */
  main: string;
}

const CASES: Case[] = [
  {
    name: 'package.loaded holds _G, the libraries and package; require returns them',
    files: {},
    main: `
      print(require "string" == string, require "table" == table, require "math" == math)
      print(require "coroutine" == coroutine, require "os" == os, require "utf8" == utf8)
      print(require "_G" == _G, require "package" == package, package.loaded.package == package)
      print(type(package.loaded), type(package.preload), type(package.searchers), #package.searchers)
      print(type(package.path), type(package.cpath), (string.gsub(package.config, "\\n", "|")))
      print(pcall(require), pcall(require, {}))
      package.loaded.x = "already"
      package.loaded["12"] = "twelve"
      print(require "x", require(12))
    `,
  },
  {
    name: 'preload: the loader gets the name, its result (or true) is stored; false reloads',
    files: {},
    main: `
      local calls = 0
      package.preload.p = function (...) calls = calls + 1; print("loader", select("#", ...), ...); return { n = calls } end
      local p = require "p"
      print(p.n, require "p" == p, package.loaded.p == p, calls)
      package.preload.q = function () end
      print(require "q", package.loaded.q)
      package.preload.r = function (name) package.loaded[name] = "set by r" end
      print(require "r")
      package.preload.f = function () calls = calls + 1; return false end
      print(require "f", require "f", calls, package.loaded.f)
      package.preload.multi = function () return 1, 2, 3 end
      print(require "multi")
      package.preload.err = function () error("in loader") end
      print(pcall(require, "err"))
      print(package.loaded.err)
      -- A new preload table is not where require looks.
      local old = package.preload
      package.preload = { z = function () return "new" end }
      print(pcall(require, "z"))
      package.preload = old
    `,
  },
  {
    name: 'the not-found message lists every searcher, path and cpath template',
    files: {},
    main: `
      print(pcall(require, "nosuch"))
      print(pcall(require, "a.b.c"))
      package.path = DIR .. "/?.lua;;" .. DIR .. "/?.luac;" .. DIR .. "/?/?.lua"
      print(pcall(require, "x.y"))
      package.path = 42
      print(pcall(require, "n"))
      package.path = {}
      print(pcall(require, "n"))
      package.path = DIR .. "/?.lua"
      package.cpath = true
      print(pcall(require, "n"))
    `,
  },
  {
    name: 'searchers: order, added searchers, messages, extra values, bad tables',
    files: { 'mod.lua': 'return { args = { ... } }' },
    main: `
      table.insert(package.searchers, 1, function (name) print("first sees", name); return "\\n\\tfirst: no " .. name end)
      table.insert(package.searchers, function (name) return 7 end)
      table.insert(package.searchers, function (name) return nil, "ignored" end)
      table.insert(package.searchers, function (name) return {} end)
      print(pcall(require, "gone"))
      local m = require "mod"
      print(#m.args, m.args[1], m.args[2] == DIR .. "/mod.lua")
      table.insert(package.searchers, 2, function (name)
        if name == "virtual" then return function (n, extra) return { n = n, extra = extra } end, "data" end
      end)
      local v = require "virtual"
      print(v.n, v.extra)
      package.searchers[2] = nil
      print(pcall(require, "virtual2"))
      package.searchers = { 5 }
      print(pcall(require, "q"))
      package.searchers = "x"
      print(pcall(require, "q"))
      package.searchers = setmetatable({}, { __index = function (t, i) return function () return "\\n\\tmeta " .. i end end })
      print(pcall(require, "q"))
    `,
  },
  {
    name: 'searchpath: separators, templates, NUL, messages',
    files: { 'a/b.lua': '', 'XXxX': '', 'a.b': '', 'C.lua': '' },
    main: `
      print(package.searchpath("a.b", DIR .. "/?.lua") == DIR .. "/a/b.lua")
      print(package.searchpath("a.b", DIR .. "/?", "") == DIR .. "/a.b")
      print(package.searchpath("--x-", DIR .. "/?", "-", "X") == DIR .. "/XXxX")
      print(package.searchpath("C.lua", DIR .. "/?", "", "") == DIR .. "/C.lua")
      print(package.searchpath("no", "x/?;;y/??;;;"))
      print(package.searchpath("no", ""))
      print(package.searchpath("no", "a?\\0?"))
      print(package.searchpath("a\\0b", "x/?"))
      print(package.searchpath("a.b", "?", ".", "\\0"))
      print(pcall(package.searchpath))
      print(pcall(package.searchpath, "x"))
      print(package.searchpath(1.5, "?"))
    `,
  },
  {
    name: 'modules from files: arguments, results, submodules, init.lua, errors',
    files: {
      'names.lua': 'return { ... }',
      'nothing.lua': 'X_LOADED = (X_LOADED or 0) + 1',
      'pkg/init.lua': 'return { name = ..., inner = require(... .. ".inner") }',
      'pkg/inner.lua': 'return "inner of " .. ...',
      'err.lua': 'B = 15; local a = nil; return a.field',
      'synerr.lua': 'B =',
      'hash.lua': '#!/usr/bin/lua\nreturn debug_line()',
      'false.lua': 'return false',
      'dir.lua/init.lua': 'return "a folder named dir.lua"',
    },
    main: `
      debug_line = function () return select(2, pcall(error, "here", 3)) end
      local n = require "names"
      print(n[1], n[2] == DIR .. "/names.lua", #n)
      print(require "nothing", require "nothing", X_LOADED)
      local p = require "pkg"
      print(p.name, p.inner, package.loaded["pkg.inner"])
      print(pcall(require, "err"))
      print(B, package.loaded.err)
      print(pcall(require, "synerr"))
      print((string.gsub(require "hash", DIR, "DIR")))
      print(require "false", package.loaded["false"])
    `,
  },
  {
    name: 'a module requiring another, and cycles as Lua handles them',
    files: {
      'A.lua': 'ORDER = (ORDER or "") .. "A"; local b = require "B"; return { b = b }',
      'B.lua': 'ORDER = (ORDER or "") .. "B"; return "B sees A as " .. tostring(package.loaded.A)',
      'early.lua': 'package.loaded[...] = "partial"; local other = require "other"; return "done, other saw " .. other',
      'other.lua': 'return tostring(require "early")',
    },
    main: `
      local a = require "A"
      print(ORDER, a.b, require "A" == a)
      print(require "early", package.loaded.early)
    `,
  },
  {
    name: 'an uncaught require error: message and traceback as lua.c prints them',
    files: { 'bad.lua': 'local t = nil\nreturn t.x' },
    main: `
      local function load_it() return require "bad" end
      load_it()
    `,
  },
  {
    name: 'an unknown module, uncaught',
    files: {},
    main: `require "missing.module"`,
  },
];

/** The prelude every case runs first: paths into its folder. */
function prelude(dir: string): string {
  return `local DIR = ${JSON.stringify(dir)}; package.path = DIR .. "/?.lua;" .. DIR .. "/?/init.lua"; package.cpath = DIR .. "/?.so;" .. DIR .. "/loadall.so"\n`;
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, 'latin1');
  }
}

describe('package: require and package compared with lua5.3', function () {
  this.timeout(60000);
  let root: string;
  before(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-pkg-')); });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('has lua5.3 (required in CI)', function () {
    if (!hasLua53() && process.env.CI !== 'true') this.skip();
    assert.ok(hasLua53(), 'lua5.3 must be installed');
  });

  CASES.forEach((c, index) => {
    it(c.name, function () {
      if (!hasLua53()) {
        if (process.env.CI === 'true') assert.fail('lua5.3 missing');
        this.skip();
      }
      const dir = path.join(root, `case${index}`);
      fs.mkdirSync(dir);
      writeFiles(dir, c.files);
      // Both runs get the same main chunk text on one line with the prelude, so positions agree.
      const source = prelude(dir) + c.main.replace(/^\n/, '');
      fs.writeFileSync(path.join(dir, 'main.lua'), source, 'latin1');
      const reference = spawnSync('lua5.3', ['main.lua'], { cwd: dir, encoding: 'latin1' });
      const ours = runOursSource(source, '@main.lua', luaCompiler);
      const clean = (text: string): string => maskAddresses(text).split(dir).join('DIR');
      assert.equal(clean(ours.stdout), clean(reference.stdout ?? ''));
      assert.equal(clean(ours.stderr), clean(reference.stderr ?? ''));
      assert.equal(ours.status, reference.status);
      // Every case printed something or failed on purpose.
      assert.ok(reference.stdout.length > 0 || reference.status !== 0);
    });
  });
});

describe('package: this engine', function () {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-pkg-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(state: LuaState, source: string): LuaValue[] {
    return state.run(source, '=test');
  }

  it('has no dynamic libraries: loadlib is absent, a C module on cpath fails to load', () => {
    fs.writeFileSync(path.join(dir, 'cmod.so'), 'not a library');
    const state = new LuaState();
    assert.deepEqual(run(state, 'return package.loadlib("x.so", "*")'),
      [undefined, 'dynamic libraries not enabled; check your Lua installation', 'absent']);
    state.globals.setStr('DIR', dir);
    const [ok, message] = run(state, 'package.path = ""; package.cpath = DIR .. "/?.so"; return pcall(require, "cmod")');
    assert.equal(ok, false);
    assert.equal(message, `error loading module 'cmod' from file '${dir}/cmod.so':\n\tdynamic libraries not enabled; check your Lua installation`);
    const [ok2, message2] = run(state, 'return pcall(require, "cmod.sub")');
    assert.equal(ok2, false);
    assert.match(message2 as string, /error loading module 'cmod\.sub' from file '.*cmod\.so'/);
  });

  it('reads modules through the files it is given, and a search that replaces the path searchers', () => {
    const files: Record<string, string> = { 'lib/util.lua': 'return { twice = function (x) return 2 * x end, args = { ... } }' };
    const state = new LuaState({
      package: {
        files: { readable: (p) => p in files, read: (p) => files[p] ?? { error: `cannot open ${p}` } },
        path: 'lib/?.lua',
      },
    });
    assert.deepEqual(run(state, 'local u = require "util"; return u.twice(21), u.args[1], u.args[2]'), [42, 'util', 'lib/util.lua']);
    assert.deepEqual(run(state, 'return package.searchpath("util", package.path), package.searchpath("x", "lib/?.lua")'),
      ['lib/util.lua', undefined, "\n\tno file 'lib/x.lua'"]);

    const searched = new LuaState({
      package: {
        search: (name) => (name === 'known' ? { loader: new NativeFunction('known', () => [name + '!']), extra: 'extra' } : `\n\tno module '${name}' here`),
      },
    });
    assert.deepEqual(run(searched, 'return require "known", #package.searchers'), ['known!', 2]);
    assert.throws(() => run(searched, 'require "other"'), (e: LuaError) =>
      e.message === "test:1: module 'other' not found:\n\tno field package.preload['other']\n\tno module 'other' here");
  });

  it('runs a module\'s top level in the VM loop: a host call there may wait', async () => {
    const state = new LuaState({ package: { files: { readable: (p) => p === 'm.lua', read: () => 'return { got = fetch() }' }, path: '?.lua' } });
    state.globals.setStr('fetch', new NativeFunction('fetch', () => new Request('await', [], Promise.resolve(['fetched']))));
    const results = await state.runAsync('local m = require "m"; return m.got, require "m" == m', '=main');
    assert.deepEqual(results, ['fetched', true]);
    // A preload loader that is itself an async host function works too.
    state.package!.preload.setStr('async', new NativeFunction('async', () => new Request('await', [], Promise.resolve([new LuaTable()]))));
    const [t] = await state.runAsync('return require "async"', '=main');
    assert.ok(t instanceof LuaTable);
  });

  it('a cycle of modules that never finish ends in a stack overflow (PUC: the parser\'s C levels)', () => {
    const files: Record<string, string> = {
      'loop1.lua': 'COUNT = (COUNT or 0) + 1; return require "loop2"',
      'loop2.lua': 'return require "loop1"',
    };
    const state = new LuaState({ package: { files: { readable: (p) => p in files, read: (p) => files[p] }, path: '?.lua' } });
    const [ok, message, count] = run(state, 'local ok, m = pcall(require, "loop1"); return ok, m, COUNT');
    assert.equal(ok, false);
    assert.match(message as string, /C stack overflow/);
    // lua5.3 stops after 97 rounds, when parsing the next module finds too many C levels.
    assert.ok((count as number) > 90 && (count as number) < 100, String(count));
  });

  it('names a module\'s functions by package.loaded in messages and tracebacks', () => {
    const state = new LuaState();
    state.package!.preload.setStr('mymod', new NativeFunction('loader', () => {
      const m = new LuaTable();
      m.setStr('check', new NativeFunction('check', () => { throw new LuaError('checked'); }));
      return [m];
    }));
    assert.throws(() => run(state, 'local m = require "mymod"; m.check()'), (e: LuaError) => /in function 'mymod\.check'/.test(e.traceback ?? ''));
  });

  it('a long package.searchers list neither grows the JS stack nor escapes the charge', () => {
    let charged = 0;
    const state = new LuaState({ charge: (n) => { charged += n; } });
    const [ok, message] = run(state, `
      local s = {}
      for i = 1, 200000 do s[i] = type end
      package.searchers = s
      return pcall(require, "x")`);
    assert.equal(ok, false);
    assert.ok((message as string).startsWith("module 'x' not found:stringstringstring"));
    assert.ok(charged >= 200000, `charged ${charged}`);
  });
});
