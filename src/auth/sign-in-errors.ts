import { DynasqlError } from '../errors/index.js';
import type { AuthSettings } from './auth-settings.js';
import { transportCode, type IdentityObserver } from './identity-observer.js';
import { RedirectedSignInError } from './loopback-redirect.js';

/** The causes a failed sign-in is sorted into; `details.cause` carries one (stable, for code that branches). */
export type SignInCause =
  | 'unknown-tenant'
  | 'unreachable-authority'
  | 'untrusted-certificate'
  | 'wrong-client-secret'
  | 'expired-client-secret'
  | 'unknown-client'
  | 'certificate-not-registered'
  | 'consent-missing'
  | 'redirect-not-registered'
  | 'public-client-flows-off'
  | 'unknown-resource'
  | 'wrong-user-credentials'
  | 'mfa-required'
  | 'blocked-by-policy'
  | 'device-code-expired'
  | 'sign-in-declined'
  | 'refresh-token-expired'
  | 'other';

type Context = Pick<AuthSettings, 'authScheme' | 'azureTenant' | 'clientId' | 'organizationUrl' | 'platform' | 'redirectUri' | 'callbackPort' | 'authorityHost'>;

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_SIGNATURE_FAILURE',
]);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'TimeoutError',
]);

/**
 * The error for a failed sign-in, named by cause with what to do, from what the identity provider's
 * transport saw (`observer`) and msal's own error. msal's text ("See https://aka.ms/msal.js.errors#…")
 * is never the message; Entra's AADSTS code goes into `serviceCode`, msal's code into details.
 * No secret reaches the message: Entra never echoes one, and the settings read here hold none.
 *
 *   signInError(msalError, 'Client credentials sign-in', settings, observer)
 *   // → "Client credentials sign-in failed: the tenant 'contoso.onmicrosoft.co' does not exist (AADSTS90002). Set Azure Tenant to …"
 */
export function signInError(error: unknown, what: string, settings: Context, observer?: IdentityObserver): DynasqlError {
  if (error instanceof DynasqlError) return error;
  const msalCode = (error as { errorCode?: unknown })?.errorCode;
  const reply = observer?.errorReply ?? replyFromMsal(error);
  const transport = observer?.transportFailure ?? transportOf(error);
  const diagnosis = diagnose(settings, reply, transport);
  const details: Record<string, unknown> = {
    cause: diagnosis.cause,
    ...(typeof msalCode === 'string' && msalCode ? { msalCode } : {}),
    ...(reply?.error ? { error: reply.error } : {}),
    ...(reply ? { host: reply.host } : transport ? { host: transport.host, transportCode: transport.code } : {}),
  };
  const text = diagnosis.text ?? fallbackText(error, msalCode);
  return new DynasqlError('DYNASQL_ERR_AUTH', `${what} failed: ${text}`, {
    cause: error,
    details,
    ...(reply?.aadsts !== undefined ? { serviceCode: `AADSTS${reply.aadsts}` } : typeof msalCode === 'string' && msalCode ? { serviceCode: msalCode } : {}),
  });
}

interface Diagnosis {
  cause: SignInCause;
  /** undefined: no known cause; the fallback words what the provider said */
  text?: string;
}

function diagnose(settings: Context, reply: IdentityObserver['errorReply'], transport: IdentityObserver['transportFailure']): Diagnosis {
  const tag = reply?.aadsts !== undefined ? ` (AADSTS${reply.aadsts})` : reply?.error ? ` (${reply.error})` : '';
  const clientId = settings.clientId ?? '';
  const redirect = settings.redirectUri ?? `http://localhost:${settings.callbackPort ?? 33333}`;
  const api = settings.platform === 'finops' ? 'Dynamics ERP' : 'Dynamics CRM';
  if (reply) {
    switch (reply.aadsts) {
      case 90002:
      case 90023:
        return { cause: 'unknown-tenant', text: `the tenant '${settings.azureTenant ?? 'organizations'}' does not exist${tag}. Set Azure Tenant to your directory's tenant ID (a GUID) or one of its verified domains such as contoso.onmicrosoft.com; both are on the Overview page of Microsoft Entra ID.` };
      case 7000215:
        return { cause: 'wrong-client-secret', text: `the client secret is wrong${tag}. Use the secret's Value (shown once when it is created), not its Secret ID, from the app registration's Certificates & secrets page; if the value is lost, add a new secret there.` };
      case 7000222:
        return { cause: 'expired-client-secret', text: `the client secret has expired${tag}. Add a new secret on the app registration's Certificates & secrets page and put its Value in Client Secret.` };
      case 700016:
        return { cause: 'unknown-client', text: `no application with Client Id '${clientId}' is registered in this tenant${tag}. Copy the Application (client) ID from the app registration's Overview page, and check that Azure Tenant names the tenant the app is registered in.` };
      case 700027:
      case 700024:
      case 700021:
      case 50027:
        return { cause: 'certificate-not-registered', text: `the identity provider did not accept the certificate${tag}: ${reply.description ?? ''} Upload the certificate's public part (.cer or .pem) on the app registration's Certificates & secrets page, check Certificate Thumbprint, and check that it has not expired.` };
      case 65001:
      case 65004:
        return { cause: 'consent-missing', text: `the application has no consent to use ${api} on the user's behalf${tag}. In the app registration, under API permissions, add ${api} › user_impersonation and select "Grant admin consent" (or let the user consent in an interactive sign-in with Auth Scheme=AuthCode).` };
      case 50011:
      case 500113:
        return { cause: 'redirect-not-registered', text: `the redirect URI ${redirect} is not registered for the application${tag}. Add it exactly (scheme, host and port) in the app registration under Authentication › Add a platform › Mobile and desktop applications, or set Redirect Uri (or Callback Port) to one that is registered.` };
      case 7000218:
        return settings.authScheme === 'DeviceCode' || settings.authScheme === 'AuthCode' || settings.authScheme === 'RefreshToken'
          ? { cause: 'public-client-flows-off', text: `the application is not a public client, so a user cannot sign in to it without a secret${tag}. Turn on "Allow public client flows" on the app registration's Authentication page, or give the app's Client Secret.` }
          : { cause: 'wrong-client-secret', text: `no client secret or certificate was sent${tag}. Set Client Secret, or Certificate for Auth Scheme=ClientCertificate.` };
      case 500011:
      case 1002012:
      case 70011:
        return { cause: 'unknown-resource', text: `the tenant does not know ${settings.organizationUrl} as a resource${tag}. Check Organization URL (copy it from the Power Platform admin center, e.g. https://contoso.crm.dynamics.com) and that Azure Tenant is the environment's tenant.` };
      case 50126:
        return { cause: 'wrong-user-credentials', text: `the user name or password is wrong${tag}.` };
      case 50076:
      case 50079:
        return { cause: 'mfa-required', text: `the user must complete multi-factor authentication${tag}. Sign in interactively with Auth Scheme=AuthCode or Auth Scheme=DeviceCode.` };
      case 53003:
        return { cause: 'blocked-by-policy', text: `a Conditional Access policy blocked the sign-in${tag}. Ask your Entra administrator which policy applies (sign-in logs of Microsoft Entra ID name it).` };
      case 70019:
        return { cause: 'device-code-expired', text: `the device code expired before the sign-in was completed${tag}. Run again and enter the code on the page shown within 15 minutes.` };
      case 70020:
        return { cause: 'sign-in-declined', text: `the sign-in was declined${tag}. Run again and approve the sign-in in the browser.` };
      case 700082:
      case 70008:
      case 9002313:
        if (settings.authScheme === 'RefreshToken') return { cause: 'refresh-token-expired', text: `the refresh token has expired, was revoked or was already used${tag}. Get a new one (EXEC GetOAuthAccessToken, or sign in with Auth Scheme=AuthCode and a Token Cache File).` };
        break;
    }
    if (reply.error === 'invalid_tenant') return { cause: 'unknown-tenant', text: `the tenant '${settings.azureTenant ?? 'organizations'}' does not exist${tag}. Set Azure Tenant to your directory's tenant ID (a GUID) or a verified domain.` };
    if (reply.error === 'consent_required') return diagnose(settings, { ...reply, aadsts: 65001 }, undefined);
    if (reply.error === 'authorization_declined') return diagnose(settings, { ...reply, aadsts: 70020 }, undefined);
    if (reply.error === 'expired_token') return diagnose(settings, { ...reply, aadsts: 70019 }, undefined);
    return { cause: 'other', text: `the identity provider at ${reply.host} answered ${reply.status}${tag}${reply.description ? `: ${reply.description}` : '.'}` };
  }
  if (transport) {
    if (TLS_CODES.has(transport.code)) {
      return { cause: 'untrusted-certificate', text: `the identity provider at ${transport.host} presented a certificate this machine does not trust (${transport.code}). If a proxy on your network inspects TLS, set CA File to its root certificate (a PEM file), or set NODE_EXTRA_CA_CERTS; check the machine's clock for an expired one.` };
    }
    if (UNREACHABLE_CODES.has(transport.code)) {
      return { cause: 'unreachable-authority', text: `cannot reach the identity provider at ${transport.host} (${transport.code}). Check the network; behind a proxy set Proxy (or Use Env Proxy=true); for a national cloud set Azure Environment${settings.authorityHost ? ', and check Authority Host' : ''}.` };
    }
  }
  return { cause: 'other' };
}

/** msal's ServerError keeps the AADSTS number in `errorNo` or the message when the observer saw nothing (a custom network client). */
function replyFromMsal(error: unknown): IdentityObserver['errorReply'] {
  const e = error as { errorCode?: unknown; errorMessage?: unknown; errorNo?: unknown; subError?: unknown };
  const number = typeof e?.errorNo === 'string' && /^\d+$/.test(e.errorNo) ? Number(e.errorNo) : typeof e?.errorMessage === 'string' ? Number(/AADSTS(\d+)/.exec(e.errorMessage)?.[1] ?? NaN) : NaN;
  if (error instanceof RedirectedSignInError) {
    return { host: 'the sign-in redirect', status: 400, error: error.errorCode, ...(Number.isFinite(number) ? { aadsts: number } : {}), ...(error.errorMessage ? { description: error.errorMessage } : {}) };
  }
  if (!Number.isFinite(number)) return undefined;
  return { host: '(identity provider)', status: 400, aadsts: number, ...(typeof e.errorCode === 'string' ? { error: e.errorCode } : {}) };
}

function transportOf(error: unknown): IdentityObserver['transportFailure'] {
  const code = transportCode(error);
  return code === 'unknown' ? undefined : { host: '(identity provider)', code };
}

/** msal's own words without its "See https://aka.ms/msal.js.errors#…" pointer, or its code alone. */
function fallbackText(error: unknown, msalCode: unknown): string {
  const raw = (error as { errorMessage?: unknown })?.errorMessage ?? (error instanceof Error ? error.message : String(error));
  const text = String(raw).split('\n')[0]!.replace(/\s*See https:\/\/aka\.ms\/\S+( for details)?\.?/gi, '').trim().slice(0, 300);
  const code = typeof msalCode === 'string' && msalCode ? msalCode : undefined;
  if (!text || text === code) return `the identity provider could not be used${code ? ` (${code})` : ''}. Run with Verbosity=5 to see the exchange.`;
  return `${text}${code && !text.includes(code) ? ` (${code})` : ''}.`;
}
