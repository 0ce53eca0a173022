// LuaCATS annotations (`---@param`, `---@return`, `---@type`, `---@class`, `---@field`): types the
// author wrote in comments, attached to the statement that follows them, and the documentation
// around them (`---` lines without a tag, the text after a `---@param`'s type) for the language
// service. Only what the analysis can use is read; anything it does not understand is unknown
// (never a guess).

import type * as ast from '../syntax/ast';
import { ANY_FUNCTION, ANY_TABLE, BOOLEAN, INTEGER, NIL, NUMBER, STRING, UNKNOWN, union, unionOf, type NilOrigin, type Type } from './types';

export interface Annotations {
  params: Map<string, Type>;
  returns: Type[] | undefined;
  /** `---@type T` */
  type: Type | undefined;
}

/** What the comments right above a statement say to a reader (signature help, hover). */
export interface Documentation {
  /** The `---` lines without a tag, joined by line breaks. */
  text: string;
  /** Each `---@param`: its type as written (`number?` for `x? number`) and the text after the type. */
  params: Map<string, { type: string; doc?: string }>;
  /** Each `---@return`'s types as written. */
  returns: string[];
}

/** The annotations of a chunk, by the offset of the statement they precede. */
export interface AnnotationIndex {
  /** The types the comments above a statement give (undefined: no type annotation there). */
  at(statement: ast.Range): Annotations | undefined;
  /** The documentation right above a statement: the comments after the last blank line before it. */
  docAt(statement: ast.Range): Documentation | undefined;
}

export const NO_ANNOTATIONS: AnnotationIndex = { at: () => undefined, docAt: () => undefined };

const TAG = /^-@(param|return|type|class|field)\s+(.*)$/;

interface Entry {
  tag: string;
  text: string;
  /** Which run of comments without a blank line (or long comment) between them it is in. */
  block: number;
}

export function readAnnotations(chunk: ast.Chunk, source: string): AnnotationIndex {
  const comments = chunk.comments;
  // Only `---` comments annotate or document anything.
  if (!comments.some((c) => !c.long && c.text.startsWith('-'))) return NO_ANNOTATIONS;
  const classes = new Map<string, { kind: 'table'; fields: Map<string, Type>; open: boolean; name: string }>();
  // Groups of consecutive `---` comments, keyed by where the code after them starts.
  const groups = new Map<number, Entry[]>();
  let group: Entry[] = [];
  let block = 0;
  let lastClass: string | undefined;
  const flush = (end: number): void => {
    if (group.length === 0) return;
    let next = end;
    let newlines = 0;
    while (next < source.length && /\s/.test(source[next])) if (source[next++] === '\n') newlines++;
    // A blank line between the comments and the code ends them: they annotate nothing (as LuaLS reads them).
    if (newlines <= 1) groups.set(next, group);
    group = [];
  };
  for (let i = 0; i < comments.length; i++) {
    const c = comments[i];
    if (c.long) block++;
    const m = c.long ? null : TAG.exec(c.text.trim() === c.text ? c.text : c.text.trimEnd());
    if (m) {
      if (m[1] === 'class') {
        const name = /^([\w.]+)/.exec(m[2])?.[1];
        if (name) {
          classes.set(name, { kind: 'table', fields: new Map(), open: true, name });
          lastClass = name;
        }
      } else if (m[1] === 'field' && lastClass) {
        const f = /^(\w+)(\?)?\s+(.+)$/.exec(m[2]);
        if (f) group.push({ tag: 'field', text: `${lastClass} ${f[1]}${f[2] ?? ''} ${f[3]}`, block });
      } else {
        group.push({ tag: m[1], text: m[2], block });
      }
    } else if (!c.long && c.text.startsWith('-') && !c.text.startsWith('-@')) {
      group.push({ tag: 'doc', text: c.text.slice(1).trim(), block });
    }
    const next = comments[i + 1];
    const between = next ? source.slice(c.end, next.start) : '';
    // The group ends where code (not only blanks) stands before the next comment.
    if (!next || between.trim() !== '') {
      flush(c.end);
    } else if ((between.match(/\n/g)?.length ?? 0) > 1) {
      // A blank line between comments ends a paragraph of documentation (types read on).
      block++;
    }
  }
  const resolved = new Map<number, Annotations>();
  const documented = new Map<number, Documentation>();
  const parseAt = (text: string): Type => parseLuaCatsType(text, classes);
  // Fields first: classes are complete before any use.
  for (const list of groups.values()) {
    for (const a of list) {
      if (a.tag !== 'field') continue;
      const [cls, name, ...rest] = a.text.split(' ');
      const t = parseAt(rest.join(' '));
      const optional = name.endsWith('?');
      const field = optional ? name.slice(0, -1) : name;
      classes.get(cls)?.fields.set(field, blame(optional ? union(t, NIL) : t, { text: `${cls}.${field} is annotated ${rest.join(' ').split(/\s/)[0]}${optional ? '?' : ''}`, contract: false }));
    }
  }
  for (const [offset, list] of groups) {
    const out: Annotations = { params: new Map(), returns: undefined, type: undefined };
    let typed = false;
    for (const a of list) {
      if (a.tag === 'param') {
        const m = /^([\w.]+)(\?)?\s+(.+)$/.exec(a.text);
        if (m) {
          const t = parseAt(m[3]);
          const origin = { text: `${m[1]} is annotated ${m[2] ? `${m[3].split(/\s/)[0]}?` : m[3].split(/\s/)[0]}`, contract: false };
          out.params.set(m[1], blame(m[2] ? union(t, NIL) : t, origin));
        }
      } else if (a.tag === 'return') {
        (out.returns ??= []).push(...splitOn(a.text, ',').filter(Boolean).map((r) => blame(parseAt(r), { text: `annotated ---@return ${r.split(/\s/)[0]}`, contract: false })));
      } else if (a.tag === 'type') {
        out.type = blame(parseAt(a.text), { text: `annotated ---@type ${a.text.split(/\s/)[0]}`, contract: false });
      }
      if (a.tag !== 'doc') typed = true;
    }
    if (typed) resolved.set(offset, out);
    documented.set(offset, documentation(list.filter((a) => a.block === list[list.length - 1].block)));
  }
  return { at: (statement) => resolved.get(statement.start), docAt: (statement) => documented.get(statement.start) };
}

function documentation(entries: readonly Entry[]): Documentation {
  const params = new Map<string, { type: string; doc?: string }>();
  const returns: string[] = [];
  const text: string[] = [];
  for (const a of entries) {
    if (a.tag === 'doc') {
      text.push(a.text);
    } else if (a.tag === 'param') {
      const m = /^([A-Za-z_]\w*|\.\.\.)(\?)?\s+(.+)$/.exec(a.text);
      if (!m) continue;
      const { type, rest } = splitType(m[3]);
      const doc = rest.replace(/^[-#@]\s*/, '');
      params.set(m[1], { type: `${type}${m[2] ?? ''}`, ...(doc ? { doc } : {}) });
    } else if (a.tag === 'return') {
      for (const r of splitOn(a.text, ',').filter(Boolean)) returns.push(splitType(r).type);
    }
  }
  return { text: text.join('\n').trim(), params, returns };
}

/** A LuaCATS type: names, `T?`, `T[]`, `A|B`, `fun(...)`, `table<K, V>`, `{...}`, string literals. Anything else: unknown. */
export function parseLuaCatsType(text: string, classes: ReadonlyMap<string, Type> = new Map()): Type {
  // The description after the type is dropped.
  const t = splitType(text).type;
  if (t.length > 200) return UNKNOWN;
  const parts = splitOn(t, '|');
  if (parts.length > 1) return unionOf(parts.map((p) => parseLuaCatsType(p, classes)));
  if (t.endsWith('?')) return union(parseLuaCatsType(t.slice(0, -1), classes), NIL);
  if (t.endsWith('[]')) return { kind: 'table', fields: new Map(), array: parseLuaCatsType(t.slice(0, -2), classes), open: false };
  if (t.startsWith('(') && t.endsWith(')')) return parseLuaCatsType(t.slice(1, -1), classes);
  if (/^["'].*["']$/.test(t)) return { kind: 'string', value: t.slice(1, -1) };
  if (t.startsWith('fun(') || t === 'function') return ANY_FUNCTION;
  if (t.startsWith('table') || t.startsWith('{')) return ANY_TABLE;
  switch (t) {
    case 'string': return STRING;
    case 'number': return NUMBER;
    case 'integer': return INTEGER;
    case 'boolean': return BOOLEAN;
    case 'nil': return NIL;
    case 'true': return { kind: 'boolean', value: true };
    case 'false': return { kind: 'boolean', value: false };
    default: return classes.get(t) ?? UNKNOWN;
  }
}

/** A type as written and the description after it: the type ends at the first space outside brackets (not around `|`). */
function splitType(text: string): { type: string; rest: string } {
  let depth = 0;
  let end = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '<' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '>' || c === '}' || c === ']') depth--;
    else if (depth === 0 && /\s/.test(c) && !/^\s*[|?]/.test(text.slice(i)) && !/[|,:]\s*$/.test(text.slice(0, i))) {
      end = i;
      break;
    }
  }
  return { type: text.slice(0, end).trim(), rest: text.slice(end).trim() };
}

function splitOn(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '<' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '>' || c === '}' || c === ']') depth--;
    else if (c === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim());
}

/** The type with its nil (if any) blamed on an annotation. */
function blame(type: Type, origin: NilOrigin): Type {
  if (type.kind === 'nil') return type.origin ? type : { kind: 'nil', origin };
  if (type.kind !== 'union' || !type.types.some((t) => t.kind === 'nil' && !t.origin)) return type;
  return { kind: 'union', types: type.types.map((t) => (t.kind === 'nil' && !t.origin ? { kind: 'nil', origin } : t)) };
}
