// The debug runtime: a sandboxed run driven through the VM's step events. It knows breakpoints
// (line, conditional, hit counts, logpoints, instruction), stepping by line or by instruction,
// pausing, exception stops for each error kind, evaluation in a paused frame, and stepping back
// (the run is deterministic under its recorded host results, clock and random seed, so going back
// is running again to an earlier instruction). It speaks no protocol: adapter.ts turns it into DAP.

import {
  Sandbox, LuaTable, LuaClosure, NativeFunction, LuaState, LuaError, typeName,
  disassembleInstructions, noFileSystem,
  type AuditRecord, type CallFrame, type Contract, type DebugTarget, type FrameInfo, type HostImplementation,
  type LuaValue, type Proto, type RunDebugger, type RunResult,
} from '@sandlua/lua';
import { display } from './values';
import { liveAcross, liveBefore } from './registers';

/** An evaluation's limits (watch, hover, console, conditions, logpoints): instructions, time, one string's size. */
const EVALUATE_BUDGET = 100_000;
const EVALUATE_MS = 500;
const EVALUATE_BYTES = 16 * 1024 * 1024;

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'instruction breakpoint' | 'pause' | 'exception' | 'goto';

export interface RuntimeEvents {
  stopped(reason: StopReason, details: { description?: string; text?: string; breakpointIds?: number[] }): void;
  output(category: 'stdout' | 'console' | 'stderr' | 'important', text: string): void;
  ended(result: RunResult): void;
}

export interface LaunchOptions {
  program: string;
  source: string;
  manifest: Contract;
  input: unknown;
  host?: Record<string, HostImplementation>;
  /** Replay this record (host results, clock, random seed) instead of calling the host. */
  replay?: AuditRecord;
  stopOnEntry: boolean;
}

export interface LineBreakpoint {
  id: number;
  line: number;
  verified: boolean;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  hits: number;
  message?: string;
}

export type Granularity = 'line' | 'statement' | 'instruction';

/** Error kinds grouped as the exception-breakpoint filters offer them. */
export const EXCEPTION_FILTERS: { filter: string; label: string; kinds: string[] }[] = [
  { filter: 'runtime', label: 'Runtime errors', kinds: ['runtime', 'syntax'] },
  { filter: 'contract', label: 'Contract violations (forbidden, host, output, input)', kinds: ['forbidden', 'host', 'output', 'input'] },
  { filter: 'limits', label: 'Exhausted limits (budget, memory, stack)', kinds: ['budget', 'memory', 'stack'] },
];

type Mode =
  | { kind: 'run' }
  | { kind: 'step'; granularity: Granularity; how: 'in' | 'over' | 'out'; depth: number; thread: unknown }
  | { kind: 'target'; count: number; reason: StopReason }
  | { kind: 'collect'; until: number };

/** A stop's frames: live while paused, or the snapshot of an uncaught error. */
interface StopState {
  frames: FrameInfo[];
  /** The raw frames of the paused thread, innermost first (for setVariable on registers). */
  raw: CallFrame[];
  stack: LuaValue[] | undefined;
  live: boolean;
}

/** Addresses: (index of the function in pre-order + 1) · 2^24 + pc; never 0, parsed by BigInt. */
const FUNCTION_STRIDE = 2 ** 24;

export class DebugRuntime implements RunDebugger {
  private sandbox!: Sandbox;
  private options!: LaunchOptions;
  private target: DebugTarget | undefined;
  private mode: Mode = { kind: 'run' };
  private pauseRequested = false;
  private pendingStop: { reason: StopReason; description?: string; breakpointIds?: number[] } | undefined;
  private resumeRun: (() => void) | undefined;
  private abortRun: ((e: Error) => void) | undefined;
  private generation = 0;
  private lastPc = new WeakMap<CallFrame, number>();
  private readonly breakpoints = new Map<number, LineBreakpoint>();
  private readonly instructionBreakpoints = new Set<number>();
  private exceptionFilters = new Set(EXCEPTION_FILTERS.map((f) => f.filter));
  private nextBreakpointId = 1;
  private stop: StopState | undefined;
  private uncaughtFrames: FrameInfo[] | undefined;
  private protos: Proto[] = [];
  private protoIndex = new Map<Proto, number>();
  private codeLines = new Set<number>();
  /** Line events seen while collecting (for stepping back): instruction counts, in order. */
  private collected: { count: number; line: number; depth: number; bp: boolean }[] = [];
  private record: AuditRecord | undefined;
  private ended = false;
  /** Called when a collecting run (stepping back) has reached its instruction. */
  private afterCollect: (() => void) | undefined;
  /**
   * How far the program's output has been shown: the instruction count of the last output event
   * and how many came at that count. A run again under the record (stepping back, then forward)
   * passes the same points; what it prints up to here was shown already and is not repeated.
   */
  private shown = { count: -1, n: 0 };
  /** The current run's last output point (as `shown`). */
  private point = { count: -1, n: 0 };
  /** The error of the failed run being shown (exceptionInfo). */
  lastError: { kind: string; message: string; line?: number } | undefined;

  constructor(private readonly events: RuntimeEvents) {}

  // ---- launching -----------------------------------------------------------------------------

  launch(options: LaunchOptions): { error?: string } {
    this.options = options;
    const compiled = new Sandbox({ manifest: options.manifest }).compile(options.source, options.program);
    if (typeof compiled === 'string') return { error: compiled };
    this.indexProtos(compiled);
    return {};
  }

  /** Starts the run (after configurationDone). */
  start(): void {
    this.shown = { count: -1, n: 0 };
    this.begin(this.options.stopOnEntry ? { kind: 'target', count: 0, reason: 'entry' } : { kind: 'run' }, this.options.replay, false);
  }

  private begin(mode: Mode, replay: AuditRecord | undefined, live: boolean): void {
    const generation = ++this.generation;
    this.ended = false;
    this.mode = mode;
    this.pauseRequested = false;
    this.stop = undefined;
    this.uncaughtFrames = undefined;
    this.lastPc = new WeakMap();
    this.point = { count: -1, n: 0 };
    for (const bp of this.breakpoints.values()) bp.hits = 0;
    this.sandbox = new Sandbox({
      manifest: this.options.manifest,
      host: replay ? undefined : this.options.host,
      mockFromExamples: true,
      print: (line) => { if (generation === this.generation) this.programOutput('stdout', line + '\n'); },
    });
    const runOptions = { name: this.options.program, audit: true, debug: this, replay: replay ? { record: replay, live } : undefined };
    void this.sandbox.run(this.options.source, replay ? replay.input : this.options.input, runOptions).then((result) => {
      if (generation !== this.generation) return;
      this.finish(result);
    });
  }

  private finish(result: RunResult): void {
    this.record = result.audit;
    // A failure before the script's first instruction (an input the schema rejects) has no frame to show: it ends the run.
    const beforeStart = !result.ok && result.error.kind === 'input' && this.uncaughtFrames === undefined;
    if (!result.ok && !beforeStart && this.exceptionFilters.has(filterOf(result.error.kind)) && result.error.kind !== 'syntax') {
      // Stop on the failure with the stack as it was when the error left the script.
      this.stop = { frames: this.uncaughtFrames ?? [], raw: [], stack: undefined, live: false };
      const description = `${result.error.kind}: ${result.error.message}`;
      this.resumeRun = () => this.endRun(result);
      this.abortRun = () => this.endRun(result);
      this.events.stopped('exception', { description, text: result.error.kind });
      this.lastError = result.error;
      return;
    }
    this.endRun(result);
  }

  private endRun(result: RunResult): void {
    if (this.ended) return;
    this.ended = true;
    this.stop = undefined;
    if (!result.ok) this.events.output('stderr', `${result.error.kind} error: ${result.error.message}\n`);
    else this.events.output('console', `output: ${JSON.stringify(result.output)}\n`);
    this.events.output('console', `instructions ${result.stats.instructions}, memory ${result.stats.memoryBytes} bytes, ${result.stats.timeMs} ms, ${result.stats.hostCalls} host calls\n`);
    this.events.ended(result);
  }

  // ---- RunDebugger (called by the sandbox) ---------------------------------------------------

  attach(target: DebugTarget): void {
    this.target = target;
  }

  stepEvery(): number {
    if (this.mode.kind !== 'run' || this.breakpoints.size > 0 || this.instructionBreakpoints.size > 0) return 1;
    return 0;
  }

  step(frame: CallFrame): boolean {
    const target = this.target!;
    const vm = target.vm;
    if (this.pauseRequested) {
      this.pauseRequested = false;
      return this.pauseWith({ reason: 'pause' });
    }
    const closure = frame.closure;
    if (closure === undefined) return false;
    const proto = closure.proto;
    const pc = frame.pc;
    const line = proto.lineInfo[pc] ?? 0;
    const previous = this.lastPc.get(frame);
    this.lastPc.set(frame, pc);
    const lineEvent = pc === 0 || previous === undefined || pc <= previous || (proto.lineInfo[previous] ?? -1) !== line;
    const thread = vm.current;
    const depth = thread.depth;
    const count = vm.instructions;

    // Instruction breakpoints.
    const address = this.address(proto, pc);
    const atInstructionBreakpoint = address !== undefined && this.instructionBreakpoints.has(address);

    // Line breakpoints (with conditions, hit counts and logpoints).
    let hit: LineBreakpoint | undefined;
    if (lineEvent && this.breakpoints.size > 0) {
      for (const bp of this.breakpoints.values()) {
        if (bp.line !== line || !bp.verified) continue;
        if (bp.condition && !this.truthy(bp.condition)) continue;
        bp.hits++;
        if (bp.hitCondition && !hitConditionHolds(bp.hitCondition, bp.hits)) continue;
        if (bp.logMessage !== undefined) {
          this.programOutput('console', this.interpolate(bp.logMessage) + '\n');
          continue;
        }
        hit = bp;
        break;
      }
    }

    const mode = this.mode;
    switch (mode.kind) {
      case 'collect':
        if (count >= mode.until) return this.pauseWith({ reason: 'step' });
        if (lineEvent) this.collected.push({ count, line, depth, bp: hit !== undefined || atInstructionBreakpoint });
        return false;
      case 'target':
        if (count >= mode.count) return this.pauseWith({ reason: mode.reason });
        return false;
      case 'step': {
        if (hit) return this.pauseWith({ reason: 'breakpoint', breakpointIds: [hit.id] });
        if (atInstructionBreakpoint) return this.pauseWith({ reason: 'instruction breakpoint' });
        const sameThread = thread === mode.thread;
        const shallower = sameThread && depth < mode.depth;
        let stop = false;
        if (mode.granularity === 'instruction') {
          if (mode.how === 'in') stop = true;
          else if (mode.how === 'over') stop = !sameThread ? false : depth <= mode.depth;
          else stop = shallower;
        } else if (mode.how === 'in') {
          stop = lineEvent;
        } else if (mode.how === 'over') {
          stop = shallower || (sameThread && depth === mode.depth && lineEvent);
        } else {
          stop = shallower;
        }
        return stop ? this.pauseWith({ reason: 'step' }) : false;
      }
      default:
        if (hit) return this.pauseWith({ reason: 'breakpoint', breakpointIds: [hit.id] });
        if (atInstructionBreakpoint) return this.pauseWith({ reason: 'instruction breakpoint' });
        return false;
    }
  }

  private pauseWith(stop: { reason: StopReason; breakpointIds?: number[] }): boolean {
    this.pendingStop = stop;
    return true;
  }

  paused(): Promise<void> {
    const generation = this.generation;
    const target = this.target!;
    const thread = target.vm.current;
    const raw: CallFrame[] = [];
    for (let i = thread.depth - 1; i >= 0; i--) raw.push(thread.frames[i]);
    this.stop = { frames: target.vm.stackFrames(thread), raw, stack: thread.stack, live: true };
    const stop = this.pendingStop ?? { reason: 'pause' as StopReason };
    this.pendingStop = undefined;
    return new Promise<void>((resolve, reject) => {
      this.resumeRun = () => { this.stop = undefined; resolve(); };
      this.abortRun = (e) => { this.stop = undefined; reject(e); };
      if (generation === this.generation && this.mode.kind !== 'collect') {
        this.mode = { kind: 'run' };
        this.events.stopped(stop.reason, { breakpointIds: stop.breakpointIds });
      } else if (this.mode.kind === 'collect') {
        this.afterCollect?.();
      }
    });
  }

  uncaught(error: LuaError): void {
    void error;
    const target = this.target;
    if (!target) return;
    // The guards that raise `forbidden` are machinery, not the script's frames.
    const frames = target.vm.stackFrames(target.vm.current, true);
    while (frames.length > 0 && frames[0].kind === 'native' && frames[0].fn instanceof NativeFunction && frames[0].fn.name.endsWith(' guard')) frames.shift();
    this.uncaughtFrames = frames;
  }

  hostCall(call: { name: string; args: unknown[]; result?: unknown; error?: string; ms: number }): void {
    const outcome = call.error !== undefined ? `failed: ${call.error}` : `→ ${JSON.stringify(call.result ?? null)}`;
    this.programOutput('console', `[host] ${call.name}(${call.args.map((a) => JSON.stringify(a)).join(', ')}) ${outcome} (${call.ms} ms)\n`);
  }

  /**
   * Output of the running program (print, host calls, logpoints): shown once per point of the run.
   * Going back runs the record again from the start; its output up to the furthest point shown
   * already is the same and is not shown again, only what comes after it.
   */
  private programOutput(category: 'stdout' | 'console', text: string): void {
    if (this.mode.kind === 'collect') return;
    const count = this.target?.vm.instructions ?? 0;
    this.point = count === this.point.count ? { count, n: this.point.n + 1 } : { count, n: 1 };
    const { shown, point } = this;
    if (point.count < shown.count || (point.count === shown.count && point.n <= shown.n)) return;
    this.shown = point;
    this.events.output(category, text);
  }

  // ---- commands ------------------------------------------------------------------------------

  get isPaused(): boolean {
    return this.stop !== undefined;
  }

  continue(): void {
    this.mode = { kind: 'run' };
    this.go();
  }

  stepping(how: 'in' | 'over' | 'out', granularity: Granularity = 'line'): void {
    const vm = this.target?.vm;
    if (!vm || !this.stop?.live) return this.go();
    this.mode = { kind: 'step', granularity, how, depth: vm.current.depth, thread: vm.current };
    this.go();
  }

  pause(): void {
    this.pauseRequested = true;
  }

  private go(): void {
    const resume = this.resumeRun;
    this.resumeRun = undefined;
    this.abortRun = undefined;
    resume?.();
  }

  terminate(): void {
    this.generation++;
    this.abortRun?.(new Error('terminated'));
    this.resumeRun = undefined;
    this.abortRun = undefined;
    this.stop = undefined;
  }

  restart(): void {
    this.terminate();
    this.record = undefined;
    this.shown = { count: -1, n: 0 };
    this.begin(this.options.stopOnEntry ? { kind: 'target', count: 0, reason: 'entry' } : { kind: 'run' }, this.options.replay, false);
  }

  /** The instruction count of the current stop (0 when nothing runs). */
  get instructionCount(): number {
    return this.target?.vm.instructions ?? 0;
  }

  budget(): { used: number; left: number; limit: number } {
    const limit = this.options.manifest.limits.instructions;
    const used = this.instructionCount;
    return { used, left: Math.max(0, limit - used), limit };
  }

  /**
   * Goes back: runs the script again under the record of this run to the previous line (or
   * instruction), or, for reverseContinue, to the last breakpoint hit before this point.
   */
  async stepBack(granularity: Granularity, toBreakpoint = false): Promise<void> {
    const current = this.instructionCount;
    const record = this.currentRecord();
    if (record === undefined || !this.stop?.live) return;
    // Pass 1: collect the line events up to here.
    this.collected = [];
    await this.runCollecting(record, current);
    let targetCount = 0;
    const events = this.collected;
    if (granularity === 'instruction') {
      targetCount = Math.max(0, current - 1);
    } else if (toBreakpoint) {
      const hits = events.filter((e) => e.bp && e.count < current);
      targetCount = hits.length > 0 ? hits[hits.length - 1].count : 0;
    } else {
      const before = events.filter((e) => e.count < current);
      targetCount = before.length > 0 ? before[before.length - 1].count : 0;
    }
    // Pass 2: run to it and stop there.
    this.terminate();
    this.begin({ kind: 'target', count: targetCount, reason: toBreakpoint && targetCount > 0 ? 'breakpoint' : 'step' }, record, true);
  }

  /** Runs the record again, collecting line events, until instruction `until`; resolves there (or at the end). */
  private runCollecting(record: AuditRecord, until: number): Promise<void> {
    this.terminate();
    return new Promise((resolve) => {
      const generation = ++this.generation;
      this.afterCollect = () => {
        this.afterCollect = undefined;
        resolve();
      };
      this.mode = { kind: 'collect', until };
      this.lastPc = new WeakMap();
      for (const bp of this.breakpoints.values()) bp.hits = 0;
      const sandbox = new Sandbox({ manifest: this.options.manifest, mockFromExamples: true });
      void sandbox.run(record.script.source, record.input, { name: this.options.program, audit: true, debug: this, replay: { record, live: true } }).then(() => {
        if (generation === this.generation) resolve();
      });
    });
  }

  /** The record of this run so far: host results, clock readings and seed, to run it again. */
  private currentRecord(): AuditRecord | undefined {
    const audit = this.target?.audit ?? this.record;
    if (!audit) return undefined;
    return JSON.parse(JSON.stringify(audit)) as AuditRecord;
  }

  // ---- breakpoints ---------------------------------------------------------------------------

  setBreakpoints(requests: { line: number; condition?: string; hitCondition?: string; logMessage?: string }[]): LineBreakpoint[] {
    this.breakpoints.clear();
    const out: LineBreakpoint[] = [];
    for (const r of requests) {
      const line = this.nearestCodeLine(r.line);
      const bp: LineBreakpoint = {
        id: this.nextBreakpointId++, line: line ?? r.line, verified: line !== undefined,
        condition: r.condition || undefined, hitCondition: r.hitCondition || undefined, logMessage: r.logMessage, hits: 0,
      };
      if (line === undefined) bp.message = 'no code on this line or below it';
      this.breakpoints.set(bp.id, bp);
      out.push(bp);
    }
    return out;
  }

  setInstructionBreakpoints(addresses: number[]): { address: number; verified: boolean }[] {
    this.instructionBreakpoints.clear();
    return addresses.map((address) => {
      const verified = this.decode(address) !== undefined;
      if (verified) this.instructionBreakpoints.add(address);
      return { address, verified };
    });
  }

  setExceptionFilters(filters: string[]): void {
    this.exceptionFilters = new Set(filters);
  }

  /** Lines that have code, as luac's line info says; a breakpoint below a blank line moves down. */
  private nearestCodeLine(line: number): number | undefined {
    for (let l = line; l < line + 200; l++) if (this.codeLines.has(l)) return l;
    return undefined;
  }

  // ---- frames, variables, evaluation ---------------------------------------------------------

  frames(): FrameInfo[] {
    return this.stop?.frames ?? [];
  }

  stopState(): StopState | undefined {
    return this.stop;
  }

  globals(): LuaTable | undefined {
    return this.target?.globals;
  }

  input(): LuaValue {
    return this.target?.input;
  }

  /** Evaluates an expression in a frame: in a separate state, reading the program read-only. */
  evaluate(expression: string, frameIndex = 0): LuaValue {
    const frame = this.stop?.frames[frameIndex];
    // No disk and no environment: an evaluation sees only the program (a plain state would reach both).
    // Under limits of its own (a watch expression runs on every stop and must not hang the
    // session): instructions and library work against EVALUATE_BUDGET, the clock against
    // EVALUATE_MS (checked by the hook and by every charge), no string over EVALUATE_BYTES.
    const deadline = performance.now() + EVALUATE_MS;
    const limit = (message: string): never => {
      const e = new LuaError(message);
      e.kind = 'budget';
      state.vm.exhaustBudget();
      throw e;
    };
    const checkClock = (): void => {
      if (performance.now() > deadline) limit(`evaluation stopped: it took longer than ${EVALUATE_MS} ms`);
    };
    const state = new LuaState({
      print: (line) => this.events.output('console', line + '\n'), io: { files: noFileSystem() }, getenv: () => undefined,
      charge: (steps, bytes) => {
        if (bytes !== undefined && bytes > EVALUATE_BYTES) limit(`evaluation stopped: a string of ${bytes} bytes is more than ${EVALUATE_BYTES}`);
        state.vm.charge(steps);
        checkClock();
      },
    });
    state.vm.setBudget(EVALUATE_BUDGET);
    state.vm.setHook(() => {
      checkClock();
      return false;
    }, 1000);
    state.vm.maxCallDepth = 200;
    const proxies = new Proxies();
    const env = new LuaTable();
    const ownGlobals = state.globals;
    const policy = this.options.manifest.policy;
    const programGlobals = this.target?.globals;
    const meta = new LuaTable();
    meta.setStr('__index', new NativeFunction('evaluate scope', (args) => {
      const key = args[1];
      if (typeof key !== 'string') return [undefined];
      if (frame) {
        for (let i = frame.locals.length - 1; i >= 0; i--) if (frame.locals[i].name === key) return [proxies.wrap(frame.locals[i].value)];
        for (const up of frame.upvalues) if (up.name === key) return [proxies.wrap(up.value)];
      }
      const own = ownGlobals.getStr(key);
      if (own !== undefined && policy.isGranted(key)) return [own];
      if (key === 'input') return [proxies.wrap(this.target?.input)];
      if (programGlobals) return [proxies.wrap(programGlobals.getStr(key))];
      return [undefined];
    }));
    meta.setStr('__newindex', new NativeFunction('evaluate scope', () => {
      throw new LuaError('evaluation cannot assign variables of the program (use Set Value)');
    }));
    env.metatable = meta;
    // An expression first (`x + 1`), else a chunk (`for k in pairs(t) do print(k) end`).
    let fn = state.load(`return ${expression}`, '=evaluate', env);
    if (typeof fn === 'string') fn = state.load(expression, '=evaluate', env);
    if (typeof fn === 'string') throw new Error(fn.replace(/^evaluate:\d+: /, ''));
    try {
      const values = state.call(fn, []);
      return proxies.unwrap(values[0]);
    } catch (e) {
      if (e instanceof LuaError) throw new Error(typeof e.value === 'string' ? e.value.replace(/^evaluate:\d+: /, '') : `(error object is a ${typeName(e.value)} value)`);
      throw e;
    }
  }

  private truthy(expression: string): boolean {
    try {
      const v = this.evaluateLive(expression);
      return v !== undefined && v !== false;
    } catch {
      return false;
    }
  }

  /** Evaluates in the frame being executed (conditions, logpoints) while the VM runs. */
  private evaluateLive(expression: string): LuaValue {
    const target = this.target!;
    const saved = this.stop;
    this.stop = { frames: target.vm.stackFrames(target.vm.current).slice(0, 1), raw: [], stack: undefined, live: false };
    try {
      return this.evaluate(expression, 0);
    } finally {
      this.stop = saved;
    }
  }

  private interpolate(message: string): string {
    return message.replace(/\{([^}]+)\}/g, (_, expr: string) => {
      try {
        return display(this.evaluateLive(expr));
      } catch (e) {
        return `{${(e as Error).message}}`;
      }
    });
  }

  /** Sets a local (by register) or upvalue of a paused frame to the value of an expression. */
  setLocal(frameIndex: number, register: number, expression: string): LuaValue {
    const stop = this.stop;
    if (!stop?.live || stop.stack === undefined) throw new Error('the program is not paused');
    const value = this.evaluate(expression, frameIndex);
    const frame = stop.raw[frameIndex];
    stop.stack[frame.base + register] = value;
    this.refreshFrames();
    return value;
  }

  setUpvalue(frameIndex: number, index: number, expression: string): LuaValue {
    const stop = this.stop;
    if (!stop?.live) throw new Error('the program is not paused');
    const value = this.evaluate(expression, frameIndex);
    const closure = stop.frames[frameIndex].fn;
    if (!(closure instanceof LuaClosure)) throw new Error('not a Lua function');
    closure.upvalues[index].set(value);
    this.refreshFrames();
    return value;
  }

  setField(table: LuaTable, key: LuaValue, expression: string, frameIndex = 0): LuaValue {
    if (!this.stop?.live) throw new Error('the program is not paused');
    const value = this.evaluate(expression, frameIndex);
    table.set(key, value);
    return value;
  }

  private refreshFrames(): void {
    const target = this.target;
    if (target && this.stop?.live) this.stop.frames = target.vm.stackFrames(target.vm.current);
  }

  /**
   * The registers of a Lua frame that hold live values, with the frame's locals: the innermost
   * frame's before its instruction, a caller's across the call it is in (not the callee's window,
   * nor slots a dead frame or a finished expression left behind).
   */
  liveRegisters(frameIndex: number): { register: number; value: LuaValue }[] {
    const frame = this.stop?.frames[frameIndex];
    if (!frame || !(frame.fn instanceof LuaClosure)) return [];
    const proto = frame.fn.proto;
    const live = new Set(frameIndex === 0 ? liveBefore(proto, frame.pc) : liveAcross(proto, frame.pc));
    for (const local of frame.locals) live.add(local.register);
    return [...live].filter((r) => r < frame.registers.length).sort((a, b) => a - b).map((register) => ({ register, value: frame.registers[register] }));
  }

  /** Whether a native function's name is one of the contract's host functions. */
  isHostFunction(name: string): boolean {
    return this.options.manifest.host.has(name);
  }

  // ---- code and addresses --------------------------------------------------------------------

  private indexProtos(main: Proto): void {
    this.protos = [];
    this.protoIndex = new Map();
    this.codeLines = new Set();
    const walk = (p: Proto): void => {
      this.protoIndex.set(p, this.protos.length);
      this.protos.push(p);
      for (const line of p.lineInfo) this.codeLines.add(line);
      p.protos.forEach(walk);
    };
    walk(main);
  }

  /** The address of an instruction, or undefined for a function of another compilation. */
  address(proto: Proto, pc: number): number | undefined {
    let index = this.protoIndex.get(proto);
    if (index === undefined) {
      // The run compiled the same source again (cache miss): match the function by position.
      index = this.protos.findIndex((p) => p.lineDefined === proto.lineDefined && p.lastLineDefined === proto.lastLineDefined && p.code.length === proto.code.length);
      if (index < 0) return undefined;
      this.protoIndex.set(proto, index);
    }
    return (index + 1) * FUNCTION_STRIDE + pc;
  }

  decode(address: number): { proto: Proto; pc: number } | undefined {
    const index = Math.floor(address / FUNCTION_STRIDE) - 1;
    const pc = address - (index + 1) * FUNCTION_STRIDE;
    const proto = this.protos[index];
    if (!proto || pc < 0 || pc >= proto.code.length) return undefined;
    return { proto, pc };
  }

  /** `count` instructions from `address + offset`, invalid entries where there is no code. */
  disassemble(address: number, offset: number, count: number): { address: number; text?: string; line?: number; bytes?: string; symbol?: string }[] {
    const out: { address: number; text?: string; line?: number; bytes?: string; symbol?: string }[] = [];
    const rows = new Map<Proto, ReturnType<typeof disassembleInstructions>>();
    for (let i = 0; i < count; i++) {
      const a = address + offset + i;
      const at = a > 0 ? this.decode(a) : undefined;
      if (!at) {
        out.push({ address: Math.max(1, a) });
        continue;
      }
      let listing = rows.get(at.proto);
      if (!listing) {
        listing = disassembleInstructions(at.proto);
        rows.set(at.proto, listing);
      }
      const row = listing[at.pc];
      out.push({
        address: a,
        text: `${row.opcode.padEnd(9)} ${row.operands}${row.comment ? `\t; ${row.comment}` : ''}`,
        line: row.line,
        bytes: at.proto.code[at.pc].toString(16).padStart(8, '0'),
        symbol: at.proto.lineDefined === 0 ? 'main chunk' : `function <${this.options.program.split('/').pop()}:${at.proto.lineDefined}>`,
      });
    }
    return out;
  }
}

function filterOf(kind: string): string {
  return EXCEPTION_FILTERS.find((f) => f.kinds.includes(kind))?.filter ?? 'runtime';
}

function hitConditionHolds(condition: string, hits: number): boolean {
  const m = /^\s*(>=|<=|==|>|<|%)?\s*(\d+)\s*$/.exec(condition);
  if (!m) return true;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>=': return hits >= n;
    case '<=': return hits <= n;
    case '>': return hits > n;
    case '<': return hits < n;
    case '%': return n > 0 && hits % n === 0;
    default: return hits === n;
  }
}

/** Read-only views of the program's tables for evaluation, and the way back to the originals. */
class Proxies {
  private readonly toProxy = new Map<LuaTable, LuaTable>();
  private readonly toOriginal = new Map<LuaTable, LuaTable>();

  wrap(v: LuaValue): LuaValue {
    if (v instanceof LuaTable) {
      let proxy = this.toProxy.get(v);
      if (proxy === undefined) {
        proxy = new LuaTable();
        const original = v;
        const meta = new LuaTable();
        meta.setStr('__index', new NativeFunction('program table', (args) => [this.wrap(original.get(args[1]))]));
        meta.setStr('__newindex', new NativeFunction('program table', () => {
          throw new LuaError('evaluation cannot modify the program (use Set Value)');
        }));
        meta.setStr('__len', new NativeFunction('program table', () => [original.length()]));
        meta.setStr('__pairs', new NativeFunction('program table', () => {
          const next = new NativeFunction('next', (args) => {
            const entry = original.next(args[1]);
            return entry ? [entry[0], this.wrap(entry[1])] : [undefined];
          });
          return [next, proxy, undefined];
        }));
        proxy.metatable = meta;
        this.toProxy.set(v, proxy);
        this.toOriginal.set(proxy, v);
      }
      return proxy;
    }
    if (v instanceof LuaClosure) {
      return new NativeFunction('program function', () => {
        throw new LuaError("evaluation cannot call the program's functions");
      });
    }
    return v;
  }

  unwrap(v: LuaValue): LuaValue {
    if (v instanceof LuaTable) return this.toOriginal.get(v) ?? v;
    return v;
  }
}
