// The compiler: a syntax tree to Lua 5.3 bytecode. It follows the algorithm of PUC Lua's code
// generator (lparser.c/lcode.c) step for step — expression descriptors that are discharged as late
// as possible, jump lists threaded through the jumps themselves, constant folding, the same register
// allocation — so that `sandlua disasm` and `luac5.3 -l` print the same instructions for the same
// source, and the VM's debug information (lines, local names) is what PUC's would be.
//
// PUC Lua generates code while it reads tokens, and an instruction's line is the line of the last
// token read when it was emitted. The tree keeps ranges, not tokens, so the compiler replays the
// reading: `consumed(offset)` marks how far the reader would be at each point where PUC emits.

import { parse } from '../syntax/parser';
import type * as ast from '../syntax/ast';
import { Lexer } from '../syntax/lexer';
import { LineMap } from '../syntax/linemap';
import { chunkId } from '../vm/debuginfo';
import { arithNumbers } from '../vm/interp';
import { LuaInteger, LuaNumber, float, intFromBig, isInteger, toFloatValue, toInteger } from '../vm/number';
import {
  Constant, FIELDS_PER_FLUSH, LocalVarInfo, MAXARG_AX, MAXARG_BX, MAXARG_C, MAXARG_SBX, MAXINDEXRK,
  MAX_REGISTERS, MAX_UPVALUES, OP_INFO, Op, Proto, UpvalueDesc, argA, argB, argC, argSBx, encodeABC, encodeABx,
  encodeAsBx, encodeAx, opcodeOf, rkAsK,
} from '../vm/proto';
import type { Compiler } from '../vm/state';

/** Expression kinds (lparser.h's expkind). */
const enum K {
  VOID, NIL, TRUE, FALSE, K, KFLT, KINT, NONRELOC, LOCAL, UPVAL, INDEXED, JMP, RELOCABLE, CALL, VARARG,
}

const NO_JUMP = -1;
const NO_REG = 255;
const MULTRET = -1;

/** An expression descriptor (lparser.h's expdesc). */
interface Exp {
  k: K;
  /** Register, constant index, instruction pc or upvalue index, by kind. */
  info: number;
  ival: LuaInteger;
  nval: number;
  /** For INDEXED: the table (register or upvalue), the key (RK) and where the table lives. */
  t_: number;
  idx: number;
  vt: K;
  /** Patch lists of jumps taken when the expression is true / false. */
  t: number;
  f: number;
}

function exp(k: K = K.VOID, info = 0): Exp {
  return { k, info, ival: 0, nval: 0, t_: 0, idx: 0, vt: K.VOID, t: NO_JUMP, f: NO_JUMP };
}

function copyExp(to: Exp, from: Exp): void {
  to.k = from.k; to.info = from.info; to.ival = from.ival; to.nval = from.nval;
  to.t_ = from.t_; to.idx = from.idx; to.vt = from.vt; to.t = from.t; to.f = from.f;
}

const hasJumps = (e: Exp): boolean => e.t !== e.f;
const hasMultRet = (k: K): boolean => k === K.CALL || k === K.VARARG;

interface BlockCnt {
  previous: BlockCnt | undefined;
  firstLabel: number;
  firstGoto: number;
  nactvar: number;
  upval: boolean;
  isLoop: boolean;
}

interface LabelDesc {
  name: string;
  pc: number;
  line: number;
  nactvar: number;
}

class FuncState {
  readonly code: number[] = [];
  readonly lines: number[] = [];
  readonly k: Constant[] = [];
  readonly protos: Proto[] = [];
  readonly upvalues: UpvalueDesc[] = [];
  readonly locVars: LocalVarInfo[] = [];
  lastTarget = 0;
  jpc = NO_JUMP;
  freereg = 0;
  nactvar = 0;
  bl: BlockCnt | undefined;
  maxStackSize = 2;
  numParams = 0;
  isVararg = false;
  lastLineDefined = 0;

  constructor(readonly prev: FuncState | undefined, readonly firstLocal: number, readonly lineDefined: number) {}

  get pc(): number { return this.code.length; }
}

class CompileError extends Error {}

/** Binary operators in lcode.h's order (BinOpr), with their opcodes. */
const enum Opr {
  ADD, SUB, MUL, MOD, POW, DIV, IDIV, BAND, BOR, BXOR, SHL, SHR, CONCAT, EQ, LT, LE, NE, GT, GE, AND, OR,
}

const BINARY: Record<ast.BinaryOperator, Opr> = {
  '+': Opr.ADD, '-': Opr.SUB, '*': Opr.MUL, '%': Opr.MOD, '^': Opr.POW, '/': Opr.DIV, '//': Opr.IDIV,
  '&': Opr.BAND, '|': Opr.BOR, '~': Opr.BXOR, '<<': Opr.SHL, '>>': Opr.SHR, '..': Opr.CONCAT,
  '==': Opr.EQ, '<': Opr.LT, '<=': Opr.LE, '~=': Opr.NE, '>': Opr.GT, '>=': Opr.GE, 'and': Opr.AND, 'or': Opr.OR,
};

/** Arithmetic and bitwise operators' opcodes, in Opr order from ADD to SHR. */
const ARITH_OP: readonly Op[] = [Op.ADD, Op.SUB, Op.MUL, Op.MOD, Op.POW, Op.DIV, Op.IDIV, Op.BAND, Op.BOR, Op.BXOR, Op.SHL, Op.SHR];

/**
 * Compiles Lua source (a byte string) into a main-function prototype, or returns the error message.
 * `charge`, when given, is told of work that does not grow with the source's size alone (walking
 * jump lists, which long `and`/`or` chains make quadratic, as in PUC), a few thousand steps at a
 * time; it may throw to stop the compilation (a budget).
 */
export function compile(source: string, chunkName: string, charge?: (steps: number) => void): Proto | string {
  const result = parse(Buffer.from(source, 'latin1'), { name: chunkName });
  if (result.firstError) {
    return `${chunkId(chunkName)}:${result.firstError.line ?? 1}: ${result.firstError.message}`;
  }
  try {
    return new CodeGenerator(result.source, chunkName, result.chunk, charge).main();
  } catch (e) {
    if (e instanceof CompileError) return e.message;
    throw e;
  }
}

/** The engine's compiler, for `LuaState`'s `compile` option. */
export const luaCompiler: Compiler = compile;

class CodeGenerator {
  private fs!: FuncState;
  private readonly lua: LineMap;
  /** The line of the last token read (PUC's `ls->lastline`). */
  private lastLine = 1;
  /** How far the reader has read (the end of the last token consumed). */
  private readTo = 0;
  /** The constant cache shared by every function of the chunk (PUC's scanner table `ls->h`). */
  private readonly h = new Map<string, number>();
  /** Declared locals (indices into their function's locVars), innermost last. */
  private readonly actvar: number[] = [];
  private readonly gotos: LabelDesc[] = [];
  private readonly labels: LabelDesc[] = [];
  /** Start of the positional table field being compiled (see `expr`'s Name case). */
  private fieldStart = -1;

  /** Jump-list links walked since work was last charged. */
  private walked = 0;

  constructor(private readonly src: string, private readonly chunkName: string, private readonly chunk: ast.Chunk,
    private readonly charge: ((steps: number) => void) | undefined) {
    let text = src;
    if (chunk.shebang) text = src.slice(0, chunk.shebang.end).replace(/\r/g, ' ') + src.slice(chunk.shebang.end);
    this.lua = new LineMap(text, { lua: true });
  }

  main(): Proto {
    const fs = this.openFunction(0);
    fs.isVararg = true;
    this.newUpvalue(fs, '_ENV', exp(K.LOCAL, 0));
    this.semicolons(this.chunk.shebang?.end ?? 0);
    this.statList(this.chunk.body.body, false);
    return this.closeFunction(0);
  }

  // ---- positions and lines -------------------------------------------------------------------

  private lineOf(offset: number): number {
    return this.lua.lineOf(offset);
  }

  /** The reader has consumed a token ending at `end` (exclusive). */
  private consumed(end: number): void {
    this.readTo = end;
    this.lastLine = this.lua.lineOf(Math.max(0, end - 1));
  }

  /** Offset of the next token at or after `p`, past white space and comments. */
  private skip(p: number): number {
    const s = this.src;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 32 || (c >= 9 && c <= 13)) { p++; continue; }
      if (c === 45 && s.charCodeAt(p + 1) === 45) {
        p += 2;
        if (s.charCodeAt(p) === 91) {
          let q = p + 1;
          while (s.charCodeAt(q) === 61) q++;
          if (s.charCodeAt(q) === 91) {
            const close = ']' + '='.repeat(q - p - 1) + ']';
            const at = s.indexOf(close, q + 1);
            p = at < 0 ? s.length : at + close.length;
            continue;
          }
        }
        while (p < s.length && s.charCodeAt(p) !== 10 && s.charCodeAt(p) !== 13) p++;
        continue;
      }
      return p;
    }
  }

  /** Consumes the token that starts the text after `p` if it is `text`; returns where it ends. */
  private consumeAfter(p: number, text: string): number {
    const at = this.skip(p);
    if (this.src.startsWith(text, at)) {
      this.consumed(at + text.length);
      return at + text.length;
    }
    return at;
  }

  /**
   * luaX_syntaxerror, which is how lcode.c and lparser.c's limits report: the message, at the line
   * where the scanner is (the end of the token after the last one read), `near` that token.
   */
  private error(message: string): never {
    const lexer = new Lexer(this.src, () => {}, { bytes: true });
    lexer.seek(this.readTo);
    const t = lexer.next();
    const line = this.lua.lineOf(Math.max(t.start, t.end - 1));
    const near = lexer.nearText(t);
    throw new CompileError(`${chunkId(this.chunkName)}:${line}: ${message}${near ? ` near ${near}` : ''}`);
  }

  /** lparser.c's errorlimit: `too many <what> (limit is N) in <function>`. */
  private errorLimit(fs: FuncState, limit: number, what: string): never {
    const where = fs.lineDefined === 0 ? 'main function' : `function at line ${fs.lineDefined}`;
    this.error(`too many ${what} (limit is ${limit}) in ${where}`);
  }

  // ---- instructions --------------------------------------------------------------------------

  private code(i: number): number {
    const fs = this.fs;
    this.dischargeJpc();
    fs.code.push(i >>> 0);
    fs.lines.push(this.lastLine);
    return fs.code.length - 1;
  }

  private codeABC(op: Op, a: number, b: number, c: number): number {
    return this.code(encodeABC(op, a, b, c));
  }

  private codeABx(op: Op, a: number, bx: number): number {
    return this.code(encodeABx(op, a, bx));
  }

  private codeAsBx(op: Op, a: number, sbx: number): number {
    return this.code(encodeAsBx(op, a, sbx));
  }

  private fixLine(line: number): void {
    this.fs.lines[this.fs.lines.length - 1] = line;
  }

  private setA(pc: number, a: number): void {
    const c = this.fs.code;
    c[pc] = ((c[pc] & ~(0xff << 6)) | (a << 6)) >>> 0;
  }

  private setB(pc: number, b: number): void {
    const c = this.fs.code;
    c[pc] = ((c[pc] & ~(0x1ff << 23)) | (b << 23)) >>> 0;
  }

  private setC(pc: number, v: number): void {
    const c = this.fs.code;
    c[pc] = ((c[pc] & ~(0x1ff << 14)) | (v << 14)) >>> 0;
  }

  private setSBx(pc: number, sbx: number): void {
    const c = this.fs.code;
    c[pc] = ((c[pc] & 0x3fff) | ((sbx + MAXARG_SBX) << 14)) >>> 0;
  }

  private codeK(reg: number, k: number): number {
    if (k <= MAXARG_BX) return this.codeABx(Op.LOADK, reg, k);
    const p = this.codeABx(Op.LOADKX, reg, 0);
    this.code(encodeAx(Op.EXTRAARG, k));
    return p;
  }

  private checkStack(n: number): void {
    const fs = this.fs;
    const newStack = fs.freereg + n;
    if (newStack > fs.maxStackSize) {
      if (newStack >= MAX_REGISTERS) this.error('function or expression needs too many registers');
      fs.maxStackSize = newStack;
    }
  }

  private reserveRegs(n: number): void {
    this.checkStack(n);
    this.fs.freereg += n;
  }

  private freeReg(reg: number): void {
    if ((reg & 0x100) === 0 && reg >= this.fs.nactvar) this.fs.freereg--;
  }

  private freeExp(e: Exp): void {
    if (e.k === K.NONRELOC) this.freeReg(e.info);
  }

  private freeExps(e1: Exp, e2: Exp): void {
    const r1 = e1.k === K.NONRELOC ? e1.info : -1;
    const r2 = e2.k === K.NONRELOC ? e2.info : -1;
    if (r1 > r2) {
      this.freeReg(r1);
      this.freeReg(r2);
    } else {
      this.freeReg(r2);
      this.freeReg(r1);
    }
  }

  private loadNil(from: number, n: number): void {
    const fs = this.fs;
    let l = from + n - 1;
    if (fs.pc > fs.lastTarget && fs.pc > 0) {
      const prev = fs.code[fs.pc - 1];
      if (opcodeOf(prev) === Op.LOADNIL) {
        const pfrom = argA(prev);
        const pl = pfrom + argB(prev);
        if ((pfrom <= from && from <= pl + 1) || (from <= pfrom && pfrom <= l + 1)) {
          if (pfrom < from) from = pfrom;
          if (pl > l) l = pl;
          this.setA(fs.pc - 1, from);
          this.setB(fs.pc - 1, l - from);
          return;
        }
      }
    }
    this.codeABC(Op.LOADNIL, from, n - 1, 0);
  }

  // ---- jumps ---------------------------------------------------------------------------------

  private getJump(pc: number): number {
    const offset = argSBx(this.fs.code[pc]);
    return offset === NO_JUMP ? NO_JUMP : pc + 1 + offset;
  }

  private fixJump(pc: number, dest: number): void {
    const offset = dest - (pc + 1);
    if (Math.abs(offset) > MAXARG_SBX) this.error('control structure too long');
    this.setSBx(pc, offset);
  }

  /** Appends list l2 to the list that `get` reads and `set` writes. */
  private concatList(l1: number, l2: number): number {
    if (l2 === NO_JUMP) return l1;
    if (l1 === NO_JUMP) return l2;
    let list = l1;
    let next: number;
    let walked = this.walked;
    while ((next = this.getJump(list)) !== NO_JUMP) {
      list = next;
      walked++;
    }
    if (walked >= 4096 && this.charge !== undefined) {
      this.charge(walked);
      walked = 0;
    }
    this.walked = walked;
    this.fixJump(list, l2);
    return l1;
  }

  private jump(): number {
    const fs = this.fs;
    const jpc = fs.jpc;
    fs.jpc = NO_JUMP;
    const j = this.codeAsBx(Op.JMP, 0, NO_JUMP);
    return this.concatList(j, jpc);
  }

  private jumpTo(target: number): void {
    this.patchList(this.jump(), target);
  }

  private ret(first: number, nret: number): void {
    this.codeABC(Op.RETURN, first, nret + 1, 0);
  }

  private condJump(op: Op, a: number, b: number, c: number): number {
    this.codeABC(op, a, b, c);
    return this.jump();
  }

  private getLabel(): number {
    this.fs.lastTarget = this.fs.pc;
    return this.fs.pc;
  }

  private jumpControl(pc: number): number {
    if (pc >= 1 && OP_INFO[opcodeOf(this.fs.code[pc - 1])].test) return pc - 1;
    return pc;
  }

  private patchTestReg(node: number, reg: number): boolean {
    const at = this.jumpControl(node);
    const i = this.fs.code[at];
    if (opcodeOf(i) !== Op.TESTSET) return false;
    if (reg !== NO_REG && reg !== argB(i)) this.setA(at, reg);
    else this.fs.code[at] = encodeABC(Op.TEST, argB(i), 0, argC(i));
    return true;
  }

  private removeValues(list: number): void {
    for (; list !== NO_JUMP; list = this.getJump(list)) this.patchTestReg(list, NO_REG);
  }

  private patchListAux(list: number, vtarget: number, reg: number, dtarget: number): void {
    while (list !== NO_JUMP) {
      const next = this.getJump(list);
      if (this.patchTestReg(list, reg)) this.fixJump(list, vtarget);
      else this.fixJump(list, dtarget);
      list = next;
    }
  }

  private dischargeJpc(): void {
    const fs = this.fs;
    if (fs.jpc === NO_JUMP) return;
    this.patchListAux(fs.jpc, fs.pc, NO_REG, fs.pc);
    fs.jpc = NO_JUMP;
  }

  private patchToHere(list: number): void {
    this.getLabel();
    this.fs.jpc = this.concatList(this.fs.jpc, list);
  }

  private patchList(list: number, target: number): void {
    if (target === this.fs.pc) this.patchToHere(list);
    else this.patchListAux(list, target, NO_REG, target);
  }

  private patchClose(list: number, level: number): void {
    level++;
    for (; list !== NO_JUMP; list = this.getJump(list)) this.setA(list, level);
  }

  // ---- constants -----------------------------------------------------------------------------

  private addK(key: string, v: Constant): number {
    const fs = this.fs;
    const idx = this.h.get(key);
    if (idx !== undefined && idx < fs.k.length && sameConstant(fs.k[idx], v)) return idx;
    const k = fs.k.length;
    this.h.set(key, k);
    fs.k.push(v);
    return k;
  }

  private stringK(s: string): number {
    return this.addK('s' + s, s);
  }

  private intK(n: LuaInteger): number {
    return this.addK('i' + String(n), n);
  }

  private numberK(r: number): number {
    return this.addK('f' + String(r), float(r));
  }

  private boolK(b: boolean): number {
    return this.addK(b ? 'T' : 'F', b);
  }

  private nilK(): number {
    return this.addK('N', undefined);
  }

  // ---- expressions: discharging --------------------------------------------------------------

  private setReturns(e: Exp, nresults: number): void {
    if (e.k === K.CALL) {
      this.setC(e.info, nresults + 1);
    } else if (e.k === K.VARARG) {
      this.setB(e.info, nresults + 1);
      this.setA(e.info, this.fs.freereg);
      this.reserveRegs(1);
    }
  }

  private setMultRet(e: Exp): void {
    this.setReturns(e, MULTRET);
  }

  private setOneRet(e: Exp): void {
    if (e.k === K.CALL) {
      e.k = K.NONRELOC;
      e.info = argA(this.fs.code[e.info]);
    } else if (e.k === K.VARARG) {
      this.setB(e.info, 2);
      e.k = K.RELOCABLE;
    }
  }

  private dischargeVars(e: Exp): void {
    switch (e.k) {
      case K.LOCAL:
        e.k = K.NONRELOC;
        break;
      case K.UPVAL:
        e.info = this.codeABC(Op.GETUPVAL, 0, e.info, 0);
        e.k = K.RELOCABLE;
        break;
      case K.INDEXED: {
        this.freeReg(e.idx);
        let op: Op;
        if (e.vt === K.LOCAL) {
          this.freeReg(e.t_);
          op = Op.GETTABLE;
        } else {
          op = Op.GETTABUP;
        }
        e.info = this.codeABC(op, 0, e.t_, e.idx);
        e.k = K.RELOCABLE;
        break;
      }
      case K.VARARG: case K.CALL:
        this.setOneRet(e);
        break;
      default:
        break;
    }
  }

  private discharge2Reg(e: Exp, reg: number): void {
    this.dischargeVars(e);
    switch (e.k) {
      case K.NIL: this.loadNil(reg, 1); break;
      case K.FALSE: case K.TRUE: this.codeABC(Op.LOADBOOL, reg, e.k === K.TRUE ? 1 : 0, 0); break;
      case K.K: this.codeK(reg, e.info); break;
      case K.KFLT: this.codeK(reg, this.numberK(e.nval)); break;
      case K.KINT: this.codeK(reg, this.intK(e.ival)); break;
      case K.RELOCABLE: this.setA(e.info, reg); break;
      case K.NONRELOC:
        if (reg !== e.info) this.codeABC(Op.MOVE, reg, e.info, 0);
        break;
      default:
        return; // a JMP: nothing to do
    }
    e.info = reg;
    e.k = K.NONRELOC;
  }

  private discharge2AnyReg(e: Exp): void {
    if (e.k !== K.NONRELOC) {
      this.reserveRegs(1);
      this.discharge2Reg(e, this.fs.freereg - 1);
    }
  }

  private codeLoadBool(a: number, b: number, jump: number): number {
    this.getLabel();
    return this.codeABC(Op.LOADBOOL, a, b, jump);
  }

  private needValue(list: number): boolean {
    for (; list !== NO_JUMP; list = this.getJump(list)) {
      if (opcodeOf(this.fs.code[this.jumpControl(list)]) !== Op.TESTSET) return true;
    }
    return false;
  }

  private exp2Reg(e: Exp, reg: number): void {
    this.discharge2Reg(e, reg);
    if (e.k === K.JMP) e.t = this.concatList(e.t, e.info);
    if (hasJumps(e)) {
      let pf = NO_JUMP;
      let pt = NO_JUMP;
      if (this.needValue(e.t) || this.needValue(e.f)) {
        const fj = e.k === K.JMP ? NO_JUMP : this.jump();
        pf = this.codeLoadBool(reg, 0, 1);
        pt = this.codeLoadBool(reg, 1, 0);
        this.patchToHere(fj);
      }
      const final = this.getLabel();
      this.patchListAux(e.f, final, reg, pf);
      this.patchListAux(e.t, final, reg, pt);
    }
    e.f = e.t = NO_JUMP;
    e.info = reg;
    e.k = K.NONRELOC;
  }

  private exp2NextReg(e: Exp): void {
    this.dischargeVars(e);
    this.freeExp(e);
    this.reserveRegs(1);
    this.exp2Reg(e, this.fs.freereg - 1);
  }

  private exp2AnyReg(e: Exp): number {
    this.dischargeVars(e);
    if (e.k === K.NONRELOC) {
      if (!hasJumps(e)) return e.info;
      if (e.info >= this.fs.nactvar) {
        this.exp2Reg(e, e.info);
        return e.info;
      }
    }
    this.exp2NextReg(e);
    return e.info;
  }

  private exp2AnyRegUp(e: Exp): void {
    if (e.k !== K.UPVAL || hasJumps(e)) this.exp2AnyReg(e);
  }

  private exp2Val(e: Exp): void {
    if (hasJumps(e)) this.exp2AnyReg(e);
    else this.dischargeVars(e);
  }

  private exp2RK(e: Exp): number {
    this.exp2Val(e);
    let constant = true;
    switch (e.k) {
      case K.TRUE: e.info = this.boolK(true); break;
      case K.FALSE: e.info = this.boolK(false); break;
      case K.NIL: e.info = this.nilK(); break;
      case K.KINT: e.info = this.intK(e.ival); break;
      case K.KFLT: e.info = this.numberK(e.nval); break;
      case K.K: break;
      default: constant = false;
    }
    if (constant) {
      e.k = K.K;
      if (e.info <= MAXINDEXRK) return rkAsK(e.info);
    }
    return this.exp2AnyReg(e);
  }

  private storeVar(v: Exp, ex: Exp): void {
    switch (v.k) {
      case K.LOCAL:
        this.freeExp(ex);
        this.exp2Reg(ex, v.info);
        return;
      case K.UPVAL: {
        const e = this.exp2AnyReg(ex);
        this.codeABC(Op.SETUPVAL, e, v.info, 0);
        break;
      }
      case K.INDEXED: {
        const op = v.vt === K.LOCAL ? Op.SETTABLE : Op.SETTABUP;
        const e = this.exp2RK(ex);
        this.codeABC(op, v.t_, v.idx, e);
        break;
      }
      default:
        throw new Error('invalid variable kind to store');
    }
    this.freeExp(ex);
  }

  private self(e: Exp, key: Exp): void {
    this.exp2AnyReg(e);
    const ereg = e.info;
    this.freeExp(e);
    e.info = this.fs.freereg;
    e.k = K.NONRELOC;
    this.reserveRegs(2);
    this.codeABC(Op.SELF, e.info, ereg, this.exp2RK(key));
    this.freeExp(key);
  }

  private negateCondition(e: Exp): void {
    const at = this.jumpControl(e.info);
    this.setA(at, argA(this.fs.code[at]) ? 0 : 1);
  }

  private jumpOnCond(e: Exp, cond: number): number {
    if (e.k === K.RELOCABLE) {
      const ie = this.fs.code[e.info];
      if (opcodeOf(ie) === Op.NOT) {
        this.fs.code.pop();
        this.fs.lines.pop();
        return this.condJump(Op.TEST, argB(ie), 0, cond ? 0 : 1);
      }
    }
    this.discharge2AnyReg(e);
    this.freeExp(e);
    return this.condJump(Op.TESTSET, NO_REG, e.info, cond);
  }

  private goIfTrue(e: Exp): void {
    this.dischargeVars(e);
    let pc: number;
    switch (e.k) {
      case K.JMP:
        this.negateCondition(e);
        pc = e.info;
        break;
      case K.K: case K.KFLT: case K.KINT: case K.TRUE:
        pc = NO_JUMP;
        break;
      default:
        pc = this.jumpOnCond(e, 0);
    }
    e.f = this.concatList(e.f, pc);
    this.patchToHere(e.t);
    e.t = NO_JUMP;
  }

  private goIfFalse(e: Exp): void {
    this.dischargeVars(e);
    let pc: number;
    switch (e.k) {
      case K.JMP: pc = e.info; break;
      case K.NIL: case K.FALSE: pc = NO_JUMP; break;
      default: pc = this.jumpOnCond(e, 1);
    }
    e.t = this.concatList(e.t, pc);
    this.patchToHere(e.f);
    e.f = NO_JUMP;
  }

  private codeNot(e: Exp): void {
    this.dischargeVars(e);
    switch (e.k) {
      case K.NIL: case K.FALSE:
        e.k = K.TRUE;
        break;
      case K.K: case K.KFLT: case K.KINT: case K.TRUE:
        e.k = K.FALSE;
        break;
      case K.JMP:
        this.negateCondition(e);
        break;
      case K.RELOCABLE: case K.NONRELOC:
        this.discharge2AnyReg(e);
        this.freeExp(e);
        e.info = this.codeABC(Op.NOT, 0, e.info, 0);
        e.k = K.RELOCABLE;
        break;
      default:
        throw new Error('cannot negate this expression');
    }
    const temp = e.f; e.f = e.t; e.t = temp;
    this.removeValues(e.f);
    this.removeValues(e.t);
  }

  private indexed(t: Exp, key: Exp): void {
    t.t_ = t.info;
    t.idx = this.exp2RK(key);
    t.vt = t.k === K.UPVAL ? K.UPVAL : K.LOCAL;
    t.k = K.INDEXED;
  }

  // ---- expressions: operators ----------------------------------------------------------------

  private static numeral(e: Exp): LuaNumber | undefined {
    if (hasJumps(e)) return undefined;
    if (e.k === K.KINT) return e.ival;
    if (e.k === K.KFLT) return float(e.nval);
    return undefined;
  }

  /** Folds `e1 op e2` into e1 when both are numerals and the operation is safe to do now. */
  private constFolding(op: Op, e1: Exp, e2: Exp): boolean {
    const v1 = CodeGenerator.numeral(e1);
    const v2 = CodeGenerator.numeral(e2);
    if (v1 === undefined || v2 === undefined) return false;
    switch (op) {
      case Op.BAND: case Op.BOR: case Op.BXOR: case Op.SHL: case Op.SHR: case Op.BNOT:
        if (toInteger(v1) === undefined || toInteger(v2) === undefined) return false;
        break;
      case Op.DIV: case Op.IDIV: case Op.MOD:
        if (toFloatValue(v2) === 0) return false;
        break;
      default:
        break;
    }
    const res = arithNumbers(op, v1, v2) as LuaNumber | undefined;
    if (res === undefined) return false;
    if (isInteger(res)) {
      e1.k = K.KINT;
      e1.ival = res;
    } else {
      const n = toFloatValue(res);
      if (Number.isNaN(n) || n === 0) return false;
      e1.k = K.KFLT;
      e1.nval = n;
    }
    return true;
  }

  private codeUnExpVal(op: Op, e: Exp, line: number): void {
    const r = this.exp2AnyReg(e);
    this.freeExp(e);
    e.info = this.codeABC(op, 0, r, 0);
    e.k = K.RELOCABLE;
    this.fixLine(line);
  }

  private codeBinExpVal(op: Op, e1: Exp, e2: Exp, line: number): void {
    const rk2 = this.exp2RK(e2);
    const rk1 = this.exp2RK(e1);
    this.freeExps(e1, e2);
    e1.info = this.codeABC(op, 0, rk1, rk2);
    e1.k = K.RELOCABLE;
    this.fixLine(line);
  }

  private codeComp(opr: Opr, e1: Exp, e2: Exp): void {
    const rk1 = e1.k === K.K ? rkAsK(e1.info) : e1.info;
    const rk2 = this.exp2RK(e2);
    this.freeExps(e1, e2);
    switch (opr) {
      case Opr.NE: e1.info = this.condJump(Op.EQ, 0, rk1, rk2); break;
      case Opr.GT: e1.info = this.condJump(Op.LT, 1, rk2, rk1); break;
      case Opr.GE: e1.info = this.condJump(Op.LE, 1, rk2, rk1); break;
      case Opr.EQ: e1.info = this.condJump(Op.EQ, 1, rk1, rk2); break;
      case Opr.LT: e1.info = this.condJump(Op.LT, 1, rk1, rk2); break;
      default: e1.info = this.condJump(Op.LE, 1, rk1, rk2); break;
    }
    e1.k = K.JMP;
  }

  private prefix(op: ast.UnaryOperator, e: Exp, line: number): void {
    switch (op) {
      case '-':
        if (this.constFolding(Op.UNM, e, exp(K.KINT))) break;
        this.codeUnExpVal(Op.UNM, e, line);
        break;
      case '~':
        if (this.constFolding(Op.BNOT, e, exp(K.KINT))) break;
        this.codeUnExpVal(Op.BNOT, e, line);
        break;
      case '#':
        this.codeUnExpVal(Op.LEN, e, line);
        break;
      default:
        this.codeNot(e);
    }
  }

  private infix(opr: Opr, v: Exp): void {
    switch (opr) {
      case Opr.AND: this.goIfTrue(v); break;
      case Opr.OR: this.goIfFalse(v); break;
      case Opr.CONCAT: this.exp2NextReg(v); break;
      case Opr.EQ: case Opr.LT: case Opr.LE: case Opr.NE: case Opr.GT: case Opr.GE:
        this.exp2RK(v);
        break;
      default:
        if (CodeGenerator.numeral(v) === undefined) this.exp2RK(v);
    }
  }

  private posfix(opr: Opr, e1: Exp, e2: Exp, line: number): void {
    switch (opr) {
      case Opr.AND:
        this.dischargeVars(e2);
        e2.f = this.concatList(e2.f, e1.f);
        copyExp(e1, e2);
        break;
      case Opr.OR:
        this.dischargeVars(e2);
        e2.t = this.concatList(e2.t, e1.t);
        copyExp(e1, e2);
        break;
      case Opr.CONCAT:
        this.exp2Val(e2);
        if (e2.k === K.RELOCABLE && opcodeOf(this.fs.code[e2.info]) === Op.CONCAT) {
          this.freeExp(e1);
          this.setB(e2.info, e1.info);
          e1.k = K.RELOCABLE;
          e1.info = e2.info;
        } else {
          this.exp2NextReg(e2);
          this.codeBinExpVal(Op.CONCAT, e1, e2, line);
        }
        break;
      case Opr.EQ: case Opr.LT: case Opr.LE: case Opr.NE: case Opr.GT: case Opr.GE:
        this.codeComp(opr, e1, e2);
        break;
      default: {
        const op = ARITH_OP[opr];
        if (!this.constFolding(op, e1, e2)) this.codeBinExpVal(op, e1, e2, line);
      }
    }
  }

  // ---- variables and functions ---------------------------------------------------------------

  private openFunction(lineDefined: number): FuncState {
    const fs = new FuncState(this.fs, this.actvar.length, lineDefined);
    this.fs = fs;
    this.enterBlock({ previous: undefined, firstLabel: 0, firstGoto: 0, nactvar: 0, upval: false, isLoop: false }, false);
    return fs;
  }

  private closeFunction(lastLineDefined: number): Proto {
    const fs = this.fs;
    this.ret(0, 0);
    this.leaveBlock();
    const proto: Proto = {
      source: this.chunkName,
      lineDefined: fs.lineDefined,
      lastLineDefined,
      numParams: fs.numParams,
      isVararg: fs.isVararg,
      maxStackSize: fs.maxStackSize,
      code: Uint32Array.from(fs.code),
      lineInfo: Int32Array.from(fs.lines),
      constants: fs.k,
      upvalues: fs.upvalues,
      protos: fs.protos,
      locVars: fs.locVars,
      tier: undefined,
      hotness: 0,
    };
    this.fs = fs.prev!;
    return proto;
  }

  private newLocal(name: string): void {
    const fs = this.fs;
    fs.locVars.push({ name, startPc: 0, endPc: 0 });
    this.actvar.push(fs.locVars.length - 1);
  }

  private localVar(fs: FuncState, i: number): LocalVarInfo {
    return fs.locVars[this.actvar[fs.firstLocal + i]];
  }

  private adjustLocals(n: number): void {
    const fs = this.fs;
    fs.nactvar += n;
    for (; n > 0; n--) this.localVar(fs, fs.nactvar - n).startPc = fs.pc;
  }

  private removeVars(toLevel: number): void {
    const fs = this.fs;
    const removed = fs.nactvar - toLevel;
    while (fs.nactvar > toLevel) {
      fs.nactvar--;
      this.localVar(fs, fs.nactvar).endPc = fs.pc;
    }
    this.actvar.length -= removed;
  }

  private newUpvalue(fs: FuncState, name: string, v: Exp): number {
    if (fs.upvalues.length >= MAX_UPVALUES) this.errorLimit(fs, MAX_UPVALUES, 'upvalues');
    fs.upvalues.push({ name, inStack: v.k === K.LOCAL, index: v.info });
    return fs.upvalues.length - 1;
  }

  private searchVar(fs: FuncState, name: string): number {
    for (let i = fs.nactvar - 1; i >= 0; i--) {
      if (this.localVar(fs, i).name === name) return i;
    }
    return -1;
  }

  private markUpval(fs: FuncState, level: number): void {
    let bl = fs.bl!;
    while (bl.nactvar > level) bl = bl.previous!;
    bl.upval = true;
  }

  private singleVarAux(fs: FuncState | undefined, name: string, v: Exp, base: boolean): void {
    if (fs === undefined) {
      v.k = K.VOID;
      v.info = 0;
      return;
    }
    const local = this.searchVar(fs, name);
    if (local >= 0) {
      v.k = K.LOCAL;
      v.info = local;
      if (!base) this.markUpval(fs, local);
      return;
    }
    let idx = fs.upvalues.findIndex((u) => u.name === name);
    if (idx < 0) {
      this.singleVarAux(fs.prev, name, v, false);
      if (v.k === K.VOID) return;
      idx = this.newUpvalue(fs, name, v);
    }
    v.k = K.UPVAL;
    v.info = idx;
  }

  private singleVar(name: string, v: Exp): void {
    this.singleVarAux(this.fs, name, v, true);
    if (v.k === K.VOID) {
      this.singleVarAux(this.fs, '_ENV', v, true);
      const key = exp(K.K, this.stringK(name));
      this.indexed(v, key);
    }
  }

  private adjustAssign(nvars: number, nexps: number, e: Exp): void {
    const fs = this.fs;
    let extra = nvars - nexps;
    if (hasMultRet(e.k)) {
      extra++;
      if (extra < 0) extra = 0;
      this.setReturns(e, extra);
      if (extra > 1) this.reserveRegs(extra - 1);
    } else {
      if (e.k !== K.VOID) this.exp2NextReg(e);
      if (extra > 0) {
        const reg = fs.freereg;
        this.reserveRegs(extra);
        this.loadNil(reg, extra);
      }
    }
    if (nexps > nvars) fs.freereg -= nexps - nvars;
  }

  // ---- blocks, labels and gotos --------------------------------------------------------------

  private enterBlock(bl: BlockCnt, isLoop: boolean): void {
    const fs = this.fs;
    bl.isLoop = isLoop;
    bl.nactvar = fs.nactvar;
    bl.firstLabel = this.labels.length;
    bl.firstGoto = this.gotos.length;
    bl.upval = false;
    bl.previous = fs.bl;
    fs.bl = bl;
  }

  private newBlock(): BlockCnt {
    return { previous: undefined, firstLabel: 0, firstGoto: 0, nactvar: 0, upval: false, isLoop: false };
  }

  private leaveBlock(): void {
    const fs = this.fs;
    const bl = fs.bl!;
    if (bl.previous && bl.upval) {
      const j = this.jump();
      this.patchClose(j, bl.nactvar);
      this.patchToHere(j);
    }
    if (bl.isLoop) this.breakLabel();
    fs.bl = bl.previous;
    this.removeVars(bl.nactvar);
    fs.freereg = fs.nactvar;
    this.labels.length = bl.firstLabel;
    if (bl.previous) this.moveGotosOut(bl);
  }

  private breakLabel(): void {
    const l = this.newLabelEntry(this.labels, 'break', 0, this.fs.pc);
    this.findGotos(this.labels[l]);
  }

  private newLabelEntry(list: LabelDesc[], name: string, line: number, pc: number): number {
    list.push({ name, line, pc, nactvar: this.fs.nactvar });
    return list.length - 1;
  }

  private closeGoto(g: number, label: LabelDesc): void {
    const gt = this.gotos[g];
    this.patchList(gt.pc, label.pc);
    this.gotos.splice(g, 1);
  }

  private findLabel(g: number): boolean {
    const bl = this.fs.bl!;
    const gt = this.gotos[g];
    for (let i = bl.firstLabel; i < this.labels.length; i++) {
      const lb = this.labels[i];
      if (lb.name === gt.name) {
        if (gt.nactvar > lb.nactvar && (bl.upval || this.labels.length > bl.firstLabel)) {
          this.patchClose(gt.pc, lb.nactvar);
        }
        this.closeGoto(g, lb);
        return true;
      }
    }
    return false;
  }

  private findGotos(lb: LabelDesc): void {
    let i = this.fs.bl!.firstGoto;
    while (i < this.gotos.length) {
      if (this.gotos[i].name === lb.name) this.closeGoto(i, lb);
      else i++;
    }
  }

  private moveGotosOut(bl: BlockCnt): void {
    let i = bl.firstGoto;
    while (i < this.gotos.length) {
      const gt = this.gotos[i];
      if (gt.nactvar > bl.nactvar) {
        if (bl.upval) this.patchClose(gt.pc, bl.nactvar);
        gt.nactvar = bl.nactvar;
      }
      if (!this.findLabel(i)) i++;
    }
  }

  // ---- statements ----------------------------------------------------------------------------

  private block(body: ast.Block, repeatBody = false): void {
    this.enterBlock(this.newBlock(), false);
    this.statList(body.body, repeatBody);
    this.leaveBlock();
  }

  /** `inRepeat`: the list is a repeat-until body, where `until` does not end the block for labels. */
  private statList(body: ast.Statement[], inRepeat: boolean, from = 0): void {
    let i = from;
    this.semicolons(this.readTo);
    while (i < body.length) {
      i = this.statement(body, i, inRepeat);
      // Every statement is read to its last token; empty statements after it are read next.
      this.consumed(body[i - 1].end);
      this.semicolons(this.readTo);
    }
  }

  /** Empty statements (`;`) after `end` are read before whatever comes next. */
  private semicolons(end: number): void {
    let p = this.skip(end);
    while (this.src.charCodeAt(p) === 59 /* ; */) {
      this.consumed(p + 1);
      p = this.skip(p + 1);
    }
  }

  /** Compiles body[i] (and, for labels, the labels that follow it); returns the next index. */
  private statement(body: ast.Statement[], i: number, inRepeat: boolean): number {
    const s = body[i];
    let next = i + 1;
    switch (s.kind) {
      case 'Local': this.localStatement(s); break;
      case 'LocalFunction': this.localFunction(s); break;
      case 'Assignment': this.assignment(s); break;
      case 'CallStatement': {
        const e = exp();
        this.expr(s.call, e);
        this.setC(e.info, 1);
        break;
      }
      case 'Do':
        this.consumed(s.start + 2);
        this.block(s.body);
        this.consumed(s.end);
        break;
      case 'While': this.whileStatement(s); break;
      case 'Repeat': this.repeatStatement(s); break;
      case 'If': this.ifStatement(s); break;
      case 'NumericFor': this.numericFor(s); break;
      case 'GenericFor': this.genericFor(s); break;
      case 'FunctionStatement': this.functionStatement(s); break;
      case 'Return': this.returnStatement(s); break;
      case 'Break': case 'Goto':
        this.gotoStatement(s, this.jump());
        break;
      case 'Label':
        next = this.labelStatement(body, i, inRepeat);
        break;
      default:
        throw new Error(`cannot compile a ${s.kind}`);
    }
    this.fs.freereg = this.fs.nactvar;
    return next;
  }

  private gotoStatement(s: ast.BreakStatement | ast.GotoStatement, pc: number): void {
    const line = this.lineOf(s.start);
    const name = s.kind === 'Break' ? 'break' : s.label.name;
    this.consumed(s.end);
    const g = this.newLabelEntry(this.gotos, name, line, pc);
    this.findLabel(g);
  }

  private labelStatement(body: ast.Statement[], i: number, inRepeat: boolean): number {
    const s = body[i] as ast.LabelStatement;
    this.consumed(s.end);
    const l = this.newLabelEntry(this.labels, s.name.name, this.lineOf(s.start), this.getLabel());
    // Other no-op statements (labels) that follow are read before this label is settled.
    let next = i + 1;
    this.semicolons(s.end);
    while (next < body.length && body[next].kind === 'Label') {
      next = this.statement(body, next, inRepeat);
      this.semicolons(body[next - 1].end);
    }
    if (next >= body.length && !inRepeat) this.labels[l].nactvar = this.fs.bl!.nactvar;
    this.findGotos(this.labels[l]);
    return next;
  }

  private localStatement(s: ast.LocalStatement): void {
    for (const name of s.names) this.newLocal(name.name);
    const e = exp();
    let nexps = 0;
    if (s.values.length > 0) {
      this.consumeAfter(s.names[s.names.length - 1].end, '=');
      nexps = this.explist(s.values, e);
    } else {
      this.consumed(s.names[s.names.length - 1].end);
    }
    this.adjustAssign(s.names.length, nexps, e);
    this.adjustLocals(s.names.length);
  }

  private localFunction(s: ast.LocalFunctionStatement): void {
    this.consumed(s.name.end);
    this.newLocal(s.name.name);
    this.adjustLocals(1);
    const b = exp();
    this.functionBody(s.func, b, false, this.lineOf(this.skip(s.name.end)));
    this.localVar(this.fs, b.info).startPc = this.fs.pc;
  }

  private functionStatement(s: ast.FunctionStatement): void {
    const line = this.lineOf(s.start);
    this.consumed(s.start + 8);
    const v = exp();
    this.expr(s.target, v);
    const b = exp();
    this.functionBody(s.func, b, s.isMethod, line);
    this.storeVar(v, b);
    this.fixLine(line);
  }

  private assignment(s: ast.AssignmentStatement): void {
    const lhs: Exp[] = [];
    for (let i = 0; i < s.targets.length; i++) {
      const target = s.targets[i];
      if (i > 0) this.consumeAfter(s.targets[i - 1].end, ',');
      const v = exp();
      this.expr(target, v);
      if (i > 0 && v.k !== K.INDEXED) this.checkConflict(lhs, v);
      lhs.push(v);
    }
    this.consumeAfter(s.targets[s.targets.length - 1].end, '=');
    const e = exp();
    const nvars = lhs.length;
    const nexps = this.explist(s.values, e);
    const last = lhs[nvars - 1];
    if (nexps !== nvars) {
      this.adjustAssign(nvars, nexps, e);
      this.storeVar(last, exp(K.NONRELOC, this.fs.freereg - 1));
    } else {
      this.setOneRet(e);
      this.storeVar(last, e);
    }
    for (let i = nvars - 2; i >= 0; i--) this.storeVar(lhs[i], exp(K.NONRELOC, this.fs.freereg - 1));
  }

  private checkConflict(lhs: Exp[], v: Exp): void {
    const fs = this.fs;
    const extra = fs.freereg;
    let conflict = false;
    for (const lh of lhs) {
      if (lh.k !== K.INDEXED) continue;
      if (lh.vt === v.k && lh.t_ === v.info) {
        conflict = true;
        lh.vt = K.LOCAL;
        lh.t_ = extra;
      }
      if (v.k === K.LOCAL && lh.idx === v.info) {
        conflict = true;
        lh.idx = extra;
      }
    }
    if (conflict) {
      this.codeABC(v.k === K.LOCAL ? Op.MOVE : Op.GETUPVAL, extra, v.info, 0);
      this.reserveRegs(1);
    }
  }

  private returnStatement(s: ast.ReturnStatement): void {
    this.consumed(s.start + 6);
    let first = 0;
    let nret = 0;
    if (s.values.length > 0) {
      const e = exp();
      nret = this.explist(s.values, e);
      if (hasMultRet(e.k)) {
        this.setMultRet(e);
        if (e.k === K.CALL && nret === 1) {
          const c = this.fs.code;
          c[e.info] = ((c[e.info] & ~0x3f) | Op.TAILCALL) >>> 0;
        }
        first = this.fs.nactvar;
        nret = MULTRET;
      } else if (nret === 1) {
        first = this.exp2AnyReg(e);
      } else {
        this.exp2NextReg(e);
        first = this.fs.nactvar;
      }
    }
    this.ret(first, nret);
    this.consumed(s.end);
  }

  /** `cond` of lparser.c: the false-exit list of a condition. */
  private condition(node: ast.Expression): number {
    const v = exp();
    this.expr(node, v);
    if (v.k === K.NIL) v.k = K.FALSE;
    this.goIfTrue(v);
    return v.f;
  }

  private whileStatement(s: ast.WhileStatement): void {
    this.consumed(s.start + 5);
    const whileInit = this.getLabel();
    const condExit = this.condition(s.condition);
    const bl = this.newBlock();
    this.enterBlock(bl, true);
    this.consumeAfter(s.condition.end, 'do');
    this.block(s.body);
    this.jumpTo(whileInit);
    this.consumed(s.end);
    this.leaveBlock();
    this.patchToHere(condExit);
  }

  private repeatStatement(s: ast.RepeatStatement): void {
    const repeatInit = this.getLabel();
    const bl1 = this.newBlock();
    const bl2 = this.newBlock();
    this.enterBlock(bl1, true);
    this.enterBlock(bl2, false);
    this.consumed(s.start + 6);
    this.statList(s.body.body, true);
    this.consumeAfter(s.body.body.length > 0 ? s.body.end : s.start + 6, 'until');
    const condExit = this.condition(s.condition);
    if (bl2.upval) this.patchClose(condExit, bl2.nactvar);
    this.leaveBlock();
    this.patchList(condExit, repeatInit);
    this.leaveBlock();
  }

  private exp1(node: ast.Expression): void {
    const e = exp();
    this.expr(node, e);
    this.exp2NextReg(e);
  }

  private numericFor(s: ast.NumericForStatement): void {
    const line = this.lineOf(s.start);
    this.enterBlock(this.newBlock(), true);
    this.consumed(s.variable.end);
    const base = this.fs.freereg;
    this.newLocal('(for index)');
    this.newLocal('(for limit)');
    this.newLocal('(for step)');
    this.newLocal(s.variable.name);
    this.consumeAfter(s.variable.end, '=');
    this.exp1(s.initial);
    this.consumeAfter(s.initial.end, ',');
    this.exp1(s.limit);
    if (s.step) {
      this.consumeAfter(s.limit.end, ',');
      this.exp1(s.step);
    } else {
      this.codeK(this.fs.freereg, this.intK(1));
      this.reserveRegs(1);
    }
    this.forBody(s.body, (s.step ?? s.limit).end, base, line, 1, true);
    this.consumed(s.end);
    this.leaveBlock();
  }

  private genericFor(s: ast.GenericForStatement): void {
    this.enterBlock(this.newBlock(), true);
    const names = s.variables;
    this.consumed(names[0].end);
    const base = this.fs.freereg;
    this.newLocal('(for generator)');
    this.newLocal('(for state)');
    this.newLocal('(for control)');
    for (const name of names) this.newLocal(name.name);
    this.consumeAfter(names[names.length - 1].end, 'in');
    const line = this.lineOf(this.tokenEnd(s.iterators[0].start) - 1);
    const e = exp();
    this.adjustAssign(3, this.explist(s.iterators, e), e);
    this.checkStack(3);
    this.forBody(s.body, s.iterators[s.iterators.length - 1].end, base, line, names.length, false);
    this.consumed(s.end);
    this.leaveBlock();
  }

  private forBody(body: ast.Block, beforeDo: number, base: number, line: number, nvars: number, isNum: boolean): void {
    this.adjustLocals(3);
    this.consumeAfter(beforeDo, 'do');
    const prep = isNum ? this.codeAsBx(Op.FORPREP, base, NO_JUMP) : this.jump();
    this.enterBlock(this.newBlock(), false);
    this.adjustLocals(nvars);
    this.reserveRegs(nvars);
    this.block(body);
    this.leaveBlock();
    this.patchToHere(prep);
    let endFor: number;
    if (isNum) {
      endFor = this.codeAsBx(Op.FORLOOP, base, NO_JUMP);
    } else {
      this.codeABC(Op.TFORCALL, base, 0, nvars);
      this.fixLine(line);
      endFor = this.codeAsBx(Op.TFORLOOP, base + 2, NO_JUMP);
    }
    this.patchList(endFor, prep + 1);
    this.fixLine(line);
  }

  private ifStatement(s: ast.IfStatement): void {
    let escapeList = NO_JUMP;
    const clauses = s.clauses;
    for (let i = 0; i < clauses.length; i++) {
      const clause = clauses[i];
      if (clause.condition) {
        escapeList = this.testThenBlock(clause, escapeList, i + 1 < clauses.length);
      } else {
        this.consumed(clause.start + 4);
        this.block(clause.body);
      }
    }
    this.consumed(s.end);
    this.patchToHere(escapeList);
  }

  private testThenBlock(clause: ast.IfClause, escapeList: number, followed: boolean): number {
    const keyword = this.src.startsWith('elseif', clause.start) ? 6 : 2;
    this.consumed(clause.start + keyword);
    const v = exp();
    this.expr(clause.condition!, v);
    this.consumeAfter(clause.condition!.end, 'then');
    const body = clause.body.body;
    const bl = this.newBlock();
    let jf: number;
    let from = 0;
    const first = body[0];
    if (first !== undefined && (first.kind === 'Goto' || first.kind === 'Break')) {
      this.goIfFalse(v);
      this.enterBlock(bl, false);
      this.gotoStatement(first, v.t);
      from = 1;
      if (body.length === 1) {
        this.leaveBlock();
        return escapeList;
      }
      jf = this.jump();
    } else {
      this.goIfTrue(v);
      this.enterBlock(bl, false);
      jf = v.f;
    }
    this.statList(body, false, from);
    this.leaveBlock();
    if (followed) escapeList = this.concatList(escapeList, this.jump());
    this.patchToHere(jf);
    return escapeList;
  }

  // ---- expressions ---------------------------------------------------------------------------

  private explist(list: ast.Expression[], e: Exp): number {
    this.expr(list[0], e);
    for (let i = 1; i < list.length; i++) {
      this.consumeAfter(list[i - 1].end, ',');
      this.exp2NextReg(e);
      this.expr(list[i], e);
    }
    return list.length;
  }

  private expr(node: ast.Expression, e: Exp): void {
    switch (node.kind) {
      case 'Nil': this.literal(e, K.NIL, node.end); return;
      case 'True': this.literal(e, K.TRUE, node.end); return;
      case 'False': this.literal(e, K.FALSE, node.end); return;
      case 'Number':
        this.literal(e, node.integer ? K.KINT : K.KFLT, node.end);
        if (node.integer) e.ival = node.int64 !== undefined ? intFromBig(node.int64) : node.value;
        else e.nval = node.value;
        return;
      case 'String':
        this.literal(e, K.K, node.end);
        e.info = this.stringK(node.value);
        return;
      case 'Vararg':
        this.literal(e, K.VARARG, node.end);
        e.info = this.codeABC(Op.VARARG, 0, 1, 0);
        this.consumed(node.end);
        return;
      case 'Name':
        // A name that opens a table field was read with a lookahead (is `=` next?), so the reader
        // already stands past the token after it.
        if (node.start === this.fieldStart) this.consumed(this.tokenEnd(this.skip(node.end)));
        else this.consumed(node.end);
        this.reset(e);
        this.singleVar(node.name, e);
        return;
      case 'Paren':
        this.consumed(node.start + 1);
        this.expr(node.expression, e);
        this.consumed(node.end);
        this.dischargeVars(e);
        return;
      case 'Function':
        this.consumed(node.start + 8);
        this.functionBody(node, e, false, this.lineOf(this.skip(node.start + 8)));
        return;
      case 'Table':
        this.constructor_(node, e);
        return;
      case 'Binary': case 'Member': case 'Index': case 'Call':
        this.chain(node, e);
        return;
      case 'Unary': {
        const line = this.lineOf(node.start);
        this.consumed(node.start + (node.operator === 'not' ? 3 : 1));
        this.expr(node.operand, e);
        this.prefix(node.operator, e, line);
        return;
      }
      default:
        throw new Error(`cannot compile a ${node.kind}`);
    }
  }

  /**
   * A left-associative chain (`1+1+…`, `a and b and …`, `a.b.b…`, `f()()…`, or a mix), which is
   * legal at any length: walked down to its innermost operand with an explicit stack, then
   * compiled outwards, each link's operator and right side after its left side, which is the
   * order of PUC's recursive reading (so the code is the same, and no JS frame per link).
   */
  private chain(node: ast.Expression, e: Exp): void {
    const links: (ast.BinaryExpression | ast.MemberExpression | ast.IndexExpression | ast.CallExpression)[] = [];
    // A call's line is where the whole suffixed expression starts, read before its callee.
    const lines: number[] = [];
    let n = node;
    for (;;) {
      if (n.kind === 'Binary') {
        links.push(n);
        lines.push(0);
        n = n.left;
      } else if (n.kind === 'Member' || n.kind === 'Index') {
        links.push(n);
        lines.push(0);
        n = n.object;
      } else if (n.kind === 'Call') {
        links.push(n);
        lines.push(this.startLine(n));
        n = n.callee;
      } else {
        break;
      }
    }
    this.expr(n, e);
    for (let i = links.length - 1; i >= 0; i--) {
      const link = links[i];
      switch (link.kind) {
        case 'Binary': {
          const opr = BINARY[link.operator];
          this.consumed(link.operatorStart + link.operator.length);
          this.infix(opr, e);
          const e2 = exp();
          this.expr(link.right, e2);
          this.posfix(opr, e, e2, this.lineOf(link.operatorStart));
          break;
        }
        case 'Member':
          this.exp2AnyRegUp(e);
          this.consumed(link.name.end);
          this.indexed(e, exp(K.K, this.stringK(link.name.name)));
          break;
        case 'Index': {
          this.exp2AnyRegUp(e);
          this.consumed(this.skip(link.object.end) + 1);
          const key = exp();
          this.expr(link.index, key);
          this.exp2Val(key);
          this.consumed(link.end);
          this.indexed(e, key);
          break;
        }
        default:
          this.callSuffix(link, e, lines[i]);
      }
    }
  }

  /** PUC's `ls->linenumber` where an expression starts: its first token's, or the lookahead's. */
  private startLine(node: ast.Node): number {
    if (node.start !== this.fieldStart) return this.lineOf(node.start);
    IDENTIFIER.lastIndex = node.start;
    const m = IDENTIFIER.exec(this.src);
    return this.lineOf(m ? this.tokenEnd(this.skip(node.start + m[0].length)) - 1 : node.start);
  }

  /**
   * Where the token at `p` ends, for the tokens that may span lines (strings, long brackets);
   * other tokens are taken as one character long, which is enough to know their line.
   */
  private tokenEnd(p: number): number {
    const s = this.src;
    const c = s.charCodeAt(p);
    if (c === 34 || c === 39) {
      let q = p + 1;
      while (q < s.length && s.charCodeAt(q) !== c) q += s.charCodeAt(q) === 92 ? 2 : 1;
      return Math.min(q + 1, s.length);
    }
    if (c === 91) {
      let q = p + 1;
      while (s.charCodeAt(q) === 61) q++;
      if (s.charCodeAt(q) === 91) {
        const close = ']' + '='.repeat(q - p - 1) + ']';
        const at = s.indexOf(close, q + 1);
        return at < 0 ? s.length : at + close.length;
      }
    }
    return p + 1;
  }

  private reset(e: Exp): void {
    copyExp(e, exp());
  }

  /** A literal: PUC emits nothing until the value is used; the reader moves past it. */
  private literal(e: Exp, k: K, end: number): void {
    this.reset(e);
    e.k = k;
    if (k !== K.VARARG) this.consumed(end);
  }

  /** A call's arguments and CALL, its callee being compiled into `e`; `line` is the call's (startLine). */
  private callSuffix(node: ast.CallExpression, e: Exp, line: number): void {
    let argsFrom: number;
    if (node.method) {
      this.consumed(node.method.end);
      this.self(e, exp(K.K, this.stringK(node.method.name)));
      argsFrom = node.method.end;
    } else {
      this.exp2NextReg(e);
      argsFrom = node.callee.end;
    }
    const args = exp();
    switch (node.argStyle) {
      case 'parens':
        this.consumeAfter(argsFrom, '(');
        if (node.args.length === 0) {
          args.k = K.VOID;
        } else {
          this.explist(node.args, args);
          this.setMultRet(args);
        }
        this.consumed(node.end);
        break;
      case 'table':
        this.constructor_(node.args[0] as ast.TableConstructor, args);
        break;
      default:
        args.k = K.K;
        args.info = this.stringK((node.args[0] as ast.StringLiteral).value);
        this.consumed(node.end);
    }
    const base = e.info;
    let nparams: number;
    if (hasMultRet(args.k)) {
      nparams = MULTRET;
    } else {
      if (args.k !== K.VOID) this.exp2NextReg(args);
      nparams = this.fs.freereg - (base + 1);
    }
    this.reset(e);
    e.k = K.CALL;
    e.info = this.codeABC(Op.CALL, base, nparams + 1, 2);
    this.fixLine(line);
    this.fs.freereg = base + 1;
  }

  private constructor_(node: ast.TableConstructor, t: Exp): void {
    const pc = this.codeABC(Op.NEWTABLE, 0, 0, 0);
    const cc = { v: exp(), na: 0, nh: 0, toStore: 0 };
    this.reset(t);
    t.k = K.RELOCABLE;
    t.info = pc;
    this.exp2NextReg(t);
    this.consumed(node.start + 1);
    for (let i = 0; i < node.fields.length; i++) {
      const field = node.fields[i];
      this.closeListField(t, cc);
      if (field.style === 'positional') {
        this.fieldStart = field.start;
        this.expr(field.value, cc.v);
        this.fieldStart = -1;
        cc.na++;
        cc.toStore++;
      } else {
        const reg = this.fs.freereg;
        const key = exp();
        if (field.style === 'named') {
          this.consumed(this.skip(field.key!.end) + 1);
          key.k = K.K;
          key.info = this.stringK((field.key as ast.StringLiteral).value);
        } else {
          this.consumed(field.start + 1);
          this.expr(field.key!, key);
          this.exp2Val(key);
          this.consumeAfter(field.key!.end, ']');
        }
        cc.nh++;
        const keyEnd = this.skip(field.key!.end);
        this.consumeAfter(field.style === 'named' ? field.key!.end : keyEnd + 1, '=');
        const rkKey = this.exp2RK(key);
        const val = exp();
        this.expr(field.value, val);
        this.codeABC(Op.SETTABLE, t.info, rkKey, this.exp2RK(val));
        this.fs.freereg = reg;
      }
      if (i + 1 < node.fields.length) {
        const sep = this.skip(field.end);
        this.consumed(sep + 1);
      }
    }
    this.consumed(node.end);
    this.lastListField(t, cc);
    this.setB(pc, int2fb(cc.na));
    this.setC(pc, int2fb(cc.nh));
  }

  private closeListField(t: Exp, cc: { v: Exp; na: number; toStore: number }): void {
    if (cc.v.k === K.VOID) return;
    this.exp2NextReg(cc.v);
    cc.v.k = K.VOID;
    if (cc.toStore === FIELDS_PER_FLUSH) {
      this.setList(t.info, cc.na, cc.toStore);
      cc.toStore = 0;
    }
  }

  private lastListField(t: Exp, cc: { v: Exp; na: number; toStore: number }): void {
    if (cc.toStore === 0) return;
    if (hasMultRet(cc.v.k)) {
      this.setMultRet(cc.v);
      this.setList(t.info, cc.na, MULTRET);
      cc.na--;
    } else {
      if (cc.v.k !== K.VOID) this.exp2NextReg(cc.v);
      this.setList(t.info, cc.na, cc.toStore);
    }
  }

  private setList(base: number, nelems: number, toStore: number): void {
    const c = Math.floor((nelems - 1) / FIELDS_PER_FLUSH) + 1;
    const b = toStore === MULTRET ? 0 : toStore;
    if (c <= MAXARG_C) {
      this.codeABC(Op.SETLIST, base, b, c);
    } else if (c <= MAXARG_AX) {
      this.codeABC(Op.SETLIST, base, b, 0);
      this.code(encodeAx(Op.EXTRAARG, c));
    } else {
      this.error('constructor too long');
    }
    this.fs.freereg = base + 1;
  }

  /** Compiles a function body into a child prototype and leaves its closure in the next register. */
  private functionBody(node: ast.FunctionExpression, e: Exp, isMethod: boolean, line: number): void {
    const parent = this.fs;
    const fs = this.openFunction(line);
    const open = this.findOpenParen(node);
    this.consumed(open);
    if (isMethod) {
      this.newLocal('self');
      this.adjustLocals(1);
    }
    for (const p of node.params) this.newLocal(p.name);
    fs.isVararg = node.isVararg;
    this.adjustLocals(node.params.length);
    fs.numParams = fs.nactvar;
    this.reserveRegs(fs.nactvar);
    this.consumed(this.closeParen(node) + 1);
    this.statList(node.body.body, false);
    const endAt = node.end - 3;
    this.consumed(node.end);
    // The closure is made in the parent (lparser.c's codeclosure) before the child is closed.
    const childIndex = parent.protos.length;
    parent.protos.push(undefined!);
    this.fs = parent;
    this.reset(e);
    e.k = K.RELOCABLE;
    e.info = this.codeABx(Op.CLOSURE, 0, childIndex);
    this.exp2NextReg(e);
    this.fs = fs;
    parent.protos[childIndex] = this.closeFunction(this.lineOf(endAt));
  }

  /** Offset just past the `(` that opens a function's parameter list. */
  private findOpenParen(node: ast.FunctionExpression): number {
    let p = node.start;
    for (;;) {
      p = this.skip(p);
      if (p >= this.src.length) return p;
      if (this.src.charCodeAt(p) === 40 /* ( */) return p + 1;
      p++;
    }
  }

  /** Offset of the `)` that closes a function's parameter list. */
  private closeParen(node: ast.FunctionExpression): number {
    let p = node.params.length > 0 ? node.params[node.params.length - 1].end : this.findOpenParen(node);
    for (;;) {
      p = this.skip(p);
      const c = this.src.charCodeAt(p);
      if (c === 41 /* ) */ || p >= this.src.length) return p;
      p++;
    }
  }
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Whether two constants are the same value of the same type (PUC's ttype + luaV_rawequalobj). */
function sameConstant(a: Constant, b: Constant): boolean {
  if (typeof a === 'string' || typeof b === 'string' || typeof a === 'boolean' || typeof b === 'boolean' || a === undefined || b === undefined) return a === b;
  const aInt = isInteger(a);
  if (aInt !== isInteger(b as LuaNumber)) return false;
  if (aInt) return a === b;
  return toFloatValue(a) === toFloatValue(b as LuaNumber);
}

/** Converts an integer to PUC's "floating point byte" (eeeeexxx), rounding up (luaO_int2fb). */
export function int2fb(x: number): number {
  let e = 0;
  if (x < 8) return x;
  while (x >= 8 << 4) {
    x = (x + 0xf) >> 4;
    e += 4;
  }
  while (x >= 8 << 1) {
    x = (x + 1) >> 1;
    e++;
  }
  return ((e + 1) << 3) | (x - 8);
}

