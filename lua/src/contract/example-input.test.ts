// The default input from a contract: the schema's example or default, else a minimal value built
// from the schema; checked by the engine's validator and, for the example contracts, by a real run.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { exampleInput } from './example-input';
import { loadManifest } from './manifest';
import type { JsonSchema } from './types';
import { Sandbox } from '../sandbox/sandbox';

const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples');

describe('default input from the contract', () => {
  const folders = fs.readdirSync(EXAMPLES).filter((name) => fs.existsSync(path.join(EXAMPLES, name, 'sandlua.json')));

  it('covers every example contract', () => {
    assert.ok(folders.length >= 2, folders.join(', '));
  });

  for (const folder of folders) {
    it(`is accepted by a run's input check: examples/${folder}`, async () => {
      const loaded = loadManifest(path.join(EXAMPLES, folder, 'sandlua.json'));
      assert.ok(loaded.manifest, JSON.stringify(loaded.problems));
      const input = exampleInput(loaded.manifest.input);
      assert.deepEqual(input.problems, []);
      const result = await new Sandbox({ manifest: loaded.manifest }).run('error("reached the script", 0)', input.value, { name: 'probe.lua' });
      assert.ok(!result.ok);
      assert.equal(result.error.kind, 'runtime', result.error.message);
      assert.match(result.error.message, /reached the script/);
    });
  }

  it('uses the schema\'s examples[0], then its default', () => {
    const loaded = loadManifest(path.join(EXAMPLES, 'pricing-rules', 'sandlua.json'));
    assert.deepEqual(exampleInput(loaded.manifest!.input), {
      value: { amount: 120, region: 'eu', discount: 0.1, weight_kg: 2.5 }, origin: 'examples', problems: [],
    });
    const schema = { type: 'object', required: ['a'], properties: { a: { type: 'integer' } }, default: { a: 7 } };
    assert.deepEqual(exampleInput(schema), { value: { a: 7 }, origin: 'default', problems: [] });
  });

  it('skips an example the schema rejects and builds instead', () => {
    const schema = { type: 'object', required: ['a'], properties: { a: { type: 'integer' } }, examples: [{ a: 'x' }] };
    assert.deepEqual(exampleInput(schema), { value: { a: 0 }, origin: 'built', problems: [] });
  });

  it('without an input schema is an empty object', () => {
    assert.deepEqual(exampleInput(undefined), { value: {}, origin: 'none', problems: [] });
    assert.deepEqual(exampleInput(true), { value: {}, origin: 'none', problems: [] });
    assert.deepEqual(exampleInput({}).value, {});
  });

  const built: [string, JsonSchema, unknown][] = [
    ['required properties only, by type', {
      type: 'object', required: ['s', 'i', 'n', 'b', 'a', 'o'],
      properties: { s: { type: 'string' }, i: { type: 'integer' }, n: { type: 'number' }, b: { type: 'boolean' }, a: { type: 'array' }, o: { type: 'object' }, extra: { type: 'string' } },
    }, { s: '', i: 0, n: 0, b: false, a: [], o: {} }],
    ['enum and const', {
      type: 'object', required: ['level', 'kind', 'n'],
      properties: { level: { type: 'string', enum: ['low', 'high'] }, kind: { const: 'invoice' }, n: { enum: [3, 4] } },
    }, { level: 'low', kind: 'invoice', n: 3 }],
    ['minLength and maxLength', { type: 'object', required: ['code'], properties: { code: { type: 'string', minLength: 3, maxLength: 3 } } }, { code: 'xxx' }],
    ['minimum, exclusiveMinimum, negative maximum, multipleOf', {
      type: 'object', required: ['a', 'b', 'c', 'd', 'e'],
      properties: {
        a: { type: 'integer', minimum: 5 }, b: { type: 'number', minimum: 0.5 }, c: { type: 'integer', exclusiveMinimum: 0 },
        d: { type: 'integer', maximum: -2 }, e: { type: 'integer', minimum: 1, multipleOf: 5 },
      },
    }, { a: 5, b: 0.5, c: 1, d: -2, e: 5 }],
    ['nested required objects', {
      type: 'object', required: ['customer'],
      properties: { customer: { type: 'object', required: ['id', 'address'], properties: { id: { type: 'integer', minimum: 1 }, address: { type: 'object', required: ['country'], properties: { country: { type: 'string', enum: ['DE', 'FR'] } } }, note: { type: 'string' } } } },
    }, { customer: { id: 1, address: { country: 'DE' } } }],
    ['arrays with minItems (items and tuples)', {
      type: 'object', required: ['tags', 'lines', 'pair'],
      properties: {
        tags: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 2 },
        lines: { type: 'array', items: { type: 'object', required: ['qty'], properties: { qty: { type: 'integer', minimum: 1 } } }, minItems: 1 },
        pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }], minItems: 2 },
      },
    }, { tags: ['x', 'x'], lines: [{ qty: 1 }], pair: ['', 0] }],
    ['a nested default or example of the right type', {
      type: 'object', required: ['currency', 'rate'],
      properties: { currency: { type: 'string', default: 'EUR' }, rate: { type: 'number', examples: [1.5] } },
    }, { currency: 'EUR', rate: 1.5 }],
    ['local $ref, allOf and anyOf', {
      type: 'object', required: ['item', 'both', 'either'],
      definitions: { item: { type: 'object', required: ['sku'], properties: { sku: { type: 'string', minLength: 2 } } } },
      properties: {
        item: { $ref: '#/definitions/item' },
        both: { allOf: [{ $ref: '#/definitions/item' }, { required: ['count'], properties: { count: { type: 'integer', minimum: 2 } } }] },
        either: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
      },
    }, { item: { sku: 'xx' }, both: { sku: 'xx', count: 2 }, either: false }],
    ['a type list takes the first type', { type: 'object', required: ['v'], properties: { v: { type: ['integer', 'null'] } } }, { v: 0 }],
    ['a cycle of references ends', {
      type: 'object', required: ['next'], properties: { next: { $ref: '#' } },
    }, undefined],
  ];
  for (const [what, schema, expected] of built) {
    it(`builds a minimal valid value: ${what}`, () => {
      const input = exampleInput(schema);
      assert.equal(input.origin, 'built');
      if (expected !== undefined) {
        assert.deepEqual(input.value, expected);
        assert.deepEqual(input.problems, []);
      } else {
        // An unsatisfiable schema: a value with the validator's messages, never a hang.
        assert.ok(input.problems.length > 0);
      }
    });
  }

  it('reports the schema\'s problem when no valid value can be built', () => {
    const input = exampleInput({ type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]+$' } } });
    assert.deepEqual(input.value, { id: '' });
    assert.equal(input.problems.length, 1);
    assert.match(input.problems[0].message, /id/);
  });
});
