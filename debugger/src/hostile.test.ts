// Hostile requests to the debug adapter through a real DAP connection (DebugClient against the
// standalone adapter process): evaluations that would never end or make huge strings answer an
// error within their own limits and the session goes on; disassemble lists at most 10,000 rows.
import { strict as assert } from 'assert';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';

const FIXTURES = path.join(__dirname, '..', 'test', 'fixtures');
const ADAPTER = path.join(__dirname, 'main.js');
const SUM = path.join(FIXTURES, 'sum.lua');

describe('debug adapter under hostile requests (DAP, DebugClient)', function () {
  this.timeout(20000);
  let dc: DebugClient;

  beforeEach(async () => {
    dc = new DebugClient('node', ADAPTER, 'sandlua');
    await dc.start();
    await Promise.all([
      dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
      dc.launch({ program: SUM, stopOnEntry: true, input: { name: 'ann' } }),
      dc.waitForEvent('stopped'),
    ]);
  });

  afterEach(async () => {
    await dc.stop();
  });

  /** Evaluates and returns the error message (failing the test if it succeeds), with the time it took. */
  async function failing(expression: string, context: string): Promise<{ message: string; ms: number }> {
    const started = Date.now();
    const error = await dc.evaluateRequest({ expression, frameId: 0, context }).then(() => undefined, (e: Error) => e);
    assert.ok(error, `${expression} should fail`);
    return { message: error.message, ms: Date.now() - started };
  }

  for (const context of ['watch', 'repl', 'hover']) {
    it(`stops a ${context} expression that loops for ever, and the session goes on`, async () => {
      const { message, ms } = await failing('(function () while true do end end)()', context);
      assert.match(message, /budget|took longer/);
      assert.ok(ms < 5000, `answered after ${ms} ms`);
      assert.equal((await dc.evaluateRequest({ expression: '1 + 1', frameId: 0, context })).body.result, '2');
    });
  }

  it('stops library work that runs long inside one call (a pathological pattern)', async () => {
    // `.-b` over 100,000 a's: some 5·10^9 matcher steps, in one instruction.
    const { message, ms } = await failing('string.find(string.rep("a", 100000), ".-b")', 'watch');
    assert.match(message, /budget|took longer/);
    assert.ok(ms < 5000, `answered after ${ms} ms`);
  });

  it('refuses to make a huge string in an evaluation', async () => {
    const { message } = await failing('#string.rep("x", 1 << 30)', 'repl');
    assert.match(message, /more than|budget/);
    assert.equal((await dc.evaluateRequest({ expression: '#string.rep("x", 10)', frameId: 0, context: 'repl' })).body.result, '10');
  });

  it('lists at most 10,000 instructions per disassemble request', async () => {
    const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    const started = Date.now();
    const listing = await dc.disassembleRequest({ memoryReference: frame.instructionPointerReference!, instructionOffset: -500000, instructionCount: 1_000_000 });
    assert.equal(listing.body!.instructions.length, 10000);
    assert.ok(Date.now() - started < 10000);
    const none = await dc.disassembleRequest({ memoryReference: frame.instructionPointerReference!, instructionCount: -5 });
    assert.equal(none.body!.instructions.length, 0);
    // Still answering.
    assert.equal((await dc.evaluateRequest({ expression: '2 * 3', frameId: 0, context: 'watch' })).body.result, '6');
  });
});
