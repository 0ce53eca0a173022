// The process entry of the `sandlua` command (bundled to server/dist/sandlua.js): wires `main` to
// the real process. Output goes out as it is written (a script's print at once, never gathered
// into one string), and the process exits when stdout has taken all of it.

import { main } from './cli';
import { fstatSync, writeSync } from 'fs';
import { join } from 'path';
import { cacheRoot, useCodeCache } from './code-cache';
import { isCheckWorker } from './check/worker-arg';
import { tuneV8For } from './v8-flags';

// Worker threads of `check` load this same bundle; only the main thread runs the command.
const checkWorker = isCheckWorker();

// The commands that analyse scripts limit V8's inlining (process-wide: check's workers too).
if (!checkWorker) tuneV8For(process.argv[2]);

// The parts beside the bundle compile through V8's code cache, the command's own (the main thread writes it).
useCodeCache(__filename, !checkWorker, process.argv[2]);

// The commands that load contracts keep their declared schemas' validators beside it, so that a start
// (and a language server's first diagnostics) does not load ajv to compile them again (@sandlua/lua's
// keepCompiledSchemas; the folder is bounded: kept.ts).
const cache = cacheRoot();
if (cache !== undefined && ['run', 'check', 'report', 'replay', 'lsp'].includes(process.argv[2])) {
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
 * Output to a standard descriptor. A file or a terminal is written directly and at once, as Node's
 * own streams write them on POSIX, but without making the stream, which loads Node's stream
 * modules (~4 ms of `run` with its output in a file, measured). A pipe gets the stream as it always
 * did: it writes what the pipe takes and keeps the rest while the reader catches up, where a direct
 * write would wait for the reader and count against the script's time limit. After an error (a
 * full disk) the stream takes over, and does as it always did.
 */
class Output {
  private stream: NodeJS.WriteStream | undefined;
  private readonly direct: boolean;
  /** A character device: only one can be a terminal (a pipe or a file need no stream to say they are not). */
  readonly mayBeTerminal: boolean;

  constructor(private readonly fd: 1 | 2, private readonly open: () => NodeJS.WriteStream) {
    let file = false;
    let device = false;
    try {
      const stat = fstatSync(fd);
      file = stat.isFile();
      device = stat.isCharacterDevice();
    } catch {
      // A descriptor that cannot be asked is left to the stream.
    }
    this.direct = process.platform !== 'win32' && (file || device);
    this.mayBeTerminal = device;
  }

  write(text: string): void {
    if (this.stream === undefined && this.direct) {
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
    stdout: (text) => stdout.write(text),
    stderr: (text) => stderr.write(text),
    // Asked where it matters (check's colours and progress), and of the stream only for what may be a terminal.
    get isTTY() {
      return stdout.mayBeTerminal && standardOutput().isTTY === true;
    },
    cwd: process.cwd(),
  });
  stdout.flush(() => process.exit(code));
})();
