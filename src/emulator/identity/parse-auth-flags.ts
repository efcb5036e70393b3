import type { AuthOptions, RegisteredClient } from './identity-options.js';

/**
 * Command-line flags that turn on the identity provider and the API's token check:
 *
 *   --auth                        on, with the default client and user (identity-options.ts)
 *   --auth-audience URL           an org URL tokens may be issued for (repeatable)
 *   --auth-client ID:SECRET       a confidential client (repeatable; replaces the default ones)
 *   --auth-token-lifetime SECONDS access-token lifetime (default 3600)
 *   --auth-port N                 the provider's HTTPS port (default: a free one)
 *
 * Any --auth-* flag implies --auth. Unknown flags come back in `rest`.
 *
 *   parseAuthFlags(['--auth-client', 'app:s3cret', '--rows', '10'])
 *   // → { auth: { clients: [{ clientId: 'app', clientSecret: 's3cret' }] }, rest: ['--rows', '10'] }
 */
export function parseAuthFlags(argv: readonly string[]): { auth: AuthOptions | undefined; rest: string[] } {
  let on = false;
  const auth: AuthOptions = {};
  const audiences: string[] = [];
  const clients: RegisteredClient[] = [];
  const rest: string[] = [];
  const whole = (name: string, text: string) => {
    if (!/^\d{1,9}$/.test(text)) throw new Error(`${name} needs a whole number, got ${JSON.stringify(text)}`);
    return Number(text);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--auth') {
      on = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!['--auth-audience', '--auth-client', '--auth-token-lifetime', '--auth-port'].includes(name)) {
      rest.push(arg);
      continue;
    }
    const text = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (text === undefined || text === '') throw new Error(`${name} needs a value`);
    on = true;
    switch (name) {
      case '--auth-audience':
        if (!/^https?:\/\/[^/\s]+/.test(text)) throw new Error(`--auth-audience needs an org URL such as https://contoso.crm.dynamics.com, got ${JSON.stringify(text)}`);
        audiences.push(text);
        break;
      case '--auth-client': {
        const colon = text.indexOf(':');
        if (colon <= 0 || colon === text.length - 1) throw new Error('--auth-client needs CLIENT_ID:SECRET');
        clients.push({ clientId: text.slice(0, colon), clientSecret: text.slice(colon + 1) });
        break;
      }
      case '--auth-token-lifetime':
        auth.tokenLifetimeSeconds = whole(name, text);
        if (auth.tokenLifetimeSeconds === 0) throw new Error('--auth-token-lifetime needs at least 1 second');
        break;
      case '--auth-port':
        auth.port = whole(name, text);
        if (auth.port > 65535) throw new Error(`--auth-port needs a port from 0 to 65535, got ${text}`);
        break;
    }
  }
  if (!on) return { auth: undefined, rest };
  if (audiences.length) auth.audience = audiences;
  if (clients.length) auth.clients = clients;
  return { auth, rest };
}
