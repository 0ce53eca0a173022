// `npm run bench:vm`: what users run, beside other Lua engines, on the same programs in one run.
// Each program runs
//   - raw:     our `LuaState`, no limits (the interpreter alone; compiled once and shared by the runs, as a sandbox shares it),
//   - sandbox: `Sandbox.run` under a contract whose limits are on (instructions, time, memory, call
//              depth) but generous enough not to trip: what a host embedding the engine pays,
//   - cli:     `sandlua run --json` (the CLI bundle, server/dist/sandlua.js), a process per run,
//              timed from outside: start-up included, as a user or a hook sees it,
// beside `lua5.3` (a subprocess, timed inside with os.clock), fengari (Lua 5.3 in JS) and wasmoon
// (PUC Lua 5.4 in WebAssembly), both the npm packages. Prints milliseconds, each runner's ratio to
// lua5.3, the sandbox's accounting overhead (sandbox / raw), our instructions per second and the
// bytes held (the peak the sandbox measured), then geometric means. Raw, sandbox, fengari and
// wasmoon run in a child process of their own for each program (see RUNNERS). Each program computes a
// checksum and every engine must print the same one. Asserts nothing (machines here are noisy).
//
//   node bench/vm.mjs [--quick] [--runs N] [--only name,name] [--no-cli] [--no-fengari] [--no-wasmoon] [--no-lua]
//
// --quick runs smaller programs once each (raw and sandbox twice), in under a minute; the full run
// takes the best of 3. `SANDLUA_TIER=off node bench/vm.mjs` measures the interpreter's loop without
// the second tier, for comparison.
import { createRequire } from 'module';
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, dirname } from 'path';
import { fileURLToPath } from 'url';
import { performance } from 'perf_hooks';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { LuaState } = require(join(root, 'lua/out/vm/state.js'));
const { Sandbox, parseManifest } = require(join(root, 'lua/out/index.js'));

const args = process.argv.slice(2);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const QUICK = args.includes('--quick');
const RUNS = Number(option('--runs') ?? (QUICK ? 1 : 3));
// The engines that V8 compiles as they run (ours, and wasmoon's WebAssembly) are measured at least
// five times in their fresh process: the first runs of a program are mostly V8 compiling the
// interpreter's and the translations' code (fib under the sandbox: 180, 140, 125, then 75 ms), not
// what a long-lived host sees. fengari, 10-40x slower, gets the runs asked for (3).
const OURS = Math.max(RUNS, QUICK ? 2 : 5);
const ONLY = option('--only')?.split(',');
const optional = (name) => { try { return require(name); } catch { return undefined; } };

// Each program sets `result` (a string or number) as its checksum. `size(full, quick)` picks the
// problem size for the run.
const size = (full, quick) => (QUICK ? quick : full);
const PROGRAMS = {
  fib: `
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
result = fib(${size(30, 25)})`,

  binary_trees: `
local function bottomUp(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return {bottomUp(depth), bottomUp(depth)}
end
local function check(tree)
  if tree[1] then return 1 + check(tree[1]) + check(tree[2]) end
  return 1
end
local N = ${size(14, 11)}
local maxdepth = N
local total = check(bottomUp(maxdepth + 1))
local long = bottomUp(maxdepth)
for depth = 4, maxdepth, 2 do
  local iters = 1 << (maxdepth - depth + 4)
  local c = 0
  for _ = 1, iters do c = c + check(bottomUp(depth)) end
  total = total + c
end
result = total + check(long)`,

  n_body: `
local sqrt = math.sqrt
local PI = math.pi
local SOLAR_MASS = 4 * PI * PI
local DAYS = 365.24
local bodies = {
  {x = 0, y = 0, z = 0, vx = 0, vy = 0, vz = 0, mass = SOLAR_MASS},
  {x = 4.84143144246472090e+00, y = -1.16032004402742839e+00, z = -1.03622044471123109e-01,
   vx = 1.66007664274403694e-03 * DAYS, vy = 7.69901118419740425e-03 * DAYS, vz = -6.90460016972063023e-05 * DAYS,
   mass = 9.54791938424326609e-04 * SOLAR_MASS},
  {x = 8.34336671824457987e+00, y = 4.12479856412430479e+00, z = -4.03523417114321381e-01,
   vx = -2.76742510726862411e-03 * DAYS, vy = 4.99852801234917238e-03 * DAYS, vz = 2.30417297573763929e-05 * DAYS,
   mass = 2.85885980666130812e-04 * SOLAR_MASS},
  {x = 1.28943695621391310e+01, y = -1.51111514016986312e+01, z = -2.23307578892655734e-01,
   vx = 2.96460137564761618e-03 * DAYS, vy = 2.37847173959480950e-03 * DAYS, vz = -2.96589568540237556e-05 * DAYS,
   mass = 4.36624404335156298e-05 * SOLAR_MASS},
  {x = 1.53796971148509165e+01, y = -2.59193146099879641e+01, z = 1.79258772950371181e-01,
   vx = 2.68067772490389322e-03 * DAYS, vy = 1.62824170038242295e-03 * DAYS, vz = -9.51592254519715870e-05 * DAYS,
   mass = 5.15138902046611451e-05 * SOLAR_MASS},
}
local function advance(bodies, nbody, dt)
  for i = 1, nbody do
    local bi = bodies[i]
    local bix, biy, biz, bimass = bi.x, bi.y, bi.z, bi.mass
    local bivx, bivy, bivz = bi.vx, bi.vy, bi.vz
    for j = i + 1, nbody do
      local bj = bodies[j]
      local dx, dy, dz = bix - bj.x, biy - bj.y, biz - bj.z
      local d2 = dx * dx + dy * dy + dz * dz
      local mag = sqrt(d2)
      mag = dt / (mag * d2)
      local bm = bj.mass * mag
      bivx = bivx - (dx * bm); bivy = bivy - (dy * bm); bivz = bivz - (dz * bm)
      bm = bimass * mag
      bj.vx = bj.vx + (dx * bm); bj.vy = bj.vy + (dy * bm); bj.vz = bj.vz + (dz * bm)
    end
    bi.vx = bivx; bi.vy = bivy; bi.vz = bivz
    bi.x = bix + dt * bivx; bi.y = biy + dt * bivy; bi.z = biz + dt * bivz
  end
end
local function energy(bodies, nbody)
  local e = 0
  for i = 1, nbody do
    local bi = bodies[i]
    local vx, vy, vz, bim = bi.vx, bi.vy, bi.vz, bi.mass
    e = e + (0.5 * bim * (vx * vx + vy * vy + vz * vz))
    for j = i + 1, nbody do
      local bj = bodies[j]
      local dx, dy, dz = bi.x - bj.x, bi.y - bj.y, bi.z - bj.z
      e = e - ((bim * bj.mass) / sqrt(dx * dx + dy * dy + dz * dz))
    end
  end
  return e
end
local px, py, pz = 0, 0, 0
for i = 1, #bodies do
  local b = bodies[i]
  px = px + b.vx * b.mass; py = py + b.vy * b.mass; pz = pz + b.vz * b.mass
end
bodies[1].vx = -px / SOLAR_MASS; bodies[1].vy = -py / SOLAR_MASS; bodies[1].vz = -pz / SOLAR_MASS
local nbody = #bodies
local before = energy(bodies, nbody)
for _ = 1, ${size(200000, 25000)} do advance(bodies, nbody, 0.01) end
result = string.format("%0.9f %0.9f", before, energy(bodies, nbody))`,

  spectral_norm: `
local function A(i, j)
  local ij = i + j - 1
  return 1.0 / (ij * (ij - 1) * 0.5 + i)
end
local function Av(x, y, N)
  for i = 1, N do
    local a = 0
    for j = 1, N do a = a + x[j] * A(i, j) end
    y[i] = a
  end
end
local function Atv(x, y, N)
  for i = 1, N do
    local a = 0
    for j = 1, N do a = a + x[j] * A(j, i) end
    y[i] = a
  end
end
local function AtAv(x, y, t, N) Av(x, t, N); Atv(t, y, N) end
local N = ${size(300, 100)}
local u, v, t = {}, {}, {}
for i = 1, N do u[i] = 1 end
for i = 1, 10 do AtAv(u, v, t, N) AtAv(v, u, t, N) end
local vBv, vv = 0, 0
for i = 1, N do
  local ui, vi = u[i], v[i]
  vBv = vBv + ui * vi; vv = vv + vi * vi
end
result = string.format("%0.9f", math.sqrt(vBv / vv))`,

  strings: `
local parts = {}
for i = 1, ${size(100000, 20000)} do parts[#parts + 1] = "item" .. i end
local s = table.concat(parts, ",")
local count = 0
local replaced = s:gsub("item(%d+)", function(d) count = count + 1 return d end)
local upper = 0
for word in s:gmatch("[^,]+") do if #word > 8 then upper = upper + 1 end end
local built = ""
for i = 1, ${size(20000, 5000)} do built = built .. string.char(65 + i % 26) end
result = #replaced + count + upper + #built + #s:rep(3):upper()`,

  tables: `
local t = {}
local seed = 42
for i = 1, ${size(200000, 8000)} do
  seed = (seed * 1103515245 + 12345) % 2147483648
  table.insert(t, seed)
end
table.sort(t)
local ok = true
for i = 2, #t do if t[i - 1] > t[i] then ok = false end end
local removed = 0
for i = 1, 1000 do table.remove(t, 1) removed = removed + 1 end
local words = {}
for i = 1, ${size(50000, 3000)} do words[i] = tostring((i * 7919) % 50000) end
table.sort(words, function(a, b) return a > b end)
local map = {}
for i = 1, ${size(100000, 5000)} do map["k" .. (i % 5000)] = (map["k" .. (i % 5000)] or 0) + 1 end
local n = 0
for k, v in pairs(map) do n = n + v end
result = tostring(ok) .. " " .. #t .. " " .. removed .. " " .. words[1] .. " " .. n`,

  closures_methods: `
local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({x = x, y = y}, Point) end
function Point:add(o) return Point.new(self.x + o.x, self.y + o.y) end
function Point:len2() return self.x * self.x + self.y * self.y end
local acc = Point.new(0, 0)
local step = Point.new(1, 2)
for i = 1, ${size(300000, 50000)} do acc = acc:add(step) end
local function counter()
  local c = 0
  return function(n) c = c + n return c end
end
local total = 0
for i = 1, ${size(2000, 300)} do
  local f = counter()
  for j = 1, 100 do total = f(j) + total end
end
local function compose(f, g) return function(x) return f(g(x)) end end
local inc = function(x) return x + 1 end
local h = compose(inc, compose(inc, inc))
local s = 0
for i = 1, ${size(300000, 50000)} do s = s + h(i) end
result = acc:len2() + total + s`,
};

/** The limits every sandboxed run has on: generous enough not to trip on these programs. */
const LIMITS = { instructions: 1e11, timeMs: 600_000, memoryBytes: 256 * 1024 * 1024, callDepth: 1000, outputBytes: 1024 * 1024 };
const CONTRACT = { name: 'bench-vm', scripts: ['*.lua'], limits: LIMITS };

/** A chunk that runs the program and returns its checksum as a string. */
const chunk = (name, body) => `-- bench ${name}\ndo ${body}\nend\nreturn tostring(result)\n`;

function ourCompiler() {
  const compilerPath = join(root, 'lua/out/compiler/compile.js');
  if (existsSync(compilerPath)) {
    const mod = require(compilerPath);
    if (mod.luaCompiler) return { name: 'our compiler', compile: mod.luaCompiler };
  }
  const { luacCompiler } = require(join(root, 'lua/out/vm/luac.js'));
  return { name: 'luac5.3 + undump', compile: luacCompiler };
}
const compiler = ourCompiler();

function runLua(name, body) {
  const source = `-- bench ${name}\nlocal __t0 = os.clock()\ndo ${body}\nend\nlocal __t1 = os.clock()\nprint(tostring(result))\nprint(__t1 - __t0)\n`;
  const r = spawnSync('lua5.3', ['-'], { input: source, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lua5.3 failed on ${name}: ${r.stderr}`);
  const [out, secs] = r.stdout.trim().split('\n');
  return { out, ms: Number(secs) * 1000 };
}

// A sandbox shares compiled prototypes between its runs of the same script (its compile cache), and
// with them their translations (the second tier's JavaScript, which V8 has optimized by the next
// run). The raw runs share them too, so that sandbox / raw is the accounting alone.
const rawProtos = new Map();
function compileOnce(text, chunkName, charge) {
  const key = `${chunkName}\0${text}`;
  let proto = rawProtos.get(key);
  if (proto === undefined) {
    proto = compiler.compile(text, chunkName, charge);
    rawProtos.set(key, proto);
  }
  return proto;
}

function runRaw(name, body) {
  const state = new LuaState({ compile: compileOnce, print: () => {} });
  const fn = state.load(chunk(name, body), `=${name}`);
  if (typeof fn === 'string') throw new Error(`compile failed on ${name}: ${fn}`);
  const t0 = performance.now();
  const [out] = state.call(fn, []);
  return { out, ms: performance.now() - t0, instructions: state.vm.instructions };
}

const contract = (() => {
  const parsed = parseManifest(JSON.stringify(CONTRACT), join(root, 'bench/sandlua.json'));
  if (!parsed.manifest) throw new Error(JSON.stringify(parsed.problems));
  return parsed.manifest;
})();

async function runSandbox(name, body) {
  const sandbox = new Sandbox({ manifest: contract });
  const t0 = performance.now();
  const result = await sandbox.run(chunk(name, body), null, { name: `${name}.lua` });
  const ms = performance.now() - t0;
  if (!result.ok) throw new Error(`the sandbox failed on ${name}: ${result.error.kind}: ${result.error.message.slice(0, 300)}`);
  return { out: result.output, ms, instructions: result.stats.instructions, bytes: result.stats.memoryBytes };
}

const cliPath = join(root, 'server/dist/sandlua.js');
let cliFolder;
function runCli(name, body) {
  cliFolder ??= mkdtempSync(join(tmpdir(), 'sandlua-bench-'));
  writeFileSync(join(cliFolder, 'sandlua.json'), JSON.stringify(CONTRACT));
  const script = join(cliFolder, `${name}.lua`);
  writeFileSync(script, chunk(name, body));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cliPath, 'run', '--json', script], { cwd: cliFolder, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  let result;
  try { result = JSON.parse(r.stdout); } catch { throw new Error(`sandlua run failed on ${name}: ${r.stderr || r.stdout}`); }
  if (!result.ok) throw new Error(`sandlua run failed on ${name}: ${JSON.stringify(result.error).slice(0, 300)}`);
  return { out: result.output, ms };
}

const fengari = optional('fengari');
function runFengari(name, body) {
  const { lua, lauxlib, lualib, to_luastring } = fengari;
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  if (lauxlib.luaL_loadbuffer(L, to_luastring(chunk(name, body)), null, to_luastring(name)) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1));
  const t0 = performance.now();
  const status = lua.lua_pcall(L, 0, 1, 0);
  const ms = performance.now() - t0;
  if (status !== lua.LUA_OK) throw new Error(`fengari failed on ${name}: ${lua.lua_tojsstring(L, -1)}`);
  return { out: lua.lua_tojsstring(L, -1), ms };
}

const wasmoon = optional('wasmoon');
let wasmoonFactory;
async function runWasmoon(name, body) {
  wasmoonFactory ??= new wasmoon.LuaFactory();
  const engine = await wasmoonFactory.createEngine();
  try {
    // Loaded first (compiling is not timed), then called.
    const fn = await engine.doString(`return load(${JSON.stringify(chunk(name, body))})`);
    const t0 = performance.now();
    const out = fn();
    return { out: String(out), ms: performance.now() - t0 };
  } finally {
    engine.global.close();
  }
}

async function best(run, name, body, runs) {
  let result;
  for (let i = 0; i < runs; i++) {
    const r = await run(name, body);
    if (result === undefined || r.ms < result.ms) result = r;
  }
  return result;
}

const geo = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const has = (flag, available) => !args.includes(flag) && available;
// The runners inside this process (`inside`) each run in a child process of their own, one per
// program: a JavaScript engine's run leaves garbage, a grown heap and V8's feedback behind, and
// the next one in the same process paid for them (the sandbox's binary_trees measured 1.49x the
// raw run after fengari's in one process, 0.9-1.2x in processes of their own). Hosts run one engine.
const RUNNERS = [
  { name: 'lua5.3', run: runLua, on: has('--no-lua', spawnSync('lua5.3', ['-v']).status === 0) },
  { name: 'raw', run: runRaw, on: true, inside: true, ours: true, runs: OURS },
  { name: 'sandbox', run: runSandbox, on: true, inside: true, ours: true, runs: OURS },
  { name: 'cli', run: runCli, on: has('--no-cli', existsSync(cliPath)) },
  { name: 'fengari', run: runFengari, on: has('--no-fengari', fengari !== undefined), inside: true },
  { name: 'wasmoon', run: runWasmoon, on: has('--no-wasmoon', wasmoon !== undefined), inside: true, runs: OURS },
].filter((r) => r.on);

// A child: `--child RUNNER --only NAME` runs one program under one runner and prints the best run as JSON.
const CHILD = option('--child');
if (CHILD !== undefined) {
  const runner = RUNNERS.find((r) => r.name === CHILD);
  const [name] = ONLY;
  let out;
  try {
    out = await best(runner.run, name, PROGRAMS[name], runner.runs ?? RUNS);
  } catch (e) {
    out = { error: e.message.split('\n')[0] };
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}

/** A runner inside a child process of its own (see RUNNERS), with this run's options. */
function inChild(runner, name) {
  const passed = [...(QUICK ? ['--quick'] : []), ...(option('--runs') !== undefined ? ['--runs', option('--runs')] : [])];
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...passed, '--child', runner.name, '--only', name], { encoding: 'utf8', maxBuffer: 1 << 26 });
  let out;
  try { out = JSON.parse(r.stdout); } catch { throw new Error(`${runner.name}'s process failed on ${name} (status ${r.status}, ${r.signal ?? 'no signal'}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`); }
  if (out.error) throw new Error(out.error);
  return out;
}
const hasLua = RUNNERS[0].name === 'lua5.3';

const cell = (text, width = 9) => String(text).padStart(width);
console.log(`VM benchmark${QUICK ? ' (quick: smaller programs)' : ''}, best of ${RUNS} (raw, sandbox and wasmoon: ${OURS}), each in-process engine in a process of its own per program (raw and sandbox: two each, taking turns); our engine compiles with ${compiler.name}`);
console.log(`sandbox and cli limits: ${JSON.stringify(LIMITS)}`);
// Our engine's second tier (lua/src/vm/tier.ts) translates hot functions; SANDLUA_TIER=off runs the
// interpreter's loop alone (also in the cli's processes, which inherit the variable).
const tier = process.env.SANDLUA_TIER;
console.log(`second tier: ${tier === 'off' ? 'off (SANDLUA_TIER=off)' : tier === 'eager' ? 'every function translated on entry (SANDLUA_TIER=eager)' : `on (hot functions translated after ${tier ?? 1000} entries or loops)`}`);
console.log(`times in ms; (x) = ratio to lua5.3; acct = sandbox / raw (the sandbox's accounting); Minstr/s and bytes held under the sandbox (held: the most its memory measures found; they are few far below the limit)`);
console.log('program'.padEnd(17) + RUNNERS.map((r) => cell(r.name) + (hasLua && r.name !== 'lua5.3' ? cell('(x)', 7) : '')).join('') + cell('acct', 7) + cell('Minstr/s', 10) + cell('held', 11));
const ratios = new Map(RUNNERS.map((r) => [r.name, []]));
const overheads = [];
for (const [name, body] of Object.entries(PROGRAMS)) {
  if (ONLY && !ONLY.includes(name)) continue;
  const results = new Map();
  // Raw and sandbox take turns, each in two processes, so that the machine's drift reaches both.
  const turns = RUNNERS.filter((r) => !r.ours);
  for (let round = 0; round < 2; round++) turns.push(...RUNNERS.filter((r) => r.ours));
  for (const runner of turns) {
    try {
      const r = runner.inside ? inChild(runner, name) : await best(runner.run, name, body, RUNS);
      const previous = results.get(runner.name);
      if (previous === undefined || r.ms < previous.ms) results.set(runner.name, r);
    } catch (e) {
      console.log(`  ! ${runner.name} on ${name}: ${e.message.split('\n')[0]}`);
    }
  }
  const raw = results.get('raw');
  for (const [label, r] of results) {
    if (raw && r.out !== raw.out) console.log(`  ! ${name}: ${label} printed ${r.out}, raw ${raw.out}`);
  }
  const ref = results.get('lua5.3');
  let line = name.padEnd(17);
  for (const runner of RUNNERS) {
    const r = results.get(runner.name);
    line += cell(r ? r.ms.toFixed(0) : '-');
    if (hasLua && runner.name !== 'lua5.3') {
      const ratio = r && ref ? r.ms / ref.ms : undefined;
      if (ratio !== undefined) ratios.get(runner.name).push(ratio);
      line += cell(ratio !== undefined ? ratio.toFixed(2) : '-', 7);
    }
  }
  const sandboxed = results.get('sandbox');
  const acct = sandboxed && raw ? sandboxed.ms / raw.ms : undefined;
  if (acct !== undefined) overheads.push(acct);
  line += cell(acct !== undefined ? acct.toFixed(2) : '-', 7);
  line += cell(sandboxed ? (sandboxed.instructions / sandboxed.ms / 1000).toFixed(0) : '-', 10);
  line += cell(sandboxed ? sandboxed.bytes : '-', 11);
  console.log(line);
}
if (hasLua) {
  console.log('geometric mean, ratio to lua5.3: ' + RUNNERS.slice(1).filter((r) => ratios.get(r.name).length).map((r) => `${r.name} ${geo(ratios.get(r.name)).toFixed(2)}x`).join(', '));
}
const means = Object.fromEntries(RUNNERS.map((r) => [r.name, ratios.get(r.name)]));
for (const peer of ['wasmoon', 'fengari']) {
  if (means.sandbox?.length && means[peer]?.length === means.sandbox.length) {
    console.log(`geometric mean sandbox / ${peer}: ${(geo(means.sandbox) / geo(means[peer])).toFixed(2)}x`);
  }
}
if (overheads.length) console.log(`accounting overhead (sandbox / raw): geometric mean ${geo(overheads).toFixed(2)}x, worst ${Math.max(...overheads).toFixed(2)}x (target: at most 1.20x on every program)`);
if (cliFolder) rmSync(cliFolder, { recursive: true, force: true });
