// @sandlua/debugger — the debug adapter. `runDebugAdapter` serves DAP on a pair of streams (stdio
// for `sandlua dap`); `SandluaDebugSession` is the session for an inline adapter in VS Code.

import { SandluaDebugSession } from './adapter';

export { SandluaDebugSession, defaultInput } from './adapter';
export type { LaunchArguments } from './adapter';
export { DebugRuntime, EXCEPTION_FILTERS } from './runtime';

/** Serves one debug session on the given streams; resolves when the session ends. */
export function runDebugAdapter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const session = new SandluaDebugSession();
    session.setRunAsServer(false);
    session.on('close', () => resolve());
    input.on('end', () => resolve());
    session.start(input, output);
  });
}
