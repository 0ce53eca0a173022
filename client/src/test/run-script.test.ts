// Run Script in a real VS Code: the result panel (its page as rendered, kept by the extension's
// API), the audit records under .sandlua/runs (or the folder the setting names), escaping of what a
// script returns or throws, and the panel's actions (run again, open the audit record, go to the
// error's line). The workspace is a copy of examples/.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SandluaApi } from '../extension';
import { snapshot } from './snapshot';
import { sandlua } from './api';
import { folder, waitFor } from './util';

interface Run { file: string; auditFile?: string; result: { ok: boolean; error?: { kind: string; line?: number } } }

const dir = (): string => path.join(folder(), 'invoice-normalizer');
const runs = (sub = path.join('.sandlua', 'runs')): string[] => {
  const where = path.join(folder(), sub);
  return fs.existsSync(where) ? fs.readdirSync(where).sort() : [];
};

async function runFile(name: string, input: unknown): Promise<Run> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(dir(), name)));
  await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  const run = await vscode.commands.executeCommand<Run | undefined>('sandlua.runScript', { input });
  assert.ok(run, 'the command ran the script');
  return run;
}

describe('Run Script', () => {
  let api: SandluaApi;

  before(async () => {
    api = await sandlua();
  });

  it('shows the output, host calls, resources and input in a panel and writes the audit record under .sandlua/runs', async () => {
    const before = runs();
    const run = await runFile('normalize.lua', { vendor_name: 'ACME Corp.' });
    assert.equal(run.result.ok, true);
    const html = api.runHtml()!;
    assert.match(html, /<span class="badge ok">ok<\/span> normalize\.lua/);
    assert.match(html, /&#34;normalized_vendor&#34;: &#34;Acme&#34;/, 'the output, pretty');
    assert.match(html, /<code>lookup_vendor_alias<\/code><\/td><td><pre>&#34;ACME Corp\.&#34;<\/pre><\/td><td><pre>&#34;Acme&#34;<\/pre>/, 'the host call with its argument and result');
    assert.match(html, /\d+ instructions · [\d.]+ ms · \d+ bytes of memory/);
    assert.match(html, /<h2>Input<\/h2><pre class="input">\{\n {2}&#34;vendor_name&#34;: &#34;ACME Corp\.&#34;\n\}<\/pre>/);
    assert.match(html, /data-action="again">Run again/);
    assert.match(html, /data-action="audit">Open audit record/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'nonce-[^']+'; script-src 'nonce-[^']+';"/);
    const added = runs().filter((f) => !before.includes(f));
    assert.equal(added.length, 1, `one new audit record: ${added.join(', ')}`);
    assert.match(added[0], /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-normalize\.json$/);
    assert.equal(run.auditFile, path.join(folder(), '.sandlua', 'runs', added[0]));
    const record = JSON.parse(fs.readFileSync(run.auditFile!, 'utf8'));
    assert.equal(record.format, 'sandlua-audit/1');
    assert.match(api.channelText(), /\[run\] normalize\.lua: ok \(\d+ instructions/, 'the run is logged in the Sandlua channel');
    await waitFor('the panel\'s page to load and run its script under its policy', () => api.runPanelReady());
    await snapshot('run-script-panel');
  });

  it('runs again and opens the audit record from the panel', async () => {
    const before = runs().length;
    await api.runAction({ action: 'again' });
    assert.equal(runs().length, before + 1);
    await api.runAction({ action: 'audit' });
    const editor = await waitFor('the audit record', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.uri.fsPath.includes(`${path.sep}.sandlua${path.sep}runs${path.sep}`) ? e : undefined;
    });
    assert.match(editor.document.getText(), /"format": "sandlua-audit\/1"/);
  });

  it('escapes what the script returns: its output cannot inject markup', async () => {
    fs.writeFileSync(path.join(dir(), 'markup.lua'), 'return { normalized_vendor = "<img src=x onerror=alert(1)></pre><script>alert(2)</script>" }\n');
    const run = await runFile('markup.lua', { vendor_name: 'x' });
    assert.equal(run.result.ok, true);
    const html = api.runHtml()!;
    assert.ok(!html.includes('<img'), 'no tag from the output');
    assert.ok(!html.includes('<script>alert'), 'no script from the output');
    assert.match(html, /&#60;img src=x onerror=alert\(1\)&#62;&#60;\/pre&#62;&#60;script&#62;alert\(2\)&#60;\/script&#62;/);
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'only the page\'s own script');
  });

  it('shows an error with its kind, escaped message and a link to its line, which goes to the line', async () => {
    fs.writeFileSync(path.join(dir(), 'fails.lua'), 'local name = input.vendor_name\nerror("<b>no vendor</b> " .. name)\n');
    const run = await runFile('fails.lua', { vendor_name: 'ACME' });
    assert.equal(run.result.ok, false);
    const html = api.runHtml()!;
    assert.match(html, /<span class="badge error">error<\/span> fails\.lua/);
    assert.match(html, /<span class="kind">runtime<\/span> at <a href="#" data-action="line" data-line="2">line 2<\/a>/);
    assert.match(html, /fails\.lua:2: &#60;b&#62;no vendor&#60;\/b&#62; ACME/);
    await api.runAction({ action: 'line', line: 2 });
    const editor = await waitFor('the error line selected', () => {
      const e = vscode.window.activeTextEditor;
      return e && path.basename(e.document.uri.fsPath) === 'fails.lua' && e.selection.start.line === 1 ? e : undefined;
    });
    assert.equal(editor.document.getText(editor.selection), 'error("<b>no vendor</b> " .. name)');
  });

  it('shows an input the contract rejects as an input error', async () => {
    const run = await runFile('normalize.lua', { vendor_name: 5 });
    assert.equal(run.result.ok, false);
    assert.equal(run.result.error?.kind, 'input');
    assert.match(api.runHtml()!, /<span class="kind">input<\/span><\/p><pre class="message">input does not match the contract/);
  });

  it('writes audit records where sandlua.run.auditFolder says', async () => {
    const config = vscode.workspace.getConfiguration('sandlua');
    await config.update('run.auditFolder', 'audits/vendor', vscode.ConfigurationTarget.Workspace);
    try {
      const run = await runFile('normalize.lua', { vendor_name: 'ACME Corp.' });
      assert.equal(path.dirname(run.auditFile!), path.join(folder(), 'audits', 'vendor'));
      assert.equal(runs(path.join('audits', 'vendor')).length, 1);
    } finally {
      await config.update('run.auditFolder', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('says so in the panel when the audit folder cannot be made, and does not run', async () => {
    const config = vscode.workspace.getConfiguration('sandlua');
    await config.update('run.auditFolder', 'invoice-normalizer/normalize.lua/runs', vscode.ConfigurationTarget.Workspace);
    try {
      const run = await runFile('normalize.lua', { vendor_name: 'ACME Corp.' });
      assert.equal(run.result.ok, false);
      assert.equal(run.result.error?.kind, 'setting');
      assert.match(api.runHtml()!, /cannot make the audit folder .*normalize\.lua.runs \(setting sandlua\.run\.auditFolder\)/);
      assert.match(api.channelText(), /\[run\] Sandlua: cannot make the audit folder/);
    } finally {
      await config.update('run.auditFolder', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
