// The standalone adapter on stdin/stdout (tests and any DAP client; `sandlua dap` does the same).
import { runDebugAdapter } from './index';

void runDebugAdapter(process.stdin, process.stdout).then(() => process.exit(0));
