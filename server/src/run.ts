// `sandlua run` and `sandlua replay`: a script in the sandbox of its contract, as a host would run
// it, with host functions answered from the contract's examples (or a module given with --host).
// A script's failure is never a crash: the exit code is 1 and the error is reported (as JSON
// with --json, naming the contract's onFailure action).

import { existsSync, readFileSync, statSync, writeFileSync } from 'fs';
import { basename, dirname, relative, resolve } from 'path';
import { parseArgs } from 'util';
import {
  Sandbox, auditProblem, findManifest, loadManifest, defaultContract, loadHostModule, HostModuleError, folderFiles,
  type SandboxFiles, type AuditRecord, type Contract, type HostImplementation, type ManifestResult, type RunResult,
} from '@sandlua/lua/runtime';
import type { Io } from './cli';
import { UsageError, isUsageError } from './usage';


export async function runScript(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      manifest: { type: 'string' },
      input: { type: 'string' },
      'input-file': { type: 'string' },
      json: { type: 'boolean' },
      audit: { type: 'string' },
      host: { type: 'string' },
      stdin: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('run needs exactly one script');
  if (values.input !== undefined && values['input-file'] !== undefined) throw new UsageError('give --input or --input-file, not both');
  const script = resolve(io.cwd, positionals[0]);
  const source = readText(script, 'script');
  const contract = contractFor(script, values.manifest, io);
  let input: unknown = null;
  if (values.input !== undefined) input = parseJson(values.input, '--input');
  if (values['input-file'] !== undefined) input = parseJson(readText(resolve(io.cwd, values['input-file']), 'input file'), values['input-file']);
  const host = values.host !== undefined ? hostModule(resolve(io.cwd, values.host), contract) : undefined;
  const stdin = values.stdin !== undefined ? readBytes(resolve(io.cwd, values.stdin), 'stdin file', contract.limits.fileBytes, "the contract's limits.fileBytes") : undefined;

  const json = values.json === true;
  const sandbox = new Sandbox({
    manifest: contract,
    host,
    mockFromExamples: true,
    ...streams(json, io),
    files: contractFiles(contract),
  });
  const result = await sandbox.run(source, input, { name: relative(io.cwd, script) || basename(script), audit: values.audit !== undefined, stdin });
  if (values.audit !== undefined && result.audit) {
    writeFileSync(resolve(io.cwd, values.audit), JSON.stringify(result.audit, null, 2) + '\n');
  }
  report(result, json, io, values.audit);
  return result.ok ? 0 : 1;
}

export async function runReplay(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, host: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('replay needs exactly one audit record');
  const file = resolve(io.cwd, positionals[0]);
  const record = parseJson(readText(file, 'audit record'), positionals[0]) as AuditRecord;
  const problem = auditProblem(record);
  if (problem !== undefined) throw new UsageError(`${positionals[0]} is not an audit record: ${problem}`);
  // The contract as it is now, from where the record says it was (relative to the record, too).
  let contractPath = record.contract.path;
  if (!existsSync(contractPath)) contractPath = resolve(dirname(file), basename(contractPath));
  const contract = existsSync(contractPath) ? loaded(load(contractPath, contractPath), contractPath) : defaultContract();
  const json = values.json === true;
  // Modules run from the record's sources (the contract's folder only for modules it lacks); reads
  // come from the record; nothing is written.
  const sandbox = new Sandbox({ manifest: contract, ...streams(json, io) });
  const result = await sandbox.replay(record);
  const same = result.ok === record.ok
    && JSON.stringify(result.ok ? result.output : result.error) === JSON.stringify(record.ok ? record.output : record.error);
  if (json) {
    io.stdout(JSON.stringify({ identical: same, recorded: record.ok ? { ok: true, output: record.output } : { ok: false, error: record.error }, replayed: strip(result) }) + '\n');
  } else {
    const describe = (ok: boolean, value: unknown): string => (ok ? `output ${JSON.stringify(value)}` : `error ${JSON.stringify(value)}`);
    io.stdout(`recorded: ${describe(record.ok, record.ok ? record.output : record.error)}\n`);
    io.stdout(`replayed: ${describe(result.ok, result.ok ? result.output : result.error)}\n`);
    io.stdout(same ? 'identical\n' : 'DIFFERENT\n');
  }
  return same ? 0 : 1;
}

function strip(result: RunResult): Omit<RunResult, 'audit'> {
  const copy = { ...result } as RunResult;
  delete copy.audit;
  return copy;
}

function report(result: RunResult, json: boolean, io: Io, auditFile: string | undefined): void {
  if (json) {
    const out: Record<string, unknown> = result.ok
      ? { ok: true, output: result.output, stats: result.stats }
      : { ok: false, error: result.error, onFailure: result.onFailure, stats: result.stats };
    if (auditFile !== undefined) out.audit = auditFile;
    io.stdout(JSON.stringify(out) + '\n');
    return;
  }
  if (result.ok) {
    if (result.output !== null) io.stdout(JSON.stringify(result.output, null, 2) + '\n');
  } else {
    io.stderr(`sandlua: ${result.error.kind} error: ${result.error.message}\n`);
    io.stderr(`sandlua: the contract says: ${result.onFailure}\n`);
  }
}

function contractFor(script: string, manifest: string | undefined, io: Io): Contract {
  if (manifest !== undefined) {
    const path = resolve(io.cwd, manifest);
    if (!existsSync(path)) throw new UsageError(`no such contract: ${manifest}`);
    return loaded(load(path, manifest), manifest);
  }
  const found = findManifest(script);
  return found === undefined ? defaultContract() : loaded(found, relative(io.cwd, found.path));
}

/** The contract at `path`; whatever the loader cannot take is a usage error that names the file. */
function load(path: string, name: string): ManifestResult {
  try {
    return loadManifest(path);
  } catch (error) {
    throw new UsageError(`cannot load the contract ${name}: ${(error as Error).message}`);
  }
}

function loaded(result: ManifestResult, name: string): Contract {
  if (result.manifest !== undefined) return result.manifest;
  const first = result.problems[0];
  throw new UsageError(`the contract ${name} has ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}; first: ${first ? `${first.line}:${first.column}: ${first.message}` : 'unknown'} (run sandlua check)`);
}


/** The script's output stream (print, io.write) to stdout (to stderr with --json, which prints the result on stdout); io.stderr to stderr. */
function streams(json: boolean, io: Io): { stdout: (text: string) => void; stderr: (text: string) => void } {
  // Lua strings are bytes; the CLI's sinks take text: UTF-8 written by the script comes out as such.
  const text = (bytes: string) => Buffer.from(bytes, 'latin1').toString('utf8');
  return { stdout: (t) => (json ? io.stderr(text(t)) : io.stdout(text(t))), stderr: (t) => io.stderr(text(t)) };
}

/** The contract's declared files, on disk below its folder (none for the default contract). */
function contractFiles(contract: Contract): SandboxFiles | undefined {
  if (contract.files.size === 0 || !contract.path || !existsSync(contract.path)) return undefined;
  return folderFiles(dirname(contract.path));
}

/** Largest script, input file or audit record the CLI reads, in bytes (a bigger one is refused before it is read). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

function readBytes(path: string, what: string, max = MAX_FILE_BYTES, limit = 'the limit'): Uint8Array {
  return readFile(path, what, max, limit, () => readFileSync(path));
}

function readText(path: string, what: string): string {
  return readFile(path, what, MAX_FILE_BYTES, 'the limit', () => readFileSync(path, 'latin1'));
}

function readFile<T>(path: string, what: string, max: number, limit: string, read: () => T): T {
  try {
    const size = statSync(path).size;
    if (size > max) throw new UsageError(`the ${what} '${path}' is ${size} bytes, more than ${limit} of ${max}`);
    return read();
  } catch (error) {
    if (isUsageError(error)) throw error;
    throw new UsageError(`cannot read the ${what} '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

function hostModule(path: string, contract: Contract): Record<string, HostImplementation> {
  try {
    return loadHostModule(path, contract);
  } catch (error) {
    if (error instanceof HostModuleError) throw new UsageError(error.message);
    throw error;
  }
}
