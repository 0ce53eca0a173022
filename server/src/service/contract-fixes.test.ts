// The language service and contracts: quick fixes that edit sandlua.json (as it stands, open and
// unsaved or on disk), contracts' problems reported once, an unknown key leaving scripts governed,
// and completion and hover inside a contract from its schema.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LanguageService, type CodeAction, type Range, type TextEdit } from './service';

const CONTRACT = `{
  "name": "mail",
  "scripts": ["*.lua"],
  "host": {
    "log": { "params": [{ "name": "msg", "type": "string" }], "returns": "nil" }
  },
  "stdlib": { "allow": ["os.time"] }
}
`;

const SCRIPT = 'local home = os.getenv("HOME")\nsend_email("a@b.c", home)\n';

/** Applies LSP-style edits (0-based lines and characters) to a text. */
function apply(text: string, edits: TextEdit[]): string {
  const offsets = text.split('\n').reduce<number[]>((acc, line) => [...acc, acc[acc.length - 1] + line.length + 1], [0]);
  const at = (p: { line: number; character: number }) => offsets[p.line] + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => at(b.range.start) - at(a.range.start))) out = out.slice(0, at(e.range.start)) + e.newText + out.slice(at(e.range.end));
  return out;
}

const WHOLE: Range = { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } };

describe('language service: quick fixes that edit the contract', () => {
  let dir: string;
  let contract: string;
  let script: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-contractfix-'));
    contract = path.join(dir, 'sandlua.json');
    script = path.join(dir, 'mail.lua');
    fs.writeFileSync(contract, CONTRACT);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const contractActions = (service: LanguageService): CodeAction[] => service.codeActions(script, WHOLE).filter((a) => a.contract);

  it('edit the contract file as on disk: grant, declare; the script itself untouched', () => {
    const service = new LanguageService();
    service.open(script, SCRIPT, 1);
    const actions = contractActions(service);
    assert.deepEqual(actions.map((a) => [a.title, a.diagnostic?.code, a.edits, a.contract?.path]), [
      ['Grant `os.getenv` in sandlua.json', 'forbidden', [], contract],
      ['Declare host function `send_email(arg1: string, home: string?)` in sandlua.json', 'ungranted-host', [], contract],
    ]);
    assert.deepEqual(actions[0].contract!.edits, [{ range: { start: { line: 6, character: 33 }, end: { line: 6, character: 33 } }, newText: ', "os.getenv"' }]);
    assert.equal(apply(CONTRACT, actions[1].contract!.edits), CONTRACT.replace('"returns": "nil" }\n', `"returns": "nil" },
    "send_email": {
      "params": [
        { "name": "arg1", "type": "string" },
        { "name": "home", "type": "string?" }
      ],
      "returns": "any"
    }
`));
  });

  it('edit the contract as open in the editor, unsaved; once applied there, the findings are gone', () => {
    const service = new LanguageService();
    service.open(script, SCRIPT, 1);
    // The contract is open with an unsaved change: the edit is computed on that text.
    let text = CONTRACT.replace('"allow": ["os.time"]', '"allow": ["os.time", "os.date"]');
    service.open(contract, text, 1);
    const grant = contractActions(service)[0];
    assert.deepEqual(grant.contract!.edits, [{ range: { start: { line: 6, character: 44 }, end: { line: 6, character: 44 } }, newText: ', "os.getenv"' }]);
    text = apply(text, grant.contract!.edits);
    service.change(contract, text, 2);
    const declare = contractActions(service)[0];
    assert.match(declare.title, /^Declare host function `send_email/);
    text = apply(text, declare.contract!.edits);
    service.change(contract, text, 3);
    assert.deepEqual(service.diagnostics(script).map((d) => d.code), []);
    assert.deepEqual(service.diagnostics(contract), []);
  });

  it('add a returned field to the output schema', () => {
    fs.writeFileSync(contract, '{\n  "name": "o",\n  "output": {\n    "type": "object",\n    "properties": {\n      "ok": { "type": "boolean" }\n    },\n    "additionalProperties": false\n  }\n}\n');
    const service = new LanguageService();
    service.open(script, 'return { ok = true, note = "x" }\n', 1);
    const [action] = contractActions(service);
    assert.equal(action.title, 'Add field `note` to the output schema');
    assert.equal(apply(fs.readFileSync(contract, 'utf8'), action.contract!.edits),
      '{\n  "name": "o",\n  "output": {\n    "type": "object",\n    "properties": {\n      "ok": { "type": "boolean" },\n      "note": { "type": "string" }\n    },\n    "additionalProperties": false\n  }\n}\n');
  });

  it('an unknown key is one warning on the contract, and its scripts stay governed', () => {
    fs.writeFileSync(contract, CONTRACT.replace('"scripts"', '"purpse": "typo",\n  "scripts"'));
    const service = new LanguageService();
    service.open(script, SCRIPT, 1);
    assert.deepEqual(service.diagnostics(contract).map((d) => [d.severity, d.range.start.line, d.message]), [
      ['warning', 2, "unknown property 'purpse' (did you mean 'purpose'?)"],
    ]);
    assert.deepEqual(service.contractInfo(script), { name: 'mail', path: contract, broken: false });
    // Judged under the contract (its host function log is granted), not under deny-all.
    assert.deepEqual(service.diagnostics(script).map((d) => d.message), [
      'os.getenv is not granted by mail (sandlua.json)',
      "'send_email' is not a host function granted by mail (sandlua.json). Granted: log.",
    ]);
  });

  it('completes and explains a contract from its schema', () => {
    const service = new LanguageService();
    const text = '{\n  "name": "c",\n  "",\n  "onFailure": "r"\n}\n';
    service.open(contract, text, 1);
    const keys = service.completion(contract, { line: 2, character: 3 });
    assert.ok(keys.some((k) => k.label === 'limits' && k.snippet === 'limits": {$1}'), JSON.stringify(keys.map((k) => k.label)));
    assert.ok(!keys.some((k) => k.label === 'name' || k.label === 'onFailure'), 'keys already present are not offered');
    const values = service.completion(contract, { line: 3, character: 16 }).map((v) => v.label);
    assert.deepEqual(values, ['"reject"', '"manual-review"', '"fallback"', '"retry"', '"skip-tool"']);
    // A whole host function from the schema's snippet.
    service.change(contract, '{\n  "name": "c",\n  "host": { "f":  }\n}\n', 2);
    const snippets = service.completion(contract, { line: 2, character: 17 });
    assert.deepEqual(snippets.map((i) => [i.label, i.snippet]), [
      ['host function', '{ "doc": "$1", "params": [{ "name": "$2", "type": "${3:string}" }], "returns": "${4:nil}" }'],
    ]);
    service.change(contract, text, 3);
    const hover = service.hover(contract, { line: 1, character: 4 });
    assert.match(hover!.contents, /^\*\*Name\*\*\n\nThe contract name/);
    assert.deepEqual(hover!.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 8 } });
  });
});
