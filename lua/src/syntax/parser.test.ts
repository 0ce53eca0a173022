// The Lua 5.3 parser, checked against the reference manual: the corpus of accepted and rejected
// programs (lua/test/syntax), golden syntax trees, recovery from several errors, and the shapes the
// manual prescribes (precedence, associativity, the sugar of calls and function statements).
// Agreement with luac5.3 itself over the corpus and generated programs is differential.test.ts.

import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ast from './ast';
import { parse, ParseResult } from './parser';
import { readCorpus, SYNTAX_FIXTURES } from './testing/corpus';
import { Random } from './testing/random';
import { nodes, rangeProblems, treeJson } from './testing/tree';

/** A diagnostic as `line:column-line:column message` (1-based, end exclusive). */
function located(result: ParseResult, d: { start: number; end: number; message: string }): string {
  const a = result.lineMap.positionAt(d.start);
  const b = result.lineMap.positionAt(d.end);
  return `${a.line + 1}:${a.character + 1}-${b.line + 1}:${b.character + 1} ${d.message}`;
}

/** The first expression of `return <expr>`. */
function expression(source: string): ast.Expression {
  const result = parse(`return ${source}`);
  assert.deepEqual(result.diagnostics, [], source);
  return (result.chunk.body.body[0] as ast.ReturnStatement).values[0];
}

/** An expression fully parenthesised from its tree (iteratively: chains can be long). */
function parenthesised(root: ast.Expression): string {
  const out: string[] = [];
  const stack: (ast.Expression | string)[] = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') { out.push(item); continue; }
    switch (item.kind) {
      case 'Binary': stack.push(')', item.right, ` ${item.operator} `, item.left, '('); break;
      case 'Unary': stack.push(')', item.operand, item.operator === 'not' ? 'not ' : `${item.operator} `, '('); break;
      case 'Paren': stack.push(item.expression); break;
      case 'Number': out.push(item.raw); break;
      case 'Name': out.push(item.name); break;
      case 'String': out.push(JSON.stringify(item.value)); break;
      case 'Nil': out.push('nil'); break;
      case 'True': out.push('true'); break;
      case 'False': out.push('false'); break;
      default: out.push(`<${item.kind}>`);
    }
  }
  return out.join('');
}

describe('parser: accepted corpus (lua/test/syntax/accept)', () => {
  const files = readCorpus('accept');
  it('has at least 40 programs', () => assert.ok(files.length >= 40, `${files.length}`));
  for (const file of files) {
    it(file.name, () => {
      const result = parse(file.bytes, { name: file.name });
      assert.deepEqual(result.diagnostics.map((d) => located(result, d)), []);
      assert.equal(result.firstError, undefined);
      assert.deepEqual(rangeProblems(result.chunk, result.source.length), []);
    });
  }
});

describe('parser: rejected corpus (lua/test/syntax/reject)', () => {
  const files = readCorpus('reject');
  it('has at least 60 programs, each with its expected error in the first line', () => {
    assert.ok(files.length >= 60, `${files.length}`);
    assert.deepEqual(files.filter((f) => !f.expected).map((f) => f.name), []);
  });
  for (const file of files) {
    it(`${file.name}: ${file.expected?.message ?? '(no header)'}`, () => {
      const expected = file.expected!;
      const result = parse(file.bytes, { name: file.name });
      const first = result.firstError;
      assert.ok(first, 'no diagnostic');
      assert.ok(result.diagnostics.includes(first));
      const at = result.lineMap.positionAt(first.start);
      assert.equal(`${at.line + 1}:${at.character + 1}: ${first.message}`, `${expected.line}:${expected.column}: ${expected.message}`);
      // Whatever the errors, the tree is whole and its ranges are sound.
      assert.deepEqual(rangeProblems(result.chunk, result.source.length), []);
      // Parsed as text (as editors do), the same error, its bytes shown decoded.
      const text = parse(Buffer.from(file.bytes).toString('utf8'), { name: file.name }).firstError;
      assert.deepEqual([text?.message, text?.line], [Buffer.from(first.message, 'latin1').toString('utf8'), first.line]);
    });
  }
});

describe('parser: golden syntax trees (lua/test/syntax/trees, UPDATE_EXPECT=1 rewrites)', () => {
  for (const file of readCorpus('trees')) {
    it(file.name, () => {
      const source = Buffer.from(file.bytes).toString('utf8');
      const result = parse(source, { name: file.name });
      const actual = treeJson({ diagnostics: result.diagnostics, chunk: result.chunk });
      const golden = file.path.replace(/\.lua$/, '.tree.json');
      if (process.env.UPDATE_EXPECT === '1') fs.writeFileSync(golden, actual);
      assert.ok(fs.existsSync(golden), `missing ${path.relative(SYNTAX_FIXTURES, golden)}: run with UPDATE_EXPECT=1`);
      assert.equal(actual, fs.readFileSync(golden, 'utf8'));
    });
  }
});

describe('parser: recovery from several errors', () => {
  it('reports each error once at its exact range and keeps every statement', () => {
    const source = [
      'local a = 1 +',                       // 1: the expression runs into the next line's `local`
      'local b = {1, 2',                     // 2: `}` forgotten at the end of the line
      'print(a b)',                          // 3: a missing `)` mid-line
      'function f(x,) return x end',         // 4: a parameter missing
      'if a then',
      '  a = = 2',                           // 6: an expression missing
      'end',
      'local ok = "fine"',
      'for i = 1 10 do print(i) end',        // 9: a comma missing
      'x = y',
    ].join('\n');
    const result = parse(source);
    assert.deepEqual(result.diagnostics.map((d) => located(result, d)), [
      "2:1-2:6 unexpected symbol near 'local'",
      "3:1-3:6 '}' expected (to close '{' at line 2) near 'print'",
      "3:9-3:10 ')' expected near 'b'",
      "4:14-4:15 <name> or '...' expected near ')'",
      "6:7-6:8 unexpected symbol near '='",
      "9:11-9:13 ',' expected near '10'",
    ]);
    const body = result.chunk.body.body;
    assert.deepEqual(body.map((s) => s.kind),
      ['Local', 'Local', 'CallStatement', 'FunctionStatement', 'If', 'Local', 'NumericFor', 'Assignment']);
    // The statements after the errors are whole: names, values, bodies.
    const ok = body[5] as ast.LocalStatement;
    assert.equal(ok.names[0].name, 'ok');
    assert.equal((ok.values[0] as ast.StringLiteral).value, 'fine');
    const loop = body[6] as ast.NumericForStatement;
    assert.equal((loop.limit as ast.NumberLiteral).value, 10);
    assert.equal(loop.body.body[0].kind, 'CallStatement');
    const f = body[3] as ast.FunctionStatement;
    assert.deepEqual(f.func.params.map((p) => p.name), ['x']);
    assert.equal(f.func.body.body[0].kind, 'Return');
    assert.deepEqual(rangeProblems(result.chunk, source.length), []);
  });

  it('recovers inside nested functions and blocks', () => {
    const source = [
      'function a()',
      '  local x = = 1',
      '  return x',
      'end',
      'function b()',
      '  if x then',
      '    y(',
      '  end',
      'end',
      'local z = 3',
    ].join('\n');
    const result = parse(source);
    assert.deepEqual(result.diagnostics.map((d) => located(result, d)), [
      "2:13-2:14 unexpected symbol near '='",
      "8:3-8:6 unexpected symbol near 'end'",
    ]);
    const body = result.chunk.body.body;
    assert.deepEqual(body.map((s) => s.kind), ['FunctionStatement', 'FunctionStatement', 'Local']);
    // `= 1` after the missing value becomes an assignment to a missing target; `return x` follows.
    const a = (body[0] as ast.FunctionStatement).func.body.body;
    assert.deepEqual(a.map((s) => s.kind), ['Local', 'Assignment', 'Return']);
    assert.equal(((body[2] as ast.LocalStatement).values[0] as ast.NumberLiteral).value, 3);
  });

  it('reports a stray closer and goes on', () => {
    const result = parse('x = 1\nend\ny = 2\nuntil z\nw = 3\n');
    assert.deepEqual(result.diagnostics.map((d) => located(result, d)), [
      "2:1-2:4 <eof> expected near 'end'",
      "4:1-4:6 <eof> expected near 'until'",
    ]);
    assert.deepEqual(result.chunk.body.body.map((s) => s.kind), ['Assignment', 'ErrorStatement', 'Assignment', 'ErrorStatement', 'Assignment']);
    // The stray `until` keeps its condition.
    assert.equal(((result.chunk.body.body[3] as ast.ErrorStatement).expression as ast.Name).name, 'z');
  });

  it('stops collecting at 100 diagnostics but still finishes the tree', () => {
    const source = 'x = = 1\n'.repeat(300) + 'last = 1\n';
    const result = parse(source);
    assert.equal(result.diagnostics.length, 100);
    const body = result.chunk.body.body;
    assert.equal(body[body.length - 1].kind, 'Assignment');
  });

  it('gives stand-ins for missing parts inside their parents', () => {
    const result = parse('local = 1\nx = \nf(,)\nlocal t = {[1] = }\n');
    assert.ok(result.diagnostics.length >= 3);
    assert.deepEqual(rangeProblems(result.chunk, result.source.length), []);
    const local = result.chunk.body.body[0] as ast.LocalStatement;
    assert.deepEqual(local.names[0], { kind: 'Name', start: 5, end: 5, name: '' });
    const kinds = new Set(nodes(result.chunk).map((n) => n.kind));
    assert.ok(kinds.has('ErrorExpression'));
  });
});

describe('parser: first error as Lua reports it', () => {
  it('reports the error Lua finds first, which is not always the first by position', () => {
    // Lua finds the stray break only when the main function ends; the syntax error comes first.
    const result = parse('x = 1\nbreak\ny = 2\nz = = 3\n');
    assert.deepEqual(result.diagnostics.map((d) => d.message), ['<break> at line 2 not inside a loop', "unexpected symbol near '='"]);
    assert.equal(result.firstError?.message, "unexpected symbol near '='");
    assert.equal(result.firstError?.line, 4);
  });

  it("gives each diagnostic the line of Lua's message, where its scanner stood", () => {
    const result = parse('x = 1\nbreak\ny = 2\n');
    const d = result.diagnostics[0];
    assert.equal(result.lineMap.lineOf(d.start), 2);
    assert.equal(d.line, 4, 'found at <eof>, after the last line break');
    const long = parse('x = [[a\nb]] y');
    assert.equal(long.firstError?.message, 'syntax error near <eof>');
    const near = parse('x = 1 [[a\nb]]');
    assert.equal(near.firstError?.line, 2, 'an error near a multi-line token is on its last line');
    assert.equal(near.lineMap.lineOf(near.firstError!.start), 1);
  });

  it('counts \\n\\r as one line break in messages, as Lua does', () => {
    const result = parse('x = 1\n\r\n\ry = = 2');
    assert.equal(result.firstError?.line, 3);
    assert.equal(result.lineMap.lineOf(result.firstError!.start), 4, 'editors count three breaks');
  });

  it('shows no token for a NUL byte and cuts a string token at NUL, as C strings do', () => {
    assert.equal(parse('x = 1 \0 y').firstError?.message, 'unexpected symbol');
    assert.equal(parse('"a\\0b" = 1').firstError?.message, `unexpected symbol near '"a'`);
  });

  it("shows a long string as Lua's buffer holds it", () => {
    assert.equal(parse('x = 1 [==[\r\nab\r\ncd]==]').firstError?.message, "unexpected symbol near '[==[ab\ncd]==]'");
  });

  it('names the line a call starts on when its ) is missing', () => {
    assert.equal(parse('f\n(\n1').firstError?.message, "')' expected (to close '(' at line 1) near <eof>");
  });

  it('dates an anonymous function from the token after `function`', () => {
    assert.equal(parse('x = function\n(a)\n').firstError?.message, "'end' expected (to close 'function' at line 2) near <eof>");
    assert.equal(parse('local function f\n()\n').firstError?.message, "'end' expected (to close 'function' at line 2) near <eof>");
    assert.equal(parse('function f\n()\n').firstError?.message, "'end' expected (to close 'function' at line 1) near <eof>");
  });

  it("prints the lookahead's text for a name in a table field, as Lua's scanner buffer does", () => {
    // At the nesting limit inside a table, Lua has read the token after the name: `.` here.
    const source = 'x = ' + '{'.repeat(198) + 'a.b' + '}'.repeat(198);
    assert.equal(parse(source).firstError?.message, "too many C levels (limit is 200) in main function near '.'");
  });

  it('counts locals when their names are read, pending ones included', () => {
    const names = Array.from({ length: 200 }, (_, i) => `a${i}`).join(', ');
    assert.equal(parse(`local ${names}`).firstError, undefined);
    assert.equal(parse(`local ${names}, b`).firstError?.message, 'too many local variables (limit is 200) in main function near <eof>');
    assert.equal(parse(`local ${names.slice(0, names.lastIndexOf(','))}\nfor i = 1, 2 do end`).firstError?.message,
      "too many local variables (limit is 200) in main function near '='");
  });
});

describe('parser: the manual\'s expressions (§3.4)', () => {
  const cases: [string, string][] = [
    ['1 + 2 * 3 - 4', '((1 + (2 * 3)) - 4)'],
    ['2 ^ 3 ^ 2', '(2 ^ (3 ^ 2))'],
    ['-2 ^ 2', '(- (2 ^ 2))'],
    ['2 ^ -3 ^ 2', '(2 ^ (- (3 ^ 2)))'],
    ['a .. b .. c', '(a .. (b .. c))'],
    ['1 .. 2 << 1', '((1 .. 2) << 1)'],
    ['not a == b', '((not a) == b)'],
    ['a or b and c or d', '((a or (b and c)) or d)'],
    ['1 | 2 ~ 3 & 4 << 5 >> 6', '(1 | (2 ~ (3 & ((4 << 5) >> 6))))'],
    ['a < b == c', '((a < b) == c)'],
    ['#t + 1', '((# t) + 1)'],
    ['~x & y', '((~ x) & y)'],
    ['a // b * c % d / e', '((((a // b) * c) % d) / e)'],
    ['a + b .. c + d', '((a + b) .. (c + d))'],
    ['1 == 2 and 3 ~= 4', '((1 == 2) and (3 ~= 4))'],
    ['- - x', '(- (- x))'],
    ['(a + b) * c', '((a + b) * c)'],
    ['a <= b or a >= b', '((a <= b) or (a >= b))'],
  ];
  for (const [source, shape] of cases) {
    it(`${source}  ⇒  ${shape}`, () => assert.equal(parenthesised(expression(source)), shape));
  }

  it('records the operator position and the whole range of a binary expression', () => {
    const e = expression('a  ..  b') as ast.BinaryExpression;
    assert.deepEqual([e.start, e.operatorStart, e.end], [7, 10, 15]);
  });

  it('parses long left-associative chains without recursion', () => {
    const e = expression(Array(20000).fill('1').join(' + '));
    let depth = 0;
    for (let x: ast.Expression = e; x.kind === 'Binary'; x = x.left) depth++;
    assert.equal(depth, 19999);
  });

  it('agrees with lua5.3 on precedence: random expressions evaluate alike fully parenthesised', function () {
    const atoms = ['0', '1', '2', '3', '7', '2.5', '0x10', 'true', 'false', 'nil', '"s"', '"4"'];
    const binary = ['+', '-', '*', '/', '//', '%', '^', '..', '==', '~=', '<', '<=', '>', '>=', 'and', 'or', '&', '|', '~', '<<', '>>'];
    const unary = ['- ', 'not ', '#', '~'];
    const r = new Random(53);
    const gen = (depth: number): string => {
      if (depth === 0 || r.chance(0.25)) return r.pick(atoms);
      if (r.chance(0.15)) return r.pick(unary) + gen(depth - 1);
      if (r.chance(0.1)) return `(${gen(depth - 1)})`;
      return `${gen(depth - 1)} ${r.pick(binary)} ${gen(depth - 1)}`;
    };
    const lines = ['local function q(f) local ok, v = pcall(f) if ok then return string.format("%q", v) end return "error" end'];
    for (let i = 0; i < 400; i++) {
      const source = gen(5);
      const shape = parenthesised(expression(source));
      lines.push(`print(q(function() return ${source} end) == q(function() return ${shape} end), q(function() return ${source} end) ~= "error")`);
    }
    const run = spawnSync('lua5.3', ['-'], { input: lines.join('\n'), encoding: 'latin1' });
    if (run.error) {
      if (process.env.CI === 'true') throw new Error('lua5.3 is required in CI: ' + run.error.message);
      return this.skip();
    }
    assert.equal(run.status, 0, run.stderr);
    const results = run.stdout.trim().split('\n');
    assert.equal(results.length, 400);
    assert.deepEqual(results.filter((l) => !l.startsWith('true')), []);
    // Enough of them evaluate without error for the comparison to mean something.
    assert.ok(results.filter((l) => l === 'true\ttrue').length > 100);
  });
});

describe('parser: the manual\'s statements and sugar (§3.3, §3.4.10, §3.4.11)', () => {
  const statements = (source: string) => {
    const result = parse(source);
    assert.deepEqual(result.diagnostics, [], source);
    return result.chunk.body.body;
  };

  it('function a.b.c:m() is a method assigned to a field path', () => {
    const [s] = statements('function a.b.c:m(x) end') as [ast.FunctionStatement];
    assert.equal(s.isMethod, true);
    assert.equal(parenthesisedTarget(s.target), 'a.b.c.m');
    assert.deepEqual(s.func.params.map((p) => p.name), ['x']);
  });

  it('method calls, string and table arguments', () => {
    const [a, b, c] = statements('o:m(1, 2)\nf"s"\ng{1}') as ast.CallStatement[];
    assert.equal(a.call.method?.name, 'm');
    assert.equal((a.call.callee as ast.Name).name, 'o');
    assert.equal(a.call.args.length, 2);
    assert.equal(b.call.argStyle, 'string');
    assert.equal((b.call.args[0] as ast.StringLiteral).value, 's');
    assert.equal(c.call.argStyle, 'table');
  });

  it('call chains nest left to right', () => {
    const [s] = statements('a.b[1]:c"x"(2)') as [ast.CallStatement];
    const outer = s.call;
    assert.equal(outer.args.length, 1);
    const inner = outer.callee as ast.CallExpression;
    assert.equal(inner.method?.name, 'c');
    assert.equal((inner.callee as ast.IndexExpression).kind, 'Index');
  });

  it('varargs: the main chunk and declared vararg functions', () => {
    const [local, fn] = statements('local a = ...\nlocal function f(x, ...) return ... end');
    assert.equal(((local as ast.LocalStatement).values[0]).kind, 'Vararg');
    assert.equal((fn as ast.LocalFunctionStatement).func.isVararg, true);
  });

  it('goto and labels', () => {
    const body = statements('::top:: goto top');
    assert.deepEqual(body.map((s) => s.kind), ['Label', 'Goto']);
    assert.equal((body[0] as ast.LabelStatement).name.name, 'top');
    assert.equal((body[1] as ast.GotoStatement).label.name, 'top');
  });

  it('numeric and generic for, if clauses, repeat scope', () => {
    const [num, gen, cond, rep] = statements('for i = 1, 2, 3 do end for k, v in next, t do end if a then elseif b then else end repeat local x until x');
    assert.ok((num as ast.NumericForStatement).step);
    assert.deepEqual((gen as ast.GenericForStatement).variables.map((v) => v.name), ['k', 'v']);
    assert.deepEqual((cond as ast.IfStatement).clauses.map((c) => c.condition === undefined), [false, false, true]);
    assert.equal(((rep as ast.RepeatStatement).condition as ast.Name).name, 'x');
  });

  it('table fields of every style', () => {
    const [s] = statements('t = {1, x = 2, [3] = 4; "five"}') as [ast.AssignmentStatement];
    const table = s.values[0] as ast.TableConstructor;
    assert.deepEqual(table.fields.map((f) => f.style), ['positional', 'named', 'keyed', 'positional']);
    assert.equal((table.fields[1].key as ast.StringLiteral).value, 'x');
  });

  it('keeps numerals exact: 64-bit integers, wraparound, overflow to float', () => {
    const e = (s: string) => expression(s) as ast.NumberLiteral;
    assert.deepEqual([e('0x7fffffffffffffff').integer, e('0x7fffffffffffffff').int64], [true, 9223372036854775807n]);
    assert.deepEqual([e('0xffffffffffffffff').integer, e('0xffffffffffffffff').value], [true, -1]);
    assert.deepEqual([e('9223372036854775807').int64, e('9223372036854775808').integer], [9223372036854775807n, false]);
    assert.deepEqual([e('1e308').integer, e('1e309').value], [false, Infinity]);
    assert.equal(e('3.0').integer, false);
    assert.equal(e('0x1p4').value, 16);
    assert.equal(e('0xA23p-4').value, 162.1875);
    // `1e308 * 10` multiplies floats (so it folds to inf, not an integer overflow).
    const product = expression('1e308 * 10') as ast.BinaryExpression;
    assert.deepEqual([(product.left as ast.NumberLiteral).integer, (product.right as ast.NumberLiteral).integer], [false, true]);
  });

  it('keeps comments and the # first line on the chunk', () => {
    const result = parse('#!/bin/lua\n-- short\n--[==[ long ]==]\nx = 1');
    assert.deepEqual(result.chunk.shebang, { start: 0, end: 10 });
    assert.deepEqual(result.chunk.comments.map((c) => [c.text, c.long, c.start, c.end]), [[' short', false, 11, 19], [' long ', true, 20, 36]]);
  });

  it('skips a byte order mark before the # line', () => {
    const bytes = new Uint8Array(Buffer.from('\ufeff#!x\nreturn 1', 'utf8'));
    const result = parse(bytes);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.chunk.shebang, { start: 3, end: 6 });
    assert.deepEqual(parse('\ufeffreturn 1').diagnostics, []);
  });

  it('gives exact ranges to statements and names', () => {
    const result = parse('local x = 1\nfunction f(a) end');
    const [local, fn] = result.chunk.body.body as [ast.LocalStatement, ast.FunctionStatement];
    assert.deepEqual([local.start, local.end, local.names[0].start, local.names[0].end], [0, 11, 6, 7]);
    assert.deepEqual([fn.start, fn.end, fn.func.params[0].start], [12, 29, 23]);
  });

  it('keeps the tokens when asked', () => {
    const result = parse('x = 1 -- c', { tokens: true });
    assert.deepEqual(result.tokens?.map((t) => t.text), ['x', '=', '1']);
  });

  it('reads a Uint8Array byte for byte and a string as text', () => {
    const text = 'return "é"';
    const fromText = expression('"é"') as ast.StringLiteral;
    const bytes = parse(new Uint8Array(Buffer.from(text, 'utf8')));
    const fromBytes = (bytes.chunk.body.body[0] as ast.ReturnStatement).values[0] as ast.StringLiteral;
    assert.equal(fromText.value, '\xc3\xa9');
    assert.equal(fromBytes.value, '\xc3\xa9');
    assert.equal(parse('x = é').firstError?.message, "unexpected symbol near '<\\195>'");
  });
});

/** `a.b.c.m` for a function statement's target. */
function parenthesisedTarget(target: ast.Name | ast.MemberExpression): string {
  const parts: string[] = [];
  let t: ast.Expression = target;
  while (t.kind === 'Member') { parts.unshift(t.name.name); t = t.object; }
  parts.unshift((t as ast.Name).name);
  return parts.join('.');
}
