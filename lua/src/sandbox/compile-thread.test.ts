// A long chunk compiled on the compile worker: the same prototype as compiling here (its binary
// chunk byte for byte), the same message for a chunk that does not compile, the event loop free
// while it compiles, and the run's time limit still holding while it waits.
import { strict as assert } from 'assert';
import { compile } from '../compiler/compile';
import { dump } from '../vm/dump';
import { testContract } from './testing/contract';
import { Sandbox } from './sandbox';
import { OFF_THREAD_CHARS, compileOffThread } from './compile-thread';

/** A chunk past the worker's threshold with every kind of constant, locals, nested functions, upvalues. */
function longChunk(branches: number): string {
  const out = ['local v, s, f = ...', 'local x, big, neg0 = 0, 9007199254740993, -0.0', 'local function up() return x + 1.0 end', 'if v == -1 then x = -1'];
  for (let i = 0; i < branches; i++) out.push(`elseif v == ${i} then local y${i % 7} = ${i}.5 x = up() + ${i} s = "\\xff\\0${i}" f = function(a) return a .. s .. y${i % 7} end`);
  out.push('end', 'return x, s, big, neg0, 2^53, 1e308 * 10, f');
  return out.join('\n');
}

describe('compile worker', function () {
  this.timeout(30_000);

  it('gives the prototype compiling here gives, byte for byte as a binary chunk', async () => {
    const source = longChunk(2000);
    assert.ok(source.length >= OFF_THREAD_CHARS);
    const here = compile(source, '@long.lua');
    const answer = await compileOffThread(source, '@long.lua');
    assert.ok(answer !== undefined && 'proto' in answer);
    const there = answer.proto;
    assert.ok(typeof here !== 'string' && typeof there !== 'string');
    assert.deepEqual(Buffer.from(dump(there)), Buffer.from(dump(here)));
    assert.deepEqual(there.locVars, here.locVars);
    assert.deepEqual(there.constants, here.constants);
  });

  it("counts the compiler's charges as compiling here does, and stops at a job's step or time limit", async () => {
    // A long and/or chain: walking its jump lists is work that grows as the square of its length.
    const chain = (terms: number) => `local a = ...\nreturn ${Array(terms).fill('a').join(' and ')}`;
    let here = 0;
    const proto = compile(chain(4000), '=chain', (n) => { here += n; });
    assert.ok(typeof proto !== 'string' && here > 1_000_000);
    const answer = await compileOffThread(chain(4000), '=chain');
    assert.ok(answer !== undefined && 'proto' in answer);
    assert.equal(answer.steps, here);
    assert.deepEqual(await compileOffThread(chain(4000), '=chain', { maxSteps: here - 1 }), { stopped: 'steps' });
    // 200,000 terms would hold the worker for minutes: it gives up at its time limit, and the next job is answered.
    assert.deepEqual(await compileOffThread(chain(200_000), '=chain', { timeMs: 50 }), { stopped: 'time' });
    const next = await compileOffThread(longChunk(1500), '@next.lua');
    assert.ok(next !== undefined && 'proto' in next && typeof next.proto !== 'string');
    // A job whose time passed while it waited behind another is not begun.
    const [first, behind] = await Promise.all([
      compileOffThread(chain(200_000), '=chain', { timeMs: 300 }),
      compileOffThread(longChunk(1500), '@behind.lua', { timeMs: 50 }),
    ]);
    assert.deepEqual([first, behind], [{ stopped: 'time' }, { stopped: 'time' }]);
  });

  it('gives the message compiling here gives for a chunk that does not compile', async () => {
    const source = longChunk(1500) + '\nlocal = 1';
    const here = compile(source, '@bad.lua');
    assert.equal(typeof here, 'string');
    assert.deepEqual(await compileOffThread(source, '@bad.lua'), { proto: here, steps: 0 });
  });

  it("gives the event loop its turns while a run's long chunk compiles (a short one compiles at once)", async () => {
    const manifest = testContract('compile-worker', { host: { turned: { params: [], returns: 'boolean' } } });
    // The chunk's first statement asks whether a turn of the event loop came since the run began.
    const firstLook = async (source: string): Promise<unknown> => {
      let turned = false;
      const sandbox = new Sandbox({ manifest, host: { turned: () => turned } });
      setImmediate(() => { turned = true; });
      const result = await sandbox.run(`local turned = turned()\n${source}\nreturn turned`, null, { name: `turns${source.length}.lua` });
      assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
      return result.output;
    };
    assert.equal(await firstLook('local x = 1'), false);
    assert.equal(await firstLook(`local v = 3\n${longChunk(1500).replace('local v, s, f = ...', 'local s, f')}`.replace(/\nreturn x, s[^\n]*$/, '')), true);
  });

  it("ends a run with its time limit when the chunk's compile takes longer", async () => {
    const sandbox = new Sandbox({ manifest: testContract('compile-worker', { limits: { timeMs: 1 } }) });
    const result = await sandbox.run(longChunk(6000) + '\n-- a different chunk', null, { name: 'slow.lua' });
    assert.ok(!result.ok);
    assert.equal(result.error.kind, 'budget');
    assert.match(result.error.message, /time limit of 1 ms exceeded/);
  });
});
