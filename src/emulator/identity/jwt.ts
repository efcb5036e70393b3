import { constants, createHash, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Compact JWS (JWT) signing and checking with node:crypto. RS256 is what the identity provider
 * issues; PS256 and RS256 are what client assertions arrive in (msal-node signs them with PS256).
 *
 *   const t = signJwt({ alg: 'RS256', kid: 'k1' }, { aud: 'https://org' }, key);
 *   decodeJwt(t).payload.aud === 'https://org'
 */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, privateKey: KeyObject): string {
  const input = `${b64url({ typ: 'JWT', ...header, alg: 'RS256' })}.${b64url(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

/** Splits and parses a JWT without checking it; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload, signingInput: Buffer.from(`${parts[0]}.${parts[1]}`), signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

/** True when the signature is valid for the header's algorithm (RS256 or PS256 only; never `none`). */
export function verifyJwtSignature(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  try {
    if (jwt.header.alg === 'RS256') return verify('sha256', jwt.signingInput, publicKey, jwt.signature);
    if (jwt.header.alg === 'PS256') {
      return verify('sha256', jwt.signingInput, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, jwt.signature);
    }
  } catch {
    return false;
  }
  return false;
}

/** The JWK `kid` we give a key: a short hash of its public part, stable for the key's lifetime. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 16);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
