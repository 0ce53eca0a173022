// The contract at run time. `new Sandbox({manifest, host})` runs scripts under a contract:
//
// - a fresh Lua state per run, whose globals hold only what the contract grants: the safe standard
//   library minus the deny list, plus `stdlib.allow`; reaching a denied name raises `forbidden`
//   (`os.execute is not granted by invoice-normalizer (sandlua.json)`), and library tables and
//   the global table have protected metatables;
// - the granted host functions, arguments checked against their declared types before the host
//   sees them, values converted both ways (marshal.ts), async results awaited without blocking;
// - the limits: instructions (library loops charged too) and wall time (`budget`), memory held
//   (`memory`, measured by the collector's mark pass, vm/gc.ts), call depth (`stack`), output size and schema (`output`),
//   input schema (`input`) — each its own error kind, the first one reached ending the run even if
//   the script catches it;
// - io: the contract's declared files through the host's `files` (files.ts), the script's output
//   stream (print, io.write, io.stdout; io.stderr apart) counted against limits.outputBytes, a
//   `stdin` text per run; os.exit ends the run (see the io section of Run);
// - an audit record of the run (audit.ts), and replay from one.

import { notGrantedMessage, type Contract } from '../contract/manifest';
import type { HostFunction } from '../contract/host';
import type { OnFailure } from '../contract/schema';
import { LUA53_BASE, LUA53_LIBRARIES } from '../contract/stdlib-names';
import { validateValue } from '../contract/validate';
import { acceptsNil } from '../contract/types';
import { compile } from '../compiler/compile';
import { OFF_THREAD_CHARS, compileOffThread, offThreadAvailable } from './compile-thread';
import type { Proto } from '../vm/proto';
import { LuaState } from '../vm/state';
import type { CallFrame, Coroutine, VM } from '../vm/interp';
import { LONG_STRING, type HeapSize, type PassBound } from '../vm/gc';
import { SIZE } from '../vm/heap';
import { now } from '../vm/clock';
import { LuaTable } from '../vm/table';
import { LuaClosure, LuaError, LuaValue, NativeFunction, Request, Upvalue, fromLuaString, typeName } from '../vm/value';
import type { Clock } from '../stdlib/os';
import { LuaExit, systemClock } from '../stdlib/os';
import { LineSplitter, type IoOptions } from '../stdlib/io';
import { RunFiles, type SandboxFiles } from './files';
import { DefaultRandom } from '../stdlib/math';
import { HostValue, Json, MarshalError, Steps, fromLua, fromLuaSteps, heldByRuns, holding, hostValueSteps, inSlices, nextTurn, busyTurn, toLua } from './marshal';
import { ContractModules, ModuleSource, contractFolderReader, moduleReader } from './modules';
import { AUDIT_FORMAT, AuditBytes, AuditFiles, AuditHostCall, AuditModule, AuditRecord, auditBytes, canonicalJson, sha256, sha256Bytes } from './audit';

export type SandboxErrorKind = 'syntax' | 'runtime' | 'forbidden' | 'budget' | 'memory' | 'stack' | 'output' | 'input' | 'host';

export interface RunStats {
  instructions: number;
  /**
   * The most memory the script held at once, as the memory limit's passes measured it, in bytes.
   * Passes are few while a script is far below its limit: a peak between two is not seen.
   */
  memoryBytes: number;
  timeMs: number;
  hostCalls: number;
}

export interface RunError {
  kind: SandboxErrorKind;
  message: string;
  /** Line of the script where it happened, when known. */
  line?: number;
}

export type RunResult =
  | { ok: true; output: Json; stats: RunStats; audit?: AuditRecord }
  | { ok: false; error: RunError; onFailure: OnFailure; stats: RunStats; audit?: AuditRecord };

/** A host function as the host writes it: plain arguments in, a plain value (or a promise of one) out. */
export type HostImplementation = (...args: Json[]) => unknown;

export interface SandboxOptions {
  manifest: Contract;
  /** Implementations keyed by the contract's names (`"tools.emit_review_note": fn`). */
  host?: Record<string, HostImplementation>;
  /** Answers host functions without an implementation from their `examples` (for `run` and the debugger). */
  mockFromExamples?: boolean;
  /** Where `print` writes, line by line, and io.write's text cut into lines, when `stdout` is not given (default: nowhere). */
  print?: (line: string) => void;
  /** Where the script's output stream goes as written: print (each line and its newline), io.write, io.stdout. */
  stdout?: (text: string) => void;
  /** Where io.stderr writes (default: nowhere). */
  stderr?: (text: string) => void;
  /** The contract's declared files (`files`); without it, every declared file reads as absent and writes are dropped. */
  files?: SandboxFiles;
  /** What os.getenv answers, when the contract grants it (default: nothing). */
  env?: Readonly<Record<string, string>>;
  /** The clock the script's `os.time`/`os.clock`/`os.date` read (default: the system's). */
  clock?: Clock;
  /**
   * The sources of the contract's `modules`, by declared path. Default: the files in the
   * contract's folder (a contract loaded from disk), never outside it.
   */
  modules?: ModuleSource;
}

export interface RunOptions {
  /** The script's name in messages and the audit record (default `script.lua`). */
  name?: string;
  /** Attach an audit record to the result. */
  audit?: boolean;
  /** A debugger driving the run (debugger/): step events, pauses, errors, host calls. */
  debug?: RunDebugger;
  /** Replay host results, clock and random seed from a record (then, with `live`, go on live). */
  replay?: { record: AuditRecord; live?: boolean };
  /** What io.read, io.lines() and io.stdin read (at most limits.fileBytes bytes; a string is UTF-8 text). */
  stdin?: string | Uint8Array;
}

/** The parts of a run a debugger works with. */
export interface DebugTarget {
  vm: VM;
  state: LuaState;
  /** The compiled script. */
  proto: Proto;
  /** The script's global table. */
  globals: LuaTable;
  /** The input as the script sees it. */
  input: LuaValue;
  /** The host call records so far (for replaying to a point). */
  audit: AuditRecord;
}

/**
 * What a debugger plugs into a run. The run calls `step` before instructions — every instruction
 * while `stepEvery()` is 1, else every few thousand (so a pause request is still seen) — and
 * waits on `paused()` whenever `step` asked to pause.
 */
export interface RunDebugger {
  attach(target: DebugTarget): void;
  /** 1 to see every instruction (stepping, breakpoints), 0 for the limits' own pace. */
  stepEvery(): number;
  /** Before the instruction at frame.pc: true to pause there. */
  step(frame: CallFrame): boolean;
  paused(): Promise<void>;
  /** An error no pcall catches, before the stack unwinds. */
  uncaught?(error: LuaError): void;
  /** A host call has finished (or failed). */
  hostCall?(call: AuditHostCall): void;
}

/**
 * Compiled scripts shared by every sandbox, by name and source, the least recently used dropped
 * first. Prototypes are immutable and hold nothing of a run (each VM keeps its own closure cache).
 * Bounded by entries and by the characters of the keys (source and name) it holds; a source of
 * more than an eighth of that is compiled for each run.
 */
const COMPILED = new Map<string, Proto | string>();
const COMPILED_MAX = 512;
const COMPILED_MAX_CHARS = 8 * 1024 * 1024;
let compiledChars = 0;

/** Where COMPILED keeps the prototype of `source` compiled as `name`. */
function compileKey(source: string, name: string): string {
  return name + '\0' + source;
}

/** A run that goes on longer than this gives the event loop a turn, in milliseconds. */
const YIELD_MS = 10;
/**
 * Lua called from inside a library function or the VM itself (a `__gc` finalizer, an xpcall
 * message handler, a metamethod a library function calls, `tostring`'s `__tostring`) runs in a
 * JavaScript call the run cannot pause in. When the run wants its turn there, the VM pauses at
 * the first instruction where it can (the resumable table functions end their slice at the next
 * element, VM.pauseWanted); going on this much longer without one ends the run with `budget`, so
 * the host's event loop is never held much past YIELD_MS + this, whatever the limits (a finalizer
 * that loops for ever under a large instruction budget held it for its whole time limit). It is
 * counted from that moment, not from the turn's start: a busy machine that stretches the slice
 * before it does not end a run whose pause comes at the next comparison of a sort.
 */
const UNPAUSABLE_MS = 20;

/** The longest error message a result carries, in characters (the rest is cut). */
const MAX_MESSAGE = 64 * 1024;

/** The longest a host call's conversion holds the event loop at a time, in milliseconds (then it goes on after a turn). */
const SLICE_MS = 5;

/** How often the limits are checked, in instructions: at least this often (see PACED_EVERY). */
const CHECK_EVERY = 1000;
/**
 * The checks' pace: where the run can pause, the stretch of instructions between two checks
 * doubles while a stretch takes under PACE_FAST_MS, up to PACED_EVERY, and is back to
 * CHECK_EVERY when one takes more than PACE_SLOW_MS. Each check makes the second tier leave its
 * translation and enter it again: every 1,000 instructions that cost n_body ~25% of its time.
 * Inside Lua a native called (where the run cannot pause) the checks stay CHECK_EVERY apart
 * (VM.setHookPace): its code may be far slower per instruction than the stretch was set on.
 */
const PACED_EVERY = 16384;
const PACE_FAST_MS = 0.25;
const PACE_SLOW_MS = 1;

/** Most bytes of host-call arguments and results (as JSON) an audit record keeps per run. */
export const MAX_AUDIT_CALLS = 16 * 1024 * 1024;
/** The fewest instructions between two memory measures that allocation did not ask for. */
const MEASURE_EVERY = 1_000_000;

/** A replay's recorded world: host results, clock readings and the random seed, in order. */
interface Replay {
  hostCalls: AuditHostCall[];
  clock: AuditRecord['clock'];
  randomSeed: number;
  /** Past the record's end, call the host (and read the clock) live instead of failing. */
  live: boolean;
  /** The modules' sources as they ran. */
  modules: AuditModule[];
  /** The files the run read and the stdin it had: served from the record. */
  files: AuditFiles | undefined;
  stdin: AuditBytes | undefined;
}

export class Sandbox {
  readonly manifest: Contract;
  private readonly host: Record<string, HostImplementation>;
  private readonly mock: boolean;
  private readonly clock: Clock;
  private readonly readModule: (path: string) => string | undefined;
  private readonly ioOptions: Pick<SandboxOptions, 'print' | 'stdout' | 'stderr' | 'files' | 'env'>;
  /** The kinds of options a new state's environment could depend on (see environmentSize). */
  private readonly optionKinds: string;

  constructor(options: SandboxOptions) {
    this.manifest = options.manifest;
    this.host = options.host ?? {};
    this.mock = options.mockFromExamples ?? false;
    this.clock = options.clock ?? systemClock;
    this.readModule = options.modules !== undefined ? moduleReader(options.modules) : contractFolderReader(this.manifest);
    this.ioOptions = { print: options.print, stdout: options.stdout, stderr: options.stderr, files: options.files, env: options.env };
    this.optionKinds = `files:${options.files !== undefined} modules:${options.modules !== undefined} mock:${this.mock}`;
    for (const name of Object.keys(this.host)) {
      if (!this.manifest.host.has(name)) throw new Error(`host function '${name}' is not declared in the contract ${this.manifest.name}`);
      if (typeof this.host[name] !== 'function') throw new Error(`host function '${name}' must be a function`);
    }
    // The schemas runs check values against, compiled now (once per process, validate.ts caches
    // them): compiling at a run's first host call held the event loop ~60 ms inside the run.
    for (const fn of this.manifest.host.values()) {
      for (const param of fn.variadic ? [...fn.params, fn.variadic] : fn.params) validateValue(param.schema, null);
      validateValue(fn.returns.schema, null);
    }
    if (this.manifest.input !== undefined) validateValue(this.manifest.input, null);
    if (this.manifest.output !== undefined) validateValue(this.manifest.output, null);
  }

  /** Runs `source` with `input`; never throws for anything the script does. */
  async run(source: string, input?: unknown, options: RunOptions = {}): Promise<RunResult> {
    const r = options.replay;
    // A record is checked before anything of it is used: its hashes and the types of what it feeds the script.
    const problem = r === undefined ? undefined : replayProblem(r.record);
    if (problem !== undefined) return this.refused(`replay diverged: ${problem}`, options.audit ? r?.record : undefined);
    const replay: Replay | undefined = r === undefined ? undefined
      : { hostCalls: [...r.record.hostCalls], clock: r.record.clock, randomSeed: r.record.randomSeed, live: r.live === true, modules: r.record.modules ?? [],
        files: r.record.files ?? { read: [], written: [], removed: [] }, stdin: r.record.stdin };
    // A host starting many runs at once: those past the turn's share start in the next turns.
    if (busyTurn()) await nextTurn();
    return holding(() => new Run(this, source, input, options, replay).execute());
  }

  /**
   * Runs an audit record's script again with its recorded host results, clock and random seed,
   * and verifies it: the record's hashes (script, input, output), every recorded host call
   * made (in order, with the same arguments) and consumed, and the outcome and the output stream
   * the same as recorded. Any difference is a `host` error that says what differs.
   */
  async replay(record: AuditRecord, options: RunOptions = {}): Promise<RunResult> {
    const live = options.replay?.live;
    const result = await this.run(record.script.source, record.input, { name: record.script.name, ...options, audit: true, replay: { record, live } });
    if (live || (!result.ok && result.error.kind === 'host' && /^replay diverged/.test(result.error.message))) return result;
    const difference = replayDifference(record, result);
    if (difference === undefined) return result;
    const error: RunError = { kind: 'host', message: `replay diverged: ${difference}` };
    const audit = result.audit === undefined ? undefined : { ...result.audit, ok: false, output: undefined, error };
    return { ok: false, error, onFailure: this.manifest.onFailure, stats: result.stats, audit };
  }

  /** A run that never started (a record refused): its `host` error and zero figures. */
  private refused(message: string, audit: AuditRecord | undefined): RunResult {
    const error: RunError = { kind: 'host', message };
    return { ok: false, error, onFailure: this.manifest.onFailure, stats: { instructions: 0, memoryBytes: 0, timeMs: 0, hostCalls: 0 }, ...(audit ? { audit: { ...audit, ok: false, output: undefined, error } } : {}) };
  }

  /** @internal */
  compile(source: string, name: string): Proto | string {
    return this.cached(source, name) ?? this.remember(source, name, compile(source, '@' + name));
  }

  /**
   * @internal The main chunk of a run: a long source is compiled on the compile worker
   * (compile-thread.ts) while the event loop goes on; undefined when `deadline` (on the engine's
   * clock, vm/clock.ts) passed first.
   */
  async compileForRun(source: string, name: string, deadline: number): Promise<Proto | string | undefined> {
    const known = this.cached(source, name);
    if (known !== undefined) return known;
    if (source.length < OFF_THREAD_CHARS) return this.compile(source, name);
    // The worker gives up at the deadline itself (a long and/or chain compiles in quadratic time),
    // so that no chunk holds it, and the other runs' chunks queued behind, past its run's limit.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), Math.max(0, deadline - now())); });
    const compiled = compileOffThread(source, '@' + name, { timeMs: Math.max(0, deadline - now()) });
    const first = await Promise.race([compiled, late]);
    clearTimeout(timer);
    if (first === 'late' || (first !== undefined && 'stopped' in first)) return undefined;
    return first === undefined ? this.compile(source, name) : this.remember(source, name, first.proto);
  }

  /** @internal Whether `source` compiled as `name` is in the compile cache. */
  isCompiled(source: string, name: string): boolean {
    return COMPILED.has(compileKey(source, name));
  }

  private cached(source: string, name: string): Proto | string | undefined {
    const key = compileKey(source, name);
    const proto = COMPILED.get(key);
    if (proto !== undefined) {
      // Most recently used last.
      COMPILED.delete(key);
      COMPILED.set(key, proto);
    }
    return proto;
  }

  private remember(source: string, name: string, proto: Proto | string): Proto | string {
    const key = compileKey(source, name);
    if (key.length > COMPILED_MAX_CHARS / 8 || COMPILED.has(key)) return proto;
    COMPILED.set(key, proto);
    compiledChars += key.length;
    while (COMPILED.size > COMPILED_MAX || compiledChars > COMPILED_MAX_CHARS) {
      const oldest = COMPILED.keys().next().value as string;
      COMPILED.delete(oldest);
      compiledChars -= oldest.length;
    }
    return proto;
  }

  /** @internal */
  get plan(): EnvironmentPlan {
    const shared = sharedOf(this.manifest);
    if (shared.plan === undefined) {
      const policy = this.manifest.policy;
      const base: string[] = [];
      // Names Lua 5.3 does not have (Lua 5.1's loadstring, unpack) are nil, as in lua5.3: portable
      // code tests for them (`local load = loadstring or load`).
      const deniedGlobals = new Set<string>();
      for (const name of LUA53_BASE) {
        if (name === '_G') continue; // the script's own global table, set apart below
        if (policy.isGranted(name)) base.push(name);
        else deniedGlobals.add(name);
      }
      const libraries: EnvironmentPlan['libraries'] = [];
      for (const lib of Object.keys(LUA53_LIBRARIES)) {
        if (!policy.isGranted(lib)) {
          deniedGlobals.add(lib);
          continue;
        }
        const granted: string[] = [];
        const denied = new Set<string>();
        for (const field of LUA53_LIBRARIES[lib]) {
          if (policy.isGranted(`${lib}.${field}`)) granted.push(field);
          else denied.add(field);
        }
        libraries.push({ name: lib, granted, grantedSet: new Set(granted), denied });
      }
      const globalTable = policy.isGranted('_G');
      if (!globalTable) deniedGlobals.add('_G');
      const keptGlobals = new Set([...base, ...libraries.map((lib) => lib.name), ...(globalTable ? ['_G'] : [])]);
      // The libraries with state of their own are opened only when some name needing them is
      // granted (io's files also serve os.remove/rename/tmpname, loadfile and dofile).
      const any = (names: string[]) => names.some((name) => policy.isGranted(name));
      const opens = {
        io: any(['io', 'os.remove', 'os.rename', 'os.tmpname', 'loadfile', 'dofile']),
        package: any(['require', 'package']),
        debug: any(['debug']),
      };
      shared.plan = { deniedGlobals, libraries, keptGlobals, globalTable, opens };
    }
    return shared.plan;
  }

  /**
   * @internal What a run takes out of its new state's globals and library tables (names the
   * contract does not grant, and the compatibility functions Lua 5.3 builds may add, such as
   * math.pow): found in the first run's state, the same for every run of every sandbox of this
   * contract (a state opens what the plan says, `opens`).
   */
  removedKeys(G: LuaTable): { globals: string[]; libraries: Map<string, string[]> } {
    const shared = sharedOf(this.manifest);
    if (shared.removed === undefined) {
      const plan = this.plan;
      const libraries = new Map<string, string[]>();
      for (const { name, grantedSet } of plan.libraries) {
        const table = G.getStr(name);
        if (table instanceof LuaTable) libraries.set(name, keysBeyond(table, grantedSet));
      }
      shared.removed = { globals: keysBeyond(G, plan.keptGlobals), libraries };
    }
    return shared.removed;
  }

  /**
   * @internal What a run's new state holds before its input (see Run.measureMemory's `start`), when known,
   * for runs of `shape` (with stdin or not) of sandboxes of this contract given the same kinds of
   * options (files, modules, mocks).
   */
  environmentSize(shape: string): EnvironmentSize | null | undefined {
    return sharedOf(this.manifest).sizes.get(this.sizeKey(shape));
  }

  /** @internal */
  keepEnvironmentSize(shape: string, size: EnvironmentSize | null): void {
    sharedOf(this.manifest).sizes.set(this.sizeKey(shape), size);
  }

  private sizeKey(shape: string): string {
    return `${shape} ${this.optionKinds}`;
  }

  /** @internal */
  implementation(name: string): HostImplementation | undefined {
    return this.host[name];
  }

  /** @internal */
  get mocking(): boolean {
    return this.mock;
  }

  /** @internal */
  get systemClock(): Clock {
    return this.clock;
  }

  /** @internal */
  get io(): Pick<SandboxOptions, 'print' | 'stdout' | 'stderr' | 'files' | 'env'> {
    return this.ioOptions;
  }

  /** @internal */
  get moduleReader(): (path: string) => string | undefined {
    return this.readModule;
  }

  /** `os.execute is not granted by invoice-normalizer (sandlua.json)` */
  forbiddenMessage(name: string): string {
    return notGrantedMessage(name, this.manifest);
  }
}

/** The environment a contract grants, as names: computed once per sandbox. */
interface EnvironmentPlan {
  deniedGlobals: Set<string>;
  libraries: { name: string; granted: string[]; grantedSet: Set<string>; denied: Set<string> }[];
  /** The globals a run keeps of its state's: the base functions granted, the libraries granted, `_G` when granted. */
  keptGlobals: Set<string>;
  globalTable: boolean;
  /** Which of io, package and debug the run's state opens. */
  opens: { io: boolean; package: boolean; debug: boolean };
}

/** The string keys of `table` not in `kept` (a new state's tables have string keys only). */
function keysBeyond(table: LuaTable, kept: Set<string>): string[] {
  const out: string[] = [];
  for (let k: LuaValue = undefined; ;) {
    const next = table.next(k);
    if (!next) break;
    k = next[0];
    if (typeof k !== 'string') throw new Error(`a new state's table has the key ${String(k)}`);
    if (!kept.has(k)) out.push(k);
  }
  return out;
}

/**
 * What every sandbox of one contract shares (made from the contract alone, so worked out once
 * however many sandboxes a host makes for it): the environment's plan, the names a new state's
 * tables lose, and what a new state holds before the input (EnvironmentSize).
 */
interface ContractShared {
  plan?: EnvironmentPlan;
  removed?: { globals: string[]; libraries: Map<string, string[]> };
  sizes: Map<string, EnvironmentSize | null>;
}

const CONTRACT_SHARED = new WeakMap<Contract, ContractShared>();

function sharedOf(contract: Contract): ContractShared {
  let shared = CONTRACT_SHARED.get(contract);
  if (shared === undefined) {
    shared = { sizes: new Map() };
    CONTRACT_SHARED.set(contract, shared);
  }
  return shared;
}

/**
 * The measure of what a new state holds before the input, and the strings it counted: built the
 * same way by every run of a sandbox with the same shape, so measured once (see Run.measureMemory's `start`).
 */
interface EnvironmentSize {
  heap: HeapSize;
  strings: ReadonlySet<string>;
}

/** Two measures apart added up: what one pass over both would give (no string counted twice, see Apart.known). */
function sumOfHeaps(a: HeapSize, b: HeapSize): HeapSize {
  const sum: HeapSize = { bytes: a.bytes + b.bytes, objects: a.objects + b.objects, entries: a.entries + b.entries };
  const unsettled = (a.unsettled ?? 0) + (b.unsettled ?? 0);
  if (unsettled > 0) sum.unsettled = unsettled;
  return sum;
}

/** An error that ends the run whatever the script does (limits): kept aside, pcall or not. */
class Fatal {
  constructor(readonly error: LuaError) {}
}

class Run {
  private readonly contract: Contract;
  private readonly state: LuaState;
  private readonly started = now();
  private deadline: number;
  /** What is being compiled off the thread while the run waits (a chunk for `load`, a module), for the time limit's message. */
  private compiling: string | undefined;
  /** Time since the start that was not the run's own (see notOwn). */
  private otherTime = 0;
  private fatal: Fatal | undefined;
  /** The memory limit found passed when the run ran out of budget (memoryFirst). */
  private overMemory: LuaError | undefined;
  private hostCalls = 0;
  private peakMemory = 0;
  /** Library work charged since the clock was last read. */
  private charged = 0;
  /** Bytes held at the last measure (what the next one is sure not to exceed, plus what was allocated since). */
  private lastMemory = 0;
  /** The least allocation between two measures (see measureMemory). */
  private grace: number;
  /** The instruction count at the last measure, and the objects and entries its pass walked (when the next comes anyway: periodicDue). */
  private measuredAt = 0;
  private lastWalk = 0;
  /** An allocation made a measure due: the hook takes it before the next instruction. */
  private measureDue = false;
  /** VM.allocated when the measure became due. */
  private dueAt = 0;
  /** The stacks' values when the budget ran out, kept for the measure after the run (onUncaught). */
  private heldAtBudget: LuaValue[] | undefined;
  /** The script runs under the step hook, no debugger attached: a measure can wait for it, and run in slices. */
  private running = false;
  private readonly audit: AuditRecord;
  private readonly clockLog = { now: [] as number[], cpu: [] as number[], timezoneOffset: [] as number[], timezoneName: [] as string[] };
  private inputJson: Json = null;
  /** Modules loaded by require (the audit record's `modules`). */
  private readonly modulesLoaded: AuditModule[] = [];
  /** The run's view of the contract's files (io section). */
  private readonly files: RunFiles;
  /** Bytes the script wrote to stdout and stderr so far (limits.outputBytes). */
  private written = 0;
  /** Bytes of host-call arguments and results kept for the audit record (MAX_AUDIT_CALLS). */
  private auditCallBytes = 0;
  /** print's lines for a host that gave `print` but no `stdout`. */
  private readonly lines: LineSplitter | undefined;

  constructor(private readonly sandbox: Sandbox, private readonly source: string, private readonly input: unknown,
    private readonly options: RunOptions, private readonly replaying: Replay | undefined) {
    this.contract = sandbox.manifest;
    this.deadline = this.started + this.contract.limits.timeMs;
    this.grace = this.contract.limits.memoryBytes / 64;
    const seed = replaying?.randomSeed ?? Math.floor(Math.random() * 0x7fffffff);
    const random = new DefaultRandom(seed);
    const io = sandbox.io;
    this.lines = io.stdout === undefined && io.print !== undefined ? new LineSplitter(io.print) : undefined;
    this.files = new RunFiles(this.contract, replaying ? undefined : io.files, {
      forbidden: (message) => this.raise('forbidden', this.state.vm.nativeWhere() + message),
      limit: (kind, message) => this.raise(kind, this.state.vm.nativeWhere() + message),
      diverged: (message) => this.raise('host', message),
    }, replaying?.files);
    const env = io.env ?? {};
    this.state = new LuaState({
      io: this.ioOptions(),
      getenv: (name) => (Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined),
      clock: this.recordingClock(),
      random: { next: () => random.next(), seed: (x: number) => random.seed(x) },
      package: this.modulePackage(),
      libraries: sandbox.plan.opens,
      charge: (steps, bytes) => this.work(steps, bytes),
      compileLater: (source, chunkName) => this.compileLater(source, chunkName),
    });
    const name = options.name ?? 'script.lua';
    this.audit = {
      format: AUDIT_FORMAT,
      contract: { name: this.contract.name, version: this.contract.version, path: this.contract.path, onFailure: this.contract.onFailure },
      script: { name, sha256: '', source },
      input: null,
      inputSha256: '',
      startedAt: '',
      clock: this.clockLog,
      randomSeed: seed,
      hostCalls: [],
      modules: this.modulesLoaded,
      ok: false,
      stats: { instructions: 0, memoryBytes: 0, timeMs: 0, hostCalls: 0 },
    };
  }

  async execute(): Promise<RunResult> {
    try {
      return this.finishIo(await this.run());
    } catch (e) {
      // Anything unexpected is the engine's fault, never the host's crash: report it as a result.
      return this.failure({ kind: 'runtime', message: `internal error: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private async run(): Promise<RunResult> {
    const contract = this.contract;
    const name = this.options.name ?? 'script.lua';
    if (this.options.audit) {
      this.audit.startedAt = new Date().toISOString();
      this.audit.script.sha256 = sha256(this.source);
    }

    // Input: plain data, then the contract's schema.
    let inputLua: LuaValue;
    try {
      this.inputJson = this.input === undefined ? null : (JSON.parse(JSON.stringify(this.input)) as Json);
      inputLua = toLua(this.inputJson, 'the input');
    } catch (e) {
      return this.failure({ kind: 'input', message: e instanceof Error ? e.message : String(e) });
    }
    if (this.options.audit) {
      this.audit.input = this.inputJson;
      this.audit.inputSha256 = sha256(canonicalJson(this.inputJson));
    }
    if (contract.input !== undefined) {
      const problems = validateValue(contract.input, this.inputJson, { rootName: 'the input' });
      if (problems.length > 0) return this.failure({ kind: 'input', message: `input does not match the contract: ${problems[0].message}` });
    }
    const stdinProblem = this.stdinProblem();
    if (stdinProblem !== undefined) return this.failure({ kind: 'input', message: stdinProblem });

    const proto = await this.sandbox.compileForRun(this.source, name, this.deadline);
    if (proto === undefined) return this.failure({ kind: 'budget', message: this.timeLimitMessage() });
    if (typeof proto === 'string') {
      const m = /^[^:]*:(\d+): /.exec(proto);
      return this.failure({ kind: 'syntax', message: proto, line: m ? Number(m[1]) : undefined });
    }

    const vm = this.state.vm;
    const G = this.state.globals;
    if (busyTurn()) await this.waitTurn();
    holding(() => this.buildEnvironment(G, inputLua));
    // The package tables require reads are roots (the script may see them only through `package`).
    for (const table of this.state.package?.roots() ?? []) vm.gc.roots.add(table);
    // What the new state holds so far is built alike by every run of this shape (see measureMemory's `start`).
    const shape = this.options.debug === undefined && this.replaying === undefined ? (this.options.stdin === undefined ? 'plain' : 'stdin') : undefined;
    const known = shape === undefined ? undefined : this.sandbox.environmentSize(shape);
    let trial: { heap: HeapSize; strings: string[] } | undefined;
    if (shape !== undefined && known === undefined) {
      const strings: string[] = [];
      trial = { heap: vm.gc.measureApart({ strings }), strings };
    }
    // The input is read through the globals' metatable (a native the collector cannot see into).
    vm.gc.roots.add(inputLua);
    vm.setBudget(contract.limits.instructions);
    vm.maxCallDepth = contract.limits.callDepth;
    // Memory from the first instruction: what the run starts with (the input), and a watch on
    // what the script allocates.
    try {
      if (known) {
        this.measureMemory(0, !this.running, { known, input: inputLua });
      } else {
        const full = this.measureMemory();
        if (trial !== undefined && shape !== undefined) this.sandbox.keepEnvironmentSize(shape, this.provenSize(trial, full, inputLua));
      }
    } catch (e) {
      if (e instanceof LuaError) return this.failure(this.describe(e));
      throw e;
    }
    // A limit ends the run: pcall cannot catch the call depth or memory running out and go on.
    vm.uncatchable = new Set(['budget', 'exit', 'stack', 'memory']);
    const debug = this.options.debug;
    let every = CHECK_EVERY;
    let sinceCheck = 0;
    // A long run gives the event loop a turn every YIELD_MS (other sandboxes, host I/O, a
    // debugger's pause request): it pauses itself and goes on after setImmediate.
    let lastYield = now();
    /** When the run first wanted its turn where it could not pause, since it last paused (UNPAUSABLE_MS). */
    let refusedAt: number | undefined;
    let yielding = false;
    let measuring = false;
    /** When the limits were last checked (the pace). */
    let checkedAt = now();
    const hook = (_vm: VM, frame: CallFrame, canPause: boolean): boolean => {
      // A measure an instruction found due: here, between instructions, in slices (the run paused)
      // when the run can pause; else (inside a native's callback) at once.
      if (this.measureDue) {
        if (canPause) {
          measuring = true;
          return true;
        }
        this.measureMemory(0, /* settle */ true);
      }
      sinceCheck += every;
      if (sinceCheck >= CHECK_EVERY) {
        sinceCheck = 0;
        if (canPause && this.running && this.memoryDue()) {
          this.checkTime();
          measuring = true;
          return true;
        }
        this.checkLimits();
        if (debug !== undefined && debug.step(frame)) return true;
        const at = now();
        if (debug === undefined) {
          const took = at - checkedAt;
          if (took > PACE_SLOW_MS) every = CHECK_EVERY;
          else if (took < PACE_FAST_MS) every = Math.min(every * 2, PACED_EVERY);
          vm.setHookPace(every, CHECK_EVERY);
          checkedAt = at;
        }
        if (at - lastYield > YIELD_MS) {
          if (!canPause && this.running) {
            refusedAt ??= at;
            if (at - refusedAt > UNPAUSABLE_MS) {
              this.raise('budget', `held the host's thread ${YIELD_MS + UNPAUSABLE_MS} ms where the run cannot pause: code called from inside a library function or the VM (a __gc finalizer, an xpcall message handler, a metamethod) gets no turns of the event loop`);
            }
          }
          yielding = true;
          return true;
        }
        return false;
      }
      return debug !== undefined && debug.step(frame);
    };
    const setPace = (): void => {
      every = debug !== undefined && debug.stepEvery() === 1 ? 1 : CHECK_EVERY;
      vm.setHook(hook, every, every === 1);
      checkedAt = now();
    };
    if (debug !== undefined) debug.attach({ vm, state: this.state, proto, globals: G, input: inputLua, audit: this.audit });
    vm.onUncaught = this.onUncaught;
    setPace();
    // Measures in slices (the run paused between instructions) unless a debugger looks on: there
    // a limit must stop the run inside the instruction that passed it, where the person sees it.
    this.running = debug === undefined;

    const fn = new LuaClosure(proto, proto.upvalues.map((_, i) => Upvalue.closed(i === 0 ? G : undefined)));
    let values: LuaValue[] = [];
    // The run's instructions hold the thread (see heldByRuns: other runs' turns leave them out).
    const resume = (settled?: Parameters<VM['resume']>[0]) => {
      refusedAt = undefined;
      return holding(() => vm.resume(settled));
    };
    try {
      let out = holding(() => vm.start(fn, [inputLua]));
      while (out.status === 'suspended') {
        if (out.reason === 'await') {
          const settled = await this.awaitHost(out.promise);
          // Host calls answered together (timers, I/O) resume their runs in one turn: past the turn's share, in the next.
          if (busyTurn()) await this.waitTurn();
          this.checkTime();
          out = resume(settled);
        } else if (measuring) {
          measuring = false;
          await this.measureInSlices();
          setPace();
          out = resume();
        } else if (yielding) {
          yielding = false;
          // What other runs held the thread for in the turn given to the event loop is not this
          // run's time: a tenant that holds the thread does not use up the others' time limits.
          // The rest of the turn (V8 freeing this run's garbage, the host's own work) is.
          await this.waitTurn();
          lastYield = now();
          this.checkTime();
          setPace();
          out = resume();
        } else {
          // Paused by the debugger: the clock stops while a person looks.
          const pausedAt = now();
          if (debug !== undefined) await debug.paused();
          this.notOwn(now() - pausedAt);
          lastYield = now();
          setPace();
          out = resume();
        }
      }
      values = out.values;
      this.running = false;
    } catch (e) {
      this.running = false;
      await this.measureAtBudget();
      if (this.fatal) return this.failure(this.describe(this.memoryFirst(this.fatal.error)));
      // os.exit(true) and os.exit(0) end the run as `return` would (no output); other statuses fail.
      if (e instanceof LuaExit && !e.success) return this.failure({ kind: 'runtime', message: `script called os.exit(${e.status})` });
      if (!(e instanceof LuaExit)) {
        if (e instanceof LuaError) return this.failure(this.describe(this.memoryFirst(e)));
        throw e;
      }
    }
    if (this.fatal) return this.failure(this.describe(this.memoryFirst(this.fatal.error)));
    try {
      // Past the deadline is a budget failure, even on the way out.
      this.checkTime();
      // What the script holds at its end counts too (a limit passed since the last pass), the
      // values it returns included.
      for (const value of values) vm.gc.roots.add(value);
      await this.measureInSlices();
    } catch (e) {
      if (e instanceof LuaError) return this.failure(this.describe(e));
      throw e;
    } finally {
      for (const value of values) vm.gc.roots.delete(value);
    }

    // Output: plain data, within the size limit and the contract's schema.
    let output: Json;
    try {
      output = fromLua(values[0], { what: 'the output', schema: contract.output, maxBytes: contract.limits.outputBytes });
    } catch (e) {
      return this.failure({ kind: 'output', message: e instanceof MarshalError ? e.message : String(e) });
    }
    const size = Buffer.byteLength(JSON.stringify(output));
    if (size > contract.limits.outputBytes) {
      return this.failure({ kind: 'output', message: `the output is ${size} bytes, more than the limit of ${contract.limits.outputBytes}` });
    }
    if (contract.output !== undefined) {
      const problems = validateValue(contract.output, output, { rootName: 'the output' });
      if (problems.length > 0) return this.failure({ kind: 'output', message: `output does not match the contract: ${problems[0].message}` });
    }
    const stats = this.stats();
    if (!this.options.audit) return { ok: true, output, stats };
    this.audit.ok = true;
    this.audit.output = output;
    this.audit.outputSha256 = sha256(canonicalJson(output));
    this.audit.stats = stats;
    return { ok: true, output, stats, audit: this.audit };
  }

  /**
   * The limit a run really reached first, when it ended on `budget`: memory is measured only now
   * and then (measureMemory), so a script that allocates fast can pass the memory limit well
   * before its budget runs out and still be measured only after. Held over the limit now, it was
   * over it first: the run ends on `memory`.
   */
  private memoryFirst(error: LuaError): LuaError {
    return error.kind === 'budget' && this.overMemory !== undefined ? this.overMemory : error;
  }

  /**
   * An error no pcall catches, before the stack unwinds: the debugger told, and on `budget` what
   * the script holds measured (memoryFirst). A field, not a closure made in `run`: one that held
   * run's scope made every run's objects survive the young generation (runs 3x slower).
   */
  private readonly onUncaught = (error: LuaError, thread: Coroutine): void => {
    this.options.debug?.uncaught?.(error);
    if (error.kind !== 'budget' || this.overMemory !== undefined) return;
    const vm = this.state.vm;
    if (this.running) {
      // Measured in slices once the run is over (heldAtBudget), the stack's values kept till then.
      this.heldAtBudget = vm.gc.liveValues(thread);
      for (const v of this.heldAtBudget) vm.gc.roots.add(v);
      return;
    }
    try {
      this.measureMemory();
    } catch (e) {
      if (e instanceof LuaError && e.kind === 'memory') this.overMemory = e;
    }
  };

  /** What the stacks held when the budget ran out, measured now that the run is over (onUncaught). */
  private async measureAtBudget(): Promise<void> {
    const held = this.heldAtBudget;
    if (held === undefined) return;
    this.heldAtBudget = undefined;
    try {
      await this.measureInSlices();
    } catch (e) {
      if (e instanceof LuaError && e.kind === 'memory') this.overMemory = e;
      else throw e;
    } finally {
      for (const v of held) this.state.vm.gc.roots.delete(v);
    }
  }

  private stats(): RunStats {
    return {
      instructions: this.state.vm.instructions,
      memoryBytes: this.peakMemory,
      timeMs: Math.round((now() - this.started - this.otherTime) * 1000) / 1000,
      hostCalls: this.hostCalls,
    };
  }

  private failure(error: RunError): RunResult {
    const stats = this.stats();
    const result: RunResult = { ok: false, error, onFailure: this.contract.onFailure, stats };
    if (this.options.audit) {
      this.audit.ok = false;
      this.audit.error = error;
      this.audit.stats = stats;
      result.audit = this.audit;
    }
    return result;
  }

  /** A Lua error as the run's error: its kind, its message (never running script code), its line. */
  private describe(e: LuaError): RunError {
    const value = e.value;
    let message: string;
    if (typeof value === 'string') message = value;
    else if (typeof value === 'number' || typeof value === 'bigint') message = String(value);
    else message = `(error object is a ${typeName(value)} value)`;
    // A huge message (error(string.rep(...))) is cut: the result and the audit record stay small.
    message = cutMessage(message);
    const kind = e.kind as SandboxErrorKind;
    const error: RunError = { kind, message };
    // A line in a module is not a line of the script (the message names the module's file).
    const inScript = e.source === undefined || e.source === '@' + (this.options.name ?? 'script.lua');
    if (e.line > 0) {
      if (inScript) error.line = e.line;
    } else {
      const m = /^[^:\n]*:(\d+): /.exec(message);
      if (m) error.line = Number(m[1]);
    }
    return error;
  }

  // ---- limits --------------------------------------------------------------------------------

  private raise(kind: SandboxErrorKind, message: string): never {
    const e = new LuaError(message);
    e.kind = kind;
    // Limits end the run: remember the error, and leave the VM no budget to go on with.
    this.fatal ??= new Fatal(e);
    this.state.vm.exhaustBudget();
    throw e;
  }

  /**
   * Work done outside the instruction loop (library functions, converting host arguments and
   * results), `steps` instructions' worth: charged to the budget, and long work reads the clock
   * too, not only the hook. `bytes`: the size of a string about to be made (memory).
   */
  private work(steps: number, bytes?: number): void {
    if (bytes !== undefined) this.allocate(bytes);
    this.state.vm.charge(steps);
    this.charged += steps;
    if (this.charged >= CHECK_EVERY) {
      this.charged = 0;
      if (this.fatal) throw this.fatal.error;
      this.checkTime();
    }
  }

  /** Whether a measure is due: what grew and was allocated could pass the limit, or its time came. */
  private memoryDue(): boolean {
    const vm = this.state.vm;
    vm.gc.foldGrowth();
    return vm.gc.watchDue() || this.periodicDue();
  }

  /**
   * Whether the measure that comes anyway (see measured) is due: 1,024 instructions after the last
   * one per object the next pass may walk, which is the last pass's walk and what was allocated
   * since, at most one object or table entry per SIZE.arraySlot bytes (the least anything the VM
   * counts weighs). Counting the last walk alone, a script that filled a table with 100,000
   * strings after its first measure paid a pass of 11 ms at a million instructions, 8% of its run.
   * A script that allocates nothing is measured as before; the memory limit does not wait for this
   * measure (the collector's watch asks for one whenever what was allocated could pass it).
   */
  private periodicDue(): boolean {
    const vm = this.state.vm;
    const walk = this.lastWalk + vm.gc.allocatedSinceWatch() / SIZE.arraySlot;
    return vm.instructions >= this.measuredAt + Math.max(MEASURE_EVERY, 1024 * walk);
  }

  private checkLimits(): void {
    if (this.fatal) throw this.fatal.error;
    this.checkTime();
    this.allocate(0);
    if (this.periodicDue()) this.measureMemory();
  }

  /**
   * Time that was not the run's own: a turn it gave the event loop, a debugger's pause. The
   * deadline moves by it, and the run's timeMs leaves it out. (Waiting for a host call is the
   * run's time.)
   */
  private notOwn(ms: number): void {
    this.deadline += ms;
    this.otherTime += ms;
  }

  /**
   * `load` of a long chunk (OFF_THREAD_CHARS) in a run that can wait: compiled on the compile
   * worker while the run is suspended, as a long main chunk is, so that the host's event loop is
   * not held by it. The worker stops where compiling here would have: at what is left of the
   * instruction budget (the compiler's charges) or of the time limit.
   */
  private compileLater(source: string, chunkName: string): Promise<{ proto: Proto | string; steps: number }> | undefined {
    if (source.length < OFF_THREAD_CHARS || !offThreadAvailable()) return undefined;
    const maxSteps = this.state.vm.budgetLeft;
    const what = 'a chunk for load';
    return this.waitingFor(what, compileOffThread(source, chunkName, { maxSteps, timeMs: Math.max(0, this.deadline - now()) }).then((compiled) => {
      // No worker after all (it died): compiled here, charged as it goes.
      if (compiled === undefined) return { proto: compile(source, chunkName, (steps) => this.work(steps)), steps: 0 };
      if ('stopped' in compiled) {
        if (compiled.stopped === 'steps') this.work(maxSteps + 1);
        this.raise('budget', this.timeLimitMessage(`compiling ${what}`));
      }
      return compiled;
    }));
  }

  /**
   * A long module `require` found, in a run that can wait: compiled as a long main chunk is (the
   * compile worker, the compile cache, the run's time limit), while the run is suspended.
   */
  private compileModuleLater(source: string, path: string): Promise<Proto | string> | undefined {
    if (source.length < OFF_THREAD_CHARS || this.sandbox.isCompiled(source, path) || !offThreadAvailable()) return undefined;
    const what = `module '${path}'`;
    return this.waitingFor(what, this.sandbox.compileForRun(source, path, this.deadline).then((proto) => {
      if (proto === undefined) this.raise('budget', this.timeLimitMessage(`compiling ${what}`));
      return proto;
    }));
  }

  /** `work`, named as what the run waits for while it is done off the thread (the time limit's message says it). */
  private waitingFor<T>(what: string, work: Promise<T>): Promise<T> {
    this.compiling = what;
    return work.finally(() => {
      this.compiling = undefined;
    });
  }

  /** The message of the time limit, passed `during` something (or not). */
  private timeLimitMessage(during?: string): string {
    return `time limit of ${this.contract.limits.timeMs} ms exceeded${during !== undefined ? ` while ${during}` : ''}`;
  }

  private checkTime(): void {
    if (now() > this.deadline) {
      this.raise('budget', this.timeLimitMessage());
    }
  }

  /**
   * Counts what tables and threads grew by since the last look (heap.ts) and the `bytes` of a
   * string a library function is about to make into the VM's allocation count, and measures when
   * that could have passed the limit (the collector's watch is due). Called by library functions
   * (charge) and every CHECK_EVERY instructions; the VM's own allocation sites (tables, closures,
   * concatenations) reach the watch themselves.
   */
  private allocate(bytes: number): void {
    const vm = this.state.vm;
    vm.gc.foldGrowth(bytes);
    if (!vm.gc.watchDue()) return;
    // A measure is due. It waits for the next instruction (measured there in slices, the run
    // paused: a pass that reads a hundred new megabyte strings holds the thread for a third of a
    // second) while what was allocated since it was due stays under `grace`; past that, or for a
    // string of more than `grace` at once, it is made now.
    if (this.measureDue && vm.allocated - this.dueAt <= this.grace) return;
    if (!this.measureDue && bytes <= this.grace && this.running) {
      this.measureDue = true;
      this.dueAt = vm.allocated;
      vm.hookSoon();
      return;
    }
    this.measureDue = false;
    this.measureMemory(bytes);
  }

  /**
   * Measures the memory held (plus `extra`, a string about to be made); raises `memory` over the
   * limit. The measure is the collector's pass: weak tables are cleared and unreachable objects
   * with finalizers queued (the VM runs them at its next look), unless the script stopped the
   * collector. The next measure comes when what is allocated since could pass the limit
   * (`lastMemory + allocated > limit`: until then the limit cannot have been passed), so a script
   * that allocates little, or holds far less than its limit, is rarely measured, whatever it churns.
   */
  private measureMemory(extra = 0, settle = !this.running, start?: { known: EnvironmentSize; input: LuaValue }): HeapSize {
    const vm = this.state.vm;
    this.measureDue = false;
    // What grew until now is in this measure.
    vm.gc.growthMeasured();
    const outside = extra + this.heldOutside();
    const bound = this.passBound(outside, settle);
    let heap: HeapSize;
    if (start !== undefined) {
      // The first measure, before the first instruction, from what the sandbox knows the new state
      // holds and a pass over the input alone: the figure a pass over both gives (provenSize checked
      // it in the first run), for a pass over a few objects instead of the ~300 of the libraries
      // and the host functions (a short run's whole cost was ~70 us, a pass ~12).
      heap = this.withInput(start.known, start.input, bound);
      vm.gc.adoptFirstMeasure(heap.bytes);
    } else {
      heap = vm.gc.running ? vm.gc.hostPass(bound) : vm.gc.measure(bound);
    }
    this.measured(heap, outside);
    return heap;
  }

  /** What `known` holds and what the input reaches besides, measured apart and added up; `bound` is the whole measure's. */
  private withInput(known: EnvironmentSize, input: LuaValue, bound: PassBound): HeapSize {
    const limit = bound.limit === undefined ? undefined : bound.limit - known.heap.bytes;
    return sumOfHeaps(known.heap, this.state.vm.gc.measureApart({ roots: [input], known: known.strings }, { limit, settle: bound.settle }));
  }

  /**
   * What this run's state held before its input (`trial`, measured apart) when, added to its input
   * measured apart, it gives the first run's own measure (`full`) exactly: otherwise null, and every
   * run of this shape measures all. Long strings are compared by length first (PassBound), which
   * measures taken apart would not share: a state holding one is not kept either.
   */
  private provenSize(trial: { heap: HeapSize; strings: string[] }, full: HeapSize, input: LuaValue): EnvironmentSize | null {
    if (trial.heap.unsettled !== undefined || trial.strings.some((s) => s.length > LONG_STRING)) return null;
    const size: EnvironmentSize = { heap: trial.heap, strings: new Set(trial.strings) };
    const sum = this.withInput(size, input, this.passBound(this.heldOutside(), true));
    const same = sum.bytes === full.bytes && sum.objects === full.objects && sum.entries === full.entries && sum.unsettled === full.unsettled;
    return same ? size : null;
  }

  /**
   * measureMemory while the run is paused between instructions (or over): the collector's pass in
   * slices of SLICE_MS with a turn for the event loop between, so that a heap of a million objects
   * does not hold the host's thread for the whole pass (nothing changes the heap meanwhile).
   */
  private async measureInSlices(): Promise<void> {
    const vm = this.state.vm;
    this.measureDue = false;
    vm.gc.growthMeasured();
    const outside = this.heldOutside();
    const bound = this.passBound(outside, true);
    const sliced = inSlices(vm.gc.running ? vm.gc.hostPassSteps(bound) : vm.gc.measureSteps(bound), SLICE_MS);
    this.measured('value' in sliced ? sliced.value : await sliced.later, outside);
  }

  /**
   * What the collector's pass must tell: whether the heap is over what the limit leaves beside
   * `outside`; `settle` false leaves long strings it would have to read to a later measure.
   */
  private passBound(outside: number, settle: boolean): PassBound {
    return { limit: this.contract.limits.memoryBytes - outside, settle };
  }

  /** What the script holds outside the VM's heap: open files, write buffers, the run's files. */
  private heldOutside(): number {
    return (this.state.io?.heldBytes() ?? 0) + this.files.heldBytes() + this.state.vm.heldOutside;
  }

  /**
   * What a measure found (plus `outside`: what the script holds outside the heap, and a string
   * about to be made): the memory limit checked, the next measure scheduled.
   */
  private measured(heap: HeapSize, outside: number): void {
    const vm = this.state.vm;
    const counted = heap.bytes + outside;
    const limit = this.contract.limits.memoryBytes;
    if (counted > limit) this.raise('memory', `not enough memory: memory limit of ${limit} bytes exceeded (${counted} bytes in use)`);
    // Long strings the pass did not read (Collector.PassBound) may be more: the next measure is
    // scheduled as if they were. If they decide the limit, a measure in slices reads them at
    // the next instruction, where the run can pause.
    const bytes = counted + (heap.unsettled ?? 0);
    if (bytes > limit && this.running) {
      this.lastMemory = counted;
      this.measureDue = true;
      this.dueAt = vm.allocated;
      vm.hookSoon();
      return;
    }
    this.lastMemory = bytes;
    if (counted > this.peakMemory) this.peakMemory = counted;
    // A measure comes anyway after many instructions: a script that allocates nothing still gets
    // the finalizers of what it dropped (and anything not counted is found). Far enough apart to
    // cost almost nothing: a pass takes about as long as 20 to 40 instructions per object it
    // visits, so the next waits 1,024 instructions per object (binary trees: 128 cost 16%), and
    // per table entry it walked (a table of 200,000 numbers is one object: measured every million
    // instructions, it cost table.remove's shifts 40%).
    this.measuredAt = vm.instructions;
    this.lastWalk = heap.objects + heap.entries;
    // Near the limit that room is small and a pass per few allocations would cost far more than
    // the script (a pass visits the whole heap): the room is at least `grace`, which starts at
    // 1/64 of the limit and doubles each time a measure finds less room than that (a script
    // churning near its limit gets passes ever further apart), up to a quarter of the limit. So
    // between two measures a script may hold up to limit + grace; the next measure (at the
    // latest the one at the end, with the values returned) still fails it.
    const room = limit - bytes;
    if (room < this.grace) this.grace = Math.min(this.grace * 2, limit / 4);
    else this.grace = limit / 64;
    // An instruction that allocates past the watch asks for the measure at the next instruction
    // (the hook, where the run can pause for a measure in slices): one instruction's allocation later.
    vm.gc.watch(Math.max(room, this.grace), () => {
      if (!this.running) return this.measureMemory();
      if (this.measureDue) return;
      this.measureDue = true;
      this.dueAt = vm.allocated;
      vm.hookSoon();
    });
  }

  // ---- io ------------------------------------------------------------------------------------
  // The run's files are a RunFiles (files.ts): declared paths only, writes held until the run
  // succeeds. stdout and stderr are one count against limits.outputBytes (print included), kept
  // in the audit record; a run that writes more ends with kind `output`. At the end of a run
  // every open file is flushed into the RunFiles, which a successful run (not a replay) commits
  // to the host's files.

  /** The stdin bytes of this run: the host's (RunOptions.stdin) or, in a replay, the record's. */
  private stdinBytes(): Uint8Array | undefined {
    if (this.replaying !== undefined) return this.replaying.stdin === undefined ? undefined : Buffer.from(this.replaying.stdin.base64, 'base64');
    const stdin = this.options.stdin;
    return typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : stdin;
  }

  private stdinProblem(): string | undefined {
    const stdin = this.stdinBytes();
    if (stdin === undefined) return undefined;
    const limit = this.contract.limits.fileBytes;
    if (stdin.length > limit) return `stdin is ${stdin.length} bytes, more than the limit of ${limit} (limits.fileBytes)`;
    if (this.options.audit) this.audit.stdin = auditBytes(stdin);
    return undefined;
  }

  private ioOptions(): IoOptions {
    const stdin = this.stdinBytes();
    return {
      files: this.files,
      stdin: stdin !== undefined && stdin.length <= this.contract.limits.fileBytes ? stdin : undefined,
      stdout: (text) => this.emit('stdout', text),
      stderr: (text) => this.emit('stderr', text),
    };
  }

  /** Text the script writes to stdout or stderr: counted, recorded, passed on. */
  private emit(stream: 'stdout' | 'stderr', text: string): void {
    const limit = this.contract.limits.outputBytes;
    this.written += text.length;
    // Writing is work: charged by the byte (a step per 64), as library functions are.
    this.state.vm.charge(1 + (text.length >>> 6));
    if (this.written > limit) this.raise('output', `${this.state.vm.nativeWhere()}the script wrote more than the limit of ${limit} bytes of output (limits.outputBytes)`);
    if (this.options.audit) this.audit[stream] = (this.audit[stream] ?? '') + text;
    const io = this.sandbox.io;
    if (stream === 'stderr') io.stderr?.(text);
    else if (io.stdout !== undefined) io.stdout(text);
    else this.lines?.write(text);
  }

  /** The end of a run: files flushed, committed when it succeeded, recorded; output lines ended. */
  private finishIo(result: RunResult): RunResult {
    let outcome = result;
    try {
      this.state.io?.flushAll();
      if (outcome.ok && this.replaying === undefined) this.files.commit();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (outcome.ok) outcome = this.failure({ kind: 'host', message: `the host could not write the script's files: ${message}` });
    }
    this.lines?.end();
    const files = this.files.changed();
    if (this.options.audit && (this.files.reads.length > 0 || files.written.length > 0 || files.removed.length > 0)) {
      this.audit.files = { read: this.files.reads, ...files };
    }
    if (this.options.audit && this.audit.stdout !== undefined) this.audit.stdout = fromLuaString(this.audit.stdout);
    if (this.options.audit && this.audit.stderr !== undefined) this.audit.stderr = fromLuaString(this.audit.stderr);
    return outcome;
  }

  // ---- environment ---------------------------------------------------------------------------

  /**
   * Turns the state's full globals into what the contract grants. The state is this run's own, and
   * so are the library tables it opened: what is not granted is taken out of them in place (the
   * few denied names), not copied into new tables (the ~150 granted ones, twice the work of
   * opening them).
   */
  private buildEnvironment(G: LuaTable, input: LuaValue): void {
    const plan = this.sandbox.plan;
    const removed = this.sandbox.removedKeys(G);
    for (const key of removed.globals) G.removeField(key);
    if (plan.globalTable) G.setStr('_G', G);

    const forbidden = (name: string): never => this.raise('forbidden', this.state.vm.nativeWhere() + this.sandbox.forbiddenMessage(name));
    const denied = plan.deniedGlobals;
    const libraries = new Map<string, LuaTable>();
    for (const { name: lib, grantedSet, denied: deniedFields } of plan.libraries) {
      const table = G.getStr(lib);
      if (!(table instanceof LuaTable)) {
        G.removeField(lib);
        continue;
      }
      for (const key of removed.libraries.get(lib) ?? []) table.removeField(key);
      table.metatable = this.guard(lib, (key) => {
        if (typeof key === 'string' && deniedFields.has(key)) forbidden(`${lib}.${key}`);
      });
      libraries.set(lib, table);
    }
    // Strings index the (restricted) string library: ("").dump is string.dump. As in Lua,
    // getmetatable("") is this table itself (`getmetatable("").__index == string`), and a script
    // may change it (`getmetatable("").__mod = string.format`, the suite's bitwise coercions):
    // that reaches nothing beyond the run, because the table is made for this run (a Run has its
    // own LuaState), only this script's strings use it, its __index is the run's own copy of the
    // library (denied fields still raise `forbidden`), and nothing of the host reads strings
    // through metamethods (marshal.ts reads raw). What it can put there it already holds.
    const stringMeta = new LuaTable();
    stringMeta.setStr('__index', libraries.get('string') ?? this.guard('string', () => forbidden('string')));
    this.state.vm.typeMetatables.string = stringMeta;

    this.installHost(G);
    // Denied names raise `forbidden` when read; `input` is read through the metatable, so that
    // assigning it reaches __newindex (read-only); everything else missing is nil, as usual.
    G.metatable = this.guard('_G', (key) => {
      if (key === 'input') return input;
      if (typeof key === 'string' && denied.has(key)) forbidden(key);
      return undefined;
    }, (key) => {
      if (key === 'input') throw new LuaError(this.state.vm.nativeWhere() + "the global 'input' is read-only");
    });
    this.installLoaded(G, libraries);
  }

  // ---- modules -------------------------------------------------------------------------------

  /** `require` over the contract's modules (modules.ts): no other module, and no file, exists. */
  private modulePackage(): { search: ContractModules['search']; files: ContractModules['files']; path: string; cpath: string } {
    const modules = new ContractModules({
      contract: this.contract,
      read: this.sandbox.moduleReader,
      recorded: this.replaying?.modules,
      compile: (source, path) => this.sandbox.compile(source, path),
      compileLater: (source, path) => this.compileModuleLater(source, path),
      globals: () => this.state.globals,
      loaded: this.modulesLoaded,
    });
    return { search: (name, canWait) => modules.search(name, canWait), files: modules.files, path: './?.lua;./?/init.lua', cpath: '' };
  }

  /**
   * `package.loaded` as the script may see it: `_G` and the libraries as granted (the restricted
   * tables, never the full ones), and `require` reading the script's own `package` table.
   */
  private installLoaded(G: LuaTable, libraries: Map<string, LuaTable>): void {
    const loaded = this.state.vm.loaded;
    for (let k: LuaValue = undefined; ;) {
      const next = loaded.next(k);
      if (!next) break;
      k = next[0];
      loaded.set(k, undefined);
    }
    // `_G` always: messages name base functions through it, and _ENV reaches the table anyway.
    loaded.setStr('_G', G);
    for (const [name, table] of libraries) loaded.setStr(name, table);
    const pkg = libraries.get('package');
    const granted = this.sandbox.plan.libraries.find((lib) => lib.name === 'package')?.granted;
    if (pkg !== undefined && granted !== undefined) this.state.package?.bind(pkg, granted);
  }

  /** A protected metatable whose __index asks `onMissing` (which may raise) for a missing key. */
  private guard(name: string, onMissing: (key: LuaValue) => LuaValue | void, onNewIndex?: (key: LuaValue) => void): LuaTable {
    const meta = new LuaTable();
    meta.setStr('__index', new NativeFunction(`${name} guard`, (args) => [onMissing(args[1]) ?? undefined]));
    if (onNewIndex) {
      meta.setStr('__newindex', new NativeFunction(`${name} guard`, (args) => {
        onNewIndex(args[1]);
        (args[0] as LuaTable).set(args[1], args[2]);
        return [];
      }));
    }
    // Protected (setmetatable refuses to replace it), yet getmetatable answers false, which reads
    // as Lua's "no metatable": `getmetatable(_G) or {}` and `if getmetatable(string)` behave as in
    // Lua 5.3, where the global table and the libraries have none.
    meta.setStr('__metatable', false);
    return meta;
  }

  // ---- host functions ------------------------------------------------------------------------

  private installHost(G: LuaTable): void {
    const tables = new Map<string, LuaTable>();
    for (const fn of this.contract.host.values()) {
      const native = this.hostFunction(fn);
      if (fn.path.length === 1) {
        G.setStr(fn.name, native);
        continue;
      }
      let table: LuaTable | undefined = tables.get(fn.path[0]);
      if (table === undefined) {
        table = new LuaTable();
        tables.set(fn.path[0], table);
        G.setStr(fn.path[0], table);
      }
      for (let i = 1; i < fn.path.length - 1; i++) {
        let inner: LuaValue = table.getStr(fn.path[i]);
        if (!(inner instanceof LuaTable)) {
          inner = new LuaTable();
          table.setStr(fn.path[i], inner);
        }
        table = inner;
      }
      table.setStr(fn.path[fn.path.length - 1], native);
    }
  }

  /**
   * A host function as the script calls it. Arguments and results are converted in slices
   * (marshal.ts inSlices): a small value at once, a big one a few milliseconds at a time with a turn
   * of the event loop between (the call is asynchronous for the script anyway), charged per value
   * and per byte as it goes, so a huge value meets the limits before it is all converted.
   */
  private hostFunction(fn: HostFunction): NativeFunction {
    const shortName = fn.path[fn.path.length - 1];
    return new NativeFunction(fn.name, (luaArgs) => {
      this.hostCalls++;
      const where = this.state.vm.nativeWhere();
      const args = inSlices(this.argumentSteps(fn, shortName, luaArgs, where), SLICE_MS);
      if ('value' in args) {
        const out = this.callHostWith(fn, args.value, where);
        return Array.isArray(out) ? out : new Request('await', [], out);
      }
      return new Request('await', [], args.later.then((values) => {
        // A run that ended while its arguments were converted (its time ran out) calls no host.
        if (this.fatal) throw this.fatal.error;
        return this.callHostWith(fn, values, where);
      }));
    });
  }

  /** Calls the host with converted arguments: the script's values, or a promise of them. */
  private callHostWith(fn: HostFunction, args: Json[], where: string): LuaValue[] | Promise<LuaValue[]> {
    const started = now();
    const record: AuditHostCall = { name: fn.name, args, ms: 0 };
    // Arguments and results are kept only for an audit record (replay, the debugger), and only so much.
    if (this.options.audit) {
      this.keepForAudit(fn, canonicalJson(args).length);
      this.audit.hostCalls.push(record);
    }
    const done = (result: unknown): LuaValue[] | Promise<LuaValue[]> => {
      record.ms = Math.round((now() - started) * 1000) / 1000;
      const converted = inSlices(this.resultSteps(fn, result, where, record), SLICE_MS);
      return 'value' in converted ? converted.value : converted.later;
    };
    const failed = (error: unknown): never => {
      record.ms = Math.round((now() - started) * 1000) / 1000;
      const message = thrownMessage(error);
      record.error = message;
      this.options.debug?.hostCall?.(record);
      const e = new LuaError(`${where}host function ${fn.name} failed: ${message}`);
      e.kind = 'host';
      throw e;
    };
    let result: unknown;
    try {
      result = this.callHost(fn, args);
    } catch (error) {
      if (error instanceof LuaError) throw error;
      return failed(error);
    }
    let thenable: boolean;
    try {
      thenable = isThenable(result);
    } catch (error) {
      return failed(error);
    }
    if (thenable) return Promise.resolve(result).then(done, failed);
    return done(result);
  }

  /** The host's result converted (hostValueSteps), checked against the declared return type, recorded. */
  private *resultSteps(fn: HostFunction, result: unknown, where: string, record: AuditHostCall): Steps<LuaValue[]> {
    const hostError = (message: string): LuaError => {
      const err = new LuaError(`${where}host function ${fn.name} ${message}`);
      err.kind = 'host';
      return err;
    };
    let value: HostValue;
    // Converting is charged per value, and so is checking against the schema.
    let values = 0;
    try {
      value = yield* hostValueSteps(result, 'the result', (n, bytes) => { values += n; this.work(n, bytes); });
    } catch (e) {
      if (e instanceof LuaError) throw e;
      throw hostError(`returned a value that is not plain data (${thrownMessage(e)})`);
    }
    if (this.options.audit) this.keepForAudit(fn, canonicalJson(value.json).length);
    this.work(values);
    const problems = validateValue(fn.returns.schema, value.json, { rootName: 'the result' });
    if (problems.length > 0) throw hostError(`returned a value that does not match ${fn.returns.text}: ${problems[0].message}`);
    record.result = value.json;
    this.options.debug?.hostCall?.(record);
    return [value.lua];
  }

  /** Counts what an audit record keeps of host calls; past MAX_AUDIT_CALLS the run fails with `host`. */
  private keepForAudit(fn: HostFunction, bytes: number): void {
    this.auditCallBytes += bytes;
    if (this.auditCallBytes > MAX_AUDIT_CALLS) {
      this.raise('host', `${this.state.vm.nativeWhere()}the audit record cannot keep the arguments and results of ${fn.name}: host calls passed ${MAX_AUDIT_CALLS} bytes in this run (run without an audit record, or pass the host less)`);
    }
  }

  private callHost(fn: HostFunction, args: Json[]): unknown {
    if (this.replaying && !(this.replaying.live && this.replaying.hostCalls.length === 0)) {
      const recorded = this.replaying.hostCalls.shift();
      if (recorded === undefined || recorded.name !== fn.name) {
        this.raise('host', `replay diverged: the script called ${fn.name} where the record has ${recorded ? recorded.name : 'no more host calls'}`);
      }
      if (canonicalJson(recorded.args) !== canonicalJson(args)) {
        this.raise('host', `replay diverged: ${fn.name} was called with other arguments than recorded`);
      }
      if (recorded.error !== undefined) throw new Error(recorded.error);
      return recorded.result ?? null;
    }
    const impl = this.sandbox.implementation(fn.name);
    if (impl !== undefined) return impl(...args);
    if (this.sandbox.mocking) {
      // A mock answers what an example with these arguments says; for other arguments nil when
      // the function may return nil (a lookup that finds nothing), else the first example.
      const example = fn.examples.find((e) => canonicalJson(e.args as Json[]) === canonicalJson(args));
      if (example !== undefined) return example.returns ?? null;
      if (acceptsNil(fn.returns.type) || fn.examples.length === 0) return null;
      return fn.examples[0].returns ?? null;
    }
    throw new Error('the host gave the sandbox no implementation of it');
  }

  /** The arguments as plain values, checked against the declared parameters. */
  private *argumentSteps(fn: HostFunction, shortName: string, luaArgs: LuaValue[], where: string): Steps<Json[]> {
    const params = fn.params;
    const bad = (index: number, message: string): never => {
      throw new LuaError(`${where}bad argument #${index + 1} to '${shortName}' (${message})`);
    };
    if (luaArgs.length > params.length && fn.variadic === undefined) {
      // Trailing nils are how Lua passes "nothing"; extra values are a mistake.
      for (let i = params.length; i < luaArgs.length; i++) {
        if (luaArgs[i] !== undefined) bad(i, `${fn.name} takes ${params.length} argument${params.length === 1 ? '' : 's'}`);
      }
    }
    const out: Json[] = [];
    const count = fn.variadic ? Math.max(params.length, luaArgs.length) : params.length;
    for (let i = 0; i < count; i++) {
      const param = i < params.length ? params[i] : fn.variadic!;
      let json: Json;
      // Converting is charged per value, and so is checking against the schema (before it runs).
      let values = 0;
      try {
        json = yield* fromLuaSteps(luaArgs[i], { what: `argument '${param.name}'`, schema: param.schema, charge: (n) => { values += n; this.work(n); } });
      } catch (e) {
        if (e instanceof LuaError) throw e;
        return bad(i, e instanceof Error ? e.message : String(e));
      }
      this.work(values);
      const problems = validateValue(param.schema, json, { rootName: `'${param.name}'` });
      if (problems.length > 0) bad(i, `${param.text} expected: ${problems[0].message}`);
      out.push(json);
    }
    // Leave out trailing nils of optional parameters, as a JS caller would.
    while (out.length > 0 && out[out.length - 1] === null && out.length > fn.params.filter((p) => !p.optional).length) out.pop();
    return out;
  }

  /** Waits for the run's next turn (nextTurn); what other runs held the thread for meanwhile is not this run's time. */
  private async waitTurn(): Promise<void> {
    const othersBefore = heldByRuns();
    await nextTurn();
    this.notOwn(heldByRuns() - othersBefore);
  }

  /** Waits for a host promise, no longer than the time left. */
  private async awaitHost(promise: Promise<LuaValue[]>): Promise<{ values: LuaValue[] } | { error: unknown }> {
    const left = Math.max(0, this.deadline - now());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), left); });
    try {
      const winner = await Promise.race([promise.then((values) => ({ values }), (error: unknown) => ({ error })), timeout]);
      if (winner === 'timeout') {
        const e = new LuaError(this.timeLimitMessage(this.compiling !== undefined ? `compiling ${this.compiling}` : 'waiting for the host'));
        e.kind = 'budget';
        this.fatal ??= new Fatal(e);
        this.state.vm.exhaustBudget();
        return { error: e };
      }
      return winner;
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- clock ---------------------------------------------------------------------------------

  private recordingClock(): Clock {
    const base = this.sandbox.systemClock;
    const replay = this.replaying?.clock;
    const log = this.clockLog;
    // Readings are kept for an audit record (the debugger always asks for one) and, in a replay,
    // to count which recorded reading comes next; a run with neither keeps none (a script reading
    // the clock in a loop does not fill the host's memory with them).
    const keep = this.options.audit === true || this.replaying !== undefined;
    const take = <T>(recorded: T[] | undefined, live: () => T, into: T[]): T => {
      let v: T;
      if (recorded !== undefined && (recorded.length > into.length || !this.replaying!.live)) {
        v = recorded.length > into.length ? recorded[into.length] : (recorded[recorded.length - 1] ?? live());
      } else {
        v = live();
      }
      if (keep) into.push(v);
      return v;
    };
    return {
      now: () => take(replay?.now, () => base.now(), log.now),
      cpu: () => take(replay?.cpu, () => base.cpu(), log.cpu),
      timezoneOffset: (ms) => take(replay?.timezoneOffset, () => base.timezoneOffset(ms), log.timezoneOffset),
      // The zone's name (%Z) is recorded too: a replay elsewhere shows the recorded one.
      timezoneName: (ms) => take(replay?.timezoneName, () => base.timezoneName?.(ms) ?? 'UTC', log.timezoneName),
    };
  }
}

/**
 * What is wrong with a record for replay, before it runs: hashes that do not match what they
 * hash (script, input, output), and values of the wrong type where replay feeds the script (clock
 * readings, the random seed, host calls). Undefined when nothing is.
 */
function replayProblem(record: AuditRecord): string | undefined {
  if (record.script.sha256 && record.script.sha256 !== sha256(record.script.source)) {
    return `the record's script.sha256 is not the hash of its script (${record.script.name}): the script or its hash was changed`;
  }
  if (record.inputSha256 && record.inputSha256 !== sha256(canonicalJson(record.input))) {
    return `the record's inputSha256 is not the hash of its input: the input or its hash was changed`;
  }
  if (record.outputSha256 !== undefined && record.outputSha256 !== sha256(canonicalJson(record.output))) {
    return `the record's outputSha256 is not the hash of its output: the output or its hash was changed`;
  }
  const stdin = record.stdin as Partial<AuditBytes> | undefined;
  if (stdin !== undefined) {
    if (typeof stdin !== 'object' || stdin === null || typeof stdin.base64 !== 'string' || typeof stdin.sha256 !== 'string') return `the record's stdin is not bytes (sha256 and base64)`;
    const bytes = Buffer.from(stdin.base64, 'base64');
    if (sha256Bytes(bytes) !== stdin.sha256 || (stdin.bytes !== undefined && stdin.bytes !== bytes.length)) {
      return `the record's stdin.sha256 is not the hash of its stdin: the stdin or its hash was changed`;
    }
  }
  if (typeof record.randomSeed !== 'number' || !Number.isFinite(record.randomSeed)) return `the record's randomSeed is not a number`;
  const clock = record.clock as Partial<Record<string, unknown>> | undefined;
  for (const name of ['now', 'cpu', 'timezoneOffset']) {
    const readings = clock?.[name];
    if (readings === undefined && name !== 'now') continue;
    if (!Array.isArray(readings)) return `the record's clock.${name} is not a list of readings`;
    const bad = readings.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0) return `the record's clock.${name}[${bad}] is ${JSON.stringify(readings[bad])}, not a number: the record was tampered with`;
  }
  const names = clock?.timezoneName;
  if (names !== undefined) {
    if (!Array.isArray(names)) return `the record's clock.timezoneName is not a list of names`;
    const bad = names.findIndex((v) => typeof v !== 'string');
    if (bad >= 0) return `the record's clock.timezoneName[${bad}] is ${JSON.stringify(names[bad])}, not a name: the record was tampered with`;
  }
  if (!Array.isArray(record.hostCalls)) return `the record's hostCalls is not a list`;
  for (let i = 0; i < record.hostCalls.length; i++) {
    const call = record.hostCalls[i] as Partial<AuditHostCall> | null;
    if (typeof call !== 'object' || call === null || typeof call.name !== 'string' || !Array.isArray(call.args)) {
      return `the record's hostCalls[${i}] is not a host call (a name and a list of arguments)`;
    }
    if (call.error !== undefined && typeof call.error !== 'string') return `the record's hostCalls[${i}].error is not a message`;
  }
  return undefined;
}

/** How a finished replay differs from its record: host calls left over, the outcome, the output stream. */
function replayDifference(record: AuditRecord, result: RunResult): string | undefined {
  const made = result.audit?.hostCalls.length ?? 0;
  if (made < record.hostCalls.length) {
    const left = record.hostCalls.length - made;
    return `the record has ${left} host call${left === 1 ? '' : 's'} the script did not make (the first: ${record.hostCalls[made].name}, call ${made + 1})`;
  }
  if (result.ok !== record.ok) {
    return result.ok ? `the script succeeded where the record has the error ${JSON.stringify(record.error?.message)}` : `the script failed (${result.error.kind}: ${result.error.message}) where the record succeeded`;
  }
  if (result.ok && canonicalJson(result.output) !== canonicalJson(record.output)) return `the output differs from the record's`;
  if (!result.ok && (result.error.kind !== record.error?.kind || result.error.message !== record.error?.message)) {
    return `the error differs from the record's (${record.error?.kind}: ${record.error?.message})`;
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    if (record[stream] !== undefined && (result.audit?.[stream] ?? '') !== record[stream]) return `what the script wrote to ${stream} differs from the record's`;
  }
  return undefined;
}

/**
 * A message of at most MAX_MESSAGE characters: a longer one is cut and says how long it was. The
 * part kept is a copy (a slice would keep the whole string alive).
 */
function cutMessage(message: string): string {
  if (message.length <= MAX_MESSAGE) return message;
  return `${Buffer.from(message.slice(0, MAX_MESSAGE), 'utf16le').toString('utf16le')}... (${message.length} characters in all)`;
}

/** A host's error message longer than this is not read, in characters. */
export const UNREAD_MESSAGE = 1 << 20;

/** What a host threw, as a message (cut like every error message); a value that cannot say what it is named by its type. */
function thrownMessage(error: unknown): string {
  let message: unknown;
  try {
    message = error instanceof Error ? error.message : String(error);
  } catch {
    return `a JavaScript ${typeof error} that cannot be turned into a message`;
  }
  if (typeof message !== 'string') return 'an error without a message';
  // Reading any character of a string flattens it first (a host's 'e'.repeat(1e8) is a rope): a
  // message far beyond what is kept is not read at all.
  if (message.length > UNREAD_MESSAGE) return `(a message of ${message.length} characters, not shown)`;
  return cutMessage(message);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

