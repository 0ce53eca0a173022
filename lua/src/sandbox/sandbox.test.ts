// The sandbox as a host uses it: the example contract, host functions (sync and async) with
// their arguments checked and values converted, every limit with its error kind, the audit record
// and its replay, and many sandboxes side by side.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadManifest, parseManifest } from '../contract/manifest';
import type { Contract } from '../contract/manifest';
import { Sandbox } from './sandbox';
import { fromLua, toLua } from './marshal';
import { auditProblem } from './audit';
import { LuaTable } from '../vm/table';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'invoice-normalizer');

function example(): { manifest: Contract; source: string } {
  const result = loadManifest(path.join(EXAMPLE, 'sandlua.json'));
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return { manifest: result.manifest, source: fs.readFileSync(path.join(EXAMPLE, 'normalize.lua'), 'latin1') };
}

function contract(json: Record<string, unknown>): Contract {
  const result = parseManifest(JSON.stringify({ name: 'test', scripts: ['*.lua'], ...json }), '/virtual/sandlua.json');
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}

describe('sandbox', function () {
  this.timeout(30000);

  it('runs the invoice normalizer with async and sync host functions', async () => {
    const { manifest, source } = example();
    const notes: string[] = [];
    const sandbox = new Sandbox({
      manifest,
      host: {
        lookup_vendor_alias: async (alias) => (alias === 'ACME Corp.' ? 'Acme' : null),
        'tools.emit_review_note': (note) => { notes.push(note as string); },
      },
    });
    const known = await sandbox.run(source, { vendor_name: 'ACME Corp.' });
    assert.deepEqual(known.ok && known.output, { normalized_vendor: 'Acme', confidence: 0.95 });
    const unknown = await sandbox.run(source, { vendor_name: 'globex corporation', amount: 20000 });
    assert.deepEqual(unknown.ok && unknown.output, { normalized_vendor: 'Globex', confidence: 0.6 });
    assert.deepEqual(notes, ['large amount 20000.00 for unknown vendor "globex corporation"']);
    assert.ok(unknown.stats.instructions > 50 && unknown.stats.hostCalls === 2 && unknown.stats.memoryBytes > 0);
  });

  it('fails into the contract\'s onFailure on bad input, a forbidden call, a timeout and a bad output', async () => {
    const { manifest, source } = example();
    const sandbox = new Sandbox({ manifest, mockFromExamples: true });
    const cases: [string, unknown, string, RegExp][] = [
      [source, { amount: 3 }, 'input', /missing the required property 'vendor_name'/],
      ['os.execute("rm -rf /")', { vendor_name: 'x' }, 'forbidden', /os\.execute is not granted by invoice-normalizer \(sandlua\.json\)/],
      ['while true do end', { vendor_name: 'x' }, 'budget', /instruction budget exhausted/],
      ['return { normalized_vendor = 42 }', { vendor_name: 'x' }, 'output', /normalized_vendor must be a string/],
      ['return {', { vendor_name: 'x' }, 'syntax', /normalize\.lua:1: unexpected symbol near <eof>/],
    ];
    for (const [script, input, kind, message] of cases) {
      const result = await sandbox.run(script, input, { name: 'normalize.lua' });
      assert.ok(!result.ok, script);
      assert.equal(result.error.kind, kind, result.error.message);
      assert.match(result.error.message, message);
      assert.equal(result.onFailure, 'manual-review');
    }
  });

  it('stops on wall time, also while it waits for the host', async () => {
    const manifest = contract({
      host: { slow: { params: [], returns: 'nil' } },
      limits: { timeMs: 50, instructions: 1e12 },
    });
    const sandbox = new Sandbox({ manifest, host: { slow: () => new Promise((resolve) => setTimeout(resolve, 5000)) } });
    let started = Date.now();
    const waiting = await sandbox.run('slow() return 1', null);
    assert.ok(!waiting.ok && waiting.error.kind === 'budget' && /time limit of 50 ms exceeded while waiting for the host/.test(waiting.error.message));
    assert.ok(Date.now() - started < 2000);
    started = Date.now();
    const spinning = await sandbox.run('local x = 0 while true do x = x + 1 end', null);
    assert.ok(!spinning.ok && spinning.error.kind === 'budget' && /time limit of 50 ms exceeded/.test(spinning.error.message));
    assert.ok(Date.now() - started < 2000);
    // Inside one long library call too (the instruction budget here would allow hours of it).
    const patterns = new Sandbox({ manifest: contract({ stdlib: { allow: ['string.rep'] }, limits: { timeMs: 50, instructions: 1e12 } }) });
    started = Date.now();
    const matching = await patterns.run('return string.find(("a"):rep(3e4), ".-.-.-.-b$")', null);
    assert.ok(!matching.ok && matching.error.kind === 'budget' && /time limit of 50 ms exceeded/.test(matching.error.message), JSON.stringify(matching));
    assert.ok(Date.now() - started < 2000);
  });

  it('checks host arguments against the declared types and converts values both ways', async () => {
    const manifest = contract({
      host: {
        'kb.search': { params: [{ name: 'query', type: 'string' }, { name: 'limit', type: 'integer?' }], returns: '{title: string, score: number}[]' },
        'kb.broken': { params: [], returns: 'string' },
        'kb.fails': { params: [], returns: 'nil' },
      },
    });
    const seen: unknown[][] = [];
    const sandbox = new Sandbox({
      manifest,
      host: {
        'kb.search': (...args) => { seen.push(args); return [{ title: `about ${args[0] as string}`, score: 0.5 }, { title: 'ünïcode', score: 1 }]; },
        'kb.broken': () => 42,
        'kb.fails': () => { throw new Error('database is down'); },
      },
    });
    const good = await sandbox.run('local r = kb.search("lua", 2) return {#r, r[1].title, r[2].title, math.type(r[2].score)}', null);
    assert.deepEqual(good.ok && good.output, [2, 'about lua', 'ünïcode', 'integer']);
    assert.deepEqual(seen, [['lua', 2]]);
    const optional = await sandbox.run('return #kb.search("x")', null);
    assert.ok(optional.ok);
    assert.deepEqual(seen[1], ['x']);
    const wrongType = await sandbox.run('return kb.search("x", 1.5)', null);
    assert.ok(!wrongType.ok && /bad argument #2 to 'search' \(integer\? expected/.test(wrongType.error.message), JSON.stringify(wrongType));
    const tooMany = await sandbox.run('return kb.search("x", 1, "extra")', null);
    assert.ok(!tooMany.ok && /bad argument #3 to 'search' \(kb\.search takes 2 arguments\)/.test(tooMany.error.message));
    const broken = await sandbox.run('return kb.broken()', null);
    assert.ok(!broken.ok && broken.error.kind === 'host' && /returned a value that does not match string/.test(broken.error.message));
    const fails = await sandbox.run('return kb.fails()', null);
    assert.ok(!fails.ok && fails.error.kind === 'host' && /host function kb\.fails failed: database is down/.test(fails.error.message));
    const caught = await sandbox.run('local ok, e = pcall(kb.fails) return {ok, e}', null);
    assert.deepEqual(caught.ok && caught.output, [false, 'host function kb.fails failed: database is down']);
  });

  it('refuses host implementations the contract does not declare', () => {
    const manifest = contract({ host: { f: { params: [], returns: 'nil' } } });
    assert.throws(() => new Sandbox({ manifest, host: { g: () => 1 } }), /host function 'g' is not declared in the contract test/);
  });

  it('limits memory held, call depth and output size', async () => {
    const manifest = contract({ limits: { memoryBytes: 300000, callDepth: 50, outputBytes: 100 } });
    const sandbox = new Sandbox({ manifest });
    const memory = await sandbox.run('local t = {} for i = 1, 1e6 do t[i] = {} end', null);
    assert.ok(!memory.ok && memory.error.kind === 'memory', JSON.stringify(memory));
    // Garbage is not held: a loop that drops what it makes stays within the limit.
    const garbage = await sandbox.run('for i = 1, 20000 do local t = {i, i, i} end return 1', null);
    assert.ok(garbage.ok, JSON.stringify(garbage));
    const depth = await sandbox.run('local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return f(100)', null);
    assert.ok(!depth.ok && depth.error.kind === 'stack');
    const shallow = await sandbox.run('local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return f(40)', null);
    assert.deepEqual(shallow.ok && shallow.output, 40);
    const big = await sandbox.run('return ("x"):rep(200)', null);
    assert.ok(!big.ok && big.error.kind === 'output' && /more than the limit of 100/.test(big.error.message));
  });

  it('waits on async host calls made inside a gsub callback, and replays them', async () => {
    const manifest = contract({ host: { quote: { params: [{ name: 'item', type: 'string' }], returns: 'number' } } });
    let waits = 0;
    const sandbox = new Sandbox({
      manifest,
      host: { quote: async (item) => { waits++; await new Promise((r) => setTimeout(r, 1)); return (item as string).length; } },
    });
    const script = 'local s, n = ("tea coffee milk"):gsub("%a+", function(w) return w .. "=" .. quote(w) end) return {s, n}';
    const result = await sandbox.run(script, null, { audit: true });
    assert.deepEqual(result.ok && result.output, ['tea=3 coffee=6 milk=4', 3]);
    assert.equal(waits, 3);
    const again = await sandbox.replay(JSON.parse(JSON.stringify(result.audit)));
    assert.deepEqual(again.ok && again.output, result.ok && result.output);
    // Coroutines still cannot yield across the callback (PUC's C boundary).
    const yielding = await sandbox.run('local co = coroutine.wrap(function() return ("ab"):gsub(".", function(c) coroutine.yield(c) end) end) return {pcall(co)}', null);
    assert.ok(yielding.ok && yielding.output instanceof Array && yielding.output[0] === false && /attempt to yield across a C-call boundary/.test(String(yielding.output[1])), JSON.stringify(yielding));
  });

  it('records an audit record that replays to the same outcome', async () => {
    const manifest = contract({
      host: { quote: { params: [{ name: 'item', type: 'string' }], returns: 'number' } },
      stdlib: { allow: ['os.time', 'os.clock'] },
    });
    let price = 10;
    const sandbox = new Sandbox({ manifest, host: { quote: async () => price++ } });
    const script = 'local a, b = quote("a"), quote("b") return {total = a + b, t = os.time(), r = math.random(1000), c = os.clock() >= 0}';
    const first = await sandbox.run(script, { order: 1 }, { name: 'order.lua', audit: true });
    assert.ok(first.ok && first.audit);
    const audit = first.audit;
    assert.equal(auditProblem(JSON.parse(JSON.stringify(audit))), undefined);
    assert.deepEqual(audit.hostCalls.map((c) => [c.name, c.args, c.result]), [['quote', ['a'], 10], ['quote', ['b'], 11]]);
    assert.equal(audit.contract.name, 'test');
    assert.equal(audit.script.name, 'order.lua');
    assert.match(audit.inputSha256, /^[0-9a-f]{64}$/);
    // The host now answers differently, but a replay uses what was recorded.
    price = 1000;
    const again = await sandbox.replay(JSON.parse(JSON.stringify(audit)));
    assert.ok(again.ok);
    assert.deepEqual(again.output, first.output);
    // A replay that diverges (another script) says so.
    const diverged = await sandbox.replay({ ...audit, script: { ...audit.script, source: 'return quote("z")' } });
    assert.ok(!diverged.ok && /replay diverged/.test(diverged.error.message));
  });

  it('runs many sandboxes concurrently', async () => {
    const manifest = contract({ host: { wait: { params: [{ name: 'ms', type: 'integer' }], returns: 'integer' } } });
    const sandbox = new Sandbox({ manifest, host: { wait: (ms) => new Promise((resolve) => setTimeout(() => resolve(ms), ms as number)) } });
    const runs = Array.from({ length: 50 }, (_, i) => sandbox.run('local n = ... local s = 0 for i = 1, 3 do s = s + wait(n % 5) end return s + n', i));
    const results = await Promise.all(runs);
    assert.deepEqual(results.map((r) => (r.ok ? r.output : r.error)), Array.from({ length: 50 }, (_, i) => 3 * (i % 5) + i));
  });

  it('converts values at the boundary: sequences, objects, bytes, cycles', () => {
    const t = toLua({ list: [1, 2.5, 'x'], nested: { deep: true }, empty: [], text: 'héllo' }) as LuaTable;
    assert.ok(t instanceof LuaTable);
    assert.deepEqual(fromLua(t), { list: [1, 2.5, 'x'], nested: { deep: true }, empty: {}, text: 'héllo' });
    assert.deepEqual(fromLua(new LuaTable(), { schema: { type: 'array' } }), []);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => toLua(cyclic), /cycle/);
    assert.throws(() => toLua({ f: () => 1 }), /JavaScript function/);
    const proto = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const back = fromLua(toLua(proto)) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.deepEqual(Object.keys(back), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
