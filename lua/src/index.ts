// @sandlua/lua — the Sandlua Lua 5.3 engine. This package imports no editor package.

export * as ast from './syntax/ast';
export type { Range, Chunk, Block, Statement, Expression, Name, Node, NodeKind, Comment } from './syntax/ast';
export { parse } from './syntax/parser';
export type { ParseOptions, ParseResult, SyntaxDiagnostic } from './syntax/parser';
export { Lexer, tokenKindText } from './syntax/lexer';
export type { Token } from './syntax/lexer';
export { LineMap } from './syntax/linemap';
export type { Position } from './syntax/linemap';
export { parseNumeral } from './syntax/numeral';
export type { NumeralValue } from './syntax/numeral';
export { analyze } from './syntax/scope';
export type { ScopeInfo, LocalVariable, LocalKind, Reference, Binding, Access, FunctionInfo, Upvalue, GlobalPathUse, NameOccurrence, DeclaringNode } from './syntax/scope';
export { visit, forEachChild } from './syntax/visit';
export type { Visitor } from './syntax/visit';
