// The TextMate grammar (syntaxes/lua.tmLanguage.json) through vscode-textmate and vscode-oniguruma,
// the engine VS Code uses: each sample in syntaxes/test/ is tokenized and compared with its golden
// token file (UPDATE_EXPECT=1 rewrites them); then specific Lua 5.3 forms are checked by scope.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const root = path.join(__dirname, '..', '..');
const SAMPLES = path.join(root, 'syntaxes', 'test');

let grammar: vsctm.IGrammar;

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const wasm = fs.readFileSync(path.join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (s: string[]) => new oniguruma.OnigScanner(s), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(path.join(root, 'syntaxes', 'lua.tmLanguage.json'), 'utf8'), 'lua.tmLanguage.json'),
  });
  const g = await registry.loadGrammar('source.lua');
  assert.ok(g);
  return g;
}

/** `text<TAB>scopes` for every non-blank token, line by line. */
function tokens(source: string): string[] {
  const out: string[] = [];
  let rule = vsctm.INITIAL;
  source.split('\n').forEach((line, i) => {
    const r = grammar.tokenizeLine(line, rule);
    for (const t of r.tokens) {
      const text = line.slice(t.startIndex, t.endIndex);
      if (text.trim()) out.push(`${i + 1}: ${JSON.stringify(text)}\t${t.scopes.slice(1).join(' ')}`);
    }
    rule = r.ruleStack;
  });
  return out;
}

function scopeOf(source: string, text: string): string {
  const row = tokens(source).find((t) => t.includes(`${JSON.stringify(text)}\t`));
  assert.ok(row, `no token ${JSON.stringify(text)} in ${tokens(source).join('\n')}`);
  return row.split('\t')[1];
}

describe('TextMate grammar (vscode-textmate)', () => {
  before(async () => { grammar = await loadGrammar(); });

  const samples = fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.lua')).sort();
  it('has samples', () => assert.ok(samples.length >= 6));
  for (const sample of samples) {
    it(`tokenizes ${sample} as its golden token file says`, () => {
      const actual = tokens(fs.readFileSync(path.join(SAMPLES, sample), 'utf8')).join('\n') + '\n';
      const golden = path.join(SAMPLES, sample.replace(/\.lua$/, '.tokens'));
      if (process.env.UPDATE_EXPECT === '1') fs.writeFileSync(golden, actual);
      assert.equal(actual, fs.readFileSync(golden, 'utf8'), `${sample} differs from its .tokens file (UPDATE_EXPECT=1 rewrites it)`);
    });
  }

  it('knows Lua 5.3: numerals, long brackets of any level, escapes, goto and labels, //, bitwise operators, methods', () => {
    assert.match(scopeOf('x = 0x1p4', '0x1p4'), /constant\.numeric\.float\.hexadecimal/);
    assert.match(scopeOf('x = 0xA.8p-2', '0xA.8p-2'), /constant\.numeric\.float\.hexadecimal/);
    assert.match(scopeOf('x = 3e-2', '3e-2'), /constant\.numeric\.float/);
    assert.match(scopeOf('x = 0xff', '0xff'), /constant\.numeric\.integer\.hexadecimal/);
    assert.match(scopeOf('s = [==[ a ]] b ]==]', ' a ]] b '), /string\.quoted\.other\.multiline/);
    assert.match(scopeOf('--[===[ c ]] d\n]===] x = 1', ' c ]] d'), /comment\.block/);
    assert.match(scopeOf('s = "\\x41\\u{48}\\065\\z"', '\\u{48}'), /constant\.character\.escape/);
    assert.match(scopeOf('goto done', 'goto'), /keyword\.control\.goto/);
    assert.match(scopeOf('::done::', 'done'), /entity\.name\.label/);
    assert.match(scopeOf('x = a // b', '//'), /keyword\.operator\.arithmetic/);
    assert.match(scopeOf('x = a ~ b', '~'), /keyword\.operator\.bitwise/);
    assert.match(scopeOf('x = a >> b', '>>'), /keyword\.operator\.bitwise/);
    assert.match(scopeOf('obj:method(1)', 'method'), /entity\.name\.function\.method/);
    assert.match(scopeOf('s = "a\\z\n  b"', '  b'), /string\.quoted\.double/);
    assert.match(scopeOf('#!/usr/bin/lua5.3\nx = 1', '#!'), /comment/);
  });
});
