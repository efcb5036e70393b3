import { describe, expect, it } from 'vitest';
import { ScramExchange, scramVerifier } from '../../src/pgwire/scram.js';

// RFC 7677 §3: user "user", password "pencil".
const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const serverNonce = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const clientFirst = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
const clientFinal = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';

describe('SCRAM-SHA-256 server', () => {
  it('follows the RFC 7677 example exchange', () => {
    const exchange = new ScramExchange(scramVerifier('pencil', salt, 4096), serverNonce);
    expect(exchange.clientFirst(clientFirst)).toBe('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    expect(exchange.clientFinal(clientFinal)).toEqual({ ok: true, serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=' });
  });

  it('rejects a wrong password', () => {
    const exchange = new ScramExchange(scramVerifier('pencils', salt, 4096), serverNonce);
    exchange.clientFirst(clientFirst);
    expect(exchange.clientFinal(clientFinal)).toEqual({ ok: false, reason: 'password' });
  });

  it('runs the exchange for an unknown user and fails it like a wrong password', () => {
    const exchange = new ScramExchange(undefined, serverNonce);
    expect(exchange.clientFirst(clientFirst)).toMatch(/^r=rOprNGfwEbeRWgbNEkqO.*,s=.+,i=4096$/);
    expect(exchange.clientFinal(clientFinal)).toEqual({ ok: false, reason: 'password' });
  });

  it('rejects malformed and replayed messages', () => {
    const verifier = scramVerifier('pencil', salt, 4096);
    expect(new ScramExchange(verifier, serverNonce).clientFirst('p=tls-server-end-point,,n=,r=abc')).toBeUndefined();
    expect(new ScramExchange(verifier, serverNonce).clientFirst('n,,n=user')).toBeUndefined();
    expect(new ScramExchange(verifier, serverNonce).clientFirst('garbage')).toBeUndefined();
    const other = new ScramExchange(verifier, 'different-nonce');
    other.clientFirst(clientFirst);
    expect(other.clientFinal(clientFinal)).toEqual({ ok: false, reason: 'malformed' });
    const noFirst = new ScramExchange(verifier, serverNonce);
    expect(noFirst.clientFinal(clientFinal)).toEqual({ ok: false, reason: 'malformed' });
    const shortProof = new ScramExchange(verifier, serverNonce);
    shortProof.clientFirst(clientFirst);
    expect(shortProof.clientFinal(clientFinal.replace(/p=.*/, 'p=AAAA'))).toEqual({ ok: false, reason: 'malformed' });
  });
});
