// VS Code settings (`code4me.*`) -> the server's `code4me` settings object (initializationOptions,
// workspace/didChangeConfiguration and the answer to workspace/configuration). Pure: no `vscode` import, so
// Node's test runner can load it.

/** Reads one setting by its key below `code4me.` (e.g. "completion.manualOnly"); undefined when unset. */
export type SettingReader = (key: string) => unknown;

type SettingType = 'boolean' | 'number' | 'string' | 'objects';

/**
 * The keys sent to the server, below `code4me.`, with the type each must have. The server's keys are the same
 * path in camelCase (`telemetry.consent.enabled` is `Code4me:Telemetry:Consent:Enabled`).
 */
export const serverSettingKeys: ReadonlyArray<readonly [key: string, type: SettingType]> = [
  ['completion.manualOnly', 'boolean'],
  ['completion.debounceMinMs', 'number'],
  ['completion.debounceMaxMs', 'number'],
  ['completion.deadlineMs', 'number'],
  ['completion.policy', 'string'],
  ['completion.models', 'objects'],
  ['completion.offline.minConfidence', 'number'],
  ['chat.endpoint', 'string'],
  ['chat.model', 'string'],
  ['chat.apiKeyEnvironmentVariable', 'string'],
  ['chat.sendUnredactedMessages', 'boolean'],
  ['chat.temperature', 'number'],
  ['chat.maxTokens', 'number'],
  ['chat.systemPrompt', 'string'],
  ['telemetry.consent.enabled', 'boolean'],
  ['telemetry.consent.storeContext', 'boolean'],
  ['telemetry.consent.storeContextual', 'boolean'],
  ['telemetry.consent.storeBehavioral', 'boolean'],
  ['logging.clientLevel', 'string'],
];

/** Keys that change how the server is started: a change restarts it instead of being sent. */
export const restartSettingKeys: ReadonlyArray<string> = ['serverPath', 'serverArgs'];

export type SettingValue = boolean | number | string | ReadonlyArray<Record<string, unknown>>;
export interface ServerSettings { [name: string]: SettingValue | ServerSettings }

function accepts(type: SettingType, value: unknown): value is SettingValue {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string' && value.trim() !== '';
    case 'objects':
      return Array.isArray(value) && value.length > 0
        && value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    default:
      return typeof value === type;
  }
}

/**
 * The `code4me` settings object the server expects, e.g.
 * `{ completion: { manualOnly: false, debounceMinMs: 50 }, telemetry: { consent: { enabled: true } } }`.
 * Only the server's keys are sent (not serverPath, trace, enabled …). Values of the wrong type are left out so a
 * hand-edited settings.json cannot make the server refuse the whole object, and so are empty strings and empty
 * lists (unset: the server's own setting, e.g. from `--config` or the environment, stays).
 */
export function toServerSettings(read: SettingReader): ServerSettings {
  const result: ServerSettings = {};
  for (const [key, type] of serverSettingKeys) {
    const value = read(key);
    if (!accepts(type, value)) {
      continue;
    }
    const path = key.split('.');
    let section = result;
    for (const name of path.slice(0, -1)) {
      section = (section[name] ??= {}) as ServerSettings;
    }
    section[path[path.length - 1]!] = value;
  }
  return result;
}

/** The didChangeConfiguration params for the current settings. */
export function toDidChangeConfigurationParams(read: SettingReader): { settings: { code4me: ServerSettings } } {
  return { settings: { code4me: toServerSettings(read) } };
}

/**
 * The answer to a workspace/configuration request: the server's settings for each item whose section is `code4me`,
 * `null` for any other section (as VS Code answers a section it does not know).
 */
export function toConfigurationResult(items: ReadonlyArray<{ section?: string }>, read: SettingReader): Array<ServerSettings | null> {
  return items.map((item) => (item.section === 'code4me' ? toServerSettings(read) : null));
}

/** Whether a configuration change needs the server restarted (true) or only re-sent (false). */
export function needsRestart(affects: (key: string) => boolean): boolean {
  return restartSettingKeys.some((key) => affects(`code4me.${key}`));
}

/** The environment variable through which the server gets the auth token (`Code4me:Database:AuthToken`). */
export const authTokenVariable = 'Code4me__Database__AuthToken';

/**
 * Why `value` is not an auth token (a UUID, as `code4me-lsp user create` prints it), or undefined when it is one: the
 * input box shows the reason while the user types.
 */
export function authTokenError(value: string): string | undefined {
  return /^\s*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s*$/i.test(value)
    ? undefined
    : 'An auth token is a UUID such as 0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b (code4me-lsp user create prints it).';
}

/**
 * The server's environment: the extension host's, with the auth token from VS Code's secret storage when there is one
 * (never in settings.json, initializationOptions or the LSP trace); without one, whatever the environment carries.
 */
export function serverEnvironment(base: NodeJS.ProcessEnv, authToken: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (authToken !== undefined && authToken.trim() !== '') {
    env[authTokenVariable] = authToken.trim();
  }
  return env;
}
