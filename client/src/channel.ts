// The one output channel "Sandlua": the language client's log, its protocol trace and Run Script's
// log all write here. The language client (10.x) traces only when its trace channel's log level is
// Trace, so the trace side reports Trace whenever `sandlua.trace.server` is not `off` and tells the
// client when that setting changes. Lines written are also kept (the last few thousand) so the
// extension's API can show a test what the channel says.
import * as vscode from 'vscode';

const KEPT = 4000;
const LEVELS = ['off', 'trace', 'debug', 'info', 'warning', 'error'] as const;

export class Channel {
  private readonly out: vscode.OutputChannel;
  private readonly kept: string[] = [];

  constructor(name: string) {
    this.out = vscode.window.createOutputChannel(name);
  }

  appendLine(line: string): void {
    this.out.appendLine(line);
    this.kept.push(...line.split('\n'));
    if (this.kept.length > KEPT) this.kept.splice(0, this.kept.length - KEPT);
  }

  append(text: string): void {
    // Everything that reaches the channel goes through appendLine, so what is kept is what is shown.
    this.appendLine(text.replace(/\n$/, ''));
  }

  /** What the channel shows (its last lines). */
  text(): string {
    return this.kept.join('\n');
  }

  show(preserveFocus = true): void {
    this.out.show(preserveFocus);
  }

  dispose(): void {
    this.out.dispose();
  }

  /** A log over this channel for the language client; `traceSetting` makes it the trace channel. */
  log(traceSetting?: string): vscode.LogOutputChannel & vscode.Disposable {
    return new Log(this, traceSetting);
  }
}

class Log implements vscode.LogOutputChannel {
  private readonly emitter = new vscode.EventEmitter<vscode.LogLevel>();
  readonly onDidChangeLogLevel = this.emitter.event;
  private readonly listener?: vscode.Disposable;

  constructor(private readonly channel: Channel, private readonly traceSetting?: string) {
    if (traceSetting) {
      this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(traceSetting)) this.emitter.fire(this.logLevel);
      });
    }
  }

  get name(): string {
    return 'Sandlua';
  }

  get logLevel(): vscode.LogLevel {
    if (!this.traceSetting) return vscode.LogLevel.Info;
    return vscode.workspace.getConfiguration().get<string>(this.traceSetting, 'off') === 'off' ? vscode.LogLevel.Info : vscode.LogLevel.Trace;
  }

  private write(level: vscode.LogLevel, message: string | Error, args: unknown[]): void {
    if (level < this.logLevel) return;
    const text = message instanceof Error ? message.stack ?? message.message : message;
    const extra = args.map((a) => (a instanceof Error ? a.stack ?? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    const time = new Date().toISOString().slice(11, 23);
    this.channel.appendLine(`[${time}] [${LEVELS[level]}] ${text}${extra ? ` ${extra}` : ''}`);
  }

  trace(message: string, ...args: unknown[]): void { this.write(vscode.LogLevel.Trace, message, args); }
  debug(message: string, ...args: unknown[]): void { this.write(vscode.LogLevel.Debug, message, args); }
  info(message: string, ...args: unknown[]): void { this.write(vscode.LogLevel.Info, message, args); }
  warn(message: string, ...args: unknown[]): void { this.write(vscode.LogLevel.Warning, message, args); }
  error(error: string | Error, ...args: unknown[]): void { this.write(vscode.LogLevel.Error, error, args); }
  append(value: string): void { this.channel.append(value); }
  appendLine(value: string): void { this.channel.appendLine(value); }
  replace(value: string): void { this.channel.appendLine(value); }
  clear(): void { /* the channel is shared: one writer does not clear the others' lines */ }
  show(columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    this.channel.show(typeof columnOrPreserveFocus === 'boolean' ? columnOrPreserveFocus : preserveFocus ?? true);
  }
  hide(): void { /* the channel stays where the user put it */ }
  dispose(): void {
    this.listener?.dispose();
    this.emitter.dispose();
  }
}
