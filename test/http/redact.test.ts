import { describe, expect, it } from 'vitest';
import { createRedactor, MASK } from '../../src/http/index.js';

describe('createRedactor', () => {
  const redact = createRedactor(['Sup3r$ecret/value', 'refresh-tok-0001']);

  it('masks secret values in plain, URL-encoded and JSON-escaped form', () => {
    for (const text of ['x Sup3r$ecret/value y', `q=${encodeURIComponent('Sup3r$ecret/value')}`, 'q=Sup3r%24ecret%2Fvalue', JSON.stringify({ v: 'refresh-tok-0001' })]) {
      const out = redact(text);
      expect(out).not.toContain('Sup3r');
      expect(out).not.toContain('refresh-tok-0001');
      expect(out).toContain(MASK);
    }
  });

  it('masks secrets by shape even when the value is unknown', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSIsImF1ZCI6Im9yZyJ9.c2lnbmF0dXJl';
    const cases: Array<[string, string]> = [
      ['authorization: Bearer abc.def-ghi', 'abc.def-ghi'],
      ['Authorization: Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz'],
      ['cookie: ARRAffinity=abc123; ReqClientId=zzz', 'ARRAffinity=abc123'],
      ['set-cookie: session=xyz987', 'xyz987'],
      ['client_id=app&client_secret=unknown-secret-1&grant_type=client_credentials', 'unknown-secret-1'],
      ['grant_type=authorization_code&code=OAQABAAIAAA&code_verifier=verif123', 'OAQABAAIAAA'],
      ['client_assertion_type=jwt&client_assertion=' + jwt, jwt],
      ['grant_type=refresh_token&refresh_token=0.ARoA-refresh', '0.ARoA-refresh'],
      ['{"token_type":"Bearer","access_token":"opaque-access-1","refresh_token":"opaque-refresh-1"}', 'opaque-access-1'],
      ['{"token_type":"Bearer","access_token":"opaque-access-1","refresh_token":"opaque-refresh-1"}', 'opaque-refresh-1'],
      [`token in a message ${jwt} here`, jwt],
      ['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'],
      ['-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTA\n-----END ENCRYPTED PRIVATE KEY-----', 'MIIFHDBOBgkqhkiG9w0BBQ0wQTA'],
      ['https://login.test/cb?code=abc-code-1&state=s1', 'abc-code-1'],
    ];
    for (const [text, secret] of cases) expect(redact(text), text).not.toContain(secret);
  });

  it('leaves ordinary text alone', () => {
    const text = "GET https://contoso.crm.dynamics.com/api/data/v9.0/accounts?$select=name&$filter=name eq 'x' → 200 12 ms";
    expect(redact(text)).toBe(text);
  });
});
