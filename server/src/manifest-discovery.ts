// Which contract governs a script. The logic lives in the engine (`lua/src/contract/discovery.ts`)
// because the runtime needs it as much as the checker; the server uses it from here, under the
// names it has always had.

export { ManifestDiscovery, findManifest, governs, MANIFEST_FILE } from '@sandlua/lua';
export type { DiscoveryOptions, ManifestResult, ManifestProblem } from '@sandlua/lua';
