// The type strings of host signatures: a small readable language that stands for JSON Schemas.
//
//   type    := union
//   union   := postfix ('|' postfix)*
//   postfix := primary ('?' | '[]')*          T? may be nil; T[] is a sequence of T
//   primary := NAME | STRING | record | '(' type ')'
//   record  := '{' (field (',' field)* ','?)? '}'
//   field   := (NAME | STRING) '?'? ':' type   a field marked ? (or of a T? type) may be absent
//
// NAME is one of string, integer, number, boolean, nil, any, table; STRING ('low' or "low") is a
// literal. Records are closed: a value with a field the record does not list does not match (the
// contract states exactly what crosses the host boundary; write a JSON Schema for anything looser).
// The parser reports the first error with its offsets in the type string; callers shift them into
// the file.

import { didYouMean } from './suggest';

/** A JSON Schema as it appears in a contract (draft-07): an object, or `true`/`false`. */
export type JsonSchema = boolean | { [keyword: string]: unknown };

export type PrimitiveName = 'string' | 'integer' | 'number' | 'boolean' | 'nil' | 'any' | 'table';

export type TypeNode =
  | { kind: 'name'; name: PrimitiveName }
  | { kind: 'literal'; value: string }
  | { kind: 'optional'; type: TypeNode }
  | { kind: 'array'; element: TypeNode }
  | { kind: 'record'; fields: RecordField[] }
  | { kind: 'union'; types: TypeNode[] }
  /** A JSON Schema given directly instead of a type string. */
  | { kind: 'schema'; schema: JsonSchema };

export interface RecordField {
  name: string;
  type: TypeNode;
  /** Written `name?:` or typed `T?`: the field may be absent. */
  optional: boolean;
}

/** A type-string error; offsets are into the type string, end exclusive. */
export interface TypeSyntaxError {
  message: string;
  start: number;
  end: number;
}

export interface ParsedType {
  type: TypeNode | undefined;
  error: TypeSyntaxError | undefined;
}

export const PRIMITIVE_NAMES: readonly PrimitiveName[] = ['string', 'integer', 'number', 'boolean', 'nil', 'any', 'table'];

/** Names people reach for that are not in the language, with what to write instead. */
const NOT_TYPES: Readonly<Record<string, string>> = {
  null: "use 'nil' for no value",
  undefined: "use 'nil' for no value",
  float: "use 'number' (Lua floats and integers are both numbers)",
  int: "use 'integer'",
  bool: "use 'boolean'",
  str: "use 'string'",
  object: "use 'table' or a record such as {name: string}",
  array: "use 'T[]', such as string[]",
  function: 'functions cannot cross the host boundary',
  userdata: 'userdata cannot cross the host boundary',
  thread: 'coroutines cannot cross the host boundary',
};

/** Deep enough for any real signature; bounds the parser's recursion on hostile input. */
const MAX_NESTING = 32;

const enum Tok {
  Name,
  String,
  Punct,
  End,
  Bad,
}

interface Token {
  kind: Tok;
  text: string;
  start: number;
  end: number;
}

class Failure {
  constructor(readonly error: TypeSyntaxError) {}
}

/** Parses a type string; never throws. */
export function parseType(text: string): ParsedType {
  try {
    const parser = new TypeParser(text);
    const type = parser.parseType();
    parser.expectEnd();
    return { type, error: undefined };
  } catch (caught) {
    if (caught instanceof Failure) return { type: undefined, error: caught.error };
    throw caught;
  }
}

class TypeParser {
  private pos = 0;
  private token: Token;
  private depth = 0;

  constructor(private readonly text: string) {
    this.token = this.scan();
  }

  parseType(): TypeNode {
    if (++this.depth > MAX_NESTING) this.fail(`type is nested more than ${MAX_NESTING} levels deep`, this.token);
    const first = this.parsePostfix();
    if (!this.isPunct('|')) {
      this.depth--;
      return first;
    }
    const types = [first];
    while (this.isPunct('|')) {
      this.advance();
      types.push(this.parsePostfix());
    }
    this.depth--;
    return { kind: 'union', types };
  }

  expectEnd(): void {
    if (this.token.kind !== Tok.End) this.fail(`unexpected ${describe(this.token)} after the type`, this.token);
  }

  private parsePostfix(): TypeNode {
    let type = this.parsePrimary();
    for (;;) {
      if (this.isPunct('?')) {
        this.advance();
        if (type.kind !== 'optional') type = { kind: 'optional', type };
      } else if (this.isPunct('[')) {
        const open = this.token;
        this.advance();
        if (!this.isPunct(']')) this.fail(`expected ']' after '[' (an array type is written T[])`, this.token.kind === Tok.End ? open : this.token);
        this.advance();
        type = { kind: 'array', element: type };
      } else {
        return type;
      }
    }
  }

  private parsePrimary(): TypeNode {
    const token = this.token;
    if (token.kind === Tok.Name) {
      this.advance();
      if ((PRIMITIVE_NAMES as readonly string[]).includes(token.text)) return { kind: 'name', name: token.text as PrimitiveName };
      const advice = Object.prototype.hasOwnProperty.call(NOT_TYPES, token.text)
        ? `: ${NOT_TYPES[token.text]}`
        : didYouMean(token.text, PRIMITIVE_NAMES) || `; the types are ${PRIMITIVE_NAMES.join(', ')}, T?, T[], {field: T} and A|B`;
      this.fail(`unknown type '${token.text}'${advice}`, token);
    }
    if (token.kind === Tok.String) {
      this.advance();
      return { kind: 'literal', value: token.text };
    }
    if (this.isPunct('(')) {
      this.advance();
      const inner = this.parseType();
      if (!this.isPunct(')')) this.fail(`expected ')' to close '('`, this.token);
      this.advance();
      return inner;
    }
    if (this.isPunct('{')) return this.parseRecord();
    if (token.kind === Tok.End) this.fail(token.start === 0 ? 'empty type' : 'expected a type at the end', token);
    return this.fail(`expected a type, found ${describe(token)}`, token);
  }

  private parseRecord(): TypeNode {
    const open = this.token;
    this.advance();
    if (++this.depth > MAX_NESTING) this.fail(`type is nested more than ${MAX_NESTING} levels deep`, open);
    const fields: RecordField[] = [];
    const seen = new Set<string>();
    while (!this.isPunct('}')) {
      const nameToken = this.token;
      if (nameToken.kind !== Tok.Name && nameToken.kind !== Tok.String) {
        this.fail(nameToken.kind === Tok.End ? `expected '}' to close '{'` : `expected a field name, found ${describe(nameToken)}`, nameToken);
      }
      this.advance();
      if (seen.has(nameToken.text)) this.fail(`duplicate field '${nameToken.text}'`, nameToken);
      seen.add(nameToken.text);
      let optional = false;
      if (this.isPunct('?')) {
        optional = true;
        this.advance();
      }
      if (!this.isPunct(':')) this.fail(`expected ':' after field '${nameToken.text}'`, this.token);
      this.advance();
      const type = this.parseType();
      fields.push({ name: nameToken.text, type, optional: optional || acceptsNil(type) });
      if (this.isPunct(',')) {
        this.advance();
        continue;
      }
      if (!this.isPunct('}')) {
        this.fail(this.token.kind === Tok.End ? `expected '}' to close '{'` : `expected ',' or '}', found ${describe(this.token)}`, this.token);
      }
    }
    this.advance();
    this.depth--;
    if (fields.length === 0) this.fail("empty record: write 'table' for any table", open);
    return { kind: 'record', fields };
  }

  private isPunct(text: string): boolean {
    return this.token.kind === Tok.Punct && this.token.text === text;
  }

  private advance(): void {
    this.token = this.scan();
  }

  private fail(message: string, token: Token): never {
    throw new Failure({ message, start: token.start, end: Math.max(token.end, token.start + (token.kind === Tok.End ? 0 : 1)) });
  }

  private scan(): Token {
    const text = this.text;
    while (this.pos < text.length && /\s/.test(text[this.pos])) this.pos++;
    const start = this.pos;
    if (start >= text.length) return { kind: Tok.End, text: '', start, end: start };
    const c = text[start];
    if (/[A-Za-z_]/.test(c)) {
      let end = start + 1;
      while (end < text.length && /[A-Za-z0-9_]/.test(text[end])) end++;
      this.pos = end;
      return { kind: Tok.Name, text: text.slice(start, end), start, end };
    }
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, start + 1);
      if (close < 0) this.fail('unterminated string literal', { kind: Tok.Bad, text: c, start, end: text.length });
      this.pos = close + 1;
      return { kind: Tok.String, text: text.slice(start + 1, close), start, end: close + 1 };
    }
    if ('{}()[]?|,:'.includes(c)) {
      this.pos = start + 1;
      return { kind: Tok.Punct, text: c, start, end: start + 1 };
    }
    const width = text.codePointAt(start)! > 0xffff ? 2 : 1;
    this.pos = start + width;
    return this.fail(`unexpected character '${text.slice(start, start + width)}'`, { kind: Tok.Bad, text: c, start, end: start + width });
  }
}

function describe(token: Token): string {
  return token.kind === Tok.End ? 'the end' : `'${token.text}'`;
}

/** Whether a value of this type may be nil (absent). */
export function acceptsNil(type: TypeNode): boolean {
  switch (type.kind) {
    case 'name':
      return type.name === 'nil' || type.name === 'any';
    case 'optional':
      return true;
    case 'union':
      return type.types.some(acceptsNil);
    case 'schema':
      return schemaAcceptsType(type.schema, 'null');
    default:
      return false;
  }
}

/** Whether values of JSON type `json` may match (an over-approximation for schemas). */
export function admitsJsonType(type: TypeNode, json: 'string' | 'number' | 'array' | 'object' | 'boolean' | 'null'): boolean {
  switch (type.kind) {
    case 'name':
      switch (type.name) {
        case 'any':
          return true;
        case 'table':
          return json === 'object' || json === 'array';
        case 'integer':
          return json === 'number';
        case 'nil':
          return json === 'null';
        default:
          return type.name === json;
      }
    case 'literal':
      return json === 'string';
    case 'optional':
      return json === 'null' || admitsJsonType(type.type, json);
    case 'array':
      return json === 'array';
    case 'record':
      return json === 'object';
    case 'union':
      return type.types.some((t) => admitsJsonType(t, json));
    case 'schema':
      return schemaAcceptsType(type.schema, json);
  }
}

function schemaAcceptsType(schema: JsonSchema, json: string): boolean {
  if (typeof schema === 'boolean') return schema;
  const declared = schema.type;
  if (typeof declared === 'string') return declared === json || (declared === 'integer' && json === 'number');
  if (Array.isArray(declared)) return declared.some((t) => t === json || (t === 'integer' && json === 'number'));
  return true;
}

const PRIMITIVE_SCHEMAS: Readonly<Record<PrimitiveName, { [keyword: string]: unknown }>> = {
  string: { type: 'string' },
  integer: { type: 'integer' },
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  nil: { type: 'null' },
  any: {},
  table: { type: ['object', 'array'] },
};

/** The JSON Schema a type stands for (a fresh object each call). */
export function typeToSchema(type: TypeNode): JsonSchema {
  switch (type.kind) {
    case 'name':
      return structuredClone(PRIMITIVE_SCHEMAS[type.name]);
    case 'literal':
      return { const: type.value };
    case 'optional':
      return unionSchema([type.type, { kind: 'name', name: 'nil' }]);
    case 'array':
      return { type: 'array', items: typeToSchema(type.element) };
    case 'record': {
      const properties: { [name: string]: JsonSchema } = {};
      const required: string[] = [];
      for (const field of type.fields) {
        Object.defineProperty(properties, field.name, { value: typeToSchema(field.type), enumerable: true, writable: true, configurable: true });
        if (!field.optional) required.push(field.name);
      }
      const schema: { [keyword: string]: unknown } = { type: 'object', properties };
      if (required.length > 0) schema.required = required;
      schema.additionalProperties = false;
      return schema;
    }
    case 'union':
      return unionSchema(type.types);
    case 'schema':
      return type.schema;
  }
}

/** Unions of plain types become one `type` list, unions of literals one `enum`; others `anyOf`. */
function unionSchema(types: TypeNode[]): JsonSchema {
  const members = flattenUnion(types);
  if (members.some((t) => t.kind === 'name' && t.name === 'any')) return {};
  if (members.every((t) => t.kind === 'literal')) return { enum: [...new Set(members.map((t) => (t as { value: string }).value))] };
  if (members.every((t) => t.kind === 'name')) {
    const names: string[] = [];
    for (const t of members) {
      const declared = PRIMITIVE_SCHEMAS[(t as { name: PrimitiveName }).name].type;
      for (const name of Array.isArray(declared) ? declared : [declared]) if (!names.includes(name as string)) names.push(name as string);
    }
    // `integer|number` is `number`.
    const kept = names.includes('number') ? names.filter((n) => n !== 'integer') : names;
    return { type: kept.length === 1 ? kept[0] : kept };
  }
  return { anyOf: members.map(typeToSchema) };
}

function flattenUnion(types: TypeNode[]): TypeNode[] {
  const out: TypeNode[] = [];
  const stack = [...types].reverse();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.kind === 'union') for (let i = t.types.length - 1; i >= 0; i--) stack.push(t.types[i]);
    else if (t.kind === 'optional') stack.push({ kind: 'name', name: 'nil' }, t.type);
    else out.push(t);
  }
  return out;
}

/** Prints a type back in the type-string language, for hover and messages. */
export function formatType(type: TypeNode): string {
  switch (type.kind) {
    case 'name':
      return type.name;
    case 'literal':
      return quote(type.value);
    case 'optional':
      return `${formatOperand(type.type)}?`;
    case 'array':
      return `${formatOperand(type.element)}[]`;
    case 'record':
      return `{${type.fields.map((f) => `${fieldName(f.name)}${f.optional && !acceptsNil(f.type) ? '?' : ''}: ${formatType(f.type)}`).join(', ')}}`;
    case 'union':
      return type.types.map((t) => formatType(t)).join(' | ');
    case 'schema':
      return formatSchema(type.schema);
  }
}

function formatOperand(type: TypeNode): string {
  const text = formatType(type);
  return type.kind === 'union' || (type.kind === 'schema' && text.includes(' | ')) ? `(${text})` : text;
}

function fieldName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : quote(name);
}

function quote(value: string): string {
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}

/** Levels of a JSON Schema shown in full; deeper parts print as `table`. */
const FORMAT_DEPTH = 4;

/** A readable type for a JSON Schema (`{vendor_name: string, amount?: number}`), for hover. */
export function formatSchema(schema: JsonSchema, depth = 0): string {
  if (schema === true) return 'any';
  if (schema === false) return 'never';
  if (typeof schema !== 'object' || schema === null) return 'any';
  const s = schema;
  const alternatives = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined) as JsonSchema[] | undefined;
  if (alternatives) return alternatives.map((a) => formatSchema(a, depth)).join(' | ');
  if (Array.isArray(s.enum)) return s.enum.map(formatLiteral).join(' | ');
  if ('const' in s) return formatLiteral(s.const);
  const types = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? (s.type as unknown[]).filter((t): t is string => typeof t === 'string') : [];
  if (types.length === 0) {
    if (s.properties && typeof s.properties === 'object') return formatObjectSchema(s, depth);
    if (s.items !== undefined) return formatArraySchema(s, depth);
    return 'any';
  }
  const nullable = types.includes('null');
  const parts = [
    ...new Set(
      types.filter((t) => t !== 'null').map((t) => (t === 'object' ? formatObjectSchema(s, depth) : t === 'array' ? formatArraySchema(s, depth) : t)),
    ),
  ];
  if (parts.length === 0) return 'nil';
  const joined = parts.join(' | ');
  if (!nullable) return joined;
  return parts.length > 1 || joined.includes(' | ') ? `(${joined})?` : `${joined}?`;
}

function formatObjectSchema(s: { [keyword: string]: unknown }, depth: number): string {
  const properties = s.properties;
  if (!properties || typeof properties !== 'object' || depth >= FORMAT_DEPTH) return 'table';
  const required = Array.isArray(s.required) ? (s.required as unknown[]) : [];
  const names = Object.keys(properties);
  if (names.length === 0) return 'table';
  const fields = names.map((name) => {
    const optional = required.includes(name) ? '' : '?';
    return `${fieldName(name)}${optional}: ${formatSchema((properties as Record<string, JsonSchema>)[name], depth + 1)}`;
  });
  return `{${fields.join(', ')}}`;
}

function formatArraySchema(s: { [keyword: string]: unknown }, depth: number): string {
  const items = s.items;
  if (items === undefined || Array.isArray(items) || depth >= FORMAT_DEPTH) return 'table';
  const element = formatSchema(items as JsonSchema, depth + 1);
  return element.includes(' | ') ? `(${element})[]` : `${element}[]`;
}

function formatLiteral(value: unknown): string {
  if (value === null) return 'nil';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return 'table';
}
