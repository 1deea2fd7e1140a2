// The LSP4IJ template in clients/jetbrains: its files have the shape LSP4IJ imports and carry every setting
// the README names, and the real server accepts its initializationOptions.json (initialize) and settings.json
// (didChangeConfiguration, and the workspace/configuration answer, as LSP4IJ sends them) and still completes.
// Run: CODE4ME_LSP_EXE=... node --test tests/clients/jetbrains_template.test.mjs  (after npm ci in clients/vscode)

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../clients/vscode/package.json', import.meta.url));
const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-languageserver-protocol/node');

const dir = new URL('../../clients/jetbrains/', import.meta.url);
const readJson = (name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const WAIT_MS = 20000;
const cleanups = [];

after(() => cleanups.forEach((f) => f()));

async function within(what, promise) {
  let timer;
  try {
    return await Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), WAIT_MS); })]);
  } finally {
    clearTimeout(timer);
  }
}

test('template_Files_HaveTheShapeLsp4ijImports', () => {
  const template = readJson('template.json');
  assert.equal(typeof template.id, 'string');
  assert.equal(typeof template.name, 'string');
  assert.equal(template.programArgs.default, 'code4me-lsp');
  assert.match(template.programArgs.windows, /^code4me-lsp(\.exe)?$/);
  assert.ok(template.fileTypeMappings.length > 0);
  for (const mapping of template.fileTypeMappings) {
    assert.equal(typeof mapping.languageId, 'string', JSON.stringify(mapping));
    assert.ok(mapping.fileType.name || mapping.fileType.patterns?.length, JSON.stringify(mapping));
  }
  const python = template.fileTypeMappings.find((m) => m.languageId === 'python');
  assert.ok(python?.fileType.patterns.includes('*.py'));
});

test('template_SettingsAndInitializationOptions_CarryTheSameCode4meSection', () => {
  assert.deepEqual(readJson('settings.json').code4me, readJson('initializationOptions.json'));
});

test('template_CarriesEverySettingItsReadmeNames', () => {
  const readme = readFileSync(new URL('README.md', dir), 'utf8');
  const named = [...readme.matchAll(/`((?:completion|logging|telemetry|chat)\.[A-Za-z.]+)`/g)].map((m) => m[1]);
  assert.ok(named.length >= 5, `the README names too few settings: ${named}`);
  const settings = readJson('settings.json').code4me;
  for (const path of named) {
    const value = path.split('.').reduce((o, key) => (o == null ? undefined : o[key]), settings);
    assert.notEqual(value, undefined, `README names ${path}, but settings.json does not carry it`);
  }
});

test('template_ConfigurationFromTheTemplate_IsAcceptedByTheServer', async () => {
  const exe = process.env.CODE4ME_LSP_EXE;
  assert.ok(exe, 'CODE4ME_LSP_EXE must point at the published code4me-lsp');
  const workspace = mkdtempSync(join(tmpdir(), 'code4me-jetbrains-'));
  const server = spawn(exe, [], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (d) => { stderr += d.toString(); });
  cleanups.push(() => { if (server.exitCode === null) server.kill('SIGKILL'); rmSync(workspace, { recursive: true, force: true }); });
  const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  const connection = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  const shown = [];
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  // LSP4IJ answers workspace/configuration from the template's settings.json, section by section.
  const pulled = [];
  connection.onRequest('workspace/configuration', (params) => {
    pulled.push(params);
    return params.items.map((item) => readJson('settings.json')[item.section] ?? null);
  });
  connection.onNotification('window/showMessage', (params) => shown.push(params));
  connection.onNotification('window/logMessage', (params) => shown.push(params));
  connection.onNotification(() => undefined);
  connection.listen();
  cleanups.push(() => connection.dispose());

  const result = await within('initialize', connection.sendRequest('initialize', {
    processId: process.pid,
    clientInfo: { name: 'LSP4IJ', version: '0.20.0' },
    rootUri: pathToFileURL(workspace).href,
    capabilities: { textDocument: { inlineCompletion: { dynamicRegistration: false } }, workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } } },
    initializationOptions: readJson('initializationOptions.json'),
  }));
  assert.ok(result.capabilities.inlineCompletionProvider);
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('workspace/didChangeConfiguration', { settings: readJson('settings.json') });

  const uri = pathToFileURL(join(workspace, 'a.py')).href;
  const text = 'import numpy as np\n' + 'x = np.loadtxt(path, delimiter=",")\n'.repeat(6) + 'y = np.loadtxt(';
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  const lines = text.split('\n');
  const completion = await within('inlineCompletion', connection.sendRequest('textDocument/inlineCompletion', {
    textDocument: { uri }, position: { line: lines.length - 1, character: lines[lines.length - 1].length }, context: { triggerKind: 1 },
  }));
  assert.ok(completion.items.length >= 1, `no completion after applying the template settings; server stderr:\n${stderr.slice(-2000)}`);
  // A rejected settings object is an error the server logs to the client (window/logMessage or showMessage).
  await within('a round trip after the settings', connection.sendRequest('code4me/documentState', { textDocument: { uri } }));
  const errors = shown.filter((m) => m.type <= 2);
  assert.deepEqual(errors, [], 'the server reported an error or warning (e.g. rejected settings)');
  assert.ok(pulled.some((p) => p.items.some((i) => i.section === 'code4me')), 'the server never asked for the code4me section');

  await within('shutdown', connection.sendRequest('shutdown'));
  await connection.sendNotification('exit');
  assert.equal(await within('exit', exited), 0);
});
