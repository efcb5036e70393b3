import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DynasqlError } from '../errors/index.js';

/** What msal's `clientCertificate` takes. */
export interface CertificateCredential {
  thumbprintSha256?: string;
  thumbprint?: string;
  privateKey: string;
  x5c: string;
}

/**
 * Reads the Certificate setting (PEM text, or a path to a PEM file holding the certificate and its
 * private key, the key optionally encrypted with Certificate Password) into msal's credential.
 * The thumbprint is computed from the certificate unless given; a 40-hex thumbprint means SHA-1 (old ADFS).
 */
export function loadCertificateCredential(certificate: string, password?: string, thumbprint?: string): CertificateCredential {
  let pem = certificate;
  if (!certificate.includes('-----BEGIN')) {
    try {
      pem = readFileSync(certificate, 'utf8');
    } catch (error) {
      throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Certificate' names a file that could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
  }
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const keyPem = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/.exec(pem)?.[0];
  if (!certPem || !keyPem) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Certificate' must hold a PEM certificate and its private key (PFX files: convert with openssl pkcs12 -nodes).`);
  }
  let privateKey: string;
  try {
    privateKey = createPrivateKey({ key: keyPem, ...(password ? { passphrase: password } : {}) }).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `The private key in setting 'Certificate' could not be read${password ? ' with the Certificate Password given' : '; if it is encrypted, set Certificate Password'}.`);
  }
  const cert = new X509Certificate(certPem);
  const x5c = cert.raw.toString('base64');
  const given = thumbprint?.replace(/[:\s]/g, '').toLowerCase();
  if (given && given.length === 40) return { thumbprint: given, privateKey, x5c };
  const sha256 = cert.fingerprint256.replace(/:/g, '').toLowerCase();
  if (given && given !== sha256) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Certificate Thumbprint' does not match the certificate in setting 'Certificate'.`);
  }
  return { thumbprintSha256: sha256, privateKey, x5c };
}
