// Code4me for VS Code: a thin vscode-languageclient wrapper around code4me-lsp. The client's built-in
// inline completion feature (LSP 3.18, registered by vscode-languageclient 10) shows the ghost text;
// the middleware keeps the server's items so the tracker can report shown / partial / rejected.

import * as fs from 'fs';
import * as vscode from 'vscode';
import {
  ConfigurationParams,
  ExecuteCommandSignature,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { ChatViewProvider } from './chatView';
import { acceptCommand, extendsSelectedItem, itemsOf } from './items';
import { resolveServerPath } from './serverPath';
import {
  authTokenError,
  needsRestart,
  serverEnvironment,
  toConfigurationResult,
  toDidChangeConfigurationParams,
  toServerSettings,
} from './settings';
import { Caret, CompletionTracker } from './tracker';

let client: LanguageClient | undefined;
let tracker: CompletionTracker | undefined;
let status: vscode.StatusBarItem;
let output: vscode.LogOutputChannel;
let chatView: ChatViewProvider;
let pending = 0;
let signedIn = false;

/** The key of the auth token in VS Code's secret storage (Code4me: Set Auth Token). */
const authTokenSecret = 'code4me.authToken';

function readSetting(key: string): unknown {
  return vscode.workspace.getConfiguration('code4me').get(key);
}

/** `code4me.enabled`: inline completions on (the default) or off (chat still works). */
function completionsEnabled(): boolean {
  return readSetting('enabled') !== false;
}

async function setEnabled(enabled: boolean): Promise<void> {
  await vscode.workspace.getConfiguration('code4me').update('enabled', enabled, vscode.ConfigurationTarget.Global);
  if (!enabled) {
    await vscode.commands.executeCommand('editor.action.inlineSuggest.hide');
  }
  showState();
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
    const server = `${info?.name ?? 'code4me-lsp'} ${info?.version ?? ''} running`;
    if (!completionsEnabled()) {
      setStatus('$(circle-slash) Code4me (off)', `Code4me: ${server}; completions are off (Code4me: Enable Completions). Click for its log.`);
      return;
    }
    const manual = readSetting('completion.manualOnly') === true ? ' (manual)' : '';
    const consent = readSetting('telemetry.consent.enabled') === true ? 'on' : 'off';
    const account = signedIn ? '; signed in with an auth token' : '';
    setStatus(pending > 0 ? '$(sync~spin) Code4me' : `$(sparkle) Code4me${manual}`,
      `Code4me: ${server}${manual}; research telemetry ${consent}${account}. Click for its log.`);
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
  if (!c || !completionsEnabled()) {
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
    // With the suggest widget open VS Code shows only an item that extends the selected one: another is not shown.
    const selected = context.selectedCompletionInfo;
    const caret = { line: position.line, character: position.character };
    if (!selected || extendsSelectedItem(items[0]!, {
      range: c.code2ProtocolConverter.asRange(selected.range),
      text: selected.text,
    }, caret, (start, end) => document.getText(new vscode.Range(start.line, start.character, end.line, end.character)))) {
      tracker?.shown(items, caretOf(document, position));
    }
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
  const authToken = await context.secrets.get(authTokenSecret);
  signedIn = authToken !== undefined;
  const serverOptions: ServerOptions = {
    command: found.path, args, transport: TransportKind.stdio, options: { env: serverEnvironment(process.env, authToken) },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
    initializationOptions: toServerSettings(readSetting),
    outputChannel: output,
    middleware: {
      provideInlineCompletionItems,
      executeCommand,
      // The server pulls its settings (workspace/configuration): the same object initializationOptions carries, not
      // VS Code's whole `code4me` section (serverPath, trace … are the extension's own).
      workspace: {
        configuration: (params: ConfigurationParams, token, next) =>
          params.items.some((item) => item.section === 'code4me')
            ? toConfigurationResult(params.items, readSetting)
            : next(params, token),
      },
    },
  };
  const c = new LanguageClient('code4me', 'Code4me', serverOptions, clientOptions);
  client = c;
  tracker = new CompletionTracker((method, params) => {
    if (c.state === State.Running) {
      void c.sendNotification(method, params);
    }
  });
  context.subscriptions.push(c.onDidChangeState((event) => {
    showState();
    if (event.newState === State.Running) {
      chatView.serverReady();
    }
  }));
  showState();
  try {
    await c.start();
  } catch (error) {
    output.appendLine(`Code4me: the server failed to start: ${String(error)}`);
  }
  showState();
}

/** Code4me: Set Auth Token: asks for the token (hidden as typed), keeps it in VS Code's secret storage, restarts. */
async function setAuthToken(context: vscode.ExtensionContext): Promise<void> {
  const token = await vscode.window.showInputBox({
    title: 'Code4me: Set Auth Token',
    prompt: 'The auth token of your Code4me account: telemetry and chats are then stored as yours. Kept in VS Code\'s secret storage.',
    placeHolder: '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b',
    password: true,
    ignoreFocusOut: true,
    validateInput: authTokenError,
  });
  if (token === undefined) {
    return;
  }
  await context.secrets.store(authTokenSecret, token.trim());
  await restart(context);
}

/** Code4me: Forget Auth Token: removes it from the secret storage; the server restarts anonymous. */
async function forgetAuthToken(context: vscode.ExtensionContext): Promise<void> {
  await context.secrets.delete(authTokenSecret);
  await restart(context);
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  const old = client;
  client = undefined;
  if (old) {
    await old.dispose().catch(() => undefined);
  }
  await startClient(context);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Code4me', { log: true });
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.command = 'code4me.showOutput';
  status.show();
  chatView = new ChatViewProvider(() => client);
  context.subscriptions.push(output, status,
    vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, chatView, { webviewOptions: { retainContextWhenHidden: true } }));

  context.subscriptions.push(
    vscode.commands.registerCommand('code4me.chat', () => chatView.reveal()),
    vscode.commands.registerCommand('code4me.enable', () => setEnabled(true)),
    vscode.commands.registerCommand('code4me.disable', () => setEnabled(false)),
    vscode.commands.registerCommand('code4me.toggle', () => setEnabled(!completionsEnabled())),
    vscode.commands.registerCommand('code4me.restartServer', () => restart(context)),
    vscode.commands.registerCommand('code4me.setAuthToken', () => setAuthToken(context)),
    vscode.commands.registerCommand('code4me.forgetAuthToken', () => forgetAuthToken(context)),
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
      if (event.affectsConfiguration('code4me.enabled')) {
        showState();
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
