// The Show Bytecode listing's TextMate grammar (syntaxes/sandlua-bytecode.tmLanguage.json) through
// vscode-textmate and vscode-oniguruma, the engine VS Code uses: each syntaxes/test/*.bytecode
// sample is tokenized and compared with its golden token file (UPDATE_EXPECT=1 rewrites them), and
// the listing the compiler makes today is checked by scope. (Lua itself is VS Code's own grammar:
// the extension contributes none.)
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { compile, disassemble } from '@sandlua/lua';

const root = path.join(__dirname, '..', '..');
const SAMPLES = path.join(root, 'syntaxes', 'test');

let bytecodeGrammar: vsctm.IGrammar;
let registry: vsctm.Registry | undefined;

const GRAMMARS: Record<string, string> = { 'source.sandlua-bytecode': 'sandlua-bytecode.tmLanguage.json' };

async function loadGrammar(scope: string): Promise<vsctm.IGrammar> {
  if (!registry) {
    const wasm = fs.readFileSync(path.join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    registry = new vsctm.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (s: string[]) => new oniguruma.OnigScanner(s), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
      loadGrammar: async (name) => vsctm.parseRawGrammar(fs.readFileSync(path.join(root, 'syntaxes', GRAMMARS[name]), 'utf8'), GRAMMARS[name]),
    });
  }
  const g = await registry.loadGrammar(scope);
  assert.ok(g);
  return g;
}

/** `text<TAB>scopes` for every non-blank token, line by line. */
function tokens(source: string, g: vsctm.IGrammar): string[] {
  const out: string[] = [];
  let rule = vsctm.INITIAL;
  source.split('\n').forEach((line, i) => {
    const r = g.tokenizeLine(line, rule);
    for (const t of r.tokens) {
      const text = line.slice(t.startIndex, t.endIndex);
      if (text.trim()) out.push(`${i + 1}: ${JSON.stringify(text)}\t${t.scopes.slice(1).join(' ')}`);
    }
    rule = r.ruleStack;
  });
  return out;
}

function scopeOf(source: string, text: string, g: vsctm.IGrammar): string {
  const row = tokens(source, g).find((t) => t.includes(`${JSON.stringify(text)}\t`));
  assert.ok(row, `no token ${JSON.stringify(text)} in ${tokens(source, g).join('\n')}`);
  return row.split('\t')[1];
}

/** Compares the tokens of `sample` in syntaxes/test/ with its golden file `<sample>.tokens`. */
function golden(sample: string, g: vsctm.IGrammar): void {
  const actual = tokens(fs.readFileSync(path.join(SAMPLES, sample), 'utf8'), g).join('\n') + '\n';
  const file = path.join(SAMPLES, `${sample}.tokens`);
  if (process.env.UPDATE_EXPECT === '1') fs.writeFileSync(file, actual);
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `${sample} differs from its .tokens file (UPDATE_EXPECT=1 rewrites it)`);
}

describe('TextMate grammar of the bytecode listing (vscode-textmate)', () => {
  before(async () => { bytecodeGrammar = await loadGrammar('source.sandlua-bytecode'); });

  const samples = fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.bytecode')).sort();
  it('has samples', () => assert.ok(samples.length >= 1));
  for (const sample of samples) {
    it(`tokenizes ${sample} as its golden token file says`, () => golden(sample, bytecodeGrammar));
  }

  it('marks function headers, line numbers, opcodes, registers, constants and jumps in the listing the compiler makes', () => {
    const proto = compile('local t = {}\nfor i = 1, 3 do t[i] = "x" .. i end\nlocal function f(a) return a * 2.5 end\nreturn t, f', '@probe.lua');
    assert.ok(typeof proto !== 'string', String(proto));
    const listing = disassemble(proto);
    const scope = (text: string): string => scopeOf(listing, text, bytecodeGrammar);
    assert.match(scope('function'), /storage\.type\.function/);
    assert.match(scope('probe.lua'), /entity\.name\.function/);
    assert.match(scope('NEWTABLE'), /keyword\.other\.opcode/);
    assert.match(scope('FORPREP'), /keyword\.other\.opcode/);
    assert.match(scope('"x"'), /string\.quoted\.double/);
    assert.match(scope('2.5'), /constant\.numeric\.float/);
    const rows = tokens(listing, bytecodeGrammar);
    assert.ok(rows.some((r) => /: "2"\tmeta\.instruction\.sandlua-bytecode constant\.numeric\.line-number/.test(r)), 'the source line number of an instruction');
    assert.ok(rows.some((r) => /variable\.other\.register/.test(r)), 'registers');
    assert.ok(rows.some((r) => /constant\.other\.constant-index/.test(r)), 'constant operands');
    assert.ok(rows.some((r) => /constant\.numeric\.integer\.offset/.test(r)), 'jump offsets');
    assert.ok(rows.some((r) => /variable\.other\.local\.sandlua-bytecode/.test(r) && r.includes('"(for index)"')), 'locals, spaces in their names included');
  });
});
