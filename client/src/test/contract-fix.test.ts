// Quick fixes that change the contract, in a real VS Code: "Grant `os.getenv` in sandlua.json" and
// "Declare host function …" are applied as the light bulb applies them (the action's edit, then its
// command, which opens the contract beside the script, unsaved); the contract's text is exactly
// the edit, and the script's diagnostics go. And a contract with an unknown key: one warning on
// the contract (no second report from a JSON Schema), its scripts still governed by it.
import { strict as assert } from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { snapshot } from './snapshot';
import { folder, waitFor } from './util';

async function write(file: string, text: string): Promise<vscode.Uri> {
  const uri = vscode.Uri.file(file);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
  return uri;
}

/** Applies a quick fix as the editor's light bulb does: its edit, then its command. */
async function applyFix(script: vscode.Uri, code: string, title: RegExp): Promise<vscode.CodeAction> {
  const diagnostic = await waitFor(`a ${code} diagnostic`, () => vscode.languages.getDiagnostics(script).find((d) => d.code === code));
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', script, diagnostic.range);
  const action = actions.find((a) => title.test(a.title));
  assert.ok(action, `no fix ${title} among ${JSON.stringify(actions.map((a) => a.title))}`);
  assert.ok(await vscode.workspace.applyEdit(action.edit!), 'the edit applies');
  assert.ok(action.command, 'the fix opens the contract');
  await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  return action;
}

describe('Sandlua in VS Code: quick fixes that edit the contract', () => {
  it('grants a standard function and declares a host function in sandlua.json, opened beside; the diagnostics go', async () => {
    const dir = path.join(folder(), 'contract-fix');
    const contractText = '{\n  "name": "mailer",\n  "scripts": ["*.lua"],\n  "host": {\n    "log": { "params": [{ "name": "msg", "type": "string" }] }\n  },\n  "stdlib": { "allow": ["os.time"] }\n}\n';
    const contract = await write(path.join(dir, 'sandlua.json'), contractText);
    const script = await write(path.join(dir, 'mail.lua'), 'local home = os.getenv("HOME")\nsend_email("ops@example.com", home, 3)\n');
    const doc = await vscode.workspace.openTextDocument(script);
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);

    const grant = await applyFix(script, 'forbidden', /^Grant `os\.getenv` in sandlua\.json$/);
    assert.deepEqual(grant.command?.arguments, [contract.toString()]);
    const opened = await waitFor('the contract opened beside', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === contract.fsPath));
    assert.equal(opened.viewColumn, vscode.ViewColumn.Two);
    assert.equal(opened.document.isDirty, true, 'left unsaved, for review');
    assert.equal(opened.document.getText(), contractText.replace('"allow": ["os.time"]', '"allow": ["os.time", "os.getenv"]'));
    await waitFor('forbidden gone', () => !vscode.languages.getDiagnostics(script).some((d) => d.code === 'forbidden'));

    await applyFix(script, 'ungranted-host', /^Declare host function `send_email\(arg1: string, home: string\?, arg3: integer\)` in sandlua\.json$/);
    assert.equal(opened.document.getText(), contractText
      .replace('"allow": ["os.time"]', '"allow": ["os.time", "os.getenv"]')
      .replace('"type": "string" }] }\n', `"type": "string" }] },
    "send_email": {
      "params": [
        { "name": "arg1", "type": "string" },
        { "name": "home", "type": "string?" },
        { "name": "arg3", "type": "integer" }
      ],
      "returns": "any"
    }
`));
    const after = await waitFor('the script clean', () => {
      const d = vscode.languages.getDiagnostics(script);
      return d.length === 0 ? d : undefined;
    });
    assert.deepEqual(after, []);
    await snapshot('contract-quick-fix', [{ text: 'sandlua.json', within: '.tabs-container' }]);
    await opened.document.save();
  });

  it('an unknown key in sandlua.json: one warning there, and its scripts still governed', async () => {
    const dir = path.join(folder(), 'contract-unknown-key');
    const contract = await write(path.join(dir, 'sandlua.json'), '{\n  "name": "typo",\n  "purpse": "a typo of purpose",\n  "host": { "notify": { "params": [{ "name": "text", "type": "string" }] } }\n}\n');
    const script = await write(path.join(dir, 'run.lua'), 'notify("hello")\nos.execute("ls")\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(script), vscode.ViewColumn.One);
    await vscode.workspace.openTextDocument(contract);
    const onContract = await waitFor('the contract warning', () => {
      const d = vscode.languages.getDiagnostics(contract);
      return d.length > 0 ? d : undefined;
    });
    assert.deepEqual(onContract.map((d) => [d.source, d.severity, d.range.start.line, d.message]), [
      ['sandlua', vscode.DiagnosticSeverity.Warning, 2, "unknown property 'purpse' (did you mean 'purpose'?)"],
    ]);
    // Governed by the contract: its host function is granted, and os.execute is judged by it by name.
    const onScript = await waitFor('the script checked', () => {
      const d = vscode.languages.getDiagnostics(script);
      return d.length > 0 ? d : undefined;
    });
    assert.deepEqual(onScript.map((d) => d.message), ['os.execute is not granted by typo (sandlua.json)']);
  });
});
