// The process entry of the `sandlua` command (bundled to server/dist/sandlua.js): wires `main` to
// the real process. Output goes out as it is written (a script's print at once, never gathered
// into one string), and the process exits when stdout has taken all of it.

import { main } from './cli';
import { fstatSync, writeSync } from 'fs';
import { join } from 'path';
import { cacheRoot, useCodeCache } from './code-cache';
import { isCheckWorker } from './check/worker-arg';

// Worker threads of `check` load this same bundle; only the main thread runs the command.
const checkWorker = isCheckWorker();

// The parts beside the bundle compile through V8's code cache, the command's own (the main thread writes it).
useCodeCache(__filename, !checkWorker, process.argv[2]);

// The short commands that load contracts keep their declared schemas' validators beside it, so that a
// start does not load ajv to compile them again (@sandlua/lua's keepCompiledSchemas).
const cache = cacheRoot();
if (cache !== undefined && ['run', 'check', 'report', 'replay'].includes(process.argv[2])) {
  (require('@sandlua/lua/runtime') as typeof import('@sandlua/lua/runtime')).keepCompiledSchemas(join(cache, 'schemas'));
}

let stdoutStream: NodeJS.WriteStream | undefined;

/** process.stdout, made on first use; a reader that goes away (`sandlua run x.lua | head`) ends the command, quietly. */
function standardOutput(): NodeJS.WriteStream {
  if (stdoutStream === undefined) {
    stdoutStream = process.stdout;
    stdoutStream.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));
  }
  return stdoutStream;
}

/**
 * Output to a standard descriptor, written there at once without making Node's stream for it
 * (for a pipe, process.stdout loads Node's net and stream modules and keeps a handle the exit
 * waits on: ~10-15 ms of a piped command, measured). What a script prints into a pipe goes to
 * the stream, and all after it, in order: a direct write waits for the reader while the pipe is
 * full, where the stream keeps what the reader has not taken, and the script's clock must not
 * wait. After an error (a reader gone, a full disk) the stream takes over with what was not
 * written, and does as it always did.
 */
class Output {
  private stream: NodeJS.WriteStream | undefined;
  private readonly kind: 'file' | 'pipe' | 'other';

  constructor(private readonly fd: 1 | 2, private readonly open: () => NodeJS.WriteStream) {
    let kind: 'file' | 'pipe' | 'other' = 'other';
    try {
      const stat = fstatSync(fd);
      if (process.platform !== 'win32') kind = stat.isFile() || stat.isCharacterDevice() ? 'file' : stat.isFIFO() ? 'pipe' : 'other';
    } catch {
      // A descriptor that cannot be asked is left to the stream.
    }
    this.kind = kind;
  }

  write(text: string, live = false): void {
    if (this.stream === undefined && (this.kind === 'file' || (this.kind === 'pipe' && !live))) {
      const bytes = Buffer.from(text, 'utf8');
      let written = 0;
      try {
        while (written < bytes.length) written += writeSync(this.fd, bytes, written);
        return;
      } catch {
        this.stream = this.open();
        this.stream.write(bytes.subarray(written));
        return;
      }
    }
    (this.stream ??= this.open()).write(text);
  }

  /** Calls `then` once everything written is out (at once, unless the stream took some). */
  flush(then: () => void): void {
    if (this.stream === undefined) then();
    else this.stream.write('', then);
  }
}

// A check worker starts the checker's worker side (which the command loaded only in the main thread).
if (checkWorker) require('./check/check');
else void (async () => {
  const stdout = new Output(1, standardOutput);
  const stderr = new Output(2, () => process.stderr);
  // The language server and the debug adapter speak on stdout's stream itself.
  if (process.argv[2] === 'lsp' || process.argv[2] === 'dap') standardOutput();
  const code = await main(process.argv.slice(2), {
    stdout: (text, live) => stdout.write(text, live),
    stderr: (text, live) => stderr.write(text, live),
    // Asked where it matters (check's colours and progress). Only a character device can be a
    // terminal: for a pipe or a file, the answer makes no stream.
    get isTTY() {
      try {
        if (!fstatSync(1).isCharacterDevice()) return false;
      } catch {
        return false;
      }
      return standardOutput().isTTY === true;
    },
    cwd: process.cwd(),
  });
  stdout.flush(() => process.exit(code));
})();
