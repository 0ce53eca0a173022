// The syntax fixtures in lua/test/syntax: `accept/*.lua` (programs luac5.3 accepts), `reject/*.lua`
// (programs it rejects, each with the expected first error in its first line:
// `-- error: LINE:COLUMN: message`, the position being where our diagnostic starts, 1-based) and
// `trees/*.lua` with their golden syntax trees beside them (`*.tree.json`).

import * as fs from 'fs';
import * as path from 'path';

/** lua/test/syntax, from lua/out/syntax/testing where this file runs. */
export const SYNTAX_FIXTURES = path.resolve(__dirname, '../../../test/syntax');

export interface ExpectedError {
  line: number;
  column: number;
  message: string;
}

export interface CorpusFile {
  name: string;
  path: string;
  /** The file as bytes: parsed as a Uint8Array, its messages are byte for byte luac's. */
  bytes: Uint8Array;
  expected?: ExpectedError;
}

const HEADER = /^-- error: (\d+):(\d+): (.*)$/;

export function parseHeader(bytes: Uint8Array): ExpectedError | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const end = text.indexOf('\n');
  const match = HEADER.exec(end < 0 ? text : text.slice(0, end));
  return match ? { line: Number(match[1]), column: Number(match[2]), message: match[3] } : undefined;
}

export function readCorpus(folder: 'accept' | 'reject' | 'trees'): CorpusFile[] {
  const dir = path.join(SYNTAX_FIXTURES, folder);
  return fs.readdirSync(dir).filter((name) => name.endsWith('.lua')).sort().map((name) => {
    const file = path.join(dir, name);
    const bytes = new Uint8Array(fs.readFileSync(file));
    return { name, path: file, bytes, expected: parseHeader(bytes) };
  });
}
