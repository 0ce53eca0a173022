// The bytecode verifier: luac's code passes (ours is luac's, see dump.test.ts and the suite check
// in undump.test.ts), and each rule rejects a chunk that breaks only that rule, with lundump's
// message form. Also the VM's two guards for what no static check can see (a crafted chunk that
// makes SETLIST meet a non-table, or changes a numeric for loop's hidden state).
import { strict as assert } from 'assert';
import { dump } from './dump';
import { LuaState } from './state';
import { LuaError } from './value';
import { Op, encodeABC, encodeABx, encodeAsBx, encodeAx, rkAsK } from './proto';
import type { Constant, Proto } from './proto';
import { ChunkError, undump } from './undump';

const RETURN = encodeABC(Op.RETURN, 0, 1, 0);

/** A main function with 4 registers, constants 1 and "x", _ENV, and the given code. */
function proto(code: number[], extra: Partial<Proto> = {}): Proto {
  const constants: Constant[] = [1, 'x'];
  return {
    source: '@crafted.lua', lineDefined: 0, lastLineDefined: 0, numParams: 0, isVararg: true, maxStackSize: 4,
    code: Uint32Array.from(code), lineInfo: Int32Array.from(code.map(() => 1)), constants,
    upvalues: [{ name: '_ENV', inStack: true, index: 0 }], protos: [], locVars: [], tier: undefined, hotness: 0,
    ...extra,
  };
}

function child(upvalues: Proto['upvalues']): Proto {
  return proto([RETURN], { isVararg: false, upvalues, lineDefined: 1, lastLineDefined: 1 });
}

function rejects(p: Proto, detail: RegExp, bytes = dump(p)): void {
  assert.throws(() => undump(bytes, 'crafted'), (e: unknown) => {
    assert.ok(e instanceof ChunkError, String(e));
    assert.match(e.message, /^crafted: bad code in precompiled chunk \(.*\)$|^crafted: corrupted precompiled chunk/);
    assert.match(e.message, detail);
    return true;
  });
}

const RULES: { name: string; proto: () => Proto; detail: RegExp }[] = [
  { name: 'register beyond maxstacksize', proto: () => proto([encodeABC(Op.MOVE, 4, 0, 0), RETURN]), detail: /register 4/ },
  { name: 'source register beyond maxstacksize', proto: () => proto([encodeABC(Op.MOVE, 0, 200, 0), RETURN]), detail: /register 200/ },
  { name: 'LOADNIL range', proto: () => proto([encodeABC(Op.LOADNIL, 2, 2, 0), RETURN]), detail: /register 4/ },
  { name: 'constant index', proto: () => proto([encodeABx(Op.LOADK, 0, 2), RETURN]), detail: /constant 2/ },
  { name: 'RK constant index', proto: () => proto([encodeABC(Op.ADD, 0, rkAsK(0), rkAsK(7)), RETURN]), detail: /constant 7/ },
  { name: 'RK register', proto: () => proto([encodeABC(Op.EQ, 0, 9, rkAsK(0)), encodeAsBx(Op.JMP, 0, 0), RETURN]), detail: /register 9/ },
  { name: 'upvalue index', proto: () => proto([encodeABC(Op.GETUPVAL, 0, 1, 0), RETURN]), detail: /upvalue 1/ },
  { name: 'GETTABUP upvalue', proto: () => proto([encodeABC(Op.GETTABUP, 0, 3, rkAsK(1)), RETURN]), detail: /upvalue 3/ },
  { name: 'SETTABUP upvalue', proto: () => proto([encodeABC(Op.SETTABUP, 5, rkAsK(1), rkAsK(0)), RETURN]), detail: /upvalue 5/ },
  { name: 'function index', proto: () => proto([encodeABx(Op.CLOSURE, 0, 0), RETURN]), detail: /function 0/ },
  { name: 'invalid opcode', proto: () => proto([50, RETURN]), detail: /invalid opcode 50/ },
  { name: 'no code', proto: () => proto([]), detail: /without code/ },
  { name: 'falling off the end', proto: () => proto([encodeABC(Op.MOVE, 0, 1, 0)]), detail: /past the end/ },
  { name: 'jump past the end', proto: () => proto([encodeAsBx(Op.JMP, 0, 5), RETURN]), detail: /jump out of range/ },
  { name: 'jump before the start', proto: () => proto([encodeAsBx(Op.JMP, 0, -3), RETURN]), detail: /jump out of range/ },
  { name: 'EXTRAARG on its own', proto: () => proto([encodeAx(Op.EXTRAARG, 0), RETURN]), detail: /EXTRAARG without/ },
  { name: 'LOADKX without EXTRAARG', proto: () => proto([encodeABx(Op.LOADKX, 0, 0), RETURN]), detail: /missing EXTRAARG/ },
  { name: 'LOADKX constant', proto: () => proto([encodeABx(Op.LOADKX, 0, 0), encodeAx(Op.EXTRAARG, 2), RETURN]), detail: /constant 2/ },
  { name: 'SETLIST C = 0 without EXTRAARG', proto: () => proto([encodeABC(Op.NEWTABLE, 0, 0, 0), encodeABC(Op.SETLIST, 0, 1, 0), RETURN]), detail: /missing EXTRAARG/ },
  {
    name: 'jump onto an EXTRAARG',
    proto: () => proto([encodeAsBx(Op.JMP, 0, 1), encodeABx(Op.LOADKX, 0, 0), encodeAx(Op.EXTRAARG, 0), RETURN]),
    detail: /jump to an EXTRAARG/,
  },
  { name: 'test without its jump', proto: () => proto([encodeABC(Op.TEST, 0, 0, 0), RETURN, RETURN]), detail: /test without its jump/ },
  { name: 'test skipping past the end', proto: () => proto([encodeABC(Op.TEST, 0, 0, 0), encodeAsBx(Op.JMP, 0, -2)]), detail: /jump out of range/ },
  { name: 'LOADBOOL skipping past the end', proto: () => proto([encodeABC(Op.LOADBOOL, 0, 1, 1), RETURN]), detail: /jump out of range/ },
  { name: 'CALL arguments', proto: () => proto([encodeABC(Op.CALL, 1, 4, 1), RETURN]), detail: /register 4/ },
  { name: 'CALL results', proto: () => proto([encodeABC(Op.CALL, 1, 1, 5), RETURN]), detail: /register 4/ },
  { name: 'RETURN values', proto: () => proto([encodeABC(Op.RETURN, 2, 4, 0)]), detail: /register 4/ },
  { name: 'SETLIST values', proto: () => proto([encodeABC(Op.NEWTABLE, 0, 0, 0), encodeABC(Op.SETLIST, 0, 4, 1), RETURN]), detail: /register 4/ },
  { name: 'VARARG values', proto: () => proto([encodeABC(Op.VARARG, 1, 5, 0), RETURN]), detail: /register 4/ },
  { name: 'VARARG without varargs', proto: () => proto([encodeABC(Op.VARARG, 0, 2, 0), RETURN], { isVararg: false }), detail: /without varargs/ },
  { name: 'CONCAT of nothing', proto: () => proto([encodeABC(Op.CONCAT, 0, 2, 1), RETURN]), detail: /empty concatenation/ },
  { name: 'SELF needs A + 1', proto: () => proto([encodeABC(Op.SELF, 3, 0, rkAsK(1)), RETURN]), detail: /register 4/ },
  {
    name: 'open results not taken',
    proto: () => proto([encodeABC(Op.CALL, 0, 1, 0), encodeABC(Op.MOVE, 0, 1, 0), RETURN]),
    detail: /open results not taken/,
  },
  {
    name: 'open results taken from above their start',
    proto: () => proto([encodeABC(Op.VARARG, 0, 0, 0), encodeABC(Op.RETURN, 1, 0, 0)]),
    detail: /open results not taken/,
  },
  { name: 'open arguments never set', proto: () => proto([encodeABC(Op.MOVE, 0, 1, 0), encodeABC(Op.RETURN, 0, 0, 0)]), detail: /open arguments not set/ },
  { name: 'open arguments at the start', proto: () => proto([encodeABC(Op.RETURN, 0, 0, 0)]), detail: /open arguments not set/ },
  {
    name: 'open arguments reached by a jump',
    proto: () => proto([
      encodeAsBx(Op.JMP, 0, 1), encodeABC(Op.VARARG, 0, 0, 0), encodeABC(Op.RETURN, 0, 0, 0),
    ]),
    detail: /open arguments not set/,
  },
  {
    name: 'FORPREP not to its FORLOOP',
    proto: () => proto([encodeAsBx(Op.FORPREP, 0, 0), encodeAsBx(Op.FORLOOP, 1, -1), RETURN], { maxStackSize: 5 }),
    detail: /FORPREP without its FORLOOP/,
  },
  { name: 'FORLOOP registers', proto: () => proto([encodeAsBx(Op.FORPREP, 1, 0), encodeAsBx(Op.FORLOOP, 1, -1), RETURN]), detail: /register 4/ },
  {
    name: 'TFORCALL without TFORLOOP',
    proto: () => proto([encodeABC(Op.TFORCALL, 0, 0, 1), RETURN], { maxStackSize: 8 }),
    detail: /TFORCALL without its TFORLOOP/,
  },
  {
    name: 'TFORCALL call registers',
    proto: () => proto([encodeABC(Op.TFORCALL, 0, 0, 1), encodeAsBx(Op.TFORLOOP, 2, -2), RETURN], { maxStackSize: 5 }),
    detail: /register 5/,
  },
  {
    name: 'a nested function capturing a register that does not exist',
    proto: () => proto([RETURN], { protos: [child([{ name: 'a', inStack: true, index: 4 }])] }),
    detail: /upvalue captures nothing/,
  },
  {
    name: 'a nested function capturing an upvalue that does not exist',
    proto: () => proto([RETURN], { protos: [child([{ name: 'a', inStack: false, index: 1 }])] }),
    detail: /upvalue captures nothing/,
  },
  { name: 'more parameters than registers', proto: () => proto([RETURN], { numParams: 5 }), detail: /more parameters/ },
  { name: 'line information of another length', proto: () => proto([RETURN], { lineInfo: Int32Array.from([1, 2]) }), detail: /line information/ },
  {
    name: 'a local beyond the code',
    proto: () => proto([RETURN], { locVars: [{ name: 'a', startPc: 0, endPc: 2 }] }),
    detail: /local variable out of the code/,
  },
  {
    name: 'a local ending before it starts',
    proto: () => proto([RETURN, RETURN], { locVars: [{ name: 'a', startPc: 1, endPc: 0 }] }),
    detail: /local variable out of the code/,
  },
  {
    name: 'more active locals than registers',
    proto: () => proto([RETURN], { maxStackSize: 1, locVars: [{ name: 'a', startPc: 0, endPc: 1 }, { name: 'b', startPc: 0, endPc: 1 }] }),
    detail: /more active locals/,
  },
];

describe('bytecode verifier', () => {
  it('accepts the valid shapes the rules are made from', () => {
    const valid = [
      proto([encodeABC(Op.MOVE, 3, 0, 0), encodeABC(Op.LOADNIL, 1, 2, 0), RETURN]),
      proto([encodeABx(Op.LOADKX, 0, 0), encodeAx(Op.EXTRAARG, 1), RETURN]),
      proto([encodeABC(Op.CALL, 1, 1, 0), encodeABC(Op.CALL, 0, 0, 1), RETURN]),
      proto([encodeABC(Op.VARARG, 0, 0, 0), encodeABC(Op.RETURN, 0, 0, 0)]),
      proto([encodeABC(Op.TAILCALL, 0, 1, 0), encodeABC(Op.RETURN, 0, 0, 0)]),
      proto([encodeABC(Op.TEST, 0, 0, 0), encodeAsBx(Op.JMP, 0, 0), RETURN]),
      proto([encodeAsBx(Op.FORPREP, 0, 0), encodeAsBx(Op.FORLOOP, 0, -1), RETURN]),
      proto([encodeAsBx(Op.JMP, 0, 0), encodeABC(Op.TFORCALL, 0, 0, 1), encodeAsBx(Op.TFORLOOP, 2, -2), RETURN], { maxStackSize: 6 }),
      proto([encodeABx(Op.CLOSURE, 0, 0), RETURN], { protos: [child([{ name: 'a', inStack: true, index: 3 }, { name: '_ENV', inStack: false, index: 0 }])] }),
    ];
    for (const p of valid) assert.ok(undump(dump(p)), 'valid');
  });

  for (const rule of RULES) {
    it(`rejects ${rule.name}`, () => rejects(rule.proto(), rule.detail));
  }

  it('rejects a nested function that breaks a rule, and a count of upvalues that disagrees', () => {
    const bad = proto([encodeABC(Op.MOVE, 9, 0, 0), RETURN], { isVararg: false, upvalues: [] });
    rejects(proto([encodeABx(Op.CLOSURE, 0, 0), RETURN], { protos: [bad] }), /register 9/);
    const bytes = dump(proto([RETURN]));
    bytes[33] = 2; // the closure's upvalue count, just after the header
    rejects(proto([RETURN]), /upvalue count/, bytes);
  });

  it('gives a Lua error at run time for SETLIST on a non-table and a for loop whose state is changed', () => {
    const state = new LuaState();
    const run = (p: Proto): string => {
      const f = state.load(String.fromCharCode(...dump(p)), '=crafted');
      assert.ok(typeof f !== 'string', String(f));
      try {
        state.call(f);
      } catch (e) {
        assert.ok(e instanceof LuaError);
        assert.equal(e.kind, 'runtime');
        return String(e.value);
      }
      return 'no error';
    };
    assert.equal(run(proto([encodeABC(Op.LOADNIL, 0, 0, 0), encodeABC(Op.SETLIST, 0, 1, 1), RETURN])), 'crafted.lua:1: SETLIST on a non-table value');
    // for i = 1, 1, 1 whose body replaces the step with a table.
    const loop = proto([
      encodeABx(Op.LOADK, 0, 0), encodeABx(Op.LOADK, 1, 0), encodeABx(Op.LOADK, 2, 0),
      encodeAsBx(Op.FORPREP, 0, 1), encodeABC(Op.NEWTABLE, 2, 0, 0), encodeAsBx(Op.FORLOOP, 0, -2), RETURN,
    ]);
    assert.equal(run(loop), "crafted.lua:1: 'for' loop state is not a number");
    // The state is healthy afterwards.
    assert.deepEqual(state.run('return 1 + 1', '=after'), [2]);
  });
});
