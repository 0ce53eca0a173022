// Binary chunks through the sandbox, under a contract that grants load and string.dump: every
// truncation of real chunks, bad headers, huge counts and thousands of seeded random damages end
// in a Lua error (a `runtime` or `syntax` failure, or an error value from load), and a damaged
// chunk that still verifies runs to a Lua outcome — never an internal error or a JS exception,
// and the host stays healthy.
import { strict as assert } from 'assert';
import { compile } from '../compiler/compile';
import { parseManifest } from '../contract/manifest';
import type { Contract } from '../contract/manifest';
import { dump } from '../vm/dump';
import { LuaState } from '../vm/state';
import { Sandbox, RunResult } from './sandbox';

function contract(instructions: number): Contract {
  const json = {
    name: 'chunks-test',
    version: '1.0.0',
    scripts: ['*.lua'],
    stdlib: { allow: ['load', 'string.dump'] },
    limits: { instructions, timeMs: 20000, memoryBytes: 64_000_000, callDepth: 200, outputBytes: 100000 },
  };
  const result = parseManifest(JSON.stringify(json), '/virtual/sandlua.json');
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}

const box = new Sandbox({ manifest: contract(20_000_000) });
/** For damaged code that may loop: a small budget ends it soon. */
const small = new Sandbox({ manifest: contract(20_000) });

/** A byte string as a Lua string literal (decimal escapes). */
function literal(bytes: Uint8Array): string {
  let s = '"';
  for (const b of bytes) s += '\\' + String(b).padStart(3, '0');
  return s + '"';
}

const SOURCES = [
  'local a, b = ... return a + b, "sum"',
  [
    'local n = 0',
    'local function counter(step) return function() n = n + step return n end end',
    'local c = counter(2)',
    'local t = {}',
    'for i = 1, 5 do t[i] = c() end',
    'for k, v in pairs(t) do if v > 6 then n = n - k end end',
    'local s = ""',
    'while #s < 5 do s = s .. "x" end',
    'return n, #t, s, 2.5, 1 << 40, "' + 'L'.repeat(60) + '"',
  ].join('\n'),
  'return function(...) local t = {...} return select("#", ...), t[1] end',
];

function chunks(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const source of SOURCES) {
    const p = compile(source, '=chunk');
    assert.ok(typeof p !== 'string', String(p));
    out.push(dump(p), dump(p, true));
  }
  return out;
}

function assertLuaFailure(result: RunResult, kinds: string[], message?: RegExp): void {
  assert.ok(!result.ok, `succeeded with ${JSON.stringify(result.ok ? result.output : undefined)}`);
  assert.ok(kinds.includes(result.error.kind), `${result.error.kind}: ${result.error.message}`);
  assert.doesNotMatch(result.error.message, /internal error/);
  if (message) assert.match(result.error.message, message);
}

describe('binary chunks through the sandbox', function () {
  this.timeout(120000);

  it('gives lundump\'s error for every truncation of real chunks', async () => {
    const script = `
      local sources = { ${SOURCES.map((s) => JSON.stringify(s)).join(', ')} }
      local count = 0
      for _, src in ipairs(sources) do
        local f = assert(load(src))
        for _, strip in ipairs({false, true}) do
          local d = string.dump(f, strip)
          assert(load(d, "=chunk", "b"))
          for n = 1, #d - 1 do
            local g, err = load(d:sub(1, n), "=chunk", "b")
            if g ~= nil or err ~= "chunk: truncated precompiled chunk" then
              error("prefix " .. n .. ": " .. tostring(err))
            end
            count = count + 1
          end
        end
      end
      return count`;
    const result = await box.run(script, null, { name: 'truncate.lua' });
    assert.ok(result.ok, !result.ok ? result.error.message : '');
    assert.ok((result.output as number) > 500, String(result.output));
    // Raised rather than returned, the message ends the run as a runtime error.
    assertLuaFailure(await box.run('local d = string.dump(function() end) return assert(load(d:sub(1, 20)))', null), ['runtime'],
      /binary string: truncated precompiled chunk/);
  });

  it('rejects bad headers and huge or negative counts without allocating', async () => {
    const script = `
      local d = string.dump(function(a) return a end, true)
      local function patch(at, bytes) return d:sub(1, at - 1) .. bytes .. d:sub(at + #bytes) end
      local out = {}
      local function try(chunk) local f, err = load(chunk, "=c") out[#out + 1] = err or "loaded" end
      try(patch(5, "\\x52"))             -- version
      try(patch(13, "\\8"))              -- sizeof(int)
      try(patch(14, "\\4"))              -- sizeof(size_t)
      try(patch(15, "\\8"))              -- sizeof(Instruction)
      try(patch(16, "\\4"))              -- sizeof(lua_Integer)
      try(patch(17, "\\4"))              -- sizeof(lua_Number)
      -- After the 33-byte header: upvalue count, source (none), two lines, three bytes, then the code count.
      try(patch(47, "\\255\\255\\255\\127"))  -- 2^31 - 1 instructions
      try(patch(47, "\\255\\255\\255\\255"))  -- -1 instructions
      try(patch(35, "\\255\\0\\0\\0\\0\\0\\0\\0\\64"))  -- a source of 2^62 bytes
      return out`;
    const result = await box.run(script, null, { name: 'headers.lua' });
    assert.ok(result.ok, !result.ok ? result.error.message : '');
    assert.deepEqual(result.output, [
      'c: version mismatch in precompiled chunk',
      'c: int size mismatch in precompiled chunk',
      'c: size_t size mismatch in precompiled chunk',
      'c: Instruction size mismatch in precompiled chunk',
      'c: lua_Integer size mismatch in precompiled chunk',
      'c: lua_Number size mismatch in precompiled chunk',
      'c: truncated precompiled chunk',
      'c: corrupted precompiled chunk',
      'c: truncated precompiled chunk',
    ]);
  });

  it('survives thousands of seeded random damages: load gives an error, or a function that runs to a Lua outcome', async () => {
    const base = chunks();
    let seed = 20240611;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const damaged: Uint8Array[] = [];
    for (let round = 0; round < 3000; round++) {
      const copy = base[round % base.length].slice();
      const hits = 1 + (random() % 4);
      // Mostly past the header, where counts, sizes, operands and tags are.
      for (let h = 0; h < hits; h++) copy[(round % 10 === 0 ? 0 : 33) + (random() % (copy.length - 33))] = random() & 0xff;
      damaged.push(copy);
    }
    // What the engine itself says of each (the sandbox must agree).
    const state = new LuaState({ print: () => {} });
    const loads = damaged.map((bytes) => typeof state.load(String.fromCharCode(...bytes), '=d') !== 'string');

    const batch = 500;
    for (let start = 0; start < damaged.length; start += batch) {
      const slice = damaged.slice(start, start + batch);
      const script = `
        local chunks = { ${slice.map(literal).join(',\n')} }
        local loaded = {}
        for i, c in ipairs(chunks) do
          local f, err = load(c, "=d", "b")
          if f then loaded[#loaded + 1] = i
          elseif not (err:find("^d: .*precompiled chunk") or err:find("^attempt to load a text chunk")) then error(err) end
        end
        return loaded`;
      const result = await box.run(script, null, { name: 'damage.lua' });
      assert.ok(result.ok, !result.ok ? result.error.message : '');
      const expected = slice.map((_, i) => i + 1).filter((i) => loads[start + i - 1]);
      assert.deepEqual(result.output, expected);
    }

    const survivors = damaged.filter((_, i) => loads[i]);
    assert.ok(survivors.length < damaged.length / 2, `${survivors.length} damaged chunks still load`);
    const outcomes = new Map<string, number>();
    for (const bytes of survivors) {
      const script = `local f = assert(load(${literal(bytes)}, "=d", "b")) f(3, 4) return true`;
      const result = await small.run(script, null, { name: 'survivor.lua' });
      if (!result.ok) assertLuaFailure(result, ['runtime', 'budget', 'stack', 'memory', 'forbidden']);
      const kind = result.ok ? 'ok' : result.error.kind;
      outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
    }
    // Damage in debug information leaves code that runs; damage in code mostly gives Lua errors.
    assert.ok((outcomes.get('ok') ?? 0) > 0 && (outcomes.get('runtime') ?? 0) > 0, JSON.stringify([...outcomes]));

    // The host is healthy afterwards.
    const after = await box.run('return load(string.dump(function(a) return a * 2 end))(21)', null);
    assert.ok(after.ok);
    assert.equal(after.output, 42);
  });

  it('reports a script that is itself a binary chunk as a syntax error', async () => {
    const p = compile('return 1', '=chunk');
    assert.ok(typeof p !== 'string');
    assertLuaFailure(await box.run(String.fromCharCode(...dump(p)), null), ['syntax']);
  });
});
