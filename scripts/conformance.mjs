// `node scripts/conformance.mjs TESTES_DIR [file.lua ...]`: runs files of the official Lua 5.3 test
// suite (the `testes/` folder of the 5.3.6 release; it is not part of this repository) on our engine,
// each in its own process with a time limit, with the suite's own flags for a portable, soft run
// (`_port = true`, `_soft = true`). Prints one line per file: passed, or the error that stopped it.
// Build first (`npx tsc -b`).
import { spawnSync } from 'child_process';
import { readdirSync, readFileSync } from 'fs';
import { basename, join, dirname, resolve } from 'path';
import { fileURLToPath } from 'url';
import { createRequire } from 'module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TIME_LIMIT_MS = Number(process.env.TIME_LIMIT_MS ?? 120000);

if (process.argv[2] === '--child') {
  const require = createRequire(import.meta.url);
  const { LuaState } = require(join(root, 'lua/out/vm/state.js'));
  const { LuaError } = require(join(root, 'lua/out/vm/value.js'));
  const file = process.argv[3];
  process.chdir(dirname(file));
  const state = new LuaState();
  state.globals.setStr('_port', true);
  state.globals.setStr('_soft', true);
  // require and package are the engine's own (Lua's searchers over the disk, from the file's
  // folder), and so are io and debug.
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

const dir = resolve(process.argv[2] ?? '');
const only = process.argv.slice(3);
const files = (only.length > 0 ? only : readdirSync(dir).filter((f) => f.endsWith('.lua')).sort()).map((f) => join(dir, basename(f)));
let passed = 0;
for (const file of files) {
  const t0 = Date.now();
  const run = spawnSync(process.execPath, ['--stack-size=4000', fileURLToPath(import.meta.url), '--child', file], { encoding: 'latin1', timeout: TIME_LIMIT_MS, maxBuffer: 1 << 28 });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const verdict = /CONFORMANCE: (.*)\n/.exec(run.stdout ?? '')?.[1]
    ?? (run.error ? `failed: ${run.error.code === 'ETIMEDOUT' ? 'time limit' : run.error.message}` : `failed: crashed (${(run.stderr ?? '').trim().split('\n').slice(-1)[0]})`);
  if (verdict === 'passed') passed++;
  console.log(`${basename(file).padEnd(16)} ${seconds.padStart(6)} s  ${verdict}`);
}
console.log(`\n${passed}/${files.length} files passed`);
