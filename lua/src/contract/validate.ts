// Validation with ajv, in two roles: the contract itself against `CONTRACT_SCHEMA` (compiled once),
// and values against the JSON Schemas a contract declares (input, output, host parameters and
// results), for the loader's checks of examples and for the runtime. Both report through the
// same messages (messages.ts).

import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { CONTRACT_SCHEMA } from './schema';
import { describeErrors, type LocatedMessage, type MessageOptions } from './messages';
import type { JsonSchema } from './types';

/** VS Code's schema annotations: ajv's strict mode must know them to accept the schema. */
const EDITOR_ANNOTATIONS = ['patternErrorMessage', 'errorMessage', 'defaultSnippets', 'enumDescriptions', 'markdownDescription'];

let contractValidate: ValidateFunction | undefined;

/** Validates a contract's JSON value; the messages name fields from the contract's root. */
export function validateContractValue(value: unknown): LocatedMessage[] {
  if (!contractValidate) {
    // Strict, so that a mistake in CONTRACT_SCHEMA fails loudly in the tests. Formats are not
    // checked (the loader checks `pattern` strings as regular expressions itself).
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, validateFormats: false });
    ajv.addVocabulary(EDITOR_ANNOTATIONS);
    contractValidate = ajv.compile(CONTRACT_SCHEMA);
  }
  if (contractValidate(value)) return [];
  return describeErrors(contractValidate.errors ?? [], { data: value });
}

/**
 * Compiles JSON Schemas written by contract authors. Lenient (not strict: unknown keywords are
 * annotations, formats are not checked) and cached by the schema's text, so that the many
 * `{"type": "string"}` of a contract compile once, and so that a language server that reloads a
 * contract on every keystroke does not grow ajv's own cache forever.
 */
class UserSchemas {
  private ajv = UserSchemas.create();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly byObject = new WeakMap<object, ValidateFunction>();

  private static create(): Ajv {
    return new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: false, logger: false });
  }

  /** The validator, or the reason the schema cannot be used (a bad `$ref`, an invalid regular expression, …). */
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

  private forget(schema: JsonSchema): void {
    try {
      if (typeof schema === 'object') this.ajv.removeSchema(schema);
    } catch {
      // A registry in an unknown state is replaced rather than trusted.
      this.ajv = UserSchemas.create();
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
