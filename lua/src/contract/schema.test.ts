// The published JSON Schema (`schemas/sandlua.schema.json`) is CONTRACT_SCHEMA written out: this
// test fails when the file is stale (UPDATE_EXPECT=1 rewrites it). Also: the schema is valid
// draft-07, documents every field, and its patterns say what the loader says.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { CONTRACT_SCHEMA, HOST_NAME_PATTERN, LUA_KEYWORDS, ON_FAILURE, PARAM_NAME_PATTERN, STDLIB_ENTRY_PATTERN, VERSION_PATTERN } from './schema';

const root = path.join(__dirname, '..', '..', '..');
const published = path.join(root, 'schemas', 'sandlua.schema.json');

/** Two-space JSON, with short arrays of scalars on one line (as a person would write it). */
export function formatJson(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inline = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    if (value.every((v) => v === null || typeof v !== 'object') && inline.length + indent.length <= 100) return inline;
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

describe('contract JSON Schema', () => {
  it('is published in schemas/sandlua.schema.json, up to date', () => {
    const text = formatJson(CONTRACT_SCHEMA) + '\n';
    assert.deepEqual(JSON.parse(text), CONTRACT_SCHEMA, 'the formatter keeps the value');
    if (process.env.UPDATE_EXPECT === '1') {
      fs.mkdirSync(path.dirname(published), { recursive: true });
      fs.writeFileSync(published, text);
    }
    assert.ok(fs.existsSync(published), 'schemas/sandlua.schema.json is missing (UPDATE_EXPECT=1 writes it)');
    assert.equal(fs.readFileSync(published, 'utf8'), text, 'schemas/sandlua.schema.json is stale: UPDATE_EXPECT=1 rewrites it from schema.ts');
  });

  it('is valid draft-07', () => {
    const ajv = new Ajv({ strict: false });
    assert.equal(ajv.validateSchema(CONTRACT_SCHEMA), true, JSON.stringify(ajv.errors));
    assert.equal(CONTRACT_SCHEMA.$schema, 'http://json-schema.org/draft-07/schema#');
  });

  it('gives every property a title and a description (completion and hover in sandlua.json)', () => {
    const missing: string[] = [];
    const stack: [string, unknown][] = [['', CONTRACT_SCHEMA]];
    while (stack.length > 0) {
      const [where, schema] = stack.pop()!;
      if (!schema || typeof schema !== 'object') continue;
      const s = schema as Record<string, unknown>;
      for (const [name, property] of Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (typeof property.title !== 'string' || typeof property.description !== 'string') missing.push(`${where}/${name}`);
        stack.push([`${where}/${name}`, property]);
      }
      if (s.additionalProperties && typeof s.additionalProperties === 'object') stack.push([`${where}/*`, s.additionalProperties]);
      if (s.items && typeof s.items === 'object') stack.push([`${where}[]`, s.items]);
    }
    assert.deepEqual(missing, []);
  });

  it('catches typos: no unknown property anywhere in the contract’s own objects', () => {
    const open: string[] = [];
    const stack: [string, Record<string, unknown>][] = [['', CONTRACT_SCHEMA as unknown as Record<string, unknown>]];
    while (stack.length > 0) {
      const [where, s] = stack.pop()!;
      // `severity` stays open on purpose: a code this version does not know is the loader's warning (with did-you-mean), not an error.
      if (s.type === 'object' && s.properties && s.additionalProperties !== false && where !== '/host' && where !== '/severity') open.push(where);
      for (const [name, property] of Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>)) stack.push([`${where}/${name}`, property]);
      if (s.additionalProperties && typeof s.additionalProperties === 'object') stack.push([`${where}/*`, s.additionalProperties as Record<string, unknown>]);
      if (s.items && typeof s.items === 'object') stack.push([`${where}[]`, s.items as Record<string, unknown>]);
    }
    assert.deepEqual(open, []);
  });

  it('host names: Lua names or dotted Lua names, never a keyword', () => {
    const rule = new RegExp(HOST_NAME_PATTERN, 'u');
    for (const name of ['f', 'lookup_vendor_alias', 'tools.emit_review_note', 'a.b.c', '_x', 'ends', 'tools.endx', 'nil_value', 'x.and_y']) assert.ok(rule.test(name), name);
    for (const name of ['', '1a', 'a.', '.a', 'a..b', 'a-b', 'a b', 'é', 'tools.end', ...LUA_KEYWORDS, ...LUA_KEYWORDS.map((k) => `x.${k}`)]) assert.ok(!rule.test(name), name);
    const param = new RegExp(PARAM_NAME_PATTERN, 'u');
    assert.ok(param.test('...') && param.test('alias') && !param.test('..') && !param.test('local') && !param.test('a.b'));
  });

  it('stdlib entries, versions and onFailure values', () => {
    const entry = new RegExp(STDLIB_ENTRY_PATTERN, 'u');
    for (const name of ['load', 'io', 'io.*', 'os.execute', '_G']) assert.ok(entry.test(name), name);
    for (const name of ['os execute', 'a.b.c', '*', 'os.', '.x']) assert.ok(!entry.test(name), name);
    const version = new RegExp(VERSION_PATTERN, 'u');
    for (const v of ['1.0.0', '0.3.0', '10.20.30', '2.1.0-beta.1', '1.0.0+build.5']) assert.ok(version.test(v), v);
    for (const v of ['1.0', 'v1.0.0', '01.0.0', '1.0.0-']) assert.ok(!version.test(v), v);
    assert.deepEqual(Object.keys(ON_FAILURE), ['reject', 'manual-review', 'fallback', 'retry', 'skip-tool']);
  });
});
