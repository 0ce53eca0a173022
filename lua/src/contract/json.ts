// JSON text → a syntax tree with offsets (jsonc-parser), the value it holds, and the way back from
// a JSON path (or an ajv `instancePath`) to the node, so that every problem can be put at the
// exact place in the file. Strict JSON: no comments, no trailing commas.

import * as jsonc from 'jsonc-parser';
import { parseTree } from './jsonc';

export type JsonNode = jsonc.Node;

/** A syntax error; offsets into the text, end exclusive. */
export interface JsonSyntaxError {
  message: string;
  start: number;
  end: number;
}

export interface JsonDocument {
  root: JsonNode | undefined;
  errors: JsonSyntaxError[];
}

/** Far deeper than any contract; keeps the recursive parser and validator off the stack limit. */
export const MAX_JSON_DEPTH = 128;
/** After this many syntax errors the rest are likely echoes of the first ones. */
const MAX_SYNTAX_ERRORS = 10;

/** Parses strict JSON with positions; never throws. */
export function parseJson(text: string): JsonDocument {
  if (text.trim() === '') return { root: undefined, errors: [{ message: 'the file is empty', start: 0, end: text.length }] };
  const tooDeep = depthExceededAt(text, MAX_JSON_DEPTH);
  if (tooDeep >= 0) {
    return { root: undefined, errors: [{ message: `nested more than ${MAX_JSON_DEPTH} levels deep`, start: tooDeep, end: tooDeep + 1 }] };
  }
  const raw: jsonc.ParseError[] = [];
  const root = parseTree(text, raw, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const errors: JsonSyntaxError[] = [];
  let lastOffset = -1;
  for (const error of raw) {
    // The parser often reports one mistake twice at the same place (a trailing comma is both
    // "property name expected" and "value expected"): the first says it best.
    if (error.offset === lastOffset) continue;
    lastOffset = error.offset;
    if (errors.length === MAX_SYNTAX_ERRORS) {
      errors.push({ message: 'too many errors; fix the ones above first', start: error.offset, end: error.offset + error.length });
      break;
    }
    errors.push({ message: syntaxMessage(text, error), start: error.offset, end: error.offset + error.length });
  }
  return { root, errors };
}

function syntaxMessage(text: string, error: jsonc.ParseError): string {
  const token = text.slice(error.offset, error.offset + Math.min(error.length, 20));
  switch (error.error) {
    case jsonc.ParseErrorCode.InvalidSymbol:
      if (token.startsWith("'")) return 'Strings must use double quotes';
      return `Unexpected token '${token}'`;
    case jsonc.ParseErrorCode.InvalidNumberFormat:
      return `Invalid number '${token}'`;
    case jsonc.ParseErrorCode.PropertyNameExpected:
      return 'Expected double-quoted property name';
    case jsonc.ParseErrorCode.ValueExpected:
      if (token === ']' && previousSignificant(text, error.offset) === ',') return "Expected a value after ',' (trailing commas are not allowed)";
      return 'Expected a value';
    case jsonc.ParseErrorCode.ColonExpected:
      return "Expected ':' after property name";
    case jsonc.ParseErrorCode.CommaExpected:
      return "Expected ','";
    case jsonc.ParseErrorCode.CloseBraceExpected:
      return "Expected '}'";
    case jsonc.ParseErrorCode.CloseBracketExpected:
      return "Expected ']'";
    case jsonc.ParseErrorCode.EndOfFileExpected:
      return 'Unexpected content after the end of the JSON value';
    case jsonc.ParseErrorCode.InvalidCommentToken:
      return 'Comments are not allowed in JSON';
    case jsonc.ParseErrorCode.UnexpectedEndOfComment:
      return 'Unterminated comment';
    case jsonc.ParseErrorCode.UnexpectedEndOfString:
      return 'Unterminated string';
    case jsonc.ParseErrorCode.UnexpectedEndOfNumber:
      return 'Unexpected end of number';
    case jsonc.ParseErrorCode.InvalidUnicode:
      return 'Invalid Unicode escape sequence';
    case jsonc.ParseErrorCode.InvalidEscapeCharacter:
      return 'Bad escaped character';
    case jsonc.ParseErrorCode.InvalidCharacter:
      return 'Bad control character in string literal';
    default:
      return 'Syntax error';
  }
}

function previousSignificant(text: string, offset: number): string {
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return i >= 0 ? text[i] : '';
}

/** Offset of the first bracket that opens level `limit + 1`, or -1. Skips strings. */
export function depthExceededAt(text: string, limit: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34 || d === 10) break;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limit) return i;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      if (depth > 0) depth--;
    }
  }
  return -1;
}

/**
 * The value a node holds. Later duplicate keys win, as in JSON.parse; a `__proto__` key becomes
 * an ordinary property (never the prototype). Depth is bounded by `parseJson`.
 */
export function nodeValue(node: JsonNode): unknown {
  switch (node.type) {
    case 'object': {
      const object: Record<string, unknown> = {};
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (!key || !value) continue;
        setOwn(object, key.value as string, nodeValue(value));
      }
      return object;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

/** Sets an own enumerable property, even one named `__proto__`. */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** The property node (key + value) of `key` in an object node: the last one, as its value wins. */
export function propertyNode(object: JsonNode, key: string): JsonNode | undefined {
  const children = object.children ?? [];
  for (let i = children.length - 1; i >= 0; i--) {
    const keyNode = children[i].children?.[0];
    if (keyNode && keyNode.value === key) return children[i];
  }
  return undefined;
}

/** The value node of `key` in an object node. */
export function valueNode(object: JsonNode | undefined, key: string): JsonNode | undefined {
  if (!object || object.type !== 'object') return undefined;
  return propertyNode(object, key)?.children?.[1];
}

/** The node at a JSON path (keys and indexes) under `root`. */
export function nodeAtPath(root: JsonNode | undefined, path: readonly (string | number)[]): JsonNode | undefined {
  let node = root;
  for (const segment of path) {
    if (!node) return undefined;
    if (node.type === 'object') node = valueNode(node, String(segment));
    else if (node.type === 'array') node = node.children?.[typeof segment === 'number' ? segment : Number(segment)];
    else return undefined;
  }
  return node;
}

/** The key node when `node` is the value of a property, else undefined. */
export function keyOf(node: JsonNode): JsonNode | undefined {
  const parent = node.parent;
  if (parent && parent.type === 'property' && parent.children?.[1] === node) return parent.children[0];
  return undefined;
}

/**
 * The offset in the file of character `index` of a string node's value: escapes (`\"`, `\u00e9`)
 * take more room in the file than in the value.
 */
export function stringOffset(text: string, node: JsonNode, index: number): number {
  let offset = node.offset + 1; // past the opening quote
  const end = node.offset + node.length - 1;
  for (let i = 0; i < index && offset < end; i++) {
    if (text.charCodeAt(offset) === 92 /* \ */) offset += text[offset + 1] === 'u' ? 6 : 2;
    else offset++;
  }
  return Math.min(offset, end);
}
