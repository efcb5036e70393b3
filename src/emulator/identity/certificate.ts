import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import {
  derBitString, derBoolean, derExplicit, derInteger, derNull, derObjectIdentifier, derOctetString, derSequence, derSet, derTime, derTlv, derUtf8String,
} from './der.js';

/** A certificate with its private key, in the PEM forms node:tls and msal-node take. */
export interface CertificateWithKey {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the DER certificate, hex; what msal-node calls `thumbprintSha256`. */
  thumbprintSha256: string;
  privateKey: KeyObject;
}

export interface CertificateRequest {
  commonName: string;
  /** DNS names and IP addresses for the subjectAltName extension (what TLS clients check). */
  altNames?: string[];
  /** True for a certificate authority that signs others. */
  isCa?: boolean;
  /** Signs with this authority; self-signed when absent. */
  issuer?: CertificateWithKey;
  validDays?: number;
  /**
   * 'rsa' (2048, the default: what client-certificate credentials need, msal-node signs with PS256)
   * or 'ec' (P-256: made in a millisecond instead of a second, enough for the test CA and TLS).
   */
  keyType?: 'rsa' | 'ec';
}

const OID = {
  commonName: '2.5.4.3',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

const name = (commonName: string) => derSequence(derSet(derSequence(derObjectIdentifier(OID.commonName), derUtf8String(commonName))));
const extension = (oid: string, critical: boolean, value: Buffer) =>
  derSequence(derObjectIdentifier(oid), ...(critical ? [derBoolean(true)] : []), derOctetString(value));

function altName(entry: string): Buffer {
  if (isIP(entry) === 4) return derTlv(0x87, Buffer.from(entry.split('.').map(Number)));
  if (isIP(entry) === 6) return derTlv(0x87, ipv6Bytes(entry));
  return derTlv(0x82, Buffer.from(entry, 'ascii'));
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/**
 * Creates an X.509 v3 certificate (RSA-2048 or P-256) with node:crypto alone (no openssl, no
 * package), signed with SHA-256 by `issuer` or by itself.
 *
 *   const ca = createCertificate({ commonName: 'dynasql emulator test CA', isCa: true });
 *   const tls = createCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], issuer: ca });
 */
export function createCertificate(request: CertificateRequest): CertificateWithKey {
  const { publicKey, privateKey } = request.keyType === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signer = request.issuer;
  const signingKey = signer?.privateKey ?? privateKey;
  const issuerName = signer ? new X509Certificate(signer.certPem).subject.replace(/^CN=/, '') : request.commonName;
  const notBefore = new Date(Date.now() - 60 * 60 * 1000); // an hour of slack for clock skew
  const notAfter = new Date(notBefore.getTime() + (request.validDays ?? 365) * 24 * 60 * 60 * 1000);
  // RSA signatures name their algorithm with a NULL parameter; ECDSA ones with none (RFC 5758).
  const algorithm = signingKey.asymmetricKeyType === 'ec'
    ? derSequence(derObjectIdentifier(OID.ecdsaWithSHA256))
    : derSequence(derObjectIdentifier(OID.sha256WithRSA), derNull());

  const extensions = [
    extension(OID.basicConstraints, true, request.isCa ? derSequence(derBoolean(true)) : derSequence()),
    // keyCertSign + cRLSign for an authority; digitalSignature (+ keyEncipherment for RSA) for a leaf.
    extension(OID.keyUsage, true, derTlv(0x03, Buffer.from(request.isCa ? [0x01, 0x06] : request.keyType === 'ec' ? [0x07, 0x80] : [0x05, 0xa0]))),
  ];
  if (!request.isCa) extensions.push(extension(OID.extKeyUsage, false, derSequence(derObjectIdentifier(OID.serverAuth), derObjectIdentifier(OID.clientAuth))));
  if (request.altNames?.length) extensions.push(extension(OID.subjectAltName, false, derSequence(...request.altNames.map(altName))));

  const tbs = derSequence(
    derExplicit(0, derInteger(Buffer.from([2]))), // v3
    derInteger(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    algorithm,
    name(issuerName),
    derSequence(derTime(notBefore), derTime(notAfter)),
    name(request.commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    derExplicit(3, derSequence(...extensions)),
  );
  const signature = sign('sha256', tbs, signingKey);
  const der = derSequence(tbs, algorithm, derBitString(signature));
  const certPem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
  return {
    certPem,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    thumbprintSha256: createHash('sha256').update(der).digest('hex'),
    privateKey,
  };
}

/** A test authority and a server certificate it signed for the loopback names. */
export function createLoopbackTlsCertificates(): { ca: CertificateWithKey; server: CertificateWithKey } {
  const ca = createCertificate({ commonName: 'dynasql emulator test CA', isCa: true, validDays: 30, keyType: 'ec' });
  const server = createCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1', '::1'], issuer: ca, validDays: 30, keyType: 'ec' });
  return { ca, server };
}

/** Loads a certificate and key given as PEM (for `auth.tls`), checking that they belong together. */
export function certificateFromPem(certPem: string, keyPem: string): CertificateWithKey {
  const x509 = new X509Certificate(certPem);
  const privateKey = createPrivateKey(keyPem);
  if (!x509.checkPrivateKey(privateKey)) throw new Error('the TLS private key does not match the certificate');
  return { certPem, keyPem, thumbprintSha256: createHash('sha256').update(x509.raw).digest('hex'), privateKey };
}
