// Scope and binding analysis, written from the Lua 5.3 manual §3.5 (visibility rules), §2.2 (_ENV)
// and the checker's needs (global paths through aliases). Cases are Lua sources with markers:
//
//   name@1    a declaration of, or a reference to, the local labelled 1 (labels ↔ locals one to one)
//   name@^1   a reference to local 1 reached as an upvalue
//   name@g    a global (field of the chunk's _ENV);  name@E  the chunk's _ENV itself
//   name@e1   a field of the local _ENV labelled 1 (name@^e1 when that _ENV is an upvalue)
//   …w / …c   suffix: the reference writes / calls (default: reads)
//   $         a cursor for `localsAt` (the start of a name being typed)
//
// When a source has markers, every variable name in it must carry one, so nothing resolves silently.
// Uses of global paths print as `access path = source text of the node`. A differential test then
// compares locals, upvalues and global accesses per function with `luac5.3 -l -l`.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ast from './ast';
import { parse } from './parser';
import { analyze, GlobalPathUse, LocalKind, LocalVariable, ScopeInfo } from './scope';
import { visit } from './visit';

const root = path.join(__dirname, '..', '..', '..');
const fixtures = path.join(root, 'lua', 'test', 'scope');

interface Tag {
  offset: number;
  binding: 'local' | 'global' | 'env' | 'env-field';
  label: string;
  upvalue: boolean;
  access: 'read' | 'write' | 'call';
}

interface Expect {
  /** Label → kind. */
  kinds?: Record<string, LocalKind>;
  /** Exactly the labelled locals that are written after their declaration. */
  written?: string[];
  /** Exactly the labelled locals captured by an inner function. */
  captured?: string[];
  /** Upvalue names per function, in `functions` order. */
  upvalues?: string[][];
  /** Uses of global paths, formatted by `formatUse`, in order. */
  uses?: string[];
  /** Names of `localsAt` at each `$`, in order. */
  visible?: string[][];
  /** The source has syntax errors on purpose. */
  errors?: boolean;
}

const TAG = /@(\^?)(g|E|e\d+|\d+)([wc]?)|\$/g;

function strip(marked: string): { text: string; tags: Tag[]; cursors: number[] } {
  const tags: Tag[] = [];
  const cursors: number[] = [];
  let text = '';
  let last = 0;
  for (const m of marked.matchAll(TAG)) {
    text += marked.slice(last, m.index);
    last = m.index! + m[0].length;
    if (m[0] === '$') {
      cursors.push(text.length);
      continue;
    }
    const [, caret, what, suffix] = m;
    const binding = what === 'g' ? 'global' : what === 'E' ? 'env' : what.startsWith('e') ? 'env-field' : 'local';
    tags.push({
      offset: text.length, binding, label: what.replace(/^e/, ''), upvalue: caret === '^',
      access: suffix === 'w' ? 'write' : suffix === 'c' ? 'call' : 'read',
    });
  }
  return { text: text + marked.slice(last), tags, cursors };
}

function formatUse(text: string, use: GlobalPathUse): string {
  const p = use.path.length === 0 ? '<G>' : use.path.join('.');
  return `${use.access} ${p}${use.dynamicKey ? '[?]' : ''} = ${text.slice(use.node.start, use.node.end)}`;
}

function at(text: string, offset: number): string {
  const line = text.slice(0, offset).split('\n').length;
  return `line ${line}: …${text.slice(Math.max(0, offset - 25), offset)}⟨here⟩`;
}

function check(marked: string, expect: Expect = {}): ScopeInfo {
  const { text, tags, cursors } = strip(marked);
  const result = parse(text, { name: 'case' });
  if (!expect.errors) assert.deepEqual(result.diagnostics.map((d) => d.message), [], 'the case should parse cleanly');
  const info = analyze(result.chunk);
  checkInvariants(info, !expect.errors);

  const byLabel = new Map<string, LocalVariable>();
  const labelOf = new Map<LocalVariable, string>();
  const bind = (label: string, local: LocalVariable, where: string) => {
    const known = byLabel.get(label);
    if (known) assert.equal(known, local, `${where}: @${label} is another local than before`);
    const other = labelOf.get(local);
    if (other !== undefined) assert.equal(other, label, `${where}: this local is already labelled @${other}`);
    byLabel.set(label, local);
    labelOf.set(local, label);
  };
  const tagged = new Set<ast.Name>();
  for (const tag of tags) {
    const where = at(text, tag.offset);
    const occurrence = info.nameAt(tag.offset);
    assert.ok(occurrence && occurrence.name.end === tag.offset, `${where}: no variable name ends here`);
    tagged.add(occurrence.name);
    if (occurrence.local) {
      assert.equal(tag.binding, 'local', `${where}: this name declares a local`);
      assert.ok(!tag.upvalue && tag.access === 'read', `${where}: a declaration takes a plain @label`);
      assert.equal(info.declarationOf(occurrence.name), occurrence.local);
      bind(tag.label, occurrence.local, where);
      continue;
    }
    const ref = occurrence.reference!;
    assert.equal(info.referenceOf(occurrence.name), ref);
    assert.equal(ref.binding, tag.binding, `${where}: binding`);
    assert.equal(ref.access, tag.access, `${where}: access`);
    if (tag.binding === 'local') bind(tag.label, ref.local!, where);
    if (tag.binding === 'env-field') bind(tag.label, ref.env!, where);
    if (tag.binding === 'local' || tag.binding === 'env-field') assert.equal(ref.upvalue, tag.upvalue, `${where}: upvalue`);
  }
  if (tags.length > 0) {
    const untagged = [...info.references.map((r) => r.node), ...info.locals.flatMap((l) => (l.declaration ? [l.declaration] : []))]
      .filter((n) => !tagged.has(n))
      .map((n) => `${n.name} (${at(text, n.end)})`);
    assert.deepEqual(untagged, [], 'every variable name of a marked case needs a marker');
  }
  const label = (l: LocalVariable) => labelOf.get(l) ?? `?${l.name}`;
  if (expect.kinds) {
    for (const [l, kind] of Object.entries(expect.kinds)) assert.equal(byLabel.get(l)?.kind, kind, `kind of @${l}`);
  }
  if (expect.written) assert.deepEqual(info.locals.filter((l) => l.written).map(label).sort(), [...expect.written].sort(), 'written locals');
  if (expect.captured) assert.deepEqual(info.locals.filter((l) => l.captured).map(label).sort(), [...expect.captured].sort(), 'captured locals');
  if (expect.upvalues) assert.deepEqual(info.functions.map((f) => f.upvalues.map((u) => u.name)), expect.upvalues, 'upvalues per function');
  if (expect.uses) assert.deepEqual(info.uses.map((u) => formatUse(text, u)), expect.uses, 'uses of global paths');
  if (expect.visible) {
    assert.equal(cursors.length, expect.visible.length, 'one expectation per $');
    assert.deepEqual(cursors.map((c) => info.localsAt(c).map((l) => l.name)), expect.visible, 'locals visible at each $');
  }
  return info;
}

/**
 * Facts that hold for every analysis; with `exact`, the scope ranges must also agree with name
 * resolution: at every reference, `localsAt` offers exactly the local the name resolved to.
 */
function checkInvariants(info: ScopeInfo, exact: boolean): void {
  let previous = -1;
  for (const ref of info.references) {
    assert.ok(ref.node.start > previous, 'references in source order');
    previous = ref.node.start;
    assert.equal(ref.binding === 'local', ref.local !== undefined);
    assert.equal(ref.binding === 'env-field', ref.env !== undefined);
    if (ref.local) assert.ok(ref.local.references.includes(ref));
    if (ref.env) assert.ok(ref.env.fieldReferences!.includes(ref));
    if (ref.binding === 'global') assert.ok(info.globals.get(ref.node.name)!.includes(ref));
    if (exact) {
      const visible = info.localsAt(ref.node.start).find((l) => l.name === ref.node.name);
      assert.equal(visible, ref.local, `localsAt(${ref.node.start}) disagrees with the resolution of ${ref.node.name}`);
      if (ref.env) assert.equal(info.localsAt(ref.node.start).find((l) => l.name === '_ENV'), ref.env);
    }
  }
  info.locals.forEach((local, i) => {
    assert.equal(local.id, i);
    assert.ok(local.scope.start <= local.scope.end);
    assert.ok(local.function.locals.includes(local));
    assert.equal(local.kind === 'self', local.declaration === undefined);
  });
  for (const f of info.functions) {
    const names = f.upvalues.map((u) => u.local ?? '_ENV');
    assert.equal(new Set(names).size, names.length, 'an upvalue appears once per function');
  }
}

describe('scope analysis', () => {
  describe('visibility (manual §3.5)', () => {
    it('a local starts after its declaration: `local x = x` reads the outer x', () => {
      check(`
        n@gw = 1
        do
          local n@1 = n@g
          n@1w = n@1 + 1
          do
            local n@2 = n@1 * 2
            print@gc(n@2)
          end
          print@gc(n@1)
        end
        print@gc(n@g)`, { kinds: { 1: 'local', 2: 'local' }, written: ['1'], captured: [] });
    });

    it('the later of two equal names in one statement wins', () => {
      check(`
        local a@1, a@2 = 1, 2
        local b@3 = a@2
        local c@4, c@5 = c@g, c@g`);
    });

    it('`local function f` sees f in its body, `local f = function` does not', () => {
      check(`
        local function fact@1(n@2)
          if n@2 <= 1 then return 1 end
          return n@2 * fact@^1c(n@2 - 1)
        end
        local fib@3 = function(n@4)
          return fib@gc(n@4 - 1)
        end
        fib@3c(fact@1c(3))`, { kinds: { 1: 'function', 2: 'param', 3: 'local', 4: 'param' }, captured: ['1'], written: [] });
    });

    it('`function f` assigns a visible local f, else the global', () => {
      check(`
        local f@1
        function f@1w() return f@^1 end
        function g@gw() return g@g end`, { written: ['1'], captured: ['1'] });
    });

    it('the condition of repeat-until sees the body\'s locals; while\'s does not', () => {
      check(`
        local i@1 = 0
        repeat
          local done@2 = i@1 >= 3
          i@1w = i@1 + 1
        until done@2 and i@1
        print@gc(done@g)
        while ok@g do local ok@3 = false end`, { written: ['1'] });
    });

    it('for variables are visible in the body only; the loop\'s expressions see the outer names', () => {
      check(`
        local i@1 = 10
        for i@2 = i@1, i@1 + 1, i@1 do
          print@gc(i@2)
          i@2w = i@2 + 1
        end
        print@gc(i@1)
        local t@3 = {}
        for k@4, v@5 in pairs@gc(t@3) do t@3[k@4] = v@5 end
        for k@6 in next@g, t@3 do local k@7 = k@6 end`, { kinds: { 2: 'for', 4: 'for', 5: 'for', 6: 'for', 7: 'local' }, written: ['2'] });
    });

    it('a method has an implicit `self`; a dotted function does not', () => {
      const info = check(`
        local obj@1 = {}
        function obj@1:greet(name@2)
          return self@3.prefix .. name@2
        end
        function obj@1.plain()
          return self@g
        end
        function obj@1.explicit(self@4)
          return self@4
        end
        function obj@1:nested()
          return function() return self@^5 end
        end`, { kinds: { 2: 'param', 3: 'self', 4: 'param', 5: 'self' }, captured: ['5'] });
      const self = info.locals.find((l) => l.kind === 'self')!;
      assert.equal(self.declaringNode.kind, 'FunctionStatement');
      assert.equal(info.locals.indexOf(self) + 1, info.locals.findIndex((l) => l.name === 'name'), 'self comes before the parameters');
    });

    it('labels and gotos bind no names', () => {
      check(`
        local continue@1 = 0
        for i@2 = 1, 3 do
          if i@2 == 2 then goto continue end
          continue@1w = continue@1 + i@2
          ::continue::
        end`);
    });

    it('each if clause is its own block', () => {
      check(`
        if a@g then local x@1 = 1; print@gc(x@1)
        elseif x@g then local x@2 = x@g; x@2w = x@2
        else print@gc(x@g) end`);
    });
  });

  describe('upvalues', () => {
    it('are resolved across three levels of functions, passing through the middle one', () => {
      check(`
        local a@1 = 1
        local function outer@2()
          local b@3 = 2
          return function()
            local c@4 = 3
            return function()
              a@^1w = a@^1 + b@^3 + c@^4 + d@g
            end
          end
        end`, {
        captured: ['1', '3', '4'], written: ['1'],
        upvalues: [['_ENV'], ['a', '_ENV'], ['a', 'b', '_ENV'], ['a', 'b', 'c', '_ENV']],
      });
    });

    it('a loop\'s local captured by a closure is captured; a shadowing inner local is its own variable', () => {
      check(`
        local fs@1 = {}
        for i@2 = 1, 3 do
          local y@3 = i@2
          fs@1[i@2] = function() y@^3w = y@^3 + 1; return y@^3 end
        end
        local function g@4() local fs@5 = 1; return fs@5 end`, { captured: ['3'], written: ['3'], upvalues: [['_ENV'], ['y'], []] });
    });
  });

  describe('_ENV (manual §2.2)', () => {
    it('a local _ENV makes free names its fields, not globals of the chunk', () => {
      check(`
        local print@1 = print@g
        local _ENV@2 = { x = 1 }
        print@1c(x@e2, y@e2)
        z@e2w = 3
        local function f@3()
          return w@^e2
        end`, { captured: ['2'], written: [], upvalues: [['_ENV'], ['_ENV']], uses: ['read print = print', 'call print = print'] });
    });

    it('a parameter named _ENV does too, inside its function only', () => {
      check(`
        function sandboxed@gw(_ENV@1, n@2)
          return helper@e1c(n@2), _ENV@1
        end
        print@gc(helper@g)`, { kinds: { 1: 'param' }, uses: ['write sandboxed = sandboxed', 'call print = print', 'read helper = helper'] });
    });

    it('a free `_ENV` is the chunk\'s environment', () => {
      const info = check(`
        local saved@1 = _ENV@E
        _ENV@Ew = setmetatable@gc({}, { __index = saved@1 })
        print@gc(_ENV@E.x)
        local function f@2() return _ENV@E end`, {
        upvalues: [['_ENV'], ['_ENV']],
        uses: ['read <G> = _ENV', 'write <G> = _ENV', 'call setmetatable = setmetatable', 'read <G> = saved', 'call print = print', 'read x = _ENV.x', 'read <G> = _ENV'],
      });
      assert.ok(info.references.filter((r) => r.binding === 'env').every((r) => r.upvalue));
    });

    it('`local _ENV = _G` keeps paths global; `local _ENV = os` roots them at os', () => {
      check(`
        local _ENV = _G
        os.execute("x")
        local function f() return io.popen("y") end
        do local _ENV = os; execute() end
        do local _ENV = {}; os.execute() end`, {
        uses: ['read <G> = _G', 'call os.execute = os.execute', 'call io.popen = io.popen', 'read os = os', 'call os.execute = execute'],
      });
    });
  });

  describe('global paths through aliases', () => {
    it('sees the checker\'s cases as global paths', () => {
      check(`
        os.execute("a")
        local x = os
        x.execute("b")
        local run = io.popen
        local e = os.execute; e()
        _G.io.popen("c")
        _ENV["require"]("d")
        _ENV.os.execute()
        local g = _G; g.os.execute()`, {
        uses: [
          'call os.execute = os.execute',
          'read os = os',
          'call os.execute = x.execute',
          'read io.popen = io.popen',
          'read os.execute = os.execute',
          'call os.execute = e',
          'call io.popen = _G.io.popen',
          'call require = _ENV["require"]',
          'call os.execute = _ENV.os.execute',
          'read <G> = _G',
          'call os.execute = g.os.execute',
        ],
      });
    });

    it('gives the call, and the alias it went through', () => {
      const info = check(`local e = os.execute; e("ls")`);
      const use = info.uses[1];
      assert.equal(use.call?.kind, 'Call');
      assert.equal(use.call?.args.length, 1);
      assert.equal(use.via?.name, 'e');
      assert.equal(info.locals[0].aliasOf?.join('.'), 'os.execute');
      assert.equal(info.uses[0].via, undefined);
    });

    it('follows chains of aliases, also into nested functions', () => {
      check(`
        local o = os
        local o2 = (o)
        local function f() return o2.getenv("HOME") end`, {
        uses: ['read os = os', 'read os = (o)', 'call os.getenv = o2.getenv'],
      });
    });

    it('drops an alias that is ever reassigned, or not declared from a path', () => {
      check(`
        local x = os
        x = io
        x.execute()
        local y
        y = os
        y.execute()
        local a, b = os
        b.execute()
        local c, d = io, os, string
        d.remove("f")
        local r = require("m")
        r.run()`, {
        uses: ['read os = os', 'read io = io', 'read os = os', 'read os = os', 'read io = io', 'read os = os', 'read string = string', 'call os.remove = d.remove', 'call require = require'],
      });
    });

    it('treats `_G` as the root only while the chunk does not assign it', () => {
      const info = check(`
        _G = {}
        _G.os.execute()`, { uses: ['write _G = _G', 'call _G.os.execute = _G.os.execute'] });
      assert.equal(info.globalTableModified, true);
      assert.equal(check(`_ENV._G = nil; _G.x = 1`, { uses: ['write _G = _ENV._G', 'write _G.x = _G.x'] }).globalTableModified, true);
      assert.equal(check(`local _G = {}; _G.x = 1`, { uses: [] }).globalTableModified, false);
      assert.equal(check(`print(_G._G.os, _ENV._G)`, { uses: ['call print = print', 'read os = _G._G.os', 'read <G> = _ENV._G'] }).globalTableModified, false);
    });

    it('flags dynamic keys, folds constant ones', () => {
      check(`
        local name = ...
        _G[name]()
        _ENV[name] = 1
        os[name]("x")
        local k = "exec" .. "ute"
        os[k]()
        local k2 = k
        os[k2]()
        _G["o" .. "s"].exit()
        _G["os" .. 1].exit()
        os[1] = 2;
        (_G)[name].x = 3
        os[name .. "x"] = 4`, {
        uses: [
          'call <G>[?] = _G[name]',
          'write <G>[?] = _ENV[name]',
          'call os[?] = os[name]',
          'call os.execute = os[k]',
          'call os.execute = os[k2]',
          'call os.exit = _G["o" .. "s"].exit',
          'call os1.exit = _G["os" .. 1].exit',
          'read os = os',
          'read <G>[?] = (_G)[name]',
          'write os[?] = os[name .. "x"]',
        ],
      });
    });

    it('reports method calls as the method\'s path, and writes', () => {
      check(`
        io.stdout:write("x")
        local f = io.open("p")
        f:close()
        os.exit = nil
        function os.helper() end
        function string:shout() return self:upper() end
        ;(os.execute)("x")
        print(os.time())
        local s = string
        s.format("%d", 1):rep(2)`, {
        uses: [
          'call io.stdout.write = write',
          'call io.open = io.open',
          'write os.exit = os.exit',
          'write os.helper = os.helper',
          'write string.shout = string:shout',
          'call os.execute = (os.execute)',
          'call print = print',
          'call os.time = os.time',
          'read string = string',
          'call string.format = s.format',
        ],
      });
    });

    it('answers pathOf for any expression', () => {
      const source = 'local x = os; print(x.execute, x["exit"], x[y], f().z, a.b:c())';
      const info = analyze(parse(source).chunk);
      const args = ((info.chunk.body.body[1] as ast.CallStatement).call).args;
      assert.deepEqual(args.map((a) => info.pathOf(a)), [['os', 'execute'], ['os', 'exit'], undefined, undefined, undefined]);
    });
  });

  describe('references', () => {
    it('tell read, write and call (the callee, or the base of a called chain)', () => {
      check(`
        f@gc()
        t@gc.x.y()
        u@gc:m()
        v@gc[1]()
        w@g.x = 1
        z@gw = y@g
        ;(p@gc)()
        q@g[r@g] = s@g
        local l@1 = nil
        l@1c()
        l@1w, m@gw = l@1, n@g
        function o@g.p.q() end`);
    });

    it('find the name at an offset, a cursor just after it included', () => {
      const source = 'local abc = 1\nprint(abc)';
      const info = analyze(parse(source).chunk);
      assert.equal(info.nameAt(6)?.local?.name, 'abc');
      assert.equal(info.nameAt(9)?.local?.name, 'abc');
      assert.equal(info.nameAt(10), undefined);
      assert.equal(info.nameAt(source.indexOf('abc)') + 1)?.reference?.local, info.locals[0]);
      assert.equal(info.nameAt(source.indexOf('print'))?.reference?.binding, 'global');
      assert.equal(info.nameAt(source.length), undefined);
    });
  });

  describe('locals in scope at an offset', () => {
    it('follows blocks, functions, loops and repeat-until', () => {
      check(`
        local a = 1
        $local b = $a
        do
          local c = 2
          $
        end
        $
        local function f(p, q)
          $
          local r
        end
        for i = 1, 2 do $ end
        repeat local u = 1 until $u
        $`, {
        visible: [['a'], ['a'], ['a', 'b', 'c'], ['a', 'b'], ['a', 'b', 'f', 'p', 'q'], ['a', 'b', 'f', 'i'], ['a', 'b', 'f', 'u'], ['a', 'b', 'f']],
      });
    });

    it('leaves shadowed locals out', () => {
      const info = check(`local a = 1; do local a = 2; $ end $`, { visible: [['a'], ['a']] });
      const [inner] = info.localsAt(info.chunk.body.body[1].start + 20);
      assert.equal(inner, info.locals[1]);
    });

    it('offers a method\'s self and parameters', () => {
      check(`function t:m(x) $ end`, { visible: [['self', 'x']] });
    });

    it('keeps an unclosed function\'s locals visible while it is being typed', () => {
      check(`
        local a = 1
        local function g(x)
          local y = a
          $`, { errors: true, visible: [['a', 'g', 'x', 'y']] });
      check(`
        local a = 1
        if a then
          local function h(z)
            $
        else
          $
        end`, { errors: true, visible: [['a', 'h', 'z'], ['a']] });
      check(`local function g(x) end\n$`, { visible: [['g']] });
    });
  });

  describe('robustness', () => {
    it('takes any name, including the names of Object.prototype\'s members', () => {
      check(`
        local __proto__@1, constructor@2 = 1, 2
        local function toString@3(hasOwnProperty@4) return hasOwnProperty@4, __proto__@^1 end
        print@gc(valueOf@g, constructor@2, __proto__@1, toString@3c())`);
    });


    it('analyzes 100,000-term chains without deep recursion', () => {
      const n = 100_000;
      const info = analyze(parse(`local x = ${'1+'.repeat(n)}1\nlocal y = os${'.b'.repeat(n)}\nf${'()'.repeat(n)}\nz = t${'[1]'.repeat(n)}\n`
        + `local s = ("")${':f()'.repeat(n)}\nw = ${'-'.repeat(150)}1 .. x`).chunk);
      assert.deepEqual(info.uses.map((u) => `${u.access} ${u.path.length}`), [`read ${n + 1}`, 'call 1', 'write 1', 'read 1', 'write 1']);
      assert.equal(info.references.filter((r) => r.binding === 'global').map((r) => r.node.name).join(), 'os,f,z,t,w');
    });

    it('never throws on trees with error nodes and empty names', () => {
      const broken = [
        'local = 1', 'x = ', 'function (', 'local function (a) end', 'for = 1, 2 do end', 'for a, in x do end', 'a.b. = 1',
        'f(', 'return return', 'x.y:z', 'function t:() return self end', 'goto', '::a', 'local x <const> = 1',
        'repeat local x = 1', 'if x then local y', 'while', 'until x', 'end end', 'local _ENV = ', '_ENV[',
        '(', ')', 'local a, = 1', 'function a.b:c.d() end', '{', 'x = {[1] = , a = }', '@', 'local function f() return ... end',
      ];
      for (const source of broken) {
        const result = parse(source);
        assert.ok(result.diagnostics.length > 0, source);
        const info = analyze(result.chunk);
        checkInvariants(info, false);
        assert.ok(info.locals.every((l) => l.name !== ''), 'empty names declare nothing');
        assert.ok(info.references.every((r) => r.node.name !== ''), 'empty names reference nothing');
        info.localsAt(source.length);
        info.nameAt(0);
      }
    });

    it('never throws on any prefix of a program', () => {
      const program = fs.readFileSync(path.join(fixtures, 'scoping.lua'), 'utf8');
      for (let i = 0; i <= program.length; i++) {
        const result = parse(program.slice(0, i));
        const info = analyze(result.chunk);
        checkInvariants(info, result.diagnostics.length === 0);
        info.localsAt(i);
        for (const u of info.uses) assert.ok(u.node.end <= i);
      }
    });
  });

  describe('visit', () => {
    it('enters nodes in source order and leaves them after their children', () => {
      const source = fs.readFileSync(path.join(fixtures, 'scoping.lua'), 'utf8');
      const chunk = parse(source).chunk;
      const entered: ast.Node[] = [];
      const open: ast.Node[] = [];
      visit(chunk, {
        enter(node, parent) {
          // (A named function's range starts at `function`, before its name, which is visited first.)
          const named = node.kind === 'Function' && (parent?.kind === 'LocalFunction' || parent?.kind === 'FunctionStatement');
          if (entered.length > 0 && !named) assert.ok(node.start >= entered[entered.length - 1].start, `${node.kind} at ${node.start} out of order`);
          assert.equal(parent, open[open.length - 1]);
          entered.push(node);
          open.push(node);
        },
        leave(node) {
          assert.equal(open.pop(), node);
        },
      });
      assert.equal(open.length, 0);
      assert.equal(entered[0], chunk);
      const kinds = new Set(entered.map((n) => n.kind));
      for (const kind of ['Local', 'LocalFunction', 'FunctionStatement', 'Repeat', 'While', 'NumericFor', 'GenericFor', 'If', 'IfClause', 'Goto', 'Label', 'Member', 'Index', 'Call', 'Table', 'TableField', 'Binary', 'Unary', 'Paren', 'Function', 'Return', 'Do', 'Assignment']) {
        assert.ok(kinds.has(kind as ast.NodeKind), `the fixture should contain a ${kind}`);
      }
      // Every variable name the analysis knows is a node the walk meets.
      const names = new Set(entered.filter((n) => n.kind === 'Name'));
      const info = analyze(chunk);
      assert.ok(info.references.every((r) => names.has(r.node)) && info.locals.every((l) => !l.declaration || names.has(l.declaration)));
    });

    it('skips the children of a node when enter returns false, and still leaves it', () => {
      const chunk = parse('local f = function(a) return a + 1 end; print(f(2))').chunk;
      const seen: string[] = [];
      visit(chunk, {
        enter: (node) => { seen.push(node.kind); return node.kind !== 'Function'; },
        leave: (node) => { if (node.kind === 'Function') seen.push('/Function'); },
      });
      assert.deepEqual(seen, ['Chunk', 'Block', 'Local', 'Name', 'Function', '/Function', 'CallStatement', 'Call', 'Name', 'Call', 'Name', 'Number']);
    });

    it('walks 100,000-deep chains', () => {
      const n = 100_000;
      let count = 0;
      visit(parse(`x = a${'.b'.repeat(n)} + ${'1+'.repeat(n)}1`).chunk, { enter: () => { count++; } });
      // Chunk, Block, Assignment, x, Binary chain (n+1 nodes: one Binary per `+`), n Members with
      // their names, a, and n+1 numbers.
      assert.equal(count, 4 + (n + 1) + 2 * n + 1 + (n + 1));
    });
  });

  describe('against luac5.3', () => {
    const files = fs.readdirSync(fixtures).filter((f) => f.endsWith('.lua')).map((f) => path.join(fixtures, f));
    for (const file of files) {
      it(`agrees on locals, upvalues and global accesses per function: ${path.relative(root, file)}`, () => compareWithLuac(file));
    }
    // Real programs: the Lua sources of the Debian packages `npm test` installs (luacheck,
    // argparse, Penlight, busted, … ~60,000 lines), which CI therefore has. Files luac rejects (ldoc
    // ships stubs that are not Lua) are the parser's differential tests' business, not this one's.
    it('agrees on the installed Lua libraries (luacheck, argparse, Penlight, busted, …)', function () {
      this.timeout(120000);
      const installed = luaFiles('/usr/share/lua').filter((file) => spawnSync('luac5.3', ['-p', file]).status === 0);
      if (process.env.CI === 'true') assert.ok(installed.length > 0, 'lua-check is required in CI: no Lua sources under /usr/share/lua');
      for (const file of installed) compareWithLuac(file);
    });
  });
});

function luaFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...luaFiles(full));
    else if (entry.name.endsWith('.lua')) out.push(full);
  }
  return out;
}

function compareWithLuac(file: string): void {
  const where = path.relative(root, file);
  const result = parse(fs.readFileSync(file, 'latin1'), { name: where });
  assert.deepEqual(result.diagnostics, [], where);
  const info = analyze(result.chunk);
  checkInvariants(info, true);
  // Without luac5.3 (only allowed outside CI) the invariants above are all that is checked.
  const listing = luacListing(file);
  if (!listing) return;
  const ours = describeFunctions(info);
  assert.equal(ours.length, listing.length, `${where}: number of functions`);
  for (let i = 0; i < ours.length; i++) {
    const fn: string = `${where}: function #${i} (line ${listing[i].line})`;
    assert.deepEqual(ours[i].locals, listing[i].locals, `${fn}: locals`);
    assert.deepEqual(ours[i].upvalues, listing[i].upvalues, `${fn}: upvalues`);
    if (listing[i].complete) assert.deepEqual(ours[i].globals, listing[i].globals, `${fn}: global accesses`);
    else for (const g of listing[i].globals) assert.ok(ours[i].globals.includes(g), `${fn}: global ${g}`);
  }
}

interface FunctionFacts {
  line: number;
  locals: string[];
  upvalues: string[];
  /** Keys read or written on an upvalue named _ENV, sorted, unique. */
  globals: string[];
  /** False when some such access used a key luac did not name (a register). */
  complete: boolean;
}

/** Parses `luac5.3 -l -l` into per-function facts; undefined when luac5.3 is missing (outside CI). */
function luacListing(file: string): FunctionFacts[] | undefined {
  const run = spawnSync('luac5.3', ['-l', '-l', '-p', file], { encoding: 'latin1' });
  if (run.error) {
    if (process.env.CI === 'true') throw new Error('luac5.3 is required in CI: ' + run.error.message);
    return undefined;
  }
  assert.equal(run.status, 0, run.stderr);
  const out: FunctionFacts[] = [];
  let current: FunctionFacts | undefined;
  let section = '';
  for (const line of run.stdout.split('\n')) {
    const head = /^(?:main|function) <[^:]*:(\d+),/.exec(line);
    if (head) {
      current = { line: Number(head[1]), locals: [], upvalues: [], globals: [], complete: true };
      out.push(current);
      section = 'code';
      continue;
    }
    if (!current) continue;
    const sectionHead = /^(constants|locals|upvalues) \(\d+\) for/.exec(line);
    if (sectionHead) {
      section = sectionHead[1];
      continue;
    }
    const cols = line.split('\t');
    if (section === 'locals' && cols.length >= 3 && !cols[2].startsWith('(')) current.locals.push(cols[2]);
    if (section === 'upvalues' && cols.length >= 3) current.upvalues.push(cols[2]);
    if (section === 'code' && /\t[GS]ETTABUP\s/.test(line)) {
      const m = /; _ENV(?: "((?:[^"\\]|\\.)*)")?/.exec(line);
      if (!m) continue;
      if (m[1] === undefined) current.complete = false;
      else if (!current.globals.includes(m[1])) current.globals.push(m[1]);
    }
  }
  for (const f of out) f.globals.sort();
  return out;
}

/** The same facts from the analysis: functions in order, locals, upvalues, and _ENV accesses. */
function describeFunctions(info: ScopeInfo): FunctionFacts[] {
  const facts: FunctionFacts[] = info.functions.map((f) => ({
    line: 0, locals: f.locals.map((l) => l.name), upvalues: f.upvalues.map((u) => u.name), globals: [], complete: true,
  }));
  // Which function each node is in: functions are numbered in the order the walk enters them.
  const stack: number[] = [0];
  let next = 1;
  const add = (key: string) => {
    const list = facts[stack[stack.length - 1]].globals;
    if (!list.includes(key)) list.push(key);
  };
  /** A name whose value is an upvalue named _ENV: the chunk's, or a local _ENV of an enclosing function. */
  const isEnvUpvalue = (e: ast.Expression) => {
    if (e.kind !== 'Name') return false;
    const ref = info.referenceOf(e);
    return ref?.binding === 'env' || (ref?.binding === 'local' && ref.node.name === '_ENV' && ref.upvalue);
  };
  visit(info.chunk, {
    enter(node) {
      if (node.kind === 'Function') stack.push(next++);
      if (node.kind === 'Name') {
        const ref = info.referenceOf(node);
        if (ref?.binding === 'global' || (ref?.binding === 'env-field' && ref.upvalue)) add(node.name);
      }
      // A constant key on _ENV is a global access too (luac folds only plain string literals).
      if (node.kind === 'Member' && isEnvUpvalue(node.object)) add(node.name.name);
      if (node.kind === 'Index' && node.index.kind === 'String' && isEnvUpvalue(node.object)) add(node.index.value);
    },
    leave(node) {
      if (node.kind === 'Function') stack.pop();
    },
  });
  for (const f of facts) f.globals.sort();
  return facts;
}
