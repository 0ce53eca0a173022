// The process entry of the `sandlua` command (bundled to server/dist/sandlua.js): wires `main` to
// the real process. Output is written at once and the process exits when stdout has drained.

import { isMainThread } from 'worker_threads';
import { main } from './cli';

const chunks: string[] = [];
// Worker threads of `check` load this same bundle; only the main thread runs the command.
if (isMainThread) void (async () => {
  const code = await main(process.argv.slice(2), {
    stdout: (text) => chunks.push(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    cwd: process.cwd(),
  });
  process.stdout.write(chunks.join(''), () => process.exit(code));
})();
