// A plain Node LSP client on vscode-languageserver-protocol (the library under vscode-languageclient),
// driving the real code4me-lsp over stdio the way VS Code's client does: VS Code-like capabilities,
// incremental didChange, inline completion, the accept command, shown/partial/rejected notifications,
// settings through didChangeConfiguration, and chat with a partialResultToken.
// Run: CODE4ME_LSP_EXE=... node --test tests/clients/node_client.test.mjs  (after npm ci in clients/vscode)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../clients/vscode/package.json', import.meta.url));
const { createProtocolConnection, StreamMessageReader, StreamMessageWriter, ProgressType } = require('vscode-languageserver-protocol/node');

const exe = process.env.CODE4ME_LSP_EXE;
const WAIT_MS = 20000;

let server;
let connection;
let workspace;
let exited;
let stderr = '';
const teacherUri = () => pathToFileURL(join(workspace, 'teacher.py')).href;
const targetUri = () => pathToFileURL(join(workspace, 'target.py')).href;
let targetText = 'import numpy as np\n\n';
let targetVersion = 1;

/** Awaits `promise`, failing with `what` after a bound instead of hanging. */
async function within(what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${WAIT_MS} ms: ${what}\nserver stderr:\n${stderr.slice(-2000)}`)), WAIT_MS); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const request = (method, params) => within(method, params === undefined ? connection.sendRequest(method) : connection.sendRequest(method, params));

function positionAtEnd(text) {
  const lines = text.split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

/** Types `text` at the end of target.py, one incremental change per character as VS Code sends them. */
async function typeAtEnd(text) {
  for (const ch of text) {
    const at = positionAtEnd(targetText);
    targetText += ch;
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: targetUri(), version: ++targetVersion },
      contentChanges: [{ range: { start: at, end: at }, rangeLength: 0, text: ch }],
    });
  }
}

async function complete(triggerKind) {
  return request('textDocument/inlineCompletion', {
    textDocument: { uri: targetUri() },
    position: positionAtEnd(targetText),
    context: { triggerKind, selectedCompletionInfo: undefined },
  });
}

const queryIdOf = (item) => item.command.arguments[0].queryId;

// What VS Code 1.91's client sends (the parts that matter here, same shapes and values).
const vscodeCapabilities = {
  general: {
    staleRequestSupport: { cancel: true, retryOnContentModified: [] },
    regularExpressions: { engine: 'ECMAScript', version: 'ES2020' },
    markdown: { parser: 'marked', version: '1.1.0' },
    positionEncodings: ['utf-16'],
  },
  workspace: {
    applyEdit: true,
    workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] },
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
    executeCommand: { dynamicRegistration: true },
    configuration: true,
    workspaceFolders: true,
  },
  textDocument: {
    synchronization: { dynamicRegistration: true, willSave: true, willSaveWaitUntil: true, didSave: true },
    completion: { dynamicRegistration: true, contextSupport: true, completionItem: { snippetSupport: true } },
    inlineCompletion: { dynamicRegistration: true },
  },
  window: { showMessage: { messageActionItem: { additionalPropertiesSupport: true } }, showDocument: { support: true }, workDoneProgress: true },
};

let editorSettings = {};

// The user changes a setting: the editor's settings change, then the client says so; the server asks for them.
async function changeSettings(settings) {
  editorSettings = settings;
  await connection.sendNotification('workspace/didChangeConfiguration', { settings: { code4me: settings } });
}

// Repeats `attempt` until `done(result)` holds (the server applies pulled settings a moment after the push).
async function until(what, attempt, done) {
  const deadline = Date.now() + 20000;
  for (;;) {
    const result = await attempt();
    if (done(result)) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(result)}`);
  }
}

before(async () => {
  assert.ok(exe, 'CODE4ME_LSP_EXE must point at the published code4me-lsp');
  workspace = mkdtempSync(join(tmpdir(), 'code4me-node-client-'));
  server = spawn(exe, [], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'] });
  server.stderr.on('data', (d) => { stderr += d.toString(); });
  exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  connection = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  // Server-to-client requests VS Code's client answers.
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('client/unregisterCapability', () => null);
  // As vscode-languageclient does: the `code4me` section of the editor's settings (here: what the test last set).
  connection.onRequest('workspace/configuration', (params) => params.items.map((item) => (item.section === 'code4me' ? editorSettings : null)));
  connection.onRequest('window/showMessageRequest', () => null);
  connection.onNotification(() => undefined);
  connection.listen();
});

after(async () => {
  if (connection) {
    connection.dispose();
  }
  if (server && server.exitCode === null) {
    server.kill('SIGKILL');
  }
  if (workspace) {
    rmSync(workspace, { recursive: true, force: true });
  }
});

test('initialize_VsCodeCapabilities_NegotiatesUtf16AndOffersInlineCompletionAndTheAcceptCommand', async () => {
  const result = await request('initialize', {
    processId: process.pid,
    clientInfo: { name: 'Visual Studio Code', version: '1.91.0' },
    locale: 'en',
    rootUri: pathToFileURL(workspace).href,
    workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'ws' }],
    capabilities: vscodeCapabilities,
    initializationOptions: { completion: { manualOnly: false, debounceMinMs: 50, debounceMaxMs: 400 }, logging: { clientLevel: 'Warning' } },
    trace: 'off',
  });
  await connection.sendNotification('initialized', {});
  assert.equal(result.capabilities.positionEncoding, 'utf-16');
  assert.ok(result.capabilities.inlineCompletionProvider, 'inlineCompletionProvider missing');
  assert.ok(result.capabilities.executeCommandProvider?.commands?.includes('code4me.acceptCompletion'),
    `executeCommandProvider: ${JSON.stringify(result.capabilities.executeCommandProvider)}`);
  assert.equal(result.serverInfo.name, 'code4me-lsp');
});

test('inlineCompletion_AutomaticAfterTypingATaughtPattern_ReturnsItemWithAcceptCommand', async () => {
  const teacher = 'import numpy as np\n\n' + Array.from({ length: 8 }, (_, i) => `data${i + 1} = np.loadtxt(path, delimiter=",")\n`).join('');
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: teacherUri(), languageId: 'python', version: 1, text: teacher } });
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: targetUri(), languageId: 'python', version: 1, text: targetText } });
  await typeAtEnd('data9 = np.loadtxt(');
  const state = await request('code4me/documentState', { textDocument: { uri: targetUri() } });
  assert.equal(state.length, targetText.length, 'server text length after incremental changes');

  const result = await complete(2);
  assert.ok(result.items.length >= 1, `no items: ${JSON.stringify(result)}`);
  const item = result.items[0];
  assert.match(item.insertText, /path/);
  assert.deepEqual(item.range.start, positionAtEnd(targetText));
  assert.equal(item.command.command, 'code4me.acceptCompletion');
  assert.equal(typeof queryIdOf(item), 'string');

  // Shown, then accepted the way VS Code does it: insert, then run the item's command.
  await connection.sendNotification('textDocument/didShowCompletion', { item });
  await typeAtEnd(item.insertText);
  const accepted = await request('workspace/executeCommand', { command: item.command.command, arguments: item.command.arguments });
  assert.equal(accepted, null);
  const recorded = await request('code4me/queryState', { queryId: queryIdOf(item) });
  assert.equal(recorded.shownCount, 1);
  assert.equal(recorded.accepted, true);
  assert.equal(recorded.rejected, false);
});

test('partialAcceptAndReject_OnNewCompletions_AreRecordedPerQuery', async () => {
  await typeAtEnd('\ndata10 = np.loadtxt(');
  const first = (await complete(1)).items[0];
  assert.ok(first, 'no item for the partial-accept query');
  await connection.sendNotification('textDocument/didShowCompletion', { item: first });
  await connection.sendNotification('textDocument/didPartiallyAcceptCompletion', { item: first, acceptedLength: 4 });
  let state = await request('code4me/queryState', { queryId: queryIdOf(first) });
  assert.equal(state.partiallyAcceptedLength, 4);
  assert.equal(state.accepted, false);

  const second = (await complete(1)).items[0];
  assert.ok(second, 'no item for the rejected query');
  assert.notEqual(queryIdOf(second), queryIdOf(first));
  await connection.sendNotification('textDocument/didShowCompletion', { item: second });
  await connection.sendNotification('code4me/completionRejected', { item: second });
  state = await request('code4me/queryState', { queryId: queryIdOf(second) });
  assert.equal(state.rejected, true);
  assert.equal(state.accepted, false);
});

test('didChangeConfiguration_VsCodeShapeManualOnly_StopsAutomaticButNotInvoked', async () => {
  await changeSettings({ completion: { manualOnly: true } });
  await until('automatic requests to get nothing under manualOnly', () => complete(2), (r) => r.items.length === 0);
  const invoked = await complete(1);
  assert.ok(invoked.items.length >= 1, 'invoked completion must still answer under manualOnly');
  await changeSettings({ completion: { manualOnly: false } });
  await until('automatic completion to come back after manualOnly=false', () => complete(2), (r) => r.items.length >= 1);
});

test('chat_WithPartialResultToken_StreamsTheReply', async () => {
  const token = 'node-client-chat-1';
  let streamed = '';
  const subscription = connection.onProgress(new ProgressType(), token, (value) => {
    streamed += typeof value === 'string' ? value : (value?.delta ?? '');
  });
  try {
    // run_all.sh points the server at a loopback chat provider (C4_CHAT_REPLY is what it streams).
    assert.ok(process.env.C4_CHAT_REPLY, 'run this test through tests/clients/run_all.sh (it starts the chat provider)');
    const result = await request('code4me/chat', { message: 'What does np.loadtxt return?', textDocument: { uri: targetUri() }, partialResultToken: token });
    assert.equal(typeof result.chatId, 'string');
    assert.equal(result.reply, process.env.C4_CHAT_REPLY);
    assert.equal(streamed, result.reply, 'streamed deltas must add up to the reply');
    assert.equal(result.usage.completionTokens, 9);
  } finally {
    subscription.dispose();
  }
});

test('shutdownThenExit_AsVsCodeStops_ServerExitsWithZero', async () => {
  // As VS Code's ShutdownRequest.type (a RequestType0): no params member at all.
  assert.equal(await request('shutdown'), null);
  await connection.sendNotification('exit');
  const { code, signal } = await within('server exit', exited);
  assert.equal(signal, null);
  assert.equal(code, 0);
});
