/**
 * Which org to connect to, from (first found wins): `-c "<connection string>"`, `--profile NAME`
 * (a named entry in the user's config file), the `DYNASQL_CONNECTION` environment variable.
 *
 * The config file, `$XDG_CONFIG_HOME/dynasql/config.json` (else `~/.config/dynasql/config.json`):
 *
 * ```json
 * { "profiles": { "contoso": { "connection": "Organization URL=https://contoso.crm.dynamics.com;Auth Scheme=DeviceCode" } } }
 * ```
 *
 * A profile may also be just the connection string. Connection strings can hold secrets, so no
 * message here ever repeats one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DynasqlError, closestName } from '../errors/index.js';
import { configFile } from './paths.js';

type Env = Record<string, string | undefined>;

export interface ConnectionChoice {
  connection?: string;
  profile?: string;
}

interface ConfigFile {
  profiles?: Record<string, string | { connection?: unknown }>;
}

function readConfig(path: string): ConfigFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Could not read ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `${path} must hold a JSON object like {"profiles": {"name": {"connection": "..."}}}.`);
  }
  return parsed as ConfigFile;
}

function profileConnection(name: string, env: Env): string {
  const path = configFile(env);
  if (!existsSync(path)) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Profile '${name}' not found: there is no config file at ${path}.`);
  }
  const profiles = readConfig(path).profiles ?? {};
  const entry = Object.prototype.hasOwnProperty.call(profiles, name) ? profiles[name] : undefined;
  if (entry === undefined) {
    const suggestion = closestName(name, Object.keys(profiles));
    const known = Object.keys(profiles).length ? ` Profiles: ${Object.keys(profiles).join(', ')}.` : '';
    throw new DynasqlError(
      'DYNASQL_ERR_CONFIG',
      `Profile '${name}' not found in ${path}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}${known}`,
    );
  }
  const connection = typeof entry === 'string' ? entry : entry.connection;
  if (typeof connection !== 'string' || connection.trim() === '') {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Profile '${name}' in ${path} needs a "connection" string.`);
  }
  return connection;
}

/** The connection string to use, or undefined when none was given anywhere. */
export function resolveConnectionString(choice: ConnectionChoice, env: Env): string | undefined {
  if (choice.connection !== undefined) return choice.connection;
  if (choice.profile !== undefined) return profileConnection(choice.profile, env);
  const fromEnv = env.DYNASQL_CONNECTION;
  return fromEnv && fromEnv.trim() !== '' ? fromEnv : undefined;
}
