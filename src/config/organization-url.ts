import { DynasqlError } from '../errors/index.js';
import type { Edition, Platform } from './connection-options.js';

/** `localhost`, 127.0.0.0/8 and ::1: the only hosts plain http:// is allowed to (the emulator). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface OrganizationUrl {
  /** origin plus any base path, without a trailing slash */
  organizationUrl: string;
  isLoopback: boolean;
  /** set when the URL already named a service root (`.../api/data/v9.2/` or `.../data/`) */
  platformFromPath?: Platform;
  apiVersionFromPath?: '9.0' | '9.1' | '9.2';
}

/**
 * Checks and normalises the Organization URL. Accepts the org root (`https://contoso.crm.dynamics.com/`)
 * and, for convenience with the emulator, a full service root (`http://127.0.0.1:5555/api/data/v9.2/`),
 * which then also fixes the platform and version.
 */
export function parseOrganizationUrl(raw: string): OrganizationUrl {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Organization URL' is not an absolute URL (expected https://<org>.crm.dynamics.com).`);
  }
  if (url.username || url.password) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Organization URL' must not carry a user name or password.`);
  }
  if (url.search || url.hash) {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Organization URL' must not have a query string or fragment.`);
  }
  const isLoopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:' && !isLoopback) {
    throw new DynasqlError(
      'DYNASQL_ERR_CONFIG_INSECURE_URL',
      `Setting 'Organization URL' uses http:// for ${url.hostname}; only loopback hosts (the emulator) may use plain http. Use https://.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Organization URL' must be an https:// URL.`);
  }
  let path = url.pathname.replace(/\/+$/, '');
  const result: OrganizationUrl = { organizationUrl: '', isLoopback };
  const dataverse = /\/api\/data\/v(\d+(?:\.\d+)?)$/i.exec(path);
  if (dataverse) {
    const v = dataverse[1] === '9' ? '9.0' : dataverse[1]!;
    if (v !== '9.0' && v !== '9.1' && v !== '9.2') {
      throw new DynasqlError('DYNASQL_ERR_CONFIG', `Setting 'Organization URL' names API version ${v}; 9.0, 9.1 and 9.2 are supported.`);
    }
    result.platformFromPath = 'dataverse';
    result.apiVersionFromPath = v;
    path = path.slice(0, dataverse.index);
  } else if (/\/data$/i.test(path)) {
    result.platformFromPath = 'finops';
    path = path.slice(0, -'/data'.length);
  }
  result.organizationUrl = `${url.protocol}//${url.host}${path}`;
  return result;
}

/**
 * The edition when the user gave none: `*.crm*.dynamics.com` (and the sovereign `crm.*` hosts) are
 * Dataverse, `*.operations.dynamics.com` / `*.cloudax.dynamics.com` are F&O online, a `/data/` path is
 * F&O, a loopback host is the emulator (Dataverse unless the path says F&O), an ADFS Server means
 * F&O on premises. Anything else must say `Edition=`.
 */
export function inferEdition(org: OrganizationUrl, hasAdfsServer: boolean): Edition {
  const host = new URL(org.organizationUrl).hostname.toLowerCase();
  if (org.platformFromPath === 'finops') return hasAdfsServer ? 'FinOpsOnPremise' : 'FinOpsOnline';
  if (org.platformFromPath === 'dataverse') return 'Dataverse';
  if (/(^|\.)crm\d*\.|\.crm\d*\.dynamics\.|\.crm\.microsoftdynamics\.|\.crm\.appsplatform\./.test(host)) return 'Dataverse';
  if (/\.(operations|cloudax)(\.[a-z0-9-]+)*\.dynamics\.(com|cn|us)$/.test(host) || /\.axcloud\.dynamics\.com$/.test(host)) return 'FinOpsOnline';
  if (hasAdfsServer) return 'FinOpsOnPremise';
  if (org.isLoopback) return 'Dataverse';
  throw new DynasqlError(
    'DYNASQL_ERR_CONFIG',
    `Cannot tell the edition from the Organization URL host '${host}'; add Edition=Sales (or another Dataverse app) or Edition=FinOpsOnline.`,
  );
}

export function platformOf(edition: Edition): Platform {
  return edition === 'FinOpsOnline' || edition === 'FinOpsOnPremise' ? 'finops' : 'dataverse';
}

/** Dataverse `{org}/api/data/v{version}/`, F&O `{org}/data/`. */
export function serviceRootOf(organizationUrl: string, platform: Platform, apiVersion: string): string {
  return platform === 'finops' ? `${organizationUrl}/data/` : `${organizationUrl}/api/data/v${apiVersion}/`;
}
