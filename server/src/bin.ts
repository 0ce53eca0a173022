// The process entry of the `sandlua` command (bundled to server/dist/sandlua.js): wires `main` to
// the real process. Output is streamed as it is written (a script's print goes out at once, never
// gathered into one string), and the process exits when stdout has drained.

import { main } from './cli';
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

// A check worker starts the checker's worker side (which the command loaded only in the main thread).
if (checkWorker) require('./check/check');
else void (async () => {
  // A reader that goes away (`sandlua run x.lua | head`) ends the command, quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));
  const code = await main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    cwd: process.cwd(),
  });
  process.stdout.write('', () => process.exit(code));
})();
