import { describe, expect, it } from 'vitest';
import { parseConnectionString, resolveOptions } from '../../src/config/index.js';
import { DynasqlError } from '../../src/errors/index.js';

function errorOf(fn: () => unknown): DynasqlError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DynasqlError) return error;
    throw error;
  }
  throw new Error('expected a DynasqlError');
}

const ENV = {};

describe('parseConnectionString', () => {
  it('splits on ; and keeps keys as written', () => {
    expect(parseConnectionString('Organization URL=https://x.crm.dynamics.com; Edition = Sales;;')).toEqual([
      ['Organization URL', 'https://x.crm.dynamics.com'],
      ['Edition', 'Sales'],
    ]);
  });

  it('reads quoted values with ; inside and doubled quotes', () => {
    expect(parseConnectionString(`Client Secret="a;b""c"; Client Id='it''s'`)).toEqual([
      ['Client Secret', 'a;b"c'],
      ['Client Id', "it's"],
    ]);
  });

  it('rejects an unterminated quote and a segment without =, without echoing it', () => {
    expect(errorOf(() => parseConnectionString('Client Secret="abc')).code).toBe('DYNASQL_ERR_CONFIG');
    const e = errorOf(() => parseConnectionString('Url=https://x.crm.dynamics.com;hunter2secret'));
    expect(e.code).toBe('DYNASQL_ERR_CONFIG');
    expect(e.message).not.toContain('hunter2secret');
  });
});

describe('resolveOptions', () => {
  it('reads the example from the issue, keys case- and space-insensitive', () => {
    const o = resolveOptions(
      'organization url=https://contoso.crm.dynamics.com/;EDITION=Sales;AuthScheme=ClientSecret;Azure Tenant=contoso.onmicrosoft.com;Client Id=app;client_secret=s3cr3t-value',
      { env: ENV },
    );
    expect(o.organizationUrl).toBe('https://contoso.crm.dynamics.com');
    expect(o.edition).toBe('Sales');
    expect(o.platform).toBe('dataverse');
    expect(o.apiVersion).toBe('9.0');
    expect(o.serviceRoot).toBe('https://contoso.crm.dynamics.com/api/data/v9.0/');
    expect(o.authScheme).toBe('ClientSecret');
    expect(o.clientSecret).toBe('s3cr3t-value');
    expect(o.secrets).toContain('s3cr3t-value');
    expect(o.maxConcurrency).toBe(8);
    expect(o.callbackPort).toBe(33333);
    expect(o.redirectUri).toBe('http://localhost:33333');
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('takes the same settings as an object, by field or by setting name', () => {
    const a = resolveOptions({ organizationUrl: 'https://contoso.crm4.dynamics.com', 'API Version': '9.2', accessToken: 'tok-123456' }, { env: ENV });
    expect(a.serviceRoot).toBe('https://contoso.crm4.dynamics.com/api/data/v9.2/');
    expect(a.authScheme).toBe('AccessToken');
    expect(a.edition).toBe('Dataverse');
  });

  it('infers the edition from the host', () => {
    const fo = resolveOptions('Url=https://contoso.operations.dynamics.com;Access Token=tok-123456', { env: ENV });
    expect(fo.edition).toBe('FinOpsOnline');
    expect(fo.serviceRoot).toBe('https://contoso.operations.dynamics.com/data/');
    expect(resolveOptions('Url=https://usnconeboxax1aos.cloudax.dynamics.com;Access Token=tok-123456', { env: ENV }).edition).toBe('FinOpsOnline');
    expect(errorOf(() => resolveOptions('Url=https://example.com;Access Token=tok-123456', { env: ENV })).message).toMatch(/Edition=/);
  });

  it('accepts the emulator on loopback over http, with or without a service-root path', () => {
    const root = resolveOptions('Organization URL=http://127.0.0.1:5555', { env: ENV });
    expect(root.serviceRoot).toBe('http://127.0.0.1:5555/api/data/v9.0/');
    expect(root.authScheme).toBe('None');
    expect(root.isLoopback).toBe(true);
    const full = resolveOptions('Organization URL=http://localhost:5555/api/data/v9.2/', { env: ENV });
    expect(full.serviceRoot).toBe('http://localhost:5555/api/data/v9.2/');
    const fo = resolveOptions('Organization URL=http://[::1]:5555/data/', { env: ENV });
    expect(fo.platform).toBe('finops');
    expect(fo.serviceRoot).toBe('http://[::1]:5555/data/');
    const explicit = resolveOptions('Organization URL=http://127.0.0.1:5555;Edition=FinOpsOnline', { env: ENV });
    expect(explicit.serviceRoot).toBe('http://127.0.0.1:5555/data/');
  });

  it('refuses plain http to anything but loopback', () => {
    const e = errorOf(() => resolveOptions('Organization URL=http://contoso.crm.dynamics.com;Access Token=tok-123456', { env: ENV }));
    expect(e.code).toBe('DYNASQL_ERR_CONFIG_INSECURE_URL');
    expect(errorOf(() => resolveOptions('Organization URL=http://128.0.0.1:80', { env: ENV })).code).toBe('DYNASQL_ERR_CONFIG_INSECURE_URL');
  });

  it('names an unknown setting and suggests the closest one', () => {
    const e = errorOf(() => resolveOptions('Organization URL=http://127.0.0.1:1;Max Concurency=4', { env: ENV }));
    expect(e.code).toBe('DYNASQL_ERR_CONFIG_UNKNOWN_SETTING');
    expect(e.message).toContain("'Max Concurency'");
    expect(e.message).toContain("Did you mean 'Max Concurrency'");
  });

  it('names a malformed value without echoing secrets', () => {
    const e = errorOf(() => resolveOptions('Organization URL=http://127.0.0.1:1;Max Concurrency=53', { env: ENV }));
    expect(e.code).toBe('DYNASQL_ERR_CONFIG');
    expect(e.message).toContain('Max Concurrency');
    expect(errorOf(() => resolveOptions('Organization URL=http://127.0.0.1:1;Verbosity=6', { env: ENV })).message).toContain('Verbosity');
    expect(errorOf(() => resolveOptions('Organization URL=http://127.0.0.1:1;Read Only=maybe', { env: ENV })).message).toContain('Read Only');
    expect(errorOf(() => resolveOptions('Organization URL=http://127.0.0.1:1;Edition=Salse', { env: ENV })).message).toContain('Edition');
    expect(errorOf(() => resolveOptions('Organization URL=http://127.0.0.1:1;API Version=8.2', { env: ENV })).message).toContain('API Version');
    expect(errorOf(() => resolveOptions('Organization URL=http://127.0.0.1:1;Timeout=abc', { env: ENV })).message).toContain('Timeout');
    const twice = errorOf(() => resolveOptions('Url=http://127.0.0.1:1;Organization URL=http://127.0.0.1:2', { env: ENV }));
    expect(twice.message).toContain('given twice');
  });

  it('checks that each auth scheme has what it needs', () => {
    const e = errorOf(() => resolveOptions('Url=https://contoso.crm.dynamics.com;Auth Scheme=ClientSecret;Client Id=a;Client Secret=topsecret', { env: ENV }));
    expect(e.message).toContain('Azure Tenant');
    expect(e.message).not.toContain('topsecret');
    expect(errorOf(() => resolveOptions('Url=https://contoso.crm.dynamics.com;Auth Scheme=ADFS;Client Id=a;Client Secret=b1234;ADFS Server=https://adfs.contoso.com', { env: ENV })).message).toContain('FinOpsOnPremise');
    const adfs = resolveOptions('Url=https://ax.contoso.com;Edition=FinOpsOnPremise;Client Id=a;Client Secret=b1234;ADFS Server=https://adfs.contoso.com', { env: ENV });
    expect(adfs.authScheme).toBe('ADFS');
    expect(adfs.serviceRoot).toBe('https://ax.contoso.com/data/');
    expect(resolveOptions('Url=https://contoso.crm.dynamics.com;Auth Scheme=AzureServicePrincipal;Client Id=a;Client Secret=b1234;Azure Tenant=t', { env: ENV }).authScheme).toBe('ClientSecret');
    expect(resolveOptions('Url=https://contoso.crm.dynamics.com;Client Id=a', { env: ENV }).authScheme).toBe('AuthCode');
    const custom = resolveOptions({ url: 'https://contoso.crm.dynamics.com', tokenProvider: async () => 'x' }, { env: ENV });
    expect(custom.authScheme).toBe('Custom');
  });

  it('reads throttling, timeouts, safety and feature settings', () => {
    const o = resolveOptions(
      'Url=http://127.0.0.1:1;Max Concurrency=52;Requests Per Second=12.5;Nodes=3;Timeout=30;Statement Timeout=0;Max Retries=2;Retry Budget=60;Page Size=500;' +
        'Read Only=yes;Allow Unsafe Writes=on;Max Rows Affected=100;Transaction=true;Bypass Plugins=1;Suppress Duplicate Detection=true;Pushdown=off;' +
        'Cross Company=true;Include Formatted Values=true;Include Navigation Properties=true;Use Dynamic Stored Procedures=true;Verbosity=4;Log File=/tmp/x.log',
      { env: ENV },
    );
    expect(o).toMatchObject({
      maxConcurrency: 52,
      requestsPerSecond: 12.5,
      nodes: 3,
      requestTimeoutMs: 30_000,
      statementTimeoutMs: 0,
      maxRetries: 2,
      retryBudgetMs: 60_000,
      pageSize: 500,
      readOnly: true,
      allowUnsafeWrites: true,
      maxRowsAffected: 100,
      atomic: true,
      bypassPlugins: true,
      suppressDuplicateDetection: true,
      pushdown: false,
      crossCompany: true,
      includeFormattedValues: true,
      includeNavigationProperties: true,
      useDynamicStoredProcedures: true,
      verbosity: 4,
      logFile: '/tmp/x.log',
    });
  });

  it('takes the proxy from settings or from the environment', () => {
    const fromEnv = resolveOptions('Url=https://contoso.crm.dynamics.com;Access Token=tok-123456', { env: { HTTPS_PROXY: 'http://proxy:3128', no_proxy: '.internal' } });
    expect(fromEnv.httpsProxy).toBe('http://proxy:3128');
    expect(fromEnv.noProxy).toBe('.internal');
    const explicit = resolveOptions('Url=https://contoso.crm.dynamics.com;Access Token=tok-123456;Proxy=http://user:pa55word@proxy:3128', { env: { HTTPS_PROXY: 'http://other:1' } });
    expect(explicit.proxy).toBe('http://user:pa55word@proxy:3128');
    expect(explicit.httpsProxy).toBeUndefined();
    expect(explicit.secrets).toContain('pa55word');
    const off = resolveOptions('Url=https://contoso.crm.dynamics.com;Access Token=tok-123456;Use Env Proxy=false', { env: { HTTPS_PROXY: 'http://proxy:3128' } });
    expect(off.httpsProxy).toBeUndefined();
  });

  it('reads Throttle Store as a Redis URL, its password a secret, and refuses anything else without echoing it', () => {
    const store = resolveOptions('Url=https://contoso.crm.dynamics.com;Access Token=tok-123456;Throttle Store=redis://:r3dis-pw@cache.internal:6380/2', { env: {} });
    expect(store.throttleStore).toBe('redis://:r3dis-pw@cache.internal:6380/2');
    expect(store.secrets).toContain('r3dis-pw');
    expect(resolveOptions('Url=https://contoso.crm.dynamics.com;Access Token=tok-123456;Shared Throttle=rediss://cache:6380', { env: {} }).throttleStore).toBe('rediss://cache:6380');
    expect(resolveOptions('Url=https://contoso.crm.dynamics.com;Access Token=tok-123456', { env: {} }).throttleStore).toBeUndefined();
    for (const bad of ['http://cache:6379', 'redis://:pw-in-bad@cache:6379/zero', 'cache:6379', 'redis://cache:6379/0?tls=1']) {
      let error: unknown;
      try {
        resolveOptions(`Url=https://contoso.crm.dynamics.com;Throttle Store=${bad};Access Token=tok-123456`, { env: {} });
      } catch (e) {
        error = e;
      }
      expect(error, bad).toMatchObject({ code: 'DYNASQL_ERR_CONFIG', message: expect.stringContaining("'Throttle Store' must be a Redis URL") });
      expect((error as Error).message).not.toContain('pw-in-bad');
    }
  });

  it('selects sovereign clouds and checks the redirect URI', () => {
    const o = resolveOptions('Url=https://contoso.crm.microsoftdynamics.de;Edition=Sales;Client Id=a;Azure Environment=USGOVTDOD', { env: ENV });
    expect(o.azureEnvironment).toBe('USGovernmentDoD');
    expect(resolveOptions('Url=https://contoso.crm.dynamics.com;Client Id=a;Callback Port=4444', { env: ENV }).redirectUri).toBe('http://localhost:4444');
    expect(errorOf(() => resolveOptions('Url=https://contoso.crm.dynamics.com;Client Id=a;Redirect URI=https://evil.example/cb', { env: ENV })).message).toContain('Redirect URI');
  });
});

describe('src/config/README.md', () => {
  it('documents every setting and alias', async () => {
    const { readFileSync } = await import('node:fs');
    const { SETTINGS } = await import('../../src/config/index.js');
    const readme = readFileSync(new URL('../../src/config/README.md', import.meta.url), 'utf8');
    for (const spec of SETTINGS) {
      expect(readme, spec.name).toContain(`| ${spec.name} |`);
      for (const alias of spec.aliases ?? []) expect(readme, alias).toContain(alias);
    }
  });
});
