// Review tooling as a reviewer's CI runs it: `sandlua check --format sarif|github`, `sandlua
// report`, and `--base` on a fixture repository made with git in a temporary folder (a base commit,
// then a change that grants and calls more). Text and markdown are compared with golden files
// (UPDATE_EXPECT=1 rewrites them); every SARIF output is validated against the SARIF 2.1.0 schema.
import { strict as assert } from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const root = path.join(__dirname, '..', '..');
const cli = path.join(root, 'server', 'dist', 'sandlua.js');
const expected = path.join(root, 'test', 'fixtures', 'review', 'expected');
const SARIF_SCHEMA = path.join(root, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');

function sandlua(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 28 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function golden(name: string, actual: string): void {
  const file = path.join(expected, name);
  if (process.env.UPDATE_EXPECT === '1') {
    fs.mkdirSync(expected, { recursive: true });
    fs.writeFileSync(file, actual);
  }
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `output differs from ${path.relative(root, file)} (UPDATE_EXPECT=1 rewrites it)`);
}

const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, logger: false });
addFormats(ajv);
const validateSarif = ajv.compile(JSON.parse(fs.readFileSync(SARIF_SCHEMA, 'utf8')));

function assertValidSarif(text: string): Record<string, unknown> {
  const log = JSON.parse(text) as Record<string, unknown>;
  assert.ok(validateSarif(log), JSON.stringify(validateSarif.errors?.slice(0, 5), null, 2));
  return log;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Review Test', '-c', 'user.email=review@example.com', ...args], { cwd, encoding: 'utf8' });
}

describe('review: sarif, github, report and --base', function () {
  this.timeout(60000);
  let repo: string;

  before(() => {
    assert.ok(fs.existsSync(cli), 'the CLI bundle is missing: run `npm run build` first');
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-review-'));
    const invoice = path.join(repo, 'invoice');
    fs.mkdirSync(invoice);
    for (const f of ['sandlua.json', 'normalize.lua']) fs.copyFileSync(path.join(root, 'examples', 'invoice-normalizer', f), path.join(invoice, f));
    git(repo, 'init', '-q');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'base');
    // The change under review: a new host function, a raised limit, a stdlib grant, and a script
    // that starts calling the new function and reaches for the shell.
    const contractFile = path.join(invoice, 'sandlua.json');
    const contract = JSON.parse(fs.readFileSync(contractFile, 'utf8'));
    contract.host['tools.send_email'] = { doc: 'Sends an email.', params: [{ name: 'to', type: 'string' }, { name: 'body', type: 'string' }], returns: 'nil' };
    contract.limits.timeMs = 2000;
    contract.stdlib.allow.push('os.getenv');
    fs.writeFileSync(contractFile, JSON.stringify(contract, null, 2) + '\n');
    const scriptFile = path.join(invoice, 'normalize.lua');
    const script = fs.readFileSync(scriptFile, 'utf8').replace('local raw = input.vendor_name\n', 'local raw = input.vendor_name\ntools.send_email("finance@example.com", raw)\nos.execute("curl example.invalid")\n');
    fs.writeFileSync(scriptFile, script);
  });

  after(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('check --base lists what the change adds, after the findings (golden)', () => {
    const run = sandlua(repo, 'check', 'invoice', '--base', 'HEAD');
    assert.equal(run.status, 1, run.stderr);
    golden('check-base.txt', run.stdout);
    assert.match(run.stdout, /\+ invoice-normalizer grants host function tools\.send_email/);
    assert.match(run.stdout, /\+ invoice-normalizer raises limit timeMs: 500 → 2,000/);
    assert.match(run.stdout, /\+ invoice-normalizer grants standard-library os\.getenv/);
    assert.match(run.stdout, /\+ invoice\/normalize\.lua starts calling tools\.send_email/);
    assert.match(run.stdout, /\+ new violation in invoice\/normalize\.lua:\d+: os\.execute is not granted/);
  });

  it('report says per contract and script what is granted, used, unused and violated (golden markdown, json)', () => {
    const markdown = sandlua(repo, 'report', 'invoice', '--base', 'HEAD');
    assert.equal(markdown.status, 0, markdown.stderr);
    golden('report-base.md', markdown.stdout);
    const json = JSON.parse(sandlua(repo, 'report', 'invoice', '--format', 'json').stdout);
    const contract = json.contracts[0];
    assert.equal(contract.name, 'invoice-normalizer');
    assert.equal(contract.owner, 'finance-systems');
    assert.deepEqual(contract.stdlibAllowed, ['os.getenv']);
    assert.deepEqual(contract.stdlibDenied, ['string.rep']);
    const script = contract.scripts[0];
    assert.deepEqual(script.calls.map((c: { name: string }) => c.name), ['lookup_vendor_alias', 'tools.emit_review_note', 'tools.send_email']);
    assert.deepEqual(script.unused, []);
    assert.equal(script.violations[0].code, 'forbidden');
  });

  it('prints valid SARIF 2.1.0, with rules, locations, fixes and the capability notes', () => {
    const run = sandlua(repo, 'check', 'invoice', '--format', 'sarif', '--base', 'HEAD');
    assert.equal(run.status, 1);
    const log = assertValidSarif(run.stdout) as { runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[]; fixes?: unknown[] }[] }[] };
    const results = log.runs[0].results;
    assert.ok(log.runs[0].tool.driver.rules.some((r) => r.id === 'forbidden'));
    const forbidden = results.find((r) => r.ruleId === 'forbidden')!;
    assert.equal(forbidden.level, 'error');
    assert.equal(forbidden.locations[0].physicalLocation.artifactLocation.uri, 'invoice/normalize.lua');
    assert.ok(results.some((r) => r.ruleId === 'capability-change' && r.level === 'note'));
    // Fixes: a did-you-mean in a fresh script.
    const typo = path.join(repo, 'invoice', 'typo.lua');
    fs.writeFileSync(typo, 'lookup_vendr_alias("x")\nreturn { normalized_vendor = "x" }\n');
    try {
      const fixes = assertValidSarif(sandlua(repo, 'check', 'invoice/typo.lua', '--format', 'sarif').stdout) as typeof log;
      assert.ok(fixes.runs[0].results.some((r) => r.fixes && r.fixes.length > 0));
    } finally {
      fs.rmSync(typo);
    }
    // Clean code gives a valid, empty log.
    assertValidSarif(sandlua(root, 'check', 'examples', '--format', 'sarif').stdout);
  });

  it('prints GitHub workflow annotations', () => {
    const run = sandlua(repo, 'check', 'invoice', '--format', 'github', '--base', 'HEAD');
    assert.equal(run.status, 1);
    const lines = run.stdout.trim().split('\n');
    assert.ok(lines.some((l) => /^::error file=invoice\/normalize\.lua,line=\d+,col=1,endLine=\d+,endColumn=\d+,title=sandlua forbidden::os\.execute is not granted by invoice-normalizer \(sandlua\.json\)$/.test(l)), run.stdout);
    assert.ok(lines.some((l) => /^::notice file=invoice\/sandlua\.json,line=1,title=sandlua capability change::\+ invoice-normalizer grants host function tools\.send_email/.test(l)));
  });

  it('report and --base list modules and files: what the contract declares, what scripts require and open', () => {
    const repo2 = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-review-io-'));
    try {
      const write = (file: string, text: string): void => {
        fs.mkdirSync(path.dirname(path.join(repo2, file)), { recursive: true });
        fs.writeFileSync(path.join(repo2, file), text);
      };
      const base = { name: 'pricing', scripts: ['*.lua'], modules: { 'pricing.util': 'lib/util.lua' }, files: { 'data/rates.csv': 'read', 'out/old.txt': 'write' } };
      write('sandlua.json', JSON.stringify(base, null, 2) + '\n');
      write('lib/util.lua', 'local M = {}\nfunction M.round(x) return x end\nreturn M\n');
      write('price.lua', 'local util = require("pricing.util")\nfor line in io.lines("data/rates.csv") do end\nreturn util.round(1)\n');
      git(repo2, 'init', '-q');
      git(repo2, 'add', '.');
      git(repo2, 'commit', '-q', '-m', 'base');
      const head = { ...base, modules: { 'pricing.util': 'lib/util.lua', 'pricing.tax': 'lib/tax.lua' }, files: { 'data/rates.csv': 'read-write', 'out/report.txt': 'write' } };
      write('sandlua.json', JSON.stringify(head, null, 2) + '\n');
      write('lib/tax.lua', 'return { rate = function(region) return 0.2 end }\n');
      write('price.lua', 'local util = require("pricing.util")\nlocal tax = require("pricing.tax")\nlocal out = io.open("out/report.txt", "w")\nlocal rates = io.open("data/rates.csv", "a+")\nreturn util.round(tax.rate("EU"))\n');

      const check = sandlua(repo2, 'check', '.', '--base', 'HEAD');
      assert.equal(check.status, 0, check.stdout + check.stderr);
      const changes = check.stdout.slice(check.stdout.indexOf('Capability changes')).split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim());
      assert.deepEqual(changes, [
        '+ pricing declares module pricing.tax (lib/tax.lua)',
        '+ pricing changes access to file data/rates.csv: read → read-write',
        '+ pricing grants file out/report.txt (write)',
        '- pricing no longer grants file out/old.txt',
        '+ price.lua starts requiring pricing.tax (line 2)',
        '+ price.lua starts opening out/report.txt for write (line 3)',
        '+ price.lua starts opening data/rates.csv for read and write (line 4)',
        '- price.lua stops opening data/rates.csv for read',
      ]);

      const json = JSON.parse(sandlua(repo2, 'report', '.', '--format', 'json').stdout);
      const contract = json.contracts[0];
      assert.deepEqual(contract.modules, [{ name: 'pricing.util', path: 'lib/util.lua' }, { name: 'pricing.tax', path: 'lib/tax.lua' }]);
      assert.deepEqual(contract.files, [{ path: 'data/rates.csv', access: 'read-write' }, { path: 'out/report.txt', access: 'write' }]);
      assert.deepEqual(contract.stdlibAllowed, ['io.close', 'io.lines', 'io.open', 'io.type', 'require']);
      assert.equal(contract.limits.fileBytes, 1048576);
      const script = contract.scripts.find((x: { path: string }) => x.path === 'price.lua');
      assert.deepEqual(Object.keys(script), ['path', 'calls', 'unused', 'requires', 'files', 'violations']);
      assert.deepEqual(script.requires, [{ name: 'pricing.util', lines: [1] }, { name: 'pricing.tax', lines: [2] }]);
      assert.deepEqual(script.files, [{ path: 'out/report.txt', access: 'write', lines: [3] }, { path: 'data/rates.csv', access: 'read-write', lines: [4] }]);
      assert.deepEqual(script.violations, []);

      const markdown = sandlua(repo2, 'report', '.').stdout;
      assert.match(markdown, /\| `pricing\.tax` \| `lib\/tax\.lua` \|/);
      assert.match(markdown, /\| `out\/report\.txt` \| write \|/);
      assert.match(markdown, /- Requires: `pricing\.util` \(line 1\), `pricing\.tax` \(line 2\)/);
      assert.match(markdown, /- Opens: `out\/report\.txt` for write \(line 3\), `data\/rates\.csv` for read and write \(line 4\)/);
    } finally {
      fs.rmSync(repo2, { recursive: true, force: true });
    }
  });

  it('rejects a --base that is not a revision, with exit code 2', () => {
    const run = sandlua(repo, 'check', 'invoice', '--base', 'no-such-ref');
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--base no-such-ref: not a git revision/);
  });

  it('checks a tree on several threads (--jobs) with the same result as one thread; the default is what the work pays for', () => {
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-tree-'));
    try {
      fs.copyFileSync(path.join(root, 'examples', 'invoice-normalizer', 'sandlua.json'), path.join(tree, 'sandlua.json'));
      const script = fs.readFileSync(path.join(root, 'examples', 'invoice-normalizer', 'normalize.lua'), 'utf8');
      for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(tree, `s${String(i).padStart(3, '0')}.lua`), i % 7 === 0 ? script + `\nos.exit(${i})\n` : script);
      const parallel = sandlua(tree, 'check', '.', '--format', 'json', '--jobs', '2');
      assert.equal(parallel.status, 1);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { check } = require(path.join(root, 'server', 'out', 'check', 'check.js')) as { check: (p: string[], o: { cwd: string }) => { files: unknown[] } };
      const single = check(['.'], { cwd: tree });
      const { formatJson } = require(path.join(root, 'server', 'out', 'check', 'format-json.js')) as { formatJson: (r: unknown) => string };
      assert.equal(parallel.stdout, formatJson(single));
      assert.equal(JSON.parse(parallel.stdout).files.length, 400);
      assert.equal(sandlua(tree, 'check', '.', '--format', 'json').stdout, parallel.stdout);
      const { checkThreads } = require(path.join(root, 'server', 'out', 'check', 'check.js')) as { checkThreads: (s: string[], jobs?: number, cores?: number, load?: number) => number };
      const scripts = fs.readdirSync(tree).filter((f) => f.endsWith('.lua')).map((f) => path.join(tree, f));
      // 400 small scripts (under a megabyte): a worker would cost more than it saves.
      assert.equal(checkThreads(scripts), 1);
      assert.equal(checkThreads(scripts, 3), 3);
      // 25 MB of scripts pays for two more threads on four idle cores, for none on a machine as
      // busy as its cores (a worker would only take a core from the main thread).
      const big = path.join(tree, 'big.txt');
      fs.writeFileSync(big, Buffer.alloc(25 * 1024 * 1024, 32));
      assert.equal(checkThreads([big], undefined, 4, 0), 3);
      assert.equal(checkThreads([big], undefined, 4, 1.2), 3);
      assert.equal(checkThreads([big], undefined, 2, 1.6), 1);
      assert.equal(checkThreads([big], undefined, 4, 6), 1);
      fs.rmSync(big);
      const bad = sandlua(tree, 'check', '.', '--jobs', '0');
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--jobs expects a whole number of threads \(1 or more\), got '0'/);
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  });
});
