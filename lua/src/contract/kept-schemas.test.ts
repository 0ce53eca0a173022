// The validators of declared schemas kept between processes (validate.ts's keepCompiledSchemas): a
// first process compiles them with ajv and writes their standalone code; the next loads that code
// without loading ajv at all and says exactly what ajv's validators said (patterns, string lengths
// and enums included, which the code reaches through its runtime helpers); a file that is not what
// it should be (another schema's, or broken) is not used, and is written again.
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
  const r = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { messages: string[][]; ajv: boolean };
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
});
