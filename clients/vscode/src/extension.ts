// Code4me for VS Code: a thin vscode-languageclient wrapper around code4me-lsp. The client's built-in
// inline completion feature (LSP 3.18, registered by vscode-languageclient 10) shows the ghost text;
// the middleware keeps the server's items so the tracker can report shown / partial / rejected.

import * as fs from 'fs';
import * as vscode from 'vscode';
import {
  ExecuteCommandSignature,
  LanguageClient,
  LanguageClientOptions,
  ProgressType,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { acceptCommand, itemsOf } from './items';
import { resolveServerPath } from './serverPath';
import { needsRestart, toDidChangeConfigurationParams, toServerSettings } from './settings';
import { Caret, CompletionTracker } from './tracker';

const methodNotFound = -32601;

let client: LanguageClient | undefined;
let tracker: CompletionTracker | undefined;
let status: vscode.StatusBarItem;
let output: vscode.LogOutputChannel;
let chatOutput: vscode.OutputChannel | undefined;
let chatId: string | undefined;
let chatCount = 0;
let pending = 0;

function readSetting(key: string): unknown {
  return vscode.workspace.getConfiguration('code4me').get(key);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function caretOf(document: vscode.TextDocument, position: vscode.Position): Caret {
  return {
    uri: document.uri.toString(),
    line: position.line,
    character: position.character,
    linePrefix: document.lineAt(position.line).text.slice(0, position.character),
  };
}

function setStatus(text: string, tooltip: string): void {
  status.text = text;
  status.tooltip = tooltip;
}

function showState(): void {
  if (!client) {
    setStatus('$(circle-slash) Code4me', 'Code4me: the server is not running. Click for its log.');
    return;
  }
  if (client.state === State.Running) {
    const info = client.initializeResult?.serverInfo;
    const manual = readSetting('completion.manualOnly') === true ? ' (manual)' : '';
    setStatus(pending > 0 ? '$(sync~spin) Code4me' : `$(sparkle) Code4me${manual}`,
      `Code4me: ${info?.name ?? 'code4me-lsp'} ${info?.version ?? ''} running${manual}. Click for its log.`);
  } else if (client.state === State.Starting) {
    setStatus('$(loading~spin) Code4me', 'Code4me: starting the server…');
  } else {
    setStatus('$(error) Code4me', 'Code4me: the server stopped. Click for its log.');
  }
}

async function provideInlineCompletionItems(
  document: vscode.TextDocument,
  position: vscode.Position,
  context: vscode.InlineCompletionContext,
  token: vscode.CancellationToken,
  _next: unknown,
): Promise<vscode.InlineCompletionList | undefined> {
  // The request is made here, not through `next`, to keep the server's items exactly as sent:
  // the shown/partial/rejected notifications must carry them back.
  const c = client;
  if (!c) {
    return undefined;
  }
  pending++;
  showState();
  try {
    const params = c.code2ProtocolConverter.asInlineCompletionParams(document, position, context);
    const result = await c.sendRequest('textDocument/inlineCompletion', params, token);
    if (token.isCancellationRequested) {
      return undefined;
    }
    const items = itemsOf(result);
    if (items.length === 0) {
      return undefined;
    }
    const converted = items.map((item) => c.protocol2CodeConverter.asInlineCompletionItem(item as never));
    tracker?.shown(items, caretOf(document, position));
    return new vscode.InlineCompletionList(converted);
  } catch (error) {
    return c.handleFailedRequest({ method: 'textDocument/inlineCompletion' } as never, token, error, undefined);
  } finally {
    pending--;
    showState();
  }
}

function executeCommand(command: string, args: unknown[], next: ExecuteCommandSignature): vscode.ProviderResult<unknown> {
  if (command === acceptCommand) {
    tracker?.accepted(args);
  }
  return next(command, args);
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const found = resolveServerPath(readSetting('serverPath') as string | undefined, process.env.PATH, isExecutable);
  if (!found.ok) {
    client = undefined;
    showState();
    output.appendLine(found.message);
    void vscode.window.showErrorMessage(`Code4me: ${found.message}`);
    return;
  }
  const args = (readSetting('serverArgs') as string[] | undefined) ?? [];
  const serverOptions: ServerOptions = { command: found.path, args, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
    initializationOptions: toServerSettings(readSetting),
    outputChannel: output,
    middleware: { provideInlineCompletionItems, executeCommand },
  };
  const c = new LanguageClient('code4me', 'Code4me', serverOptions, clientOptions);
  client = c;
  tracker = new CompletionTracker((method, params) => {
    if (c.state === State.Running) {
      void c.sendNotification(method, params);
    }
  });
  context.subscriptions.push(c.onDidChangeState(() => showState()));
  showState();
  try {
    await c.start();
  } catch (error) {
    output.appendLine(`Code4me: the server failed to start: ${String(error)}`);
  }
  showState();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  const old = client;
  client = undefined;
  if (old) {
    await old.dispose().catch(() => undefined);
  }
  await startClient(context);
}

function appendChat(text: string): void {
  chatOutput ??= vscode.window.createOutputChannel('Code4me Chat');
  chatOutput.append(text);
}

async function chat(): Promise<void> {
  const c = client;
  const message = await vscode.window.showInputBox({ prompt: 'Ask Code4me', placeHolder: 'What does this function do?' });
  if (!message) {
    return;
  }
  appendChat(`\n## You\n\n${message}\n\n## Code4me\n\n`);
  chatOutput?.show(true);
  if (!c || c.state !== State.Running) {
    appendChat('The Code4me server is not running.\n');
    return;
  }
  const editor = vscode.window.activeTextEditor;
  const token = `code4me-chat-${++chatCount}`;
  let streamed = false;
  const progress = c.onProgress(new ProgressType<unknown>(), token, (value) => {
    const delta = typeof value === 'string' ? value
      : typeof value === 'object' && value !== null ? (value as { delta?: unknown }).delta : undefined;
    if (typeof delta === 'string') {
      streamed = true;
      appendChat(delta);
    }
  });
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Code4me is answering…', cancellable: false },
      async () => {
        const params: Record<string, unknown> = { message, partialResultToken: token };
        if (chatId) {
          params.chatId = chatId;
        }
        if (editor && editor.document.uri.scheme === 'file') {
          params.textDocument = { uri: editor.document.uri.toString() };
          if (!editor.selection.isEmpty) {
            params.range = c.code2ProtocolConverter.asRange(editor.selection);
          }
        }
        const result = await c.sendRequest<{ chatId?: string; reply?: string; model?: string }>('code4me/chat', params);
        chatId = result?.chatId ?? chatId;
        if (!streamed && typeof result?.reply === 'string') {
          appendChat(result.reply);
        }
        appendChat(result?.model ? `\n\n(${result.model})\n` : '\n');
      });
  } catch (error) {
    const code = (error as { code?: number }).code;
    appendChat(code === methodNotFound
      ? `Code4me chat is unavailable: the server does not implement code4me/chat (${(error as Error).message})\n`
      : `Code4me chat error ${code ?? ''}: ${(error as Error).message}\n`);
  } finally {
    progress.dispose();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Code4me', { log: true });
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.command = 'code4me.showOutput';
  status.show();
  context.subscriptions.push(output, status);

  context.subscriptions.push(
    vscode.commands.registerCommand('code4me.chat', chat),
    vscode.commands.registerCommand('code4me.restartServer', () => restart(context)),
    vscode.commands.registerCommand('code4me.showOutput', () => output.show()),
    vscode.commands.registerCommand('code4me.dismissInlineSuggestion', async () => {
      tracker?.dismissed();
      await vscode.commands.executeCommand('editor.action.inlineSuggest.hide');
    }),
    vscode.workspace.onDidChangeTextDocument((event) => {
      for (const change of event.contentChanges) {
        tracker?.textInserted(event.document.uri.toString(), change.range.start.line, change.range.start.character, change.text);
      }
    }),
    vscode.window.onDidChangeTextEditorSelection((event) => {
      const active = event.selections[0]?.active;
      if (active) {
        tracker?.caretMoved(caretOf(event.textEditor.document, active));
      }
    }),
    vscode.workspace.onDidCloseTextDocument((document) => tracker?.documentClosed(document.uri.toString())),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration('code4me')) {
        return;
      }
      if (needsRestart((key) => event.affectsConfiguration(key))) {
        await restart(context);
      } else if (client?.state === State.Running) {
        await client.sendNotification('workspace/didChangeConfiguration', toDidChangeConfigurationParams(readSetting));
        showState();
      }
    }),
  );
  await startClient(context);
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    await c.stop();
  }
}
