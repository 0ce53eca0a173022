// The Debug Adapter Protocol over the debug runtime: the only code that knows @vscode/debugadapter.
// Launch arguments: program, manifest (default: discovered), input or inputFile (default: the
// contract's example input, exampleInput), host (a module),
// replay (an audit record), stopOnEntry. Runs inline in VS Code and standalone (`sandlua dap`).

import { readFileSync } from 'fs';
import { basename, resolve } from 'path';
import {
  DebugSession, InitializedEvent, OutputEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, ExitedEvent, Thread,
  Handles, Breakpoint,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import {
  findManifest, loadManifest, defaultContract, auditProblem, loadHostModule, exampleInput, validateValue, LuaTable, LuaClosure, NativeFunction,
  type AuditRecord, type Contract, type FrameInfo, type LuaValue,
} from '@sandlua/lua';
import { DebugRuntime, EXCEPTION_FILTERS, type Granularity } from './runtime';
import { display, keyName, tableEntries } from './values';

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  program: string;
  manifest?: string;
  input?: unknown;
  inputFile?: string;
  host?: string;
  replay?: string;
  stopOnEntry?: boolean;
  cwd?: string;
}

const THREAD_ID = 1;
/** The most entries of one table the Variables view lists. */
const MAX_CHILDREN = 10000;
/** Most instructions one disassemble request lists. */
const MAX_DISASSEMBLE = 10_000;

/**
 * The input a script gets when none is given (F5 without a launch.json, Run Script): the example
 * input of the contract that governs it (exampleInput), or `{}` when no contract or a broken one does.
 */
export function defaultInput(program: string): unknown {
  try {
    return exampleInput(findManifest(program)?.manifest?.input).value;
  } catch {
    return {};
  }
}

/** What a variables reference stands for. */
type Container =
  | { kind: 'locals'; frame: number }
  | { kind: 'upvalues'; frame: number }
  | { kind: 'registers'; frame: number }
  | { kind: 'varargs'; frame: number }
  | { kind: 'globals' }
  | { kind: 'budget' }
  /** `path`: the expression that reads the table in its frame (`input.items`), when there is one. */
  | { kind: 'table'; table: LuaTable; frame: number; path?: string };

export class SandluaDebugSession extends DebugSession {
  private runtime: DebugRuntime;
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((resolve) => { this.configured = resolve; });
  private containers = new Handles<Container>();
  private program = '';

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.runtime = new DebugRuntime({
      stopped: (reason, details) => {
        this.containers.reset();
        const event = new StoppedEvent(reason, THREAD_ID, details.text) as DebugProtocol.StoppedEvent;
        if (details.description) event.body.description = details.description;
        if (details.breakpointIds) event.body.hitBreakpointIds = details.breakpointIds;
        this.sendEvent(event);
      },
      output: (category, text) => this.sendEvent(new OutputEvent(text, category)),
      ended: (result) => {
        this.sendEvent(new ExitedEvent(result.ok ? 0 : 1));
        this.sendEvent(new TerminatedEvent());
      },
    });
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsDisassembleRequest: true,
      supportsSteppingGranularity: true,
      supportsInstructionBreakpoints: true,
      supportsExceptionInfoRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({ filter: f.filter, label: f.label, default: true })),
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configured();
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): Promise<void> {
    try {
      const cwd = args.cwd ?? process.cwd();
      let record: AuditRecord | undefined;
      if (args.replay) {
        record = JSON.parse(readFileSync(resolve(cwd, args.replay), 'utf8')) as AuditRecord;
        const problem = auditProblem(record);
        if (problem) throw new Error(`${args.replay} is not an audit record: ${problem}`);
      }
      const program = resolve(cwd, args.program ?? record?.script.name ?? '');
      this.program = program;
      const source = record ? record.script.source : readFileSync(program, 'latin1');
      const manifest = this.contract(program, args.manifest ? resolve(cwd, args.manifest) : record?.contract.path);
      // No input given: the contract's example input (its schema's example, or a minimal valid value).
      let input: unknown = args.input !== undefined ? args.input : args.inputFile ? undefined : exampleInput(manifest.input).value;
      if (args.inputFile) input = JSON.parse(readFileSync(resolve(cwd, args.inputFile), 'utf8'));
      if (!record && manifest.input !== undefined) {
        // A rejected input fails the launch with the schema's message (the run would stop before its first line).
        const problems = validateValue(manifest.input, input ?? null, { rootName: 'the input' });
        if (problems.length > 0) {
          const where = args.inputFile ? ` (${args.inputFile})` : args.input === undefined ? ' (built from the contract)' : '';
          throw new Error(`the input${where} does not match the contract ${manifest.name}: ${problems.map((p) => p.message).join('; ')}`);
        }
      }
      const host = args.host ? loadHostModule(resolve(cwd, args.host), manifest) : undefined;
      const launched = this.runtime.launch({ program, source, manifest, input, host, replay: record, stopOnEntry: args.stopOnEntry === true });
      if (launched.error) throw new Error(launched.error);
      this.sendEvent(new OutputEvent(`${basename(program)} under ${manifest.name}${record ? ` (replaying ${args.replay})` : ''}\n`, 'console'));
      await this.configurationDone;
      this.sendResponse(response);
      this.runtime.start();
    } catch (e) {
      this.sendErrorResponse(response, 1001, (e as Error).message);
      this.sendEvent(new TerminatedEvent());
    }
  }

  private contract(program: string, manifestPath: string | undefined): Contract {
    const result = manifestPath ? loadManifest(manifestPath) : findManifest(program);
    if (result === undefined) return defaultContract();
    if (result.manifest === undefined) {
      const first = result.problems[0];
      throw new Error(`the contract ${result.path} has problems; first: ${first?.line}:${first?.column}: ${first?.message}`);
    }
    return result.manifest;
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const path = args.source.path ? resolve(args.source.path) : '';
    const requests: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    if (this.program && path !== this.program) {
      response.body = { breakpoints: requests.map(() => ({ verified: false, message: 'only the launched script can have breakpoints' })) };
      this.sendResponse(response);
      return;
    }
    const set = this.runtime.setBreakpoints(requests.map((b) => ({ line: b.line, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage })));
    response.body = {
      breakpoints: set.map((bp) => {
        const out = new Breakpoint(bp.verified, bp.line) as DebugProtocol.Breakpoint;
        out.id = bp.id;
        if (bp.message) out.message = bp.message;
        return out;
      }),
    };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.runtime.setExceptionFilters(args.filters);
    this.sendResponse(response);
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    const addresses = args.breakpoints.map((b) => Number(BigInt(b.instructionReference)) + (b.offset ?? 0));
    const set = this.runtime.setInstructionBreakpoints(addresses);
    response.body = { breakpoints: set.map((b) => ({ verified: b.verified, instructionReference: hex(b.address), message: b.verified ? undefined : 'no instruction at this address' })) };
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'main')] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const frames = this.runtime.frames();
    const start = args.startFrame ?? 0;
    const count = args.levels && args.levels > 0 ? args.levels : frames.length;
    const source = new Source(basename(this.program), this.program);
    const out: DebugProtocol.StackFrame[] = frames.slice(start, start + count).map((f, i) => {
      const index = start + i;
      if (f.kind === 'native') {
        const name = f.fn instanceof NativeFunction ? f.fn.name : '?';
        const host = this.runtime.isHostFunction(name);
        const frame = new StackFrame(index, host ? `[host] ${name}` : `[C] ${name}`) as DebugProtocol.StackFrame;
        frame.presentationHint = 'subtle';
        return frame;
      }
      const frame = new StackFrame(index, frameName(f), source, f.line, 1) as DebugProtocol.StackFrame;
      const closure = f.fn as LuaClosure;
      const address = this.runtime.address(closure.proto, f.pc);
      if (address !== undefined) frame.instructionPointerReference = hex(address);
      return frame;
    });
    response.body = { stackFrames: out, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const frame = args.frameId;
    const info = this.runtime.frames()[frame];
    const scopes: DebugProtocol.Scope[] = [];
    if (info && info.kind === 'lua') {
      scopes.push(new Scope('Locals', this.containers.create({ kind: 'locals', frame }), false));
      if (info.varargs.length > 0) scopes.push(new Scope('Varargs', this.containers.create({ kind: 'varargs', frame }), false));
      scopes.push(new Scope('Upvalues', this.containers.create({ kind: 'upvalues', frame }), false));
      scopes.push(new Scope('Registers', this.containers.create({ kind: 'registers', frame }), true));
    }
    scopes.push(new Scope('Globals', this.containers.create({ kind: 'globals' }), true));
    scopes.push(new Scope('Budget', this.containers.create({ kind: 'budget' }), false));
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const container = this.containers.get(args.variablesReference);
    const frames = this.runtime.frames();
    let variables: DebugProtocol.Variable[] = [];
    if (container) {
      switch (container.kind) {
        case 'locals': {
          const f = frames[container.frame];
          variables = (f?.locals ?? []).filter((l) => !l.name.startsWith('(')).map((l) => this.variable(l.name, l.value, container.frame, l.name));
          if (container.frame === 0 || frames.length > 0) {
            const input = this.runtime.input();
            if (container.frame === frames.length - 1 || frames.length === 1) variables.push(this.variable('input', input, container.frame, 'input'));
          }
          break;
        }
        case 'varargs':
          variables = (frames[container.frame]?.varargs ?? []).map((v, i) => this.variable(`...[${i + 1}]`, v, container.frame));
          break;
        case 'upvalues':
          variables = (frames[container.frame]?.upvalues ?? []).map((u) => this.variable(u.name, u.value, container.frame, u.name));
          break;
        case 'registers':
          variables = this.runtime.liveRegisters(container.frame).map((r) => this.variable(`R${r.register}`, r.value, container.frame));
          break;
        case 'globals': {
          const g = this.runtime.globals();
          if (g) variables = this.tableVariables(g, 0, '');
          break;
        }
        case 'budget': {
          const b = this.runtime.budget();
          variables = [
            { name: 'instructions used', value: String(b.used), variablesReference: 0 },
            { name: 'instructions left', value: String(b.left), variablesReference: 0 },
            { name: 'instruction limit', value: String(b.limit), variablesReference: 0 },
          ];
          break;
        }
        case 'table':
          variables = this.tableVariables(container.table, container.frame, container.path);
          break;
      }
    }
    const start = args.start ?? 0;
    response.body = { variables: args.count ? variables.slice(start, start + args.count) : variables.slice(start) };
    this.sendResponse(response);
  }

  /**
   * A table's children: every entry in the stable order of tableEntries (the first MAX_CHILDREN),
   * then its metatable. `path` reads the table (`''`: the globals), so that each child says how to
   * read it (Add to Watch, Copy as Expression).
   */
  private tableVariables(table: LuaTable, frame: number, path: string | undefined): DebugProtocol.Variable[] {
    const entries = tableEntries(table);
    const seen = new Map<string, number>();
    const out = entries.slice(0, MAX_CHILDREN).map(([key, value]) => {
      // Keys that print alike (two tables) get a number, so that each child has its own name.
      let name = keyName(key);
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      if (n > 1) name = `${name} #${n}`;
      return this.variable(name, value, frame, n > 1 || path === undefined ? undefined : childPath(path, key));
    });
    if (entries.length > MAX_CHILDREN) out.push({ name: '…', value: `${entries.length - MAX_CHILDREN} more entries`, variablesReference: 0 });
    if (table.metatable) out.push(this.variable('(metatable)', table.metatable, frame));
    return out;
  }

  /** A variable; `path` is the expression that reads it in its frame, when there is one. */
  private variable(name: string, value: LuaValue, frame: number, path?: string): DebugProtocol.Variable {
    const reference = value instanceof LuaTable ? this.containers.create({ kind: 'table', table: value, frame, path }) : 0;
    return { name, value: display(value), type: typeOf(value), variablesReference: reference, evaluateName: path };
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    try {
      const container = this.containers.get(args.variablesReference);
      const frames = this.runtime.frames();
      let value: LuaValue;
      if (container?.kind === 'locals') {
        const local = [...(frames[container.frame]?.locals ?? [])].reverse().find((l) => l.name === args.name);
        if (!local) throw new Error(`no local '${args.name}'`);
        value = this.runtime.setLocal(container.frame, local.register, args.value);
      } else if (container?.kind === 'registers') {
        value = this.runtime.setLocal(container.frame, Number(args.name.slice(1)), args.value);
      } else if (container?.kind === 'upvalues') {
        const index = (frames[container.frame]?.upvalues ?? []).findIndex((u) => u.name === args.name);
        if (index < 0) throw new Error(`no upvalue '${args.name}'`);
        value = this.runtime.setUpvalue(container.frame, index, args.value);
      } else if (container?.kind === 'table' || container?.kind === 'globals') {
        const table = container.kind === 'table' ? container.table : this.runtime.globals()!;
        const m = /^\[(.*)\]$/.exec(args.name);
        const key: LuaValue = m ? this.runtime.evaluate(m[1], 0) : args.name;
        value = this.runtime.setField(table, key, args.value, container.kind === 'table' ? container.frame : 0);
      } else {
        throw new Error('this variable cannot be set');
      }
      response.body = { value: display(value), type: typeOf(value), variablesReference: value instanceof LuaTable ? this.containers.create({ kind: 'table', table: value, frame: 0 }) : 0 };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 1002, (e as Error).message);
    }
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    try {
      const frame = args.frameId ?? 0;
      const value = this.runtime.evaluate(args.expression, frame);
      response.body = {
        result: display(value), type: typeOf(value),
        variablesReference: value instanceof LuaTable ? this.containers.create({ kind: 'table', table: value, frame }) : 0,
      };
      this.sendResponse(response);
    } catch (e) {
      // Not for a notification (no showUser): VS Code shows the message where the expression was
      // typed (the Debug Console, the watch), and pops up a notification only for errors that ask.
      this.sendErrorResponse(response, { id: 1003, format: (e as Error).message, showUser: false });
    }
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.runtime.continue();
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.sendResponse(response);
    this.runtime.stepping('over', granularity(args.granularity));
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.sendResponse(response);
    this.runtime.stepping('in', granularity(args.granularity));
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.sendResponse(response);
    this.runtime.stepping('out', granularity(args.granularity));
  }

  protected override async stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): Promise<void> {
    this.sendResponse(response);
    await this.runtime.stepBack(granularity(args.granularity));
  }

  protected override async reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): Promise<void> {
    this.sendResponse(response);
    await this.runtime.stepBack('line', true);
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.sendResponse(response);
    this.runtime.pause();
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse): void {
    this.sendResponse(response);
    this.runtime.restart();
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runtime.terminate();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.runtime.terminate();
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const error = this.runtime.lastError;
    response.body = {
      exceptionId: error?.kind ?? 'error',
      description: error?.message ?? 'no exception',
      breakMode: 'always',
      details: error ? { message: error.message, typeName: error.kind } : undefined,
    };
    this.sendResponse(response);
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    try {
      const base = Number(BigInt(args.memoryReference));
      // At most MAX_DISASSEMBLE rows per request (a client asks again as it scrolls).
      const count = Math.max(0, Math.min(MAX_DISASSEMBLE, Math.floor(Number(args.instructionCount)) || 0));
      const offset = Math.floor(Number(args.offset ?? 0) + Number(args.instructionOffset ?? 0)) || 0;
      const rows = this.runtime.disassemble(base, offset, count);
      const source = new Source(basename(this.program), this.program);
      let lastLine = -1;
      const instructions = rows.map((row, i): DebugProtocol.DisassembledInstruction => {
        if (row.text === undefined) return { address: hex(row.address), instruction: '', presentationHint: 'invalid' };
        const out: DebugProtocol.DisassembledInstruction = { address: hex(row.address), instruction: row.text, instructionBytes: row.bytes, line: row.line, symbol: row.symbol };
        if (i === 0 || row.line !== lastLine) out.location = source;
        lastLine = row.line ?? -1;
        return out;
      });
      response.body = { instructions };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 1004, (e as Error).message);
    }
  }
}

/** The expression reading `key` of the table `path` reads (`''`: a global), when Lua can write the key. */
function childPath(path: string, key: LuaValue): string | undefined {
  const name = keyName(key);
  if (!name.startsWith('[')) return path === '' ? name : `${path}.${name}`;
  if (path === '') return undefined;
  // eslint-disable-next-line no-control-regex
  const writable = typeof key === 'string' ? !/[\x00-\x1f\x7f]/.test(key) : typeof key === 'boolean' || typeof key === 'bigint' || (typeof key === 'number' && Number.isFinite(key));
  return writable ? `${path}${name}` : undefined;
}

function granularity(g: DebugProtocol.SteppingGranularity | undefined): Granularity {
  return g === 'instruction' ? 'instruction' : 'line';
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

function frameName(f: FrameInfo): string {
  const proto = (f.fn as LuaClosure).proto;
  if (proto.lineDefined === 0) return 'main chunk';
  if (f.name) return `${f.name.name} (${f.name.kind})`;
  return `function <line ${proto.lineDefined}>`;
}

function typeOf(v: LuaValue): string {
  if (v === undefined) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (v instanceof LuaTable) return 'table';
  if (v instanceof LuaClosure || v instanceof NativeFunction) return 'function';
  if (typeof v === 'number' || typeof v === 'bigint') return Number.isInteger(v) || typeof v === 'bigint' ? 'integer' : 'float';
  return 'float';
}
