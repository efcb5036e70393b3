import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConnectionString } from '../../src/cli/connection-source.js';
import { configFile, historyFile } from '../../src/cli/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'dynasql-cli-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withConfig(content: string) {
  const env = { XDG_CONFIG_HOME: join(dir, `c${Math.random()}`), HOME: dir };
  mkdirSync(join(env.XDG_CONFIG_HOME, 'dynasql'), { recursive: true });
  writeFileSync(configFile(env), content);
  return env;
}

describe('resolveConnectionString', () => {
  it('prefers -c, then --profile, then DYNASQL_CONNECTION', () => {
    const env = { ...withConfig('{"profiles":{"contoso":{"connection":"Organization URL=https://contoso.crm.dynamics.com"}}}'), DYNASQL_CONNECTION: 'from env' };
    expect(resolveConnectionString({ connection: 'given', profile: 'contoso' }, env)).toBe('given');
    expect(resolveConnectionString({ profile: 'contoso' }, env)).toBe('Organization URL=https://contoso.crm.dynamics.com');
    expect(resolveConnectionString({}, env)).toBe('from env');
    expect(resolveConnectionString({}, { HOME: dir })).toBeUndefined();
  });

  it('accepts a profile given as a plain string', () => {
    expect(resolveConnectionString({ profile: 'p' }, withConfig('{"profiles":{"p":"URL=http://127.0.0.1:1"}}'))).toBe('URL=http://127.0.0.1:1');
  });

  it('explains a missing profile, a missing file and a broken file', () => {
    const env = withConfig('{"profiles":{"contoso":"x","fabrikam":"y"}}');
    expect(() => resolveConnectionString({ profile: 'contsoo' }, env)).toThrow(/Profile 'contsoo' not found.*Did you mean 'contoso'\?/);
    expect(() => resolveConnectionString({ profile: 'x' }, { HOME: join(dir, 'nowhere') })).toThrow(/no config file at .*nowhere/);
    expect(() => resolveConnectionString({ profile: 'x' }, withConfig('{nope'))).toThrow(/Could not read/);
    expect(() => resolveConnectionString({ profile: 'p' }, withConfig('{"profiles":{"p":{}}}'))).toThrow(/needs a "connection" string/);
  });

  it('uses XDG folders when set and ~/.config, ~/.local/share otherwise', () => {
    expect(configFile({ HOME: '/home/u' })).toBe('/home/u/.config/dynasql/config.json');
    expect(historyFile({ HOME: '/home/u' })).toBe('/home/u/.local/share/dynasql/history');
    expect(historyFile({ HOME: '/home/u', XDG_DATA_HOME: '/data' })).toBe('/data/dynasql/history');
    expect(configFile({ HOME: '/home/u', XDG_CONFIG_HOME: 'relative' })).toBe('/home/u/.config/dynasql/config.json');
  });
});
