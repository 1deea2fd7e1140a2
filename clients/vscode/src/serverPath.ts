// Finding code4me-lsp: the `code4me.serverPath` setting, else the first executable on PATH. Pure apart
// from the injected `isExecutable`, for Node's test runner.

import * as path from 'path';

export const serverName = 'code4me-lsp';

export type ServerPathResult = { ok: true; path: string } | { ok: false; message: string };

export function resolveServerPath(
  setting: string | undefined,
  envPath: string | undefined,
  isExecutable: (file: string) => boolean,
  platform: string = process.platform,
): ServerPathResult {
  const configured = setting?.trim();
  if (configured) {
    return isExecutable(configured)
      ? { ok: true, path: configured }
      : { ok: false, message: `code4me.serverPath is set to "${configured}", which is not an executable file.` };
  }
  const names = platform === 'win32' ? [`${serverName}.exe`, serverName] : [serverName];
  const separator = platform === 'win32' ? ';' : ':';
  for (const dir of (envPath ?? '').split(separator)) {
    if (!dir) {
      continue;
    }
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) {
        return { ok: true, path: candidate };
      }
    }
  }
  return {
    ok: false,
    message: `${serverName} was not found on PATH. Install it (dotnet publish server/Code4me.Lsp -c Release -o <dir>) and add <dir> to PATH, or set code4me.serverPath.`,
  };
}
