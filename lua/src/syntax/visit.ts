// Iterative traversal of the syntax tree. Left-associative chains (`1+1+…`, `a.b.b…`, `f()()…`) are
// legal at any length, so nothing here recurses: `visit` keeps its own stack, and `forEachChild`
// looks one level down only.

import * as ast from './ast';

export interface Visitor {
  /** Called before a node's children; returning `false` skips them (and `leave` still runs). */
  enter?(node: ast.Node, parent: ast.Node | undefined): boolean | void;
  /** Called after a node's children. */
  leave?(node: ast.Node, parent: ast.Node | undefined): void;
}

/**
 * Calls `callback` on each direct child of `node`, in source order. Every `Name` is a child: variable
 * names, but also field names (`a.b`), method names, labels and goto targets; `ScopeInfo` tells which
 * are variables. A named table field's key is its `String` node. Comments are not children (they
 * are on the chunk).
 */
export function forEachChild(node: ast.Node, callback: (child: ast.Node) => void): void {
  switch (node.kind) {
    case 'Chunk': callback(node.body); return;
    case 'Block': for (const s of node.body) callback(s); return;
    case 'Local':
      for (const n of node.names) callback(n);
      for (const v of node.values) callback(v);
      return;
    case 'Assignment':
      for (const t of node.targets) callback(t);
      for (const v of node.values) callback(v);
      return;
    case 'CallStatement': callback(node.call); return;
    case 'Do': callback(node.body); return;
    case 'While': callback(node.condition); callback(node.body); return;
    case 'Repeat': callback(node.body); callback(node.condition); return;
    case 'If': for (const c of node.clauses) callback(c); return;
    case 'IfClause':
      if (node.condition) callback(node.condition);
      callback(node.body);
      return;
    case 'NumericFor':
      callback(node.variable);
      callback(node.initial);
      callback(node.limit);
      if (node.step) callback(node.step);
      callback(node.body);
      return;
    case 'GenericFor':
      for (const v of node.variables) callback(v);
      for (const e of node.iterators) callback(e);
      callback(node.body);
      return;
    case 'FunctionStatement': callback(node.target); callback(node.func); return;
    case 'LocalFunction': callback(node.name); callback(node.func); return;
    case 'Return': for (const v of node.values) callback(v); return;
    case 'Goto': callback(node.label); return;
    case 'Label': callback(node.name); return;
    case 'ErrorStatement': if (node.expression) callback(node.expression); return;
    case 'Function':
      for (const p of node.params) callback(p);
      callback(node.body);
      return;
    case 'Table': for (const f of node.fields) callback(f); return;
    case 'TableField':
      if (node.key) callback(node.key);
      callback(node.value);
      return;
    case 'Binary': callback(node.left); callback(node.right); return;
    case 'Unary': callback(node.operand); return;
    case 'Paren': callback(node.expression); return;
    case 'Member': callback(node.object); callback(node.name); return;
    case 'Index': callback(node.object); callback(node.index); return;
    case 'Call':
      callback(node.callee);
      if (node.method) callback(node.method);
      for (const a of node.args) callback(a);
      return;
    case 'Name': case 'Nil': case 'True': case 'False': case 'Vararg': case 'Number': case 'String':
    case 'ErrorExpression': case 'Break': case 'Comment':
      return;
  }
}

/**
 * Walks the tree under `root` depth-first in source order, with an explicit stack: `enter` before a
 * node's children, `leave` after them. Memory is proportional to the tree's width along the path,
 * never to the call stack.
 */
export function visit(root: ast.Node, visitor: Visitor): void {
  const enter = visitor.enter;
  const leave = visitor.leave;
  // Three parallel stacks: the node, its parent, and whether this entry is the node's `leave`.
  const nodes: ast.Node[] = [root];
  const parents: (ast.Node | undefined)[] = [undefined];
  const leaving: boolean[] = [false];
  // Children are gathered in source order, then pushed reversed so they pop in source order.
  const scratch: ast.Node[] = [];
  const gather = (child: ast.Node) => { scratch.push(child); };
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const parent = parents.pop();
    if (leaving.pop()) {
      leave!.call(visitor, node, parent);
      continue;
    }
    const descend = enter ? enter.call(visitor, node, parent) !== false : true;
    if (leave) {
      nodes.push(node);
      parents.push(parent);
      leaving.push(true);
    }
    if (!descend) continue;
    forEachChild(node, gather);
    for (let i = scratch.length - 1; i >= 0; i--) {
      nodes.push(scratch[i]);
      parents.push(node);
      leaving.push(false);
    }
    scratch.length = 0;
  }
}

/** The expression inside any parentheses: `x` of `((x))`. */
export function unparen(e: ast.Expression): ast.Expression {
  let n = e;
  while (n.kind === 'Paren') n = n.expression;
  return n;
}
