// Turns of the event loop shared by the runs of a process (marshal.ts, nextTurn): each turn gives
// the waiting runs their slices in order until sandbox work has held the thread 10 ms, and the
// others go on in the next turns, after the loop's own callbacks. Sandboxes started together in
// one go are spread over turns the same way.
import { strict as assert } from 'assert';
import { holding, nextTurn } from './marshal';
import { testContract } from './testing/contract';
import { Sandbox } from './sandbox';
import { LuaState } from '../vm/state';
import { VM } from '../vm/interp';

/** Holds the thread for at least `ms` as sandbox work (a slice of a run). */
function slice(ms: number): void {
  holding(() => {
    const until = performance.now() + ms;
    while (performance.now() < until) { /* busy */ }
  });
}

/** Counts the event loop's turns from now until `stop`, which gives the count. */
function countTurns(): { stop(): number } {
  let turns = 0;
  let counting = true;
  const tick = (): void => {
    turns++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop(): number {
      counting = false;
      return turns;
    },
  };
}

describe('sandbox: turns of the event loop shared by the runs', () => {
  it('gives waiters their slices in order until 10 ms are held, then lets the loop run its other callbacks', async () => {
    const order: string[] = [];
    const waiters = Array.from({ length: 7 }, async (_, i) => {
      await nextTurn();
      order.push(`run ${i}`);
      slice(4);
    });
    // Queued after the first turn's pump: it runs once that turn has ended.
    setImmediate(() => order.push('loop'));
    await Promise.all(waiters);
    // 4 ms slices: the third one brings the turn to 12 ms held, so at most three runs before the
    // loop's callback (fewer when sandbox work left by other tests shares the turn); all in order.
    assert.deepEqual(order.filter((o) => o !== 'loop'), ['run 0', 'run 1', 'run 2', 'run 3', 'run 4', 'run 5', 'run 6']);
    assert.ok(order.indexOf('loop') <= 3, order.join(', '));
  });

  it('keeps the order across turns: a waiter that comes back waits behind those already waiting', async () => {
    const order: number[] = [];
    const runner = async (id: number, slices: number): Promise<void> => {
      for (let k = 0; k < slices; k++) {
        await nextTurn();
        order.push(id);
        slice(6);
      }
    };
    await Promise.all([runner(1, 3), runner(2, 3), runner(3, 3)]);
    // In the order they waited, turn after turn (work left by other tests may come between).
    assert.deepEqual(order, [1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });

  it('starts sandboxes a host starts together in one go over several turns, each with the right result', async () => {
    const manifest = testContract('turns', { limits: { instructions: 1e8, timeMs: 30_000 } });
    const loop = countTurns();
    const source = 'local n = 0 for i = 1, 200000 do n = n + i % 7 end return n + input';
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => new Sandbox({ manifest }).run(source, i)));
    const turns = loop.stop();
    let expected = 0;
    for (let i = 1; i <= 200000; i++) expected += i % 7;
    results.forEach((r, i) => assert.deepEqual(r, { ...r, ok: true, output: expected + i }));
    // Forty runs of a few milliseconds each cannot all have run in one turn of the loop.
    assert.ok(turns >= 4, `the loop had ${turns} turns while 40 runs ran`);
  });

  it('loses no debug hook event where a run paused for the loop (the instruction goes through its events again)', async () => {
    // Each line event's hook takes a few milliseconds, so the run wants its turn inside hooks
    // again and again and pauses at the next instruction; the sandbox sets its pace before each
    // resumption, which made that instruction run without its line event.
    const lines = Array.from({ length: 400 }, (_, i) => `a = ${i}`).join('\n');
    const source = `local seen = {}
debug.sethook(function(_, line) seen[#seen + 1] = line for i = 1, 3000 do end end, "l")
${lines}
debug.sethook()
return table.concat(seen, ",")`;
    const [plain] = new LuaState().run(source, '=lines');
    const sandbox = new Sandbox({ manifest: testContract('turns', { stdlib: { allow: ['debug'] }, limits: { instructions: 100_000_000, timeMs: 20_000 } }) });
    const loop = countTurns();
    const result = await sandbox.run(source, null);
    const turns = loop.stop();
    assert.ok(result.ok, JSON.stringify(result).slice(0, 300));
    assert.equal(result.output, plain);
    // The run paused for the loop (else the test shows nothing).
    assert.ok(turns >= 2, `the loop had ${turns} turns during the run`);
  });

  it('stretches its checks while they come quickly (up to 16,384 instructions) and keeps them 1,000 apart inside Lua a native called', async () => {
    const paces: [number, number][] = [];
    const setHookPace = VM.prototype.setHookPace;
    VM.prototype.setHookPace = function (this: VM, every: number, nested: number): void {
      paces.push([every, nested]);
      setHookPace.call(this, every, nested);
    };
    let result;
    try {
      result = await new Sandbox({ manifest: testContract('pace', { limits: { instructions: 1e9, timeMs: 30_000 } }) }).run(`
        local n = 0 for i = 1, 3000000 do n = n + i % 7 end
        local t = {} for i = 1, 2000 do t[i] = (i * 7919) % 2003 end
        table.sort(t, function (a, b) local x = 0 for j = 1, 20 do x = x + j end return a < b end)
        return n + t[1]`, null);
    } finally {
      VM.prototype.setHookPace = setHookPace;
    }
    assert.ok(result.ok, JSON.stringify(result));
    const every = paces.map(([e]) => e);
    // The fast loop: the stretch doubles to its most and stays there.
    assert.equal(Math.max(...every), 16384);
    assert.ok(every.filter((e) => e === 16384).length > 10, every.join(' '));
    // Never more, never less than 1,000, and 1,000 inside Lua a native called (VM.setHookPace).
    assert.ok(every.every((e) => e >= 1000 && e <= 16384 && Math.log2(e / 1000) % 1 === 0 || e === 16384), every.join(' '));
    assert.ok(paces.every(([, nested]) => nested === 1000));
  });
});
