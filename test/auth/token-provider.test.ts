import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUTHORITY_HOSTS, REFRESH_MARGIN_MS, RefreshingTokenProvider, authorityFor, loadCertificateCredential, resourceFor, scopesFor } from '../../src/auth/index.js';
import { createCertificate } from '../../src/emulator/index.js';
import type { Clock } from '../../src/util/index.js';

function fixedClock(start = 1_000_000): Clock & { set(ms: number): void } {
  let now = start;
  return { now: () => now, sleep: async () => undefined, set: (ms) => (now = ms) };
}

describe('RefreshingTokenProvider', () => {
  it('shares one acquisition between concurrent callers', async () => {
    let calls = 0;
    const provider = new RefreshingTokenProvider(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return { token: `t${calls}` };
    });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => provider.getToken()));
    expect(new Set(tokens)).toEqual(new Set(['t1']));
    expect(calls).toBe(1);
  });

  it('renews before expiry, not after', async () => {
    const clock = fixedClock();
    let calls = 0;
    const provider = new RefreshingTokenProvider(async () => ({ token: `t${++calls}`, expiresOnMs: clock.now() + 60 * 60 * 1000 }), clock);
    expect(await provider.getToken()).toBe('t1');
    clock.set(clock.now() + 60 * 60 * 1000 - REFRESH_MARGIN_MS - 1000);
    expect(await provider.getToken()).toBe('t1');
    clock.set(clock.now() + 2000); // inside the margin
    expect(await provider.getToken()).toBe('t2');
  });

  it('a burst of 401s causes one forced refresh', async () => {
    const clock = fixedClock();
    const forced: boolean[] = [];
    const provider = new RefreshingTokenProvider(async ({ forceRefresh }) => {
      forced.push(forceRefresh);
      await new Promise((r) => setTimeout(r, 10));
      return { token: `t${forced.length}` };
    }, clock);
    await provider.getToken();
    const fresh = await Promise.all(Array.from({ length: 10 }, () => provider.getToken({ forceRefresh: true })));
    expect(new Set(fresh)).toEqual(new Set(['t2']));
    // a 401 that arrives just after the refresh finished is served by it too
    expect(await provider.getToken({ forceRefresh: true })).toBe('t2');
    expect(forced).toEqual([false, true]);
  });

  it('a failed acquisition is not cached', async () => {
    let calls = 0;
    const provider = new RefreshingTokenProvider(async () => {
      if (++calls === 1) throw new Error('idp down');
      return { token: 'ok' };
    });
    await expect(provider.getToken()).rejects.toThrow('idp down');
    expect(await provider.getToken()).toBe('ok');
  });
});

describe('authority and scopes', () => {
  const base = { organizationUrl: 'https://contoso.crm.dynamics.com', platform: 'dataverse' as const };

  it('uses the authority host of each cloud, `organizations` without a tenant', () => {
    expect(authorityFor({ ...base, authScheme: 'AuthCode' })).toEqual({ authority: 'https://login.microsoftonline.com/organizations', knownAuthorities: [] });
    expect(authorityFor({ ...base, authScheme: 'ClientSecret', azureTenant: 't1', azureEnvironment: 'China' }).authority).toBe('https://login.chinacloudapi.cn/t1');
    expect(authorityFor({ ...base, authScheme: 'ClientSecret', azureTenant: 't1', azureEnvironment: 'USGovernmentDoD' }).authority).toBe('https://login.microsoftonline.us/t1');
    expect(AUTHORITY_HOSTS.USGovernmentHigh).toBe('https://login.microsoftonline.us');
    expect(authorityFor({ ...base, authScheme: 'ClientSecret', azureTenant: 't1', authorityHost: 'https://login.example.test/' })).toEqual({
      authority: 'https://login.example.test/t1',
      knownAuthorities: ['login.example.test'],
    });
    expect(authorityFor({ ...base, authScheme: 'ADFS', adfsServer: 'https://adfs.contoso.com/adfs/' })).toEqual({ authority: 'https://adfs.contoso.com/adfs', knownAuthorities: ['adfs.contoso.com'] });
  });

  it('asks for the right scope per edition and client kind', () => {
    expect(scopesFor(base, 'confidential')).toEqual(['https://contoso.crm.dynamics.com/.default']);
    expect(scopesFor(base, 'public')).toEqual(['https://contoso.crm.dynamics.com/user_impersonation']);
    const fo = { organizationUrl: 'https://contoso.operations.dynamics.com', platform: 'finops' as const };
    expect(scopesFor(fo, 'public')).toEqual(['https://contoso.operations.dynamics.com/.default']);
    expect(resourceFor({ organizationUrl: 'https://ax.contoso.com/' })).toBe('https://ax.contoso.com');
  });
});

describe('loadCertificateCredential', () => {
  const cert = createCertificate({ commonName: 'loader-test' });

  it('reads certificate and key from PEM text, computing the SHA-256 thumbprint', () => {
    const credential = loadCertificateCredential(`${cert.certPem}\n${cert.keyPem}`);
    expect(credential.thumbprintSha256).toBe(cert.thumbprintSha256.toLowerCase());
    expect(credential.privateKey).toContain('BEGIN PRIVATE KEY');
    expect(credential.x5c.length).toBeGreaterThan(100);
  });

  it('decrypts an encrypted key with the password, and says so without it', () => {
    const encrypted = cert.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw-1234' }).toString();
    expect(loadCertificateCredential(`${cert.certPem}\n${encrypted}`, 'pw-1234').privateKey).toContain('BEGIN PRIVATE KEY');
    expect(() => loadCertificateCredential(`${cert.certPem}\n${encrypted}`)).toThrow(/Certificate Password/);
  });

  it('rejects a thumbprint that does not match, and PEM without a key', () => {
    expect(() => loadCertificateCredential(`${cert.certPem}\n${cert.keyPem}`, undefined, 'ab'.repeat(32))).toThrow(/does not match/);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadCertificateCredential(other)).toThrow(/PEM certificate and its private key/);
    expect(() => loadCertificateCredential('/no/such/file.pem')).toThrow(/could not be read/);
  });
});
