// The standard-library policy: DESIGN.md's defaults, and how a contract's allow and deny lists
// combine with them. The runtime and the checker both ask this one object.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { DEFAULT_DENIED, StdlibPolicy, isStdlibGranted, stdlibPolicy } from './policy';
import { LUA53_LIBRARIES, LUA53_STDLIB, LUA53_STDLIB_NAMES, isStdlibName } from './stdlib-names';

describe('stdlib policy', () => {
  const defaults = StdlibPolicy.DEFAULT;

  it('denies by default what DESIGN.md lists', () => {
    for (const name of ['io.open', 'io.popen', 'io.write', 'os.execute', 'os.exit', 'os.getenv', 'os.remove', 'os.rename', 'os.tmpname', 'os.setlocale', 'require', 'package.loadlib', 'load', 'loadstring', 'loadfile', 'dofile', 'debug.getinfo', 'debug.sethook', 'string.dump', 'collectgarbage']) {
      assert.equal(defaults.isGranted(name), false, name);
    }
    for (const name of ['io', 'package', 'debug']) assert.equal(defaults.access(name), 'denied', name);
  });

  it('grants by default os.time, os.clock, os.date and os.difftime (the reading of "os.* except …")', () => {
    for (const name of ['os.time', 'os.clock', 'os.date', 'os.difftime']) assert.equal(defaults.isGranted(name), true, name);
    assert.equal(defaults.access('os'), 'partial');
    assert.equal(defaults.isGranted('os'), true, 'the os table exists, with those four fields');
  });

  it('grants the rest of the standard library by default', () => {
    for (const name of ['print', 'pairs', 'pcall', 'error', 'setmetatable', 'string.format', 'string.rep', 'table.concat', 'math.floor', 'utf8.char', 'coroutine.wrap', '_G', '_VERSION', 'math.pi']) {
      assert.equal(defaults.isGranted(name), true, name);
    }
    assert.equal(defaults.access('string'), 'partial', 'all but string.dump');
    assert.equal(defaults.access('math'), 'granted');
    assert.equal(defaults.access('string.format'), 'granted');
  });

  it('answers every standard name, and denies what is not standard', () => {
    const granted = defaults.grantedNames();
    for (const name of LUA53_STDLIB_NAMES) assert.equal(granted.includes(name), defaults.isGranted(name), name);
    assert.equal(defaults.isGranted('os.foo'), false, 'under a denied library');
    assert.equal(defaults.isGranted('string.foo'), true, 'under a granted library: nil at run time, not forbidden');
    assert.equal(defaults.isGranted('frobnicate'), false);
    assert.equal(defaults.isGranted('_G.io.open'), false, '_G. is stripped');
    assert.equal(defaults.isGranted('_ENV.print'), true);
    assert.equal(defaults.isGranted('io.stdout.write'), false, 'deeper paths follow their library');
  });

  it('lets stdlib.allow grant back, and the most specific contract entry win', () => {
    const policy = new StdlibPolicy({ allow: ['load', 'io', 'debug.traceback', 'os.*'], deny: ['os.execute'] });
    assert.equal(policy.isGranted('load'), true);
    assert.equal(policy.access('io'), 'granted');
    assert.equal(policy.isGranted('debug.traceback'), true);
    assert.equal(policy.isGranted('debug.getinfo'), false, 'the rest of debug stays denied');
    assert.equal(policy.access('debug'), 'partial');
    assert.equal(policy.isGranted('os.getenv'), true);
    assert.equal(policy.isGranted('os.execute'), false);
    assert.deepEqual(policy.explain('os.execute'), { granted: false, rule: 'os.execute', source: 'deny' });
    assert.deepEqual(policy.explain('os.getenv'), { granted: true, rule: 'os', source: 'allow' });
    assert.deepEqual(policy.explain('require'), { granted: false, rule: 'require', source: 'default' });
    assert.deepEqual(policy.explain('print'), { granted: true, source: 'standard' });
  });

  it('lets stdlib.deny take more away, including the default os.time', () => {
    const policy = new StdlibPolicy({ deny: ['string.rep', 'os', 'coroutine'] });
    assert.equal(policy.isGranted('string.rep'), false);
    assert.equal(policy.isGranted('string.format'), true);
    assert.equal(policy.isGranted('os.time'), false, 'a contract entry beats a default, however specific');
    assert.equal(policy.access('os'), 'denied');
    assert.equal(policy.access('coroutine'), 'denied');
    assert.deepEqual(new StdlibPolicy({ deny: ['os'], allow: ['os.clock'] }).grantedNames().filter((n) => n.startsWith('os')), ['os', 'os.clock']);
  });

  it('resolves allow and deny of the same entry to deny', () => {
    const policy = new StdlibPolicy({ allow: ['load'], deny: ['load'] });
    assert.equal(policy.isGranted('load'), false);
  });

  it('is one function for contracts, cached, with the defaults without one', () => {
    const contract = { stdlib: { allow: ['io.write'] } };
    assert.equal(stdlibPolicy(contract), stdlibPolicy(contract));
    assert.equal(isStdlibGranted(contract, 'io.write'), true);
    assert.equal(isStdlibGranted(undefined, 'io.write'), false);
    assert.equal(stdlibPolicy(undefined), StdlibPolicy.DEFAULT);
  });

  it('lists the Lua 5.3 standard library as data', () => {
    assert.equal(LUA53_STDLIB.get('print'), 'function');
    assert.equal(LUA53_STDLIB.get('string'), 'table');
    assert.equal(LUA53_STDLIB.get('math.pi'), 'number');
    assert.equal(LUA53_STDLIB.get('io.stdout'), 'file');
    assert.equal(LUA53_STDLIB.get('utf8.charpattern'), 'string');
    assert.equal(isStdlibName('table.unpack'), true);
    assert.equal(isStdlibName('unpack'), false, 'Lua 5.1');
    assert.equal(isStdlibName('math.pow'), false, 'LUA_COMPAT_5_2 only');
    assert.equal(isStdlibName('bit32'), false);
    // Every default-denied entry is a name the list knows (loadstring aside, a Lua 5.1 name).
    for (const name of DEFAULT_DENIED) assert.ok(isStdlibName(name) || name === 'loadstring', name);
  });

  it('matches the names Debian’s lua5.3 defines, minus its 5.2 compatibility extras', () => {
    // lua5.3 is a reference program that `npm test` installs: without it this fails, never skips.
    const script = 'local t = {} for k, v in pairs(_G) do if type(v) == "table" and k ~= "_G" and k ~= "arg" then for f in pairs(v) do t[#t+1] = k .. "." .. f end end t[#t+1] = k end table.sort(t) print(table.concat(t, " "))';
    const run = spawnSync('lua5.3', ['-e', script], { encoding: 'utf8' });
    assert.equal(run.error, undefined, 'lua5.3 is required (apt-get install lua5.3)');
    const compat = new Set(['bit32', 'math.atan2', 'math.cosh', 'math.sinh', 'math.tanh', 'math.pow', 'math.frexp', 'math.ldexp', 'math.log10', 'arg']);
    const reference = run.stdout.trim().split(' ').filter((n) => !compat.has(n) && !n.startsWith('bit32.'));
    assert.deepEqual(reference, LUA53_STDLIB_NAMES);
    assert.ok(Object.keys(LUA53_LIBRARIES).length === 9);
  });
});
