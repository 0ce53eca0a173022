// The regular expressions of the JSON Schemas a contract declares (`pattern`, `patternProperties`)
// run on data a script or its caller supplies, so they must not backtrack: `^(a+)+$` on forty a's
// and a `!` would hold a JavaScript RegExp for minutes. They are compiled with re2js, a port of
// RE2 that matches in time linear in the input. RE2's syntax is ECMAScript's without
// backreferences and lookaround (and with repeat counts up to 1000); a pattern it cannot compile is
// a contract error. re2js is loaded only when a contract declares a pattern.

import type { RE2JS } from 're2js';

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

/** Why a schema pattern cannot be used, or undefined when it compiles. */
export function patternProblem(pattern: string): string | undefined {
  try {
    re2().compile(pattern);
    return undefined;
  } catch (error) {
    return patternReason(pattern, error);
  }
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
