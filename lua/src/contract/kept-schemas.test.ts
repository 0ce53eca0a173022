// The validators of declared schemas kept between processes (validate.ts's keepCompiledSchemas): a
// first process compiles them with ajv and writes their standalone code; the next loads that code
// without loading ajv at all and says exactly what ajv's validators said (patterns, string lengths
// and enums included, which the code reaches through its runtime helpers); a file that is not what
// it should be (another schema's, or broken) is not used, and is written again. The patterns a
// contract declares that compiled are kept too: a later process checks the contract and loads the
// kept validator without re2js, which it loads only when data reaches a pattern. The contracts found
// valid are kept too: a later process loads the same contract without the generated validators.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const engine = path.join(__dirname, '..', 'index.js');

const SCHEMA = {
  type: 'object',
  properties: {
    code: { type: 'string', pattern: '^[A-Z]{3}$', minLength: 3 },
    kind: { enum: ['a', { deep: [1, 2] }] },
    n: { type: 'integer', minimum: 0 },
  },
  required: ['code', 'n'],
  additionalProperties: false,
};
const VALUES = [{ code: 'ABC', n: 1, kind: 'a' }, { code: 'ab', n: -1, kind: { deep: [1, 3] }, extra: true }, { kind: { deep: [1, 2] } }, 'text'];

/** One process: validates VALUES with validators kept in `folder` (undefined: none kept); its messages and whether it loaded ajv. */
function run(folder: string | undefined): { messages: string[][]; ajv: boolean } {
  const program = `
    const L = require(${JSON.stringify(engine)});
    if (${JSON.stringify(folder ?? null)} !== null) L.keepCompiledSchemas(${JSON.stringify(folder ?? null)});
    const messages = ${JSON.stringify(VALUES)}.map((v) => L.validateValue(${JSON.stringify(SCHEMA)}, v).map((m) => m.message));
    const ajv = Object.keys(require.cache).some((k) => k.endsWith('ajv-compiler.js'));
    process.stdout.write(JSON.stringify({ messages, ajv }));`;
  return spawn(program);
}

/** Runs `program` in a process of its own; what it wrote, as JSON. */
function spawn<T>(program: string): T {
  const r = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

/**
 * One process: loads a contract whose input declares SCHEMA and whose host function's parameter
 * has `pattern`, then validates `values` against the input schema: the contract's problems, the
 * messages, and whether it loaded re2js.
 */
function runContract(folder: string | undefined, pattern: string, values: unknown[]): { messages: string[][]; problems: string[]; re2js: boolean } {
  const contract = JSON.stringify({
    name: 'kept', purpose: 'Kept patterns.', scripts: ['*.lua'], input: SCHEMA, output: { type: 'object' },
    host: { lookup: { params: [{ name: 'key', type: 'string', pattern }], returns: 'integer' } },
  });
  const program = `
    const L = require(${JSON.stringify(engine)});
    if (${JSON.stringify(folder ?? null)} !== null) L.keepCompiledSchemas(${JSON.stringify(folder ?? null)});
    const loaded = L.parseManifest(${JSON.stringify(contract)}, 'sandlua.json');
    const problems = loaded.problems.map((p) => p.message);
    const messages = ${JSON.stringify(values)}.map((v) => L.validateValue(${JSON.stringify(SCHEMA)}, v).map((m) => m.message));
    const re2js = Object.keys(require.cache).some((k) => /[\\/]re2js[\\/]/.test(k));
    process.stdout.write(JSON.stringify({ messages, problems, re2js }));`;
  return spawn(program);
}

/**
 * One process: loads each contract of `contracts` (as the text of a sandlua.json); the problems
 * of each, and whether it loaded the generated validators.
 */
function runContracts(folder: string | undefined, contracts: string[]): { problems: string[][]; validators: boolean } {
  const program = `
    const L = require(${JSON.stringify(engine)});
    if (${JSON.stringify(folder ?? null)} !== null) L.keepCompiledSchemas(${JSON.stringify(folder ?? null)});
    const problems = ${JSON.stringify(contracts)}.map((c) => L.parseManifest(c, 'sandlua.json').problems.map((p) => p.message));
    const validators = Object.keys(require.cache).some((k) => k.endsWith('contract-validator.generated.js'));
    process.stdout.write(JSON.stringify({ problems, validators }));`;
  return spawn(program);
}

describe('declared schemas kept between processes', () => {
  let folder: string;
  beforeEach(() => { folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-kept-')); });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('compiles once, then loads the kept code without ajv and says the same', () => {
    const plain = run(undefined);
    assert.ok(plain.ajv);
    assert.ok(plain.messages[0].length === 0 && plain.messages[1].length >= 4 && plain.messages[3].length === 1, JSON.stringify(plain.messages));
    const first = run(folder);
    assert.ok(first.ajv, 'the first process compiles');
    assert.deepEqual(first.messages, plain.messages);
    const kept = fs.readdirSync(folder);
    assert.equal(kept.length, 1);
    const second = run(folder);
    assert.equal(second.ajv, false, 'the next process does not load ajv');
    assert.deepEqual(second.messages, plain.messages);
  });

  it('does not use a kept file that is not the schema\'s own, and writes it again', () => {
    run(folder);
    const [name] = fs.readdirSync(folder);
    const file = path.join(folder, name);
    const good = fs.readFileSync(file, 'utf8');
    for (const bad of [good.replace(/^\/\/ [^\n]*/, '// "{}"'), good.slice(0, good.length / 2), 'module.exports = () => true;\n']) {
      fs.writeFileSync(file, bad);
      const again = run(folder);
      assert.ok(again.ajv, 'compiled again');
      assert.deepEqual(again.messages, run(undefined).messages);
      assert.equal(fs.readFileSync(file, 'utf8'), good, 'written again');
    }
  });

  it('keeps the patterns that compiled: a later process checks the contract and validates without re2js until data reaches a pattern', () => {
    const withoutCode = [{ n: 1 }, { n: -1, extra: true }];
    const plain = runContract(undefined, '^[a-z]+$', withoutCode);
    assert.ok(plain.re2js, 'checking the patterns loads re2js');
    assert.deepEqual(plain.problems, []);
    const first = runContract(folder, '^[a-z]+$', withoutCode);
    assert.ok(first.re2js, 'the first process compiles the patterns');
    assert.deepEqual(first, plain);
    assert.equal(fs.readdirSync(folder).filter((f) => f.startsWith('pattern-')).length, 2, 'the input\'s pattern and the parameter\'s');
    const second = runContract(folder, '^[a-z]+$', withoutCode);
    assert.equal(second.re2js, false, 'the next process loads no re2js');
    assert.deepEqual(second.messages, plain.messages);
    assert.deepEqual(second.problems, []);
    // Data that reaches the pattern loads it, and the messages are the same.
    const withCode = [{ code: 'ABC', n: 1 }, { code: 'abc', n: 1 }];
    const reached = runContract(folder, '^[a-z]+$', withCode);
    assert.ok(reached.re2js);
    assert.deepEqual(reached.messages, runContract(undefined, '^[a-z]+$', withCode).messages);
    assert.ok(reached.messages[1].some((m) => /pattern/.test(m)), JSON.stringify(reached.messages));
    // A pattern RE2 refuses is a problem in every process, and is never kept.
    const patterns = (): string[] => fs.readdirSync(folder).filter((f) => f.startsWith('pattern-'));
    const before = patterns().length;
    for (let i = 0; i < 2; i++) {
      const bad = runContract(folder, '^(a)\\1$', withoutCode);
      assert.equal(bad.problems.length, 1, JSON.stringify(bad.problems));
      assert.match(bad.problems[0], /backreferences/);
    }
    assert.equal(patterns().length, before);
    // A kept file that is not the pattern's own is not trusted.
    for (const name of fs.readdirSync(folder).filter((f) => f.startsWith('pattern-'))) fs.writeFileSync(path.join(folder, name), '// "other"\n');
    assert.ok(runContract(folder, '^[a-z]+$', withoutCode).re2js);
    assert.equal(runContract(folder, '^[a-z]+$', withoutCode).re2js, false, 'written again');
  });
  it('keeps the contracts found valid: a later process loads the same contract without the generated validators, and says the same', () => {
    const valid = JSON.stringify({ name: 'kept', purpose: 'Kept contracts.', scripts: ['*.lua'], limits: { instructions: 1000 } });
    const invalid = JSON.stringify({ name: 'kept', purpose: 'Kept contracts.', limits: { instructions: 'many' }, unknownField: 1 });
    const plain = runContracts(undefined, [valid, invalid]);
    assert.deepEqual(plain.problems[0], []);
    assert.ok(plain.problems[1].length >= 2, JSON.stringify(plain.problems));
    const first = runContracts(folder, [valid]);
    assert.ok(first.validators, 'the first process validates');
    assert.deepEqual(first.problems, [[]]);
    const kept = fs.readdirSync(folder).filter((f) => f.startsWith('contract-'));
    assert.equal(kept.length, 1);
    const second = runContracts(folder, [valid]);
    assert.equal(second.validators, false, 'the next process does not load the validators');
    assert.deepEqual(second.problems, [[]]);
    // One found invalid is never kept, and says the same in every process.
    for (let i = 0; i < 2; i++) assert.deepEqual(runContracts(folder, [invalid]).problems, [plain.problems[1]]);
    assert.equal(fs.readdirSync(folder).filter((f) => f.startsWith('contract-')).length, 1);
    // A kept file that is not the contract's own (a hash collision, a file cut short) is not trusted, and is written again.
    const file = path.join(folder, kept[0]);
    const good = fs.readFileSync(file, 'utf8');
    for (const bad of [`// ${JSON.stringify(invalid)}\n`, good.slice(0, good.length / 2)]) {
      fs.writeFileSync(file, bad);
      const again = runContracts(folder, [valid]);
      assert.ok(again.validators, 'validated again');
      assert.deepEqual(again.problems, [[]]);
      assert.equal(fs.readFileSync(file, 'utf8'), good, 'written again');
    }
  });
});
