// What Lua 5.3's standard tables contain, and the names of Lua 5.1 and 5.2 that a 5.3 script no
// longer has, with what replaces them. `unknown-member` reads this.
//
// The members are those of the reference manual (stdlib-names.ts), which are exactly what the
// sandbox gives a script: Debian's `lua5.3` is built with LUA_COMPAT_5_2, so it still has
// `math.pow`, `math.ldexp`, `math.log10`, `math.cosh`/`sinh`/`tanh`, `math.frexp`, `math.atan2` and
// `bit32`, but the sandbox copies only the manual's fields into each library table, so under
// `sandlua run` those are nil like `table.getn` or `unpack` (which no 5.3 build has).

import { LUA53_LIBRARIES } from '../contract/stdlib-names';

/** A name a script may carry over from an older Lua. */
export interface RemovedName {
  /** What to write instead, in words (`use table.unpack`). */
  instead: string;
  /** A name that replaces it as it stands (`table.unpack` for `unpack`), for a quick fix. */
  replacement?: string;
  /** The last version that had it in its standard build (`5.1`, or `5.2` for the compatibility functions). */
  last: '5.1' | '5.2';
}

const REMOVED: Readonly<Record<string, RemovedName>> = {
  unpack: { instead: "use 'table.unpack'", replacement: 'table.unpack', last: '5.1' },
  loadstring: { instead: "use 'load', which takes a string", replacement: 'load', last: '5.1' },
  setfenv: { instead: 'environments are the _ENV variable (declare `local _ENV = t`, or pass an environment to load)', last: '5.1' },
  getfenv: { instead: 'environments are the _ENV variable', last: '5.1' },
  module: { instead: 'a module returns its table', last: '5.1' },
  gcinfo: { instead: 'use collectgarbage("count")', last: '5.1' },
  newproxy: { instead: 'use a table with a metatable', last: '5.1' },
  bit32: { instead: 'use the bitwise operators & | ~ << >> and unary ~', last: '5.2' },
  'math.pow': { instead: 'use the operator x ^ y', last: '5.2' },
  'math.mod': { instead: "use 'math.fmod'", replacement: 'math.fmod', last: '5.1' },
  'math.ldexp': { instead: 'use x * 2.0 ^ e', last: '5.2' },
  'math.frexp': { instead: 'compute it from math.log(x, 2)', last: '5.2' },
  'math.log10': { instead: 'use math.log(x, 10)', last: '5.2' },
  'math.cosh': { instead: 'compute it from math.exp', last: '5.2' },
  'math.sinh': { instead: 'compute it from math.exp', last: '5.2' },
  'math.tanh': { instead: 'compute it from math.exp', last: '5.2' },
  'math.atan2': { instead: "use 'math.atan', which takes y and x", replacement: 'math.atan', last: '5.2' },
  'table.getn': { instead: 'use the length operator #t', last: '5.1' },
  'table.setn': { instead: 'a table\'s length is its border (#t); nothing sets it', last: '5.1' },
  'table.maxn': { instead: 'loop over pairs(t) for the largest numeric key', last: '5.1' },
  'table.foreach': { instead: 'use a for loop over pairs(t)', last: '5.1' },
  'table.foreachi': { instead: 'use a for loop over ipairs(t)', last: '5.1' },
  'string.gfind': { instead: "use 'string.gmatch'", replacement: 'string.gmatch', last: '5.1' },
  'package.loaders': { instead: "use 'package.searchers'", replacement: 'package.searchers', last: '5.1' },
  'package.seeall': { instead: 'a module reads globals through _ENV', last: '5.1' },
  'debug.getfenv': { instead: "use 'debug.getuservalue'", replacement: 'debug.getuservalue', last: '5.1' },
  'debug.setfenv': { instead: "use 'debug.setuservalue'", replacement: 'debug.setuservalue', last: '5.1' },
};

const MEMBERS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.keys(LUA53_LIBRARIES).map((library) => [library, new Set(LUA53_LIBRARIES[library])]),
);

/** The older name (`unpack`, `table.getn`), or undefined when 5.3 never dropped such a name. */
export function removedName(name: string): RemovedName | undefined {
  return Object.prototype.hasOwnProperty.call(REMOVED, name) ? REMOVED[name] : undefined;
}

/** Whether `name` is a global that an older Lua had and 5.3 has not (`unpack`, `setfenv`, `bit32`). */
export function isRemovedGlobal(name: string): boolean {
  return !name.includes('.') && removedName(name) !== undefined;
}

/** The fields of a standard library table (`string`, `math`…), or undefined for any other name. */
export function libraryMembers(library: string): ReadonlySet<string> | undefined {
  return MEMBERS.get(library);
}
