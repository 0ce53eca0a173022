// @sandlua/lua — the Sandlua Lua 5.3 engine. This package imports no editor package.
// The runtime (runtime.ts: what running a script needs) and the analysis of scripts under their
// contracts (analysis/, what the editor, the review check and `sandlua check` need).

export * from './runtime';
// Both name a `formatType`: the package's is the contract's (TypeNode), the analysis's is formatInferredType.
export { formatType } from './contract/types';
export * from './analysis/index';
export { formatType as formatInferredType } from './analysis/types';
