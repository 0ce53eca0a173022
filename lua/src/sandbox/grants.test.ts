// Every grant means what it says: for each name a contract's `stdlib` may name, a script under a
// contract that grants it finds it there, of the kind the standard library says, and under a
// contract that denies it gets `forbidden`. So the checker (which reads the same policy) and the
// runtime cannot disagree on a name: a granted name the runtime lacks is a failing test here.
import { strict as assert } from 'assert';
import { parseManifest } from '../contract/manifest';
import { DEFAULT_DENIED } from '../contract/policy';
import { LUA53_STDLIB } from '../contract/stdlib-names';
import { Sandbox } from './sandbox';

/** The Lua type a standard name holds. */
const LUA_TYPE = { function: 'function', table: 'table', string: 'string', number: 'number', file: 'userdata' } as const;

function sandbox(stdlib: { allow?: string[]; deny?: string[] }): Sandbox {
  const result = parseManifest(JSON.stringify({ name: 'grants', stdlib }), '/virtual/sandlua.json');
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return new Sandbox({ manifest: result.manifest });
}

/** `string.dump` → `string["dump"]`, read without calling anything. */
function reader(name: string): string {
  const [head, ...rest] = name.split('.');
  return `local v = ${head}${rest.map((field) => `[${JSON.stringify(field)}]`).join('')}\nreturn type(v)`;
}

describe('every standard name the contract accepts', () => {
  const names = [...LUA53_STDLIB.keys()];

  it('covers the whole Lua 5.3 standard library, the default-denied names included', () => {
    for (const denied of DEFAULT_DENIED.filter((n) => n !== 'loadstring')) assert.ok(LUA53_STDLIB.has(denied), denied);
    assert.ok(names.length >= 147, String(names.length));
  });

  it('is there, of its kind, when the contract grants it', async () => {
    const missing: string[] = [];
    for (const name of names) {
      const result = await sandbox({ allow: [name] }).run(reader(name));
      const expected = LUA_TYPE[LUA53_STDLIB.get(name)!];
      if (!result.ok || result.output !== expected) missing.push(`${name}: ${result.ok ? `a ${String(result.output)}` : `${result.error.kind}: ${result.error.message}`}, expected a ${expected}`);
    }
    assert.deepEqual(missing, []);
  });

  it('raises forbidden when the contract denies it', async () => {
    const wrong: string[] = [];
    for (const name of names) {
      const result = await sandbox({ deny: [name] }).run(reader(name));
      if (result.ok || result.error.kind !== 'forbidden') wrong.push(`${name}: ${result.ok ? `a ${String(result.output)}` : `${result.error.kind}: ${result.error.message}`}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('is all a run finds, in its first run and every later one of the same sandbox (no compatibility extras such as math.pow)', async () => {
    const script = 'local t = {} for k, v in pairs(_ENV) do if type(v) == "table" and k ~= "_G" then for f in pairs(v) do t[#t+1] = k .. "." .. f end end t[#t+1] = k end table.sort(t) return t';
    for (const stdlib of [{}, { allow: ['os.execute', 'io', 'require', 'debug'], deny: ['string.rep', 'math.floor', 'print', '_G'] }]) {
      const box = sandbox(stdlib);
      const policy = box.manifest.policy;
      const expected = names.filter((name) => policy.isGranted(name) && !(name.startsWith('_G') && name !== '_G')).sort();
      for (let run = 0; run < 3; run++) {
        const result = await box.run(script);
        assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
        assert.deepEqual(result.output, expected, `run ${run + 1} under ${JSON.stringify(stdlib)}`);
      }
    }
  });

  it('refuses to grant loadstring, which Lua 5.3 does not have', () => {
    const result = parseManifest(JSON.stringify({ name: 'x', stdlib: { allow: ['loadstring'] } }), '/virtual/sandlua.json');
    assert.equal(result.manifest, undefined);
    assert.match(result.problems[0].message, /'loadstring' is not Lua 5.3 and cannot be granted: allow 'load' instead/);
    assert.ok(parseManifest(JSON.stringify({ name: 'x', stdlib: { deny: ['loadstring'] } }), '/virtual/sandlua.json').manifest);
  });
});

describe('the sandbox\'s guards', () => {
  it('read as no metatable, and cannot be replaced', async () => {
    const box = sandbox({ allow: ['debug'] });
    const seen = await box.run('return { g = getmetatable(_G) or "none", s = getmetatable(string) or "none", o = getmetatable(os) or "none" }');
    assert.ok(seen.ok);
    assert.deepEqual(seen.output, { g: 'none', s: 'none', o: 'none' });
    for (const source of ['setmetatable(_G, {})', 'setmetatable(string, nil)', 'debug.setmetatable(os, {})', 'debug.setmetatable(_G, nil)']) {
      const result = await box.run(source);
      assert.ok(!result.ok && /cannot change a protected metatable/.test(result.error.message), `${source}: ${JSON.stringify(result)}`);
    }
  });
});
