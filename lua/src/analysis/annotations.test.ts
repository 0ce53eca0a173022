// The one LuaCATS reader: the types the analysis takes from `---@` comments, and the documentation
// the language service shows (signature help), read from the same comments.
import { strict as assert } from 'assert';
import { parse } from '../syntax/parser';
import { readAnnotations } from './annotations';
import { formatType } from './types';

function statementsOf(source: string) {
  const parsed = parse(source, { name: 'a.lua' });
  return { index: readAnnotations(parsed.chunk, parsed.source), body: parsed.chunk.body.body };
}

describe('LuaCATS comments', () => {
  it('keeps the documentation lines, each parameter\'s written type and text, and the return types', () => {
    const { index, body } = statementsOf([
      '--- File notes, not the function\'s.',
      '',
      '---Rounds to cents.',
      '---Half up.',
      '-- a plain comment is no documentation',
      '---@param x number the amount',
      '---@param mode? string - how to round',
      '---@param ... any',
      '---@return number cents, string? unit',
      'local function cents(x, mode, ...) return x, mode end',
      'print(cents(1))',
    ].join('\n'));
    const doc = index.docAt(body[0])!;
    assert.equal(doc.text, 'Rounds to cents.\nHalf up.');
    assert.deepEqual([...doc.params], [['x', { type: 'number', doc: 'the amount' }], ['mode', { type: 'string?', doc: 'how to round' }], ['...', { type: 'any' }]]);
    assert.deepEqual(doc.returns, ['number', 'string?']);
    // The types, from the same comments (the blank line ends only the documentation's paragraph).
    const types = index.at(body[0])!;
    assert.deepEqual([...types.params].map(([n, t]) => `${n}: ${formatType(t)}`), ['x: number', 'mode: string?', '...: unknown']);
    assert.deepEqual(types.returns!.map(formatType), ['number', 'string?']);
    assert.equal(index.docAt(body[1]), undefined);
  });

  it('documents nothing through a blank line before the code, and gives documentation-only comments no types', () => {
    const { index, body } = statementsOf('---@param y string\n\nlocal function other(y) return y end\n---Says hello.\nlocal function hello() return "hi" end\nprint(other(hello()))\n');
    assert.equal(index.docAt(body[0]), undefined);
    assert.equal(index.at(body[0]), undefined);
    assert.equal(index.docAt(body[1])!.text, 'Says hello.');
    assert.equal(index.at(body[1]), undefined);
  });
});
