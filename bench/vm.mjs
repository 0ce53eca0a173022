// `node bench/vm.mjs` (after `npx tsc -b`): the VM beside PUC Lua 5.3 (`lua5.3`, a subprocess,
// timed inside with os.clock) and fengari (a JS Lua 5.3, the npm package) on the same programs, in
// one run. Prints seconds, ratios and geometric means; asserts nothing (machines here are noisy).
// Our engine compiles with our compiler when it is built, else with luac5.3 + undump; compiling
// is not timed. Each program prints a checksum, and the three engines must agree on it.
//
//   node bench/vm.mjs [--runs N] [--only name,name] [--no-fengari] [--no-lua]
import { createRequire } from 'module';
import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { join, dirname } from 'path';
import { fileURLToPath } from 'url';
import { performance } from 'perf_hooks';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { LuaState } = require(join(root, 'lua/out/vm/state.js'));

const args = process.argv.slice(2);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const RUNS = Number(option('--runs') ?? 3);
const ONLY = option('--only')?.split(',');

// Each program sets `result` (a string or number) as its checksum.
const PROGRAMS = {
  fib: `
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
result = fib(30)`,

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
local N = 14
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
for _ = 1, 200000 do advance(bodies, nbody, 0.01) end
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
local N = 300
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
for i = 1, 100000 do parts[#parts + 1] = "item" .. i end
local s = table.concat(parts, ",")
local count = 0
local replaced = s:gsub("item(%d+)", function(d) count = count + 1 return d end)
local upper = 0
for word in s:gmatch("[^,]+") do if #word > 8 then upper = upper + 1 end end
local built = ""
for i = 1, 20000 do built = built .. string.char(65 + i % 26) end
result = #replaced + count + upper + #built + #s:rep(3):upper()`,

  tables: `
local t = {}
local seed = 42
for i = 1, 200000 do
  seed = (seed * 1103515245 + 12345) % 2147483648
  table.insert(t, seed)
end
table.sort(t)
local ok = true
for i = 2, #t do if t[i - 1] > t[i] then ok = false end end
local removed = 0
for i = 1, 1000 do table.remove(t, 1) removed = removed + 1 end
local words = {}
for i = 1, 50000 do words[i] = tostring((i * 7919) % 50000) end
table.sort(words, function(a, b) return a > b end)
local map = {}
for i = 1, 100000 do map["k" .. (i % 5000)] = (map["k" .. (i % 5000)] or 0) + 1 end
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
for i = 1, 300000 do acc = acc:add(step) end
local function counter()
  local c = 0
  return function(n) c = c + n return c end
end
local total = 0
for i = 1, 2000 do
  local f = counter()
  for j = 1, 100 do total = f(j) + total end
end
local function compose(f, g) return function(x) return f(g(x)) end end
local inc = function(x) return x + 1 end
local h = compose(inc, compose(inc, inc))
local s = 0
for i = 1, 300000 do s = s + h(i) end
result = acc:len2() + total + s`,
};

function header(name) {
  return `-- bench ${name}\n`;
}

function luaSource(name, body) {
  return `${header(name)}local __t0 = os.clock()\ndo ${body}\nend\nlocal __t1 = os.clock()\nprint(tostring(result))\nprint(__t1 - __t0)\n`;
}

function runLua(name, body) {
  const r = spawnSync('lua5.3', ['-'], { input: luaSource(name, body), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lua5.3 failed on ${name}: ${r.stderr}`);
  const [out, secs] = r.stdout.trim().split('\n');
  return { out, secs: Number(secs) };
}

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

function runOurs(name, body) {
  const state = new LuaState({ compile: compiler.compile, print: () => {} });
  const fn = state.load(`${header(name)}do ${body}\nend\nreturn tostring(result)`, `=${name}`);
  if (typeof fn === 'string') throw new Error(`compile failed on ${name}: ${fn}`);
  const t0 = performance.now();
  const [out] = state.call(fn, []);
  const secs = (performance.now() - t0) / 1000;
  return { out, secs, instructions: state.vm.instructions };
}

let fengari;
try {
  fengari = require('fengari');
} catch {
  fengari = undefined;
}

function runFengari(name, body) {
  const { lua, lauxlib, lualib, to_luastring } = fengari;
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const src = to_luastring(`${header(name)}do ${body}\nend\nreturn tostring(result)`);
  if (lauxlib.luaL_loadbuffer(L, src, null, to_luastring(name)) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1));
  const t0 = performance.now();
  const status = lua.lua_pcall(L, 0, 1, 0);
  const secs = (performance.now() - t0) / 1000;
  if (status !== lua.LUA_OK) throw new Error(`fengari failed on ${name}: ${lua.lua_tojsstring(L, -1)}`);
  return { out: lua.lua_tojsstring(L, -1), secs };
}

function best(run, name, body) {
  let result;
  for (let i = 0; i < RUNS; i++) {
    const r = run(name, body);
    if (result === undefined || r.secs < result.secs) result = r;
  }
  return result;
}

const geo = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const hasLua = !args.includes('--no-lua') && spawnSync('lua5.3', ['-v']).status === 0;
const useFengari = !args.includes('--no-fengari') && fengari !== undefined;

console.log(`VM benchmark (best of ${RUNS}); our engine compiles with ${compiler.name}; times in seconds`);
console.log('program'.padEnd(18) + 'lua5.3'.padStart(9) + 'ours'.padStart(9) + 'fengari'.padStart(9) + '  ours/lua'.padStart(11) + '  ours/fengari'.padStart(15) + '  Minstr/s'.padStart(11));
const vsLua = [];
const vsFengari = [];
for (const [name, body] of Object.entries(PROGRAMS)) {
  if (ONLY && !ONLY.includes(name)) continue;
  const ours = best(runOurs, name, body);
  const ref = hasLua ? best(runLua, name, body) : undefined;
  const fen = useFengari ? best(runFengari, name, body) : undefined;
  for (const [label, other] of [['lua5.3', ref], ['fengari', fen]]) {
    if (other && other.out !== ours.out) console.log(`  ! ${name}: ${label} printed ${other.out}, ours ${ours.out}`);
  }
  if (ref) vsLua.push(ours.secs / ref.secs);
  if (fen) vsFengari.push(ours.secs / fen.secs);
  console.log(
    name.padEnd(18)
    + (ref ? ref.secs.toFixed(3) : '-').padStart(9)
    + ours.secs.toFixed(3).padStart(9)
    + (fen ? fen.secs.toFixed(3) : '-').padStart(9)
    + (ref ? (ours.secs / ref.secs).toFixed(2) + 'x' : '-').padStart(11)
    + (fen ? (ours.secs / fen.secs).toFixed(2) + 'x' : '-').padStart(15)
    + (ours.instructions / ours.secs / 1e6).toFixed(0).padStart(11),
  );
}
if (vsLua.length) console.log(`geometric mean ours/lua5.3: ${geo(vsLua).toFixed(2)}x (target: within 3x)`);
if (vsFengari.length) console.log(`geometric mean ours/fengari: ${geo(vsFengari).toFixed(2)}x (target: below 1x on every program)`);
