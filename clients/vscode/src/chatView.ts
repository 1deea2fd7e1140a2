// The Code4me chat view (a webview in the Code4me side bar): asks code4me/chat with the active file (or the
// selection) as context and streams the reply ($/progress partial results), lists past chats (code4me/chats),
// reopens one (code4me/chatHistory), and takes feedback on a reply (code4me/chatFeedback).

import * as vscode from 'vscode';
import { LanguageClient, ProgressType, State } from 'vscode-languageclient/node';
import { chatViewHtml } from './chatViewHtml';

const methodNotFound = -32601;

interface ChatSummary { chatId: string; title: string; createdAt?: string }
interface ChatHistoryMessage { queryId: string; role: string; content: string; isMistake?: boolean | null }

/** Messages from the webview. */
type FromView =
  | { type: 'ready' }
  | { type: 'send'; message: string }
  | { type: 'newChat' }
  | { type: 'openChat'; chatId: string }
  | { type: 'feedback'; queryId: string; isMistake: boolean };

export class ChatViewProvider implements vscode.WebviewViewProvider {
  public static readonly viewId = 'code4me.chatView';

  private view: vscode.WebviewView | undefined;
  private chatId: string | undefined;
  private tokens = 0;
  private busy = false;

  constructor(private readonly client: () => LanguageClient | undefined) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = { enableScripts: true };
    view.webview.html = chatViewHtml(nonce(), view.webview.cspSource);
    view.webview.onDidReceiveMessage((message: FromView) => this.receive(message));
  }

  /** Shows the view and puts the caret in its input. */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`);
    void this.post({ type: 'focus' });
  }

  /** The server (re)started: the chat list may have changed. */
  serverReady(): void {
    void this.refreshChats();
  }

  private post(message: unknown): Thenable<boolean> | undefined {
    return this.view?.webview.postMessage(message);
  }

  private running(): LanguageClient | undefined {
    const c = this.client();
    return c && c.state === State.Running ? c : undefined;
  }

  private async receive(message: FromView): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.refreshChats();
        return;
      case 'send':
        await this.send(message.message);
        return;
      case 'newChat':
        this.chatId = undefined;
        void this.post({ type: 'history', chatId: null, title: 'New chat', messages: [] });
        return;
      case 'openChat':
        await this.open(message.chatId);
        return;
      case 'feedback':
        await this.feedback(message.queryId, message.isMistake);
        return;
    }
  }

  private async refreshChats(): Promise<void> {
    const c = this.running();
    if (!c) {
      return;
    }
    try {
      const list = await c.sendRequest<{ chats?: ChatSummary[] }>('code4me/chats', { page: 0, pageSize: 50 });
      void this.post({ type: 'chats', chats: list?.chats ?? [], current: this.chatId ?? null });
    } catch (error) {
      void this.post({ type: 'chats', chats: [], current: null, error: errorText(error) });
    }
  }

  private async open(chatId: string): Promise<void> {
    const c = this.running();
    if (!c) {
      return;
    }
    try {
      const history = await c.sendRequest<{ chatId: string; title: string; messages: ChatHistoryMessage[] }>(
        'code4me/chatHistory', { chatId });
      this.chatId = history.chatId;
      void this.post({ type: 'history', chatId: history.chatId, title: history.title, messages: history.messages });
    } catch (error) {
      void this.post({ type: 'error', text: errorText(error) });
    }
  }

  private async feedback(queryId: string, isMistake: boolean): Promise<void> {
    const c = this.running();
    if (!c || !this.chatId) {
      return;
    }
    try {
      await c.sendRequest('code4me/chatFeedback', { chatId: this.chatId, queryId, isMistake });
      void this.post({ type: 'feedbackRecorded', queryId, isMistake });
    } catch (error) {
      void this.post({ type: 'error', text: errorText(error) });
    }
  }

  private async send(message: string): Promise<void> {
    const c = this.running();
    void this.post({ type: 'user', text: message });
    if (!c) {
      void this.post({ type: 'error', text: 'The Code4me server is not running.' });
      return;
    }
    if (this.busy) {
      void this.post({ type: 'error', text: 'Code4me is still answering the previous message.' });
      return;
    }
    this.busy = true;
    const token = `code4me-chat-view-${++this.tokens}`;
    let streamed = false;
    void this.post({ type: 'start' });
    const progress = c.onProgress(new ProgressType<unknown>(), token, (value) => {
      const delta = typeof value === 'string' ? value
        : typeof value === 'object' && value !== null ? (value as { delta?: unknown }).delta : undefined;
      if (typeof delta === 'string') {
        streamed = true;
        void this.post({ type: 'delta', text: delta });
      }
    });
    try {
      const params: Record<string, unknown> = { message, partialResultToken: token };
      if (this.chatId) {
        params.chatId = this.chatId;
      }
      const editor = vscode.window.activeTextEditor;
      if (editor && editor.document.uri.scheme === 'file') {
        params.textDocument = { uri: editor.document.uri.toString() };
        if (!editor.selection.isEmpty) {
          params.range = c.code2ProtocolConverter.asRange(editor.selection);
        }
      }
      const result = await c.sendRequest<{ chatId?: string; queryId?: string; reply?: string; model?: string }>('code4me/chat', params);
      const isNew = this.chatId === undefined;
      this.chatId = result?.chatId ?? this.chatId;
      if (!streamed && typeof result?.reply === 'string') {
        void this.post({ type: 'delta', text: result.reply });
      }
      void this.post({ type: 'done', chatId: this.chatId ?? null, queryId: result?.queryId ?? null, model: result?.model ?? null });
      if (isNew) {
        await this.refreshChats();
      }
    } catch (error) {
      const code = (error as { code?: number }).code;
      void this.post({
        type: 'error',
        text: code === methodNotFound
          ? `Code4me chat is unavailable: the server does not implement code4me/chat (${(error as Error).message})`
          : errorText(error),
      });
    } finally {
      progress.dispose();
      this.busy = false;
    }
  }
}

function errorText(error: unknown): string {
  const code = (error as { code?: number }).code;
  return `Code4me chat error${code !== undefined ? ` ${code}` : ''}: ${(error as Error).message ?? String(error)}`;
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let result = '';
  for (let i = 0; i < 32; i++) {
    result += chars.charAt(Math.floor(Math.random() * chars.length));
  }
  return result;
}
