// `node scripts/conformance.mjs TESTES_DIR [--raw] [file.lua ...]`: runs files of the official Lua
// 5.3 test suite (the `testes/` folder of the 5.3.6 release; it is not part of this repository),
// each in its own process with a time limit, and prints one line per file (passed, or what stopped
// it), then a total. Build first (`npm run build`).
//
// By default the files run the way users run scripts: `sandlua run` under a contract that grants
// the whole standard library. As the suite's own driver (all.lua) does, a small script sets the
// switches for a portable, soft run (`_port = true`, `_soft = true`) and runs the file with
// `dofile` — which, in the sandbox, reads only files the contract declares: the test file is
// declared, read only. Each run happens in a scratch folder holding a copy of the file, the driver
// and the contract.
//
// With `--raw`, the files run on the bare engine (a LuaState with the disk as its file system):
// what the interpreter does, apart from the sandbox.
import { spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join, dirname, resolve } from 'path';
import { fileURLToPath } from 'url';
import { createRequire } from 'module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'server/dist/sandlua.js');
const TIME_LIMIT_MS = Number(process.env.TIME_LIMIT_MS ?? 300000);

/** Files that are not run, with the reason (run them by naming them). */
const NOT_RUN = {
  'all.lua': 'the driver that runs the other files; each file is run here instead, as it does',
};

/**
 * Files that cannot pass through a sandbox, by design, with the reason; they are run and reported
 * (they pass with --raw).
 */
const SANDBOX_EXCEPTIONS = {
  'files.lua': 'reads PATH (a sandbox sees only the variables its host passes) and opens undeclared paths (a non-existent file, /a/b/c/d) to see io fail: under a contract that is `forbidden`, which ends the run',
  'coroutine.lua': 'resumes coroutines until "C stack overflow" and reads the error coroutine.resume returns, while in a sandbox that limit ends the run (no pcall or resume catches a limit)',
  'errors.lua': 'checks that a chain of resumes ends in "C stack overflow" that coroutine.resume returns, while in a sandbox that limit ends the run (no pcall or resume catches a limit)',
  'heavy.lua': 'catches "not enough memory" with pcall and goes on, while in a sandbox the memory limit ends the run (not part of all.lua either)',
};

/** The script `sandlua run` runs: it sets the switches and runs the test file, as all.lua does. */
const DRIVER = 'driver.lua';

// Everything the default policy denies, granted back; limits at their maximum (the suite measures
// the interpreter, not the limits).
const contract = {
  name: 'lua-5.3-test-suite',
  scripts: [DRIVER],
  stdlib: { allow: ['io', 'os', 'require', 'package', 'load', 'loadfile', 'dofile', 'debug', 'string.dump', 'collectgarbage'] },
  limits: { instructions: 1_000_000_000_000, timeMs: 3_600_000, memoryBytes: 4 * 1024 * 1024 * 1024, callDepth: 200_000, outputBytes: 64 * 1024 * 1024, fileBytes: 1024 * 1024 * 1024 },
};

if (process.argv[2] === '--child') {
  // --raw: one file on the bare engine, in this process.
  const require = createRequire(import.meta.url);
  const { LuaState } = require(join(root, 'lua/out/vm/state.js'));
  const { LuaError } = require(join(root, 'lua/out/vm/value.js'));
  const file = process.argv[3];
  process.chdir(dirname(file));
  const state = new LuaState();
  state.globals.setStr('_port', true);
  state.globals.setStr('_soft', true);
  try {
    const fn = state.load(readFileSync(file, 'latin1').replace(/^#[^\n]*/, ''), '@' + basename(file));
    if (typeof fn === 'string') throw new LuaError(fn);
    state.call(fn, []);
    process.stdout.write('\nCONFORMANCE: passed\n');
  } catch (e) {
    const message = e instanceof LuaError ? (typeof e.value === 'string' ? e.value : `(error object: ${state.vm.tostring(e.value)})`) : String(e && e.stack || e);
    process.stdout.write(`\nCONFORMANCE: failed: ${message.split('\n')[0]}\n`);
  }
  process.exit(0);
}

const args = process.argv.slice(2);
const raw = args.includes('--raw');
const [dirArg, ...only] = args.filter((a) => a !== '--raw');
const dir = resolve(dirArg ?? '');
const files = (only.length > 0 ? only : readdirSync(dir).filter((f) => f.endsWith('.lua')).sort()).map((f) => join(dir, basename(f)));

/** Runs a file on the bare engine in a child process: the verdict. */
function runRaw(file) {
  const child = spawnSync(process.execPath, ['--stack-size=4000', fileURLToPath(import.meta.url), '--child', file], { encoding: 'latin1', timeout: TIME_LIMIT_MS, maxBuffer: 1 << 28 });
  return /CONFORMANCE: (.*)\n/.exec(child.stdout ?? '')?.[1]
    ?? (child.error ? `failed: ${child.error.code === 'ETIMEDOUT' ? 'time limit' : child.error.message}` : `failed: crashed (${(child.stderr ?? '').trim().split('\n').slice(-1)[0]})`);
}

/** Runs a file through `sandlua run` from a scratch folder: the verdict. */
function runSandboxed(file) {
  const name = basename(file);
  const scratch = mkdtempSync(join(tmpdir(), 'sandlua-testes-'));
  try {
    writeFileSync(join(scratch, 'sandlua.json'), JSON.stringify({ ...contract, files: { [name]: 'read' } }, null, 2));
    writeFileSync(join(scratch, name), readFileSync(file));
    writeFileSync(join(scratch, DRIVER), `_port = true\n_soft = true\ndofile(${JSON.stringify(name)})\n`);
    const child = spawnSync(process.execPath, [cli, 'run', DRIVER, '--json'], { cwd: scratch, encoding: 'utf8', timeout: TIME_LIMIT_MS, maxBuffer: 1 << 28 });
    if (child.error) return `failed: ${child.error.code === 'ETIMEDOUT' ? 'time limit' : child.error.message}`;
    let result;
    try {
      result = JSON.parse(child.stdout);
    } catch {
      return `failed: crashed (${(child.stderr ?? '').trim().split('\n').slice(-1)[0]})`;
    }
    return result.ok ? 'passed' : `failed: ${result.error.kind}: ${String(result.error.message).split('\n')[0]}`;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

let passed = 0;
let run = 0;
for (const file of files) {
  const name = basename(file);
  if (NOT_RUN[name] !== undefined && only.length === 0) {
    console.log(`${name.padEnd(16)}      -    not run: ${NOT_RUN[name]}`);
    continue;
  }
  run++;
  const t0 = Date.now();
  const verdict = raw ? runRaw(file) : runSandboxed(file);
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (verdict === 'passed') passed++;
  const note = !raw && verdict !== 'passed' && SANDBOX_EXCEPTIONS[name] !== undefined ? `\n${''.padEnd(27)}(expected: ${SANDBOX_EXCEPTIONS[name]})` : '';
  console.log(`${name.padEnd(16)} ${seconds.padStart(6)} s  ${verdict}${note}`);
}
console.log(`\n${passed}/${run} files passed ${raw ? 'on the bare engine' : 'through the sandbox (sandlua run)'}`);
