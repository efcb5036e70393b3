/**
 * HTTP 401 and 403 name the likely cause and what to do, keeping the service's code in details:
 * tokens the emulator's API refuses (expired, for another org, not its signature), and app users the
 * emulator plays as missing, disabled or without a privilege.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DynasqlError } from '../../src/errors/index.js';
import { connect } from '../../src/index.js';

let emulator: RunningEmulator;
let caFile: string;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    rows: 3,
    auth: {
      clients: [
        { clientId: 'no-user', clientSecret: 's1-value', applicationUser: 'missing' },
        { clientId: 'disabled', clientSecret: 's2-value', applicationUser: 'disabled' },
        { clientId: 'no-role', clientSecret: 's3-value', applicationUser: { missingPrivilege: 'prvReadAccount' } },
      ],
    },
  });
  caFile = join(mkdtempSync(join(tmpdir(), 'dynasql-access-')), 'ca.pem');
  writeFileSync(caFile, emulator.identity!.caCertificatePem);
});
afterAll(() => emulator.close());

async function failure(settings: string, sql = 'SELECT name FROM account'): Promise<DynasqlError> {
  const identity = emulator.identity!;
  try {
    await using conn = await connect(`Url=${emulator.origin};Authority Host=${identity.url};Azure Tenant=${identity.tenantId};CA File=${caFile};${settings}`);
    await conn.query(sql);
  } catch (error) {
    expect(error).toBeInstanceOf(DynasqlError);
    return error as DynasqlError;
  }
  throw new Error('the statement succeeded');
}

function token(lifetimeSeconds: number, audience = emulator.origin): string {
  return emulator.identity!.tokens.issueAccessToken({ clientId: 'no-role' }, audience, 'tenant', lifetimeSeconds);
}

describe('HTTP 401 names the likely cause', () => {
  it('a token for another org: the audience and Organization URL', async () => {
    const error = await failure(`Auth Scheme=AccessToken;Access Token=${token(600, 'https://other.crm.dynamics.com')}`);
    expect(error).toMatchObject({ code: 'DYNASQL_ERR_AUTH', status: 401, details: { cause: 'token-audience' } });
    expect(error.message).toMatch(/^Not authorized \(HTTP 401\) \(GET .*\)\. The access token was issued for another resource\. Organization URL must be/);
  });

  it('an expired token: give a fresh one', async () => {
    const error = await failure(`Auth Scheme=AccessToken;Access Token=${token(-120)}`);
    expect(error).toMatchObject({ code: 'DYNASQL_ERR_AUTH', status: 401, details: { cause: 'token-expired' } });
    expect(error.message).toMatch(/The access token has expired\. With Auth Scheme=AccessToken give a fresh token/);
  });

  it('a token the service does not accept: org URL, tenant and credential', async () => {
    const error = await failure('Auth Scheme=AccessToken;Access Token=eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
    expect(error).toMatchObject({ code: 'DYNASQL_ERR_AUTH', status: 401, details: { cause: 'token-refused' } });
    expect(error.message).toMatch(/did not accept the credential\. Check that Organization URL/);
    expect(error.message).not.toContain('c2ln');
  });
});

describe('HTTP 403 names the application user and its role', () => {
  it('a missing privilege is named, with the role to give; the service code stays in details', async () => {
    const error = await failure('Auth Scheme=ClientSecret;Client Id=no-role;Client Secret=s3-value');
    expect(error).toMatchObject({ code: 'DYNASQL_ERR_FORBIDDEN', status: 403, serviceCode: '0x80040220', details: { cause: 'missing-privilege', serviceCode: '0x80040220' } });
    expect(error.message).toMatch(/^Access denied \(HTTP 403\) \(GET .*accounts.*\): Principal user .* is missing prvReadAccount privilege\. .*lacks the privilege prvReadAccount: give it a security role that grants prvReadAccount/);
  });

  it('no application user in the environment: create one with the Client Id', async () => {
    const error = await failure('Auth Scheme=ClientSecret;Client Id=no-user;Client Secret=s1-value');
    expect(error).toMatchObject({ code: 'DYNASQL_ERR_FORBIDDEN', status: 403, details: { cause: 'no-application-user', serviceCode: '0x80072560' } });
    expect(error.message).toMatch(/has no application user in this environment: create one with the app's Client Id .*New app user/);
    expect(error.message).not.toContain('s1-value');
  });

  it('a disabled application user: enable it', async () => {
    const error = await failure('Auth Scheme=ClientSecret;Client Id=disabled;Client Secret=s2-value');
    expect(error).toMatchObject({ code: 'DYNASQL_ERR_FORBIDDEN', status: 403, details: { cause: 'user-disabled' } });
    expect(error.message).toMatch(/is disabled: enable it/);
  });
});
