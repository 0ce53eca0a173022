// `npm run bench:lsp`: the language server as an editor uses it, through its JSON-RPC connection
// (the bundled `sandlua lsp --stdio`), and the CLI on a large tree. Prints figures; asserts nothing.
//   - didChange → publishDiagnostics on a 100-line and a 10,000-line script: a space typed in the
//     middle and deleted again, as an editor sends it (an incremental change). The scripts are rule
//     functions and a main part, as large scripts are written; a second 10,000-line shape, all
//     top-level locals, is invalid Lua (over the 200-locals limit, 100 syntax errors) and shows the
//     server on a file full of errors; a third, valid, is 10,000 top-level statements (a table's
//     fields set one by one), all in the main function. The same edit on the 10,000-line script sent as the whole
//     text (no range), as some clients do.
//   - a real-world shape (generated, committed here as code): 13,000 lines of functions several
//     hundred lines long, as a hand-written parser or a test suite has them, with one 1,500-line
//     `describe(function() ... end)` statement; the edit lands inside the longest function (and, in
//     rows of their own, inside the describe, and on the header's top-level local that every
//     function sees). Targets:
//     edit → diagnostics median < 15 ms and p95 < 40 ms, whole-text change < 20 ms median,
//     open → first diagnostics < 300 ms, completion and hover p95 < 10 ms. A statement typed there
//     one character at a time and erased gets its own row (the code is invalid at most keystrokes,
//     as in real typing). The same edit 100 ms after the last one's diagnostics, as a person types,
//     gets a row too: between keystrokes the server sleeps and its memory goes cold, which the
//     back-to-back rows do not measure. The file is under the
//     workspace's contract; the same file in a folder no contract governs (where the default shows
//     syntax errors only, from the parse alone) gets its own rows, and so do the whole file's
//     semantic tokens after each edit (scopes, no type analysis), in full and as a delta against
//     the last result (what VS Code asks for), and the outline and folding ranges after each edit.
//     The file opened again gets folding ranges asked every 5 ms until its diagnostics come: how
//     long a request waits while a long file's analysis is made (in slices, between messages).
//     The same in a server just started in a project that holds the file, opened at once (what
//     opening a file in a project does): the server also indexes its workspace meanwhile.
//     A server of its own, asked as VS Code asks (pulled diagnostics with the last report's id),
//     times the same edit followed by the pull, and the answer's size. And a real client where
//     `nvim` is installed: Neovim's built-in one, headless (neovim-latency.lua), types a space on
//     a line of the longest function that holds a diagnostic (which the space moves) and is timed
//     until the diagnostics that follow are set in it (its own work on a publish included), back to
//     back and 100 ms apart, and from the open to the first diagnostics; and types on the other
//     rows' line, which holds none, counting the keystrokes that had diagnostics set all the same.
//   - completion and hover latency on the large scripts (target p95 < 10 ms)
//   - `sandlua check` of 1,000 scripts under a contract (target < 3 s)
//   - server memory with 1,000 scripts open (target < 150 MB; LuaLS holds about 1 MB per file)
//   - on Linux, the server's page faults (memory it touched for the first time) an edit and in the
//     open of the 13,000-line file, and what one costs on the machine (64 MB of fresh memory
//     touched here): where a fault is slow (~10 us on the project's machines), they are a large
//     part of those rows. Beside them, the server's garbage collection pauses an edit and in that
//     open (the server runs with gc-probe.cjs, which says each pause on stderr).
// `npm run bench:lsp -- --base DIR` runs the same sessions on the server built in DIR (another
// checkout, e.g. a `git worktree` of the previous release) in the same run, printed beside: each
// build twice, in the order this, base, base, this, each figure the mean of a build's two sessions.
// `npm run bench:lsp -- --corpus DIR...` runs real-world Lua instead (a corpus you fetched: clones
// of Penlight, busted, luarocks, lapis; never commit one): every `.lua` file under the folders is
// opened in the workspace under its contract, gets a space typed and deleted at a quarter, half and
// three quarters of its lines, and its files of 1,000 lines or more get the same edit as whole text.
import { createRequire } from 'module';
import { spawn, spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync, copyFileSync, rmSync, readFileSync, readdirSync } from 'fs';
import { tmpdir } from 'os';
import { join, dirname } from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { performance } from 'perf_hooks';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const CLI = join(root, 'server/dist/sandlua.js');

// Each server gets a workspace folder of its own, under the example's contract (see startServer).
const workspaces = [];
let ws;
function newWorkspace() {
  ws = mkdtempSync(join(tmpdir(), 'sandlua-bench-lsp-'));
  copyFileSync(join(root, 'examples/invoice-normalizer/sandlua.json'), join(ws, 'sandlua.json'));
  workspaces.push(ws);
  return ws;
}
// Beside the workspace, a folder no contract governs (ordinary Lua: the default shows syntax errors only).
const plainDir = mkdtempSync(join(tmpdir(), 'sandlua-bench-lsp-plain-'));
const removeFolders = () => {
  for (const folder of [...workspaces, plainDir]) rmSync(folder, { recursive: true, force: true });
};
const example = readFileSync(join(root, 'examples/invoice-normalizer/normalize.lua'), 'utf8');

// A script of top-level statements only: 10,000 of them would declare far more than Lua's 200
// locals per function (luac rejects it; the parser reports it, capped at 100 errors).
function flatScript(lines) {
  const out = ['local raw = input.vendor_name', 'local canonical = lookup_vendor_alias(raw)'];
  for (let i = 0; out.length < lines - 1; i++) {
    out.push(`local v${i} = string.format("%d", ${i}) .. raw:lower()`);
    if (i % 10 === 9) out.push(`if #v${i} > 3 then tools.emit_review_note(v${i}) end`);
  }
  out.push('return { normalized_vendor = canonical or raw, confidence = 0.5 }');
  return out.join('\n') + '\n';
}

// A valid script of top-level statements only (as generated configurations and data are written):
// fields of one local table, every tenth read back in a condition. The main function, analysed
// again at every edit, holds all of it.
function flatValidScript(lines) {
  const out = ['local raw = input.vendor_name', 'local t = {}'];
  for (let i = 0; out.length < lines - 1; i++) {
    out.push(`t.v${i} = string.format("%d", ${i}) .. raw:lower()`);
    if (i % 10 === 9) out.push(`if #t.v${i} > 3 then tools.emit_review_note(t.v${i}) end`);
  }
  out.push('return { normalized_vendor = raw, confidence = 0.5 }');
  return out.join('\n') + '\n';
}

// A script as large ones are written: a table of rule functions, then the main part (valid Lua,
// clean under the contract).
function rulesScript(lines) {
  const out = ['-- Vendor rules, one function per rule.', 'local rules = {}', ''];
  let n = 0;
  while (out.length + 14 < lines - 7) {
    out.push(
      `function rules.rule${n}(words, factor)`,
      '  local total, seen = 0, {}',
      '  for k, word in ipairs(words) do',
      '    local name = string.lower(word):gsub("[%p]", "")',
      `    if #name > ${n % 7} and not seen[name] then`,
      '      seen[name] = true',
      '      total = total + #name * factor',
      '    elseif name == "" then',
      `      tools.emit_review_note("empty word " .. k .. " in rule ${n}")`,
      '    end',
      '  end',
      '  return total, string.format("%d words", #words)',
      'end',
      '',
    );
    n++;
  }
  out.push('local raw = input.vendor_name', 'local canonical = lookup_vendor_alias(raw)', 'local words = {}',
    'for w in raw:gmatch("%S+") do words[#words + 1] = w end', 'local score = 0',
    `for i = 0, ${n - 1} do score = score + rules["rule" .. i](words, 0.5) end`);
  while (out.length < lines - 1) out.push('score = score + 1');
  out.push('return { normalized_vendor = canonical or raw, confidence = score / (score + 1) }');
  return out.join('\n') + '\n';
}

// A real-world shape: long functions (a hand-written parser's or checker's), then a test suite's
// single `describe(...)` statement. Valid Lua, plain (no contract governs it).
function realWorldScript(lines) {
  const out = ['-- A generated module shaped like real-world code: long functions, one long describe.', 'local M = {}', 'local insert, concat = table.insert, table.concat', ''];
  let f = 0;
  while (out.length < lines - 1600) {
    out.push(`function M.parse_${f}(state, tokens, options)`, '  local out, errors = {}, {}', '  local i = 1');
    const body = 260 + (f % 5) * 40;
    for (let b = 0; out.length < lines - 1600 && b < body; b += 10) {
      out.push(
        `  local tk${b} = tokens[i]`,
        `  if tk${b} and tk${b}.kind == "name" and #tk${b}.text > ${b % 9} then`,
        `    insert(out, { kind = "ref", name = tk${b}.text, at = i, depth = state.depth + ${b % 4} })`,
        `  elseif tk${b} and tk${b}.kind == "op" then`,
        `    errors[#errors + 1] = string.format("unexpected %s at %d", tk${b}.text, i)`,
        '  else',
        `    for j = 1, (options and options.lookahead or ${b % 3 + 1}) do state.seen[j] = (state.seen[j] or 0) + j end`,
        '  end',
        '  i = i + 1',
        `  local label${b} = tostring(i):rep(2):upper() .. concat(out, ",", 1, 0)`,
      );
    }
    out.push('  return out, errors', 'end', '');
    f++;
  }
  out.push('describe("the parser", function()');
  for (let t = 0; out.length < lines - 3; t++) {
    out.push(`  it("parses case ${t}", function()`, `    local out, errors = M.parse_${t % f}({ depth = 0, seen = {} }, { { kind = "name", text = "x${t}" } })`,
      '    assert(#errors == 0, "no errors")', `    assert(out[1].name == "x${t}")`, '  end)');
  }
  out.push('end)', 'return M');
  return out.join('\n') + '\n';
}

/** The real-world shape's line inside its longest function, where its edits land: the middle of the file's first third. */
const longestFunctionLine = (lines) => lines.findIndex((l) => /^function M\.parse_4\(/.test(l)) + 150;

/** `run(cli)` for this build, and for the base as said above (ours, base, base, ours), each build's figures the mean of its two. */
async function bothBuilds(run) {
  if (!BASE) return [await run(CLI), undefined];
  const ours1 = await run(CLI);
  const base1 = await run(BASE);
  const base2 = await run(BASE);
  const ours2 = await run(CLI);
  return [mean(ours1, ours2), mean(base1, base2)];
}

/** Two sessions' figures as one: every number the mean of the two. */
function mean(a, b) {
  if (b === undefined) return a;
  if (typeof a === 'number') return (a + b) / 2;
  if (a === null || typeof a !== 'object') return a;
  if (Array.isArray(a)) return a.map((x, i) => mean(x, b[i]));
  return Object.fromEntries(Object.keys(a).map((k) => [k, mean(a[k], b[k])]));
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[s.length >> 1], p95: s[Math.floor(s.length * 0.95)] };
};

/**
 * A process's minor page faults so far (Linux's /proc; undefined elsewhere): each is memory the
 * process touched for the first time, which the kernel maps then. On the project's machines one
 * costs ~10 us (see faultCost), 20 to 100 times a desktop's, so the rows of the 13,000-line file
 * print the server's faults beside their times.
 */
function faultsOf(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[7]);
  } catch {
    return undefined;
  }
}

/** What one page fault costs here: 64 MB of fresh memory touched a page at a time, in microseconds a fault. */
function faultCost() {
  const before = faultsOf(process.pid);
  if (before === undefined) return undefined;
  const t0 = performance.now();
  const bytes = Buffer.allocUnsafeSlow(64 * 1048576);
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = 1;
  const elapsed = performance.now() - t0;
  const faults = faultsOf(process.pid) - before;
  return faults > 0 ? (elapsed * 1000) / faults : undefined;
}

/**
 * `sandlua lsp --stdio` of the bundle `cli`, initialized on the workspace: the connection, and
 * `published(uri, version)`, which resolves with that version's diagnostics when they come.
 */
async function startServer(cli, capabilities = {}, prepare = undefined) {
  // It waits for each version's diagnostics: it reads versions, and is sent every version's.
  capabilities = { ...capabilities, textDocument: { ...capabilities.textDocument, publishDiagnostics: { versionSupport: true } } };
  // A fresh workspace: the server indexes every `.lua` file of its workspace when it starts, so in
  // a folder the sessions before had filled (1,000 scripts and the large files) every session but
  // the first did that work while it was timed, and held what it made (the memory row read ~190 MB
  // with the same build in those sessions, ~130 MB in the first).
  newWorkspace();
  // Files the workspace holds when the server starts (and indexes it).
  prepare?.(ws);
  // With the probe that says each garbage collection's pause on stderr (gc-probe.cjs): the
  // server's `gc` (the pauses' ms so far) is added up here, its other lines passed on.
  const server = spawn(process.execPath, ['--require', join(root, 'bench/gc-probe.cjs'), cli, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  server.gc = { ms: 0 };
  let partial = '';
  server.stderr.setEncoding('utf8');
  server.stderr.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      const gc = /^sandlua-bench-gc \d+ ([\d.]+)$/.exec(line);
      if (gc) server.gc.ms += Number(gc[1]);
      else process.stderr.write(`${line}\n`);
    }
  });
  const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  const waiting = new Map();
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    const w = waiting.get(p.uri);
    if (w && p.version === w.version) { waiting.delete(p.uri); w.resolve(p.diagnostics); }
  });
  connection.onRequest('workspace/configuration', () => [{}]);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(ws).href, workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'ws' }], capabilities });
  await connection.sendNotification('initialized', {});
  const published = (uri, version) => new Promise((resolve) => waiting.set(uri, { version, resolve }));
  return { server, connection, published };
}

/** One server session on the bundle `cli`: every editor figure. */
async function session(cli) {
  const { server, connection, published } = await startServer(cli);

  // whole: the change is sent as the whole new text (no range), as some clients do (Neovim with
  // allow_incremental_sync = false, clients that sync Full). at: the line edited (default: the middle).
  // gapMs: the time between a keystroke's diagnostics and the next keystroke (0: at once).
  async function editLatency(name, text, rounds, whole = false, at = undefined, dir = ws, gapMs = 0) {
    const file = join(dir, `${name}.lua`);
    const uri = pathToFileURL(file).href;
    const lines = text.split('\n').length - 1;
    writeFileSync(file, text);
    let version = 1;
    let done = published(uri, version);
    const openFaults = faultsOf(server.pid);
    const openGc = server.gc.ms;
    const t0 = performance.now();
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version, text } });
    await done;
    const openMs = performance.now() - t0;
    const editFaults = faultsOf(server.pid);
    const editGc = server.gc.ms;
    const times = [];
    const line = at ?? Math.floor(lines / 2);
    const middle = text.split('\n').slice(0, line).join('\n').length + 1;
    const spaced = text.slice(0, middle) + ' ' + text.slice(middle);
    for (let i = 0; i < rounds; i++) {
      version++;
      // Type one character (an incremental change, as editors send it), then delete it.
      done = published(uri, version);
      const t = performance.now();
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: whole
          ? [{ text: i % 2 ? text : spaced }]
          : [{ range: { start: { line, character: 0 }, end: { line, character: i % 2 } }, text: i % 2 ? '' : ' ' }],
      });
      await done;
      times.push(performance.now() - t);
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    const after = faultsOf(server.pid);
    // The server's page faults an edit (idle work between edits included), and in the open.
    const faults = after === undefined ? undefined : { edit: (after - editFaults) / rounds, open: editFaults - openFaults };
    // The server's garbage collection pauses, in ms: an edit, and in the open.
    const gc = { edit: (server.gc.ms - editGc) / rounds, open: editGc - openGc };
    return { uri, times, lines: text.split('\n'), openMs, faults, gc };
  }

  async function requestsWhileOpening(name, text, method) {
    const file = join(ws, `${name}.lua`);
    writeFileSync(file, text);
    return requestsUntilDiagnosed(connection, published, pathToFileURL(file).href, text, method);
  }

  // Requests at lines spread over the file, at the first word of each line.
  async function requestLatency(method, uri, lines, rounds) {
    const times = [];
    for (let i = 0; i < rounds; i++) {
      const line = Math.floor((lines.length * (i + 0.5)) / rounds);
      const character = Math.max(0, lines[line].search(/[A-Za-z_]/)) + (method === 'textDocument/hover' ? 1 : 0);
      const t0 = performance.now();
      await connection.sendRequest(method, { textDocument: { uri }, position: { line, character } });
      times.push(performance.now() - t0);
    }
    return times;
  }

  // 1,000 scripts open.
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) * 1024;
  const before = rss();
  for (let i = 0; i < 1000; i++) {
    const file = join(ws, `open${i}.lua`);
    const text = example.replace('confidence = 0.6', `confidence = 0.${i % 10}`);
    const uri = pathToFileURL(file).href;
    const done = published(uri, 1);
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version: 1, text } });
    await done;
  }
  const openMemory = rss();
  await editLatency('warm', rulesScript(100), 20);
  const small = await editLatency('rules100', rulesScript(100), 100);
  const large = await editLatency('rules10000', rulesScript(10000), 60);
  const flat = await editLatency('flat10000', flatScript(10000), 60);
  const flatValid = await editLatency('flatvalid10000', flatValidScript(10000), 60);
  const whole = await editLatency('whole10000', rulesScript(10000), 60, true);
  const real = realWorldScript(13000);
  const realLines = real.split('\n');
  const longest = longestFunctionLine(realLines);
  const realEdit = await editLatency('real13000', real, 60, false, longest);
  const realWhole = await editLatency('realwhole13000', real, 40, true, longest);
  // The same edit as a person types it: 100 ms between one keystroke's diagnostics and the next
  // keystroke. The back-to-back rows keep the server's memory and caches warm; this one is what an
  // editor sees, where the server sleeps between keystrokes.
  const realPaced = await editLatency('realpaced13000', real, 30, false, longest, ws, 100);
  // Inside the test suite's one 1,500-line `describe(function() ... end)` statement.
  const inDescribe = realLines.findIndex((l) => /^describe\(/.test(l)) + 700;
  const realDescribe = await editLatency('realdescribe13000', real, 40, false, inDescribe);
  // On the module's header, `local insert, concat = table.insert, table.concat`: a top-level local
  // that every function sees.
  const header = realLines.findIndex((l) => l.startsWith('local insert'));
  const realHeader = await editLatency('realheader13000', real, 20, false, header);
  const realPlain = await editLatency('real13000', real, 60, false, longest, plainDir);
  // The file opened again under another name, with the folding ranges asked over and over (5 ms
  // after each answer, as an editor asks for what it draws) until its diagnostics come: how long
  // a request waits while the analysis of a long file is made.
  const opening = await requestsWhileOpening('realopening13000', real, 'textDocument/foldingRange');
  // Requests editors send again after edits, each timed after 20 edits inside the longest function.
  let afterVersion = 1000;
  const afterEdits = async (ask) => {
    const times = [];
    for (let i = 0; i < 20; i++) {
      const version = ++afterVersion;
      const done = published(realEdit.uri, version);
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri: realEdit.uri, version },
        contentChanges: [{ range: { start: { line: longest, character: 0 }, end: { line: longest, character: i % 2 } }, text: i % 2 ? '' : ' ' }],
      });
      await done;
      const t0 = performance.now();
      await ask();
      times.push(performance.now() - t0);
    }
    return times;
  };
  const document = { textDocument: { uri: realEdit.uri } };
  // Semantic tokens of the whole file (scopes, no types).
  const tokenTimes = await afterEdits(() => connection.sendRequest('textDocument/semanticTokens/full', document));
  // The same, asked as VS Code asks: a delta against the client's last result.
  let lastResult = (await connection.sendRequest('textDocument/semanticTokens/full', document)).resultId;
  const deltaTimes = await afterEdits(async () => {
    lastResult = (await connection.sendRequest('textDocument/semanticTokens/full/delta', { ...document, previousResultId: lastResult })).resultId;
  });
  // The outline and the folding ranges.
  const symbolTimes = await afterEdits(() => connection.sendRequest('textDocument/documentSymbol', document));
  const foldingTimes = await afterEdits(() => connection.sendRequest('textDocument/foldingRange', document));
  // A statement typed one character at a time inside the longest function, then erased (most
  // keystrokes leave the code invalid for a moment, as real typing does).
  const typed = 'local extra = tokens[i] or state.depth + 1 ';
  const typingTimes = [];
  const typingFaults = faultsOf(server.pid);
  let typingVersion = 2000;
  const keystroke = async (change) => {
    const version = ++typingVersion;
    const done = published(realEdit.uri, version);
    const t0 = performance.now();
    await connection.sendNotification('textDocument/didChange', { textDocument: { uri: realEdit.uri, version }, contentChanges: [change] });
    await done;
    typingTimes.push(performance.now() - t0);
  };
  for (let k = 0; k < typed.length; k++) {
    await keystroke({ range: { start: { line: longest, character: k }, end: { line: longest, character: k } }, text: typed[k] });
  }
  for (let k = typed.length; k > 0; k--) {
    await keystroke({ range: { start: { line: longest, character: k - 1 }, end: { line: longest, character: k } }, text: '' });
  }
  const typedFaults = faultsOf(server.pid);
  const completion = await requestLatency('textDocument/completion', large.uri, large.lines, 100);
  const flatCompletion = await requestLatency('textDocument/completion', flat.uri, flat.lines, 100);
  const realCompletion = await requestLatency('textDocument/completion', realEdit.uri, realEdit.lines, 100);
  const realHover = await requestLatency('textDocument/hover', realEdit.uri, realEdit.lines, 100);
  const hover = await requestLatency('textDocument/hover', large.uri, large.lines, 100);
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  return {
    small: stats(small.times), large: stats(large.times), flat: stats(flat.times), flatValid: stats(flatValid.times), whole: stats(whole.times),
    realEdit: { ...stats(realEdit.times), faults: realEdit.faults?.edit }, realWhole: { ...stats(realWhole.times), faults: realWhole.faults?.edit },
    realPaced: { ...stats(realPaced.times), faults: realPaced.faults?.edit },
    realOpen: realEdit.openMs, realOpenFaults: realEdit.faults?.open, realGc: realEdit.gc,
    opening: { ...stats(opening.times), max: Math.max(...opening.times), count: opening.times.length, openMs: opening.openMs },
    realPlain: stats(realPlain.times), realPlainOpen: realPlain.openMs, realTokens: stats(tokenTimes), realTokenDeltas: stats(deltaTimes), realSymbols: stats(symbolTimes), realFolding: stats(foldingTimes), realTyping: { ...stats(typingTimes), faults: typedFaults === undefined ? undefined : (typedFaults - typingFaults) / typingTimes.length },
    realDescribe: { ...stats(realDescribe.times), faults: realDescribe.faults?.edit }, realHeader: stats(realHeader.times),
    completion: stats(completion), flatCompletion: stats(flatCompletion), realCompletion: stats(realCompletion), realHover: stats(realHover), hover: stats(hover),
    memory: openMemory, memoryBefore: before,
  };
}

/**
 * A server started in a project that holds the 13,000-line file, which the editor opens at once
 * (what opening a file in a project does): folding ranges asked every 5 ms (after each answer)
 * until its diagnostics come, while the server makes them and indexes its workspace.
 */
async function startupSession(cli) {
  const text = realWorldScript(13000);
  let file;
  // Shows progress, as editors do: the server asks to create it before its first slice of indexing.
  const { connection, published } = await startServer(cli, { window: { workDoneProgress: true } }, (dir) => {
    file = join(dir, 'project13000.lua');
    writeFileSync(file, text);
  });
  const { times, openMs } = await requestsUntilDiagnosed(connection, published, pathToFileURL(file).href, text, 'textDocument/foldingRange');
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  return { ...stats(times), max: Math.max(...times), count: times.length, openMs };
}

/**
 * Opens `text` as `uri` on the connection and asks `method` of it over and over (5 ms after each
 * answer) until its first diagnostics come: how long each request waited, and the open's time to
 * those diagnostics.
 */
async function requestsUntilDiagnosed(connection, published, uri, text, method) {
  let diagnosed;
  const done = published(uri, 1).then(() => (diagnosed = performance.now()));
  const t0 = performance.now();
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version: 1, text } });
  const times = [];
  while (diagnosed === undefined) {
    const t = performance.now();
    await connection.sendRequest(method, { textDocument: { uri } });
    times.push(performance.now() - t);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await done;
  return { times, openMs: diagnosed - t0 };
}

/**
 * As VS Code asks for diagnostics (pulled, with the last report's id): a one-character edit in the
 * 13,000-line file's longest function, then textDocument/diagnostic, 40 times; the answer's bytes.
 */
async function pullSession(cli) {
  const { connection } = await startServer(cli, { textDocument: { diagnostic: { dynamicRegistration: false } } });
  const text = realWorldScript(13000);
  const file = join(ws, 'realpull13000.lua');
  const uri = pathToFileURL(file).href;
  writeFileSync(file, text);
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version: 1, text } });
  let report = await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  const line = longestFunctionLine(text.split('\n'));
  const times = [];
  const bytes = [];
  for (let i = 0; i < 40; i++) {
    const t = performance.now();
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: i + 2 },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: i % 2 } }, text: i % 2 ? '' : ' ' }],
    });
    const previousResultId = report.resultId;
    report = await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) });
    times.push(performance.now() - t);
    bytes.push(JSON.stringify(report).length);
  }
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  return { ...stats(times.slice(1)), bytes: stats(bytes).median };
}

/**
 * A real client: Neovim's built-in one (headless, neovim-latency.lua) on a server of its own. A
 * space typed and deleted in the 13,000-line file's longest function, on a line that holds a
 * diagnostic, timed from the buffer's change to the diagnostics set in Neovim: back to back, then
 * 100 ms apart; the open of the file in the fresh server; and of 10 keystrokes on a line that holds
 * none, how many had diagnostics set all the same, and their median time. Undefined without `nvim`.
 */
function neovimSession(cli) {
  if (spawnSync('nvim', ['--version']).status !== 0) return undefined;
  const dir = newWorkspace();
  const text = realWorldScript(13000);
  const file = join(dir, 'realnvim13000.lua');
  writeFileSync(file, text);
  const out = join(dir, 'nvim.json');
  // The edit lands in the longest function as the other rows' does, at the start of the first line
  // from there that holds a diagnostic (the shape's `local labelN`, an unused local), which every
  // keystroke moves; the quiet keystrokes, on the other rows' line, which holds none.
  const lines = text.split('\n');
  const quietLine = longestFunctionLine(lines);
  const line = lines.findIndex((l, i) => i >= quietLine && /^\s*local label\d+ = /.test(l));
  const env = {
    ...process.env, SANDLUA_CLI: cli, SANDLUA_WS: dir, SANDLUA_SCRIPT: file, SANDLUA_LINE: String(line), SANDLUA_QUIET_LINE: String(quietLine),
    SANDLUA_ROUNDS: '40', SANDLUA_PACED: '20', SANDLUA_GAP: '100', SANDLUA_QUIET: '10', SANDLUA_QUIET_WAIT: '500', SANDLUA_OUT: out,
  };
  const run = spawnSync('nvim', ['--headless', '-u', 'NONE', '-c', `luafile ${join(root, 'bench/neovim-latency.lua')}`], { cwd: dir, env, encoding: 'utf8', timeout: 300000 });
  let seen;
  try {
    seen = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    throw new Error(`no result from nvim: ${run.stderr || run.stdout}`);
  }
  if (seen.error || seen.missed > 0) throw new Error(`nvim: ${seen.error ?? `${seen.missed} keystrokes without diagnostics`}`);
  const quietTimes = Array.isArray(seen.quietTimes) ? seen.quietTimes : [];
  return {
    edit: stats(seen.times.slice(1)), paced: stats(seen.pacedTimes), open: seen.open, diagnostics: seen.diagnostics,
    quiet: seen.quiet, quietSets: quietTimes.length, quietMedian: quietTimes.length > 0 ? stats(quietTimes).median : 0,
  };
}

const baseAt = process.argv.indexOf('--base');
const BASE = baseAt > 0 ? join(process.argv[baseAt + 1], 'server/dist/sandlua.js') : undefined;

// ---- a fetched real-world corpus (--corpus DIR...) ---------------------------------------------

function luaFiles(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) luaFiles(path, out);
    else if (entry.isFile() && entry.name.endsWith('.lua')) out.push(path);
  }
  return out;
}

/** One server session over the corpus's files, each copied into the workspace (under its contract). */
async function corpusSession(cli, files) {
  const { connection, published } = await startServer(cli);
  const r = { open: [], edit: [], largeOpen: [], largeEdit: [], largeWhole: [], lines: 0, bytes: 0, largeFiles: [], diagnostics: 0 };
  const timed = async (uri, version, send) => {
    const done = published(uri, version);
    const t0 = performance.now();
    await send();
    r.diagnostics += (await done).length;
    return performance.now() - t0;
  };
  for (let f = 0; f < files.length; f++) {
    const text = readFileSync(files[f], 'latin1');
    const lines = text.split('\n');
    const large = lines.length >= 1000;
    r.lines += lines.length;
    r.bytes += text.length;
    const file = join(ws, `corpus${f}.lua`);
    writeFileSync(file, text, 'latin1');
    const uri = pathToFileURL(file).href;
    let version = 1;
    const openMs = await timed(uri, version, () => connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lua', version, text } }));
    r.open.push(openMs);
    if (large) r.largeOpen.push(openMs);
    const edits = [];
    for (const at of [0.25, 0.5, 0.75]) {
      const line = Math.floor((lines.length - 1) * at);
      for (let i = 0; i < 6; i++) {
        version++;
        const change = { range: { start: { line, character: 0 }, end: { line, character: i % 2 } }, text: i % 2 ? '' : ' ' };
        edits.push(await timed(uri, version, () => connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] })));
      }
    }
    // The first edit of a file warms its incremental state; the rest are what typing costs.
    r.edit.push(...edits.slice(1));
    if (large) {
      r.largeEdit.push(...edits.slice(1));
      const line = Math.floor((lines.length - 1) / 2);
      const spaced = [...lines.slice(0, line), ' ' + lines[line], ...lines.slice(line + 1)].join('\n');
      for (let i = 0; i < 10; i++) {
        version++;
        r.largeWhole.push(await timed(uri, version, () => connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: i % 2 ? text : spaced }] })));
      }
      r.largeFiles.push({ file: files[f], lines: lines.length, open: openMs, edit: stats(edits.slice(1)).median, whole: stats(r.largeWhole.slice(-10)).median });
    }
    await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  return r;
}

const corpusAt = process.argv.indexOf('--corpus');
if (corpusAt > 0) {
  const dirs = process.argv.slice(corpusAt + 1).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--base');
  const files = dirs.flatMap((d) => luaFiles(d)).sort();
  const ours = await corpusSession(CLI, files);
  const base = BASE ? await corpusSession(BASE, files) : undefined;
  removeFolders();
  const ms = (x) => `${x.toFixed(2)} ms`;
  const spread = (xs) => { if (xs.length === 0) return "(no such files)"; const s = stats(xs); return `${ms(s.median)} p95 ${ms(s.p95)}`; };
  const row = (label, pick) => console.log(`${label.padEnd(46)} ${pick(ours).padStart(30)}${base ? `   ${pick(base).padStart(30)}` : ''}`);
  console.log(`language server on a real-world corpus: ${files.length} files, ${ours.lines} lines, ${(ours.bytes / 1048576).toFixed(1)} MB, under the workspace's contract\n`);
  console.log(`${''.padEnd(46)} ${'this build'.padStart(30)}${base ? `   ${`base (${process.argv[baseAt + 1]})`.padStart(30)}` : ''}`);
  row('edit → diagnostics, every file', (r) => spread(r.edit));
  row('open → first diagnostics, every file', (r) => spread(r.open));
  row(`files of 1,000+ lines (${ours.largeOpen.length}): edit → diagnostics`, (r) => spread(r.largeEdit));
  row('  whole-text change', (r) => spread(r.largeWhole));
  row('  open → first diagnostics', (r) => spread(r.largeOpen));
  row('diagnostics published in all', (r) => String(r.diagnostics));
  console.log('\nfiles of 1,000+ lines, median edit / whole-text change / open:');
  ours.largeFiles.forEach((file, i) => {
    const one = (r) => `${r.largeFiles[i].edit.toFixed(1)} / ${r.largeFiles[i].whole.toFixed(1)} / ${r.largeFiles[i].open.toFixed(1)} ms`;
    row(`  ${file.file.split('/').slice(-2).join('/')} (${file.lines})`, one);
  });
  process.exit(0);
}

// With a base, each build runs twice in the order ours, base, base, ours, and each figure is the
// mean of its two sessions: run one after the other, the build that ran second came out ahead
// (with the same code in both columns, open → first diagnostics took 473 ms first, 393 ms second).
const [ours, base] = await bothBuilds(session);
const [oursPull, basePull] = await bothBuilds(pullSession);
ours.realPull = oursPull;
if (base) base.realPull = basePull;
const [oursStartup, baseStartup] = await bothBuilds(startupSession);
ours.startup = oursStartup;
if (base) base.startup = baseStartup;
const [oursNvim, baseNvim] = await bothBuilds(async (cli) => neovimSession(cli));
ours.nvim = oursNvim;
if (base) base.nvim = baseNvim;

// The CLI on 1,000 scripts (the same files, on disk).
const tree = join(newWorkspace(), 'tree');
spawnSync('mkdir', ['-p', tree]);
copyFileSync(join(root, 'examples/invoice-normalizer/sandlua.json'), join(tree, 'sandlua.json'));
for (let i = 0; i < 1000; i++) writeFileSync(join(tree, `s${i}.lua`), example);
const t0 = performance.now();
const check = spawnSync(process.execPath, [CLI, 'check', tree, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
const checkMs = performance.now() - t0;
if (check.status !== 0) console.error(check.stderr);
removeFolders();

const ms = (x) => `${x.toFixed(2)} ms`;
// With the server's page faults an edit where they were counted (the 13,000-line rows).
const pair = (f) => `${ms(f.median)} p95 ${ms(f.p95)}${f.faults === undefined ? '' : `, ${f.faults.toFixed(0)} pf`}`;
const pageFault = faultCost();
const row = (label, pick, target) => console.log(`${label.padEnd(50)} ${pick(ours).padStart(30)}${base ? `   ${pick(base).padStart(30)}` : ''}   ${target}`);
console.log('language server benchmark (real JSON-RPC connection to sandlua lsp --stdio)\n');
if (pageFault !== undefined) console.log(`pf: the server's page faults (first touches of memory), an edit or in all; one costs ${pageFault.toFixed(1)} us here\n`);
console.log(`${''.padEnd(50)} ${'this build'.padStart(30)}${base ? `   ${`base (${process.argv[baseAt + 1]})`.padStart(30)}` : ''}`);
row('didChange → diagnostics, 100-line script (median)', (r) => pair(r.small), '(target < 3 ms median)');
row('didChange → diagnostics, 10,000-line script', (r) => pair(r.large), '');
row('  10,000 top-level locals (100 syntax errors)', (r) => pair(r.flat), '');
row('  10,000 top-level statements (valid)', (r) => pair(r.flatValid), '');
row('  whole-text change (the same edit, no range)', (r) => pair(r.whole), '');
row('real-world shape, 13,000 lines: edit → diagnostics', (r) => pair(r.realEdit), '(target < 15 ms median, p95 < 40 ms)');
row('  the same, 100 ms between keystrokes (typing)', (r) => pair(r.realPaced), '');
row('  whole-text change', (r) => pair(r.realWhole), '(target < 20 ms median)');
row('  edit → pulled diagnostics (VS Code); answer', (r) => `${pair(r.realPull)}, ${r.realPull.bytes} B`, '');
row('  through Neovim 0.7 (headless): edit → set', (r) => (r.nvim ? pair(r.nvim.edit) : 'no nvim'), '');
row('    the same, 100 ms between keystrokes', (r) => (r.nvim ? pair(r.nvim.paced) : 'no nvim'), '');
row('    an edit that changes none: diagnostics set', (r) => (r.nvim ? `${r.nvim.quietSets} of ${r.nvim.quiet} edits${r.nvim.quietSets > 0 ? `, ${ms(r.nvim.quietMedian)}` : ''}` : 'no nvim'), '');
row('    open → set (a fresh server)', (r) => (r.nvim ? ms(r.nvim.open) : 'no nvim'), '');
row('  edit inside the 1,500-line describe(...)', (r) => pair(r.realDescribe), '');
row('  edit on a top-level local every function sees', (r) => pair(r.realHeader), '');
row('  a statement typed and erased, per keystroke', (r) => pair(r.realTyping), '');
row('  open → first diagnostics', (r) => `${ms(r.realOpen)}${r.realOpenFaults === undefined ? '' : `, ${r.realOpenFaults.toFixed(0)} pf`}`, '(target < 300 ms)');
row('  server GC pauses: an edit; the open', (r) => `${ms(r.realGc.edit)}; ${ms(r.realGc.open)}`, '');
row('  a request while it opens (folding), median', (r) => `${ms(r.opening.median)} max ${ms(r.opening.max)}`, '');
row('    (requests answered; open → diagnostics)', (r) => `${r.opening.count}; ${ms(r.opening.openMs)}`, '');
row('  a fresh server in a project holding the file:', () => '', '');
row('    a request while it opens (folding), median', (r) => `${ms(r.startup.median)} max ${ms(r.startup.max)}`, '');
row('    (requests answered; open → diagnostics)', (r) => `${r.startup.count}; ${ms(r.startup.openMs)}`, '');
row('  semantic tokens of the file after an edit', (r) => pair(r.realTokens), '');
row('    as a delta against the last result (VS Code)', (r) => (r.realTokenDeltas ? pair(r.realTokenDeltas) : '-'), '');
row('  document symbols (the outline) after an edit', (r) => pair(r.realSymbols), '');
row('  folding ranges after an edit', (r) => pair(r.realFolding), '');
row('  no contract (syntax errors only): edit → diag.', (r) => pair(r.realPlain), '');
row('    open → first diagnostics', (r) => ms(r.realPlainOpen), '');
row('  completion', (r) => pair(r.realCompletion), '(target p95 < 10 ms)');
row('  hover', (r) => pair(r.realHover), '(target p95 < 10 ms)');
row('completion, 10,000-line script', (r) => pair(r.completion), '(target p95 < 10 ms)');
row('  10,000 top-level locals', (r) => pair(r.flatCompletion), '');
row('hover, 10,000-line script', (r) => pair(r.hover), '(target p95 < 10 ms)');
row('server memory with 1,000 scripts open (RSS)', (r) => `${(r.memory / 1048576).toFixed(0)} MB, ${((r.memory - r.memoryBefore) / 1000 / 1024).toFixed(0)} KB/script`, '(target < 150 MB, < 100 KB per script; LuaLS ~1 MB per file)');
console.log(`${'sandlua check of 1,000 scripts'.padEnd(50)} ${`${(checkMs / 1000).toFixed(2)} s`.padStart(30)}   target < 3 s`);
