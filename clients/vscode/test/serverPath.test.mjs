import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { resolveServerPath } = require('../out/test-lib/serverPath.js');

test('resolveServerPath_SettingIsExecutable_UsesIt', () => {
  assert.deepEqual(resolveServerPath('/opt/c4/code4me-lsp', '/usr/bin', (f) => f === '/opt/c4/code4me-lsp', 'linux'),
    { ok: true, path: '/opt/c4/code4me-lsp' });
});

test('resolveServerPath_SettingNotExecutable_FailsNamingTheSetting', () => {
  const result = resolveServerPath('/nope', '/usr/bin', () => false, 'linux');
  assert.equal(result.ok, false);
  assert.match(result.message, /code4me\.serverPath.*\/nope/);
});

test('resolveServerPath_EmptySetting_TakesFirstOnPath', () => {
  const found = new Set(['/b/code4me-lsp', '/c/code4me-lsp']);
  assert.deepEqual(resolveServerPath('  ', '/a::/b:/c', (f) => found.has(f), 'linux'), { ok: true, path: '/b/code4me-lsp' });
});

test('resolveServerPath_Windows_LooksForExeWithSemicolons', () => {
  const result = resolveServerPath(undefined, 'C:\\a;C:\\b', (f) => f.endsWith('code4me-lsp.exe') && f.startsWith('C:\\b'), 'win32');
  assert.equal(result.ok, true);
});

test('resolveServerPath_NotFound_SaysHowToInstall', () => {
  const result = resolveServerPath(undefined, '/a:/b', () => false, 'linux');
  assert.equal(result.ok, false);
  assert.match(result.message, /not found on PATH.*dotnet publish/);
});
