// io in the sandbox: the contract's declared files through the host's SandboxFiles, the output
// stream and its limit, stdin, os.exit, and the audit record and replay of all of it. Escape
// attempts each end in their kind, and the next run works.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseManifest, type Contract } from '../contract/manifest';
import { Sandbox, type RunResult, type SandboxOptions } from './sandbox';
import { folderFiles, memoryFiles } from './files';
import { sha256 } from './audit';

function contract(extra: Record<string, unknown> = {}, limits: Record<string, number> = {}): Contract {
  const json = {
    name: 'io-test',
    files: { 'data/rates.csv': 'read', 'out/report.txt': 'write', 'state.txt': 'read-write' },
    stdlib: { allow: ['io', 'os'] },
    limits: { instructions: 1_000_000, timeMs: 3000, outputBytes: 1000, fileBytes: 1000, ...limits },
    ...extra,
  };
  const result = parseManifest(JSON.stringify(json), '/virtual/sandlua.json');
  assert.ok(result.manifest, JSON.stringify(result.problems));
  return result.manifest;
}

const RATES = 'EUR,1.10\nUSD,1.00\nGBP,1.25\n';

function setup(options: Partial<SandboxOptions> = {}, manifest = contract()) {
  const files = memoryFiles({ 'data/rates.csv': RATES, 'state.txt': 'count=1' });
  let stdout = '';
  let stderr = '';
  const sandbox = new Sandbox({ manifest, files, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, ...options });
  return { sandbox, files, out: () => stdout, err: () => stderr };
}

function expectError(result: RunResult, kind: string, message?: RegExp): void {
  assert.equal(result.ok, false, JSON.stringify(result));
  if (result.ok) return;
  assert.equal(result.error.kind, kind, result.error.message);
  if (message) assert.match(result.error.message, message);
}

async function healthy(sandbox: Sandbox): Promise<void> {
  const next = await sandbox.run('return 1 + 1');
  assert.deepEqual(next.ok && next.output, 2);
}

describe('sandbox io: declared files', () => {
  it('reads a declared file and writes another, given to the host when the run succeeds', async () => {
    const { sandbox, files, out } = setup();
    const result = await sandbox.run(`
      local total, n = 0, 0
      assert(io.open("./data/rates.csv")):close()
      for line in io.lines("data/rates.csv") do
        local rate = tonumber(line:match(",(.*)"))
        total, n = total + rate, n + 1
      end
      local f = assert(io.open("out/report.txt", "w"))
      f:write("rates: ", n, "\\n")
      f:close()
      local s = assert(io.open("state.txt", "r+"))
      local count = tonumber(s:read("a"):match("%d+"))
      s:seek("set") s:write("count=", count + 1)
      io.write("done ", n, "\\n")
      return n`);
    assert.deepEqual(result.ok && result.output, 3, JSON.stringify(result));
    assert.equal(files.text('out/report.txt'), 'rates: 3\n');
    assert.equal(files.text('state.txt'), 'count=2');
    assert.equal(out(), 'done 3\n');
  });

  it('a failed run leaves the host files as they were', async () => {
    const { sandbox, files } = setup();
    const result = await sandbox.run('local f = io.open("out/report.txt", "w") f:write("half") f:close() io.open("state.txt", "w"):write("x") error("boom")');
    expectError(result, 'runtime', /boom/);
    assert.equal(files.text('out/report.txt'), undefined);
    assert.equal(files.text('state.txt'), 'count=1');
  });

  it('a run sees its own writes before they reach the host; os.remove and os.rename only on writable files', async () => {
    const { sandbox, files } = setup();
    const result = await sandbox.run(`
      io.open("out/report.txt", "w"):write("draft"):close()
      local seen = io.open("state.txt"):read("a")
      assert(os.rename("state.txt", "out/report.txt"))
      local missing = {os.remove("state.txt")}
      return {seen, missing[2], missing[3]}`);
    assert.deepEqual(result.ok && result.output, ['count=1', 'state.txt: No such file or directory', 2], JSON.stringify(result));
    assert.equal(files.text('out/report.txt'), 'count=1');
    assert.equal(files.text('state.txt'), undefined);
  });

  it('a declared file that does not exist is nil, message, errno', async () => {
    const { sandbox } = setup({ files: memoryFiles() });
    const result = await sandbox.run('local f, message, errno = io.open("data/rates.csv") return {f == nil, message, errno}');
    assert.deepEqual(result.ok && result.output, [true, 'data/rates.csv: No such file or directory', 2]);
  });

  it('os.tmpname names a scratch file of the run that io.open accepts; io.tmpfile too', async () => {
    const { sandbox, files } = setup();
    const result = await sandbox.run(`
      local name = os.tmpname()
      local f = assert(io.open(name, "w")) f:write("scratch") f:close()
      local t = io.tmpfile() t:write("tmp") t:seek("set")
      return {name, io.open(name):read("a"), t:read("a"), os.remove(name), os.tmpname() ~= name}`);
    assert.deepEqual(result.ok && result.output, ['/tmp/lua_000001', 'scratch', 'tmp', true, true], JSON.stringify(result));
    assert.deepEqual([...files.files.keys()].sort(), ['data/rates.csv', 'state.txt']);
    // Another run does not see it.
    expectError(await sandbox.run('return io.open("/tmp/lua_000001")'), 'forbidden', /not declared/);
  });

  it('os.getenv answers what the host passes, os.execute runs nothing', async () => {
    const { sandbox } = setup({ env: { MODE: 'test' } });
    const result = await sandbox.run('return {os.getenv("MODE"), os.getenv("HOME") == nil, os.execute(), select(2, os.execute("ls")), select(3, os.execute("ls"))}');
    assert.deepEqual(result.ok && result.output, ['test', true, false, 'exit', 127]);
  });
});

describe('sandbox io: escapes and limits end in their kind, the host healthy', () => {
  const attempts: [string, string, string, RegExp][] = [
    ['an undeclared file', 'io.open("secret.txt")', 'forbidden', /io\.open: file 'secret\.txt' is not declared in the files of io-test \(sandlua\.json\)/],
    ['a path through ..', 'io.open("data/../../etc/passwd")', 'forbidden', /must stay inside the contract's folder/],
    ['an absolute path', 'io.open("/etc/passwd")', 'forbidden', /must be relative to the contract's folder/],
    ['a NUL byte', 'io.open("data/rates.csv\\0.txt")', 'forbidden', /contains a NUL character/],
    ['io.lines on an undeclared file', 'for l in io.lines("other.csv") do end', 'forbidden', /io\.lines: file 'other\.csv' is not declared/],
    ['io.input on an undeclared file', 'io.input("other.csv")', 'forbidden', /io\.input/],
    ['writing a read-only file', 'io.open("data/rates.csv", "a")', 'forbidden', /declared read-only by io-test \(sandlua\.json\): it cannot be written/],
    ['reading a write-only file', 'io.open("out/report.txt", "r+")', 'forbidden', /declared write-only/],
    ['removing a read-only file', 'os.remove("data/rates.csv")', 'forbidden', /os\.remove: file 'data\/rates\.csv' is declared read-only/],
    ['renaming onto an undeclared file', 'os.rename("state.txt", "../state.txt")', 'forbidden', /os\.rename/],
    ['the forbidden error caught by pcall', 'pcall(io.open, "/etc/passwd") return 1', 'forbidden', /not declared/],
    ['io.popen', 'io.popen("id")', 'runtime', /'popen' not supported/],
    ['reading a file over fileBytes', 'io.open("data/rates.csv")', 'input', /file 'data\/rates\.csv' is 2000 bytes, more than the limit of 1000 \(limits\.fileBytes\)/],
    ['writing past fileBytes', 'local f = io.open("out/report.txt", "w") for i = 1, 200 do f:write("0123456789") end', 'output', /writing file 'out\/report\.txt' past the limit of 1000 bytes/],
    ['a temporary file past fileBytes', 'io.tmpfile():write(string.rep("x", 1001))', 'output', /a temporary file past the limit/],
    ['seeking far and writing', 'local f = io.open("state.txt", "w") f:seek("set", 1e12) f:write("x")', 'output', /past the limit/],
    ['an output flood through io.write', 'while true do io.write("flood ") end', 'output', /wrote more than the limit of 1000 bytes of output \(limits\.outputBytes\)/],
    ['a flood through io.stderr', 'for i = 1, 1001 do io.stderr:write("x") end', 'output', /limits\.outputBytes/],
    ['a flood through print, caught', 'for i = 1, 1000 do pcall(print, "xxxxxxxxxx") end return 1', 'output', /limits\.outputBytes/],
    ['os.exit with a failure status', 'pcall(os.exit, 2)', 'runtime', /^script called os\.exit\(2\)$/],
  ];
  for (const [what, source, kind, message] of attempts) {
    it(what, async () => {
      const files = memoryFiles({ 'data/rates.csv': what.includes('over fileBytes') ? 'x'.repeat(2000) : RATES, 'state.txt': 'count=1' });
      const { sandbox } = setup({ files });
      expectError(await sandbox.run(source), kind, message);
      assert.deepEqual([...files.files.keys()].sort(), ['data/rates.csv', 'state.txt']);
      assert.equal(files.text('state.txt'), 'count=1');
      await healthy(sandbox);
    });
  }

  it('many scratch files count as the script\'s memory', async () => {
    const { sandbox } = setup({}, contract({}, { fileBytes: 1_000_000, memoryBytes: 4_000_000, instructions: 100_000_000 }));
    expectError(await sandbox.run('local s = string.rep("x", 900000) for i = 1, 100 do local f = io.open(os.tmpname(), "w") f:write(s) f:close() end'), 'memory');
    await healthy(sandbox);
  });

  it('without a files grant io stays forbidden, and declared files grant only io.open/lines/close/type', async () => {
    const bare = new Sandbox({ manifest: contract({ stdlib: undefined, files: undefined }) });
    expectError(await bare.run('io.open("data/rates.csv")'), 'forbidden', /io is not granted/);
    const declared = new Sandbox({ manifest: contract({ stdlib: undefined }), files: memoryFiles({ 'data/rates.csv': RATES }) });
    const ok = await declared.run('local f = io.open("data/rates.csv") local l = f:read() f:close() return {l, io.type(f)}');
    assert.deepEqual(ok.ok && ok.output, ['EUR,1.10', 'closed file']);
    expectError(await declared.run('io.write("x")'), 'forbidden', /io\.write is not granted/);
    expectError(await declared.run('os.remove("data/rates.csv")'), 'forbidden', /os\.remove is not granted/);
  });
});

describe('sandbox io: output, stdin, os.exit', () => {
  it('print and io.write share the output stream, in order; print alone still gets lines', async () => {
    const { sandbox, out, err } = setup();
    const result = await sandbox.run('io.write("a", 1, " ") print("b", 2) io.stdout:write("c") io.stderr:write("e\\n") return true');
    assert.equal(result.ok, true);
    assert.equal(out(), 'a1 b\t2\nc');
    assert.equal(err(), 'e\n');
    const lines: string[] = [];
    const printing = new Sandbox({ manifest: contract(), print: (line) => lines.push(line) });
    await printing.run('io.write("x", "y\\nz") print("w") io.write("tail")');
    assert.deepEqual(lines, ['xy', 'zw', 'tail']);
  });

  it('stdin is what the run is given, bounded by fileBytes', async () => {
    const { sandbox } = setup();
    const result = await sandbox.run('local first = io.read() local rest = {} for l in io.lines() do rest[#rest + 1] = l end return {first, rest, io.stdin:read("a")}', null, { stdin: 'héllo\nb\nc' });
    assert.deepEqual(result.ok && result.output, ['héllo', ['b', 'c'], '']);
    const empty = await sandbox.run('return {io.read() == nil, io.read("a")}');
    assert.deepEqual(empty.ok && empty.output, [true, '']);
    expectError(await sandbox.run('return 1', null, { stdin: 'x'.repeat(1001) }), 'input', /stdin is 1001 bytes, more than the limit of 1000/);
  });

  it('os.exit(true) and os.exit(0) end the run as a success with no output, files written', async () => {
    const { sandbox, files } = setup();
    for (const [call, protectedCall] of [['os.exit(true)', 'pcall(os.exit, true)'], ['os.exit(0)', 'pcall(os.exit, 0)'], ['os.exit()', 'pcall(os.exit)']]) {
      const result = await sandbox.run(`local f = io.open("out/report.txt", "w") f:write("${call}") ${protectedCall} error("not reached")`);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(result.ok && result.output, null);
      assert.equal(files.text('out/report.txt'), call);
    }
    const failing = await sandbox.run('io.open("state.txt", "w"):write("lost") os.exit(false)');
    expectError(failing, 'runtime', /^script called os\.exit\(1\)$/);
    assert.equal(files.text('state.txt'), 'count=1');
  });
});

describe('sandbox io: audit and replay', () => {
  const SCRIPT = `
    local rates = {}
    for line in io.lines("data/rates.csv") do rates[#rates + 1] = line end
    local extra = io.read("a")
    io.open("out/report.txt", "w"):write(#rates, " rates, stdin ", #extra):close()
    print("report written")
    return {#rates, extra}`;

  it('records stdin, the files read (with their content) and written, and the output stream', async () => {
    const { sandbox } = setup();
    const result = await sandbox.run(SCRIPT, null, { audit: true, stdin: 'more' });
    assert.ok(result.ok && result.audit, JSON.stringify(result));
    const audit = result.audit;
    assert.equal(audit.stdin?.bytes, 4);
    assert.equal(Buffer.from(audit.stdin!.base64, 'base64').toString(), 'more');
    assert.equal(audit.stdout, 'report written\n');
    assert.equal(audit.files?.read.length, 1);
    const read = audit.files!.read[0];
    assert.equal(read.path, 'data/rates.csv');
    assert.equal(read.sha256, require('crypto').createHash('sha256').update(RATES).digest('hex'));
    assert.equal(Buffer.from(read.content!, 'base64').toString(), RATES);
    assert.deepEqual(audit.files?.written.map((w) => [w.path, w.bytes]), [['out/report.txt', 16]]);
    assert.deepEqual(audit.files?.removed, []);
    // The record survives JSON.
    assert.deepEqual(JSON.parse(JSON.stringify(audit)).files, audit.files);
  });

  it('a replay reads from the record, never from the files, and writes nothing', async () => {
    const { sandbox } = setup();
    const first = await sandbox.run(SCRIPT, null, { audit: true, stdin: 'more' });
    assert.ok(first.ok && first.audit);
    const elsewhere = memoryFiles({ 'data/rates.csv': 'changed\n' });
    let printed = '';
    const replayer = new Sandbox({ manifest: contract(), files: elsewhere, stdout: (t) => { printed += t; } });
    const again = await replayer.replay(JSON.parse(JSON.stringify(first.audit)));
    assert.deepEqual(again.ok && again.output, [3, 'more']);
    assert.equal(printed, 'report written\n');
    assert.equal(elsewhere.text('out/report.txt'), undefined);
    assert.equal(elsewhere.text('data/rates.csv'), 'changed\n');
    // A script that reads what the record lacks has diverged.
    // (Its hash changed with it: replay refuses a script its record's hash does not name.)
    const source = 'return io.open("state.txt"):read("a")';
    const record = { ...first.audit, script: { ...first.audit.script, source, sha256: sha256(source) } };
    expectError(await replayer.replay(record), 'host', /replay diverged: the script read file 'state\.txt'/);
  });
});

describe('folderFiles: the contract\'s folder on disk', () => {
  let root: string;
  let outside: string;
  before(() => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-folder-'));
    root = path.join(base, 'project');
    outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(root, 'data'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(root, 'data', 'rates.csv'), RATES);
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'state.txt'));
    fs.symlinkSync(outside, path.join(root, 'out'));
  });
  after(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

  it('reads and writes below the folder, making folders as needed', async () => {
    const manifest = contract({ files: { 'data/rates.csv': 'read', 'reports/today/report.txt': 'write' } });
    const sandbox = new Sandbox({ manifest, files: folderFiles(root) });
    const result = await sandbox.run('local n = 0 for l in io.lines("data/rates.csv") do n = n + 1 end io.open("reports/today/report.txt", "w"):write(n):close() return n');
    assert.deepEqual(result.ok && result.output, 3, JSON.stringify(result));
    assert.equal(fs.readFileSync(path.join(root, 'reports', 'today', 'report.txt'), 'utf8'), '3');
  });

  it('refuses declared paths that resolve outside the folder through a symbolic link', async () => {
    const sandbox = new Sandbox({ manifest: contract(), files: folderFiles(root) });
    expectError(await sandbox.run('return io.open("state.txt"):read("a")'), 'forbidden', /resolves outside the contract's folder/);
    // A write through a linked folder is refused when the run commits: nothing lands outside.
    const write = await sandbox.run('io.open("out/report.txt", "w"):write("escaped"):close() return 1');
    expectError(write, 'host', /resolves outside the contract's folder/);
    assert.equal(fs.existsSync(path.join(outside, 'report.txt')), false);
    assert.equal(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'secret');
    await healthy(sandbox);
  });

  it('refuses paths a contract could not declare', () => {
    const files = folderFiles(root);
    for (const bad of ['../outside/secret.txt', '/etc/passwd', 'data/\0x', 'data\\rates.csv']) {
      assert.throws(() => files.read(bad), /'.*' /, bad);
      assert.throws(() => files.write(bad, new Uint8Array(1)), /'.*' /, bad);
    }
  });
});
