/**
 * Where the command keeps the user's files, following the XDG base-directory convention:
 * settings in `$XDG_CONFIG_HOME/dynasql` (else `~/.config/dynasql`), history in
 * `$XDG_DATA_HOME/dynasql` (else `~/.local/share/dynasql`). The environment is passed in, so tests
 * point these at a temporary folder.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

type Env = Record<string, string | undefined>;

function home(env: Env): string {
  return env.HOME || homedir();
}

/** XDG says a relative value must be ignored, as if unset. */
function xdg(env: Env, name: string, fallback: string[]): string {
  const value = env[name];
  return value && isAbsolute(value) ? value : join(home(env), ...fallback);
}

export function configDir(env: Env): string {
  return join(xdg(env, 'XDG_CONFIG_HOME', ['.config']), 'dynasql');
}

export function dataDir(env: Env): string {
  return join(xdg(env, 'XDG_DATA_HOME', ['.local', 'share']), 'dynasql');
}

export function configFile(env: Env): string {
  return join(configDir(env), 'config.json');
}

export function historyFile(env: Env): string {
  return join(dataDir(env), 'history');
}
