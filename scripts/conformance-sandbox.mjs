// `node scripts/conformance-sandbox.mjs TESTES_DIR [file.lua ...]`: runs files of the official Lua
// 5.3 test suite (the `testes/` folder of the 5.3.6 release, not part of this repository) the way
// users run scripts: `sandlua run` under a contract that grants the whole standard library. As the
// suite's own driver (all.lua) does, a small script sets the switches for a portable, soft run
// (`_port = true`, `_soft = true`) and runs the file with `dofile` — which, in the sandbox, reads
// only files the contract declares: the test file is declared, read only. Each file runs in its own
// process with a time limit, from a scratch folder that holds a copy of it, the driver and the
// contract. Prints one line per file, then a total.
// Build first (`npm run build`).
import { spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join, dirname, resolve } from 'path';
import { fileURLToPath } from 'url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'server/dist/sandlua.js');
const TIME_LIMIT_MS = Number(process.env.TIME_LIMIT_MS ?? 300000);

/** Files the suite itself does not run as tests of the interpreter, with the reason. */
export const NOT_RUN = {
  'all.lua': 'the driver that runs the other files (with dofile from the disk); each file is run here instead',
};

/** The script `sandlua run` runs: it sets the switches and runs the test file, as all.lua does. */
const DRIVER = 'driver.lua';

// Everything the default policy denies, granted back; limits at their maximum (the suite measures
// the interpreter, not the limits).
const contract = {
  name: 'lua-5.3-test-suite',
  scripts: ['*.lua'],
  stdlib: { allow: ['io', 'os', 'require', 'package', 'load', 'loadfile', 'dofile', 'debug', 'string.dump', 'collectgarbage'] },
  limits: { instructions: 1_000_000_000_000, timeMs: 3_600_000, memoryBytes: 4 * 1024 * 1024 * 1024, callDepth: 200_000, outputBytes: 64 * 1024 * 1024, fileBytes: 1024 * 1024 * 1024 },
};

const dir = resolve(process.argv[2] ?? '');
const only = process.argv.slice(3);
const files = (only.length > 0 ? only : readdirSync(dir).filter((f) => f.endsWith('.lua')).sort()).map((f) => join(dir, basename(f)));
let passed = 0;
let run = 0;
for (const file of files) {
  const name = basename(file);
  if (NOT_RUN[name] !== undefined && only.length === 0) {
    console.log(`${name.padEnd(16)}      -    not run: ${NOT_RUN[name]}`);
    continue;
  }
  run++;
  const scratch = mkdtempSync(join(tmpdir(), 'sandlua-testes-'));
  try {
    writeFileSync(join(scratch, 'sandlua.json'), JSON.stringify({ ...contract, scripts: [DRIVER], files: { [name]: 'read' } }, null, 2));
    writeFileSync(join(scratch, name), readFileSync(file));
    writeFileSync(join(scratch, DRIVER), `_port = true\n_soft = true\ndofile(${JSON.stringify(name)})\n`);
    const t0 = Date.now();
    const child = spawnSync(process.execPath, [cli, 'run', DRIVER, '--json'], { cwd: scratch, encoding: 'utf8', timeout: TIME_LIMIT_MS, maxBuffer: 1 << 28 });
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    let verdict;
    if (child.error) verdict = `failed: ${child.error.code === 'ETIMEDOUT' ? 'time limit' : child.error.message}`;
    else {
      let result;
      try {
        result = JSON.parse(child.stdout);
      } catch {
        result = undefined;
      }
      if (result === undefined) verdict = `failed: crashed (${(child.stderr ?? '').trim().split('\n').slice(-1)[0]})`;
      else if (result.ok) verdict = 'passed';
      else verdict = `failed: ${result.error.kind}: ${String(result.error.message).split('\n')[0]}`;
    }
    if (verdict === 'passed') passed++;
    console.log(`${name.padEnd(16)} ${seconds.padStart(6)} s  ${verdict}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
console.log(`\n${passed}/${run} files passed through the sandbox`);
