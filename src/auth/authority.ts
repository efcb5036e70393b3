import type { AuthSettings, AzureEnvironmentName } from './auth-settings.js';

/** Entra authority hosts per cloud (GCC moderate signs in on the public cloud). */
export const AUTHORITY_HOSTS: Readonly<Record<AzureEnvironmentName, string>> = {
  Global: 'https://login.microsoftonline.com',
  China: 'https://login.chinacloudapi.cn',
  USGovernment: 'https://login.microsoftonline.com',
  USGovernmentHigh: 'https://login.microsoftonline.us',
  USGovernmentDoD: 'https://login.microsoftonline.us',
};

export interface Authority {
  /** `https://login.microsoftonline.com/contoso.onmicrosoft.com` or `https://adfs.contoso.com/adfs` */
  authority: string;
  /**
   * Hosts msal trusts without instance discovery: set for an Authority Host override (the emulator, a
   * private cloud) and for ADFS, left empty for Microsoft's own hosts so discovery runs as usual.
   */
  knownAuthorities: string[];
}

/** The authority for user flows defaults to `organizations` when no tenant is given. */
export function authorityFor(settings: AuthSettings): Authority {
  if (settings.authScheme === 'ADFS') {
    const base = settings.adfsServer!.replace(/\/+$/, '').replace(/\/adfs$/i, '');
    return { authority: `${base}/adfs`, knownAuthorities: [new URL(base).host] };
  }
  const host = (settings.authorityHost ?? AUTHORITY_HOSTS[settings.azureEnvironment ?? 'Global']).replace(/\/+$/, '');
  const tenant = encodeURIComponent(settings.azureTenant ?? 'organizations');
  return { authority: `${host}/${tenant}`, knownAuthorities: settings.authorityHost ? [new URL(host).host] : [] };
}

/**
 * Scopes per edition (dataverse-protocol.md §10): a confidential client asks for `{org}/.default`; a
 * public client (a user signing in) for `{org}/user_impersonation` on Dataverse. F&O takes its
 * resource without a trailing slash, `{org}/.default`, for both.
 */
export function scopesFor(settings: Pick<AuthSettings, 'organizationUrl' | 'platform'>, client: 'confidential' | 'public'): string[] {
  const resource = settings.organizationUrl.replace(/\/+$/, '');
  if (settings.platform === 'dataverse' && client === 'public') return [`${resource}/user_impersonation`];
  return [`${resource}/.default`];
}

/** The v1 `resource` parameter (ADFS): the org URL without a trailing slash. */
export function resourceFor(settings: Pick<AuthSettings, 'organizationUrl'>): string {
  return settings.organizationUrl.replace(/\/+$/, '');
}
