// A real VS Code, offline: code-server (VS Code 1.100 with its Node extension host) driven by
// headless Chromium through playwright-core (../shared recipes). Two tests:
//   1. the extension-host test suite (client/src/test) runs inside it, with the extension loaded
//      from this repository (extensionDevelopmentPath), and reports through a results file;
//   2. the packaged .vsix is installed into a fresh code-server, a script with a forbidden call is
//      opened, and the squiggle and the Problems entry are seen in the page (screenshots are saved
//      in test/artifacts/ for a person to look at).
// scripts/setup-code-server.sh installs code-server and Chromium (the test command runs it).
// Under CI=true a missing installation fails the run.
import { strict as assert } from 'assert';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const ARTIFACTS = path.join(root, 'test', 'artifacts');

function codeServerDir(): string | undefined {
  const dir = process.env.SANDLUA_CODE_SERVER_DIR ?? path.join(os.homedir(), '.cache', 'sandlua', 'code-server-4.100.3');
  return fs.existsSync(path.join(dir, '.sandlua-ready')) && fs.existsSync('/usr/bin/chromium') ? dir : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`code-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface CodeServer { port: number; process: ChildProcess; log: () => string }

async function startCodeServer(dir: string, workspace: string, userData: string, extensions: string, env: Record<string, string> = {}): Promise<CodeServer> {
  const port = await freePort();
  let log = '';
  const child = spawn(process.execPath, [path.join(dir, 'node_modules/code-server/out/node/entry.js'),
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userData, '--extensions-dir', extensions,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => { log += String(d); });
  child.stderr!.on('data', (d) => { log += String(d); });
  await waitForPort(port, 60000);
  return { port, process: child, log: () => log };
}

async function browser(): Promise<import('playwright-core').Browser> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

function copyExamples(): string {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-vscode-ws-'));
  fs.cpSync(path.join(root, 'examples'), ws, { recursive: true });
  return ws;
}

describe('VS Code (code-server + headless Chromium)', function () {
  this.timeout(300000);
  let dir: string | undefined;

  before(function () {
    dir = codeServerDir();
    if (!dir) {
      if (process.env.CI === 'true') assert.fail('code-server is not installed: run scripts/setup-code-server.sh (the test command does)');
      this.skip();
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });

  it('runs the extension-host test suite with the real vscode API', async () => {
    const ws = copyExamples();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-vscode-'));
    const results = path.join(tmp, 'results.json');
    const snapshots = path.join(tmp, 'snapshots');
    fs.mkdirSync(snapshots);
    const server = await startCodeServer(dir!, ws, path.join(tmp, 'user'), path.join(tmp, 'ext'), { SANDLUA_TEST_RESULTS: results, SANDLUA_SNAPSHOTS: snapshots });
    const b = await browser();
    try {
      const payload = JSON.stringify([
        ['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${root}`],
        ['extensionTestsPath', `vscode-remote://127.0.0.1:${server.port}${path.join(root, 'client', 'out', 'test', 'index.js')}`],
      ]);
      const page = await b.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
      const end = Date.now() + 240000;
      const taken: string[] = [];
      while (!fs.existsSync(results) && Date.now() < end) {
        // Screenshots the suite asks for (client/src/test/snapshot.ts).
        for (const request of fs.readdirSync(snapshots).filter((f) => f.endsWith('.request'))) {
          const name = request.slice(0, -'.request'.length);
          const { expect = [] } = JSON.parse(fs.readFileSync(path.join(snapshots, request), 'utf8') || '{}') as { expect?: (string | { text: string; within: string })[] };
          fs.rmSync(path.join(snapshots, request));
          // Texts the window must show: waited for (the workbench renders asynchronously), then the screenshot.
          const missing: string[] = [];
          for (const expected of expect) {
            const { text, within } = typeof expected === 'string' ? { text: expected, within: undefined } : expected;
            const scope = within ? page.locator(within) : page;
            const found = await scope.getByText(text, { exact: false }).first().waitFor({ state: 'visible', timeout: 10000 }).then(() => true, () => false);
            if (!found) missing.push(within ? `${JSON.stringify(text)} in ${within}` : JSON.stringify(text));
          }
          await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
          taken.push(name);
          fs.writeFileSync(path.join(snapshots, `${name}.done`), JSON.stringify({ missing }));
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      await page.screenshot({ path: path.join(ARTIFACTS, 'extension-host-suite.png') });
      assert.ok(fs.existsSync(results), `the suite wrote no results; code-server said:\n${server.log().slice(-3000)}`);
      const report = JSON.parse(fs.readFileSync(results, 'utf8')) as { failures: number; results: { title: string; ok: boolean; error?: string }[] };
      const failed = report.results.filter((r) => !r.ok);
      assert.deepEqual(failed, [], failed.map((f) => `${f.title}: ${f.error}`).join('\n'));
      assert.ok(report.results.length >= 6, `${report.results.length} tests ran`);
      console.log(`      screenshots in test/artifacts: ${taken.join(', ')}`);
    } finally {
      await b.close();
      server.process.kill();
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('installs the packaged .vsix and shows a forbidden call as a squiggle and in Problems', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-vsix-'));
    const vsix = path.join(tmp, 'sandlua.vsix');
    const pack = spawnSync('npx', ['--no-install', 'vsce', 'package', '--no-dependencies', '-o', vsix], { cwd: root, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr + pack.stdout);
    assert.ok(fs.statSync(vsix).size < 2_000_000, 'the .vsix stays small');
    const extensions = path.join(tmp, 'ext');
    const install = spawnSync(process.execPath, [path.join(dir!, 'node_modules/code-server/out/node/entry.js'), '--extensions-dir', extensions, '--user-data-dir', path.join(tmp, 'user'), '--install-extension', vsix], { encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr + install.stdout);
    const ws = copyExamples();
    fs.writeFileSync(path.join(ws, 'invoice-normalizer', 'forbidden.lua'), 'local name = input.vendor_name\nos.execute("echo " .. name)\nreturn { normalized_vendor = name }\n');
    const server = await startCodeServer(dir!, ws, path.join(tmp, 'user'), extensions);
    const b = await browser();
    try {
      const page = await b.newPage({ viewport: { width: 1400, height: 900 } });
      const file = path.join(ws, 'invoice-normalizer', 'forbidden.lua');
      const payload = JSON.stringify([['openFile', `vscode-remote://127.0.0.1:${server.port}${file}`]]);
      await page.goto(`http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
      await page.waitForSelector('.monaco-editor .view-lines', { timeout: 120000 });
      await page.waitForSelector('.squiggly-error', { timeout: 120000 });
      await page.screenshot({ path: path.join(ARTIFACTS, 'vsix-squiggle.png') });
      await page.keyboard.press('Control+Shift+M');
      const problems = page.locator('.markers-panel .monaco-tl-contents');
      await problems.filter({ hasText: 'os.execute is not granted by invoice-normalizer' }).first().waitFor({ timeout: 60000 });
      await page.screenshot({ path: path.join(ARTIFACTS, 'vsix-problems.png') });
    } finally {
      await b.close();
      server.process.kill();
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
