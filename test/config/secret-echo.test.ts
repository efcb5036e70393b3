/**
 * Issue 22 item 4: an unquoted secret ends at its first ';', so the text after it may be the rest of
 * the secret. No error of the connection-string parser or of the setting checks echoes that text; each
 * says that the value may need quotes. Every error path is driven with a secret whose tail lands in it.
 */
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/config/index.js';
import { DynasqlError } from '../../src/errors/index.js';
import { connect } from '../../src/index.js';

const ENV = {};
const BASE = 'Url=https://contoso.crm.dynamics.com;Auth Scheme=ClientSecret;Client Id=app;Azure Tenant=t';

function errorOf(run: () => unknown): DynasqlError {
  try {
    run();
  } catch (error) {
    if (error instanceof DynasqlError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('text after an unquoted secret is never echoed', () => {
  it('the issue\'s secret: Client Secret=Kq7~bAR;s3cRet_0x5EC-Z9=w1&%', () => {
    const e = errorOf(() => resolveOptions(`${BASE};Client Secret=Kq7~bAR;s3cRet_0x5EC-Z9=w1&%`, { env: ENV }));
    expect(e.code).toBe('DYNASQL_ERR_CONFIG_UNKNOWN_SETTING');
    expect(e.message).not.toContain('s3cRet');
    expect(e.message).not.toContain('w1&%');
    expect(e.message).not.toContain('Kq7');
    expect(JSON.stringify(e.details ?? {})).not.toContain('s3cRet');
    expect(e.message).toContain("Unknown setting after 'Client Secret'");
    expect(e.message).toContain('double quotes');
  });

  it('through connect(), before anything is sent', async () => {
    const error = await connect(`${BASE};Client Secret=Kq7~bAR;s3cRet_0x5EC-Z9=w1&%`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynasqlError);
    expect((error as Error).message).not.toContain('s3cRet');
  });

  // each case: the secret's tail lands in a different error path
  const cases: Array<[string, string, string]> = [
    ['a segment without =', 'Client Secret=Kq7~bAR;s3cRet_tail', 's3cRet'],
    ['an unterminated quote', `Client Secret=Kq7~bAR;s3cRet_tail="w1`, 's3cRet'],
    ['text after a quoted value', `Client Secret=Kq7~bAR;s3cRet_tail="w1"x`, 's3cRet'],
    ['a value without a setting name', 'Client Secret=Kq7~bAR;=s3cRet_tail', 's3cRet'],
    ['a known setting with a bad value', 'Client Secret=Kq7~bAR;Timeout=s3cRet_tail', 's3cRet'],
    ['a setting given twice, as written', 'Client Secret=Kq7~bAR;client_ID=s3cRet_tail', 'client_ID'],
    ['an Organization URL host', 'Client Secret=Kq7~bAR;Url=https://s3cret-tail.example.com', 's3cret-tail'],
    ['an API Version', 'Client Secret=Kq7~bAR;API Version=8.s3cret', 's3cret'],
    ['a Proxy', 'Access Token=Kq7~bAR;Proxy=s3cRet_tail', 's3cRet'],
    ['another secret setting', 'Certificate Password=Kq7~bAR;s3cRet_tail=1', 's3cRet'],
  ];
  it.each(cases)('%s', (_what, tail, hidden) => {
    const text = tail.startsWith('Client Secret') ? `${BASE};${tail}` : `Url=https://contoso.crm.dynamics.com;Auth Scheme=AccessToken;${tail}`;
    const e = errorOf(() => resolveOptions(text, { env: ENV }));
    expect(e.code).toMatch(/^DYNASQL_ERR_CONFIG/);
    expect(e.message).not.toContain(hidden);
    expect(e.message).not.toContain('Kq7');
    expect(e.message).toContain('double quotes');
  });

  it('a quoted secret connects, and errors after it name the setting as before', () => {
    const o = resolveOptions(`${BASE};Client Secret="Kq7~bAR;s3cRet_0x5EC-Z9=w1&%"`, { env: ENV });
    expect(o.clientSecret).toBe('Kq7~bAR;s3cRet_0x5EC-Z9=w1&%');
    const e = errorOf(() => resolveOptions(`${BASE};Client Secret="Kq7~bAR;x";Tmeout=5`, { env: ENV }));
    expect(e.code).toBe('DYNASQL_ERR_CONFIG_UNKNOWN_SETTING');
    expect(e.message).toContain("Unknown setting 'Tmeout'");
  });

  it('text before the secret is still named', () => {
    const e = errorOf(() => resolveOptions(`Tmeout=5;${BASE};Client Secret=Kq7~bAR;x=1`, { env: ENV }));
    expect(e.message).toContain("Unknown setting 'Tmeout'");
    expect(e.message).toContain("Did you mean 'Timeout'?");
  });
});
