// `npm run bench:check`: `sandlua check` under a contract, beside luacheck (Debian's lua-check) on
// the same files in the same run. Prints seconds; asserts nothing. Each tree is checked with the
// default parallelism and with `--jobs 1..N` (N = the cores found): the default must never be the
// slowest. Trees: 1,000 generated scripts (2.3 MB; target under 3 s on two cores, less than
// luacheck takes), 4,000 (9 MB, where the default starts workers), and with `--corpus DIR` a tree
// of real-world Lua fetched beforehand (never committed). `--base DIR` also times the CLI built in
// DIR (another checkout, e.g. a `git worktree` of the previous release) on the first tree, rounds
// interleaved, so a change's cost is a ratio measured under the same load.
import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync, copyFileSync, readFileSync, rmSync, existsSync } from 'fs';
import { tmpdir, availableParallelism } from 'os';
import { join, dirname, resolve } from 'path';
import { fileURLToPath } from 'url';
import { performance } from 'perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(root, 'server/dist/sandlua.js');
const base = readFileSync(join(root, 'examples/invoice-normalizer/normalize.lua'), 'utf8');
const option = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};

function generated(count) {
  const tree = mkdtempSync(join(tmpdir(), 'sandlua-bench-check-'));
  copyFileSync(join(root, 'examples/invoice-normalizer/sandlua.json'), join(tree, 'sandlua.json'));
  for (let i = 0; i < count; i++) {
    // Each script a little different, some with findings, as a real tree would be.
    let text = base.replace('confidence = 0.6', `confidence = 0.${i % 10}`);
    if (i % 10 === 0) text = text.replace('local raw = input.vendor_name', 'local raw = input.vendr_name');
    writeFileSync(join(tree, `script${String(i).padStart(4, '0')}.lua`), text);
  }
  return tree;
}

function time(cwd, command, args) {
  let best = Infinity;
  let status;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    const run = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
    best = Math.min(best, performance.now() - t0);
    status = run.error ? run.error.message : run.status;
  }
  return { seconds: best / 1000, status };
}

const cores = availableParallelism();
const BASE = option('--base') ? join(option('--base'), 'server/dist/sandlua.js') : undefined;
const corpus = option('--corpus');
if (corpus && !existsSync(corpus)) throw new Error(`--corpus: no folder ${corpus}`);
const trees = [
  { name: '1,000 generated scripts', dir: generated(1000), temporary: true },
  { name: '4,000 generated scripts', dir: generated(4000), temporary: true },
  ...(corpus ? [{ name: `corpus ${corpus}`, dir: resolve(corpus), temporary: false }] : []),
];

console.log(`sandlua check under a contract (best of 3 rounds, ${cores} cores)\n`);
let first = true;
for (const tree of trees) {
  const check = (extra) => time(tree.dir, process.execPath, [CLI, 'check', '.', '--format', 'json', ...extra]);
  const ours = check([]);
  let baseRun;
  if (first && BASE) {
    baseRun = time(tree.dir, process.execPath, [BASE, 'check', '.', '--format', 'json']);
    const again = check([]);
    if (again.seconds < ours.seconds) ours.seconds = again.seconds;
  }
  const threads = Array.from({ length: cores }, (_, i) => ({ jobs: i + 1, ...check(['--jobs', String(i + 1)]) }));
  const theirs = time(tree.dir, 'luacheck', ['.', '--formatter', 'plain', '--codes', '--no-color', '-q']);
  const slowest = Math.max(ours.seconds, ...threads.map((t) => t.seconds));
  console.log(tree.name);
  console.log(`  sandlua check      ${ours.seconds.toFixed(2).padStart(6)} s   (exit ${ours.status}${first ? '; target < 3 s' : ''})${ours.seconds === slowest && threads.length > 0 ? '   ! the default is the slowest' : ''}`);
  if (baseRun) {
    console.log(`  base (${option('--base')})`.padEnd(21) + `${baseRun.seconds.toFixed(2).padStart(6)} s   (exit ${baseRun.status})`);
    console.log(`  vs base            ${(ours.seconds / baseRun.seconds).toFixed(2).padStart(6)}x of the base's time`);
  }
  for (const t of threads) console.log(`    --jobs ${t.jobs}`.padEnd(21) + `${t.seconds.toFixed(2).padStart(6)} s`);
  console.log(`  luacheck           ${theirs.seconds.toFixed(2).padStart(6)} s   (exit ${theirs.status})`);
  console.log(`  ratio              ${(ours.seconds / theirs.seconds).toFixed(2).padStart(6)}x of luacheck's time\n`);
  if (tree.temporary) rmSync(tree.dir, { recursive: true, force: true });
  first = false;
}
