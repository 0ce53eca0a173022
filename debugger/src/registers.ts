// Which registers of a Lua frame hold live values: the Registers view shows those and not the
// rest of the frame's window, whose slots keep whatever an earlier (now dead) frame or an
// expression already finished left there. A register is live at an instruction when some path from
// it reads the register before writing it: a backward data-flow analysis over the function's
// bytecode (Lua 5.3's instruction set), computed once per function.

import { OP_NAMES, type Proto } from '@sandlua/lua';

/**
 * The registers an instruction reads, the registers it surely writes, and the instructions that may
 * come next, each with what is written only on the way there (a for loop's variable, a TESTSET's).
 */
interface Effect { reads: bigint; kills: bigint; next: (number | [number, bigint])[] }

const cache = new WeakMap<Proto, { liveIn: bigint[]; liveOut: bigint[]; kills: bigint[] }>();

/** Registers live before the instruction at `pc` runs (a frame paused there, or failing in it). */
export function liveBefore(proto: Proto, pc: number): number[] {
  return registers(analysis(proto).liveIn[pc] ?? 0n);
}

/** Registers that keep their values across the instruction at `pc` (a caller in the call it makes there). */
export function liveAcross(proto: Proto, pc: number): number[] {
  const a = analysis(proto);
  return registers((a.liveOut[pc] ?? 0n) & ~(a.kills[pc] ?? 0n));
}

function registers(set: bigint): number[] {
  const out: number[] = [];
  for (let r = 0; set > 0n; r++, set >>= 1n) if (set & 1n) out.push(r);
  return out;
}

function analysis(proto: Proto): { liveIn: bigint[]; liveOut: bigint[]; kills: bigint[] } {
  let a = cache.get(proto);
  if (a) return a;
  const n = proto.code.length;
  const effects: Effect[] = [];
  for (let pc = 0; pc < n; pc++) effects.push(effect(proto, pc));
  const liveIn: bigint[] = new Array(n).fill(0n);
  const liveOut: bigint[] = new Array(n).fill(0n);
  for (let changed = true; changed;) {
    changed = false;
    for (let pc = n - 1; pc >= 0; pc--) {
      const e = effects[pc];
      let out = 0n;
      for (const s of e.next) {
        const [to, written] = typeof s === 'number' ? [s, 0n] : s;
        if (to >= 0 && to < n) out |= liveIn[to] & ~written;
      }
      const into = e.reads | (out & ~e.kills);
      if (into !== liveIn[pc] || out !== liveOut[pc]) {
        liveIn[pc] = into;
        liveOut[pc] = out;
        changed = true;
      }
    }
  }
  a = { liveIn, liveOut, kills: effects.map((e) => e.kills) };
  cache.set(proto, a);
  return a;
}

/** Registers first..last (inclusive) as a set. */
function span(first: number, last: number): bigint {
  if (last < first) return 0n;
  return ((1n << BigInt(last - first + 1)) - 1n) << BigInt(first);
}

const one = (r: number): bigint => 1n << BigInt(r);
/** An RK operand: a register below 256, a constant otherwise. */
const rk = (x: number): bigint => (x < 256 ? one(x) : 0n);

function effect(proto: Proto, pc: number): Effect {
  const i = proto.code[pc];
  const op = OP_NAMES[i & 0x3f];
  const A = (i >>> 6) & 0xff;
  const C = (i >>> 14) & 0x1ff;
  const B = (i >>> 23) & 0x1ff;
  const sBx = (i >>> 14) - 131071;
  const top = proto.maxStackSize - 1;
  const next = [pc + 1];
  const jump = [pc + 1 + sBx];
  const skip = [pc + 1, pc + 2];
  switch (op) {
    case 'MOVE': case 'UNM': case 'BNOT': case 'NOT': case 'LEN': return { reads: one(B), kills: one(A), next };
    case 'LOADK': case 'GETUPVAL': case 'NEWTABLE': return { reads: 0n, kills: one(A), next };
    case 'LOADKX': return { reads: 0n, kills: one(A), next: [pc + 2] };
    case 'LOADBOOL': return { reads: 0n, kills: one(A), next: C !== 0 ? [pc + 2] : next };
    case 'LOADNIL': return { reads: 0n, kills: span(A, A + B), next };
    case 'GETTABUP': return { reads: rk(C), kills: one(A), next };
    case 'GETTABLE': return { reads: one(B) | rk(C), kills: one(A), next };
    case 'SETTABUP': return { reads: rk(B) | rk(C), kills: 0n, next };
    case 'SETUPVAL': return { reads: one(A), kills: 0n, next };
    case 'SETTABLE': return { reads: one(A) | rk(B) | rk(C), kills: 0n, next };
    case 'SELF': return { reads: one(B) | rk(C), kills: span(A, A + 1), next };
    case 'CONCAT': return { reads: span(B, C), kills: one(A), next };
    case 'JMP': return { reads: 0n, kills: 0n, next: jump };
    case 'EQ': case 'LT': case 'LE': return { reads: rk(B) | rk(C), kills: 0n, next: skip };
    case 'TEST': return { reads: one(A), kills: 0n, next: skip };
    case 'TESTSET': return { reads: one(B), kills: 0n, next: [[pc + 1, one(A)], pc + 2] };
    case 'CALL': return { reads: span(A, B !== 0 ? A + B - 1 : top), kills: C !== 0 ? span(A, A + C - 2) : span(A, top), next };
    case 'TAILCALL': return { reads: span(A, B !== 0 ? A + B - 1 : top), kills: 0n, next: [] };
    case 'RETURN': return { reads: span(A, B !== 0 ? A + B - 2 : top), kills: 0n, next: [] };
    case 'FORLOOP': return { reads: span(A, A + 2), kills: one(A), next: [pc + 1, [pc + 1 + sBx, one(A + 3)]] };
    case 'FORPREP': return { reads: span(A, A + 2), kills: one(A), next: jump };
    case 'TFORCALL': return { reads: span(A, A + 2), kills: span(A + 3, A + 2 + C), next };
    case 'TFORLOOP': return { reads: one(A + 1), kills: 0n, next: [pc + 1, [pc + 1 + sBx, one(A)]] };
    case 'SETLIST': return { reads: span(A, B !== 0 ? A + B : top), kills: 0n, next: C === 0 ? [pc + 2] : next };
    case 'CLOSURE': {
      // Capturing a register reads it (a captured register is a local: shown while in scope anyway).
      let reads = 0n;
      const child = proto.protos[i >>> 14];
      for (const up of child?.upvalues ?? []) if (up.inStack) reads |= one(up.index);
      return { reads, kills: one(A), next };
    }
    case 'VARARG': return { reads: 0n, kills: span(A, B !== 0 ? A + B - 2 : top), next };
    case 'EXTRAARG': return { reads: 0n, kills: 0n, next };
    default: // ADD … SHR
      return { reads: rk(B) | rk(C), kills: one(A), next };
  }
}
