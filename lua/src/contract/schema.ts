// The JSON Schema of `sandlua.json`. This object is the source: `schemas/sandlua.schema.json` is
// written from it (schema.test.ts fails when the file is stale; UPDATE_EXPECT=1 rewrites it), so
// the editor's completion and the loader's validation cannot drift apart. The engine cannot read
// a file outside lua/ (and the CLI is one bundled file), hence a TypeScript object. Draft-07:
// what ajv and VS Code's JSON support both handle fully. `patternErrorMessage`, `errorMessage`,
// `enumDescriptions` and `defaultSnippets` are VS Code's annotations; the loader's messages use
// the first two as well.

import { LUA53_STDLIB_NAMES, LUA53_LIBRARIES } from './stdlib-names';
import { RULES, defaultSeverityText } from '../analysis/rules';

export const LUA_KEYWORDS: readonly string[] = [
  'and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function', 'goto', 'if', 'in', 'local', 'nil', 'not', 'or',
  'repeat', 'return', 'then', 'true', 'until', 'while',
];

/** What the host does with a run that fails (an error, a broken limit, input or output off-schema). */
export const ON_FAILURE: Readonly<Record<string, string>> = {
  reject: 'The run fails and the caller receives the error; nothing the script produced is used. The default.',
  'manual-review': 'The item goes to a person for review; nothing the script produced is used until they decide.',
  fallback: "The host uses its own fallback result (the behaviour it had without the script).",
  retry: 'The host may run the script again with the same input (for a transient failure such as a busy host function or a time limit under load); after its last attempt it rejects.',
  'skip-tool': 'The caller carries on without this script: an agent answers without the tool, a pipeline skips the step.',
};

export type OnFailure = 'reject' | 'manual-review' | 'fallback' | 'retry' | 'skip-tool';

export const DEFAULT_ON_FAILURE: OnFailure = 'reject';

export interface Limits {
  /** VM instructions per run (library functions that loop are charged too). */
  instructions: number;
  /** Wall-clock milliseconds per run, host calls included. */
  timeMs: number;
  /** Bytes of Lua memory (strings, tables, closures) the script may hold at once. */
  memoryBytes: number;
  /** Nested calls (Lua functions, metamethods, library calls). */
  callDepth: number;
  /** Bytes of the script's output, serialized as JSON. */
  outputBytes: number;
  /** Bytes of one declared file a script reads or writes (`files`), and of the `stdin` text. */
  fileBytes: number;
}

/** Limits a contract does not set. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  instructions: 1_000_000,
  timeMs: 1_000,
  memoryBytes: 16 * 1024 * 1024,
  callDepth: 200,
  outputBytes: 1024 * 1024,
  fileBytes: 1024 * 1024,
};

/** The bounds a contract's limits must respect: a typo of three zeros should not pass review. */
export const LIMIT_BOUNDS: Readonly<Record<keyof Limits, { minimum: number; maximum: number }>> = {
  instructions: { minimum: 1, maximum: 1_000_000_000_000 },
  timeMs: { minimum: 1, maximum: 3_600_000 },
  memoryBytes: { minimum: 65_536, maximum: 4 * 1024 * 1024 * 1024 },
  callDepth: { minimum: 1, maximum: 200_000 },
  outputBytes: { minimum: 1, maximum: 64 * 1024 * 1024 },
  fileBytes: { minimum: 1, maximum: 1024 * 1024 * 1024 },
};

const KEYWORD_ALTERNATION = LUA_KEYWORDS.join('|');
/** One Lua name that is not a keyword. */
const LUA_NAME = `(?!(?:${KEYWORD_ALTERNATION})(?![A-Za-z0-9_]))[A-Za-z_][A-Za-z0-9_]*`;

/** A host function's name: a Lua name, or dotted Lua names (a field of a global table). */
export const HOST_NAME_PATTERN = `^${LUA_NAME}(?:\\.${LUA_NAME})*$`;
/** A parameter's name: a Lua name, or `...` for the extra arguments. */
export const PARAM_NAME_PATTERN = `^(?:${LUA_NAME}|\\.\\.\\.)$`;
/** A module's name for `require`: Lua names joined by dots (`pricing.util`). */
export const MODULE_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*$';
/** What a script may do with a declared file. */
export const FILE_ACCESS: Readonly<Record<string, string>> = {
  read: 'io.open(path) / io.open(path, "r") and io.lines(path) read it.',
  write: 'io.open(path, "w") / "a" create, replace or append to it.',
  'read-write': 'Both: any io.open mode.',
};
export type FileAccess = 'read' | 'write' | 'read-write';
/** A `stdlib` entry's shape: a global (`load`), a library (`io` or `io.*`) or a library field (`os.time`). */
export const STDLIB_ENTRY_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*(?:\\.(?:[A-Za-z_][A-Za-z0-9_]*|\\*))?$';
/** Semantic versioning: 1.0.0, 2.1.0-beta.1. */
export const VERSION_PATTERN = '^(?:0|[1-9][0-9]*)\\.(?:0|[1-9][0-9]*)\\.(?:0|[1-9][0-9]*)(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$';
/** A contract's name: what messages, reports and audit records call it. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';

const JSON_SCHEMA_REF = 'http://json-schema.org/draft-07/schema#';

const stdlibEntry = {
  type: 'string',
  pattern: STDLIB_ENTRY_PATTERN,
  patternErrorMessage: 'must be a standard-library name such as load, io (or io.*) or os.execute',
  examples: [...LUA53_STDLIB_NAMES.filter((name) => name !== '_G' && name !== '_VERSION'), 'loadstring', ...Object.keys(LUA53_LIBRARIES).map((lib) => `${lib}.*`)],
};

const typeOrSchema = (title: string, description: string) => ({
  title,
  description,
  errorMessage: "must be a type string (such as 'string?', 'integer[]' or '{name: string, price: integer}') or a JSON Schema object",
  anyOf: [
    {
      type: 'string',
      minLength: 1,
      maxLength: 2000,
      description:
        "A type: string, integer, number, boolean, nil, any, table; T? (may be nil), T[] (a sequence), {name: string, price?: integer} (a table with these fields), 'a'|'b' (one of these strings), A|B (either).",
      examples: ['string', 'integer', 'number', 'boolean', 'nil', 'any', 'table', 'string?', 'string[]', '{name: string, price: integer}'],
    },
    { $ref: JSON_SCHEMA_REF, type: 'object' },
  ],
});

const limit = (key: keyof Limits, title: string, description: string) => ({
  title,
  description: `${description} Default ${DEFAULT_LIMITS[key]}; from ${LIMIT_BOUNDS[key].minimum} to ${LIMIT_BOUNDS[key].maximum}.`,
  type: 'integer',
  minimum: LIMIT_BOUNDS[key].minimum,
  maximum: LIMIT_BOUNDS[key].maximum,
  default: DEFAULT_LIMITS[key],
});

const param = {
  title: 'Parameter',
  description: 'One argument of the host function, checked before the host sees it.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'type'],
  defaultSnippets: [{ label: 'parameter', body: { name: '$1', type: '${2:string}' } }],
  properties: {
    name: {
      title: 'Name',
      description: 'The parameter name shown in completion, hover and messages: a Lua name, or "..." for any number of extra arguments of this type (last parameter only).',
      type: 'string',
      pattern: PARAM_NAME_PATTERN,
      patternErrorMessage: 'must be a Lua name that is not a keyword, or "..."',
    },
    type: typeOrSchema('Type', 'What the argument must be: a type string or a JSON Schema.'),
    doc: { title: 'Documentation', description: 'What the argument means, shown in signature help.', type: 'string', maxLength: 10000 },
    optional: {
      title: 'Optional',
      description: 'The argument may be nil or left out (the same as a type ending in ?).',
      type: 'boolean',
      default: false,
    },
    minLength: { title: 'Minimum length', description: 'For a string argument: the fewest characters.', type: 'integer', minimum: 0 },
    maxLength: { title: 'Maximum length', description: 'For a string argument: the most characters.', type: 'integer', minimum: 0 },
    pattern: { title: 'Pattern', description: 'For a string argument: a regular expression (ECMAScript syntax, as in JSON Schema) it must match.', type: 'string', format: 'regex' },
    minimum: { title: 'Minimum', description: 'For a number argument: the smallest value allowed.', type: 'number' },
    maximum: { title: 'Maximum', description: 'For a number argument: the largest value allowed.', type: 'number' },
    minItems: { title: 'Minimum items', description: 'For a sequence argument (T[]): the fewest elements.', type: 'integer', minimum: 0 },
    maxItems: { title: 'Maximum items', description: 'For a sequence argument (T[]): the most elements.', type: 'integer', minimum: 0 },
    enum: {
      title: 'Allowed values',
      description: 'The argument must be one of these values.',
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: ['string', 'number', 'boolean'] },
    },
  },
};

const hostFunction = {
  title: 'Host function',
  description: 'A function of the host application that scripts under this contract may call.',
  type: 'object',
  additionalProperties: false,
  defaultSnippets: [{ label: 'host function', body: { doc: '$1', params: [{ name: '$2', type: '${3:string}' }], returns: '${4:nil}' } }],
  properties: {
    doc: { title: 'Documentation', description: 'What the function does, for script authors (shown in hover and completion; Markdown).', type: 'string', maxLength: 10000 },
    owner: { title: 'Owner', description: 'The team that owns the function in the host (shown in hover and reports).', type: 'string', minLength: 1, maxLength: 200 },
    params: { title: 'Parameters', description: 'The arguments, in order. Default: none.', type: 'array', maxItems: 64, items: param, default: [] },
    returns: typeOrSchema('Returns', "What the function returns to the script: a type string or a JSON Schema. Default 'any'."),
    examples: {
      title: 'Examples',
      description: 'Calls and their results: documentation for authors, and what `sandlua run` and the debugger answer when the real host is not there.',
      type: 'array',
      items: {
        title: 'Example',
        type: 'object',
        additionalProperties: false,
        required: ['args'],
        properties: {
          args: { title: 'Arguments', description: 'The arguments of the call, one per parameter.', type: 'array' },
          returns: { title: 'Result', description: 'What the host returns for these arguments (null is nil).' },
          doc: { title: 'Documentation', description: 'What the example shows.', type: 'string' },
        },
      },
    },
  },
};

/** The levels of the contract's `severity` map (`off`: not reported). */
export const SEVERITY_LEVEL_DESCRIPTIONS: Readonly<Record<string, string>> = {
  error: 'Reported as an error: `sandlua check` exits with 1.',
  warning: 'Reported as a warning (fails `sandlua check` only beyond --max-warnings).',
  information: 'Reported as information.',
  hint: 'Reported as a hint (the editor shows it faintly).',
  off: 'Not reported.',
};

const severityLevel = (title?: string, description?: string) => ({
  ...(title ? { title } : {}),
  ...(description ? { description } : {}),
  type: 'string',
  enum: Object.keys(SEVERITY_LEVEL_DESCRIPTIONS),
  enumDescriptions: Object.values(SEVERITY_LEVEL_DESCRIPTIONS),
});

export const CONTRACT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Sandlua contract (sandlua.json)',
  description:
    'What the Lua scripts next to this file may do: the host functions they may call, the standard library they may use, the data that goes in and comes out, the limits of a run, and who approves changes. The editor, `sandlua check` and the runtime all enforce it.',
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    $schema: { title: 'JSON Schema', description: 'The schema of this file, for editors.', type: 'string' },
    name: {
      title: 'Name',
      description: 'The contract name, used in messages ("os.execute is not granted by invoice-normalizer"), reports and audit records.',
      type: 'string',
      minLength: 1,
      maxLength: 100,
      pattern: NAME_PATTERN,
      patternErrorMessage: "must start with a letter or digit and use only letters, digits, '.', '_' and '-'",
    },
    version: {
      title: 'Version',
      description: 'The contract version (semantic versioning), recorded in audit records.',
      type: 'string',
      pattern: VERSION_PATTERN,
      patternErrorMessage: 'must be a semantic version such as 1.0.0',
    },
    purpose: { title: 'Purpose', description: 'What the scripts are for, in words the business owner reads.', type: 'string', minLength: 1, maxLength: 2000 },
    scripts: {
      title: 'Scripts',
      description: "Globs of the scripts this contract governs, relative to this file's folder. Default [\"**/*.lua\"].",
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 1000 },
      default: ['**/*.lua'],
    },
    input: {
      $ref: JSON_SCHEMA_REF,
      title: 'Input',
      description: "JSON Schema of the script's input: the global `input` (read-only), also the chunk's `...`. Checked before the script runs. Default: anything.",
    },
    output: {
      $ref: JSON_SCHEMA_REF,
      title: 'Output',
      description: "JSON Schema of the script's result (the chunk's return value). Checked after the script returns. Default: anything.",
    },
    host: {
      title: 'Host functions',
      description:
        'The host functions scripts may call, by name. A dotted name (tools.emit_review_note) is a field of a global table (tools). Nothing else of the host is reachable. Default: none.',
      type: 'object',
      propertyNames: {
        pattern: HOST_NAME_PATTERN,
        patternErrorMessage: 'must be a Lua name, or dotted Lua names such as tools.emit_note, none of them a keyword',
      },
      additionalProperties: hostFunction,
      default: {},
    },
    stdlib: {
      title: 'Standard library',
      description:
        'Changes to the default standard library. By default io, os (except os.time, os.clock, os.date and os.difftime), require, package, load, loadstring, loadfile, dofile, debug, string.dump and collectgarbage are denied and everything else is granted.',
      type: 'object',
      additionalProperties: false,
      properties: {
        allow: { title: 'Allow', description: 'Standard-library entries granted back (such as load for a test suite).', type: 'array', uniqueItems: true, items: stdlibEntry },
        deny: { title: 'Deny', description: 'Standard-library entries taken away (such as string.rep).', type: 'array', uniqueItems: true, items: stdlibEntry },
      },
    },
    modules: {
      title: 'Modules',
      description:
        'The modules scripts may load with require, by name: each a Lua file relative to this folder (require "pricing.util" loads lib/pricing_util.lua). A module runs once per run, under this same contract and its limits. Declaring modules grants require. Default: none.',
      type: 'object',
      propertyNames: { pattern: MODULE_NAME_PATTERN, patternErrorMessage: 'must be a module name: Lua names joined by dots, such as pricing.util' },
      additionalProperties: {
        type: 'string',
        minLength: 1,
        maxLength: 1000,
        pattern: '\\.lua$',
        patternErrorMessage: 'must be the path of a .lua file, relative to the contract',
      },
      default: {},
    },
    files: {
      title: 'Files',
      description:
        'The files scripts may open with io.open and io.lines, by path relative to this folder, with what they may do: read, write or read-write. Nothing else of the file system is reachable. Declaring files grants io.open, io.lines, io.close and io.type. Default: none.',
      type: 'object',
      propertyNames: { minLength: 1, maxLength: 1000 },
      additionalProperties: { type: 'string', enum: Object.keys(FILE_ACCESS), enumDescriptions: Object.values(FILE_ACCESS) },
      default: {},
    },
    limits: {
      title: 'Limits',
      description: 'What one run may use; a run that goes over stops with an error of its own kind, and the host stays healthy.',
      type: 'object',
      additionalProperties: false,
      properties: {
        instructions: limit('instructions', 'Instructions', 'VM instructions per run; library functions that loop are charged too.'),
        timeMs: limit('timeMs', 'Time (ms)', 'Wall-clock milliseconds per run, host calls included.'),
        memoryBytes: limit('memoryBytes', 'Memory (bytes)', 'Bytes of strings, tables and closures the script may hold at once.'),
        callDepth: limit('callDepth', 'Call depth', 'Nested calls (Lua functions, metamethods, library calls).'),
        outputBytes: limit('outputBytes', 'Output (bytes)', 'Size of the output as JSON.'),
        fileBytes: limit('fileBytes', 'File size (bytes)', 'Size of one declared file a script reads or writes, and of the stdin text.'),
      },
    },
    dataBoundary: {
      title: 'Data boundary',
      description: 'What data the scripts may see, and what they must never see, in plain words for reviewers.',
      type: 'string',
      minLength: 1,
      maxLength: 2000,
    },
    approval: {
      title: 'Approval',
      description: 'Who approves changes to this contract and to the scripts it governs.',
      type: 'object',
      additionalProperties: false,
      required: ['owner'],
      properties: {
        owner: { title: 'Owner', description: 'The team accountable for these scripts.', type: 'string', minLength: 1, maxLength: 200 },
        reviewers: {
          title: 'Reviewers',
          description: 'Teams whose review a change needs.',
          type: 'array',
          uniqueItems: true,
          items: { type: 'string', minLength: 1, maxLength: 200 },
        },
      },
    },
    severity: {
      title: 'Severity',
      description:
        'The severity of each diagnostic code for the scripts under this contract (error, warning, information, hint, or off), in the editor and in `sandlua check`. An editor setting or `sandlua check --severity CODE=LEVEL` wins over it. Default: each code\'s own severity.',
      type: 'object',
      properties: Object.fromEntries(
        RULES.filter((r) => r.code !== 'syntax' && r.code !== 'manifest').map((r) => [r.code, severityLevel(r.code, `${r.summary} Default: ${defaultSeverityText(r)}.`)]),
      ),
      additionalProperties: severityLevel(),
      default: {},
    },
    onFailure: {
      title: 'On failure',
      description: `What the host does when a run fails. ${Object.entries(ON_FAILURE)
        .map(([value, meaning]) => `${value}: ${meaning}`)
        .join(' ')}`,
      type: 'string',
      enum: Object.keys(ON_FAILURE),
      enumDescriptions: Object.values(ON_FAILURE),
      default: DEFAULT_ON_FAILURE,
    },
  },
} as const;
