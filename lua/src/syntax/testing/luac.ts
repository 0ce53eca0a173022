// Runs Debian's `luac5.3 -p` over Lua files, the reference the syntax tests compare against. It stops
// at the first error of the first failing file, so accepted files go in batches and a failing batch
// is split; files expected to fail go one by one, a couple of processes at a time (the machine is
// shared). Where luac5.3 is missing the tests skip, except in CI (`CI=true`), where they must fail.

import { execFile, spawnSync } from 'child_process';

export const LUAC = 'luac5.3';

/** luac's verdict on one file: accepted, or its message split into the line and the message text. */
export interface LuacResult {
  ok: boolean;
  line?: number;
  message?: string;
  /** luac's whole report, for failure messages. */
  raw?: string;
}

/** True when luac5.3 can be run; in CI a missing luac5.3 throws instead. */
export function luacAvailable(): boolean {
  const run = spawnSync(LUAC, ['-v'], { encoding: 'latin1' });
  if (!run.error && run.status === 0) return true;
  if (process.env.CI === 'true') throw new Error(`${LUAC} is required in CI (install lua5.3): ${run.error?.message ?? run.stderr}`);
  return false;
}

/** Splits `luac5.3: name:line: message` (the message may span lines: a string token shown whole). */
export function parseLuacError(stderr: string, name: string): LuacResult {
  const text = stderr.replace(/\n$/, '');
  const prefix = `${LUAC}: ${name}:`;
  if (!text.startsWith(prefix)) return { ok: false, raw: text };
  const rest = text.slice(prefix.length);
  const colon = rest.indexOf(': ');
  return { ok: false, line: Number(rest.slice(0, colon)), message: rest.slice(colon + 2), raw: text };
}

function run(cwd: string, names: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    // latin1 keeps luac's bytes as they are (one char per byte), like `parse` given a Uint8Array.
    execFile(LUAC, ['-p', ...names], { cwd, encoding: 'latin1', maxBuffer: 1 << 26 }, (error, _stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ status, stderr });
    });
  });
}

/** Runs `tasks` with at most `limit` running at once. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Checks one file alone. */
export async function luacFile(cwd: string, name: string): Promise<LuacResult> {
  const { status, stderr } = await run(cwd, [name]);
  return status === 0 ? { ok: true } : parseLuacError(stderr, name);
}

/**
 * luac's verdict for each file (names relative to `cwd`): `likelyOk` files are checked in batches
 * (one process per batch when all pass), the others one by one.
 */
export async function luacFiles(cwd: string, names: string[], likelyOk: (name: string) => boolean, batch = 200): Promise<Map<string, LuacResult>> {
  const results = new Map<string, LuacResult>();
  const single: string[] = [];
  const batches: string[][] = [];
  for (const name of names) {
    if (!likelyOk(name)) single.push(name);
    else if (batches.length === 0 || batches[batches.length - 1].length >= batch) batches.push([name]);
    else batches[batches.length - 1].push(name);
  }
  const tasks: (() => Promise<void>)[] = [];
  for (const group of batches) {
    tasks.push(async () => {
      const { status } = await run(cwd, group);
      if (status === 0) for (const name of group) results.set(name, { ok: true });
      else single.push(...group);
    });
  }
  await pool(tasks, 2);
  const singles = await pool(single.map((name) => () => luacFile(cwd, name)), 2);
  single.forEach((name, i) => results.set(name, singles[i]));
  return results;
}
