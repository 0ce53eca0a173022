// The names of Lua 5.3's standard library, as data: every global the standard libraries define and
// every field of each library table (the reference manual, §6, without the LUA_COMPAT_5_2 extras
// such as `bit32` or `math.pow`). The contract validates `stdlib` entries against this list, the
// policy answers for it, and the checker and completion enumerate it.

/** What a standard name holds, for completion kinds and hover. */
export type StdlibKind = 'function' | 'table' | 'string' | 'number' | 'file';

/** The library tables and their fields (functions unless `VALUE_FIELDS` says otherwise). */
export const LUA53_LIBRARIES: Readonly<Record<string, readonly string[]>> = {
  coroutine: ['create', 'isyieldable', 'resume', 'running', 'status', 'wrap', 'yield'],
  debug: [
    'debug', 'gethook', 'getinfo', 'getlocal', 'getmetatable', 'getregistry', 'getupvalue', 'getuservalue',
    'sethook', 'setlocal', 'setmetatable', 'setupvalue', 'setuservalue', 'traceback', 'upvalueid', 'upvaluejoin',
  ],
  io: ['close', 'flush', 'input', 'lines', 'open', 'output', 'popen', 'read', 'stderr', 'stdin', 'stdout', 'tmpfile', 'type', 'write'],
  math: [
    'abs', 'acos', 'asin', 'atan', 'ceil', 'cos', 'deg', 'exp', 'floor', 'fmod', 'huge', 'log', 'max', 'maxinteger',
    'min', 'mininteger', 'modf', 'pi', 'rad', 'random', 'randomseed', 'sin', 'sqrt', 'tan', 'tointeger', 'type', 'ult',
  ],
  os: ['clock', 'date', 'difftime', 'execute', 'exit', 'getenv', 'remove', 'rename', 'setlocale', 'time', 'tmpname'],
  package: ['config', 'cpath', 'loaded', 'loadlib', 'path', 'preload', 'searchers', 'searchpath'],
  string: ['byte', 'char', 'dump', 'find', 'format', 'gmatch', 'gsub', 'len', 'lower', 'match', 'pack', 'packsize', 'rep', 'reverse', 'sub', 'unpack', 'upper'],
  table: ['concat', 'insert', 'move', 'pack', 'remove', 'sort', 'unpack'],
  utf8: ['char', 'charpattern', 'codepoint', 'codes', 'len', 'offset'],
};

/** The base library's globals (functions unless `VALUE_FIELDS` says otherwise). */
export const LUA53_BASE: readonly string[] = [
  '_G', '_VERSION', 'assert', 'collectgarbage', 'dofile', 'error', 'getmetatable', 'ipairs', 'load', 'loadfile', 'next',
  'pairs', 'pcall', 'print', 'rawequal', 'rawget', 'rawlen', 'rawset', 'require', 'select', 'setmetatable', 'tonumber',
  'tostring', 'type', 'xpcall',
];

/**
 * Names that are not Lua 5.3 but that a contract may still name: `loadstring` is Lua 5.1's `load`,
 * and DESIGN.md's default deny list names it, so a contract may repeat it without an error.
 */
export const LEGACY_NAMES: readonly string[] = ['loadstring'];

const VALUE_FIELDS: Readonly<Record<string, StdlibKind>> = {
  _G: 'table',
  _VERSION: 'string',
  'math.huge': 'number',
  'math.pi': 'number',
  'math.maxinteger': 'number',
  'math.mininteger': 'number',
  'utf8.charpattern': 'string',
  'io.stdin': 'file',
  'io.stdout': 'file',
  'io.stderr': 'file',
  'package.config': 'string',
  'package.cpath': 'string',
  'package.path': 'string',
  'package.loaded': 'table',
  'package.preload': 'table',
  'package.searchers': 'table',
};

/** Every standard name — each global (base functions and library tables) and each `library.field` — with its kind. */
export const LUA53_STDLIB: ReadonlyMap<string, StdlibKind> = (() => {
  const names = new Map<string, StdlibKind>();
  for (const name of LUA53_BASE) names.set(name, VALUE_FIELDS[name] ?? 'function');
  for (const library of Object.keys(LUA53_LIBRARIES)) {
    names.set(library, 'table');
    for (const field of LUA53_LIBRARIES[library]) {
      const name = `${library}.${field}`;
      names.set(name, VALUE_FIELDS[name] ?? 'function');
    }
  }
  return names;
})();

/** The same names as a sorted list. */
export const LUA53_STDLIB_NAMES: readonly string[] = [...LUA53_STDLIB.keys()].sort();

/** Whether `name` is a Lua 5.3 standard global, library or library field (`os`, `os.time`, `print`). */
export function isStdlibName(name: string): boolean {
  return LUA53_STDLIB.has(name);
}

/** Whether `name` is one of the standard library tables (`string`, `os`, …). */
export function isStdlibLibrary(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(LUA53_LIBRARIES, name);
}
