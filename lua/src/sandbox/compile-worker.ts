// The compile worker (see compile-thread.ts): compiles each job's source and answers with the
// prototypes packed for the trip back: code and line arrays moved, local variable records as one
// array of pcs and one string of names.

import { getHeapStatistics } from 'v8';
import { parentPort } from 'worker_threads';
// Through the runtime's entry, so that the bundled worker loads the runtime's part beside it.
import { compile, type Proto } from '../runtime';
import type { CompileAnswer, CompileJob, CompileStop, PackedProto } from './compile-thread';

/** Thrown by the job's charge to stop the compiler at one of the job's limits. */
class Stopped {
  constructor(readonly why: CompileStop) {}
}

function pack(p: Proto, transfer: ArrayBuffer[]): PackedProto {
  const localPcs = new Int32Array(2 * p.locVars.length);
  let localNames = '';
  p.locVars.forEach((v, i) => {
    localPcs[2 * i] = v.startPc;
    localPcs[2 * i + 1] = v.endPc;
    localNames += v.name + '\0';
  });
  for (const array of [p.code, p.lineInfo, localPcs]) {
    // Moved when the array is its buffer's whole (then copied by no one), else copied.
    const buffer = array.buffer as ArrayBuffer;
    if (array.byteOffset === 0 && array.byteLength === buffer.byteLength && !transfer.includes(buffer)) transfer.push(buffer);
  }
  return {
    source: p.source, lineDefined: p.lineDefined, lastLineDefined: p.lastLineDefined, numParams: p.numParams,
    isVararg: p.isVararg, maxStackSize: p.maxStackSize, code: p.code, lineInfo: p.lineInfo,
    // An integral float constant (LFloat) travels as its fields, { n }.
    constants: p.constants.map((c) => (typeof c === 'object' && c !== null ? { n: c.n } : c)),
    upvalues: p.upvalues, protos: p.protos.map((q) => pack(q, transfer)), localPcs, localNames,
  };
}

parentPort?.on('message', (job: CompileJob) => {
  let answer: CompileAnswer;
  const transfer: ArrayBuffer[] = [];
  const { id } = job;
  try {
    const source = Buffer.from(job.source.buffer, job.source.byteOffset, job.source.byteLength).toString('utf16le');
    // The compiler charges its work beyond the source's size (long and/or chains: quadratic, as in
    // PUC) a few thousand steps at a time: counted for the answer, and where the job's limits stop it.
    let steps = 0;
    const maxSteps = job.maxSteps ?? Infinity;
    const until = job.until ?? Infinity;
    // A job whose run is over by now (it waited behind others) is not begun.
    if (Date.now() > until) throw new Stopped('time');
    const charge = (n: number): void => {
      steps += n;
      if (steps > maxSteps) throw new Stopped('steps');
      if (Date.now() > until) throw new Stopped('time');
    };
    const proto = compile(source, job.chunkName, charge);
    const heap = getHeapStatistics().total_heap_size;
    answer = typeof proto === 'string' ? { id, heap, error: proto, steps } : { id, heap, proto: pack(proto, transfer), steps };
  } catch (error) {
    const heap = getHeapStatistics().total_heap_size;
    answer = error instanceof Stopped ? { id, heap, stopped: error.why } : { id, heap, failed: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(answer, transfer);
});
