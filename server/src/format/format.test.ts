// Formatting without an editor: the style each file gets (stylua.toml, .stylua.toml, .editorconfig,
// the editor's options, StyLua's defaults) and what a style file's mistakes say; Lua 5.3's syntax
// through StyLua; syntax errors at Lua's place; and the refusal of a format that would change the
// compiled code.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatLua } from './format';
import { DEFAULT_STYLE, resolveStyle, StyleError } from './style';
import { codeListing, finishedStatement, formatScript } from '../service/formatting';

describe('formatting', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-format-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const messy = 'local  t={1,2}\nif t then\nprint( t[1] )\nend\n';

  describe('the style of a file', () => {
    it('the nearest stylua.toml above the file wins over one further up and over .editorconfig', () => {
      write('stylua.toml', 'indent_type = "Tabs"\n');
      write('.editorconfig', '[*]\nindent_style = space\nindent_size = 8\n');
      const near = write('sub/.stylua.toml', 'indent_type = "Spaces"\nindent_width = 2\nquote_style = "ForceSingle"\n');
      const resolved = resolveStyle(path.join(dir, 'sub', 'deep', 'x.lua'), { tabSize: 4, insertSpaces: false });
      assert.equal(resolved.from, near);
      assert.deepEqual(resolved.style, { ...DEFAULT_STYLE, indent_type: 'Spaces', indent_width: 2, quote_style: 'ForceSingle' });
      const formatted = formatScript(path.join(dir, 'sub', 'x.lua'), 'if a then\nprint("x")\nend\n');
      assert.deepEqual(formatted, { text: "if a then\n  print('x')\nend\n" });
    });

    it('.editorconfig when no stylua.toml applies: indent, width, line ending and quotes', () => {
      write('.editorconfig', 'root = true\n[*.lua]\nindent_style = space\nindent_size = 3\nmax_line_length = 40\nend_of_line = crlf\nquote_type = single\n[*.md]\nindent_size = 9\n');
      const resolved = resolveStyle(path.join(dir, 'a.lua'), { tabSize: 8, insertSpaces: false });
      assert.equal(resolved.from, '.editorconfig');
      assert.deepEqual(resolved.style, { ...DEFAULT_STYLE, indent_type: 'Spaces', indent_width: 3, column_width: 40, line_endings: 'Windows', quote_style: 'AutoPreferSingle' });
      assert.deepEqual(formatScript(path.join(dir, 'a.lua'), 'if a then\nprint("x")\nend\n'), { text: "if a then\r\n   print('x')\r\nend\r\n" });
    });

    it("the editor's options when no file says anything, else StyLua's defaults (tabs of 4, Lua 5.3)", () => {
      write('.editorconfig', 'root = true\n[*.md]\nindent_size = 2\n');
      const file = path.join(dir, 'a.lua');
      assert.deepEqual(resolveStyle(file, { tabSize: 2, insertSpaces: true }), { style: { ...DEFAULT_STYLE, indent_type: 'Spaces', indent_width: 2 }, from: 'editor' });
      assert.deepEqual(resolveStyle(file), { style: DEFAULT_STYLE, from: 'default' });
      assert.deepEqual(formatScript(file, messy), { text: 'local t = { 1, 2 }\nif t then\n\tprint(t[1])\nend\n' });
    });

    it('a stylua.toml mistake is an error at its line naming the key and what is allowed', () => {
      const config = write('stylua.toml', '# style\ncolumn_width = 80\n  quote_style = "Backticks"\n');
      const file = path.join(dir, 'a.lua');
      assert.throws(() => resolveStyle(file), (e: StyleError) => e instanceof StyleError && e.file === config && e.line === 3 && e.column === 3 &&
        /quote_style must be one of AutoPreferDouble, AutoPreferSingle, ForceDouble, ForceSingle, not "Backticks"/.test(e.message));
      write('stylua.toml', 'indent_widht = 2\n');
      assert.throws(() => resolveStyle(file), /stylua\.toml:1:1: unknown option 'indent_widht'/);
      write('stylua.toml', 'column_width = -3\n');
      assert.throws(() => resolveStyle(file), /column_width must be a positive integer, not -3/);
      write('stylua.toml', '\ncolumn_width = \n');
      assert.throws(() => resolveStyle(file), /stylua\.toml:2:\d+: invalid TOML/);
      // Formatting reports it as the outcome, never throws.
      assert.deepEqual(formatScript(file, messy), { failure: { file: config, line: 2, column: 16, message: (() => { try { resolveStyle(file); } catch (e) { return (e as Error).message.replace(/^.*?:\d+:\d+: /, ''); } return ''; })() } });
    });
  });

  it("Lua 5.3's syntax is StyLua's Lua53 grammar: //, bitwise operators, goto and labels, long strings, \\z", () => {
    const source = 'local a=7//2 local b=a&3|1~2<<1>>1 local c=~a\ngoto done\n::done::\nlocal s=[==[long\n]] string]==] local z="a\\z\n    b"\nfor i=1,2 do if i==1 then goto continue end print(i) ::continue:: end\n';
    const result = formatLua(source, DEFAULT_STYLE);
    assert.ok('text' in result);
    assert.equal(result.text, 'local a = 7 // 2\nlocal b = a & 3 | 1 ~ 2 << 1 >> 1\nlocal c = ~a\ngoto done\n::done::\nlocal s = [==[long\n]] string]==]\nlocal z = "a\\z\n    b"\nfor i = 1, 2 do\n\tif i == 1 then\n\t\tgoto continue\n\tend\n\tprint(i)\n\t::continue::\nend\n');
    assert.equal(codeListing(result.text), codeListing(source));
    // StyLua's "All" grammar reads `::` after an expression as a Luau type assertion.
    assert.ok('problem' in formatLua('for _, tag in ipairs(t) do\n  if tag == "" then goto continue end\n  last = tag\n  ::continue::\nend\n', { ...DEFAULT_STYLE, syntax: 'All' }));
  });

  it('a syntax error gives no text but the error Lua 5.3 reports, at its line', () => {
    const file = path.join(dir, 'a.lua');
    assert.deepEqual(formatScript(file, 'local x = 1\nlocal y = \n'), { failure: { file, line: 3, column: 1, message: 'unexpected symbol near <eof>' } });
    assert.deepEqual(formatScript(file, 'print(1))\n'), { failure: { file, line: 1, column: 9, message: "unexpected symbol near ')'" } });
  });

  it('a range formats only the statements inside it', () => {
    const text = 'local  a=1\nif a then\nlocal   b=2\nend\nlocal c  =  3\n';
    const start = text.indexOf('if');
    const end = text.indexOf('end') + 3;
    assert.deepEqual(formatScript(path.join(dir, 'a.lua'), text, { range: { start, end } }), { text: 'local  a=1\nif a then\n\tlocal b = 2\nend\nlocal c  =  3\n' });
  });

  it('the statement a newline finished: the outermost one ending on the line before, comments after it left out', () => {
    const text = 'local function f(x)\n  if x then return 1 end -- one\n  return 2\nend\n\nprint( f(1) )\n';
    const at = (needle: string): number => text.indexOf(needle) + needle.length + 1;
    assert.deepEqual(finishedStatement(text, at('end -- one')), { start: text.indexOf('if x'), end: text.indexOf(' -- one') });
    assert.deepEqual(finishedStatement(text, at('return 2\nend')), { start: 0, end: text.indexOf('\n\nprint') });
    assert.equal(finishedStatement(text, at('local function f(x)')), undefined);
    assert.equal(finishedStatement(text, text.indexOf('\nprint') + 1), undefined);
    assert.equal(finishedStatement('if x then\n', 10), undefined);
  });

  it('a format that would change the compiled code is refused (sort_requires reorders statements)', () => {
    write('stylua.toml', '[sort_requires]\nenabled = true\n');
    const file = path.join(dir, 'a.lua');
    const text = 'local b = require("b")\nlocal a = require("a")\nreturn a, b\n';
    assert.ok('text' in formatLua(text, { ...DEFAULT_STYLE, sort_requires: true }) && codeListing(text) !== codeListing((formatLua(text, { ...DEFAULT_STYLE, sort_requires: true }) as { text: string }).text));
    assert.deepEqual(formatScript(file, text), { failure: { file, line: 1, column: 1, message: 'formatting would change the compiled code (the first change is on line 1); the text is left as it is' } });
    // Already sorted: nothing to refuse.
    assert.deepEqual(formatScript(file, 'local a = require("a")\nlocal b = require("b")\nreturn a, b\n'), { text: 'local a = require("a")\nlocal b = require("b")\nreturn a, b\n' });
  });
});
