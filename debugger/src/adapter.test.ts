// The debug adapter through a real DAP connection: @vscode/debugadapter-testsupport's DebugClient
// against the standalone adapter process (out/main.js), as nvim-dap or VS Code would drive it.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { compile, type Proto } from '@sandlua/lua';
import { defaultInput } from './index';

const FIXTURES = path.join(__dirname, '..', 'test', 'fixtures');
const ADAPTER = path.join(__dirname, 'main.js');
const SUM = path.join(FIXTURES, 'sum.lua');

function program(name: string): string {
  return path.join(FIXTURES, name);
}

/** Lines of the sum.lua fixture, by what is on them. */
const LINE = { addBody: 3, addReturn: 4, total: 6, loop: 7, call: 8, lookup: 10, print: 11, ret: 12 };

/** Events a test waits for after the request that causes them may already have answered. */
const QUEUED = new Set(['stopped', 'terminated']);

/**
 * A DebugClient that keeps the 'stopped' and 'terminated' events nobody waits for yet. The adapter
 * can send a stop in the same chunk as the launch response; the plain client emits it before the
 * test, resumed by that response, starts waiting, and drops it. Here each such event goes to the
 * oldest waiter, or waits in a queue for the next one.
 */
class QueuedDebugClient extends DebugClient {
  private readonly queued = new Map<string, DebugProtocol.Event[]>();
  private readonly waiters = new Map<string, Array<(event: DebugProtocol.Event) => void>>();

  constructor(runtime: string, executable: string, debugType: string) {
    super(runtime, executable, debugType);
    for (const type of QUEUED) {
      this.on(type, (event: DebugProtocol.Event) => {
        const waiter = this.waiters.get(type)?.shift();
        if (waiter) waiter(event);
        else this.queue(type).push(event);
      });
    }
  }

  /** Sends a request and resolves with the whole response, failed or not (DebugClient rejects with only the message). */
  response(command: string, args: unknown): Promise<DebugProtocol.Response> {
    const client = this as unknown as { doSend(command: string, args: unknown, clb: (response: DebugProtocol.Response) => void): void };
    return new Promise((resolve) => client.doSend(command, args, resolve));
  }

  private queue(type: string): DebugProtocol.Event[] {
    let queue = this.queued.get(type);
    if (!queue) this.queued.set(type, (queue = []));
    return queue;
  }

  override waitForEvent(eventType: string, timeout?: number): Promise<DebugProtocol.Event> {
    if (!QUEUED.has(eventType)) return super.waitForEvent(eventType, timeout);
    const ready = this.queue(eventType).shift();
    if (ready) return Promise.resolve(ready);
    const ms = timeout ?? this.defaultTimeout;
    return new Promise((resolve, reject) => {
      const waiters = this.waiters.get(eventType) ?? [];
      this.waiters.set(eventType, waiters);
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(take), 1);
        reject(new Error(`no event '${eventType}' received after ${ms} ms`));
      }, ms);
      const take = (event: DebugProtocol.Event): void => {
        clearTimeout(timer);
        resolve(event);
      };
      waiters.push(take);
    });
  }
}

describe('debug adapter (DAP, DebugClient)', function () {
  this.timeout(20000);
  let dc: QueuedDebugClient;

  beforeEach(async () => {
    dc = new QueuedDebugClient('node', ADAPTER, 'sandlua');
    await dc.start();
  });

  afterEach(async () => {
    await dc.stop();
  });

  /** Launches with breakpoints (and other configuration) set before configurationDone. */
  async function launch(args: Record<string, unknown>, configure: () => Promise<unknown> = async () => undefined): Promise<void> {
    await Promise.all([
      dc.waitForEvent('initialized').then(configure).then(() => dc.configurationDoneRequest()),
      dc.launch({ input: { name: 'ann' }, ...args }),
    ]);
  }

  /** Waits for an output event whose text contains `text` (other output may come first). */
  function waitForOutput(text: string): Promise<void> {
    return new Promise((resolve) => {
      const listener = (event: DebugProtocol.OutputEvent): void => {
        if (event.body.output.includes(text)) {
          dc.removeListener('output', listener);
          resolve();
        }
      };
      dc.on('output', listener);
    });
  }

  async function top(): Promise<DebugProtocol.StackFrame> {
    const trace = await dc.stackTraceRequest({ threadId: 1 });
    return trace.body.stackFrames[0];
  }

  async function locals(frameId = 0): Promise<Record<string, string>> {
    const scopes = await dc.scopesRequest({ frameId });
    const scope = scopes.body.scopes.find((s) => s.name === 'Locals')!;
    const vars = await dc.variablesRequest({ variablesReference: scope.variablesReference });
    return Object.fromEntries(vars.body.variables.map((v) => [v.name, v.value]));
  }

  it('declares what it supports', async () => {
    const response = await dc.initializeRequest();
    const caps = response.body!;
    for (const key of ['supportsDisassembleRequest', 'supportsSteppingGranularity', 'supportsInstructionBreakpoints', 'supportsStepBack',
      'supportsConditionalBreakpoints', 'supportsHitConditionalBreakpoints', 'supportsLogPoints', 'supportsSetVariable', 'supportsExceptionInfoRequest'] as const) {
      assert.equal(caps[key], true, key);
    }
    assert.deepEqual(caps.exceptionBreakpointFilters!.map((f) => f.filter), ['runtime', 'contract', 'limits']);
  });

  it('stops on entry at the first instruction', async () => {
    const main = compile(fs.readFileSync(SUM, 'latin1'), '@' + SUM) as Proto;
    await launch({ program: SUM, stopOnEntry: true });
    await dc.assertStoppedLocation('entry', { path: SUM, line: main.lineInfo[0] });
    const frame = await top();
    assert.match(frame.instructionPointerReference!, /^0x[0-9a-f]+$/);
    assert.notEqual(BigInt(frame.instructionPointerReference!), 0n);
  });

  it('stops at a breakpoint, verified on a line with code (moved down from a blank one), with frames and locals', async () => {
    let verified: DebugProtocol.Breakpoint[] = [];
    await launch({ program: SUM }, async () => {
      verified = (await dc.setBreakpointsRequest({ source: { path: SUM }, breakpoints: [{ line: LINE.addBody }, { line: 100 }] })).body.breakpoints;
    });
    assert.equal(verified[0].verified, true);
    assert.equal(verified[0].line, LINE.addBody);
    assert.equal(verified[1].verified, false);
    await dc.assertStoppedLocation('breakpoint', { path: SUM, line: LINE.addBody });
    const trace = await dc.stackTraceRequest({ threadId: 1 });
    assert.deepEqual(trace.body.stackFrames.map((f) => [f.name, f.line]), [['add (local)', LINE.addBody], ['main chunk', LINE.call]]);
    assert.deepEqual(await locals(0), { a: '0', b: '1' });
    const sum = await dc.evaluateRequest({ expression: 'a + b * 10', frameId: 0, context: 'watch' });
    assert.equal(sum.body.result, '10');
    const outer = await locals(1);
    assert.equal(outer.total, '0');
    assert.equal(outer.i, '1');
  });

  it('stops inside a callback that a library function calls (string.gsub)', async () => {
    const CALLBACK = program('callback.lua');
    await launch({ program: CALLBACK }, () => dc.setBreakpointsRequest({ source: { path: CALLBACK }, breakpoints: [{ line: 3 }] }));
    await dc.assertStoppedLocation('breakpoint', { path: CALLBACK, line: 3 });
    const trace = await dc.stackTraceRequest({ threadId: 1 });
    assert.deepEqual(trace.body.stackFrames.map((f) => [f.name, f.line]), [['function <line 2>', 3], ['[C] string.gsub', 0], ['main chunk', 2]]);
    assert.deepEqual(await locals(0), { word: '"tea"' });
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.assertStoppedLocation('breakpoint', { path: CALLBACK, line: 3 })]);
    assert.deepEqual(await locals(0), { word: '"time"' });
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: 4 })]);
    await Promise.all([dc.continueRequest({ threadId: 1 }), waitForOutput('TEA TIME'), dc.waitForEvent('terminated')]);
  });

  it('honours conditions, hit counts and logpoints', async () => {
    await launch({ program: SUM }, () => dc.setBreakpointsRequest({
      source: { path: SUM },
      breakpoints: [
        { line: LINE.call, condition: 'i == 2' },
        { line: LINE.addReturn, hitCondition: '>= 3' },
        { line: LINE.print, logMessage: 'total is {total}, name {name}' },
      ],
    }));
    await dc.assertStoppedLocation('breakpoint', { line: LINE.call });
    assert.equal((await locals(0)).i, '2');
    await dc.continueRequest({ threadId: 1 });
    await dc.assertStoppedLocation('breakpoint', { line: LINE.addReturn });
    assert.equal((await locals(0)).sum, '6');
    await Promise.all([dc.continueRequest({ threadId: 1 }), waitForOutput('total is 6, name "Ann"')]);
    await dc.waitForEvent('terminated');
  });

  it('steps over, in and out by line', async () => {
    await launch({ program: SUM }, () => dc.setBreakpointsRequest({ source: { path: SUM }, breakpoints: [{ line: LINE.total }] }));
    await dc.assertStoppedLocation('breakpoint', { line: LINE.total });
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: LINE.loop })]);
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: LINE.call })]);
    await Promise.all([dc.stepInRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: LINE.addBody })]);
    await Promise.all([dc.stepOutRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: LINE.call })]);
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: LINE.loop })]);
  });

  it('steps one VM instruction at a time, and disassembles around it', async () => {
    await launch({ program: SUM }, () => dc.setBreakpointsRequest({ source: { path: SUM }, breakpoints: [{ line: LINE.total }] }));
    await dc.assertStoppedLocation('breakpoint', { line: LINE.total });
    const before = BigInt((await top()).instructionPointerReference!);
    await Promise.all([dc.nextRequest({ threadId: 1, granularity: 'instruction' }), dc.waitForEvent('stopped')]);
    const after = BigInt((await top()).instructionPointerReference!);
    assert.equal(after, before + 1n);
    await Promise.all([dc.stepInRequest({ threadId: 1, granularity: 'instruction' }), dc.waitForEvent('stopped')]);
    assert.equal(BigInt((await top()).instructionPointerReference!), before + 2n);

    const ip = (await top()).instructionPointerReference!;
    const window = await dc.disassembleRequest({ memoryReference: ip, instructionOffset: -200, instructionCount: 400, resolveSymbols: true });
    const rows = window.body!.instructions;
    assert.equal(rows.length, 400);
    for (const row of rows) {
      assert.match(row.address, /^0x[0-9a-f]+$/);
      assert.notEqual(BigInt(row.address), 0n);
    }
    const current = rows.find((r) => BigInt(r.address) === BigInt(ip))!;
    assert.ok(current && current.instruction.length > 0 && current.presentationHint !== 'invalid');
    assert.ok(rows.some((r) => r.presentationHint === 'invalid'), 'padded past the function');
    assert.ok(rows.some((r) => /^GETTABUP\s+\d+ 0 -\d+\t; _ENV "lookup"$/.test(r.instruction)), 'luac listing format');
    assert.equal(rows.filter((r) => r.presentationHint !== 'invalid')[0].location?.path, SUM);
  });

  it('stops at an instruction breakpoint', async () => {
    const main = compile(fs.readFileSync(SUM, 'latin1'), '@' + SUM) as Proto;
    const pc = main.lineInfo.findIndex((l) => l === LINE.print);
    await launch({ program: SUM, stopOnEntry: true });
    await dc.assertStoppedLocation('entry', {});
    const ip = BigInt((await top()).instructionPointerReference!);
    const set = await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x' + ip.toString(16), offset: pc }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.assertStoppedLocation('instruction breakpoint', { line: LINE.print })]);
  });

  it('shows scopes (locals, upvalues, registers, globals, budget) and sets a variable', async () => {
    await launch({ program: SUM }, () => dc.setBreakpointsRequest({ source: { path: SUM }, breakpoints: [{ line: LINE.print }] }));
    await dc.assertStoppedLocation('breakpoint', { line: LINE.print });
    const scopes = (await dc.scopesRequest({ frameId: 0 })).body.scopes.map((s) => s.name);
    assert.deepEqual(scopes, ['Locals', 'Varargs', 'Upvalues', 'Registers', 'Globals', 'Budget']);
    const vars = await locals(0);
    assert.equal(vars.total, '6');
    assert.equal(vars.name, '"Ann"');
    assert.equal(vars.input, '{name = "ann"}');
    const budgetRef = (await dc.scopesRequest({ frameId: 0 })).body.scopes.find((s) => s.name === 'Budget')!.variablesReference;
    const budget = Object.fromEntries((await dc.variablesRequest({ variablesReference: budgetRef })).body.variables.map((v) => [v.name, Number(v.value)]));
    assert.ok(budget['instructions used'] > 10 && budget['instructions used'] + budget['instructions left'] === 5000000);
    const localsRef = (await dc.scopesRequest({ frameId: 0 })).body.scopes[0].variablesReference;
    const set = await dc.setVariableRequest({ variablesReference: localsRef, name: 'total', value: 'total * 100' });
    assert.equal(set.body.value, '600');
    // Evaluation reads the program but cannot change it.
    const attempt = await dc.evaluateRequest({ expression: 'input.name = "x"', frameId: 0, context: 'repl' }).catch((e: Error) => e);
    assert.ok(attempt instanceof Error && /cannot modify the program/.test(attempt.message));
    const spin = await dc.evaluateRequest({ expression: '(function () while true do end end)()', frameId: 0, context: 'repl' }).catch((e: Error) => e);
    assert.ok(spin instanceof Error && /budget exhausted/.test(spin.message));
    await Promise.all([dc.continueRequest({ threadId: 1 }), waitForOutput('total\t600\tAnn')]);
  });

  it('shows a table as a preview of all its entries and lists every key in a stable order', async () => {
    const TABLES = program('tables.lua');
    await launch({ program: TABLES, input: { name: 'ann', n: 2 } }, () => dc.setBreakpointsRequest({ source: { path: TABLES }, breakpoints: [{ line: 7 }] }));
    await dc.assertStoppedLocation('breakpoint', { line: 7 });
    const scopes = await dc.scopesRequest({ frameId: 0 });
    const vars = (await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference })).body.variables;
    const byName = Object.fromEntries(vars.map((v) => [v.name, v]));
    // The input's two fields are in its hash part: both counted, both previewed.
    assert.equal(byName.input.value, '{n = 2, name = "ann"}');
    // Strings as text: UTF-8 decoded, other bytes as Lua escapes.
    assert.deepEqual([byName.word.value, byName.raw.value], ['"café"', '"\\255"']);
    assert.equal(byName.t.value, '{10, 20, [2.5] = "x", ["a b"] = 1, n = 2, name = "ann", zeta = {…}, …} (8 entries)');
    assert.equal(byName.big.value, '{k1 = 1, k2 = 2, k3 = 3, k4 = 4, k5 = 5, k6 = 6, k7 = 7, k8 = 8, k9 = 9, …} (30 entries)');
    const children = async (name: string): Promise<string[]> =>
      (await dc.variablesRequest({ variablesReference: byName[name].variablesReference })).body.variables.map((v) => `${v.name} = ${v.value}`);
    const t = await children('t');
    assert.deepEqual(t, ['[1] = 10', '[2] = 20', '[2.5] = "x"', '["a b"] = 1', 'n = 2', 'name = "ann"', 'zeta = {}', '[true] = "yes"']);
    assert.deepEqual(await children('t'), t, 'the same order every time');
    const big = await children('big');
    assert.deepEqual([big.length, big[1], big[9], big[29]], [30, 'k2 = 2', 'k10 = 10', 'k30 = 30']);
    assert.deepEqual(await children('input'), ['n = 2', 'name = "ann"']);
    // Each child says how to read it (Add to Watch, Copy as Expression), and that reads it.
    const named = (await dc.variablesRequest({ variablesReference: byName.t.variablesReference })).body.variables.map((v) => v.evaluateName);
    assert.deepEqual(named, ['t[1]', 't[2]', 't[2.5]', 't["a b"]', 't.n', 't.name', 't.zeta', 't[true]']);
    for (const expression of named) assert.ok((await dc.evaluateRequest({ expression: expression!, frameId: 0, context: 'watch' })).body.result !== 'nil', expression);
    const inputName = (await dc.variablesRequest({ variablesReference: byName.input.variablesReference })).body.variables.find((v) => v.name === 'name')!;
    assert.equal((await dc.evaluateRequest({ expression: inputName.evaluateName!, frameId: 0, context: 'watch' })).body.result, '"ann"');
  });

  it('answers an evaluation error without asking for a notification (the console shows it)', async () => {
    await launch({ program: SUM }, () => dc.setBreakpointsRequest({ source: { path: SUM }, breakpoints: [{ line: LINE.print }] }));
    await dc.assertStoppedLocation('breakpoint', { line: LINE.print });
    for (const context of ['repl', 'watch', 'hover']) {
      const response = await dc.response('evaluate', { expression: 'nosuch.field', frameId: 0, context });
      assert.equal(response.success, false, context);
      assert.match(response.message!, /attempt to index a nil value/, context);
      const error = (response.body as { error?: DebugProtocol.Message }).error;
      assert.notEqual(error?.showUser, true, `${context}: no notification`);
    }
  });

  it('shows print and host-call lines once per real execution when stepping back and forward', async () => {
    const outputs: string[] = [];
    dc.on('output', (event: DebugProtocol.OutputEvent) => outputs.push(event.body.output));
    await launch({ program: SUM }, () => dc.setBreakpointsRequest({ source: { path: SUM }, breakpoints: [{ line: LINE.print }] }));
    await dc.assertStoppedLocation('breakpoint', { line: LINE.print });
    // Back before the host call, forward over it again (replayed): its line was shown already.
    await Promise.all([dc.stepBackRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: LINE.lookup })]);
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('breakpoint', { line: LINE.print })]);
    // The print has not run yet: stepping over it shows it, once.
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: LINE.ret })]);
    await Promise.all([dc.stepBackRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: LINE.print })]);
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated')]);
    const count = (text: string): number => outputs.filter((o) => o.includes(text)).length;
    assert.equal(count('[host] lookup("ann")'), 1, outputs.join(''));
    assert.equal(count('total\t6\tAnn'), 1, outputs.join(''));
    assert.equal(count('output: '), 1, outputs.join(''));
  });

  /** The Registers scope of a frame, as `R0=value` strings. */
  async function registers(frameId: number): Promise<string[]> {
    const scope = (await dc.scopesRequest({ frameId })).body.scopes.find((s) => s.name === 'Registers')!;
    return (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables.map((v) => `${v.name}=${v.value}`);
  }

  it('shows only the live registers of each frame: no stale slots of dead frames, no callee window', async () => {
    await launch({ program: SUM, stopOnEntry: true }, () => dc.setBreakpointsRequest({ source: { path: SUM }, breakpoints: [{ line: LINE.addBody, hitCondition: '2' }] }));
    await dc.assertStoppedLocation('entry', {});
    assert.deepEqual(await registers(0), [], 'nothing is live before the first instruction');
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.assertStoppedLocation('breakpoint', { line: LINE.addBody })]);
    // add's second call: its register 2 (`sum`) still holds the first call's 1 until it is assigned.
    assert.deepEqual(await registers(0), ['R0=1', 'R1=2']);
    // The caller, in its call: its locals and the loop's state, not the window it handed to add.
    assert.deepEqual(await registers(1), ['R0=function <line 2>', 'R1=1', 'R2=2', 'R3=3', 'R4=1', 'R5=2']);
    await Promise.all([dc.stepOutRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: LINE.call })]);
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated')]);
  });

  it('shows a temporary register while an expression is half done (stepping by instruction)', async () => {
    const names = async (): Promise<string[]> => (await registers(0)).map((r) => r.split('=')[0]);
    await launch({ program: SUM }, () => dc.setBreakpointsRequest({ source: { path: SUM }, breakpoints: [{ line: LINE.call }] }));
    await dc.assertStoppedLocation('breakpoint', { line: LINE.call });
    assert.deepEqual(await names(), ['R0', 'R1', 'R2', 'R3', 'R4', 'R5']);
    // `add` moved into the call's register, about to be called: live until the call.
    await Promise.all([dc.nextRequest({ threadId: 1, granularity: 'instruction' }), dc.waitForEvent('stopped')]);
    assert.deepEqual(await names(), ['R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6']);
  });

  it('reports print and host calls on the console', async () => {
    await Promise.all([
      launch({ program: SUM }),
      waitForOutput('[host] lookup("ann") → "Ann"'),
      waitForOutput('total\t6\tAnn'),
      dc.waitForEvent('terminated'),
    ]);
  });

  for (const [file, kind, message, extra] of [
    ['fails.lua', 'runtime', /attempt to index a nil value \(field '\?'\)/, {}],
    ['forbidden.lua', 'forbidden', /os\.execute is not granted by debug-fixtures \(sandlua\.json\)/, {}],
    ['spin.lua', 'budget', /instruction budget exhausted/, {}],
    ['deep.lua', 'stack', /stack overflow/, {}],
    ['hog.lua', 'memory', /memory limit of 4000000 bytes exceeded/, {}],
    ['host-fails.lua', 'host', /host function lookup failed: directory unavailable/, { host: path.join(FIXTURES, 'failing-host.js') }],
  ] as const) {
    it(`stops on a ${kind} error with its message and kind, at the failing line`, async () => {
      await launch({ program: program(file), ...extra });
      const stopped = (await dc.waitForEvent('stopped')) as DebugProtocol.StoppedEvent;
      assert.equal(stopped.body.reason, 'exception');
      assert.match(stopped.body.description!, new RegExp(`^${kind}: `));
      const info = await dc.exceptionInfoRequest({ threadId: 1 });
      assert.equal(info.body.exceptionId, kind);
      assert.match(info.body.description!, message);
      const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
      const lua = frames.find((f) => f.line > 0);
      assert.ok(lua && lua.line > 1, 'the stack of the failure');
      if (kind === 'host') assert.equal(frames[0].name, '[host] lookup');
      await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated')]);
    });
  }

  it('stops on an output that breaks the contract, after the script returned', async () => {
    await launch({ program: program('bad-output.lua') });
    const stopped = (await dc.waitForEvent('stopped')) as DebugProtocol.StoppedEvent;
    assert.equal(stopped.body.reason, 'exception');
    assert.match(stopped.body.description!, /^output: output does not match the contract/);
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated')]);
  });

  it('steps out of a function by instruction granularity', async () => {
    await launch({ program: SUM }, () => dc.setBreakpointsRequest({ source: { path: SUM }, breakpoints: [{ line: LINE.addBody }] }));
    await dc.assertStoppedLocation('breakpoint', { line: LINE.addBody });
    await Promise.all([dc.stepOutRequest({ threadId: 1, granularity: 'instruction' }), dc.assertStoppedLocation('step', { line: LINE.call })]);
    const trace = await dc.stackTraceRequest({ threadId: 1 });
    assert.equal(trace.body.stackFrames[0].name, 'main chunk');
  });

  it('does not stop on errors whose filter is off', async () => {
    await launch({ program: program('fails.lua') }, () => dc.setExceptionBreakpointsRequest({ filters: ['contract'] }));
    await dc.waitForEvent('terminated');
  });

  it('replays an audit record to the same failure', async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-dap-'));
    try {
      // Record a run whose host answer leads to the failure, then replay it under the debugger.
      const { Sandbox, loadManifest } = await import('@sandlua/lua');
      const manifest = loadManifest(path.join(FIXTURES, 'sandlua.json')).manifest!;
      const source = 'local n = lookup(input.name)\nlocal len = #n\nreturn { len = len }\n';
      const sandbox = new Sandbox({ manifest, host: { lookup: () => null } });
      const result = await sandbox.run(source, { name: 'zed' }, { name: path.join(FIXTURES, 'replayed.lua'), audit: true });
      assert.ok(!result.ok && result.audit);
      const record = path.join(scratch, 'audit.json');
      fs.writeFileSync(record, JSON.stringify(result.audit));
      await launch({ program: path.join(FIXTURES, 'replayed.lua'), replay: record });
      const stopped = (await dc.waitForEvent('stopped')) as DebugProtocol.StoppedEvent;
      assert.equal(stopped.body.reason, 'exception');
      assert.match(stopped.body.description!, /attempt to get length of a nil value \(local 'n'\)/);
      assert.equal((await top()).line, 2);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('steps back to the previous line and continues backwards to the last breakpoint', async () => {
    await launch({ program: SUM }, () => dc.setBreakpointsRequest({ source: { path: SUM }, breakpoints: [{ line: LINE.addBody, hitCondition: '2' }] }));
    await dc.assertStoppedLocation('breakpoint', { line: LINE.addBody });
    assert.deepEqual(await locals(0), { a: '1', b: '2' });
    await Promise.all([dc.stepBackRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: LINE.call })]);
    assert.equal((await locals(0)).i, '2');
    // Forward again: the same run (replayed), so the same breakpoint hit with the same values.
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('breakpoint', { line: LINE.addBody })]);
    assert.deepEqual(await locals(0), { a: '1', b: '2' });
    await dc.setBreakpointsRequest({ source: { path: SUM }, breakpoints: [{ line: LINE.total }] });
    await Promise.all([dc.reverseContinueRequest({ threadId: 1 }), dc.assertStoppedLocation('breakpoint', { line: LINE.total })]);
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated')]);
  });

  it('pauses a running script and terminates it', async () => {
    const forever = path.join(FIXTURES, 'long', 'forever.lua');
    await launch({ program: forever });
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([dc.pauseRequest({ threadId: 1 }), dc.assertStoppedLocation('pause', { path: forever })]);
    const n = Number((await locals(0)).n);
    await Promise.all([dc.continueRequest({ threadId: 1 }), new Promise((r) => setTimeout(r, 30))]);
    await Promise.all([dc.pauseRequest({ threadId: 1 }), dc.assertStoppedLocation('pause', { path: forever })]);
    assert.ok(Number((await locals(0)).n) > n, 'it ran on between the pauses');
    await Promise.all([dc.terminateRequest({}), dc.waitForEvent('terminated')]);
  });

  // F5 on an example script without a launch.json: no input is given, the contract's example input is used.
  const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
  const exampleScripts = fs.readdirSync(EXAMPLES).flatMap((folder) => {
    const contract = path.join(EXAMPLES, folder, 'sandlua.json');
    if (!fs.existsSync(contract)) return [];
    const dirs = [path.join(EXAMPLES, folder), ...['tools', 'rules'].map((d) => path.join(EXAMPLES, folder, d))].filter((d) => fs.existsSync(d));
    return dirs.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.lua')).map((f) => path.join(d, f)));
  });
  it('finds the example scripts', () => assert.ok(exampleScripts.length >= 4, exampleScripts.join(', ')));

  it('gives the extension the same default input (F5 and Run Script)', () => {
    assert.deepEqual(defaultInput(path.join(EXAMPLES, 'invoice-normalizer', 'normalize.lua')), { vendor_name: '' });
    assert.deepEqual(defaultInput(path.join(EXAMPLES, 'pricing-rules', 'rules', 'quote.lua')), { amount: 120, region: 'eu', discount: 0.1, weight_kg: 2.5 });
    assert.deepEqual(defaultInput(path.join(os.tmpdir(), 'no-contract-here', 'x.lua')), {});
  });
  for (const script of exampleScripts) {
    it(`debugs ${path.relative(EXAMPLES, script)} with no input given: the contract's input, stopping at a breakpoint`, async () => {
      let verified: DebugProtocol.Breakpoint[] = [];
      const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await Promise.all([
        dc.waitForEvent('initialized')
          .then(async () => { verified = (await dc.setBreakpointsRequest({ source: { path: script }, breakpoints: [{ line: 1 }] })).body.breakpoints; })
          .then(() => dc.configurationDoneRequest()),
        dc.launch({ program: script }),
      ]);
      assert.equal(verified[0].verified, true);
      assert.equal((await stopped).body.reason, 'breakpoint');
      const frame = await top();
      assert.equal(frame.source?.path, script);
      assert.equal(frame.line, verified[0].line);
      const input = await dc.evaluateRequest({ expression: 'type(input)', frameId: 0, context: 'watch' });
      assert.match(input.body.result, /table/);
    });
  }

  it('fails the launch with the schema\'s message when the input is rejected, and ends without a stop', async () => {
    const stops: unknown[] = [];
    dc.on('stopped', (event) => stops.push(event));
    const terminated = dc.waitForEvent('terminated');
    await assert.rejects(
      Promise.all([dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()), dc.launch({ program: SUM, input: { name: 5 } })]),
      /the input does not match the contract debug-fixtures: .*name.*string/,
    );
    await terminated;
    assert.deepEqual(stops, []);
  });

  it('fails the launch when the input file is rejected, naming the file', async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-dap-'));
    try {
      const file = path.join(scratch, 'input.json');
      fs.writeFileSync(file, '[1, 2]');
      const terminated = dc.waitForEvent('terminated');
      await assert.rejects(dc.launch({ program: SUM, inputFile: file }), /the input \(.*input\.json\) does not match the contract debug-fixtures: .*object/);
      await terminated;
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('answers a bad launch with an error, and survives unknown requests', async () => {
    await dc.initializeRequest();
    await assert.rejects(dc.launchRequest({ program: program('nope.lua') } as DebugProtocol.LaunchRequestArguments), /ENOENT|no such file/);
    await assert.rejects(dc.customRequest('frobnicate'), /unrecognized request|frobnicate/i);
    const threads = await dc.threadsRequest();
    assert.equal(threads.body.threads.length, 1);
  });
});

// Hostile requests: evaluations that would never end or make huge strings answer an error within
// their own limits and the session goes on; disassemble lists at most 10,000 rows.
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
