// Differential testing against PUC Lua: run a Lua file with `lua5.3` and with our engine, the way
// lua.c runs a script (stdout from print, `lua5.3: message` + traceback on stderr, exit status 1
// on error), so that both outputs can be compared exactly.

import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { basename, dirname } from 'path';
import { LuaState, Compiler } from '../state';
import { LFloat, LuaError, LuaValue, typeName } from '../value';

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
}

/** Whether `lua5.3` can be run here. */
export function hasLua53(): boolean {
  return spawnSync('lua5.3', ['-v'], { encoding: 'utf8' }).status === 0;
}

/** Runs `file` with lua5.3 from its own folder (so messages name it by its base name). */
export function runReference(file: string, timeoutMs = 30000): RunResult {
  const r = spawnSync('lua5.3', [basename(file)], { cwd: dirname(file), encoding: 'latin1', timeout: timeoutMs });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
}

/** Runs Lua source text with lua5.3 (`-` reads stdin; the chunk is then named `stdin`). */
export function runReferenceSource(source: string, timeoutMs = 30000): RunResult {
  const r = spawnSync('lua5.3', ['-'], { input: Buffer.from(source, 'latin1'), encoding: 'latin1', timeout: timeoutMs });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
}

/** Runs `file` on our engine as lua.c would, with `chunkName` `@<base name>`. */
export function runOurs(file: string, compile: Compiler): RunResult {
  return runOursSource(readFileSync(file, 'latin1'), '@' + basename(file), compile);
}

export function runOursSource(source: string, chunkName: string, compile: Compiler, setup?: (state: LuaState) => void): RunResult {
  let stdout = '';
  let stderr = '';
  // print and io.write share stdout, as in lua.c; io.stderr comes before lua.c's error report.
  const state = new LuaState({ compile, io: { stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; } } });
  setup?.(state);
  const fn = state.load(source.startsWith('#') ? '--' + source : source, chunkName);
  if (typeof fn === 'string') return { stdout, stderr: `${stderr}lua5.3: ${fn}\n`, status: 1 };
  try {
    state.call(fn, []);
    state.flushAll();
    return { stdout, stderr, status: 0 };
  } catch (e) {
    if (!(e instanceof LuaError)) throw e;
    state.flushAll();
    return { stdout, stderr: `${stderr}lua5.3: ${errorReport(state, e)}\n`, status: 1 };
  }
}

/** The message lua.c prints for an uncaught error: the message (or `__tostring`), then the traceback. */
function errorReport(state: LuaState, e: LuaError): string {
  const value: LuaValue = e.value;
  let message: string;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || value instanceof LFloat) {
    message = state.vm.tostring(value);
  } else {
    // lua.c's msghandler: a `__tostring` result is the whole report (no traceback).
    if (state.vm.metamethod(value, '__tostring') !== undefined) {
      const text = state.vm.call(state.vm.metamethod(value, '__tostring'), [value])[0];
      if (typeof text === 'string') return text;
    }
    message = `(error object is a ${typeName(value)} value)`;
  }
  const traceback = e.traceback ?? 'stack traceback:\n\t[C]: in ?';
  const lines = traceback.split('\n');
  // The traceback starts with the message it was made for; lua.c prints its own rendering.
  const start = lines.findIndex((l) => l === 'stack traceback:');
  return [message, ...lines.slice(start)].join('\n');
}

/** Table addresses differ between engines: masks `0x…` so that outputs can be compared. */
export function maskAddresses(text: string): string {
  return text.replace(/0x[0-9a-f]{6,}/g, '0xADDR').replace(/: 0x[0-9a-f]+/g, ': 0xADDR');
}
