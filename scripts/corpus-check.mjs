// `npm run corpus -- [options] PROJECT_DIR...`: the checker against real-world Lua. Every `.lua` file
// of each project is checked under a permissive contract and run under the reference interpreter,
// and a finding of error severity on a line that Lua 5.3 ran without error is a false positive.
// Build first (`npx tsc -b`). Prints a table; exits 1 when there is a false positive.
//
// The corpus is not part of the repository; fetch one yourself, for instance clones of Penlight,
// busted, luarocks, luacheck, Moses, lapis, inspect.lua and json.lua (rxi) into one folder, and the
// `testes/` folder of the Lua 5.3.6 release, then `npm run corpus -- /path/to/clones/* /path/to/testes`.
// Never commit one. With `--debian`, the corpus is the pure-Lua Debian packages named in
// scripts/corpus-debian.txt (installed by scripts/test.sh): their files under /usr/share/lua/5.3.
//
// Each argument is a project: its folder is the contract's folder. The contract (in memory, as if it
// were PROJECT_DIR/sandlua.json) grants the whole standard library, has no input or output schema
// and no host, declares as a module every `require`d name that resolves to a Lua file of the project
// (looked up as `D/a/b.lua` or `D/a/b/init.lua` in the project's folders, shallowest first) and
// declares every file a script opens by a literal relative path, read-write.
//
// Running: each file is run once by scripts/corpus-cover.lua under `lua5.3` (from the project's
// folder, standard input empty, a CPU-time cap): as `require(name)` when it is a declared module's
// file, else as `dofile(file)`. The runner records the lines each run executed and the lines an
// error passed through (caught or not); a line "ran without error" when some run executed it and
// no error of that run passed through it. Separately, `luac5.3 -p` compiles every file: a `syntax`
// error on a file it accepts is a false positive wherever it is.
//
// A few error findings are the contract's verdict by design, not a claim that Lua would fail, and
// are counted apart (BY_DESIGN below). Everything else — warnings, errors on lines that never ran
// or that failed — is counted, not judged.
//
// Options: --json (machine output), --list CODE (print every finding of that code), --cap SECONDS
// (per run, default 10), --debian, --no-run (check only; nothing is judged but syntax).

import { spawn, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { createRequire } from 'module';
import { tmpdir, availableParallelism } from 'os';
import { dirname, join, relative, resolve, sep } from 'path';
import { fileURLToPath } from 'url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const lua = require(join(root, 'lua/out/index.js'));
const RUNNER = join(root, 'scripts/corpus-cover.lua');
const DEBIAN_LUA = '/usr/share/lua/5.3';

/**
 * Error findings that are the contract's verdict by design on code Lua 5.3 runs, with why; each is
 * by design only under its condition (else it is judged like any other).
 */
const BY_DESIGN = {
  'global-write': {
    why: "a script may not replace a standard-library name (the sandbox's globals are shared); Lua allows it",
    when: (f) => /replaces a standard-library name/.test(f.message),
  },
  'unknown-module': {
    why: 'the module is no Lua file of the project (a C module or another package): a sandbox can only load declared Lua files',
    when: (f, project) => !project.resolvedModules.has(f.moduleName),
  },
  'ungranted-file': {
    why: "the path leaves the contract's folder (absolute, or through ..): no contract can grant it",
    when: (f) => /can never reach/.test(f.message),
  },
};

// ---- options ----------------------------------------------------------------------------------

function parseArgs(argv) {
  const options = { json: false, list: [], cap: 10, debian: false, run: true, dirs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') options.json = true;
    else if (a === '--list') options.list.push(argv[++i]);
    else if (a === '--cap') options.cap = Number(argv[++i]);
    else if (a === '--debian') options.debian = true;
    else if (a === '--no-run') options.run = false;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else options.dirs.push(resolve(a));
  }
  if (!options.debian && options.dirs.length === 0) throw new Error('usage: corpus-check.mjs [--json] [--list CODE] [--cap S] [--debian] [--no-run] PROJECT_DIR...');
  return options;
}

// ---- the corpus -------------------------------------------------------------------------------

const SKIPPED = new Set(['.git', 'node_modules', '.hg', '.svn']);

/** Every `.lua` file under a folder (symbolic links followed), sorted. */
function luaFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      if (SKIPPED.has(name)) continue;
      const p = join(d, name);
      let st;
      try { st = statSync(p); } catch { continue; }
      if (st.isDirectory()) walk(p);
      else if (name.endsWith('.lua') && st.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** The Debian packages of the fast form and their Lua files. */
function debianProject() {
  const packages = readFileSync(join(root, 'scripts/corpus-debian.txt'), 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  const files = new Set();
  for (const pkg of packages) {
    const r = spawnSync('dpkg', ['-L', pkg], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the Debian package ${pkg} is not installed (scripts/test.sh installs it)`);
    for (const f of r.stdout.split('\n')) if (f.startsWith(DEBIAN_LUA + '/') && f.endsWith('.lua') && existsSync(f)) files.add(f);
  }
  return { dir: DEBIAN_LUA, name: 'debian', files: [...files].sort(), packages };
}

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * Reads a project's files, resolves the modules they require and writes the permissive contract.
 */
function prepareProject(project) {
  const { dir } = project;
  const folders = new Set([dir]);
  for (const f of luaFiles(dir)) for (let d = dirname(f); d.startsWith(dir) && !folders.has(d); d = dirname(d)) folders.add(d);
  // Shallowest first, then by name: `lua/` before `spec/fixtures/lua/`.
  const searchDirs = [...folders].sort((a, b) => a.split(sep).length - b.split(sep).length || a.localeCompare(b));
  const requireNames = new Set();
  const filePaths = new Set();
  project.sources = new Map();
  for (const file of project.files) {
    const bytes = readFileSync(file);
    project.sources.set(file, bytes);
    const parsed = lua.parse(bytes, { name: file });
    const scope = lua.analyze(parsed.chunk);
    for (const use of lua.requireUses(scope)) requireNames.add(use.name);
    for (const use of lua.fileUses(scope)) if (use.normalized !== undefined) filePaths.add(use.normalized);
  }
  const modules = {};
  project.resolvedModules = new Map(); // name -> absolute file
  project.pathDirs = new Set();
  for (const name of [...requireNames].sort()) {
    if (!MODULE_NAME.test(name) || lua.LUA53_LIBRARIES[name] !== undefined || name === '_G') continue;
    const rel = name.split('.').join('/');
    for (const d of searchDirs) {
      const candidates = [`${rel}.lua`, `${rel}/init.lua`].map((c) => join(d, c));
      const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile());
      if (!hit) continue;
      project.resolvedModules.set(name, hit);
      project.pathDirs.add(d);
      modules[name] = relative(dir, hit).split(sep).join('/');
      break;
    }
  }
  // lua5.3 searches the same folders in the same order, so it loads the files the contract declares.
  project.pathDirs = searchDirs.filter((d) => project.pathDirs.has(d));
  const files = {};
  for (const p of [...filePaths].sort()) files[p] = 'read-write';
  const stdlib = { allow: ['io', 'os', 'require', 'package', 'load', 'loadfile', 'dofile', 'debug', 'string.dump', 'collectgarbage'] };
  const text = JSON.stringify({ name: `corpus-${project.name.replace(/[^A-Za-z0-9._-]/g, '-')}`.replace(/^corpus--/, 'corpus-'), stdlib, modules, files });
  const manifest = lua.parseManifest(text, join(dir, 'sandlua.json'));
  const problems = manifest.problems.filter((p) => p.severity === 'error');
  if (!manifest.manifest || problems.length > 0) throw new Error(`the permissive contract of ${dir} is broken: ${problems.map((p) => p.message).join('; ')}`);
  project.contract = manifest.manifest;
  project.moduleOfFile = new Map([...project.resolvedModules].map(([name, file]) => [file, name]).reverse());
}

// ---- checking ---------------------------------------------------------------------------------

function checkProject(project, record) {
  for (const file of project.files) {
    const analysis = lua.analyzeScript(project.sources.get(file), file, project.contract, { path: file });
    const lines = new lua.LineMap(analysis.parsed.source, { lua: true });
    for (const f of analysis.findings) {
      const pos = lines.positionAt(f.start);
      const finding = { file, line: pos.line + 1, column: pos.character + 1, severity: f.severity, code: f.code, message: f.message, project };
      if (f.code === 'unknown-module') finding.moduleName = /^module '([^']*)'/.exec(f.message)?.[1];
      record(finding);
    }
  }
}

// ---- running ----------------------------------------------------------------------------------

function runOne(job, cap, scratch) {
  return new Promise((resolveRun) => {
    const out = join(scratch, `run-${job.index}.json`);
    const packagePath = [...job.project.pathDirs].flatMap((d) => [join(d, '?.lua'), join(d, '?', 'init.lua')]).join(';');
    const [mode, target] = job.module ? ['require', job.module] : ['run', job.file];
    const env = { PATH: process.env.PATH, HOME: scratch, LANG: 'C', TMPDIR: scratch };
    const child = spawn('timeout', ['-k', '2', String(cap + 5), 'lua5.3', RUNNER, out, String(cap), packagePath, mode, target], {
      cwd: job.project.dir, env, stdio: ['ignore', 'ignore', 'ignore'],
    });
    child.on('close', (status) => {
      let report;
      try { report = JSON.parse(readFileSync(out, 'latin1')); } catch { report = { status: `killed (exit ${status})`, executed: {}, raised: {} }; }
      rmSync(out, { force: true });
      resolveRun(report);
    });
  });
}

async function runAll(projects, cap) {
  const jobs = [];
  for (const project of projects) {
    for (const file of project.files) jobs.push({ index: jobs.length, project, file, module: project.moduleOfFile.get(file) });
  }
  const scratch = mkdtempSync(join(tmpdir(), 'sandlua-corpus-'));
  const ranOk = new Map(); // absolute file -> Set of lines that ran without error
  const statuses = {};
  let executedLines = 0;
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const report = await runOne(job, cap, scratch);
      const status = report.status === 'error' ? 'error' : report.status;
      statuses[status] = (statuses[status] ?? 0) + 1;
      job.status = report.status;
      job.error = report.error;
      for (const [source, lines] of Object.entries(report.executed)) {
        const file = resolve(job.project.dir, source);
        const raised = new Set(report.raised[source] ?? []);
        let set = ranOk.get(file);
        if (!set) ranOk.set(file, (set = new Set()));
        for (const l of lines) if (!raised.has(l) && !set.has(l)) set.add(l);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));
  rmSync(scratch, { recursive: true, force: true });
  for (const set of ranOk.values()) executedLines += set.size;
  return { ranOk, statuses, runs: jobs.length, executedLines, jobs };
}

/** Files `luac5.3 -p` accepts. */
function compiles(files) {
  const ok = new Set();
  for (const f of files) if (spawnSync('luac5.3', ['-p', f], { stdio: 'ignore' }).status === 0) ok.add(f);
  return ok;
}

// ---- the verdict ------------------------------------------------------------------------------

export async function corpusCheck(options) {
  const projects = [];
  if (options.debian) projects.push(debianProject());
  for (const dir of options.dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`not a folder: ${dir}`);
    projects.push({ dir, name: dir.split(sep).pop(), files: luaFiles(dir) });
  }
  for (const p of projects) prepareProject(p);
  const allFiles = projects.flatMap((p) => p.files);
  const findings = [];
  const started = Date.now();
  for (const p of projects) checkProject(p, (f) => findings.push(f));
  const checkMs = Date.now() - started;
  const compiled = compiles(allFiles);
  const run = options.run ? await runAll(projects, options.cap) : { ranOk: new Map(), statuses: {}, runs: 0, executedLines: 0, jobs: [] };

  const counts = {}; // `${code} ${severity}` -> { total, ranOk }
  const falsePositives = [];
  const byDesign = [];
  const missedSyntax = [];
  const syntaxFiles = new Set();
  for (const f of findings) {
    const key = `${f.code}\t${f.severity}`;
    const c = (counts[key] ??= { code: f.code, severity: f.severity, total: 0, onLinesThatRan: 0 });
    c.total++;
    const ran = run.ranOk.get(f.file)?.has(f.line) ?? false;
    if (ran) c.onLinesThatRan++;
    if (f.code === 'syntax' && f.severity === 'error') syntaxFiles.add(f.file);
    if (f.severity !== 'error') continue;
    const acceptedByLuac = f.code === 'syntax' && compiled.has(f.file);
    if (!ran && !acceptedByLuac) continue;
    const design = BY_DESIGN[f.code];
    if (design && design.when(f, f.project)) byDesign.push(f);
    else falsePositives.push({ ...f, why: acceptedByLuac ? 'luac5.3 -p accepts the file' : 'lua5.3 ran this line without error' });
  }
  for (const file of allFiles) if (!compiled.has(file) && !syntaxFiles.has(file)) missedSyntax.push(file);

  const show = (f) => ({ file: f.file, line: f.line, column: f.column, severity: f.severity, code: f.code, message: f.message, ...(f.why ? { why: f.why } : {}) });
  return {
    projects: projects.map((p) => ({ dir: p.dir, files: p.files.length, modules: p.resolvedModules.size })),
    files: allFiles.length,
    compiled: compiled.size,
    checkMs,
    runs: run.runs,
    runStatuses: run.statuses,
    unfinished: run.jobs.filter((j) => !['ok', 'error', 'exit', 'time'].includes(j.status)).map((j) => ({ file: j.file, status: j.status })),
    filesWithLinesThatRan: [...run.ranOk.entries()].filter(([file, set]) => set.size > 0 && allFiles.includes(file)).length,
    linesThatRan: [...run.ranOk.entries()].filter(([file]) => allFiles.includes(file)).reduce((n, [, s]) => n + s.size, 0),
    counts: Object.values(counts).sort((a, b) => a.code.localeCompare(b.code) || a.severity.localeCompare(b.severity)),
    falsePositives: falsePositives.map(show),
    byDesign: byDesign.map((f) => ({ ...show(f), why: BY_DESIGN[f.code].why })),
    missedSyntax,
    listed: Object.fromEntries(options.list.map((code) => [code, findings.filter((f) => f.code === code).map(show)])),
  };
}

function printTable(r) {
  const p = (s = '') => process.stdout.write(s + '\n');
  p(`corpus: ${r.files} files in ${r.projects.length} projects (${r.projects.map((x) => `${x.dir}: ${x.files}`).join(', ')})`);
  p(`checked in ${r.checkMs} ms; luac5.3 -p accepts ${r.compiled} files`);
  p(`runs: ${r.runs} (${Object.entries(r.runStatuses).map(([s, n]) => `${s} ${n}`).join(', ')}); ${r.filesWithLinesThatRan} files with lines that ran without error, ${r.linesThatRan} such lines`);
  for (const u of r.unfinished) p(`  no report: ${u.file} (${u.status})`);
  p();
  p('code                 severity      total  on lines that ran');
  for (const c of r.counts) p(`${c.code.padEnd(20)} ${c.severity.padEnd(12)} ${String(c.total).padStart(6)}  ${String(c.onLinesThatRan).padStart(6)}`);
  p();
  const rel = (f) => (f.file.startsWith(process.cwd() + sep) ? relative(process.cwd(), f.file) : f.file);
  if (r.byDesign.length > 0) {
    p(`errors by design on lines that ran: ${r.byDesign.length}`);
    for (const f of r.byDesign) p(`  ${rel(f)}:${f.line}:${f.column} ${f.code} ${f.message.length > 160 ? f.message.slice(0, 160) + '…' : f.message}`);
    p();
  }
  if (r.missedSyntax.length > 0) {
    p(`files luac5.3 rejects without a syntax finding: ${r.missedSyntax.length}`);
    for (const f of r.missedSyntax) p(`  ${f}`);
    p();
  }
  for (const [code, list] of Object.entries(r.listed)) {
    p(`findings of ${code}: ${list.length}`);
    for (const f of list) p(`  ${rel(f)}:${f.line}:${f.column} ${f.severity} ${f.message}`);
    p();
  }
  p(`false positives: ${r.falsePositives.length}`);
  for (const f of r.falsePositives) p(`  ${rel(f)}:${f.line}:${f.column} ${f.code} ${f.message} (${f.why})`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let options;
  try { options = parseArgs(process.argv.slice(2)); } catch (e) { process.stderr.write(`${e.message}\n`); process.exit(2); }
  const result = await corpusCheck(options);
  if (options.json) process.stdout.write(JSON.stringify(result, null, 1) + '\n');
  else printTable(result);
  process.exit(result.falsePositives.length > 0 ? 1 : 0);
}
