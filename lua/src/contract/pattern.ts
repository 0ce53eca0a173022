// The regular expressions of the JSON Schemas a contract declares (`pattern`, `patternProperties`)
// run on data a script or its caller supplies, so they must not backtrack: `^(a+)+$` on forty a's
// and a `!` would hold a JavaScript RegExp for minutes. They are compiled with re2js, a port of
// RE2 that matches in time linear in the input. RE2's syntax is ECMAScript's without
// backreferences and lookaround (and with repeat counts up to 1000); a pattern it cannot compile is
// a contract error. re2js is loaded only when a contract declares a pattern, and where patterns
// that compiled are kept (keepCheckedPatterns), only when data reaches one.

import * as path from 'path';
import type { RE2JS } from 're2js';
import { isKeptMark, keptName, markKept } from './kept';

let engine: typeof RE2JS | undefined;

function re2(): typeof RE2JS {
  engine ??= (require('re2js') as typeof import('re2js')).RE2JS;
  return engine;
}

/** What ajv's `code.regExp` option expects: a pattern compiled for `.test`, anywhere in the string. */
export interface SchemaRegExp {
  test(text: string): boolean;
  toString(): string;
}

/** Compiles a schema pattern; throws an Error whose message says why it cannot be used. */
export function schemaRegExp(pattern: string): SchemaRegExp {
  try {
    return re2().compile(pattern);
  } catch (error) {
    throw new Error(patternReason(pattern, error));
  }
}

/**
 * A schema pattern that compiled before (in a kept validator), compiled again at its first match:
 * a validator loaded from a kept file loads no re2js until data reaches its pattern.
 */
export function lazySchemaRegExp(pattern: string): SchemaRegExp {
  let compiled: SchemaRegExp | undefined;
  const regExp = (): SchemaRegExp => (compiled ??= schemaRegExp(pattern));
  return { test: (text) => regExp().test(text), toString: () => regExp().toString() };
}

let keptFolder: string | undefined;
let keptVersion: (() => string | undefined) | undefined;

/**
 * Keeps in `folder` (undefined: stops) the patterns found to compile, a small file each, named by
 * the pattern and the version of re2js (`re2jsVersion`, undefined when not known: nothing kept).
 */
export function keepCheckedPatterns(folder: string | undefined, re2jsVersion: () => string | undefined): void {
  keptFolder = folder;
  keptVersion = re2jsVersion;
}

function keptPattern(pattern: string): string | undefined {
  const version = keptFolder === undefined ? undefined : keptVersion?.();
  return version === undefined ? undefined : path.join(keptFolder!, `pattern-${keptName(`${version}\0${pattern}`)}`);
}

/** Why a schema pattern cannot be used, or undefined when it compiles. */
export function patternProblem(pattern: string): string | undefined {
  const file = keptPattern(pattern);
  if (file !== undefined && isKeptMark(file, pattern)) return undefined;
  try {
    re2().compile(pattern);
  } catch (error) {
    return patternReason(pattern, error);
  }
  if (file !== undefined) markKept(file, pattern);
  return undefined;
}

function patternReason(pattern: string, error: unknown): string {
  const reason = (error as Error).message.replace(/^error parsing regexp: /, '');
  try {
    // Compiled, never run: an ECMAScript pattern RE2 refuses is one of the constructs it leaves out.
    new RegExp(pattern, 'u');
  } catch {
    return reason;
  }
  return `${reason} (schema patterns are matched in linear time, without backreferences or lookaround, repeat counts up to 1000)`;
}
