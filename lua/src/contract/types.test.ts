// The type-string language of host signatures: parsing (with error positions), the JSON Schema
// each type stands for (checked by validating values with ajv), and printing back for hover.
import { strict as assert } from 'assert';
import { acceptsNil, formatSchema, formatType, parseType, typeToSchema, type TypeNode } from './types';
import { validateValue } from './validate';

function parsed(text: string): TypeNode {
  const { type, error } = parseType(text);
  assert.equal(error, undefined, `${text}: ${error?.message}`);
  return type!;
}

describe('type strings', () => {
  it('print back in canonical form (round trip)', () => {
    const cases: [string, string][] = [
      ['string', 'string'],
      ['  integer ', 'integer'],
      ['string?', 'string?'],
      ['string??', 'string?'],
      ['string[]', 'string[]'],
      ['string[][]', 'string[][]'],
      ['string?[]', 'string?[]'],
      ['string[]?', 'string[]?'],
      ['string|integer', 'string | integer'],
      ['(string|integer)[]', '(string | integer)[]'],
      ['(string|integer)?', '(string | integer)?'],
      ['{name: string, price: integer}', '{name: string, price: integer}'],
      ['{name: string, price?: integer,}', '{name: string, price?: integer}'],
      ['{name: string?}', '{name: string?}'],
      ['{"first name": string}', "{'first name': string}"],
      ['{tags: string[], owner: {id: integer, email?: string}}', '{tags: string[], owner: {id: integer, email?: string}}'],
      ["'low'|'high'", "'low' | 'high'"],
      ['"it\'s"', `"it's"`],
      ['nil', 'nil'],
      ['any', 'any'],
      ['table', 'table'],
      ['boolean|nil', 'boolean | nil'],
    ];
    for (const [input, expected] of cases) assert.equal(formatType(parsed(input)), expected, input);
  });

  it('stand for JSON Schemas', () => {
    const cases: [string, unknown][] = [
      ['string', { type: 'string' }],
      ['integer', { type: 'integer' }],
      ['number', { type: 'number' }],
      ['boolean', { type: 'boolean' }],
      ['nil', { type: 'null' }],
      ['any', {}],
      ['table', { type: ['object', 'array'] }],
      ['string?', { type: ['string', 'null'] }],
      ['string|integer', { type: ['string', 'integer'] }],
      ['integer|number', { type: 'number' }],
      ['any|string', {}],
      ['string[]', { type: 'array', items: { type: 'string' } }],
      ["'a'|'b'", { enum: ['a', 'b'] }],
      ["'a'", { const: 'a' }],
      ['{a: string, b?: integer}', { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['a'], additionalProperties: false }],
      ['{a: string}?', { anyOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false }, { type: 'null' }] }],
    ];
    for (const [input, expected] of cases) assert.deepEqual(typeToSchema(parsed(input)), expected, input);
  });

  it('check values as a reader of the type string expects', () => {
    const ok = (type: string, value: unknown) => assert.deepEqual(validateValue(typeToSchema(parsed(type)), value), [], `${type} accepts ${JSON.stringify(value)}`);
    const bad = (type: string, value: unknown) => assert.notDeepEqual(validateValue(typeToSchema(parsed(type)), value), [], `${type} rejects ${JSON.stringify(value)}`);
    ok('integer', 3);
    bad('integer', 3.5);
    ok('number', 3.5);
    ok('string?', null);
    bad('string', null);
    ok('table', {});
    ok('table', []);
    bad('table', 'x');
    ok('{name: string, price: integer}[]', [{ name: 'a', price: 1 }]);
    bad('{name: string, price: integer}[]', [{ name: 'a' }]);
    bad('{name: string}', { name: 'a', extra: 1 }); // records are closed
    ok('{name: string, note?: string}', { name: 'a' });
    ok("'low'|'high'", 'low');
    bad("'low'|'high'", 'medium');
    ok('(string|integer)[]', ['a', 1]);
    bad('(string|integer)[]', ['a', true]);
  });

  it('report the first error with its offsets in the type string', () => {
    const cases: [string, string, number, number][] = [
      ['strng', "unknown type 'strng' (did you mean 'string'?)", 0, 5],
      ['Integer', "unknown type 'Integer' (did you mean 'integer'?)", 0, 7],
      ['float', "unknown type 'float': use 'number' (Lua floats and integers are both numbers)", 0, 5],
      ['xyzzy', "unknown type 'xyzzy'; the types are string, integer, number, boolean, nil, any, table, T?, T[], {field: T} and A|B", 0, 5],
      ['', 'empty type', 0, 0],
      ['string[', "expected ']' after '[' (an array type is written T[])", 6, 7],
      ['string[x]', "expected ']' after '[' (an array type is written T[])", 7, 8],
      ['string|', 'expected a type at the end', 7, 7],
      ['{a string}', "expected ':' after field 'a'", 3, 9],
      ['{a: string b: integer}', "expected ',' or '}', found 'b'", 11, 12],
      ['{a: string', "expected '}' to close '{'", 10, 10],
      ['{a: string, a: integer}', "duplicate field 'a'", 12, 13],
      ['{}', "empty record: write 'table' for any table", 0, 1],
      ['(string', "expected ')' to close '('", 7, 7],
      ['string integer', "unexpected 'integer' after the type", 7, 14],
      ['string @', "unexpected character '@'", 7, 8],
      ["'open", 'unterminated string literal', 0, 5],
      ['{1: string}', "unexpected character '1'", 1, 2],
    ];
    for (const [input, message, start, end] of cases) {
      const { type, error } = parseType(input);
      assert.equal(type, undefined, input);
      assert.deepEqual(error, { message, start, end }, input);
    }
  });

  it('bound nesting instead of overflowing the stack', () => {
    for (const input of ['('.repeat(100000) + 'string', '{a: '.repeat(100000), 'string' + '[]'.repeat(100000)]) {
      const result = parseType(input);
      if (input.startsWith('string')) assert.equal(result.error, undefined, 'postfix chains are a loop, not recursion');
      else assert.match(result.error!.message, /nested more than 32 levels deep/);
    }
  });

  it('know which types accept nil', () => {
    for (const t of ['nil', 'any', 'string?', 'string|nil', '(string|integer)?']) assert.equal(acceptsNil(parsed(t)), true, t);
    for (const t of ['string', 'table', 'string[]', '{a: string?}', "'nil'"]) assert.equal(acceptsNil(parsed(t)), false, t);
  });

  it('format JSON Schemas readably for hover', () => {
    const cases: [unknown, string][] = [
      [true, 'any'],
      [{}, 'any'],
      [{ type: 'string' }, 'string'],
      [{ type: ['string', 'null'] }, 'string?'],
      [{ type: ['string', 'integer', 'null'] }, '(string | integer)?'],
      [{ enum: ['a', 'b', null] }, "'a' | 'b' | nil"],
      [{ type: 'array', items: { type: 'integer' } }, 'integer[]'],
      [{ type: 'object', properties: { vendor_name: { type: 'string' }, amount: { type: 'number' } }, required: ['vendor_name'] }, '{vendor_name: string, amount?: number}'],
      [{ type: 'object', additionalProperties: { type: 'integer' } }, 'table'],
      [{ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, 'string | string[]'],
      [{ $ref: '#/definitions/x' }, 'any'],
    ];
    for (const [schema, expected] of cases) assert.equal(formatSchema(schema as never), expected, JSON.stringify(schema));
  });
});
