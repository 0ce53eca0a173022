// The io library against lua5.3: programs that write, read, seek and iterate real temporary files
// (a plain LuaState reaches the disk), each run by both and compared byte for byte; then what a
// plain state adds (stdin, output sinks, buffers flushed by collectgarbage, os.exit).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hasLua53, maskAddresses, runOursSource, runReferenceSource } from '../vm/testing/reference';
import { luaCompiler } from '../compiler/compile';
import { LuaState } from '../vm/state';
import { LuaError } from '../vm/value';
import { LuaExit } from './os';
import { diskFileSystem } from './files';

/** Each program prints what it finds; `T` is a fresh temporary file name, `U` another. */
const PROGRAMS: Record<string, string> = {
  'write and read back with every format': `
    local f = assert(io.open(T, "w"))
    print(io.type(f), f:write("alo", 12, " ", 3.5, " ", 1.0, " ", -0.0, " ", 2^63, " ", math.huge, "\\n") == f)
    f:write("line two\\n", "0x1F  -7.25e1 .5 nan\\n", "", "last without newline")
    print(f:close(), io.type(f), tostring(f))
    f = assert(io.open(T))
    print(f:read("l"))
    print(f:read("L"))
    print(f:read("n", "n", "n"))
    print(f:read("n"), f:read(1), f:read(3))
    print(f:read(0), f:read("a"), f:read(0), f:read("a"), f:read("l"), f:read(1))
    f:seek("set", 0)
    print(f:read("*l", "*L", "*a"))
    print(f:read("*n"), f:read(0))
    f:close()
  `,
  'numerals as read "n" takes them': `
    local f = assert(io.open(T, "w"))
    f:write("-12.3- -0xffff+ .3|5.E-3X +234e+13E 0xDEADBEEFDEADBEEFx 0x1.13Ap+3e\\n")
    f:write("1234", string.rep("0", 300), "\\n", ".e+ 0.e; --; 0xX; 00x10 - + 1e 0x.p1")
    f:close()
    f = io.open(T)
    for i = 1, 24 do io.write(tostring(f:read("n")), "|", tostring(f:read(1)), " ") end
    print()
    f:close()
  `,
  'lines with formats, and their errors': `
    local f = assert(io.open(T, "w"))
    f:write("10 20\\n30 40\\n\\nlast")
    f:close()
    for l in io.lines(T) do io.write("[", l, "]") end print()
    for l in io.lines(T, "L") do io.write("[", l, "]") end print()
    for a, b in io.lines(T, "n", "n") do print(a, b) end
    for a, b, c in io.lines(T, 1, 2, "a") do print(a, b, c) end
    f = assert(io.open(T))
    local n = 0
    for l in f:lines() do n = n + 1 end
    print(n, io.type(f), pcall(f.lines))
    f:close()
    local it = io.lines(T)
    while it() do end
    print(pcall(it))
    print(pcall(io.lines, "no-such-file-io-test.txt"))
    print(pcall(io.lines, T, "x"))
    print(select('#', io.lines(T, table.unpack({}, 1, 250))))
    print(pcall(io.lines, T, table.unpack({}, 1, 251)))
    f = assert(io.open(T, "w"))
    print(pcall(f:lines()))
    f:close()
  `,
  'open modes and failures': `
    for _, mode in ipairs{"rw", "rb+", "r+bk", "", "+", "b", "x"} do print(mode, pcall(io.open, T, mode)) end
    print(io.open("no-such-file-io-test.txt"))
    print(io.open("no-such-dir-io-test/x", "w"))
    for _, mode in ipairs{"w", "r", "r+", "rb", "r+b", "wb", "a", "ab", "a+", "w+", "a+b", "rbb"} do
      local f = io.open(T, mode) print(mode, io.type(f)) f:close()
    end
    local f = assert(io.open(T, "w")) f:write("abc") f:close()
    f = assert(io.open(T, "a")) f:write("def") f:seek("set", 0) f:write("ghi") f:close()
    f = assert(io.open(T, "r+")) f:write("X") f:seek("end") f:write("Y") f:close()
    f = assert(io.open(T, "a+")) print(f:read("a")) f:write("Z") f:seek("set", 1) print(f:read(2)) f:close()
    f = assert(io.open(T, "w+")) print(f:read("a")) f:write("new") f:seek("set") print(f:read("a")) f:close()
    print(io.open(T):read("a"))
  `,
  'seek': `
    local f = assert(io.open(T, "w+"))
    print(f:seek(), f:write("0123456789"):seek(), f:seek("cur", -3), f:read(1), f:seek("end"), f:seek("set", 2), f:read(2))
    print(f:seek("set", -1))
    print(f:seek("cur", -100))
    print(f:seek("end", 5), f:read(1), f:write("!"), f:seek("end"))
    print(pcall(f.seek, f, "bad"))
    print(pcall(f.seek, f, "set", 1.5))
    f:seek("set") print((f:read("a"):gsub("%z", "0")))
    f:close()
  `,
  'buffers between two handles': `
    local f = assert(io.open(T, "w"))
    local fr = assert(io.open(T, "r"))
    print(f:setvbuf("full", 2000))
    f:write("x")
    print(fr:read("a"))
    f:close()
    fr:seek("set")
    print(fr:read("a"))
    f = assert(io.open(T, "a"))
    print(f:setvbuf("no"))
    f:write("y")
    fr:seek("set")
    print(fr:read("a"))
    print(f:setvbuf("line"))
    f:write("z")
    fr:seek("set") print(fr:read("a"))
    f:write("a\\n")
    fr:seek("set") print(fr:read("a"))
    print(pcall(f.setvbuf, f, "bad"))
    f:close() fr:close()
  `,
  'closed files and wrong handles': `
    local f = assert(io.open(T, "w"))
    f:close()
    print(io.type(f), tostring(f), io.type(io.stdout), io.type(42), io.type({}))
    print(pcall(f.read, f))
    print(pcall(f.write, f, "x"))
    print(pcall(io.close, f))
    print(pcall(f.seek, f))
    print(pcall(io.read, "x"))
    print(pcall(io.write, {}))
    print(pcall(io.type))
    print(io.stdout:close())
    print(io.close(io.stderr))
    print(getmetatable(io.stdout).__name, getmetatable(io.stdout).__index == getmetatable(io.stdout))
    f = assert(io.open(T, "r"))
    print(f:write("nope"))
    f:close()
    f = assert(io.open(T, "w"))
    print(f:read("a"))
    print(f:read("l", "n"))
    f:close()
    print(io.stdout:seek())
    print(pcall(io.popen, "ls", "rw"))
  `,
  'io.input, io.output and the default files': `
    print(io.input() == io.stdin, io.output() == io.stdout)
    io.output(T)
    print(io.output() ~= io.stdout, io.type(io.output()))
    io.write("one\\n", 2, "\\n"):write("three")
    io.close()
    print(pcall(io.write, "x"))
    io.output(io.stdout)
    io.input(T)
    print(io.read(), io.read("n"), io.read("a"), io.read())
    io.close(io.input())
    print(pcall(io.read))
    print(pcall(io.lines))
    io.input(io.stdin)
    print(pcall(io.input, "no-such-file-io-test.txt"))
    print(pcall(io.output, {}))
    local f = io.open(T)
    io.input(f)
    for l in io.lines(nil, "L") do io.write("<", l, ">") end
    print()
    f:close()
    io.input(io.stdin)
  `,
  'os.remove, os.rename and io.tmpfile': `
    local f = assert(io.open(T, "w")) f:write("data") f:close()
    print(os.rename(T, U))
    print(os.rename(T, U))
    print(io.open(U):read("a"))
    print(os.remove(U))
    print(select(2, os.remove(U)) == U .. ": No such file or directory", select(3, os.remove(U)))
    local t = io.tmpfile()
    print(io.type(t), t:write("alo"):seek("set"), t:read("a"), t:close())
    local name = os.tmpname()
    print(type(name), io.open(name, "r") ~= nil, os.remove(name))
  `,
  'loadfile and dofile': `
    local f = assert(io.open(T, "w")) f:write("# comment\\nlocal a = ... return (a or 1) + 1, type(print)") f:close()
    print(loadfile(T)(41))
    print(dofile(T))
    print(loadfile(T, "b"))
    print(loadfile(T, "t", {})())
    print(loadfile(T, "t", nil))
    print(loadfile("no-such-file-io-test.txt"))
    print(pcall(dofile, "no-such-file-io-test.txt"))
    f = assert(io.open(T, "w")) f:write("\\xEF\\xBB\\xBFreturn 7") f:close()
    print(dofile(T))
    f = assert(io.open(T, "w")) f:write("return +") f:close()
    print((select(2, loadfile(T)):gsub("^[^:]*:", "FILE:")))
    f = assert(io.open(T, "w")) f:write("local x = coroutine.yield(1) return x * 2") f:close()
    local co = coroutine.wrap(dofile)
    print(co(T), co(21))
  `,
};

describe('io against lua5.3 (real temporary files)', function () {
  this.timeout(20000);
  let scratch: string;
  before(function () {
    if (!hasLua53()) {
      if (process.env.CI) throw new Error('lua5.3 is required in CI');
      this.skip();
    }
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-io-'));
  });
  after(() => { if (scratch) fs.rmSync(scratch, { recursive: true, force: true }); });

  for (const [name, body] of Object.entries(PROGRAMS)) {
    it(name, () => {
      const t = path.join(scratch, name.replace(/\W+/g, '-'));
      const source = `local T, U = ${JSON.stringify(t + '-ref')}, ${JSON.stringify(t + '-ref2')}\n${body}`;
      const reference = runReferenceSource(source);
      const ours = runOursSource(source.replaceAll('-ref', '-ours'), '=stdin', luaCompiler);
      const same = (text: string) => maskAddresses(text.replaceAll('-ref', '-X').replaceAll('-ours', '-X'));
      assert.equal(same(ours.stdout), same(reference.stdout));
      assert.equal(same(ours.stderr), same(reference.stderr));
      assert.equal(ours.status, reference.status);
    });
  }
});

describe('io in a plain state', () => {
  let scratch: string;
  before(() => { scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-io-plain-')); });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  function state(options: { stdin?: string } = {}) {
    let stdout = '';
    let stderr = '';
    const s = new LuaState({ io: { files: diskFileSystem(scratch), stdin: options.stdin, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } } });
    return { s, out: () => stdout, err: () => stderr };
  }

  it('reads stdin with io.read, io.lines and io.stdin, and writes both standard streams', () => {
    const { s, out, err } = state({ stdin: 'first\n42 3.5\nrest\nmore' });
    const r = s.run('local a = io.read() local n, x = io.read("n", "n") io.read(1) local lines = {} for l in io.lines() do lines[#lines + 1] = l end ' +
      'io.stderr:write("warn", 1, "\\n") print("p") io.write("w") io.stdout:write("s") return a, n, x, table.concat(lines, ","), io.stdin:read("a"), io.read()', '=t');
    assert.deepEqual(r.map(String), ['first', '42', '3.5', 'rest,more', '', 'undefined']);
    assert.equal(out(), 'p\nws');
    assert.equal(err(), 'warn1\n');
  });

  it('paths are relative to the file system\'s folder; writes reach the disk at close and flush', () => {
    const { s } = state();
    s.run('local f = io.open("a.txt", "w") f:write("one") assert(f:flush()) f:write("two")', '=t');
    assert.equal(fs.readFileSync(path.join(scratch, 'a.txt'), 'utf8'), 'one');
    s.flushAll();
    assert.equal(fs.readFileSync(path.join(scratch, 'a.txt'), 'utf8'), 'onetwo');
  });

  it('collectgarbage moves unclosed buffers into their files, as collecting their handles would', () => {
    const { s } = state();
    const r = s.run('io.output("gc.txt") io.write("kept") io.output(io.stdout) collectgarbage() return io.open("gc.txt"):read("a")', '=t');
    assert.deepEqual(r, ['kept']);
  });

  it('print alone receives io.write text line by line, the last partial line at flushAll', () => {
    const lines: string[] = [];
    const s = new LuaState({ print: (line) => lines.push(line), io: { files: diskFileSystem(scratch) } });
    s.run('io.write("a", "b\\nc") print("d") io.write("e")', '=t');
    assert.deepEqual(lines, ['ab', 'cd']);
    s.flushAll();
    assert.deepEqual(lines, ['ab', 'cd', 'e']);
  });

  it('os.exit flushes the files and raises an error no pcall catches', () => {
    const { s } = state();
    for (const [call, status, success] of [['os.exit()', 0, true], ['os.exit(true)', 0, true], ['os.exit(false)', 1, false], ['os.exit(3)', 3, false]] as const) {
      let caught: unknown;
      try {
        s.run(`local f = io.open("exit.txt", "w") f:write("${call}") pcall(function () ${call} end) error("not reached")`, '=t');
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof LuaExit, String(caught));
      assert.equal(caught.kind, 'exit');
      assert.equal(caught.status, status);
      assert.equal(caught.success, success);
      assert.equal(fs.readFileSync(path.join(scratch, 'exit.txt'), 'utf8'), call);
    }
  });

  it('io.popen is not supported, and os.execute runs nothing', () => {
    const { s } = state();
    const marker = path.join(scratch, 'pwned');
    assert.throws(() => s.run(`io.popen("touch ${marker}")`, '=t'), (e: unknown) => e instanceof LuaError && e.value === "t:1: 'popen' not supported");
    assert.deepEqual(s.run(`return os.execute("touch ${marker}")`, '=t'), [undefined, 'exit', 127]);
    assert.equal(fs.existsSync(marker), false);
  });

  it('charges reads and writes to the budget', () => {
    let charged = 0;
    const s = new LuaState({ charge: (steps) => { charged += steps; }, io: { files: diskFileSystem(scratch), stdout: () => {} } });
    s.run('local f = io.open("big.txt", "w") f:write(string.rep("x", 100000)) f:close() f = io.open("big.txt") f:read("a") f:close()', '=t');
    assert.ok(charged > 3000, `charged ${charged}`);
  });
});
