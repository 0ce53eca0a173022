// Seeded random Lua 5.3 programs for the differential test: valid programs that use every rule of
// the grammar and the lexer (luac5.3 must accept them all), programs near Lua's limits (nesting,
// locals, assignment targets: luac decides), and mutations of valid programs (tokens or characters
// deleted, inserted, swapped; truncation) whose verdict and first message we compare with luac's.

import { Random } from './random';
import { parse } from '../parser';

/** What the statement generator knows about where it is. */
interface Context {
  depth: number;
  inLoop: boolean;
  vararg: boolean;
  /** Locals declared in the current function so far (kept well under Lua's 200). */
  locals: string[];
  /** Labels visible for a backward `goto` (current function, enclosing blocks, already placed). */
  labels: string[];
  /** The label ending the innermost loop body, for `goto continue`, if the body has one. */
  continueLabel: string | undefined;
}

const NAMES = ['a', 'b', 'c', 'x', 'y', 'n', 'self', 'print', 'string', 'tbl', '_ENV', '_', 'k2', 'longer_name_1'];
const BINARY = ['+', '-', '*', '/', '//', '%', '^', '..', '==', '~=', '<', '<=', '>', '>=', 'and', 'or', '&', '|', '~', '<<', '>>'];
const UNARY = ['-', 'not', '#', '~'];

/** A numeral in one of Lua's forms (all valid). */
export function numeral(r: Random): string {
  const digits = (n: number, hex = false) => {
    let s = '';
    const set = hex ? '0123456789abcdefABCDEF' : '0123456789';
    for (let i = 0; i < n; i++) s += set[r.int(set.length)];
    return s;
  };
  switch (r.int(12)) {
    case 0: return digits(1 + r.int(3));
    case 1: return `${digits(1 + r.int(2))}.${digits(r.int(3))}`;
    case 2: return `.${digits(1 + r.int(3))}`;
    case 3: return `${digits(1 + r.int(2))}${r.pick(['e', 'E'])}${r.pick(['', '+', '-'])}${digits(1 + r.int(2))}`;
    case 4: return `0${r.pick(['x', 'X'])}${digits(1 + r.int(6), true)}`;
    case 5: return `0x${digits(r.int(3), true)}.${digits(1 + r.int(3), true)}${r.pick(['', 'p1', 'P-4', 'p+10'])}`;
    case 6: return `0x${digits(1 + r.int(3), true)}${r.pick(['p', 'P'])}${r.pick(['', '+', '-'])}${digits(1 + r.int(2))}`;
    case 7: return r.pick(['9223372036854775807', '9223372036854775808', '0x7fffffffffffffff', '0xffffffffffffffff', '0x10000000000000000', '1e308', '1e309', '0x1p53', '0x.8p-1074']);
    case 8: return `${digits(1 + r.int(2))}.${r.pick(['', 'e5', 'E-2'])}`;
    case 9: return digits(17 + r.int(10));
    case 10: return `0x${digits(17 + r.int(4), true)}`;
    default: return `${digits(1)}.${digits(1 + r.int(20))}e${r.pick(['-', ''])}${digits(1 + r.int(2))}`;
  }
}

/** A short string literal with valid escapes (every kind). */
export function shortString(r: Random): string {
  const quote = r.pick(['"', "'"]);
  let s = quote;
  const n = r.int(6);
  for (let i = 0; i < n; i++) {
    switch (r.int(10)) {
      case 0: s += '\\' + r.pick(['a', 'b', 'f', 'n', 'r', 't', 'v', '\\', '"', "'"]); break;
      case 1: s += `\\x${r.pick(['0', '4', '7', 'a', 'F'])}${r.pick(['0', '1', 'e', 'C'])}`; break;
      // Three digits, so that a digit after the escape cannot extend it.
      case 2: s += `\\${String(r.int(256)).padStart(3, '0')}`; break;
      case 3: s += `\\u{${r.pick(['0', '41', '7FF', 'ffff', '10FFFF', '0000000041', '1F600'])}}`; break;
      case 4: s += '\\z' + r.pick(['', ' ', '\n   ', ' \t\r\n ']); break;
      case 5: s += '\\' + r.pick(['\n', '\r\n', '\r', '\n\r']); break;
      case 6: s += r.pick(['é', '日本', '€', ' ', '--', '[[', ']]']); break;
      case 7: s += quote === '"' ? "'" : '"'; break;
      default: s += r.pick(['abc', 'x', 'hello world', '1.5', '%d']);
    }
  }
  return s + quote;
}

/** A long bracket string of a random level, sometimes holding other levels' closers. */
export function longString(r: Random): string {
  const level = '='.repeat(r.int(4));
  const body = r.pick(['', 'text', '\nfirst newline dropped', 'a]]b', ']=]', 'x\r\ny', '\\n is not an escape', ']==]', 'é']);
  const close = `]${level}]`;
  // The body must not close the string early, not even with its last `]`.
  const safe = (body + close).indexOf(close) < body.length ? 'plain' : body;
  return `[${level}[${safe}${close}`;
}

function comment(r: Random): string {
  switch (r.int(5)) {
    case 0: return '-- a comment\n';
    case 1: return `--[[ long\ncomment ]]`;
    case 2: return `--[==[ level 2 ]] still ]=] inside ]==]`;
    case 3: return '--[ not long\n';
    default: return '--\n';
  }
}

/** Joins tokens with random spacing, comments and line breaks, never letting two tokens merge. */
class Emitter {
  private out = '';
  private last = '';

  constructor(private readonly r: Random) {}

  token(text: string): void {
    if (this.out.length > 0) {
      const glue = '(){},;';
      const r = this.r;
      const canTouch = (glue.includes(this.last) || glue.includes(text[0])) && !(this.last === '-' && text[0] === '-');
      if (canTouch && r.chance(0.4)) { /* no space */ }
      else if (r.chance(0.08)) this.out += r.chance(0.5) ? '\n' : r.pick(['\r\n', '\t', '  ', '\f', '\v']);
      else if (r.chance(0.03)) this.out += ' ' + comment(r);
      else this.out += ' ';
    }
    this.out += text;
    this.last = text[text.length - 1];
  }

  text(): string {
    return this.out;
  }
}

export class ProgramGenerator {
  private readonly e: Emitter;
  private labelCount = 0;

  constructor(private readonly r: Random) {
    this.e = new Emitter(r);
  }

  /** A whole valid chunk. */
  program(): string {
    const r = this.r;
    const ctx: Context = { depth: 0, inLoop: false, vararg: true, locals: [], labels: [], continueLabel: undefined };
    this.block(ctx, 2 + r.int(8), true);
    let text = this.e.text();
    if (r.chance(0.1)) text = '#!/usr/bin/env lua5.3\n' + text;
    if (r.chance(0.05)) text = '\ufeff' + text;
    return text;
  }

  private t(text: string): void {
    this.e.token(text);
  }

  private name(ctx: Context): string {
    const r = this.r;
    if (ctx.locals.length > 0 && r.chance(0.5)) return r.pick(ctx.locals);
    return r.pick(NAMES);
  }

  private newLocal(ctx: Context): string {
    const name = `v${ctx.locals.length}`;
    ctx.locals.push(name);
    return name;
  }

  /** A block of statements; `last` allows a final `return`. */
  private block(ctx: Context, count: number, allowReturn: boolean): void {
    const r = this.r;
    const inner: Context = { ...ctx, labels: [...ctx.labels] };
    let n = count;
    if (r.chance(0.1) && ctx.depth < 4) {
      // A label for backward jumps from here and below.
      const label = `L${this.labelCount++}`;
      this.t('::'); this.t(label); this.t('::');
      inner.labels.push(label);
    }
    while (n-- > 0) this.statement(inner);
    if (allowReturn && r.chance(0.3)) {
      this.t('return');
      if (r.chance(0.7)) this.expressionList(inner);
      if (r.chance(0.3)) this.t(';');
    }
    // `locals` is one array per function: a block's locals stay in it after the block, which only
    // over-counts (Lua frees them), so the generated functions stay under Lua's limit of 200.
  }

  private loopBody(ctx: Context, allowContinue: boolean): void {
    const r = this.r;
    const label = allowContinue && r.chance(0.3) ? `continue${this.labelCount++}` : undefined;
    const inner: Context = { ...ctx, depth: ctx.depth + 1, inLoop: true, continueLabel: label, labels: [...ctx.labels] };
    this.block(inner, r.int(4), !label);
    if (label) {
      // The label ends the body, so locals declared before it do not make `goto continue` invalid.
      this.t('::'); this.t(label); this.t('::');
      if (r.chance(0.3)) this.t(';');
    }
  }

  private statement(ctx: Context): void {
    const r = this.r;
    const deep = ctx.depth >= 4;
    const choice = r.int(deep ? 6 : 19);
    switch (choice) {
      case 0: case 1: {
        this.t('local');
        const count = 1 + r.int(3);
        const names: string[] = [];
        for (let i = 0; i < count; i++) {
          if (i > 0) this.t(',');
          names.push(`v${ctx.locals.length + i}`);
          this.t(names[i]);
        }
        if (r.chance(0.7)) { this.t('='); this.expressionList(ctx); }
        ctx.locals.push(...names);
        break;
      }
      case 2: case 3: {
        const count = 1 + (r.chance(0.2) ? r.int(3) : 0);
        for (let i = 0; i < count; i++) {
          if (i > 0) this.t(',');
          this.assignable(ctx, i === 0);
        }
        this.t('=');
        this.expressionList(ctx);
        break;
      }
      case 4: this.call(ctx, true); break;
      case 5:
        if (ctx.continueLabel && r.chance(0.5)) { this.t('goto'); this.t(ctx.continueLabel); }
        else if (ctx.inLoop) this.t('break');
        else this.t(';');
        break;
      case 6: this.t('do'); this.block({ ...ctx, depth: ctx.depth + 1 }, r.int(3), true); this.t('end'); break;
      case 7: this.t('while'); this.expression(ctx, 2); this.t('do'); this.loopBody(ctx, true); this.t('end'); break;
      case 8: {
        this.t('repeat');
        const inner: Context = { ...ctx, depth: ctx.depth + 1, inLoop: true, continueLabel: undefined, labels: [...ctx.labels] };
        this.block(inner, r.int(3), true);
        this.t('until');
        // The condition sees the body's locals.
        this.expression(inner, 2);
        break;
      }
      case 9: {
        this.t('if'); this.expression(ctx, 2); this.t('then');
        if (r.chance(0.2) && (ctx.inLoop || ctx.labels.length > 0 || ctx.continueLabel)) {
          if (ctx.labels.length > 0 && r.chance(0.5)) { this.t('goto'); this.t(r.pick(ctx.labels)); }
          else if (ctx.continueLabel && r.chance(0.5)) { this.t('goto'); this.t(ctx.continueLabel); }
          else if (ctx.inLoop) this.t('break');
          else { this.t('goto'); this.t(ctx.labels[0] ?? ctx.continueLabel!); }
        } else {
          this.block({ ...ctx, depth: ctx.depth + 1 }, r.int(3), true);
        }
        const elseifs = r.int(3);
        for (let i = 0; i < elseifs; i++) {
          this.t('elseif'); this.expression(ctx, 2); this.t('then');
          this.block({ ...ctx, depth: ctx.depth + 1 }, r.int(2), true);
        }
        if (r.chance(0.4)) { this.t('else'); this.block({ ...ctx, depth: ctx.depth + 1 }, r.int(2), true); }
        this.t('end');
        break;
      }
      case 10: {
        this.t('for');
        const v = this.newLocal(ctx);
        this.t(v); this.t('='); this.expression(ctx, 2); this.t(','); this.expression(ctx, 2);
        if (r.chance(0.4)) { this.t(','); this.expression(ctx, 2); }
        this.t('do'); this.loopBody(ctx, true); this.t('end');
        break;
      }
      case 11: {
        this.t('for');
        const count = 1 + r.int(3);
        for (let i = 0; i < count; i++) {
          if (i > 0) this.t(',');
          this.t(this.newLocal(ctx));
        }
        this.t('in'); this.expressionList(ctx);
        this.t('do'); this.loopBody(ctx, true); this.t('end');
        break;
      }
      case 12: {
        this.t('function');
        this.t(r.pick(NAMES));
        const dots = r.int(3);
        for (let i = 0; i < dots; i++) { this.t('.'); this.t(r.pick(['field', 'end_', 'x'])); }
        const method = r.chance(0.3);
        if (method) { this.t(':'); this.t('method'); }
        this.functionBody(ctx, method);
        break;
      }
      case 13: {
        this.t('local'); this.t('function');
        this.t(this.newLocal(ctx));
        this.functionBody(ctx, false);
        break;
      }
      case 14: {
        const label = `L${this.labelCount++}`;
        this.t('::'); this.t(label); this.t('::');
        ctx.labels.push(label);
        break;
      }
      case 15:
        if (ctx.labels.length > 0) { this.t('goto'); this.t(r.pick(ctx.labels)); }
        else this.t(';');
        break;
      case 16: this.t(';'); break;
      case 17: this.call(ctx, true); break;
      default: this.t('do'); this.t('local'); this.t(this.newLocal(ctx)); this.t('end');
    }
  }

  private functionBody(ctx: Context, method: boolean): void {
    const r = this.r;
    const inner: Context = { depth: ctx.depth + 1, inLoop: false, vararg: false, locals: method ? ['self'] : [], labels: [], continueLabel: undefined };
    this.t('(');
    const params = r.int(4);
    for (let i = 0; i < params; i++) {
      if (i > 0) this.t(',');
      this.t(this.newLocal(inner));
    }
    if (r.chance(0.3)) {
      if (params > 0) this.t(',');
      this.t('...');
      inner.vararg = true;
    }
    this.t(')');
    this.block(inner, r.int(4), true);
    this.t('end');
  }

  /** An assignment target; the `first` one starts a statement. */
  private assignable(ctx: Context, first: boolean): void {
    const r = this.r;
    switch (r.int(4)) {
      case 0: this.t(this.name(ctx)); this.t('.'); this.t(r.pick(['field', 'x', 'goto_'])); break;
      case 1: this.t(this.name(ctx)); this.t('['); this.expression(ctx, 1); this.t(']'); break;
      case 2: this.call(ctx, first); this.t('.'); this.t('f'); break;
      default: this.t(this.name(ctx));
    }
  }

  /**
   * A call: `f(...)`, `f"s"`, `f{...}`, `o:m(...)`, chains. One that starts a statement with `(` gets
   * a `;` before it, or Lua would read it as arguments to the previous statement's last expression.
   */
  private call(ctx: Context, startsStatement = false): void {
    const r = this.r;
    if (r.chance(0.15)) {
      if (startsStatement) this.t(';');
      this.t('('); this.expression(ctx, 1); this.t(')');
    }
    else this.t(this.name(ctx));
    const suffixes = r.int(3);
    for (let i = 0; i < suffixes; i++) {
      if (r.chance(0.5)) { this.t('.'); this.t('m'); }
      else { this.t('['); this.expression(ctx, 1); this.t(']'); }
    }
    if (r.chance(0.3)) { this.t(':'); this.t(r.pick(['method', 'gsub', 'x'])); }
    this.callArguments(ctx);
    if (r.chance(0.2)) this.callArguments(ctx);
  }

  private callArguments(ctx: Context): void {
    const r = this.r;
    switch (r.int(5)) {
      case 0: this.t(shortString(r)); break;
      case 1: this.t(longString(r)); break;
      case 2: this.table(ctx, 1); break;
      default:
        this.t('(');
        if (r.chance(0.7)) this.expressionList(ctx);
        this.t(')');
    }
  }

  private expressionList(ctx: Context): void {
    const n = 1 + this.r.int(3);
    for (let i = 0; i < n; i++) {
      if (i > 0) this.t(',');
      this.expression(ctx, 3);
    }
  }

  private table(ctx: Context, budget: number): void {
    const r = this.r;
    this.t('{');
    const n = r.int(5);
    for (let i = 0; i < n; i++) {
      switch (r.int(3)) {
        case 0: this.t(r.pick(['k', 'x', 'name'])); this.t('='); this.expression(ctx, budget - 1); break;
        case 1: this.t('['); this.expression(ctx, budget - 1); this.t(']'); this.t('='); this.expression(ctx, budget - 1); break;
        default: this.expression(ctx, budget - 1);
      }
      if (i < n - 1 || r.chance(0.3)) this.t(r.pick([',', ';']));
    }
    this.t('}');
  }

  private expression(ctx: Context, budget: number): void {
    const r = this.r;
    if (budget <= 0 || r.chance(0.35)) return this.simple(ctx, budget);
    switch (r.int(6)) {
      case 0: this.t(r.pick(UNARY)); this.expression(ctx, budget - 1); break;
      case 1: this.t('('); this.expression(ctx, budget - 1); this.t(')'); break;
      default: this.expression(ctx, budget - 1); this.t(r.pick(BINARY)); this.expression(ctx, budget - 1);
    }
  }

  private simple(ctx: Context, budget: number): void {
    const r = this.r;
    switch (r.int(14)) {
      case 0: this.t(numeral(r)); break;
      case 1: this.t(shortString(r)); break;
      case 2: this.t(longString(r)); break;
      case 3: this.t(r.pick(['nil', 'true', 'false'])); break;
      case 4: if (ctx.vararg) this.t('...'); else this.t('nil'); break;
      case 5: this.table(ctx, budget); break;
      case 6: {
        // Functions nest statements; keep the programs small.
        if (ctx.depth >= 3) { this.t('nil'); break; }
        this.t('function');
        this.functionBody(ctx, false);
        break;
      }
      case 7: this.call(ctx); break;
      case 8: this.t(this.name(ctx)); this.t('.'); this.t(r.pick(['a', 'b', 'x'])); break;
      case 9: this.t(this.name(ctx)); this.t('['); this.expression(ctx, budget - 1); this.t(']'); break;
      default: this.t(this.name(ctx));
    }
  }
}

/** A valid program. */
export function validProgram(r: Random): string {
  return new ProgramGenerator(r).program();
}

// Layers for `deepProgram`: each wraps a statement (S) or an expression (E) and is itself one.
const STATEMENT_LAYERS = [
  'do S end', 'if x then S end', 'if x then else S end', 'while x do S end', 'repeat S until x',
  'for i = 1, 2 do S end', 'for k, v in p do S end', 'local function f() S end', 'function g(...) S end',
  'x = E', 'return E', 'f(E)', 'local a, b = 1, E', 't[E] = 1', 'while E do end', 'if E then end',
  'if x then elseif E then end', 'for i = E, 2 do end', 'repeat until E', 'for k in E do end', '::l:: ;; S',
  'while x do if y then break end S end',
];
const EXPRESSION_LAYERS = [
  '(E)', '{E}', '{x = E}', '{[E] = 1}', 'f(E)', 'f{E}', 't[E]', '- E', 'not E', '1 + E', 'E .. 1',
  '2 ^ E', 'a.b:c(E)', 'function() S end', 'function(...) return E end', '(E)(1)',
];

/**
 * A program nested near Lua's limit of 200 C levels with a random mix of constructs: luac accepts
 * or rejects it depending on the exact count, which the parser must reproduce.
 */
export function deepProgram(r: Random): string {
  const depth = 90 + r.int(130);
  let text = 'S';
  for (let i = 0; i < depth; i++) {
    const hole = text.includes('S') ? 'S' : 'E';
    const layer = r.pick(hole === 'S' ? STATEMENT_LAYERS : EXPRESSION_LAYERS);
    text = text.replace(hole, layer);
  }
  const innermost = r.pick(['y = 1', 'return', 'if y then goto m end ::m::', 'if y then break end', ';', 'local y']);
  return text.replace('S', innermost).replace('E', 'y') + '\n';
}

/** A function with a number of locals near Lua's limit of 200, declared in every way Lua counts. */
export function manyLocals(r: Random): string {
  const target = 185 + r.int(30);
  const parts: string[] = [];
  let count = 0;
  const params = r.int(20);
  const paramNames = Array.from({ length: params }, (_, i) => `p${i}`);
  count += params;
  while (count < target) {
    switch (r.int(4)) {
      case 0: {
        const n = 1 + r.int(10);
        parts.push(`local ${Array.from({ length: n }, (_, i) => `a${count + i}`).join(', ')} = 1`);
        count += n;
        break;
      }
      case 1: parts.push(`local function f${count}() end`); count += 1; break;
      case 2: parts.push(`for i${count} = 1, 2 do local q = ${count} end`); break;
      default: parts.push(`for k${count}, v${count} in pairs(t) do end`); break;
    }
  }
  const body = parts.join(r.chance(0.5) ? '\n' : ' ');
  return r.chance(0.5)
    ? `local function big(${paramNames.join(', ')})\n${body}\nend\n`
    : `${body}\n`;
}

/** An assignment with a number of targets near where Lua runs out of C levels. */
export function manyTargets(r: Random): string {
  const depth = r.int(4);
  const targets = 190 + r.int(20) - depth * 3;
  // Plain names: indexed targets would also run out of registers, a code generator's limit.
  const list = Array.from({ length: targets }, (_, i) => `a${i}`).join(',');
  return 'do '.repeat(depth) + `${list} = 1` + ' end'.repeat(depth) + '\n';
}

export const TOKEN_PALETTE = [
  'end', 'do', 'then', 'if', 'else', 'elseif', 'until', 'repeat', 'function', 'local', 'return', 'break',
  'goto', '::', ';', ',', '.', ':', '(', ')', '{', '}', '[', ']', '=', '==', '...', '..', '+', '-', '#',
  '~', '//', 'x', 'L1', '1', '0x', '1e', '"s"', "'", '"', '[[', ']]', '[=', '--', '\\', '@', '$', 'nil',
  '\n', 'for', 'in', 'while', '"\\q"', '"\\x1"', '"\\u{110000}"', '"\\300"', '\0', 'é',
];

/** A copy of `source` with a few random edits of tokens or characters, or cut short. */
export function mutate(r: Random, source: string): string {
  const tokens = parse(source, { tokens: true }).tokens ?? [];
  let text = source;
  const edits = 1 + r.int(3);
  for (let k = 0; k < edits; k++) {
    const kind = r.int(tokens.length > 1 ? 8 : 3);
    if (kind === 0) {
      // Truncate: every prefix of a program must be handled.
      text = text.slice(0, r.int(text.length + 1));
      break;
    }
    if (kind === 1) {
      const at = r.int(text.length + 1);
      text = text.slice(0, at) + r.pick(TOKEN_PALETTE) + text.slice(at);
      continue;
    }
    if (kind === 2) {
      const at = r.int(text.length + 1);
      text = text.slice(0, at) + text.slice(at + 1 + r.int(3));
      continue;
    }
    // Token edits apply to the original token offsets, so do only one per copy.
    const i = r.int(tokens.length);
    const t = tokens[i];
    if (t.end > text.length) continue;
    const before = text.slice(0, t.start);
    const after = text.slice(t.end);
    const word = text.slice(t.start, t.end);
    switch (kind) {
      case 3: text = before + after; break;
      case 4: text = before + word + ' ' + word + after; break;
      case 5: text = before + r.pick(TOKEN_PALETTE) + after; break;
      case 6: {
        const u = tokens[Math.min(i + 1, tokens.length - 1)];
        if (u.start >= t.end && u.end <= text.length) text = before + text.slice(u.start, u.end) + text.slice(t.end, u.start) + word + text.slice(u.end);
        break;
      }
      default: text = before + ' ' + r.pick(TOKEN_PALETTE) + ' ' + word + after;
    }
    break;
  }
  return text;
}

/** A numeral-like run of characters (valid or malformed) in an expression. */
export function numeralFuzz(r: Random): string {
  const set = ['0', '1', '9', 'x', 'X', 'e', 'E', 'p', 'P', '.', '+', '-', 'a', 'f', 'g', 'z', '_'];
  let s = r.pick(['0', '1', '.', '0x', '9', '.0']);
  const n = r.int(7);
  for (let i = 0; i < n; i++) s += r.pick(set);
  return `x = ${s}\n`;
}

/** A string literal with random (often invalid) escapes, sometimes unfinished. */
export function stringFuzz(r: Random): string {
  const pieces = ['\\', 'x', 'u', '{', '}', '1', '2', '5', '9', 'F', 'g', 'z', ' ', '\n', '\r', '"', "'", 'a', '\\\n', '0', '10FFFF', '110000', '7FFFFFFF', '256', '255'];
  let s = r.pick(['"', "'"]);
  const n = 1 + r.int(8);
  for (let i = 0; i < n; i++) s += r.pick(pieces);
  if (r.chance(0.7)) s += s[0];
  return `x = ${s}${r.chance(0.5) ? '\ny = 1\n' : ''}`;
}

/**
 * Random bytes, weighted towards the characters that start tokens. A leading ESC byte is avoided:
 * `luaL_loadfile` takes such a file for precompiled bytecode, which is not source to parse.
 */
export function garbage(r: Random): Uint8Array {
  const alphabet = Buffer.from('"\'[]=-\\\n\r{}()0x.e9az_ \t#:;~<>/', 'latin1');
  const bytes = new Uint8Array(r.int(120));
  for (let i = 0; i < bytes.length; i++) bytes[i] = r.chance(0.5) ? r.pick([...alphabet]) : r.int(256);
  if (bytes[0] === 0x1b) bytes[0] = 0x20;
  return bytes;
}

/**
 * Random blocks of locals, labels, gotos and breaks in nested blocks, loops and functions, valid or
 * not: luac decides whether each goto sees its label, jumps into a local's scope, or a label repeats.
 */
export function gotoProgram(r: Random): string {
  const labels = ['a', 'b', 'c'];
  const out: string[] = [];
  const block = (depth: number): void => {
    const n = 1 + r.int(5);
    for (let i = 0; i < n; i++) {
      switch (r.int(depth > 3 ? 6 : 12)) {
        case 0: case 1: out.push(`goto ${r.pick(labels)}`); break;
        case 2: case 3: out.push(`::${r.pick(labels)}::`); break;
        case 4: out.push(`local ${r.pick(['x', 'y', 'z'])} = 1`); break;
        case 5: out.push(r.pick(['break', ';', 'f()', 'return'])); if (out[out.length - 1] === 'return') return; break;
        case 6: out.push('do'); block(depth + 1); out.push('end'); break;
        case 7: out.push('while x do'); block(depth + 1); out.push('end'); break;
        case 8: out.push('repeat'); block(depth + 1); out.push('until x'); break;
        case 9: out.push('if x then'); block(depth + 1); if (r.chance(0.5)) { out.push('else'); block(depth + 1); } out.push('end'); break;
        case 10: out.push('for i = 1, 2 do'); block(depth + 1); out.push('end'); break;
        default: out.push('local function f()'); block(depth + 1); out.push('end');
      }
    }
  };
  block(0);
  return out.join(r.chance(0.5) ? '\n' : ' ') + '\n';
}

/**
 * `count` generated programs (valid ones, `goto` ones, ones over the locals limit) joined into one,
 * as an editor's long file is: what the incremental parse and scopes are tested on.
 */
export function joinedPrograms(r: Random, count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = r.int(10);
    parts.push(kind === 0 ? gotoProgram(r) : kind === 1 ? manyLocals(r) : validProgram(r).replace(/^\ufeff/, '').replace(/^#.*\n/, ''));
  }
  return parts.join('\n');
}
