// Host implementations from a JavaScript module (`sandlua run --host`, the debugger's `host`): a
// CommonJS module exporting functions under the contract's names. This loads workspace code, so
// only commands a person runs on purpose use it (never the language server).

import { existsSync } from 'fs';
import type { Contract } from '../contract/manifest';
import type { HostImplementation } from './sandbox';

export class HostModuleError extends Error {}

export function loadHostModule(path: string, contract: Contract): Record<string, HostImplementation> {
  if (!existsSync(path)) throw new HostModuleError(`no such host module: ${path}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path) as Record<string, unknown>;
  const host: Record<string, HostImplementation> = {};
  for (const [name, fn] of Object.entries(mod)) {
    if (name === 'default' || name === '__esModule') continue;
    if (!contract.host.has(name)) throw new HostModuleError(`the host module exports '${name}', which ${contract.name} does not declare`);
    if (typeof fn !== 'function') throw new HostModuleError(`the host module's '${name}' is not a function`);
    host[name] = fn as HostImplementation;
  }
  return host;
}
