// What the contract's JSON Schema (CONTRACT_SCHEMA) says at a place in a sandlua.json being edited:
// the schema of the property or value there, the keys the object already has, and the token the
// cursor is in. The language service builds completion and hover in contracts from it (the
// schema's titles, descriptions, enums and examples), so the editor needs no second validator of
// the file: the contract's problems come from the loader alone, the same as on the command line.

import type * as jsonc from 'jsonc-parser';
import { findNodeAtLocation, findNodeAtOffset, getLocation, parseTree } from './jsonc';
import { CONTRACT_SCHEMA } from './schema';

export type SchemaNode = Record<string, unknown>;

export interface ContractSpot {
  /** The JSON path of the property (at a key: its key, `''` while none is typed) or of the value at the place. */
  path: (string | number)[];
  /** At a property key, or where one may be typed. */
  atKey: boolean;
  /** The schema of the value at `path` (undefined: the schema says nothing there). */
  schema: SchemaNode | undefined;
  /** At a key: the schema of the object the key is in. */
  parent: SchemaNode | undefined;
  /** At a key: the keys the object already has. */
  present: string[];
  /** The token the place is in (a key or a literal value), offsets end exclusive; completion replaces it. */
  token: { start: number; end: number } | undefined;
}

/** The place at `offset` of a contract's text. */
export function contractSpot(text: string, offset: number): ContractSpot {
  const location = getLocation(text, offset);
  const path = [...location.path];
  const root = parseTree(text);
  const node = root ? findNodeAtOffset(root, offset, true) : undefined;
  const literal = node && ['string', 'number', 'boolean', 'null'].includes(node.type) && offset >= node.offset && offset <= node.offset + node.length ? node : undefined;
  const token = literal ? { start: literal.offset, end: literal.offset + literal.length } : undefined;
  if (!location.isAtPropertyKey) return { path, atKey: false, schema: schemaAt(path), parent: undefined, present: [], token };
  const objectPath = path.slice(0, -1);
  const object = root ? findNodeAtLocation(root, objectPath) : undefined;
  const present = (object?.type === 'object' ? object.children ?? [] : [])
    .map((p) => p.children?.[0])
    .filter((k): k is jsonc.Node => k !== undefined && k !== literal)
    .map((k) => String(k.value));
  return { path, atKey: true, schema: schemaAt(path), parent: schemaAt(objectPath), present, token };
}

/** The contract schema's node for a JSON path (through properties, additionalProperties, items and anyOf branches). */
export function schemaAt(path: readonly (string | number)[]): SchemaNode | undefined {
  let schema: SchemaNode | undefined = CONTRACT_SCHEMA as unknown as SchemaNode;
  for (const segment of path) {
    if (!schema) return undefined;
    schema = child(schema, segment);
  }
  return schema;
}

/** The schema and its `anyOf`/`oneOf` branches: where properties and values may be described. */
export function schemaBranches(schema: SchemaNode): SchemaNode[] {
  const branches = [schema];
  for (const key of ['anyOf', 'oneOf']) {
    const list = schema[key];
    if (Array.isArray(list)) for (const b of list) if (isNode(b)) branches.push(b);
  }
  return branches;
}

function child(schema: SchemaNode, segment: string | number): SchemaNode | undefined {
  const branches = schemaBranches(schema);
  for (const b of branches) {
    if (typeof segment === 'number' && isNode(b.items)) return b.items;
    const properties = b.properties;
    if (typeof segment === 'string' && isNode(properties) && isNode(properties[segment])) return properties[segment] as SchemaNode;
  }
  for (const b of branches) if (typeof segment === 'string' && isNode(b.additionalProperties)) return b.additionalProperties;
  return undefined;
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
