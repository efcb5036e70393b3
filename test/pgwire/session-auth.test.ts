/**
 * The session's startup rules on real sockets, without a catalog engine (authentication never
 * reaches it): a client on another host must use TLS, and trust skips the password.
 * The peer address is this machine's own non-loopback address, so the rule is exercised for real.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEngine } from '../../src/pgwire/catalog-engine.js';
import { scramVerifier } from '../../src/pgwire/scram.js';
import { Session, type ServerContext } from '../../src/pgwire/session.js';
import { StatementCache } from '../../src/pgwire/statement-cache.js';
import { fakeConnection } from './fake-connection.js';

const externalAddress = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

let cert: string;
let key: string;
let server: Server | undefined;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'pgwire-auth-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=dynasql-test', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  key = readFileSync(join(dir, 'key.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Serves sessions on `host` with the given rules; the engine is never reached during startup. */
async function serve(host: string, rules: { trust: boolean; tls: boolean }): Promise<number> {
  const engine = { forget: () => undefined } as unknown as CatalogEngine;
  const ctx: ServerContext = {
    connection: fakeConnection(),
    engine,
    names: { schema: 'emulator', tableNames: new Set(), functionNames: new Set() },
    plainReads: new Map(),
    statements: new StatementCache(),
    users: new Map([['bi', scramVerifier('pencil')]]),
    activity: () => [],
    signal: () => undefined,
    trust: rules.trust,
    tls: rules.tls ? createSecureContext({ cert, key }) : undefined,
    cancel: () => undefined,
    register: () => undefined,
    unregister: () => undefined,
    log: () => undefined,
  };
  server = createServer((socket) => new Session(socket, ctx));
  await new Promise<void>((resolve) => server!.listen(0, host, resolve));
  return (server.address() as { port: number }).port;
}

async function login(config: pg.ClientConfig): Promise<string> {
  const client = new pg.Client({ user: 'bi', database: 'dynamics', ...config });
  try {
    await client.connect();
    return 'connected';
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe.skipIf(!externalAddress)('clients on another host', () => {
  it('are refused without TLS and accepted over TLS', async () => {
    const port = await serve(externalAddress!, { trust: false, tls: true });
    expect(await login({ host: externalAddress, port, password: 'pencil', ssl: false })).toBe(
      '28000: connections from other hosts must use TLS (sslmode=require)',
    );
    expect(await login({ host: externalAddress, port, password: 'pencil', ssl: { rejectUnauthorized: false } })).toBe('connected');
    expect(await login({ host: externalAddress, port, password: 'wrong', ssl: { rejectUnauthorized: false } })).toMatch(/^28P01/);
  });
});

describe('trust', () => {
  it('admits any user without a password when enabled, and asks for SCRAM otherwise', async () => {
    const trusting = await serve('127.0.0.1', { trust: true, tls: false });
    expect(await login({ host: '127.0.0.1', port: trusting, user: 'anyone' })).toBe('connected');
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const strict = await serve('127.0.0.1', { trust: false, tls: false });
    expect(await login({ host: '127.0.0.1', port: strict, user: 'anyone', password: 'nope' })).toBe('28P01: password authentication failed for user "anyone"');
  });
});
