// The Lua 5.3 syntax tree. Every node carries `start`/`end`: UTF-16 offsets into the source string
// (half-open), which is what editors speak; `LineMap` turns them into lines and columns.
// Nodes are plain objects discriminated by `kind`, so the tree can be serialised as it is.

export interface Range {
  start: number;
  end: number;
}

// ---- expressions ----------------------------------------------------------------------------

export interface Name extends Range {
  kind: 'Name';
  name: string;
}

export interface NilLiteral extends Range { kind: 'Nil' }
export interface TrueLiteral extends Range { kind: 'True' }
export interface FalseLiteral extends Range { kind: 'False' }
export interface Vararg extends Range { kind: 'Vararg' }

/**
 * A numeral. `integer` tells Lua's subtype. `value` is the float value, or the integer value when it
 * fits a JS number exactly; integers beyond 2^53 also carry their exact 64-bit value in `int64`.
 */
export interface NumberLiteral extends Range {
  kind: 'Number';
  integer: boolean;
  value: number;
  int64?: bigint;
  raw: string;
}

/** A string literal. `value` is a byte string: one char per byte (0..255), as Lua sees it. */
export interface StringLiteral extends Range {
  kind: 'String';
  value: string;
  /** `"`, `'` or `[` for long brackets. */
  quote: '"' | "'" | '[';
}

export interface FunctionExpression extends Range {
  kind: 'Function';
  params: Name[];
  isVararg: boolean;
  body: Block;
}

export interface TableField extends Range {
  kind: 'TableField';
  /** `positional`: `{v}`, `named`: `{k = v}`, `keyed`: `{[k] = v}` */
  style: 'positional' | 'named' | 'keyed';
  /** Absent for positional fields; a String for named fields (its range is the name's). */
  key?: Expression;
  value: Expression;
}

export interface TableConstructor extends Range {
  kind: 'Table';
  fields: TableField[];
}

export type BinaryOperator =
  | 'or' | 'and'
  | '<' | '>' | '<=' | '>=' | '~=' | '=='
  | '|' | '~' | '&' | '<<' | '>>'
  | '..'
  | '+' | '-'
  | '*' | '/' | '//' | '%'
  | '^';

export type UnaryOperator = 'not' | '#' | '-' | '~';

export interface BinaryExpression extends Range {
  kind: 'Binary';
  operator: BinaryOperator;
  /** Offset of the operator token (for messages that point at it). */
  operatorStart: number;
  left: Expression;
  right: Expression;
}

export interface UnaryExpression extends Range {
  kind: 'Unary';
  operator: UnaryOperator;
  operand: Expression;
}

export interface ParenExpression extends Range {
  kind: 'Paren';
  expression: Expression;
}

/** `object.name` */
export interface MemberExpression extends Range {
  kind: 'Member';
  object: Expression;
  name: Name;
}

/** `object[index]` */
export interface IndexExpression extends Range {
  kind: 'Index';
  object: Expression;
  index: Expression;
}

/** `f(args)`, `f"s"`, `f{...}`; with `method` set, `object:method(args)` where callee is the object. */
export interface CallExpression extends Range {
  kind: 'Call';
  callee: Expression;
  method?: Name;
  args: Expression[];
  /** How the arguments were written: `(`, a string literal, or a table constructor. */
  argStyle: 'parens' | 'string' | 'table';
}

/**
 * A stand-in where the parser expected an expression and found none (or found something it had to
 * skip). It keeps the tree usable; the diagnostic was reported where it was made.
 */
export interface ErrorExpression extends Range {
  kind: 'ErrorExpression';
}

export type Expression =
  | Name | NilLiteral | TrueLiteral | FalseLiteral | Vararg | NumberLiteral | StringLiteral
  | FunctionExpression | TableConstructor | BinaryExpression | UnaryExpression | ParenExpression
  | MemberExpression | IndexExpression | CallExpression | ErrorExpression;

// ---- statements -----------------------------------------------------------------------------

export interface Block extends Range {
  kind: 'Block';
  body: Statement[];
}

export interface LocalStatement extends Range {
  kind: 'Local';
  names: Name[];
  values: Expression[];
}

export interface AssignmentStatement extends Range {
  kind: 'Assignment';
  targets: Expression[];
  values: Expression[];
}

export interface CallStatement extends Range {
  kind: 'CallStatement';
  call: CallExpression;
}

export interface DoStatement extends Range {
  kind: 'Do';
  body: Block;
}

export interface WhileStatement extends Range {
  kind: 'While';
  condition: Expression;
  body: Block;
}

export interface RepeatStatement extends Range {
  kind: 'Repeat';
  body: Block;
  condition: Expression;
}

export interface IfClause extends Range {
  kind: 'IfClause';
  /** Absent for the `else` clause. */
  condition?: Expression;
  body: Block;
}

export interface IfStatement extends Range {
  kind: 'If';
  clauses: IfClause[];
}

export interface NumericForStatement extends Range {
  kind: 'NumericFor';
  variable: Name;
  initial: Expression;
  limit: Expression;
  step?: Expression;
  body: Block;
}

export interface GenericForStatement extends Range {
  kind: 'GenericFor';
  variables: Name[];
  iterators: Expression[];
  body: Block;
}

/**
 * `function a.b.c:m() end` — `target` is the Name or Member chain being assigned (`a.b.c.m`), and
 * `isMethod` records the colon (the function then has an implicit `self` first parameter).
 */
export interface FunctionStatement extends Range {
  kind: 'FunctionStatement';
  target: Name | MemberExpression;
  isMethod: boolean;
  func: FunctionExpression;
}

export interface LocalFunctionStatement extends Range {
  kind: 'LocalFunction';
  name: Name;
  func: FunctionExpression;
}

export interface ReturnStatement extends Range {
  kind: 'Return';
  values: Expression[];
}

export interface BreakStatement extends Range { kind: 'Break' }

export interface GotoStatement extends Range {
  kind: 'Goto';
  label: Name;
}

export interface LabelStatement extends Range {
  kind: 'Label';
  name: Name;
}

/**
 * Tokens the parser skipped to recover from a syntax error; `expression` keeps an expression that
 * was parsed but is not a statement (`x` alone), so its names still resolve.
 */
export interface ErrorStatement extends Range {
  kind: 'ErrorStatement';
  expression?: Expression;
}

export type Statement =
  | LocalStatement | AssignmentStatement | CallStatement | DoStatement | WhileStatement
  | RepeatStatement | IfStatement | NumericForStatement | GenericForStatement | FunctionStatement
  | LocalFunctionStatement | ReturnStatement | BreakStatement | GotoStatement | LabelStatement
  | ErrorStatement;

// ---- the file -------------------------------------------------------------------------------

export interface Comment extends Range {
  kind: 'Comment';
  /** The text without `--` and without long brackets. */
  text: string;
  long: boolean;
}

export interface Chunk extends Range {
  kind: 'Chunk';
  /** The chunk name given to `parse` (used in messages: `name:line: message`). */
  name: string;
  body: Block;
  comments: Comment[];
  /** Range of a leading `#` line, if any (skipped as Lua does). */
  shebang?: Range;
}

export type Node =
  | Chunk | Block | Statement | Expression | TableField | IfClause | Comment;

export type NodeKind = Node['kind'];
