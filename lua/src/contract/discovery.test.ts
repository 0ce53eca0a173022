// Which contract governs a script, over a folder tree made in a temp folder.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestDiscovery, findManifest, governs } from './discovery';
import { parseManifest } from './manifest';

describe('contract discovery', () => {
  let dir: string;
  const write = (file: string, text: string) => {
    const full = path.join(dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  };
  const governing = (script: string) => {
    const found = findManifest(path.join(dir, script));
    return found ? path.relative(dir, found.path).split(path.sep).join('/') : undefined;
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-discovery-'));
    write('sandlua.json', '{"name": "top", "scripts": ["**/*.lua"]}');
    write('a.lua', '');
    write('app/sandlua.json', '{"name": "app", "scripts": ["rules/*.lua", "main.lua"]}');
    write('app/main.lua', '');
    write('app/rules/price.lua', '');
    write('app/rules/deep/nested.lua', ''); // not matched by rules/*.lua: goes up to the top contract
    write('app/other.lua', ''); // idem
    write('app/rules/.hidden.lua', ''); // dot files match (dot: true)
    write('broken/sandlua.json', '{"name": "broken", ');
    write('broken/x/y.lua', ''); // a broken contract governs every script below it
    write('badglobs/sandlua.json', '{"name": "badglobs", "scripts": "*.lua"}');
    write('badglobs/s.lua', '');
    write('semibroken/sandlua.json', '{"name": "semi", "scripts": ["*.lua"], "limits": {"timeMs": 0}}');
    write('semibroken/s.lua', '');
    write('semibroken/sub/t.lua', ''); // the broken contract's globs are readable: they do not match
    write('folder/sandlua.json/keep', ''); // a folder named sandlua.json is not a contract
    write('folder/f.lua', '');
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds the nearest contract whose globs match, walking up', () => {
    assert.equal(governing('a.lua'), 'sandlua.json');
    assert.equal(governing('app/main.lua'), 'app/sandlua.json');
    assert.equal(governing('app/rules/price.lua'), 'app/sandlua.json');
    assert.equal(governing('app/rules/.hidden.lua'), 'app/sandlua.json');
    assert.equal(governing('app/rules/deep/nested.lua'), 'sandlua.json');
    assert.equal(governing('app/other.lua'), 'sandlua.json');
    assert.equal(governing('folder/f.lua'), 'sandlua.json');
  });

  it('lets a contract with unreadable globs govern everything below it', () => {
    assert.equal(governing('broken/x/y.lua'), 'broken/sandlua.json');
    assert.equal(governing('badglobs/s.lua'), 'badglobs/sandlua.json');
    const broken = findManifest(path.join(dir, 'broken/x/y.lua'))!;
    assert.equal(broken.manifest, undefined);
    assert.match(broken.problems[0].message, /^invalid JSON: /);
  });

  it('uses the readable globs of a contract that is otherwise broken', () => {
    const semi = findManifest(path.join(dir, 'semibroken/s.lua'))!;
    assert.equal(semi.name, 'semi');
    assert.equal(semi.manifest, undefined);
    assert.deepEqual(semi.scripts, ['*.lua']);
    assert.equal(governing('semibroken/sub/t.lua'), 'sandlua.json');
  });

  it('finds nothing above the root when no contract matches', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlua-none-'));
    try {
      fs.writeFileSync(path.join(outside, 's.lua'), '');
      // Only meaningful when the temp folder has no contract above it.
      const above = findManifest(path.join(outside, 's.lua'));
      assert.ok(above === undefined || !above.path.startsWith(outside));
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('caches per instance, and forgets on invalidate', () => {
    let loads = 0;
    const discovery = new ManifestDiscovery({
      load: (file) => {
        loads++;
        return file === path.join(dir, 'app', 'sandlua.json') ? parseManifest('{"name": "edited", "scripts": ["other.lua"]}', file) : undefined;
      },
    });
    assert.equal(discovery.governing(path.join(dir, 'app/other.lua'))?.name, 'edited', 'the loader sees unsaved text');
    const before = loads;
    discovery.governing(path.join(dir, 'app/other.lua'));
    assert.equal(loads, before, 'cached');
    discovery.invalidate(path.join(dir, 'app', 'sandlua.json'));
    discovery.governing(path.join(dir, 'app/other.lua'));
    assert.equal(loads, before + 1);
    assert.equal(discovery.governing(path.join(dir, 'app/main.lua')), undefined, 'the edited globs no longer match, and nothing else is loaded');
  });

  it('loads a contract by any file name (--manifest)', () => {
    write('contracts/custom.json', '{"name": "custom"}');
    const discovery = new ManifestDiscovery();
    assert.equal(discovery.load(path.join(dir, 'contracts/custom.json'))?.manifest?.name, 'custom');
    assert.equal(discovery.load(path.join(dir, 'contracts/none.json')), undefined);
  });

  it('governs the modules a contract declares, even where its globs do not reach', () => {
    const contract = parseManifest('{"name": "m", "scripts": ["*.lua"], "modules": {"pricing.util": "./lib/util.lua"}}', path.join(dir, 'm', 'sandlua.json'));
    assert.equal(governs(contract, path.join(dir, 'm', 'lib', 'util.lua')), true);
    assert.equal(governs(contract, path.join(dir, 'm', 'lib', 'other.lua')), false);
  });

  it('matches globs relative to the contract folder, never scripts outside it', () => {
    const contract = parseManifest('{"name": "g", "scripts": ["src/**/*.lua", "*.rule.lua"]}', path.join(dir, 'g', 'sandlua.json'));
    assert.equal(governs(contract, path.join(dir, 'g', 'src', 'a', 'b.lua')), true);
    assert.equal(governs(contract, path.join(dir, 'g', 'x.rule.lua')), true);
    assert.equal(governs(contract, path.join(dir, 'g', 'sub', 'x.rule.lua')), false);
    assert.equal(governs(contract, path.join(dir, 'elsewhere', 'src', 'b.lua')), false);
    assert.equal(governs(contract, path.join(dir, 'g', '..g', 'src', 'b.lua')), false, 'a folder named ..g is inside, and not matched');
  });
});
