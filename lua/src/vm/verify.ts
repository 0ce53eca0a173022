// The bytecode verifier for prototypes read from binary chunks. Our compiler's output never needs
// it; a chunk handed to `load` may have been crafted. PUC Lua 5.3 trusts such chunks and can be
// made to read outside its stack; here every operand of every instruction is checked against the
// prototype before the function can run, so the VM only ever meets code of the shape luac writes:
//
// - registers below maxstacksize (ranges too: LOADNIL, CALL arguments and results, VARARG, ...),
//   constants, upvalues and nested prototypes by index within their arrays;
// - every jump, skip and fall-through lands on an instruction: never past the end, never on the
//   EXTRAARG that belongs to the LOADKX or SETLIST before it;
// - a test is followed by its jump, TFORCALL by TFORLOOP, FORPREP jumps to its FORLOOP;
// - an instruction that leaves a variable number of values (CALL with C = 0, VARARG with B = 0,
//   TAILCALL) is directly followed by one that takes them (B = 0), and such an instruction is
//   reached only that way, so the stack top it reads is always the one just set;
// - nested prototypes capture registers and upvalues that exist in the enclosing function;
// - debug information matches the code (one line per instruction, locals within the code and
//   never more active at once than there are registers).

import {
  BITRK, MAXARG_SBX, Op, OPCODE_COUNT, argA, argAx, argB, argBx, argC, opcodeOf,
} from './proto';
import type { Proto } from './proto';

class Problem {
  constructor(readonly message: string) {}
}

function fail(message: string): never {
  throw new Problem(message);
}

/**
 * Checks the code and debug information of `p` and the upvalue descriptors of its nested
 * prototypes (their own code is checked when they are read). Returns what is wrong, or undefined.
 */
export function verifyProto(p: Proto): string | undefined {
  try {
    checkProto(p);
    return undefined;
  } catch (e) {
    if (e instanceof Problem) return e.message;
    throw e;
  }
}

function checkProto(p: Proto): void {
  const code = p.code;
  const n = code.length;
  const registers = p.maxStackSize;
  if (n === 0) fail('function without code');
  if (p.numParams > registers) fail('more parameters than registers');

  const reg = (r: number, pc: number) => {
    if (r >= registers) fail(`register ${r} out of range at pc ${pc + 1}`);
  };
  const rk = (x: number, pc: number) => {
    if (x & BITRK) {
      if ((x & ~BITRK) >= p.constants.length) fail(`constant ${x & ~BITRK} out of range at pc ${pc + 1}`);
    } else {
      reg(x, pc);
    }
  };
  const constant = (index: number, pc: number) => {
    if (index >= p.constants.length) fail(`constant ${index} out of range at pc ${pc + 1}`);
  };
  const upvalue = (index: number, pc: number) => {
    if (index >= p.upvalues.length) fail(`upvalue ${index} out of range at pc ${pc + 1}`);
  };

  // First pass: which slots are EXTRAARG operands, and where control can go. `target` marks the
  // destinations of jumps and skips (not of falling through to the next instruction).
  const operandSlot = new Uint8Array(n);
  const target = new Uint8Array(n);
  const next = (from: number, to: number) => {
    if (to >= n) fail(`control runs past the end at pc ${from + 1}`);
  };
  const branch = (from: number, to: number) => {
    if (to < 0 || to >= n) fail(`jump out of range at pc ${from + 1}`);
    target[to] = 1;
  };
  for (let pc = 0; pc < n; pc++) {
    const i = code[pc];
    const op = opcodeOf(i);
    if (op >= OPCODE_COUNT) fail(`invalid opcode ${op} at pc ${pc + 1}`);
    if (op === Op.EXTRAARG) fail(`EXTRAARG without its instruction at pc ${pc + 1}`);
    const takesExtra = op === Op.LOADKX || (op === Op.SETLIST && argC(i) === 0);
    if (takesExtra) {
      if (pc + 1 >= n || opcodeOf(code[pc + 1]) !== Op.EXTRAARG) fail(`missing EXTRAARG at pc ${pc + 2}`);
      operandSlot[pc + 1] = 1;
    }
    const sbx = argBx(i) - MAXARG_SBX;
    switch (op) {
      case Op.JMP: case Op.FORPREP:
        branch(pc, pc + 1 + sbx);
        break;
      case Op.FORLOOP: case Op.TFORLOOP:
        branch(pc, pc + 1 + sbx);
        next(pc, pc + 1);
        break;
      case Op.RETURN:
        break;
      case Op.EQ: case Op.LT: case Op.LE: case Op.TEST: case Op.TESTSET:
        if (pc + 1 >= n || opcodeOf(code[pc + 1]) !== Op.JMP) fail(`test without its jump at pc ${pc + 1}`);
        branch(pc, pc + 2);
        break;
      case Op.LOADBOOL:
        if (argC(i) !== 0) branch(pc, pc + 2);
        else next(pc, pc + 1);
        break;
      default:
        next(pc, takesExtra ? pc + 2 : pc + 1);
        break;
    }
    if (takesExtra) pc++;
  }
  for (let pc = 0; pc < n; pc++) {
    if (operandSlot[pc] && target[pc]) fail(`jump to an EXTRAARG at pc ${pc + 1}`);
  }

  // Second pass: the operands of each instruction.
  for (let pc = 0; pc < n; pc++) {
    if (operandSlot[pc]) continue;
    const i = code[pc];
    const op = opcodeOf(i);
    const a = argA(i);
    const b = argB(i);
    const c = argC(i);
    switch (op) {
      case Op.MOVE: case Op.UNM: case Op.BNOT: case Op.NOT: case Op.LEN: case Op.TESTSET:
        reg(a, pc);
        reg(b, pc);
        break;
      case Op.LOADK:
        reg(a, pc);
        constant(argBx(i), pc);
        break;
      case Op.LOADKX:
        reg(a, pc);
        constant(argAx(code[pc + 1]), pc);
        break;
      case Op.LOADBOOL: case Op.NEWTABLE: case Op.TEST:
        reg(a, pc);
        break;
      case Op.LOADNIL:
        reg(a + b, pc);
        break;
      case Op.GETUPVAL: case Op.SETUPVAL:
        reg(a, pc);
        upvalue(b, pc);
        break;
      case Op.GETTABUP:
        reg(a, pc);
        upvalue(b, pc);
        rk(c, pc);
        break;
      case Op.GETTABLE:
        reg(a, pc);
        reg(b, pc);
        rk(c, pc);
        break;
      case Op.SETTABUP:
        upvalue(a, pc);
        rk(b, pc);
        rk(c, pc);
        break;
      case Op.SETTABLE:
        reg(a, pc);
        rk(b, pc);
        rk(c, pc);
        break;
      case Op.SELF:
        reg(a + 1, pc);
        reg(b, pc);
        rk(c, pc);
        break;
      case Op.ADD: case Op.SUB: case Op.MUL: case Op.MOD: case Op.POW: case Op.DIV: case Op.IDIV:
      case Op.BAND: case Op.BOR: case Op.BXOR: case Op.SHL: case Op.SHR:
        reg(a, pc);
        rk(b, pc);
        rk(c, pc);
        break;
      case Op.EQ: case Op.LT: case Op.LE:
        rk(b, pc);
        rk(c, pc);
        break;
      case Op.CONCAT:
        reg(a, pc);
        if (b >= c) fail(`empty concatenation at pc ${pc + 1}`);
        reg(c, pc);
        break;
      case Op.JMP:
        // A > 0 closes the upvalues from register A - 1 up.
        if (a > 0 && a - 1 > registers) fail(`register ${a - 1} out of range at pc ${pc + 1}`);
        break;
      case Op.CALL:
        reg(a, pc);
        if (b > 0) reg(a + b - 1, pc);
        if (c > 1) reg(a + c - 2, pc);
        break;
      case Op.TAILCALL:
        reg(a, pc);
        if (b > 0) reg(a + b - 1, pc);
        break;
      case Op.RETURN:
        if (b > 1) reg(a + b - 2, pc);
        break;
      case Op.FORLOOP:
        reg(a + 3, pc);
        break;
      case Op.FORPREP: {
        reg(a + 3, pc);
        const loop = code[pc + 1 + (argBx(i) - MAXARG_SBX)];
        if (opcodeOf(loop) !== Op.FORLOOP || argA(loop) !== a) fail(`FORPREP without its FORLOOP at pc ${pc + 1}`);
        break;
      }
      case Op.TFORCALL:
        // The call goes at A + 3 with three values (function, state, control) and leaves C results.
        reg(a + 2 + Math.max(3, c), pc);
        if (pc + 1 >= n || opcodeOf(code[pc + 1]) !== Op.TFORLOOP) fail(`TFORCALL without its TFORLOOP at pc ${pc + 1}`);
        break;
      case Op.TFORLOOP:
        reg(a + 1, pc);
        break;
      case Op.SETLIST:
        reg(a + b, pc);
        break;
      case Op.CLOSURE:
        reg(a, pc);
        if (argBx(i) >= p.protos.length) fail(`function ${argBx(i)} out of range at pc ${pc + 1}`);
        break;
      case Op.VARARG:
        if (!p.isVararg) fail(`VARARG in a function without varargs at pc ${pc + 1}`);
        reg(a, pc);
        if (b > 1) reg(a + b - 2, pc);
        break;
      default:
        fail(`invalid opcode ${op} at pc ${pc + 1}`);
    }
    checkOpenTop(code, pc, target);
  }

  for (const child of p.protos) {
    for (const u of child.upvalues) {
      if (u.inStack ? u.index >= registers : u.index >= p.upvalues.length) fail('upvalue captures nothing');
    }
  }
  checkDebugInfo(p);
}

/** Whether instruction `i` leaves a variable number of values, up to the stack top. */
function setsTop(i: number): boolean {
  const op = opcodeOf(i);
  return (op === Op.CALL && argC(i) === 0) || (op === Op.VARARG && argB(i) === 0) || op === Op.TAILCALL;
}

/** The first register of the values an instruction takes up to the stack top; -1 if it takes none. */
function takesTopFrom(i: number): number {
  const op = opcodeOf(i);
  if (argB(i) !== 0) return -1;
  switch (op) {
    case Op.CALL: case Op.TAILCALL: case Op.SETLIST: return argA(i) + 1;
    case Op.RETURN: return argA(i);
    default: return -1;
  }
}

/** An instruction that sets the top and the one that takes it come in pairs, and only so. */
function checkOpenTop(code: Uint32Array, pc: number, target: Uint8Array): void {
  const i = code[pc];
  if (setsTop(i)) {
    const from = pc + 1 < code.length ? takesTopFrom(code[pc + 1]) : -1;
    // The values start at A: the next instruction takes them from there or below, never above.
    if (from < 0 || from > argA(i)) fail(`open results not taken at pc ${pc + 1}`);
  }
  if (takesTopFrom(i) >= 0) {
    if (pc === 0 || !setsTop(code[pc - 1]) || target[pc]) fail(`open arguments not set at pc ${pc + 1}`);
  }
}

function checkDebugInfo(p: Proto): void {
  const n = p.code.length;
  if (p.lineInfo.length !== 0 && p.lineInfo.length !== n) fail('line information does not match the code');
  if (p.locVars.length === 0) return;
  // Locals live within the code, and never more at once than there are registers.
  const delta = new Int32Array(n + 1);
  for (const v of p.locVars) {
    if (v.startPc < 0 || v.startPc > v.endPc || v.endPc > n) fail('local variable out of the code');
    delta[v.startPc]++;
    delta[v.endPc]--;
  }
  let active = 0;
  for (let pc = 0; pc <= n; pc++) {
    active += delta[pc];
    if (active > p.maxStackSize) fail('more active locals than registers');
  }
}
