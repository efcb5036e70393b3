import { describe, expect, it } from 'vitest';
import { parseAuthFlags } from '../../../src/emulator/identity/parse-auth-flags.js';

describe('parseAuthFlags', () => {
  it('turns auth on with --auth or any --auth-* flag', () => {
    expect(parseAuthFlags(['--auth', '--rows', '5'])).toEqual({ auth: {}, rest: ['--rows', '5'] });
    expect(parseAuthFlags(['--auth-client', 'app:s3:cret', '--auth-audience=https://contoso.crm.dynamics.com', '--auth-token-lifetime', '60']).auth).toEqual({
      clients: [{ clientId: 'app', clientSecret: 's3:cret' }], audience: ['https://contoso.crm.dynamics.com'], tokenLifetimeSeconds: 60,
    });
    expect(parseAuthFlags(['--port', '0']).auth).toBeUndefined();
  });
  it('refuses malformed values', () => {
    expect(() => parseAuthFlags(['--auth-client', 'nosecret'])).toThrow('--auth-client needs CLIENT_ID:SECRET');
    expect(() => parseAuthFlags(['--auth-audience', 'contoso'])).toThrow(/org URL/);
    expect(() => parseAuthFlags(['--auth-token-lifetime', '0'])).toThrow(/at least 1 second/);
    expect(() => parseAuthFlags(['--auth-port', '70000'])).toThrow(/0 to 65535/);
  });
});
