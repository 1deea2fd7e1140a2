import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { toServerSettings, toDidChangeConfigurationParams, needsRestart, authTokenError, serverEnvironment, authTokenVariable } = require('../out/test-lib/settings.js');

const reader = (values) => (key) => values[key];

test('toServerSettings_AllKeysSet_NestsThemBySection', () => {
  const settings = toServerSettings(reader({
    'completion.manualOnly': true,
    'completion.debounceMinMs': 30,
    'completion.debounceMaxMs': 300,
    'completion.deadlineMs': 1500,
    'logging.clientLevel': 'Information',
  }));
  assert.deepEqual(settings, {
    completion: { manualOnly: true, debounceMinMs: 30, debounceMaxMs: 300, deadlineMs: 1500 },
    logging: { clientLevel: 'Information' },
  });
});

test('toServerSettings_ClientOnlyKeys_AreNotSent', () => {
  const settings = toServerSettings(reader({ serverPath: '/x', serverArgs: ['--a'], 'trace.server': 'verbose', 'completion.manualOnly': false }));
  assert.deepEqual(settings, { completion: { manualOnly: false } });
});

test('toServerSettings_WrongTypes_AreLeftOut', () => {
  const settings = toServerSettings(reader({
    'completion.manualOnly': 'yes',
    'completion.debounceMinMs': Number.NaN,
    'completion.debounceMaxMs': '400',
    'logging.clientLevel': 3,
  }));
  assert.deepEqual(settings, {});
});

test('toDidChangeConfigurationParams_Always_WrapsTheSectionUnderCode4me', () => {
  assert.deepEqual(toDidChangeConfigurationParams(reader({ 'completion.manualOnly': true })),
    { settings: { code4me: { completion: { manualOnly: true } } } });
});

test('needsRestart_ServerPathOrArgsChanged_True', () => {
  assert.equal(needsRestart((key) => key === 'code4me.serverPath'), true);
  assert.equal(needsRestart((key) => key === 'code4me.serverArgs'), true);
});

test('needsRestart_CompletionSettingChanged_False', () => {
  assert.equal(needsRestart((key) => key === 'code4me.completion.manualOnly'), false);
});

test('toServerSettings_ConsentChatAndModels_NestByTheirPath', () => {
  const models = [{ name: 'ngram', kind: 'Offline' }, { name: 'qwen', kind: 'OpenAi', endpoint: 'http://127.0.0.1:8080' }];
  const settings = toServerSettings(reader({
    'telemetry.consent.enabled': true,
    'telemetry.consent.storeBehavioral': false,
    'chat.endpoint': 'http://127.0.0.1:9/v1',
    'chat.model': 'm',
    'completion.models': models,
    'completion.offline.minConfidence': 0.3,
  }));
  assert.deepEqual(settings, {
    telemetry: { consent: { enabled: true, storeBehavioral: false } },
    chat: { endpoint: 'http://127.0.0.1:9/v1', model: 'm' },
    completion: { models, offline: { minConfidence: 0.3 } },
  });
});

test('toServerSettings_EmptyStringsListsAndNulls_AreUnset', () => {
  const settings = toServerSettings(reader({
    'chat.endpoint': '', 'chat.model': '  ', 'completion.models': [], 'chat.temperature': null, 'completion.policy': undefined,
  }));
  assert.deepEqual(settings, {});
});

test('toServerSettings_ModelsNotAListOfObjects_AreLeftOut', () => {
  assert.deepEqual(toServerSettings(reader({ 'completion.models': ['ngram'] })), {});
  assert.deepEqual(toServerSettings(reader({ 'completion.models': { name: 'ngram' } })), {});
});

test('toConfigurationResult_Code4meSection_TheServerSettings_OtherSectionsNull', () => {
  const { toConfigurationResult } = require('../out/test-lib/settings.js');
  assert.deepEqual(toConfigurationResult([{ section: 'code4me' }, { section: 'editor' }, {}], reader({ 'completion.manualOnly': true })),
    [{ completion: { manualOnly: true } }, null, null]);
});

test('authTokenError_AUuid_IsAccepted_AnythingElseGetsAReason', () => {
  assert.equal(authTokenError('0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b'), undefined);
  assert.equal(authTokenError(' 0193A2B4-5C6D-7E8F-9A0B-1C2D3E4F5A6B '), undefined);
  for (const wrong of ['', 'secret', '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6', '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b0']) {
    assert.match(authTokenError(wrong), /UUID/);
  }
});

test('serverEnvironment_WithAToken_AddsItTrimmed_WithoutOne_LeavesTheEnvironmentAsItIs', () => {
  const base = { PATH: '/usr/bin', HOME: '/home/a' };
  assert.deepEqual(serverEnvironment(base, ' 0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b '),
    { PATH: '/usr/bin', HOME: '/home/a', [authTokenVariable]: '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b' });
  assert.deepEqual(serverEnvironment(base, undefined), base);
  assert.equal(authTokenVariable, 'Code4me__Database__AuthToken');
  assert.deepEqual(base, { PATH: '/usr/bin', HOME: '/home/a' }); // the extension host's own is not changed
});
