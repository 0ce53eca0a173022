// The sandbox's memory accounting: the limit is measured by the collector's mark pass only when
// what was allocated since the last one could pass it, so every way a script grows its heap must
// be counted (table parts, strings library functions make, threads), and a script churning
// garbage near its limit must not get a pass per allocation.
import { strict as assert } from 'assert';
import { parseManifest } from '../contract/manifest';
import type { Contract } from '../contract/manifest';
import { Collector } from '../vm/gc';
import { Sandbox, type RunResult } from './sandbox';

function contract(memoryBytes: number): Contract {
  const limits = { instructions: 50_000_000, timeMs: 20_000, memoryBytes, callDepth: 200, outputBytes: 1024 * 1024 };
  const result = parseManifest(JSON.stringify({ name: 'accounting', scripts: ['*.lua'], limits }), '/virtual/sandlua.json');
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}

/** Runs `source` and counts the sandbox's memory passes (on the spot, and in slices). */
async function run(source: string, memoryBytes: number): Promise<{ result: RunResult; passes: number }> {
  const { hostPass, hostPassSteps } = Collector.prototype;
  let passes = 0;
  Collector.prototype.hostPass = function (this: Collector, ...args: Parameters<Collector['hostPass']>) {
    passes++;
    return hostPass.apply(this, args);
  };
  Collector.prototype.hostPassSteps = function (this: Collector, ...args: Parameters<Collector['hostPassSteps']>) {
    passes++;
    return hostPassSteps.apply(this, args);
  };
  try {
    const result = await new Sandbox({ manifest: contract(memoryBytes) }).run(source, null);
    return { result, passes };
  } finally {
    Object.assign(Collector.prototype, { hostPass, hostPassSteps });
  }
}

function fails(result: RunResult, kind: string): void {
  assert.ok(!result.ok, `expected a ${kind} failure, got ${JSON.stringify(result).slice(0, 300)}`);
  assert.equal(result.error.kind, kind, result.error.message.slice(0, 300));
}

const MB = 1024 * 1024;
/** Holds about 3.3 MB (under a 4 MB limit) in `keep`. */
const HOLD = 'local keep = {} for i = 1, 3000 do keep[i] = ("k"):rep(1000) .. i end';

describe('sandbox: memory accounting', function () {
  this.timeout(30000);

  describe('counts every way a script grows what it holds', () => {
    it('an array part grown slot by slot, with no table made', async () => {
      fails((await run('local t = {} for i = 1, 1e6 do t[i] = i end return #t', 2 * MB)).result, 'memory');
    });
    it('a hash part grown entry by entry', async () => {
      fails((await run('local t = {} for i = 1, 3e5 do t[i + 0.5] = true end return 1', 2 * MB)).result, 'memory');
    });
    it('strings made by library functions', async () => {
      fails((await run('local t, s = {}, ("x"):rep(100000) for i = 1, 100 do t[i] = s:sub(i) end return #t', 2 * MB)).result, 'memory');
      fails((await run('local t, s = {}, ("x"):rep(100000) for i = 1, 100 do t[i] = (s .. i):upper() end return #t', 2 * MB)).result, 'memory');
    });
    it('table.concat results, counted as they grow', async () => {
      fails((await run('local p, t = {}, {} for i = 1, 1000 do p[i] = "part" .. i end for i = 1, 400 do t[i] = table.concat(p, ",", i) end return #t', 2 * MB)).result, 'memory');
    });
    it('threads', async () => {
      fails((await run('local t = {} for i = 1, 1e5 do t[i] = coroutine.create(print) end return #t', 2 * MB)).result, 'memory');
    });
  });

  describe('measures rarely when little is held, however much is churned', () => {
    it('a script far below its limit', async () => {
      // 100 MB of garbage tables and strings under a 16 MB limit: a few passes.
      const { result, passes } = await run('local n = 0 for i = 1, 200000 do local t = {i, i + 1, tostring(i)} n = n + #("x"):rep(400) end return n', 16 * MB);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
      assert.ok(passes < 20, `${passes} passes`);
    });
    it('a script that holds most of its limit and churns: passes further apart, not one per allocation', async () => {
      // About 3.3 MB held under 4 MB, then about 80 MB of garbage made by table.concat.
      const source = `${HOLD}
        local parts = {}
        for i = 1, 1000 do parts[i] = "p" .. i end
        local n = 0
        for i = 1, 16000 do n = n + #table.concat(parts, ",") end
        return n`;
      const { result, passes } = await run(source, 4 * MB);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
      assert.ok(passes < 150, `${passes} passes`);
    });
    it('a script that holds one big table and computes: measures as far apart as the table is long', async () => {
      // A pass walks the table's 200,000 entries: one every million instructions cost more than the loop.
      const source = 'local t = {} for i = 1, 200000 do t[i] = i end local n = 0 for i = 1, 8000000 do n = n + i end return n + #t';
      const { result, passes } = await run(source, 16 * MB);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
      assert.ok(passes < 8, `${passes} passes`);
    });
    it('a script that fills a table after its first measure: the scheduled measure waits as if for the table', async () => {
      // 100,000 strings made after the measure at the start (which saw an empty heap), then 3
      // million instructions: the measure that comes anyway at a million would walk them all.
      // Only the measures at the start and the end remain.
      const source = 'local t = {} for i = 1, 100000 do t[i] = "item" .. i end local n = 0 for i = 1, 1000000 do n = n + i end return n + #t';
      const { result, passes } = await run(source, 16 * MB);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
      assert.equal(passes, 2);
    });
    it('and still fails a script that then holds more than the limit', async () => {
      const source = `${HOLD}
        for i = 1, 2000 do local s = ("y"):rep(4000) .. i end
        for i = 3001, 4500 do keep[i] = ("k"):rep(1000) .. i end
        return #keep`;
      fails((await run(source, 4 * MB)).result, 'memory');
    });
  });

  describe('long strings of one length: counted once whether one is held many times or equal ones were made apart', () => {
    // Ropes of 8 MB under a 24 MB limit: counted once each, 16 MB; counted per reference, far over.
    const ROPES = 'local function rope(c) local s = c for i = 1, 23 do s = s .. s end return s end';
    it('one rope in many places, and equal ropes made apart, pass', async () => {
      const { result } = await run(`${ROPES} local a, t = rope("a"), {} for i = 1, 20 do t[i] = a end local b, c = rope("b"), rope("b") t.b, t.c = b, c return #a + #t`, 24 * MB);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
      assert.equal(result.output, 8 * MB + 20);
    });
    it('different ropes of one length over the limit fail', async () => {
      fails((await run(`${ROPES} T = {rope("a"), rope("a"), rope("b"), rope("c")} return #T`, 24 * MB)).result, 'memory');
    });
  });
});


describe('the first measure of a run (before its first instruction)', () => {
  // collectgarbage("count") as the script's first statement is that measure (plus what the
  // script's closure took): a sandbox's first run makes it with a pass over the whole new state;
  // later runs from what that state held, measured once, and a pass over their input alone.
  const SCRIPT = 'local c = collectgarbage("count") * 1024\nreturn c';
  const counting = (memoryBytes: number): Contract => {
    const limits = { instructions: 50_000_000, timeMs: 20_000, memoryBytes, callDepth: 200, outputBytes: 1024 * 1024 };
    const result = parseManifest(JSON.stringify({ name: 'first-measure', scripts: ['*.lua'], limits, stdlib: { allow: ['collectgarbage'] } }), '/virtual/sandlua.json');
    assert.ok(result.manifest, JSON.stringify(result.problems));
    return result.manifest;
  };
  const long = 'x'.repeat(20000);
  const INPUTS: unknown[] = [
    null, 42, 'format', 'a new string', [1, 2, 3],
    { print: 'print', string: 'string.format', nested: { list: ['pairs', 'ipairs', 'x', 'y'], deep: { a: { b: { c: 'math' } } } } },
    { long, again: long, other: 'y'.repeat(20000), third: 'z'.repeat(20001) },
    Array.from({ length: 300 }, (_, i) => `item ${i % 50}`),
  ];

  /** A run, and the whole passes (Collector.hostPass) made before its first instruction and after. */
  async function counted(sandbox: Sandbox, input: unknown): Promise<{ result: RunResult; passes: number }> {
    const { hostPass } = Collector.prototype;
    let passes = 0;
    Collector.prototype.hostPass = function (this: Collector, ...args: Parameters<Collector['hostPass']>) {
      passes++;
      return hostPass.apply(this, args);
    };
    try {
      return { result: await sandbox.run(SCRIPT, input), passes };
    } finally {
      Object.assign(Collector.prototype, { hostPass });
    }
  }

  it('is what a pass over the whole state gives, for inputs sharing strings with the libraries, long ones and many', async () => {
    const shared = new Sandbox({ manifest: counting(64 * MB) });
    for (const input of INPUTS) {
      // A contract of its own: sandboxes of one contract share what its first run measured.
      const fresh = await new Sandbox({ manifest: counting(64 * MB) }).run(SCRIPT, input);
      const { result: later, passes } = await counted(shared, input);
      assert.ok(fresh.ok && later.ok, JSON.stringify([fresh, later]).slice(0, 300));
      assert.equal(later.output, fresh.output, `the first measure with the input ${JSON.stringify(input).slice(0, 80)}`);
      assert.equal(later.stats.memoryBytes, fresh.stats.memoryBytes);
      if (input !== INPUTS[0]) assert.equal(passes, 0, 'a later run makes no pass over the whole state before its first instruction');
    }
  });

  it('is shared by the sandboxes of one contract: a new sandbox\'s first run makes no whole pass either', async () => {
    const manifest = counting(64 * MB);
    const first = await new Sandbox({ manifest }).run(SCRIPT, { a: 'b' });
    const { result: second, passes } = await counted(new Sandbox({ manifest }), { a: 'b' });
    assert.ok(first.ok && second.ok);
    assert.equal(second.output, first.output);
    assert.equal(passes, 0);
  });

  it('still fails an input over the limit before the first instruction', async () => {
    const sandbox = new Sandbox({ manifest: counting(512 * 1024) });
    assert.ok((await sandbox.run(SCRIPT, 'small')).ok);
    const result = await sandbox.run(SCRIPT, { big: 'b'.repeat(600 * 1024) });
    fails(result, 'memory');
    assert.ok((await sandbox.run(SCRIPT, 'small again')).ok);
  });
});
