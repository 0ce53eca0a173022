// The contract's validator generated with ajv's standalone code (what scripts/bundle.mjs writes and
// every command loads) agrees with ajv compiling CONTRACT_SCHEMA at run time: the same verdict and
// the same errors on every contract fixture, the examples, and values broken on purpose; and the
// generated draft-07 meta-schema validator agrees with ajv's on declared schemas.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { ValidateFunction } from 'ajv';
import { contractBuildSource, contractValidatorSource } from './contract-validator';
import { compileContractValidator, DRAFT7_META, GENERATED_BUILD, GENERATED_VALIDATOR, generatedValidators, newAjv } from './validate';

const root = path.join(__dirname, '..', '..', '..');

/** Every contract the repository has as a fixture or an example, parsed (syntax fixtures left out). */
function contracts(): [string, unknown][] {
  const files = [
    ...fs.readdirSync(path.join(root, 'lua/test/contract')).filter((f) => f.endsWith('.json')).map((f) => path.join(root, 'lua/test/contract', f)),
    ...fs.readdirSync(path.join(root, 'examples')).map((f) => path.join(root, 'examples', f, 'sandlua.json')),
    ...['severity/mapped', 'severity/plain', 'cli/project'].map((f) => path.join(root, 'test/fixtures', f, 'sandlua.json')),
  ].filter((f) => fs.existsSync(f));
  const out: [string, unknown][] = [];
  for (const file of files) {
    try {
      out.push([path.relative(root, file), JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''))]);
    } catch {
      // A fixture of a JSON syntax error: the loader stops before the schema.
    }
  }
  return out;
}

/** Variants that break each part of a contract the schema governs. */
function broken(contract: unknown): unknown[] {
  if (typeof contract !== 'object' || contract === null || Array.isArray(contract)) return [];
  const c = contract as Record<string, unknown>;
  return [
    { ...c, name: 7 },
    { ...c, limits: { instructions: -1, timeMs: 'soon', extra: true } },
    { ...c, host: { 'bad name!': { params: 'none' } } },
    { ...c, stdlib: { allow: [1, 'os.time'], deny: 'all' } },
    { ...c, onFailure: 'explode', approval: { owner: [] } },
    { ...c, scripts: [], unknownTopLevel: 1 },
  ];
}

function outcome(validate: ValidateFunction, value: unknown): unknown {
  const valid = validate(value);
  return { valid, errors: validate.errors ?? null };
}

describe('generated contract validator', () => {
  const file = path.join(__dirname, 'contract-validator.test-generated.js');
  let generated: { validate: ValidateFunction; validateDraft7: ValidateFunction };
  before(() => {
    fs.writeFileSync(file, contractValidatorSource());
    generated = require(file);
  });
  after(() => fs.rmSync(file, { force: true }));

  it('agrees with ajv compiling CONTRACT_SCHEMA on every fixture, example and broken variant', () => {
    const compiled = compileContractValidator();
    const values = contracts();
    assert.ok(values.length >= 25, `found ${values.length} contracts`);
    let invalid = 0;
    for (const [name, value] of values) {
      for (const [i, variant] of [value, ...broken(value)].entries()) {
        const expected = outcome(compiled, variant);
        assert.deepEqual(outcome(generated.validate, variant), expected, `${name} (variant ${i})`);
        if (!(expected as { valid: boolean }).valid) invalid++;
      }
    }
    assert.ok(invalid > values.length, `only ${invalid} invalid values were compared`);
  });

  it("agrees with ajv's own draft-07 meta-schema check on declared schemas", () => {
    const ajv = newAjv({ allErrors: true, verbose: true, strict: false, validateFormats: false, logger: false });
    const metaCompiled = ajv.getSchema(DRAFT7_META);
    assert.ok(metaCompiled);
    const schemas: unknown[] = [true, {}, { type: 'string' }, { type: 'strng' }, { type: 5 }, { minLength: -1 }, { required: 'x' },
      { properties: { a: { type: ['string', 'null'] } }, additionalProperties: false }, { enum: [] }, { items: [{ type: 'integer' }, 3] }];
    for (const [, value] of contracts()) {
      const c = value as Record<string, unknown>;
      if (c && typeof c === 'object') for (const key of ['input', 'output']) if (key in c) schemas.push(c[key]);
    }
    for (const schema of schemas) {
      assert.deepEqual(outcome(generated.validateDraft7, schema), outcome(metaCompiled, schema), JSON.stringify(schema));
    }
  });

  it("the build's generated files (npm run build) are today's and are the ones in use", () => {
    const source = contractValidatorSource();
    for (const [name, expected] of [[GENERATED_VALIDATOR, source], [GENERATED_BUILD, contractBuildSource(source)]]) {
      const built = path.join(__dirname, name);
      assert.ok(fs.existsSync(built), `${path.relative(root, built)} is missing: run npm run build`);
      assert.equal(fs.readFileSync(built, 'utf8'), expected, `${path.relative(root, built)} is stale: run npm run build`);
    }
    assert.equal(generatedValidators()?.validate, require(path.join(__dirname, GENERATED_VALIDATOR)).validate);
  });
});
