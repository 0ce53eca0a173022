// Helpers for tests over syntax trees: an iterative walk (trees of long operator chains are deeper
// than the JS stack), structural checks every tree must pass, and the golden-file serialisation.

import * as ast from '../ast';

/** Every node object below `root` (including it), visited without recursion. */
export function nodes(root: ast.Node): ast.Node[] {
  const out: ast.Node[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
    } else if (value !== null && typeof value === 'object' && 'kind' in value) {
      const node = value as ast.Node & Record<string, unknown>;
      out.push(node);
      const children = Object.keys(node).filter((k) => k !== 'kind').map((k) => node[k]);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }
  return out;
}

/**
 * Problems with a tree's ranges: every node has integer `start <= end` inside the source, and each
 * child lies within its parent (the chunk's comments and shebang aside, which sit anywhere).
 */
export function rangeProblems(chunk: ast.Chunk, length: number): string[] {
  const problems: string[] = [];
  const stack: { value: unknown; parent: ast.Range | undefined }[] = [{ value: chunk.body, parent: chunk }];
  while (stack.length > 0 && problems.length < 10) {
    const { value, parent } = stack.pop()!;
    if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, parent });
      continue;
    }
    if (value === null || typeof value !== 'object' || !('kind' in value)) continue;
    const node = value as ast.Node & Record<string, unknown>;
    if (!Number.isInteger(node.start) || !Number.isInteger(node.end) || node.start > node.end || node.start < 0 || node.end > length) {
      problems.push(`${node.kind} has range ${node.start}..${node.end} (source length ${length})`);
    } else if (parent && (node.start < parent.start || node.end > parent.end)) {
      problems.push(`${node.kind} ${node.start}..${node.end} is outside its parent ${parent.start}..${parent.end}`);
    }
    for (const key of Object.keys(node)) if (key !== 'kind') stack.push({ value: node[key], parent: node });
  }
  return problems;
}

/** A tree as golden-file JSON: stable key order as built, 64-bit integers as decimal strings. */
export function treeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 1) + '\n';
}
