// What the editor inserts checks clean under each example contract (examples/*/sandlua.json):
// the snippets the extension contributes (snippets/lua.json) and the `script` skeleton the
// language service completes, each expanded with the defaults of its placeholders and checked by
// `sandlua check` (the CLI's main, in process) in a copy of the example's folder.
//
// What "passes" means: the skeleton is a whole script, checked alone: no error, at most an unused
// warning (the local it reads the input into). A snippet is a fragment: inserted at the top of
// each example script (which passes as it is), it adds no error; the warnings a fragment the user
// has not filled in yet may give are an unused local or loop variable, a placeholder name that
// reads as nil (`host_function`), and a name of it that a name of the script shadows.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../cli';
import { LanguageService } from './service';

const ROOT = path.join(__dirname, '..', '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
const FRAGMENT_WARNINGS = new Set(['unused', 'undefined-global', 'shadowing']);

/** A snippet body with every placeholder at its default (`${1:x}` → x, `$0` → nothing, `\}` → }). */
export function expandSnippet(body: string): string {
  let i = 0;
  const read = (inside: boolean): string => {
    let out = '';
    while (i < body.length) {
      const ch = body[i];
      if (ch === '\\' && i + 1 < body.length && '$}\\'.includes(body[i + 1])) {
        out += body[i + 1];
        i += 2;
      } else if (ch === '}' && inside) {
        i++;
        return out;
      } else if (ch === '$') {
        const tabstop = /^\$(\d+)/.exec(body.slice(i));
        const placeholder = /^\$\{(\d+)(:?)/.exec(body.slice(i));
        if (tabstop) {
          i += tabstop[0].length;
        } else if (placeholder) {
          i += placeholder[0].length;
          out += placeholder[2] ? read(true) : (i++, '');
        } else {
          throw new Error(`unsupported snippet syntax at ${i}: ${body.slice(i, i + 20)}`);
        }
      } else {
        out += ch;
        i++;
      }
    }
    if (inside) throw new Error('unclosed placeholder');
    return out;
  };
  return read(false);
}

interface Finding { code: string; severity: string; message: string; range?: unknown; line?: number }

/** `sandlua check --format json` of one file: its exit code and findings. */
async function check(file: string): Promise<{ code: number; findings: Finding[] }> {
  let stdout = '';
  const code = await main(['check', path.basename(file), '--format', 'json'], { stdout: (t) => { stdout += t; }, stderr: () => undefined, isTTY: false, cwd: path.dirname(file) });
  const report = JSON.parse(stdout) as { files: { diagnostics: Finding[] }[] };
  return { code, findings: report.files.flatMap((f) => f.diagnostics) };
}

const examples = fs.readdirSync(EXAMPLES).filter((d) => fs.existsSync(path.join(EXAMPLES, d, 'sandlua.json')));
/** The example scripts of a folder, relative to it (the folder itself, tools/, rules/). */
const scriptsOf = (folder: string): string[] => ['.', 'tools', 'rules']
  .filter((d) => fs.existsSync(path.join(EXAMPLES, folder, d)))
  .flatMap((d) => fs.readdirSync(path.join(EXAMPLES, folder, d)).filter((f) => f.endsWith('.lua')).map((f) => path.join(d, f)));

describe('snippets and the script skeleton check clean under the example contracts', function () {
  this.timeout(60000);
  let scratch: string;

  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-snippets-'));
    fs.cpSync(EXAMPLES, scratch, { recursive: true });
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('expands snippet syntax with the defaults', () => {
    assert.equal(expandSnippet('local ${1:v} = f(${2:a}, $3)\n${4:error(${1:v}, 0)}\n$0{${5:{\\}}}'), 'local v = f(a, )\nerror(v, 0)\n{{}}');
    assert.throws(() => expandSnippet('${1:x'), /unclosed/);
  });

  const snippets = JSON.parse(fs.readFileSync(path.join(ROOT, 'snippets', 'lua.json'), 'utf8')) as Record<string, { prefix: string; body: string[] | string }>;
  it('finds the snippets and the example scripts', () => {
    assert.ok(Object.keys(snippets).length >= 5);
    assert.ok(examples.length >= 3 && examples.every((e) => scriptsOf(e).length > 0));
  });

  for (const [name, snippet] of Object.entries(snippets)) {
    it(`${snippet.prefix} (${name}) adds no error at the top of each example script`, async () => {
      const expansion = expandSnippet(Array.isArray(snippet.body) ? snippet.body.join('\n') : snippet.body);
      for (const folder of examples) {
        for (const script of scriptsOf(folder)) {
          const file = path.join(scratch, folder, script);
          const original = fs.readFileSync(file, 'utf8');
          assert.equal((await check(file)).code, 0, `${folder}/${script} passes as it is`);
          fs.writeFileSync(file, `${expansion}\n${original}`);
          const { code, findings } = await check(file);
          const unexpected = findings.filter((f) => f.severity === 'error' || !FRAGMENT_WARNINGS.has(f.code));
          assert.deepEqual(unexpected, [], `${folder}/${script}:\n${expansion}`);
          assert.equal(code, 0);
          fs.writeFileSync(file, original);
        }
      }
    });
  }

  it('the script skeleton, completed at the start of a new script, checks clean under each contract', async () => {
    const service = new LanguageService();
    for (const folder of examples) {
      // A new script where the contract's globs govern it (beside an example script).
      const file = path.join(scratch, folder, path.dirname(scriptsOf(folder)[0]), 'new_script.lua');
      service.open(file, '');
      const item = service.completion(file, { line: 0, character: 0 }).find((i) => i.label === 'script');
      assert.ok(item?.snippet && item.text, `${folder}: a script skeleton`);
      assert.equal(expandSnippet(item.snippet), item.text, 'the plain form is the snippet with its defaults');
      fs.writeFileSync(file, item.text);
      const { code, findings } = await check(file);
      assert.deepEqual(findings.filter((f) => f.code !== 'unused'), [], `${folder}:\n${item.text}`);
      assert.equal(code, 0);
    }
    assert.match(service.completion(path.join(scratch, 'invoice-normalizer', 'new_script.lua'), { line: 0, character: 0 }).find((i) => i.label === 'script')!.text!,
      /^-- What this script does\.\nlocal value = input\.vendor_name\n\nreturn \{ normalized_vendor = "" \}$/);
  });
});
