// F5 on every example script in a real VS Code, with no launch.json: the script is opened, a
// breakpoint set on its first statement, and `workbench.action.debug.start` (what F5 runs) starts
// the session; the configuration provider (client/src/extension.ts) turns the empty configuration
// into a launch of the active script with its contract's input. The session must stop at the
// breakpoint (seen as VS Code's active stack frame), and the Variables view shows `input` as a
// preview of its fields (seen in the adapter's answers through a DebugAdapterTracker).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { snapshot } from './snapshot';
import { folder as workspace } from './util';

/** The example scripts (each example folder with a contract, and its tools/ and rules/), relative to the workspace. */
function exampleScripts(): string[] {
  const root = workspace();
  return fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'sandlua.json'))).flatMap((d) =>
    ['.', 'tools', 'rules'].map((sub) => path.join(d, sub)).filter((dir) => fs.existsSync(path.join(root, dir)))
      .flatMap((dir) => fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.lua')).map((f) => path.join(dir, f))));
}

/** The 1-based line of a script's first statement (after blank lines and comments). */
function firstStatement(file: string): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (inBlock) {
      inBlock = !line.includes(']]');
      continue;
    }
    if (line.startsWith('--[[')) inBlock = !line.includes(']]');
    else if (line !== '' && !line.startsWith('--')) return i + 1;
  }
  throw new Error(`${file} has no statement`);
}

/** Resolves with the first value `event` fires that passes `test`, or fails after `ms` (failing unheard if nobody waits any more). */
function next<T>(what: string, event: vscode.Event<T>, test: (value: T) => boolean = () => true, ms = 30000): Promise<T> {
  const promise = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { listener.dispose(); reject(new Error(`timed out waiting for ${what}`)); }, ms);
    const listener = event((value) => {
      if (!test(value)) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(value);
    });
  });
  promise.catch(() => undefined);
  return promise;
}

const QUOTE = path.join('pricing-rules', 'rules', 'quote.lua');

interface DapMessage { type: string; event?: string; command?: string; body?: { variables?: { name: string; value: string }[] } }

describe('F5 on the example scripts (no launch.json)', () => {
  // What the adapter sends to VS Code, as a DebugAdapterTracker sees it.
  const sent = new vscode.EventEmitter<DapMessage>();
  let tracker: vscode.Disposable;

  before(() => {
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('sandlua', { createDebugAdapterTracker: () => ({ onDidSendMessage: (m: DapMessage) => sent.fire(m) }) });
    assert.ok(!fs.existsSync(path.join(workspace(), '.vscode', 'launch.json')), 'the workspace has no launch.json');
  });
  after(() => tracker.dispose());

  const scripts = exampleScripts();
  it('finds the example scripts', () => assert.ok(scripts.length >= 6, scripts.join(', ')));

  for (const script of scripts) {
    it(`debugs ${script} with F5: stops at the breakpoint on its first statement`, async () => {
      const file = path.join(workspace(), script);
      const line = firstStatement(file);
      const uri = vscode.Uri.file(file);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const bp = new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(line - 1, 0)));
      vscode.debug.addBreakpoints([bp]);
      let session: vscode.DebugSession | undefined;
      try {
        const started = next('the session', vscode.debug.onDidStartDebugSession);
        const stopped = next('the stop', sent.event, (m) => m.type === 'event' && m.event === 'stopped');
        const input = script === QUOTE ? next('the Variables view', sent.event, (m) => m.type === 'response' && m.command === 'variables' && (m.body?.variables ?? []).some((v) => v.name === 'input')) : undefined;
        await vscode.commands.executeCommand('workbench.action.debug.start');
        session = await started;
        assert.equal(session.type, 'sandlua');
        assert.equal(session.configuration.program, file, 'the active script');
        await stopped;
        const isFrame = (item: vscode.DebugThread | vscode.DebugStackFrame | undefined): boolean => item instanceof vscode.DebugStackFrame && item.session.id === session!.id;
        const frame = (isFrame(vscode.debug.activeStackItem) ? vscode.debug.activeStackItem : await next('the active stack frame', vscode.debug.onDidChangeActiveStackItem, isFrame)) as vscode.DebugStackFrame;
        const trace = await session.customRequest('stackTrace', { threadId: frame.threadId }) as { stackFrames: { line: number; source?: { path?: string } }[] };
        // (In a remote window VS Code hands the path on as a vscode-remote URI.)
        assert.deepEqual([vscode.Uri.parse(trace.stackFrames[0].source?.path ?? '').path, trace.stackFrames[0].line], [uri.path, line]);
        if (input) {
          // The Variables view of the stop asks for the locals: `input` is shown with its fields.
          const shown = (await input).body!.variables!.find((v) => v.name === 'input')!;
          assert.equal(shown.value, '{amount = 120, discount = 0.1, region = "eu", weight_kg = 2.5}');
          // …and the window shows it there.
          await snapshot('f5-quote', ['{amount = 120, discount = 0.1', 'Paused on breakpoint']);
        }
      } finally {
        if (session) {
          const ended = next('the end of the session', vscode.debug.onDidTerminateDebugSession, (s) => s.id === session!.id);
          await vscode.debug.stopDebugging(session);
          await ended;
        }
        vscode.debug.removeBreakpoints([bp]);
      }
    });
  }
});
