// Validation with ajv, in two roles: the contract itself against `CONTRACT_SCHEMA`, and values
// against the JSON Schemas a contract declares (input, output, host parameters and results), for
// the loader's checks of examples and for the runtime. Both report through the same messages
// (messages.ts).
//
// Start-up matters (every `sandlua run` and `check` loads a contract): the contract's validator and
// draft-07's meta-schema validator are generated at build time with ajv's standalone code
// (contract-validator.ts, written by scripts/bundle.mjs), so no start compiles either. ajv's
// compiler is loaded on first need: for the schemas a contract declares, or for CONTRACT_SCHEMA
// itself when the generated module is missing or was made from another version of the schema (a
// build made with `tsc` alone).

import type Ajv from 'ajv';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types';
import { CONTRACT_SCHEMA } from './schema';
import { describeErrors, type LocatedMessage, type MessageOptions } from './messages';
import { schemaRegExp } from './pattern';
import type { JsonSchema } from './types';

/** VS Code's schema annotations: ajv's strict mode must know them to accept the schema. */
export const EDITOR_ANNOTATIONS = ['patternErrorMessage', 'errorMessage', 'defaultSnippets', 'enumDescriptions', 'markdownDescription'];

/**
 * ajv's options for CONTRACT_SCHEMA. Strict, so that a mistake in the schema fails loudly in the
 * tests. Formats are not checked (the loader checks `pattern` strings as regular expressions itself).
 */
export const CONTRACT_AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: true, strictTypes: false, validateFormats: false };

/** ajv's compiler, loaded on first use. */
export function newAjv(options: Options): Ajv {
  const AjvClass = (require('ajv') as typeof import('ajv')).default;
  return new AjvClass(options);
}

/** The contract's validator compiled now (what the generated one is checked against). */
export function compileContractValidator(): ValidateFunction {
  const ajv = newAjv(CONTRACT_AJV_OPTIONS);
  ajv.addVocabulary(EDITOR_ANNOTATIONS);
  return ajv.compile(CONTRACT_SCHEMA);
}

/** The file scripts/bundle.mjs writes next to this module's output. */
export const GENERATED_VALIDATOR = 'contract-validator.generated.js';

/** draft-07's meta-schema, as ajv registers it. */
export const DRAFT7_META = 'http://json-schema.org/draft-07/schema';

interface Generated { validate: ValidateFunction; validateDraft7: ValidateFunction; schemaText: string }
let generated: Generated | null | undefined;

/** The generated validators when they exist and were made from this CONTRACT_SCHEMA, else undefined. */
export function generatedValidators(): Generated | undefined {
  if (generated === undefined) {
    try {
      const module = require('./contract-validator.generated.js') as Generated;
      generated = module.schemaText === JSON.stringify(CONTRACT_SCHEMA) ? module : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      generated = null;
    }
  }
  return generated ?? undefined;
}

let contractValidate: ValidateFunction | undefined;

/** Validates a contract's JSON value; the messages name fields from the contract's root. */
export function validateContractValue(value: unknown): LocatedMessage[] {
  contractValidate ??= generatedValidators()?.validate ?? compileContractValidator();
  if (contractValidate(value)) return [];
  return describeErrors(contractValidate.errors ?? [], { data: value });
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
      // `code` names the engine only in standalone code, which user schemas never become.
      code: { regExp: Object.assign((pattern: string) => schemaRegExp(pattern), { code: 'schemaRegExp' }) satisfies RegExpEngine },
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
    let validate: ValidateFunction;
    try {
      this.checkSchema(schema);
      validate = this.ajv.compile(schema);
    } catch (error) {
      return { error: (error as Error).message };
    } finally {
      // The compiled function keeps what it needs; ajv's registry would keep every schema (and
      // refuse a second schema with the same `$id`).
      this.forget(schema);
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
