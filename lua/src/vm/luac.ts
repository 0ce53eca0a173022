// A Compiler for LuaState built on Debian's `luac5.3`: the source goes to a temporary file, luac
// compiles it, and undump reads the result. Tests and benchmarks use it to run PUC's own bytecode
// on our VM (and to tell VM bugs from compiler bugs); it needs `luac5.3` on the PATH.

import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { chunkId } from './debuginfo';
import type { Proto } from './proto';
import type { Compiler } from './state';
import { undump } from './undump';

/** Whether `luac5.3` can be run here. */
export function hasLuac(): boolean {
  const r = spawnSync('luac5.3', ['-v'], { encoding: 'utf8' });
  return r.status === 0;
}

/** Compiles with luac5.3; the prototypes' source becomes `chunkName`. */
export const luacCompiler: Compiler = (source: string, chunkName: string): Proto | string => {
  const dir = mkdtempSync(join(tmpdir(), 'sandlua-luac-'));
  try {
    const input = join(dir, 'chunk.lua');
    const output = join(dir, 'chunk.luac');
    writeFileSync(input, Buffer.from(source, 'latin1'));
    const r = spawnSync('luac5.3', ['-o', 'chunk.luac', 'chunk.lua'], { cwd: dir, encoding: 'latin1' });
    if (r.error) throw r.error;
    if (r.status !== 0) {
      const text = (r.stderr || '').trim().replace(/^luac5\.3: /, '');
      return text.replace(/^chunk\.lua:/, chunkId(chunkName) + ':');
    }
    const proto = undump(new Uint8Array(readFileSync(output)));
    renameSource(proto, chunkName);
    return proto;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

function renameSource(proto: Proto, name: string): void {
  proto.source = name;
  for (const child of proto.protos) renameSource(child, name);
}
