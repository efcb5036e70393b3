/**
 * SCRAM-SHA-256 (RFC 5802 / RFC 7677) as Postgres uses it, server side, on node:crypto.
 *
 * The exchange: client-first `n,,n=,r=<cnonce>` → server-first `r=<cnonce><snonce>,s=<salt>,i=4096`
 * → client-final `c=biws,r=<nonce>,p=<proof>` → server-final `v=<signature>`.
 * Postgres ignores the SCRAM user name (the startup packet names the user), and so do we.
 * Channel binding (SCRAM-SHA-256-PLUS) is not offered; a client announcing `y` (it could bind but
 * the server did not offer it) is accepted, as RFC 5802 §6 allows when the server does not support it.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ScramVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** Derives the stored verifier from a password (done once per configured user, at server start). */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): ScramVerifier {
  // SASLprep: NFKC normalisation covers what clients send in practice (libpq normalises the same way).
  const salted = pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { iterations, salt, storedKey: sha256(clientKey), serverKey: hmac(salted, 'Server Key') };
}

/** Why an exchange failed: the client's messages were malformed, or the password was wrong. */
export type ScramOutcome = { ok: true; serverFinal: string } | { ok: false; reason: 'malformed' | 'password' };

function attributes(message: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) continue;
    map.set(part[0]!, part.slice(2));
  }
  return map;
}

/**
 * One server-side exchange. For an unknown user pass `undefined`: the exchange runs to the end
 * against a made-up verifier and then fails, so the client cannot tell unknown users from wrong
 * passwords (as Postgres does).
 */
export class ScramExchange {
  private readonly verifier: ScramVerifier;
  private readonly known: boolean;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';

  constructor(verifier: ScramVerifier | undefined, private readonly serverNonce: string = randomBytes(18).toString('base64')) {
    this.known = verifier !== undefined;
    this.verifier = verifier ?? scramVerifier(randomBytes(16).toString('hex'), randomBytes(16), 4096);
  }

  /** Handles client-first; returns server-first, or undefined when the message is malformed. */
  clientFirst(message: string): string | undefined {
    // gs2-header: cbind-flag "," [authzid] ","
    const m = /^(n|y|p=[^,]*),([^,]*),(.*)$/s.exec(message);
    if (!m || m[1]!.startsWith('p') || m[2] !== '') return undefined;
    this.gs2Header = `${m[1]},${m[2]},`;
    this.clientFirstBare = m[3]!;
    const clientNonce = attributes(this.clientFirstBare).get('r');
    if (!clientNonce || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) return undefined;
    this.nonce = clientNonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  /** Handles client-final; checks the proof. */
  clientFinal(message: string): ScramOutcome {
    const proofAt = message.lastIndexOf(',p=');
    if (!this.serverFirst || proofAt < 0) return { ok: false, reason: 'malformed' };
    const withoutProof = message.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get('c') !== Buffer.from(this.gs2Header).toString('base64') || attrs.get('r') !== this.nonce) {
      return { ok: false, reason: 'malformed' };
    }
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    if (proof.length !== 32) return { ok: false, reason: 'malformed' };
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.verifier.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const matches = timingSafeEqual(sha256(clientKey), this.verifier.storedKey);
    if (!matches || !this.known) return { ok: false, reason: 'password' };
    return { ok: true, serverFinal: `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}` };
  }
}
