// Quick fixes that change the contract: what each finding offers (a JSON path and value), and the
// contract text each leaves, exactly, with the file's own layout kept; then the finding is gone
// under the edited contract.
import { strict as assert } from 'assert';
import { analyzeScript } from '../analysis/checker';
import type { Finding } from '../analysis/findings';
import { applyContractEdits, contractTextChange } from './edit';
import { parseManifest } from './manifest';

const CONTRACT = `{
  "name": "mail",
  "scripts": ["*.lua"],
  "input": { "type": "object", "properties": { "body": { "type": "string" } } },
  "output": {
    "type": "object",
    "properties": { "ok": { "type": "boolean" } },
    "additionalProperties": false
  },
  "host": {
    "log": { "params": [{ "name": "msg", "type": "string" }], "returns": "nil" }
  },
  "stdlib": { "allow": ["os.time"] }
}
`;

function findings(source: string, text = CONTRACT): Finding[] {
  const { manifest, problems } = parseManifest(text, '/w/sandlua.json');
  assert.ok(manifest, JSON.stringify(problems));
  return analyzeScript(source, 'a.lua', manifest).findings;
}

/** The one contract fix of the finding with this code, applied to the contract text. */
function applied(source: string, code: string, text = CONTRACT): { title: string; text: string } {
  const finding = findings(source, text).find((f) => f.code === code);
  assert.ok(finding, `no ${code}`);
  const fix = finding.fixes?.find((f) => f.contract);
  assert.ok(fix, `no contract fix on ${code}: ${JSON.stringify(finding.fixes)}`);
  assert.deepEqual(fix.edits, [], 'a contract fix leaves the script alone');
  return { title: fix.title, text: applyContractEdits(text, fix.contract!) };
}

describe('contract quick fixes', () => {
  it('grant a denied standard function in stdlib.allow, on the list\'s own line', () => {
    const fix = applied('local home = os.getenv("HOME")\nreturn { ok = home ~= nil }\n', 'forbidden');
    assert.equal(fix.title, 'Grant `os.getenv` in sandlua.json');
    assert.equal(fix.text, CONTRACT.replace('"allow": ["os.time"]', '"allow": ["os.time", "os.getenv"]'));
    assert.deepEqual(findings('local home = os.getenv("HOME")\nreturn { ok = home ~= nil }\n', fix.text).map((f) => f.code), []);
  });

  it('grant: makes stdlib.allow where the contract has none, and undoes a library-wide deny for one function', () => {
    const bare = '{\n  "name": "m"\n}\n';
    assert.equal(applied('io.write("x")', 'forbidden', bare).text, '{\n  "name": "m",\n  "stdlib": { "allow": ["io.write"] }\n}\n');
    const denied = '{\n  "name": "m",\n  "stdlib": {\n    "deny": ["string"]\n  }\n}\n';
    const fix = applied('return string.rep("x", 3)', 'forbidden', denied);
    assert.equal(fix.title, 'Grant `string.rep` in sandlua.json');
    assert.equal(fix.text, '{\n  "name": "m",\n  "stdlib": {\n    "deny": ["string"],\n    "allow": ["string.rep"]\n  }\n}\n');
    assert.deepEqual(findings('return string.rep("x", 3)', fix.text).map((f) => f.code), []);
  });

  it('grant: not offered for what the contract denies by name, for a whole library, or without a contract', () => {
    const denied = '{ "name": "m", "stdlib": { "deny": ["string.rep"] } }';
    const rep = findings('return string.rep("x", 3)', denied).find((f) => f.code === 'forbidden')!;
    const library = findings('local d = debug\nreturn d').find((f) => f.code === 'forbidden')!;
    const none = analyzeScript('os.getenv("x")', 'a.lua', undefined).findings.find((f) => f.code === 'forbidden')!;
    // Only the suppression comment is offered.
    for (const f of [rep, library, none]) assert.deepEqual(f.fixes ?? [], []);
  });

  it('declare a called host function, its parameters named and typed from the call', () => {
    const script = 'local to = "a@b.c"\nsend_email(to, input.body, 3, {1, 2}, nil)\nreturn { ok = true }\n';
    const fix = applied(script, 'ungranted-host');
    assert.equal(fix.title, 'Declare host function `send_email(to: string, body: string?, arg3: integer, arg4: table, arg5: any)` in sandlua.json');
    assert.equal(fix.text, CONTRACT.replace('"returns": "nil" }\n', `"returns": "nil" },
    "send_email": {
      "params": [
        { "name": "to", "type": "string" },
        { "name": "body", "type": "string?" },
        { "name": "arg3", "type": "integer" },
        { "name": "arg4", "type": "table" },
        { "name": "arg5", "type": "any" }
      ],
      "returns": "any"
    }
`));
    assert.deepEqual(findings(script, fix.text).map((f) => f.code), []);
  });

  it('declare: a field of a host table, and variadic arguments; no declaration for a near miss of a granted name', () => {
    const tools = '{\n  "name": "m",\n  "host": {\n    "tools.a": {}\n  }\n}\n';
    const fix = applied('local function f(...) tools.notify("x", ...) end\nf()', 'ungranted-host', tools);
    assert.equal(fix.title, 'Declare host function `tools.notify(arg1: string, ...)` in sandlua.json');
    assert.equal(fix.text, `{
  "name": "m",
  "host": {
    "tools.a": {},
    "tools.notify": {
      "params": [
        { "name": "arg1", "type": "string" },
        { "name": "...", "type": "any" }
      ],
      "returns": "any"
    }
  }
}
`);
    const typo = findings('lgo("x")\nreturn { ok = true }').find((f) => f.code === 'ungranted-host')!;
    assert.deepEqual(typo.fixes?.map((f) => f.title), ["Change to 'log'"]);
  });

  it('add a returned field the output schema does not declare, typed as returned', () => {
    for (const [value, schema] of [['2', '{ "type": "integer" }'], ['"x"', '{ "type": "string" }'], ['1.5', '{ "type": "number" }'], ['{ a = 1 }', '{ "type": "object" }'], ['input.x', '{}']]) {
      const script = `return { ok = true, count = ${value} }\n`;
      const fix = applied(script, 'output-shape');
      assert.equal(fix.title, 'Add field `count` to the output schema');
      assert.equal(fix.text, CONTRACT.replace('"properties": { "ok": { "type": "boolean" } }', `"properties": { "ok": { "type": "boolean" }, "count": ${schema} }`));
      assert.deepEqual(findings(script, fix.text).filter((f) => f.code === 'output-shape'), [], value);
    }
    // A near miss of a declared field: only the correction.
    const typo = findings('return { okk = true }\n').find((f) => f.code === 'output-shape')!;
    assert.deepEqual(typo.fixes?.map((f) => f.title), ["Change to 'ok'"]);
    // A table filled field by field, then returned.
    const built = applied('local out = { ok = true }\nout.total = 3\nreturn out\n', 'output-shape');
    assert.equal(built.text, CONTRACT.replace('"properties": { "ok": { "type": "boolean" } }', '"properties": { "ok": { "type": "boolean" }, "total": { "type": "integer" } }'));
  });

  it('edits keep the file\'s layout: indentation, tabs, CRLF, multi-line lists', () => {
    const tabs = '{\r\n\t"name": "t",\r\n\t"stdlib": {\r\n\t\t"allow": [\r\n\t\t\t"load"\r\n\t\t]\r\n\t}\r\n}\r\n';
    assert.equal(applyContractEdits(tabs, [{ path: ['stdlib', 'allow'], value: 'os.getenv', append: true }]),
      '{\r\n\t"name": "t",\r\n\t"stdlib": {\r\n\t\t"allow": [\r\n\t\t\t"load",\r\n\t\t\t"os.getenv"\r\n\t\t]\r\n\t}\r\n}\r\n');
    assert.equal(applyContractEdits('{\n    "name": "four"\n}', [{ path: ['host', 'f'], value: { params: [], returns: 'any' } }]),
      '{\n    "name": "four",\n    "host": { "f": { "params": [], "returns": "any" } }\n}');
    assert.equal(applyContractEdits('{"name": "x", "stdlib": {"allow": []}}', [{ path: ['stdlib', 'allow'], value: 'load', append: true }]),
      '{"name": "x", "stdlib": {"allow": ["load"]}}');
    // One minimal change: only the inserted text.
    assert.deepEqual(contractTextChange('{ "a": [1] }', [{ path: ['a'], value: 2, append: true }]), { start: 9, end: 9, newText: ', 2' });
    // A byte-order mark stays; nothing sound to edit: a syntax error (mid-edit), not an object, a path through a value of another kind.
    assert.equal(applyContractEdits('\uFEFF{ "a": [1] }', [{ path: ['a'], value: 2, append: true }]), '\uFEFF{ "a": [1, 2] }');
    assert.equal(contractTextChange('{ "a": [1], }', [{ path: ['a'], value: 2, append: true }]), undefined);
    assert.equal(contractTextChange('[1]', [{ path: ['a'], value: 1 }]), undefined);
    assert.equal(contractTextChange('{ "stdlib": 3 }', [{ path: ['stdlib', 'allow'], value: 'x', append: true }]), undefined);
  });
});
