// Validation with ajv, in two roles: the contract itself against `CONTRACT_SCHEMA`, and values
// against the JSON Schemas a contract declares (input, output, host parameters and results), for
// the loader's checks of examples and for the runtime. Both report through the same messages
// (messages.ts).
//
// Start-up matters (every `sandlua run` and `check` loads a contract): the contract's validator and
// draft-07's meta-schema validator are generated at build time with ajv's standalone code
// (contract-validator.ts, written by scripts/bundle.mjs), so no start compiles either. ajv's
// compiler is loaded on first need: for the schemas a contract declares, or for CONTRACT_SCHEMA
// itself when the generated module is missing (a build made with `tsc` alone). A command line
// that starts often also keeps, in its cache folder (`keepCompiledSchemas`), the validators of the
// schemas a contract declares, as standalone code, and the contracts found valid: the next start
// loads the kept code instead of ajv (measured: loading ajv and compiling a small input schema
// with a pattern took 60 ms; loading the kept code takes under 1 ms), and does not load the
// generated validators for a contract it found valid before (~2.5 ms of a `sandlua run`).

import * as path from 'path';
import type Ajv from 'ajv';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types';
import { CONTRACT_SCHEMA } from './schema';
import { describeErrors, type LocatedMessage, type MessageOptions } from './messages';
import { isKeptMark, keptHeader, keptName, markKept, readKept, writeKept } from './kept';
import { keepCheckedPatterns, lazySchemaRegExp, schemaRegExp } from './pattern';
import type { JsonSchema } from './types';

/** VS Code's schema annotations: ajv's strict mode must know them to accept the schema. */
export const EDITOR_ANNOTATIONS = ['patternErrorMessage', 'errorMessage', 'defaultSnippets', 'enumDescriptions', 'markdownDescription'];

/**
 * ajv's options for CONTRACT_SCHEMA. Strict, so that a mistake in the schema fails loudly in the
 * tests. Formats are not checked (the loader checks `pattern` strings as regular expressions itself).
 */
export const CONTRACT_AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: true, strictTypes: false, validateFormats: false };

/** ajv's compiler and standalone code generator (the bundle's `ajv` part), loaded on first use. */
function ajvCompiler(): typeof import('./ajv-compiler') {
  return require('./ajv-compiler') as typeof import('./ajv-compiler');
}

/** ajv's compiler, loaded on first use. */
export function newAjv(options: Options): Ajv {
  return new (ajvCompiler().Ajv)(options);
}

/** The contract's validator compiled now (what the generated one is checked against). */
export function compileContractValidator(): ValidateFunction {
  const ajv = newAjv(CONTRACT_AJV_OPTIONS);
  ajv.addVocabulary(EDITOR_ANNOTATIONS);
  return ajv.compile(CONTRACT_SCHEMA);
}

/** The files scripts/bundle.mjs writes next to this module's output: the validators, and what made them. */
export const GENERATED_VALIDATOR = 'contract-validator.generated.js';
export const GENERATED_BUILD = 'contract-build.generated.js';

/** draft-07's meta-schema, as ajv registers it. */
export const DRAFT7_META = 'http://json-schema.org/draft-07/schema';

interface Generated { validate: ValidateFunction; validateDraft7: ValidateFunction }
let generated: Generated | null | undefined;

interface GeneratedBuild { validatorId: string; ajvVersion: string; re2jsVersion: string }
let generatedBuild: GeneratedBuild | null | undefined;

/** A module scripts/bundle.mjs generates beside this one (`load` requires it), or null when there is none (a build made with `tsc` alone). */
function generatedModule<T>(load: () => T): T | null {
  try {
    return load();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    return null;
  }
}

/** What made the generated validators (see contract-validator.ts), undefined when they were not generated. */
function buildFacts(): GeneratedBuild | undefined {
  if (generatedBuild === undefined) generatedBuild = generatedModule(() => require('./contract-build.generated.js') as GeneratedBuild);
  return generatedBuild ?? undefined;
}

/**
 * The generated validators when they exist, else undefined. Every build writes them from this
 * CONTRACT_SCHEMA (scripts/bundle.mjs), and a unit test fails when the file is not the one today's
 * schema makes. They are not compared with the schema here: the schema turned into text at every
 * start took ~2 ms and ~190 page faults of a `sandlua run` (measured).
 */
export function generatedValidators(): Generated | undefined {
  if (generated === undefined) generated = generatedModule(() => require('./contract-validator.generated.js') as Generated);
  return generated ?? undefined;
}

let contractValidate: ValidateFunction | undefined;

/**
 * Validates a contract's JSON value; the messages name fields from the contract's root. Where
 * files are kept (keepCompiledSchemas), a contract found valid is kept as valid, by its JSON text
 * and the validator that found it so, and is not validated again.
 */
export function validateContractValue(value: unknown): LocatedMessage[] {
  const kept = keptValidContract(value);
  if (kept !== undefined && isKeptMark(kept.file, kept.json)) return [];
  contractValidate ??= generatedValidators()?.validate ?? compileContractValidator();
  if (!contractValidate(value)) return describeErrors(contractValidate.errors ?? [], { data: value });
  if (kept !== undefined) markKept(kept.file, kept.json);
  return [];
}

/** Where a contract's JSON text is kept as valid, when files are kept and the validators were generated. */
function keptValidContract(value: unknown): { file: string; json: string } | undefined {
  const folder = keptFolder;
  const id = folder === undefined ? undefined : buildFacts()?.validatorId;
  if (folder === undefined || id === undefined) return undefined;
  const json = JSON.stringify(value) as string | undefined;
  return json === undefined ? undefined : { file: path.join(folder, `contract-${keptName(`${id}\0${json}`)}`), json };
}

/**
 * Compiles JSON Schemas written by contract authors. Lenient (not strict: unknown keywords are
 * annotations, formats are not checked), patterns matched in linear time (pattern.ts), and cached
 * by the schema's text, so that the many `{"type": "string"}` of a contract compile once, and so
 * that a language server that reloads a contract on every keystroke does not grow ajv's own cache
 * forever.
 */
class UserSchemas {
  private ajvInstance: Ajv | undefined;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly byObject = new WeakMap<object, ValidateFunction>();

  private get ajv(): Ajv {
    this.ajvInstance ??= newAjv({
      allErrors: true, verbose: true, strict: false, validateFormats: false, logger: false,
      // Checked against the meta-schema by checkSchema (with the generated validator when there is one).
      validateSchema: false,
      // The source is kept for the standalone code a kept validator is (`keep`), in which `code`
      // names the pattern engine: `schemaRegExp`, handed to that code when it is loaded.
      code: { source: true, regExp: Object.assign((pattern: string) => schemaRegExp(pattern), { code: 'schemaRegExp' }) satisfies RegExpEngine },
    });
    return this.ajvInstance;
  }

  /** The validator, or the reason the schema cannot be used (a bad `$ref`, a pattern that cannot be compiled, …). */
  compile(schema: JsonSchema): { validate: ValidateFunction; error?: undefined } | { validate?: undefined; error: string } {
    const known = typeof schema === 'object' ? this.byObject.get(schema) : undefined;
    if (known) return { validate: known };
    const key = JSON.stringify(schema);
    const cached = this.compiled.get(key);
    if (cached) {
      if (typeof schema === 'object') this.byObject.set(schema, cached);
      return { validate: cached };
    }
    let validate: ValidateFunction | undefined = keptValidator(key);
    if (validate === undefined) {
      try {
        this.checkSchema(schema);
        validate = this.ajv.compile(schema);
        keepValidator(key, this.ajv, validate);
      } catch (error) {
        return { error: (error as Error).message };
      } finally {
        // The compiled function keeps what it needs; ajv's registry would keep every schema (and
        // refuse a second schema with the same `$id`).
        if (this.ajvInstance !== undefined) this.forget(schema);
      }
    }
    if (this.compiled.size >= 1000) this.compiled.clear();
    this.compiled.set(key, validate);
    if (typeof schema === 'object') this.byObject.set(schema, validate);
    return { validate };
  }

  /** Throws ajv's own "schema is invalid: …" error for a schema its meta-schema rejects. */
  private checkSchema(schema: JsonSchema): void {
    const meta = generatedValidators()?.validateDraft7;
    const $schema = typeof schema === 'object' ? schema.$schema : undefined;
    if (meta && ($schema === undefined || (typeof $schema === 'string' && $schema.replace(/#$/, '') === DRAFT7_META))) {
      if (!meta(schema)) throw new Error(`schema is invalid: ${this.ajv.errorsText(meta.errors)}`);
    } else {
      this.ajv.validateSchema(schema, true);
    }
  }

  private forget(schema: JsonSchema): void {
    try {
      if (typeof schema === 'object') this.ajv.removeSchema(schema);
    } catch {
      // A registry in an unknown state is replaced rather than trusted.
      this.ajvInstance = undefined;
    }
  }
}

const userSchemas = new UserSchemas();

// ---- validators kept between processes ----------------------------------------------------------

let keptFolder: string | undefined;

/**
 * Keeps the validators of the schemas contracts declare in `folder` (undefined: stops), as ajv's
 * standalone code, named by a hash of the schema's text and of the ajv that made them, and the
 * contracts found valid (see validateContractValue). The CLI's short commands, which start often,
 * set it to a folder of the user's own; an embedding host need not. Anything that goes wrong falls
 * back to compiling and validating: a kept file only ever saves time.
 */
export function keepCompiledSchemas(folder: string | undefined): void {
  keptFolder = folder;
  // The patterns found to compile too: checking a contract then loads no re2js (only matching does).
  keepCheckedPatterns(folder, () => buildFacts()?.re2jsVersion);
}

/** What the code a kept validator requires may name: ajv's small runtime helpers. */
const RUNTIME: Readonly<Record<string, () => unknown>> = {
  'ajv/dist/runtime/equal': () => require('ajv/dist/runtime/equal'),
  'ajv/dist/runtime/ucs2length': () => require('ajv/dist/runtime/ucs2length'),
};

function runtimeRequire(id: string): unknown {
  const load = Object.prototype.hasOwnProperty.call(RUNTIME, id) ? RUNTIME[id] : undefined;
  if (load === undefined) throw new Error(`a kept validator requires ${id}`);
  return load();
}

/** The kept validator's file for a schema's text, when validators are kept and the build says which ajv made them. */
function keptFile(key: string): string | undefined {
  const ajvVersion = buildFacts()?.ajvVersion;
  if (keptFolder === undefined || ajvVersion === undefined) return undefined;
  return path.join(keptFolder, `schema-${keptName(`${ajvVersion}\0${key}`)}.js`);
}

/** The validator kept for a schema's text, loaded without ajv (undefined: none, or it cannot be used). */
function keptValidator(key: string): ValidateFunction | undefined {
  const file = keptFile(key);
  if (file === undefined) return undefined;
  const code = readKept(file);
  if (code === undefined) return undefined;
  try {
    // The file's first line is the schema's text it was made from: a hash collision is not trusted.
    const newline = code.indexOf('\n');
    if (newline < 0 || code.slice(0, newline) !== keptHeader(key)) return undefined;
    const module: { exports: unknown } = { exports: {} };
    // ajv's standalone output, written by an earlier start into the user's own folder (keepValidator).
    // Its patterns compiled when it was made: each is compiled again at its first match (re2js is
    // loaded only when data reaches one).
    new Function('require', 'module', 'exports', 'schemaRegExp', code)(runtimeRequire, module, module.exports, lazySchemaRegExp);
    const validate = module.exports as ValidateFunction;
    return typeof validate === 'function' ? validate : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a compiled validator's standalone code where the next start finds it (when validators are kept). */
function keepValidator(key: string, ajv: Ajv, validate: ValidateFunction): void {
  const file = keptFile(key);
  if (file === undefined) return;
  try {
    const code = ajvCompiler().standaloneCode(ajv, validate);
    // Only code whose requires the loader can answer (schemas marked $async or with formats are not kept).
    for (const m of code.matchAll(/require\("([^"]*)"\)/g)) if (!Object.prototype.hasOwnProperty.call(RUNTIME, m[1])) return;
    writeKept(file, `${keptHeader(key)}\n${code}\n`);
  } catch {
    // Not kept: the next start compiles it again.
  }
}

/** Why a declared JSON Schema cannot be used, or undefined when it compiles. */
export function schemaError(schema: JsonSchema): string | undefined {
  return userSchemas.compile(schema).error;
}

/**
 * Problems of `value` against a declared schema, as messages with paths (empty when it matches).
 * A schema that does not compile is reported as one message at the root.
 */
export function validateValue(schema: JsonSchema, value: unknown, options: Omit<MessageOptions, 'data'> = {}): LocatedMessage[] {
  if (schema === true) return [];
  if (schema === false) return [{ path: [], target: 'value', message: `${options.rootName ?? 'the value'} is not allowed` }];
  const { validate, error } = userSchemas.compile(schema);
  if (!validate) return [{ path: [], target: 'value', message: `the schema cannot be used: ${error}` }];
  if (validate(value)) return [];
  return describeErrors((validate.errors ?? []) as ErrorObject[], { ...options, data: value });
}
