// Completion and hover in a contract (sandlua.json), from the contract's JSON Schema: the keys an
// object may still take, the values a property may have (its enum, examples, booleans), and each
// key's title and description. The editor gets them from the server, not from a JSON Schema
// association of its own, so that a contract's problems are reported once, by the loader.

import { contractSpot, schemaBranches, LineMap, type SchemaNode } from '@sandlua/lua';
import type { CompletionItem, Hover, Position } from './service';

export function contractCompletion(text: string, position: Position): CompletionItem[] {
  const lines = new LineMap(text);
  const spot = contractSpot(text, lines.offsetAt(position));
  const range = spot.token ? { start: lines.positionAt(spot.token.start), end: lines.positionAt(spot.token.end) } : undefined;
  const items: CompletionItem[] = [];
  if (spot.atKey) {
    // In a key being typed (`"pu"`), what follows its opening quote is replaced: the editor filters by
    // the letters typed, which a quote would hide.
    const inKey = spot.token && text[spot.token.start] === '"' ? { start: lines.positionAt(spot.token.start + 1), end: lines.positionAt(spot.token.end) } : undefined;
    const present = new Set(spot.present);
    for (const branch of spot.parent ? schemaBranches(spot.parent) : []) {
      const properties = branch.properties;
      if (typeof properties !== 'object' || properties === null) continue;
      for (const [key, schema] of Object.entries(properties as Record<string, SchemaNode>)) {
        if (present.has(key) || items.some((i) => i.label === key)) continue;
        items.push({
          label: key, kind: 'property', detail: title(schema), documentation: description(schema),
          snippet: `${inKey ? JSON.stringify(key).slice(1) : JSON.stringify(key)}: ${valueSnippet(schema)}`, ...(inKey ? { range: inKey } : {}),
        });
      }
    }
    return items;
  }
  // The schema's snippets for a whole value (a host function, a parameter), placeholders kept.
  for (const branch of spot.schema ? schemaBranches(spot.schema) : []) {
    for (const snippet of Array.isArray(branch.defaultSnippets) ? branch.defaultSnippets as { label?: unknown; body?: unknown }[] : []) {
      if (typeof snippet.label !== 'string' || snippet.body === undefined) continue;
      items.push({ label: snippet.label, kind: 'keyword', detail: title(branch), snippet: spaced(snippet.body), ...(range ? { range } : {}) });
    }
  }
  for (const value of values(spot.schema)) {
    const literal = JSON.stringify(value.value);
    if (items.some((i) => i.label === literal)) continue;
    items.push({ label: literal, kind: 'keyword', ...(value.doc ? { documentation: value.doc } : {}), ...(range ? { range } : {}) });
  }
  return items;
}

export function contractHover(text: string, position: Position): Hover | undefined {
  const lines = new LineMap(text);
  const spot = contractSpot(text, lines.offsetAt(position));
  if (!spot.schema || !spot.token) return undefined;
  const head = title(spot.schema);
  const body = description(spot.schema);
  if (!head && !body) return undefined;
  return {
    contents: [head ? `**${head}**` : '', body ?? ''].filter((s) => s !== '').join('\n\n'),
    range: { start: lines.positionAt(spot.token.start), end: lines.positionAt(spot.token.end) },
  };
}

/** JSON on one line as people write it (`{ "name": "$1", "type": "${2:string}" }`); strings are snippet text as the schema writes them. */
function spaced(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(spaced).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${spaced(v)}`).join(', ')} }`;
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? 'null';
}

function title(schema: SchemaNode): string | undefined {
  return typeof schema.title === 'string' ? schema.title : undefined;
}

function description(schema: SchemaNode): string | undefined {
  const text = schema.markdownDescription ?? schema.description;
  return typeof text === 'string' ? text : undefined;
}

/** What a value of the schema's type starts as, with the cursor inside. */
function valueSnippet(schema: SchemaNode): string {
  const type = schemaBranches(schema).map((b) => b.type).find((t) => typeof t === 'string');
  switch (type) {
    case 'string': return '"$1"';
    case 'object': return '{$1}';
    case 'array': return '[$1]';
    default: return '$1';
  }
}

/** The values the schema names: enum (with its descriptions), examples, booleans; for an array, its items'. */
function values(schema: SchemaNode | undefined): { value: unknown; doc?: string }[] {
  if (!schema) return [];
  const out: { value: unknown; doc?: string }[] = [];
  for (const branch of schemaBranches(schema)) {
    const docs = Array.isArray(branch.enumDescriptions) ? branch.enumDescriptions : [];
    if (Array.isArray(branch.enum)) branch.enum.forEach((value, i) => out.push({ value, ...(typeof docs[i] === 'string' ? { doc: docs[i] as string } : {}) }));
    if (Array.isArray(branch.examples)) for (const value of branch.examples) out.push({ value });
    if (branch.type === 'boolean') out.push({ value: true }, { value: false });
  }
  return out;
}
