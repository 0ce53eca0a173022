// Checks of the JSON Schemas a contract declares (`input`, `output`, a host type given as a
// schema). The meta-schema accepts any keyword, so a typo such as `"requried"` would silently make
// a contract looser than its author meant: unknown keywords are warned about, with a
// did-you-mean; so are required properties that `properties` does not define. A schema ajv cannot
// compile (a `$ref` to nowhere, an invalid regular expression) is an error.

import { nodeAtPath, propertyNode, type JsonNode } from './json';
import type { ProblemSink } from './problems';
import { didYouMean } from './suggest';
import type { JsonSchema } from './types';
import { patternProblem } from './pattern';
import { schemaError } from './validate';

/** Draft-07's keywords, annotations included. */
export const DRAFT7_KEYWORDS: ReadonlySet<string> = new Set([
  '$id', '$schema', '$ref', '$comment', 'title', 'description', 'default', 'readOnly', 'writeOnly', 'examples',
  'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern',
  'additionalItems', 'items', 'maxItems', 'minItems', 'uniqueItems', 'contains', 'maxProperties', 'minProperties',
  'required', 'additionalProperties', 'definitions', 'properties', 'patternProperties', 'dependencies', 'propertyNames',
  'const', 'enum', 'type', 'format', 'contentMediaType', 'contentEncoding', 'if', 'then', 'else', 'allOf', 'anyOf',
  'oneOf', 'not',
]);

/** Not draft-07, but common and harmless: editor annotations and the later drafts' `$defs`. */
const TOLERATED = new Set(['$defs', 'deprecated', 'markdownDescription', 'enumDescriptions', 'errorMessage', 'patternErrorMessage', 'deprecationMessage', 'defaultSnippets', 'doNotSuggest']);

const SINGLE_SUBSCHEMA = ['additionalItems', 'contains', 'additionalProperties', 'propertyNames', 'if', 'then', 'else', 'not'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SUBSCHEMA_MAPS = ['definitions', '$defs', 'properties', 'patternProperties', 'dependencies'];

/** Checks a declared schema at `path` in the contract; false when it cannot be used at all. */
export function checkDeclaredSchema(schema: JsonSchema, path: (string | number)[], sink: ProblemSink): boolean {
  const node = nodeAtPath(sink.root, path);
  const errorsBefore = sink.problems.filter((p) => p.severity === 'error').length;
  if (node) walkSchemas(node, path, sink);
  if (sink.problems.filter((p) => p.severity === 'error').length > errorsBefore) return false;
  const error = schemaError(schema);
  if (error !== undefined) {
    if (node) sink.addAt(node, `${sink.label(path)} is not a usable JSON Schema: ${error}`);
    return false;
  }
  return true;
}

/** Visits every subschema of a schema node (iteratively: the file's depth is bounded, but stay cheap). */
function walkSchemas(root: JsonNode, rootPath: (string | number)[], sink: ProblemSink): void {
  const stack: { node: JsonNode; path: (string | number)[] }[] = [{ node: root, path: rootPath }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (node.type !== 'object') continue;
    const keys = new Set((node.children ?? []).map((p) => p.children?.[0]?.value as string));
    for (const property of node.children ?? []) {
      const [keyNode, valueNode] = property.children ?? [];
      if (!keyNode || !valueNode) continue;
      const key = keyNode.value as string;
      if (!DRAFT7_KEYWORDS.has(key) && !TOLERATED.has(key) && !key.startsWith('x-')) {
        const hint = didYouMean(key, DRAFT7_KEYWORDS);
        sink.addAt(keyNode, `unknown JSON Schema keyword '${key}' in ${sink.label(path)}${hint}; it is ignored`, 'warning');
        continue;
      }
      const at = [...path, key];
      if (key === '$schema' && valueNode.type === 'string' && !/^https?:\/\/json-schema\.org\/draft-07\/schema#?$/.test(valueNode.value as string)) {
        sink.addAt(valueNode, `${sink.label(at)}: only JSON Schema draft-07 is supported here (write http://json-schema.org/draft-07/schema# or leave $schema out)`);
      }
      if (key === 'pattern' && valueNode.type === 'string') checkRegExp(valueNode, at, sink);
      if (key === 'patternProperties' && valueNode.type === 'object') {
        for (const entry of valueNode.children ?? []) if (entry.children?.[0]) checkRegExp(entry.children[0], at, sink);
      }
      if (SINGLE_SUBSCHEMA.includes(key)) stack.push({ node: valueNode, path: at });
      else if (key === 'items') {
        if (valueNode.type === 'array') (valueNode.children ?? []).forEach((child, i) => stack.push({ node: child, path: [...at, i] }));
        else stack.push({ node: valueNode, path: at });
      } else if (SUBSCHEMA_LISTS.includes(key) && valueNode.type === 'array') {
        (valueNode.children ?? []).forEach((child, i) => stack.push({ node: child, path: [...at, i] }));
      } else if (SUBSCHEMA_MAPS.includes(key) && valueNode.type === 'object') {
        for (const entry of valueNode.children ?? []) {
          const [entryKey, entryValue] = entry.children ?? [];
          if (entryKey && entryValue) stack.push({ node: entryValue, path: [...at, entryKey.value as string] });
        }
      }
    }
    checkRequired(node, path, keys, sink);
  }
}

/** Patterns are matched by the linear-time engine (pattern.ts): one it cannot compile is an error here. */
function checkRegExp(node: JsonNode, path: (string | number)[], sink: ProblemSink): void {
  const problem = patternProblem(node.value as string);
  if (problem !== undefined) sink.addAt(node, `${sink.label(path)}: '${node.value}' is not a usable regular expression: ${problem}`);
}

/** `required` entries that `properties` does not define (when it defines some): likely typos. */
function checkRequired(node: JsonNode, path: (string | number)[], keys: Set<string>, sink: ProblemSink): void {
  if (!keys.has('required') || !keys.has('properties') || keys.has('patternProperties')) return;
  const required = propertyNode(node, 'required')?.children?.[1];
  const properties = propertyNode(node, 'properties')?.children?.[1];
  if (!required || required.type !== 'array' || !properties || properties.type !== 'object') return;
  const defined = (properties.children ?? []).map((p) => p.children?.[0]?.value as string);
  for (const entry of required.children ?? []) {
    if (entry.type !== 'string' || defined.includes(entry.value as string)) continue;
    sink.addAt(entry, `${sink.label(path)} requires '${entry.value}', which its properties do not define${didYouMean(entry.value as string, defined)}`, 'warning');
  }
}
