// Run Script: `sandlua run --json` on a script in its own process, the audit record written into the
// workspace (`sandlua.run.auditFolder`, default `.sandlua/runs`, one file per run named by time and
// script), and the result shown in a webview panel: status, output (or the error with its kind,
// message and a link to its line), the host calls with arguments and results, the resources used,
// the input; "Run again" and "Open audit record". Everything shown comes from the script and is
// untrusted: it is escaped, and the page's Content-Security-Policy allows only its own nonce'd
// style and script.
import { execFile } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { defaultInput } from '@sandlua/debugger';
import type { Channel } from './channel';

/** What `sandlua run --json` prints (DESIGN.md), or a usage failure made to look like it. */
export interface RunResult {
  ok: boolean;
  output?: unknown;
  error?: { kind: string; message: string; line?: number };
  onFailure?: string;
  stats?: { instructions: number; memoryBytes: number; timeMs: number; hostCalls: number };
  audit?: string;
}

interface HostCall { name: string; args?: unknown[]; result?: unknown; error?: string; ms?: number }
interface AuditRecord { contract?: { name?: string }; input?: unknown; hostCalls?: HostCall[] }

/** One run: the script, the input text given to it, what came back, and its audit record if one was written. */
export interface Run { file: string; input: string; result: RunResult; record?: AuditRecord; auditFile?: string }

/** The audit record's file for a run of `file` now: `<folder>/<time>-<script>.json`. */
export function auditFileFor(file: string, now = new Date()): string {
  const base = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file);
  const setting = vscode.workspace.getConfiguration('sandlua', vscode.Uri.file(file)).get<string>('run.auditFolder', '.sandlua/runs') || '.sandlua/runs';
  const folder = path.resolve(base, setting);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return path.join(folder, `${stamp}-${path.basename(file, '.lua')}.json`);
}

const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const json = (value: unknown): string => (value === undefined ? 'nil' : JSON.stringify(value, null, 2));

/** The panel's page for a run (everything from the run escaped; `nonce` admits the page's own style and script). */
export function runHtml(run: Run, nonce: string): string {
  const { result, record } = run;
  const name = path.basename(run.file);
  const status = result.ok ? '<span class="badge ok">ok</span>' : '<span class="badge error">error</span>';
  const parts: string[] = [];
  if (result.ok) {
    parts.push(`<h2>Output</h2><pre class="output">${esc(json(result.output))}</pre>`);
  } else {
    const error = result.error ?? { kind: 'unknown', message: 'the run failed without saying why' };
    const line = error.line !== undefined ? ` at <a href="#" data-action="line" data-line="${esc(error.line)}">line ${esc(error.line)}</a>` : '';
    parts.push(`<h2>Error</h2><p class="error"><span class="kind">${esc(error.kind)}</span>${line}</p><pre class="message">${esc(error.message)}</pre>`);
    if (result.onFailure) parts.push(`<p>The contract says on failure: <code>${esc(result.onFailure)}</code></p>`);
  }
  const calls = record?.hostCalls ?? [];
  parts.push(`<h2>Host calls (${calls.length})</h2>`);
  if (calls.length > 0) {
    const rows = calls.map((c) => `<tr><td><code>${esc(c.name)}</code></td><td><pre>${esc((c.args ?? []).map((a) => JSON.stringify(a)).join(', '))}</pre></td><td><pre>${c.error !== undefined ? `error: ${esc(c.error)}` : esc(json(c.result))}</pre></td><td>${c.ms !== undefined ? esc(c.ms) : ''}</td></tr>`);
    parts.push(`<table><thead><tr><th>function</th><th>arguments</th><th>result</th><th>ms</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }
  if (result.stats) {
    const s = result.stats;
    parts.push(`<h2>Used</h2><p class="stats">${esc(s.instructions)} instructions · ${esc(s.timeMs)} ms · ${esc(s.memoryBytes)} bytes of memory</p>`);
  }
  parts.push(`<h2>Input</h2><pre class="input">${esc(record?.input !== undefined ? json(record.input) : run.input)}</pre>`);
  const actions = [`<button data-action="again">Run again</button>`];
  if (run.auditFile) actions.push(`<button data-action="audit">Open audit record</button>`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<title>Run ${esc(name)}</title>
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
pre { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: .4em .6em; margin: .2em 0; white-space: pre-wrap; word-break: break-all; }
td pre { background: none; padding: 0; }
h2 { font-size: 1.05em; margin: 1.2em 0 .3em; }
.badge { padding: .1em .6em; border-radius: 1em; font-weight: bold; }
.ok { background: var(--vscode-testing-iconPassed, #2e7d32); color: #fff; }
.error .kind, .badge.error { background: var(--vscode-testing-iconFailed, #c62828); color: #fff; padding: .1em .5em; border-radius: .3em; }
table { border-collapse: collapse; } th, td { text-align: left; vertical-align: top; padding: .2em .8em .2em 0; border-bottom: 1px solid var(--vscode-panel-border); }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: .35em .9em; margin-right: .5em; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
a { color: var(--vscode-textLink-foreground); }
</style></head>
<body data-page="${nonce}">
<h1>${status} ${esc(name)}${record?.contract?.name ? ` <small>under ${esc(record.contract.name)}</small>` : ''}</h1>
<p>${actions.join('')}</p>
${parts.join('\n')}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.addEventListener('click', (event) => {
  const target = event.target.closest('[data-action]');
  if (!target) return;
  event.preventDefault();
  vscode.postMessage({ action: target.dataset.action, line: Number(target.dataset.line) || undefined });
});
vscode.postMessage({ action: 'ready', page: document.body.dataset.page });
</script>
</body></html>`;
}

export class Runner implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private last?: Run;
  /** The page last shown (for tests: the extension's API returns it). */
  html?: string;
  private page?: string;
  /** Whether the page last shown has loaded and run its script (it says so with its nonce). */
  ready = false;

  constructor(private readonly serverModule: string, private readonly channel: Channel) {}

  dispose(): void {
    this.panel?.dispose();
  }

  /** The command: the active script, its input asked for (default: the contract's example) unless given. */
  async command(args?: { input?: unknown }): Promise<Run | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Sandlua: Run Script is disabled in an untrusted workspace (it runs workspace code). Trust the workspace to run scripts.');
      return undefined;
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'lua' || editor.document.uri.scheme !== 'file') return undefined;
    await editor.document.save();
    const file = editor.document.uri.fsPath;
    let input: string | undefined;
    if (args && 'input' in args) input = JSON.stringify(args.input);
    else {
      input = await vscode.window.showInputBox({
        prompt: 'Input for the script (JSON)',
        value: JSON.stringify(defaultInput(file) ?? {}),
        validateInput: (text) => {
          try {
            JSON.parse(text);
            return undefined;
          } catch (error) {
            return `Not JSON: ${error instanceof Error ? error.message : String(error)}`;
          }
        },
      });
    }
    if (input === undefined) return undefined;
    return this.run(file, input);
  }

  /** Runs `file` with `input` (JSON text) and shows the result. */
  async run(file: string, input: string): Promise<Run> {
    const auditFile = auditFileFor(file);
    try {
      fs.mkdirSync(path.dirname(auditFile), { recursive: true });
    } catch (error) {
      const message = `Sandlua: cannot make the audit folder ${path.dirname(auditFile)} (setting sandlua.run.auditFolder): ${error instanceof Error ? error.message : String(error)}`;
      this.channel.appendLine(`[run] ${message}`);
      const run: Run = { file, input, result: { ok: false, error: { kind: 'setting', message } } };
      this.show(run);
      return run;
    }
    this.channel.appendLine(`[run] ${file} with input ${input}`);
    const { stdout, stderr } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Sandlua: running ${path.basename(file)}` }, () =>
      new Promise<{ stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [this.serverModule, 'run', file, '--json', '--input', input, '--audit', auditFile], { cwd: path.dirname(file), maxBuffer: 64 * 1024 * 1024 }, (_error, out, err) => resolve({ stdout: out, stderr: err }));
      }));
    if (stderr.trim()) this.channel.appendLine(stderr.trimEnd());
    let result: RunResult;
    try {
      result = JSON.parse(stdout) as RunResult;
    } catch {
      result = { ok: false, error: { kind: 'usage', message: (stderr || stdout).trim() || 'sandlua run printed nothing' } };
    }
    let record: AuditRecord | undefined;
    try {
      record = JSON.parse(fs.readFileSync(auditFile, 'utf8')) as AuditRecord;
    } catch {
      // No record: the run did not start (a usage error); the error above says why.
    }
    const run: Run = { file, input, result, record, auditFile: record ? auditFile : undefined };
    const summary = result.ok ? 'ok' : `${result.error?.kind ?? 'error'}: ${result.error?.message ?? ''}`;
    this.channel.appendLine(`[run] ${path.basename(file)}: ${summary}${result.stats ? ` (${result.stats.instructions} instructions, ${result.stats.timeMs} ms)` : ''}${run.auditFile ? `; audit record ${run.auditFile}` : ''}`);
    this.show(run);
    return run;
  }

  private show(run: Run): void {
    this.last = run;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('sandlua.run', 'Sandlua Run', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [] });
      this.panel.onDidDispose(() => { this.panel = undefined; });
      this.panel.webview.onDidReceiveMessage((m: { action?: string; line?: number; page?: string }) => {
        if (m.action === 'ready') this.ready = m.page === this.page;
        else void this.action(m);
      });
    }
    this.panel.title = `Run: ${path.basename(run.file)}`;
    this.page = randomBytes(16).toString('base64');
    this.ready = false;
    this.html = runHtml(run, this.page);
    this.panel.webview.html = this.html;
    this.panel.reveal(undefined, true);
  }

  /** A button or link in the panel (also what the extension's API lets a test press). */
  async action(message: { action?: string; line?: number }): Promise<void> {
    const run = this.last;
    if (!run) return;
    if (message.action === 'again') {
      await this.run(run.file, run.input);
    } else if (message.action === 'audit' && run.auditFile) {
      await vscode.window.showTextDocument(vscode.Uri.file(run.auditFile), { viewColumn: vscode.ViewColumn.Active });
    } else if (message.action === 'line' && typeof message.line === 'number' && message.line >= 1) {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(run.file));
      const line = doc.lineAt(Math.min(message.line, doc.lineCount) - 1);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: line.range });
    }
  }
}
