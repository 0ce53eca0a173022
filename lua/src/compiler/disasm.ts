// The listing of `luac5.3 -l -l`, byte for byte (after addresses): so our compiler's output can be
// diffed against luac's, and people who know luac's listing can read ours. The structured form
// (`disassembleInstructions`) is what the text is printed from, so the debug adapter's opcode view
// and the CLI cannot disagree.
//
// Where luac prints a C pointer (`at 0x…`, `for 0x…:`, a CLOSURE's target), we print a stable
// pseudo-address: the function's position in a pre-order walk from the root being listed.
//
// luac's quirks are kept on purpose, because the point is equality with its output:
// - an ABC operand with the constant bit set prints as a constant index (-1-k) even where the
//   opcode does not take constants (SETLIST's C of 256 and more prints as -1, -2, …);
// - SETLIST with C = 0 prints the raw next instruction word as its comment and skips it.

import { numberToString } from '../vm/number';
import {
  Op, OP_INFO, OP_NAMES, OpArg, OpMode,
  argA, argAx, argB, argBx, argC, argSBx, indexK, isK, opcodeOf,
} from '../vm/proto';
import type { Constant, Proto } from '../vm/proto';

export interface DisasmInstruction {
  /** 0-based position in `proto.code`. */
  pc: number;
  /** Source line, 0 when the function carries no line information (luac prints `[-]`). */
  line: number;
  /** Opcode name as luac prints it (`GETTABUP`), unpadded. */
  opcode: string;
  /** Operands as luac prints them: `0 0 -1` (constant indexes as -1-k). */
  operands: string;
  /** luac's comment without its `; ` (`_ENV "print"`, `to 5`), '' when there is none. */
  comment: string;
}

export interface DisasmOptions {
  /** `luac -l -l` (true, the default) adds the constants, locals and upvalues sections; false is `luac -l`. */
  full?: boolean;
  /** The pseudo-address printed for a function; default: its pre-order index from the root, as `0x00000001`. */
  address?: (proto: Proto) => string;
}

/** Pre-order pseudo-addresses from `root`: root is 0x00000001, its first child 0x00000002, … */
function defaultAddresses(root: Proto): (proto: Proto) => string {
  const index = new Map<Proto, number>();
  const stack: Proto[] = [root];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (index.has(p)) continue;
    index.set(p, index.size + 1);
    for (let i = p.protos.length - 1; i >= 0; i--) stack.push(p.protos[i]);
  }
  return (p) => '0x' + (index.get(p) ?? 0).toString(16).padStart(8, '0');
}

/** `1 word` or `n words`, as luac pluralises its counts. */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const NAN_VIEW = new DataView(new ArrayBuffer(8));

/** A constant as luac's PrintConstant writes it. */
export function constantText(k: Constant): string {
  if (k === undefined) return 'nil';
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  if (typeof k === 'string') return quoteString(k);
  if (typeof k === 'number' && Number.isNaN(k)) {
    // glibc prints the sign of a NaN.
    NAN_VIEW.setFloat64(0, k);
    return (NAN_VIEW.getUint8(0) & 0x80) !== 0 ? '-nan' : 'nan';
  }
  // `%.14g` for floats, with ".0" when that looks like an integer; `%lld` for integers: the same
  // rule as Lua's tostring.
  return numberToString(k);
}

/** A byte string quoted as luac's PrintString: C escapes, other non-printables as `\ddd`. */
function quoteString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      case 0x07: out += '\\a'; break;
      case 0x08: out += '\\b'; break;
      case 0x0c: out += '\\f'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x0b: out += '\\v'; break;
      default:
        // isprint in the C locale.
        if (c >= 0x20 && c <= 0x7e) out += s[i];
        else out += '\\' + String(c & 0xff).padStart(3, '0');
    }
  }
  return out + '"';
}

function constantAt(p: Proto, index: number): string {
  // A well-formed function never indexes past its constants; a crafted one must not crash us.
  return index >= 0 && index < p.constants.length ? constantText(p.constants[index]) : '?';
}

function upvalueName(p: Proto, index: number): string {
  const name = p.upvalues[index]?.name;
  // luac prints "-" for an upvalue without a name (stripped chunks).
  return name ? name : '-';
}

/** An ABC operand as luac prints it: a constant index as -1-k whenever the constant bit is set. */
function rk(x: number): number {
  return isK(x) ? -1 - indexK(x) : x;
}

/**
 * The instructions of one function (not its children) as luac lists them. The extra word after a
 * `SETLIST` with C = 0 is not listed on its own: it is data, shown as that SETLIST's comment.
 */
export function disassembleInstructions(proto: Proto, options: DisasmOptions = {}): DisasmInstruction[] {
  const address = options.address ?? defaultAddresses(proto);
  const code = proto.code;
  const out: DisasmInstruction[] = [];
  for (let pc = 0; pc < code.length; pc++) {
    const i = code[pc];
    const op = opcodeOf(i);
    const a = argA(i);
    const b = argB(i);
    const c = argC(i);
    const bx = argBx(i);
    const sbx = argSBx(i);
    const line = proto.lineInfo[pc] ?? 0;
    const start = pc;
    const info = OP_INFO[op];
    if (info === undefined) {
      // Opcodes 47..63 do not exist; luac would index past its tables. Show the raw word.
      out.push({ pc, line: line > 0 ? line : 0, opcode: `OP_${op}`, operands: String(i), comment: '' });
      continue;
    }
    let operands: string;
    switch (info.mode) {
      case OpMode.ABC:
        operands = String(a);
        if (info.b !== OpArg.N) operands += ' ' + rk(b);
        if (info.c !== OpArg.N) operands += ' ' + rk(c);
        break;
      case OpMode.ABx:
        operands = String(a);
        if (info.b === OpArg.K) operands += ' ' + (-1 - bx);
        else if (info.b === OpArg.U) operands += ' ' + bx;
        break;
      case OpMode.AsBx:
        operands = `${a} ${sbx}`;
        break;
      default:
        operands = String(-1 - argAx(i));
    }
    let comment = '';
    switch (op) {
      case Op.LOADK:
        comment = constantAt(proto, bx);
        break;
      case Op.GETUPVAL:
      case Op.SETUPVAL:
        comment = upvalueName(proto, b);
        break;
      case Op.GETTABUP:
        comment = upvalueName(proto, b);
        if (isK(c)) comment += ' ' + constantAt(proto, indexK(c));
        break;
      case Op.SETTABUP:
        comment = upvalueName(proto, a);
        if (isK(b)) comment += ' ' + constantAt(proto, indexK(b));
        if (isK(c)) comment += ' ' + constantAt(proto, indexK(c));
        break;
      case Op.GETTABLE:
      case Op.SELF:
        if (isK(c)) comment = constantAt(proto, indexK(c));
        break;
      case Op.SETTABLE: case Op.ADD: case Op.SUB: case Op.MUL: case Op.MOD: case Op.POW:
      case Op.DIV: case Op.IDIV: case Op.BAND: case Op.BOR: case Op.BXOR: case Op.SHL: case Op.SHR:
      case Op.EQ: case Op.LT: case Op.LE:
        if (isK(b) || isK(c)) {
          comment = (isK(b) ? constantAt(proto, indexK(b)) : '-') + ' ' + (isK(c) ? constantAt(proto, indexK(c)) : '-');
        }
        break;
      case Op.JMP: case Op.FORLOOP: case Op.FORPREP: case Op.TFORLOOP:
        comment = `to ${sbx + pc + 2}`;
        break;
      case Op.CLOSURE: {
        const child = proto.protos[bx];
        comment = child ? address(child) : '?';
        break;
      }
      case Op.SETLIST:
        if (c === 0) {
          // luac prints the next word as a signed int, whatever it holds.
          pc++;
          comment = pc < code.length ? String(code[pc] | 0) : '0';
        } else {
          comment = String(c);
        }
        break;
      case Op.EXTRAARG:
        comment = constantAt(proto, argAx(i));
        break;
      default:
        break;
    }
    out.push({ pc: start, line: line > 0 ? line : 0, opcode: OP_NAMES[op], operands, comment });
  }
  return out;
}

/** The name luac prints in a function header: the chunk name without `@`/`=`, or `(string)`. */
function sourceLabel(source: string): string {
  const first = source.charCodeAt(0);
  if (first === 0x40 || first === 0x3d) return source.slice(1); // '@' or '='
  if (first === 0x1b) return '(bstring)';
  return '(string)';
}

/** The listing of one function without its nested functions (what luac prints for it, header included). */
export function disassembleFunction(proto: Proto, options: DisasmOptions = {}): string {
  const out: string[] = [];
  listFunction(proto, options.full ?? true, options.address ?? defaultAddresses(proto), out);
  return out.join('');
}

function listFunction(p: Proto, full: boolean, address: (proto: Proto) => string, out: string[]): void {
  const addr = address(p);
  out.push(`\n${p.lineDefined === 0 ? 'main' : 'function'} <${sourceLabel(p.source)}:${p.lineDefined},${p.lastLineDefined}> ` +
    `(${plural(p.code.length, 'instruction')} at ${addr})\n`);
  out.push(`${p.numParams}${p.isVararg ? '+' : ''} param${p.numParams === 1 ? '' : 's'}, ${plural(p.maxStackSize, 'slot')}, ` +
    `${plural(p.upvalues.length, 'upvalue')}, ${plural(p.locVars.length, 'local')}, ` +
    `${plural(p.constants.length, 'constant')}, ${plural(p.protos.length, 'function')}\n`);
  for (const ins of disassembleInstructions(p, { address })) {
    out.push(`\t${ins.pc + 1}\t${ins.line > 0 ? `[${ins.line}]` : '[-]'}\t${ins.opcode.padEnd(9)}\t${ins.operands}` +
      `${ins.comment !== '' ? '\t; ' + ins.comment : ''}\n`);
  }
  if (full) {
    out.push(`constants (${p.constants.length}) for ${addr}:\n`);
    for (let i = 0; i < p.constants.length; i++) out.push(`\t${i + 1}\t${constantText(p.constants[i])}\n`);
    out.push(`locals (${p.locVars.length}) for ${addr}:\n`);
    for (let i = 0; i < p.locVars.length; i++) {
      const v = p.locVars[i];
      out.push(`\t${i}\t${v.name}\t${v.startPc + 1}\t${v.endPc + 1}\n`);
    }
    out.push(`upvalues (${p.upvalues.length}) for ${addr}:\n`);
    for (let i = 0; i < p.upvalues.length; i++) {
      const u = p.upvalues[i];
      out.push(`\t${i}\t${upvalueName(p, i)}\t${u.inStack ? 1 : 0}\t${u.index}\n`);
    }
  }
}

/**
 * `luac5.3 -l -l` of a function and, after it, its nested functions (pre-order), as one string of
 * bytes (one char per byte, like the Proto's strings: write it out as latin1).
 */
export function disassemble(proto: Proto, options: DisasmOptions = {}): string {
  const full = options.full ?? true;
  const address = options.address ?? defaultAddresses(proto);
  const out: string[] = [];
  // Iterative: nesting depth comes from the input.
  const stack: Proto[] = [proto];
  while (stack.length > 0) {
    const p = stack.pop()!;
    listFunction(p, full, address, out);
    for (let i = p.protos.length - 1; i >= 0; i--) stack.push(p.protos[i]);
  }
  return out.join('');
}

/**
 * A listing with luac's pointers replaced by `0x@1`, `0x@2`, … in order of first appearance, so
 * luac's output and ours compare equal exactly when they list the same functions the same way.
 */
export function normaliseAddresses(listing: string): string {
  const seen = new Map<string, number>();
  const name = (addr: string): string => {
    let n = seen.get(addr);
    if (n === undefined) {
      n = seen.size + 1;
      seen.set(addr, n);
    }
    return `0x@${n}`;
  };
  return listing.replace(
    /( instructions? at )(0x[0-9a-fA-F]+|\(nil\))(\)\n)|(\tCLOSURE  \t[^\n]*\t; )(0x[0-9a-fA-F]+)(\n)|(^(?:constants|locals|upvalues) \(\d+\) for )(0x[0-9a-fA-F]+)(:\n)/gm,
    (_m, p1?: string, a1?: string, s1?: string, p2?: string, a2?: string, s2?: string, p3?: string, a3?: string, s3?: string) => {
      if (p1 !== undefined) return p1 + name(a1!) + s1;
      if (p2 !== undefined) return p2 + name(a2!) + s2;
      return p3! + name(a3!) + s3;
    },
  );
}
