/**
 * GetOAuthAccessToken through connect() against the emulator's identity provider: the authorization
 * URL first, then (after the "browser" step) the code exchange, whose access token then works.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';

let emu: RunningEmulator;
let dir: string;
let browser: Agent;
let conn: Connection;
let base: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 2, auth: { clients: [{ clientId: 'app', clientSecret: 'app-secret-value' }] } });
  dir = mkdtempSync(join(tmpdir(), 'dynasql-oauth-proc-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emu.identity!.caCertificatePem);
  browser = new Agent({ connect: { ca: emu.identity!.caCertificatePem } });
  base = `Organization URL=${emu.origin};Authority Host=${emu.identity!.url};Azure Tenant=${emu.identity!.tenantId};CA File=${caFile}`;
  conn = await connect(`${base};Auth Scheme=ClientSecret;Client Id=app;Client Secret=app-secret-value;Redirect URI=http://localhost:33998/cb`);
});
afterAll(async () => {
  await conn?.close();
  await browser?.close();
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('GetOAuthAccessToken', () => {
  it('returns the sign-in URL, then exchanges the code for tokens', async () => {
    const first = await conn.query("EXEC GetOAuthAccessToken @State = 'my-state'");
    expect(first.columns.map((c) => c.name)).toEqual(['AuthorizationUrl', 'CodeVerifier', 'State', 'RedirectUri']);
    const { AuthorizationUrl, CodeVerifier, State, RedirectUri } = first.rows[0] as Record<string, string>;
    expect(State).toBe('my-state');
    expect(RedirectUri).toBe('http://localhost:33998/cb');
    expect(new URL(AuthorizationUrl!).searchParams.get('state')).toBe('my-state');
    const answer = await request(AuthorizationUrl!, { dispatcher: browser });
    await answer.body.dump();
    const code = new URL(String(answer.headers.location)).searchParams.get('code');
    expect(code).toBeTruthy();
    await expect(conn.query('EXEC GetOAuthAccessToken @AuthCode = @code', { code })).rejects.toMatchObject({ code: 'DYNASQL_ERR_PARAMETER', message: expect.stringContaining('@CodeVerifier') });
    const second = await conn.query('EXEC GetOAuthAccessToken @AuthCode = @code, @CodeVerifier = @verifier', { code, verifier: CodeVerifier });
    const token = second.rows[0]!.OAuthAccessToken as string;
    expect(token).toMatch(/^eyJ/);
    expect((second.rows[0]!.ExpiresOn as Date).getTime()).toBeGreaterThan(Date.now());
    const byToken = await connect(`${base};Access Token=${token}`);
    try {
      expect((await byToken.query('SELECT TOP 1 name FROM account')).rowCount).toBe(1);
    } finally {
      await byToken.close();
    }
  });
});
