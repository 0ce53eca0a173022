// SandboxPool as a host uses it: runs on worker threads with host functions called in this thread,
// the same results, errors and audit records as Sandbox, a run stuck past its time limit ended by
// stopping its worker, a worker killed by V8's heap limit reported as `memory`, and no worker left
// after destroy.
import { strict as assert } from 'assert';
import type { Contract } from '../contract/manifest';
import { testContract } from './testing/contract';
import { Sandbox, type HostImplementation, type RunResult } from './sandbox';
import { SandboxPool } from './pool';

function contract(json: Record<string, unknown>): Contract {
  return testContract('pool-test', json);
}

const CONTRACT = {
  limits: { timeMs: 1000 },
  stdlib: { allow: ['os.time'] },
  host: {
    double: { params: [{ name: 'x', type: 'number' }], returns: 'number' },
    label: { params: [{ name: 'x', type: 'number' }], returns: 'string' },
    fails: { params: [], returns: 'string' },
    bigint: { params: [], returns: 'number' },
    nan: { params: [], returns: 'table' },
    missing: { params: [], returns: 'string' },
    odd: { params: [], returns: 'string' },
    revoked: { params: [], returns: 'string' },
  },
};
const MANIFEST = contract(CONTRACT);

/** The same host for the pool and for a Sandbox beside it. */
const HOST: Record<string, HostImplementation> = {
  // Answers after a timer or on the next turn: the run waits on another thread's event loop.
  double: (x) => new Promise((resolve) => ((x as number) % 2 === 0 ? setImmediate : (f: () => void) => setTimeout(f, 1))(() => resolve((x as number) * 2))),
  label: (x) => `#${x as number}`,
  fails: () => { throw new Error('the ledger is closed'); },
  bigint: () => 10n,
  nan: () => ({ rate: [1, NaN], at: () => 1 }),
  // Thrown values whose message cannot be read: the host's thread survives them too.
  odd: () => { throw { toString() { throw new Error('no string for you'); } }; },
  revoked: async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    throw proxy;
  },
};

function error(result: RunResult): { kind: string; message: string; line?: number } {
  assert.equal(result.ok, false, JSON.stringify(result));
  return result.ok ? { kind: '', message: '' } : result.error;
}

describe('SandboxPool', function () {
  this.timeout(20000);
  let pool: SandboxPool;
  /** What the pool's runs wrote to their output stream, as the host's sink got it. */
  const written: string[] = [];

  before(() => {
    pool = new SandboxPool({ manifest: MANIFEST, host: HOST, threads: 2, stdout: (text) => written.push(text) });
  });

  after(async () => {
    await pool.destroy();
  });

  it('runs 500 scripts across its workers with async and sync host calls, each output right', async () => {
    assert.equal(pool.threads, 2);
    const script = 'local d = double(input.x)\nlocal l = label(input.x)\nreturn { x = input.x, d = d, l = l }';
    const results = await Promise.all(Array.from({ length: 500 }, (_, x) => pool.run(script, { x })));
    for (let x = 0; x < 500; x++) {
      const r = results[x];
      assert.ok(r.ok, JSON.stringify(r));
      assert.deepEqual(r.output, { x, d: x * 2, l: `#${x}` });
      assert.equal(r.stats.hostCalls, 2);
      assert.ok(r.stats.instructions > 0);
    }
    assert.equal(pool.workers, 2);
  });

  it('keeps runs on the same worker apart: globals, object ids, output streams', async () => {
    // Ten runs on two workers: most follow another run on the same worker.
    const tags = 'abcdefghij'.split('');
    const script = 'seen = (seen or 0) + 1\nstring.secret = (string.secret or "") .. input.tag\nprint("run " .. input.tag)\nreturn { seen = seen, id = tostring({}), tag = input.tag, secret = string.secret, leaked = rawget(_G, "leak") }\n';
    const first = await pool.run(`leak = true\n${script}`, { tag: 'a' }, { audit: true });
    const rest = await Promise.all(tags.slice(1).map((tag) => pool.run(script, { tag }, { audit: true })));
    const ids = new Set<unknown>();
    for (const [i, r] of [first, ...rest].entries()) {
      const tag = tags[i];
      assert.ok(r.ok, JSON.stringify(r));
      const out = r.output as Record<string, unknown>;
      assert.deepEqual({ seen: out.seen, tag: out.tag, secret: out.secret, leaked: out.leaked }, { seen: 1, tag, secret: tag, leaked: i === 0 ? true : undefined });
      ids.add(out.id);
      assert.equal(r.audit?.stdout, `run ${tag}\n`);
    }
    // Object ids are numbered per run: the same first table address in every run.
    assert.equal(ids.size, 1);
    assert.deepEqual(written.filter((text) => text.startsWith('run ')).sort(), tags.map((tag) => `run ${tag}\n`));
  });

  it('replays a pooled run identically, through the pool and through a Sandbox', async () => {
    const script = 'local r = math.random(1, 1000000)\nlocal t = os.time()\nreturn { r = r, t = t, d = double(input.x) }';
    const run = await pool.run(script, { x: 7 }, { name: 'replayed.lua', audit: true });
    assert.ok(run.ok && run.audit, JSON.stringify(run));
    const viaPool = await pool.replay(run.audit);
    const viaSandbox = await new Sandbox({ manifest: MANIFEST, host: HOST }).replay(run.audit);
    for (const again of [viaPool, viaSandbox]) {
      assert.ok(again.ok, JSON.stringify(again));
      assert.deepEqual(again.output, run.output);
      assert.deepEqual(again.audit?.hostCalls.map((c) => [c.name, c.args, c.result]), run.audit.hostCalls.map((c) => [c.name, c.args, c.result]));
      assert.deepEqual(again.audit?.clock, run.audit.clock);
    }
    // A record whose host result was changed diverges the same way through both.
    const tampered = JSON.parse(JSON.stringify(run.audit)) as typeof run.audit;
    tampered.hostCalls[0].result = 15;
    const poolDiverged = error(await pool.replay(tampered));
    const sandboxDiverged = error(await new Sandbox({ manifest: MANIFEST, host: HOST }).replay(tampered));
    assert.equal(poolDiverged.kind, 'host');
    assert.match(poolDiverged.message, /^replay diverged/);
    assert.deepEqual(poolDiverged, sandboxDiverged);
  });

  it('gives the same errors as Sandbox for bad scripts, bad input and failing host functions', async () => {
    const sandbox = new Sandbox({ manifest: MANIFEST, host: HOST });
    const cases: [string, unknown][] = [
      ['local x = = 1', undefined], // does not compile
      ['return fails()', undefined], // the host throws
      ['return bigint()', undefined], // the host returns what is not plain data
      ['return nan()', undefined], // NaN in a result, refused with its place (JSON would carry null)
      ['return missing()', undefined], // no implementation given
      ['return odd()', undefined], // throws a value whose toString throws
      ['return revoked()', undefined], // rejects with a revoked proxy
      ['return double("x")', undefined], // a bad argument, refused before the host
      ['return input.x.y.z', { x: 1 }], // a runtime error with its line
      ['return nope.x', undefined],
      ['return 1', 10n], // input that is not plain data
      ['return 1', () => 1], // input JSON cannot write at all
      ['return 1', { toJSON() { throw { toString() { throw new Error('unreadable input'); } }; } }],
    ];
    for (const [source, input] of cases) {
      const pooled = await pool.run(source, input, { name: 'bad.lua' });
      const inProcess = await sandbox.run(source, input, { name: 'bad.lua' });
      assert.deepEqual(error(pooled), error(inProcess), source);
    }
    assert.match(error(await pool.run('return fails()')).message, /host function fails failed: the ledger is closed/);
    // An undeclared host function is refused when the pool is made, with Sandbox's message.
    const host = { ...HOST, unknown_fn: () => 1 };
    assert.throws(() => new Sandbox({ manifest: MANIFEST, host }), /host function 'unknown_fn' is not declared in the contract pool-test/);
    assert.throws(() => new SandboxPool({ manifest: MANIFEST, host }), /host function 'unknown_fn' is not declared in the contract pool-test/);
    assert.throws(() => new SandboxPool({ manifest: MANIFEST, threads: 0 }), /threads must be a whole number of at least 1/);
  });

  it('ends a run stuck in one long operation at its time limit by stopping its worker; the other runs complete', async () => {
    // Compiling a 4 MB script of 400,000 statements is one operation of a second or more, which
    // the sandbox does not interrupt: its clock is read between instructions, and none has run.
    const quick = new SandboxPool({ manifest: contract({ ...CONTRACT, limits: { timeMs: 200 } }), host: HOST, threads: 2 });
    try {
      const stuck = 'local x = 0\n' + 'x = x + 1\n'.repeat(400_000) + 'return x';
      const began = performance.now();
      const stuckRun = quick.run(stuck, undefined, { audit: true }).then((r) => ({ r, ms: performance.now() - began }));
      const others = await Promise.all(Array.from({ length: 40 }, (_, x) => quick.run('return { d = double(input.x) }', { x })));
      others.forEach((r, x) => assert.deepEqual(r.ok && r.output, { d: x * 2 }, JSON.stringify(r)));
      const { r, ms } = await stuckRun;
      assert.deepEqual(error(r), { kind: 'budget', message: 'time limit of 200 ms exceeded (the run was stuck in one operation past its limit: its worker was stopped)' });
      assert.equal(r.audit?.error?.kind, 'budget');
      assert.equal(r.audit?.script.source, stuck);
      // The bound is timeMs + 100 ms; the margin here is for a loaded machine.
      assert.ok(ms < 200 + 2000, `the stuck run ended after ${Math.round(ms)} ms`);
      // The pool is whole again: a worker in place of the stopped one, and runs on both.
      const after = await Promise.all(Array.from({ length: 10 }, (_, x) => quick.run('return label(input.x)', { x })));
      after.forEach((res, x) => assert.equal(res.ok && res.output, `#${x}`));
      assert.equal(quick.workers, 2);
    } finally {
      await quick.destroy();
    }
  });

  it('reports a run whose worker dies of V8\'s heap limit as `memory`, and replaces the worker', async () => {
    // The contract's limit far above what the worker's heap may hold: the second wall stops it.
    const manifest = contract({ limits: { memoryBytes: 2 * 1024 * 1024 * 1024, instructions: 1e11, timeMs: 15000 } });
    const small = new SandboxPool({ manifest, threads: 1, resourceLimits: { maxOldGenerationSizeMb: 64 } });
    try {
      assert.equal((await small.run('return 1')).ok, true);
      // A megabyte string at a time: far under the contract's 2 GB, past the worker's 64 MB soon.
      const e = error(await small.run('local t = {}\nfor i = 1, 1e9 do t[i] = string.rep("x", 1 << 20) .. i end\nreturn #t'));
      assert.equal(e.kind, 'memory');
      assert.match(e.message, /^not enough memory: the run's worker reached its V8 heap limit \(resourceLimits.maxOldGenerationSizeMb = 64\)/);
      const next = await small.run('return { 1, 2, 3 }');
      assert.deepEqual(next.ok && next.output, [1, 2, 3]);
      assert.equal(small.workers, 1);
    } finally {
      await small.destroy();
    }
  });

  it('ends its runs with an error, not a wait, when its workers cannot start', async () => {
    // Too small a heap for the engine itself: piscina stops starting workers after one fails to.
    const starved = new SandboxPool({ manifest: MANIFEST, threads: 1, resourceLimits: { maxOldGenerationSizeMb: 4 } });
    try {
      const kinds = [];
      for (let i = 0; i < 3; i++) kinds.push(error(await starved.run('return 1')).kind);
      assert.ok(kinds.every((kind) => kind === 'memory' || kind === 'runtime'), kinds.join());
      assert.match(error(await starved.run('return 1')).message, /^internal error: the pool's workers cannot start: they run out of memory as they load \(resourceLimits.maxOldGenerationSizeMb = 4: too small\)/);
    } finally {
      await starved.destroy();
    }
  });

  it('leaves no worker after destroy, and refuses runs then', async () => {
    const short = new SandboxPool({ manifest: MANIFEST, host: HOST, threads: 1 });
    const r = await short.run('return double(2)');
    assert.equal(r.ok && r.output, 4);
    assert.equal(short.workers, 1);
    await short.destroy();
    assert.equal(short.workers, 0);
    await assert.rejects(short.run('return 1'), /the SandboxPool was destroyed/);
  });
});
