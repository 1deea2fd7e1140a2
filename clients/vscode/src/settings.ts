// VS Code settings (`code4me.*`) -> the server's `code4me` settings object (initializationOptions and
// workspace/didChangeConfiguration). Pure: no `vscode` import, so Node's test runner can load it.

/** Reads one setting by its key below `code4me.` (e.g. "completion.manualOnly"); undefined when unset. */
export type SettingReader = (key: string) => unknown;

/** The keys sent to the server, below `code4me.`, with the type each must have. */
export const serverSettingKeys: ReadonlyArray<readonly [key: string, type: 'boolean' | 'number' | 'string']> = [
  ['completion.manualOnly', 'boolean'],
  ['completion.debounceMinMs', 'number'],
  ['completion.debounceMaxMs', 'number'],
  ['completion.deadlineMs', 'number'],
  ['logging.clientLevel', 'string'],
];

/** Keys that change how the server is started: a change restarts it instead of being sent. */
export const restartSettingKeys: ReadonlyArray<string> = ['serverPath', 'serverArgs'];

export type ServerSettings = { [section: string]: { [name: string]: boolean | number | string } };

/**
 * The `code4me` settings object the server expects, e.g.
 * `{ completion: { manualOnly: false, debounceMinMs: 50 }, logging: { clientLevel: "Warning" } }`.
 * Only the server's keys are sent (not serverPath, trace …), and values of the wrong type are left out
 * so a hand-edited settings.json cannot make the server reject the whole object.
 */
export function toServerSettings(read: SettingReader): ServerSettings {
  const result: ServerSettings = {};
  for (const [key, type] of serverSettingKeys) {
    const value = read(key);
    if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
      continue;
    }
    const [section, name] = key.split('.') as [string, string];
    (result[section] ??= {})[name] = value as boolean | number | string;
  }
  return result;
}

/** The didChangeConfiguration params for the current settings. */
export function toDidChangeConfigurationParams(read: SettingReader): { settings: { code4me: ServerSettings } } {
  return { settings: { code4me: toServerSettings(read) } };
}

/** Whether a configuration change needs the server restarted (true) or only re-sent (false). */
export function needsRestart(affects: (key: string) => boolean): boolean {
  return restartSettingKeys.some((key) => affects(`code4me.${key}`));
}
