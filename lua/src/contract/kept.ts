// Files a process keeps for the next ones in a folder of the user's own (see validate.ts's
// keepCompiledSchemas): the validators of declared schemas, the schema patterns found to compile
// and the contracts found valid. Each is named by a hash of what it was made from and starts with
// a line of that text, so that a hash collision only misses. Anything that goes wrong only costs
// the work again.

import * as fs from 'fs';
import * as path from 'path';

/** Files kept in a folder before it starts again (contracts edited for a long time). */
const KEPT_MAX = 1000;

/** A kept file's name part for `text`: two 32-bit FNV-1a hashes in hex (crypto's module costs more to load than the rest). */
export function keptName(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x811c9dc5) + i;
  }
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  return hex(a) + hex(b);
}

/** A kept file's first line: a comment of the text it was made from (the two characters JSON leaves that end a line in JavaScript escaped). */
export function keptHeader(key: string): string {
  return `// ${JSON.stringify(key).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}`;
}

/** Whether `file` is the mark `markKept` leaves for `key` (a text found good: the file is its header line alone). */
export function isKeptMark(file: string, key: string): boolean {
  return readKept(file) === `${keptHeader(key)}\n`;
}

/** Leaves the mark of `key` in `file` (see isKeptMark). */
export function markKept(file: string, key: string): void {
  writeKept(file, `${keptHeader(key)}\n`);
}

/** A kept file's text, or undefined when there is none. */
export function readKept(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes a kept file whole (another name, then renamed: a reader never sees half of it). */
export function writeKept(file: string, text: string): void {
  try {
    const folder = path.dirname(file);
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const present = fs.readdirSync(folder);
    if (present.length >= KEPT_MAX) for (const name of present) if (/^(schema-[0-9a-f]+\.js|pattern-[0-9a-f]+|contract-[0-9a-f]+)(\.\d+-\d+\.tmp)?$/.test(name)) fs.rmSync(path.join(folder, name), { force: true });
    // A name of this thread's own: `check`'s worker threads share the process (and its pid).
    // worker_threads is loaded only here: a start that writes nothing does not pay for it (~3 ms).
    const { threadId } = require('worker_threads') as typeof import('worker_threads');
    const temporary = `${file}.${process.pid}-${threadId}.tmp`;
    fs.writeFileSync(temporary, text, { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch {
    // Not kept: the next process does the work again.
  }
}
