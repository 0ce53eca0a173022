// Lua 5.3's standard library as types (reference manual §6): what each function takes and gives,
// written as short signatures in the contract's type-string language. A result that may be nil
// (`string.match` finds nothing, `tonumber` of a non-numeral, `io.open` of a missing file) carries
// its origin, and is a warning when used without a check (the contract did not promise it).
//
// `file` is an open file handle; `any` is unknown. Functions not listed here are unknown.

import { parseType } from '../contract/types';
import { LUA53_LIBRARIES } from '../contract/stdlib-names';
import { typeFromNode } from './contract-types';
import { INTEGER, NUMBER, STRING, UNKNOWN, ANY_FUNCTION, union, type FunctionType, type Param, type TableType, type Type, type NilOrigin } from './types';

/** name → [parameters, results]; `name?: T` is optional, `...: T` variadic. */
const SIGNATURES: Readonly<Record<string, readonly [string, string]>> = {
  assert: ['v: any, message?: any', 'any'],
  error: ['message: any, level?: integer', ''],
  getmetatable: ['object: any', 'any'],
  ipairs: ['t: any', 'any, any, integer'],
  next: ['t: table, index?: any', 'any, any'],
  pairs: ['t: any', 'any, any, any'],
  pcall: ['f: any, ...: any', 'boolean, any'],
  print: ['...: any', ''],
  rawequal: ['a: any, b: any', 'boolean'],
  rawget: ['t: table, k: any', 'any'],
  rawlen: ['v: any', 'integer'],
  rawset: ['t: table, k: any, v: any', 'table'],
  select: ['n: any, ...: any', 'any'],
  setmetatable: ['t: table, mt: table?', 'table'],
  tonumber: ['e: any, base?: integer', 'number?'],
  tostring: ['v: any', 'string'],
  type: ['v: any', 'string'],
  xpcall: ['f: any, handler: any, ...: any', 'boolean, any'],
  load: ['chunk: any, name?: string, mode?: string, env?: table', 'any, string?'],
  require: ['name: string', 'any'],
  'string.byte': ['s: string, i?: integer, j?: integer', 'integer'],
  'string.char': ['...: integer', 'string'],
  'string.find': ['s: string, pattern: string, init?: integer, plain?: boolean', 'integer?, integer?, any'],
  'string.format': ['format: string, ...: any', 'string'],
  'string.gmatch': ['s: string, pattern: string', 'any'],
  'string.gsub': ['s: string, pattern: string, repl: any, n?: integer', 'string, integer'],
  'string.len': ['s: string', 'integer'],
  'string.lower': ['s: string', 'string'],
  'string.match': ['s: string, pattern: string, init?: integer', 'string?, any'],
  'string.rep': ['s: string, n: integer, sep?: string', 'string'],
  'string.reverse': ['s: string', 'string'],
  'string.sub': ['s: string, i: integer, j?: integer', 'string'],
  'string.upper': ['s: string', 'string'],
  'string.pack': ['fmt: string, ...: any', 'string'],
  'string.packsize': ['fmt: string', 'integer'],
  'string.unpack': ['fmt: string, s: string, pos?: integer', 'any'],
  'table.concat': ['list: table, sep?: string, i?: integer, j?: integer', 'string'],
  'table.insert': ['list: table, ...: any', ''],
  'table.move': ['a1: table, f: integer, e: integer, t: integer, a2?: table', 'table'],
  'table.pack': ['...: any', 'table'],
  'table.remove': ['list: table, pos?: integer', 'any'],
  'table.sort': ['list: table, comp?: any', ''],
  'table.unpack': ['list: table, i?: integer, j?: integer', 'any'],
  'math.abs': ['x: number', 'number'],
  'math.ceil': ['x: number', 'integer'],
  'math.floor': ['x: number', 'integer'],
  'math.fmod': ['x: number, y: number', 'number'],
  'math.max': ['x: number, ...: number', 'number'],
  'math.min': ['x: number, ...: number', 'number'],
  'math.modf': ['x: number', 'number, number'],
  'math.random': ['m?: integer, n?: integer', 'number'],
  'math.sqrt': ['x: number', 'number'],
  'math.tointeger': ['x: any', 'integer?'],
  'math.type': ['x: any', 'string?'],
  'math.exp': ['x: number', 'number'],
  'math.log': ['x: number, base?: number', 'number'],
  'math.sin': ['x: number', 'number'],
  'math.cos': ['x: number', 'number'],
  'math.tan': ['x: number', 'number'],
  'math.ult': ['m: integer, n: integer', 'boolean'],
  'os.clock': ['', 'number'],
  'os.date': ['format?: string, time?: integer', 'any'],
  'os.difftime': ['t2: integer, t1?: integer', 'number'],
  'os.getenv': ['name: string', 'string?'],
  'os.time': ['t?: table', 'integer'],
  'os.exit': ['code?: any, close?: boolean', ''],
  'io.open': ['filename: string, mode?: string', 'file?, string?'],
  'io.read': ['...: any', 'string?'],
  'io.write': ['...: any', 'file'],
  'io.lines': ['filename?: string, ...: any', 'any'],
  'io.close': ['file?: file', 'boolean?'],
  'utf8.char': ['...: integer', 'string'],
  'utf8.len': ['s: string, i?: integer, j?: integer', 'integer?'],
  'coroutine.create': ['f: any', 'any'],
  'coroutine.wrap': ['f: any', 'any'],
  'coroutine.status': ['co: any', 'string'],
};

const FILE_METHODS: Readonly<Record<string, readonly [string, string]>> = {
  read: ['self: file, ...: any', 'string?'],
  write: ['self: file, ...: any', 'file'],
  lines: ['self: file, ...: any', 'any'],
  close: ['self: file', 'boolean?'],
  seek: ['self: file, whence?: string, offset?: integer', 'integer?'],
  flush: ['self: file', 'file'],
  setvbuf: ['self: file, mode: string, size?: integer', 'boolean?'],
};

const VALUES: Readonly<Record<string, Type>> = {
  _VERSION: STRING,
  'math.huge': { kind: 'number', subtype: 'float' },
  'math.pi': { kind: 'number', subtype: 'float' },
  'math.maxinteger': INTEGER,
  'math.mininteger': INTEGER,
  'utf8.charpattern': STRING,
  'package.path': STRING,
  'package.cpath': STRING,
  'package.config': STRING,
};

let fileType: TableType | undefined;

/** An open file (as `io.open` gives it): its methods. */
export function fileHandleType(): TableType {
  if (!fileType) {
    const fields = new Map<string, Type>();
    fileType = { kind: 'table', fields, open: true, name: 'file' };
    for (const [name, sig] of Object.entries(FILE_METHODS)) fields.set(name, signature(`file:${name}`, sig));
  }
  return fileType;
}

function typeOfText(text: string, origin: NilOrigin | undefined): Type {
  const t = text.trim();
  if (t === 'file') return fileHandleType();
  if (t === 'file?') return union(fileHandleType(), origin ? { kind: 'nil', origin } : { kind: 'nil' });
  const parsed = parseType(t);
  return parsed.type ? typeFromNode(parsed.type, origin) : UNKNOWN;
}

function signature(name: string, [params, returns]: readonly [string, string]): FunctionType {
  const list: Param[] = [];
  let variadic: Type | undefined;
  for (const p of params.split(',')) {
    if (p.trim() === '') continue;
    const [rawName, rawType] = p.split(':');
    const pname = rawName.trim();
    const type = typeOfText(rawType ?? 'any', undefined);
    if (pname === '...') variadic = type;
    else if (pname.endsWith('?')) list.push({ name: pname.slice(0, -1), type, optional: true });
    else list.push({ name: pname, type });
  }
  const results = returns.trim() === '' ? [] : returns.split(',').map((r) => typeOfText(r, { text: `${name} returns ${r.trim()}`, contract: false }));
  return { kind: 'function', params: list, ...(variadic ? { variadic } : {}), returns: results, name };
}

const cache = new Map<string, Type>();

/** The type of a standard-library name (`tostring`, `string`, `string.match`), or undefined when it is not one. */
export function stdlibType(name: string): Type | undefined {
  const known = cache.get(name);
  if (known) return known;
  let type: Type | undefined;
  const sig = SIGNATURES[name];
  if (sig) {
    type = signature(name, sig);
  } else if (VALUES[name]) {
    type = VALUES[name];
  } else if (LUA53_LIBRARIES[name]) {
    const fields = new Map<string, Type>();
    for (const field of LUA53_LIBRARIES[name]) fields.set(field, stdlibType(`${name}.${field}`) ?? UNKNOWN);
    type = { kind: 'table', fields, open: false, name: `${name}lib` };
  } else if (name.includes('.')) {
    const [lib, field] = name.split('.');
    if (LUA53_LIBRARIES[lib]?.includes(field)) type = name.startsWith('io.std') ? fileHandleType() : name === 'math.abs' ? NUMBER : ANY_FUNCTION_OR_VALUE(name);
  }
  if (type) cache.set(name, type);
  return type;
}

function ANY_FUNCTION_OR_VALUE(name: string): Type {
  return name.startsWith('package.') ? UNKNOWN : { ...ANY_FUNCTION, name } as FunctionType;
}

/** The function a method of a string value calls (`("x"):upper()` is `string.upper`). */
export function stringMethod(name: string): Type | undefined {
  return LUA53_LIBRARIES.string.includes(name) ? stdlibType(`string.${name}`) : undefined;
}
