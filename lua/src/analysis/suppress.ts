// Suppression comments: what a script's author says the analysis should not report here.
//
//   -- sandlua: disable-next-line CODE[, CODE]   the next line (no code: every code; `---` works too)
//   -- sandlua: disable-line CODE[, CODE]        the comment's own line (a trailing comment)
//   -- sandlua: disable CODE[, CODE]             from the comment on, until `enable` or the end
//   -- sandlua: enable CODE[, CODE]              (no code: every code)
//   ---@diagnostic disable-next-line: CODE, …    LuaLS's spelling of the same four
//
// Anything after ` -- ` in a sandlua comment is a reason, not a code. Only short comments count.
// Suppressed findings are kept, marked `suppressed`: text, JSON and the editor skip them, SARIF
// reports them as suppressed in source. A sandlua comment that suppresses nothing (or names a code
// that does not exist) is itself a finding, `unused-suppression`; LuaLS-spelled comments are
// honoured but never reported, since they may be there for LuaLS (whose codes sandlua ignores).
// `syntax` cannot be suppressed: a script that does not parse cannot run.
//
// Also here: the quick fix "Suppress CODE on this line" for every other finding, made when asked for.

import type { ParseResult } from '../syntax/parser';
import type * as ast from '../syntax/ast';
import { changeTo, type Finding, type Fix } from './findings';
import { suggest } from '../contract/suggest';
import { CODES, isKnownCode } from './rules';

type Kind = 'disable-next-line' | 'disable-line' | 'disable' | 'enable';

const KINDS: readonly Kind[] = ['disable-next-line', 'disable-line', 'disable', 'enable'];

/** Codes no comment can suppress: a syntax error, the contract's own problems, an unused suppression. */
const UNSUPPRESSIBLE = new Set(['syntax', 'manifest', 'unused-suppression']);

/** A code named in a comment, where it is written. */
interface CodeRef {
  code: string;
  start: number;
  end: number;
  used: boolean;
}

interface Directive {
  kind: Kind;
  comment: ast.Comment;
  /** LuaLS's `---@diagnostic` spelling: honoured, never reported. */
  luals: boolean;
  /** The codes named; undefined: every code. */
  codes: CodeRef[] | undefined;
  /** With every code: whether it suppressed (or enabled) anything. */
  used: boolean;
  /** disable-next-line and disable-line: the 0-based line they cover. */
  line: number;
}

/** A sandlua comment that is not a directive it knows (`sandlua: disabel`). */
interface Misspelled {
  comment: ast.Comment;
  word: string;
  start: number;
}

const SANDLUA = /^(-?\s*sandlua:\s*)([A-Za-z][\w-]*)/; // `-- sandlua:` or `--- sandlua:`
const LUALS = /^-@diagnostic\s+(disable-next-line|disable-line|disable|enable)(?![\w-])\s*(:?)/;

/**
 * Marks the findings that suppression comments cover, and adds `unused-suppression` findings for
 * the comments that cover nothing. `findings` must be sorted by position; it stays sorted. (The
 * fix "Suppress CODE on this line" is made when an editor asks for it: `suppressionFixes`.)
 */
export function applySuppressions(parsed: ParseResult, findings: Finding[], judged: (code: string) => boolean = () => true): void {
  const { directives, misspelled } = readDirectives(parsed);
  if (directives.length > 0) {
    markLines(parsed, findings, directives);
    markRegions(findings, directives);
    const unused = unusedFindings(parsed.source, directives, misspelled, judged);
    if (unused.length > 0) {
      findings.push(...unused);
      findings.sort((a, b) => a.start - b.start || a.end - b.end);
    }
  } else if (misspelled.length > 0) {
    findings.push(...unusedFindings(parsed.source, directives, misspelled, judged));
    findings.sort((a, b) => a.start - b.start || a.end - b.end);
  }
}

function readDirectives(parsed: ParseResult): { directives: Directive[]; misspelled: Misspelled[] } {
  const directives: Directive[] = [];
  const misspelled: Misspelled[] = [];
  for (const comment of parsed.chunk.comments) {
    if (comment.long) continue;
    const text = comment.text;
    // The cheap test first: most comments are prose.
    const sandlua = text.indexOf('sandlua:');
    if (sandlua >= 0 && sandlua < 8) {
      const m = SANDLUA.exec(text);
      if (!m) continue;
      const base = comment.start + 2;
      const word = m[2];
      const kind = KINDS.find((k) => k === word);
      if (!kind) {
        misspelled.push({ comment, word, start: base + m[1].length });
        continue;
      }
      let from = m[0].length;
      if (text.charCodeAt(from) === 58 /* : */) from++;
      const codes = readCodes(comment, base + from, true);
      directives.push(directive(parsed, kind, comment, false, codes));
    } else if (text.startsWith('-@diagnostic')) {
      const m = LUALS.exec(text);
      if (!m) continue;
      const codes = m[2] === ':' ? readCodes(comment, comment.start + 2 + m[0].length, false) : undefined;
      directives.push(directive(parsed, m[1] as Kind, comment, true, codes));
    }
  }
  return { directives, misspelled };
}

function directive(parsed: ParseResult, kind: Kind, comment: ast.Comment, luals: boolean, codes: CodeRef[] | undefined): Directive {
  const line = parsed.lineMap.positionAt(comment.start).line + (kind === 'disable-next-line' ? 1 : 0);
  return { kind, comment, luals, codes, used: false, line };
}

/**
 * The codes written between `from` and `to`, separated by commas or spaces. In a sandlua comment
 * ` -- ` starts the reason; nothing named: undefined (every code). LuaLS's codes that sandlua does
 * not have are dropped (they are for LuaLS).
 */
function readCodes(comment: ast.Comment, from: number, sandlua: boolean): CodeRef[] | undefined {
  const refs: CodeRef[] = [];
  // The comment's text from `from` on (it starts after the `--`).
  const text = comment.text.slice(from - comment.start - 2);
  const word = /[^\s,]+/g;
  for (let m = word.exec(text); m; m = word.exec(text)) {
    if (sandlua && m[0].startsWith('--')) break;
    if (!sandlua && !isKnownCode(m[0])) continue;
    refs.push({ code: m[0], start: from + m.index, end: from + m.index + m[0].length, used: false });
  }
  if (refs.length === 0) return sandlua || text.trim() === '' ? undefined : [];
  return refs;
}

function covers(d: Directive, code: string): CodeRef | true | undefined {
  if (!d.codes) return true;
  for (const ref of d.codes) if (ref.code === code) return ref;
  return undefined;
}

function credit(d: Directive, hit: CodeRef | true): void {
  if (hit === true) d.used = true;
  else hit.used = true;
}

/** disable-next-line and disable-line: findings that start on the line covered. */
function markLines(parsed: ParseResult, findings: Finding[], directives: Directive[]): void {
  const byLine = new Map<number, Directive[]>();
  for (const d of directives) {
    if (d.kind !== 'disable-next-line' && d.kind !== 'disable-line') continue;
    const list = byLine.get(d.line);
    if (list) list.push(d);
    else byLine.set(d.line, [d]);
  }
  if (byLine.size === 0) return;
  const lines = parsed.lineMap;
  for (const f of findings) {
    if (UNSUPPRESSIBLE.has(f.code)) continue;
    const list = byLine.get(lines.positionAt(f.start).line);
    if (!list) continue;
    for (const d of list) {
      const hit = covers(d, f.code);
      if (hit === undefined) continue;
      credit(d, hit);
      f.suppressed = true;
    }
  }
}

/**
 * disable … enable: a finding is suppressed when the last region comment before it that concerns
 * its code (names it, or names none) is a `disable`. One walk over comments and findings in order.
 */
function markRegions(findings: Finding[], directives: Directive[]): void {
  const regions = directives.filter((d) => d.kind === 'disable' || d.kind === 'enable');
  if (regions.length === 0) return;
  // The state: every code's (from the last comment naming no code), then per code since then.
  let all: Directive | undefined; // the `disable` that disables every code, if that is the state
  let perCode = new Map<string, { by: Directive; ref: CodeRef } | null>(); // null: enabled
  const disabledBy = (code: string): { by: Directive; ref: CodeRef | true } | undefined => {
    const own = perCode.get(code);
    if (own !== undefined) return own === null ? undefined : own;
    return all ? { by: all, ref: true } : undefined;
  };
  let next = 0;
  const advance = (until: number): void => {
    while (next < regions.length && regions[next].comment.start < until) {
      const d = regions[next++];
      if (d.kind === 'disable') {
        if (!d.codes) {
          all = d;
          perCode = new Map();
        } else {
          for (const ref of d.codes) if (!perCode.get(ref.code)) perCode.set(ref.code, { by: d, ref });
        }
        continue;
      }
      // enable: used when it ends something.
      if (!d.codes) {
        if (all || [...perCode.values()].some((v) => v !== null)) d.used = true;
        all = undefined;
        perCode = new Map();
      } else {
        for (const ref of d.codes) {
          if (disabledBy(ref.code)) ref.used = true;
          perCode.set(ref.code, null);
        }
      }
    }
  };
  for (const f of findings) {
    advance(f.start);
    if (UNSUPPRESSIBLE.has(f.code)) continue;
    const by = disabledBy(f.code);
    if (!by) continue;
    credit(by.by, by.ref);
    f.suppressed = true;
  }
  advance(Infinity);
}

function unusedFindings(src: string, directives: Directive[], misspelled: Misspelled[], judged: (code: string) => boolean): Finding[] {
  const out: Finding[] = [];
  for (const m of misspelled) {
    const guess = suggest(m.word, KINDS);
    out.push({
      start: m.comment.start, end: m.comment.end, severity: 'hint', code: 'unused-suppression',
      message: `unused suppression: '${m.word}' is not a suppression directive${guess ? `; did you mean '${guess}'?` : ''} (${KINDS.join(', ')})`,
      fixes: [
        ...(guess ? [changeTo({ start: m.start, end: m.start + m.word.length }, guess)] : []),
        removeComment(src, m.comment),
      ],
    });
  }
  for (const d of directives) {
    if (d.luals) continue;
    const where = d.kind === 'disable-next-line' ? 'on the next line' : d.kind === 'disable-line' ? 'on this line' : 'after this comment';
    if (!d.codes) {
      if (d.used) continue;
      out.push({
        start: d.comment.start, end: d.comment.end, severity: 'hint', code: 'unused-suppression',
        message: d.kind === 'enable' ? 'unused suppression: nothing is disabled here' : `unused suppression: no finding ${where} to suppress`,
        fixes: [removeComment(src, d.comment)],
      });
      continue;
    }
    // A code this analysis does not judge (a contract code in a script no contract governs) may
    // well have findings where the script runs under one: its suppression is not known to be unused.
    const unused = d.codes.filter((r) => !r.used && (!isKnownCode(r.code) || judged(r.code)));
    if (unused.length === 0) continue;
    const everyUnused = unused.length === d.codes.length;
    const allKnown = unused.every((r) => isKnownCode(r.code) && !UNSUPPRESSIBLE.has(r.code));
    if (everyUnused && allKnown && unused.length > 1) {
      const names = unused.map((r) => `'${r.code}'`).join(' or ');
      out.push({
        start: d.comment.start, end: d.comment.end, severity: 'hint', code: 'unused-suppression',
        message: d.kind === 'enable' ? `unused suppression: neither ${names} is disabled here` : `unused suppression: no ${names} finding ${where} to suppress`,
        fixes: [removeComment(src, d.comment)],
      });
      continue;
    }
    for (const ref of unused) {
      const fixes: Fix[] = [];
      let message: string;
      if (!isKnownCode(ref.code)) {
        const guess = suggest(ref.code, CODES.filter((c) => !UNSUPPRESSIBLE.has(c)));
        message = `unused suppression: unknown code '${ref.code}'${guess ? `; did you mean '${guess}'?` : ''}`;
        if (guess) fixes.push(changeTo(ref, guess));
      } else if (UNSUPPRESSIBLE.has(ref.code)) {
        message = `unused suppression: '${ref.code}' findings cannot be suppressed${ref.code === 'unused-suppression' ? ' by a comment (set its severity to off instead)' : ''}`;
      } else if (d.kind === 'enable') {
        message = `unused suppression: '${ref.code}' is not disabled here`;
      } else {
        message = `unused suppression: no '${ref.code}' finding ${where} to suppress`;
      }
      fixes.push(everyUnused ? removeComment(src, d.comment) : removeCode(d.codes, ref));
      const whole = everyUnused && d.codes.length === 1 && isKnownCode(ref.code);
      out.push({ start: whole ? d.comment.start : ref.start, end: whole ? d.comment.end : ref.end, severity: 'hint', code: 'unused-suppression', message, fixes });
    }
  }
  return out;
}

/** Removes a comment: its whole line when nothing else is on it, else the comment and the spaces before it. */
function removeComment(src: string, comment: ast.Comment): Fix {
  let start = comment.start;
  while (start > 0 && (src.charCodeAt(start - 1) === 32 || src.charCodeAt(start - 1) === 9)) start--;
  let end = comment.end;
  const atLineStart = start === 0 || src.charCodeAt(start - 1) === 10 || src.charCodeAt(start - 1) === 13;
  if (atLineStart) {
    if (src.charCodeAt(end) === 13) end++;
    if (src.charCodeAt(end) === 10) end++;
  }
  return { title: 'Remove the suppression comment', edits: [{ start, end, newText: '' }] };
}

/** Removes one code from a comment naming several, with its separator. */
function removeCode(codes: CodeRef[], ref: CodeRef): Fix {
  const i = codes.indexOf(ref);
  const edit = i > 0 ? { start: codes[i - 1].end, end: ref.end, newText: '' } : { start: ref.start, end: codes[1].start, newText: '' };
  return { title: `Remove '${ref.code}' from the suppression comment`, edits: [edit] };
}

/**
 * "Suppress CODE on this line" for the findings of a script: a `disable-next-line` comment above
 * the finding's line, indented like it; when a sandlua `disable-next-line` naming codes is already
 * there, the code is added to it. Undefined for a suppressed finding and for the codes no comment
 * silences. Made on demand (an editor's quick fixes), not for every finding of every analysis: a
 * long file's thousand findings cost milliseconds per keystroke otherwise.
 */
export function suppressionFixes(parsed: ParseResult): (finding: Finding) => Fix | undefined {
  const src = parsed.source;
  const lines = parsed.lineMap;
  let above: Map<number, Directive> | undefined;
  for (const d of readDirectives(parsed).directives) {
    if (d.kind !== 'disable-next-line' || d.luals || !d.codes || d.codes.length === 0) continue;
    (above ??= new Map()).set(d.line, d);
  }
  return (f) => {
    if (f.suppressed || UNSUPPRESSIBLE.has(f.code)) return undefined;
    const line = lines.positionAt(f.start).line;
    const title = `Suppress ${f.code} on this line`;
    const existing = above?.get(line);
    if (existing) {
      const last = existing.codes![existing.codes!.length - 1];
      return { title, silences: true, edits: [{ start: last.end, end: last.end, newText: `, ${f.code}` }] };
    }
    const start = lines.offsetAt({ line, character: 0 });
    let indentEnd = start;
    while (src.charCodeAt(indentEnd) === 32 || src.charCodeAt(indentEnd) === 9) indentEnd++;
    return { title, silences: true, edits: [{ start, end: start, newText: `${src.slice(start, indentEnd)}-- sandlua: disable-next-line ${f.code}${lineBreak(src, start)}` }] };
  };
}

/** The line break the line starting at `start` ends with (\n when it has none). */
function lineBreak(src: string, start: number): string {
  for (let i = start; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 13) return src.charCodeAt(i + 1) === 10 ? '\r\n' : '\r';
    if (c === 10) return '\n';
  }
  const before = start - 1;
  if (before >= 0 && src.charCodeAt(before) === 10) return before > 0 && src.charCodeAt(before - 1) === 13 ? '\r\n' : '\n';
  return '\n';
}
