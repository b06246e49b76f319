// Every URL and default the extension builds comes from the selected cloud. Sources:
// login/Graph hosts: microsoft-graph-docs-contrib concepts/deployments.md; exchange audiences: entra-docs
// workload-identity-federation-config-app-trust-managed-identity.md; portals: entra-docs authentication-national-cloud.md.

import { isGuid, quote } from './text';
import { error, Finding, toResult, ValidationError, ValidationResult } from './validation';
import { isLoopbackHost, tryParseUrl, Url } from './web';

export type CloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud' | 'Custom';
const CLOUD_NAMES: readonly CloudName[] = ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud', 'Custom'];

/** VS Code's built-in providers: `microsoft` serves the global cloud, the sovereign one everything else. */
export type AuthProviderId = 'microsoft' | 'microsoft-sovereign-cloud';

export interface Cloud {
  readonly name: CloudName;
  readonly displayName: string;
  /** Entra authority, no trailing slash, e.g. `https://login.microsoftonline.com`. */
  readonly loginUrl: string;
  /** Other login hosts whose issuers belong to this cloud (China has two documented hosts). */
  readonly loginHostAliases: readonly string[];
  /** Microsoft Graph root, no trailing slash and no version. */
  readonly graphUrl: string;
  /** Azure Resource Manager root, no trailing slash. */
  readonly armUrl: string;
  /** The `aud` a managed identity asks for when it trusts an app in this cloud. */
  readonly tokenExchangeAudience: string;
  /** Azure portal root, when the cloud has one. */
  readonly portalUrl?: string;
  /** Entra admin center root (falls back to the Azure portal, which serves the same blades). */
  readonly entraPortalUrl?: string;
  readonly authProviderId: AuthProviderId;
}

export const AZURE_CLOUD: Cloud = {
  name: 'AzureCloud',
  displayName: 'Azure (global)',
  loginUrl: 'https://login.microsoftonline.com',
  loginHostAliases: [],
  graphUrl: 'https://graph.microsoft.com',
  armUrl: 'https://management.azure.com',
  tokenExchangeAudience: 'api://AzureADTokenExchange',
  portalUrl: 'https://portal.azure.com',
  entraPortalUrl: 'https://entra.microsoft.com',
  authProviderId: 'microsoft',
};

export const AZURE_US_GOVERNMENT: Cloud = {
  name: 'AzureUSGovernment',
  displayName: 'Azure US Government',
  loginUrl: 'https://login.microsoftonline.us',
  loginHostAliases: [],
  graphUrl: 'https://graph.microsoft.us',
  armUrl: 'https://management.usgovcloudapi.net',
  tokenExchangeAudience: 'api://AzureADTokenExchangeUSGov',
  portalUrl: 'https://portal.azure.us',
  entraPortalUrl: 'https://entra.microsoft.us',
  authProviderId: 'microsoft-sovereign-cloud',
};

export const AZURE_CHINA_CLOUD: Cloud = {
  name: 'AzureChinaCloud',
  displayName: 'Azure operated by 21Vianet',
  // @azure/identity's AzureAuthorityHosts.AzureChina and Bicep's environment() use this host; the Entra docs
  // list login.partner.microsoftonline.cn, so issuers on that host are recognised as China too.
  loginUrl: 'https://login.chinacloudapi.cn',
  loginHostAliases: ['login.partner.microsoftonline.cn'],
  graphUrl: 'https://microsoftgraph.chinacloudapi.cn',
  armUrl: 'https://management.chinacloudapi.cn',
  tokenExchangeAudience: 'api://AzureADTokenExchangeChina',
  portalUrl: 'https://portal.azure.cn',
  entraPortalUrl: 'https://portal.azure.cn',
  authProviderId: 'microsoft-sovereign-cloud',
};

export const BUILT_IN_CLOUDS: readonly Cloud[] = [AZURE_CLOUD, AZURE_US_GOVERNMENT, AZURE_CHINA_CLOUD];

/** The `federatedCredentials.customCloud` setting. */
export interface CustomCloudSettings {
  readonly loginUrl?: unknown;
  readonly graphUrl?: unknown;
  readonly armUrl?: unknown;
  readonly tokenExchangeAudience?: unknown;
  readonly portalUrl?: unknown;
}

/**
 * Checks an endpoint URL and returns it in one canonical form (no trailing slash), so that `${url}/path`
 * never yields `//`. https is required, except on loopback hosts where the test emulator listens on http.
 */
export function normaliseEndpoint(field: string, value: unknown): { url?: string; findings: Finding[] } {
  const label = `Custom cloud ${field}`;
  if (typeof value !== 'string' || value.trim() === '') {
    return { findings: [error(field, 'endpoint.required', `${label} is required (an https URL).`)] };
  }
  if (value !== value.trim()) {
    return { findings: [error(field, 'endpoint.whitespace', `${label} must not start or end with whitespace: ${quote(value)}.`)] };
  }
  const url = tryParseUrl(value);
  if (!url || !/^https?:$/.test(url.protocol) || !/^https?:\/\//i.test(value)) {
    return { findings: [error(field, 'endpoint.notUrl', `${label} must be an absolute https URL; ${quote(value)} is not.`)] };
  }
  // The URL parser forgives "https:///graph" (taking "graph" for the host) and backslashes; tokens would go elsewhere than meant.
  if (/^https?:\/\/[/\\?#]/i.test(value) || value.includes('\\')) {
    return { findings: [error(field, 'endpoint.host', `${label} must have a host name right after "https://" and no backslashes; ${quote(value)} does not.`)] };
  }
  const findings: Finding[] = [];
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    findings.push(error(field, 'endpoint.notHttps', `${label} must use https (http is allowed only for localhost); ${quote(value)} uses http.`));
  }
  if (url.username !== '' || url.password !== '') {
    findings.push(error(field, 'endpoint.userinfo', `${label} must not contain a user name or password.`));
  }
  if (url.search !== '' || value.includes('?')) {
    findings.push(error(field, 'endpoint.query', `${label} must not contain a query (?…); ${quote(value)} does.`));
  }
  if (url.hash !== '' || value.includes('#')) {
    findings.push(error(field, 'endpoint.fragment', `${label} must not contain a fragment (#…); ${quote(value)} does.`));
  }
  if (findings.length > 0) return { findings };
  return { url: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, findings };
}

/** Validates the custom-cloud setting; `cloud` is set only when there are no errors. */
export function checkCustomCloud(settings: CustomCloudSettings | undefined): { cloud?: Cloud; result: ValidationResult } {
  const s = settings ?? {};
  const login = normaliseEndpoint('loginUrl', s.loginUrl);
  const graph = normaliseEndpoint('graphUrl', s.graphUrl);
  const arm = normaliseEndpoint('armUrl', s.armUrl);
  const portal = s.portalUrl === undefined || s.portalUrl === '' ? { findings: [] } : normaliseEndpoint('portalUrl', s.portalUrl);
  const findings = [...login.findings, ...graph.findings, ...arm.findings, ...portal.findings];
  const audience = s.tokenExchangeAudience;
  if (typeof audience !== 'string' || audience === '') {
    findings.push(error('tokenExchangeAudience', 'audience.required', 'Custom cloud tokenExchangeAudience is required, e.g. "api://AzureADTokenExchange".'));
  } else if (audience !== audience.trim() || /\s/.test(audience)) {
    findings.push(error('tokenExchangeAudience', 'audience.whitespace', `Custom cloud tokenExchangeAudience must not contain whitespace: ${quote(audience)}.`));
  } else if (audience.length > 600) {
    findings.push(
      error('tokenExchangeAudience', 'audience.tooLong', `Custom cloud tokenExchangeAudience must be at most 600 characters; it has ${audience.length}.`),
    );
  }
  const result = toResult(findings);
  if (!result.ok) return { result };
  const cloud: Cloud = {
    name: 'Custom',
    displayName: 'Custom cloud',
    loginUrl: login.url as string,
    loginHostAliases: [],
    graphUrl: graph.url as string,
    armUrl: arm.url as string,
    tokenExchangeAudience: audience as string,
    portalUrl: portal.url,
    entraPortalUrl: portal.url,
    authProviderId: 'microsoft-sovereign-cloud',
  };
  return { cloud, result };
}

/** Resolves the `federatedCredentials.cloud` setting; throws a ValidationError that says what is wrong. */
export function resolveCloud(name: string, custom?: CustomCloudSettings): Cloud {
  const builtIn = BUILT_IN_CLOUDS.find((c) => c.name === name);
  if (builtIn) return builtIn;
  if (name === 'Custom') {
    const { cloud, result } = checkCustomCloud(custom);
    if (!cloud) throw new ValidationError(result.errors);
    return cloud;
  }
  throw new ValidationError([error('cloud', 'cloud.unknown', `Cloud must be one of ${CLOUD_NAMES.join(', ')}; ${quote(name)} is not.`)]);
}

/** `https://graph.microsoft.com/v1.0` and the like. */
export function graphApiBase(cloud: Cloud, version: 'v1.0' | 'beta' = 'v1.0'): string {
  return `${cloud.graphUrl}/${version}`;
}

/** The client-credentials / `.default` scope for Graph in this cloud. */
export function graphDefaultScope(cloud: Cloud): string {
  return `${cloud.graphUrl}/.default`;
}

export function armDefaultScope(cloud: Cloud): string {
  return `${cloud.armUrl}/.default`;
}

/** Entra's v2.0 issuer for a tenant: `{login}/{tenantId}/v2.0`, the issuer of a managed identity's token. */
export function entraIssuer(cloud: Cloud, tenantId: string): string {
  if (!isGuid(tenantId)) {
    throw new ValidationError([error('tenantId', 'tenant.notGuid', `The issuer needs the tenant id (a GUID); ${quote(tenantId)} is not one.`)]);
  }
  return `${cloud.loginUrl}/${tenantId.toLowerCase()}/v2.0`;
}

export type IssuerClassification =
  | {
      readonly kind: 'entra';
      readonly cloud: CloudName;
      readonly tenantId: string;
      readonly version: 'v2.0' | 'v1.0';
      /** True when the string is exactly what `entraIssuer` builds; Entra compares issuers exactly. */
      readonly canonical: boolean;
    }
  | { readonly kind: 'other' };

const STS_V1_HOST = 'sts.windows.net';

/**
 * Says whether an issuer is Entra's (and which cloud and tenant), or another identity provider's.
 * `clouds` lets the caller include the configured custom cloud.
 */
export function classifyIssuer(issuer: string, clouds: readonly Cloud[] = BUILT_IN_CLOUDS): IssuerClassification {
  const url = tryParseUrl(issuer);
  if (!url || (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname)))) return { kind: 'other' };
  if (url.search !== '' || url.hash !== '') return { kind: 'other' };
  const host = url.host.toLowerCase();
  // v1 tokens of the global cloud carry https://sts.windows.net/{tenant}/.
  if (host === STS_V1_HOST) {
    const m = /^\/([0-9a-fA-F-]{36})\/?$/.exec(url.pathname);
    if (m && isGuid(m[1])) return { kind: 'entra', cloud: 'AzureCloud', tenantId: m[1].toLowerCase(), version: 'v1.0', canonical: false };
    return { kind: 'other' };
  }
  for (const cloud of clouds) {
    const base = new Url(cloud.loginUrl);
    const hosts = [base.host.toLowerCase(), ...cloud.loginHostAliases];
    if (!hosts.includes(host)) continue;
    const prefix = base.pathname.replace(/\/+$/, '');
    if (!url.pathname.startsWith(`${prefix}/`)) continue;
    const m = /^\/([^/]+)\/v2\.0\/?$/.exec(url.pathname.slice(prefix.length));
    if (!m || !isGuid(m[1])) continue;
    const tenantId = m[1].toLowerCase();
    return { kind: 'entra', cloud: cloud.name, tenantId, version: 'v2.0', canonical: issuer === entraIssuer(cloud, tenantId) };
  }
  return { kind: 'other' };
}

// --- Portal deep links. The fragments are the portal's own blade routes; they work in the Entra admin center
// and in the Azure portal of each cloud.

function requireGuid(field: string, value: string): void {
  if (!isGuid(value)) throw new ValidationError([error(field, `${field}.notGuid`, `${field} must be a GUID; ${quote(value)} is not.`)]);
}

/** The app registration's overview blade, or undefined when the cloud has no portal. */
export function appRegistrationPortalUrl(cloud: Cloud, appId: string): string | undefined {
  requireGuid('appId', appId);
  return cloud.entraPortalUrl && `${cloud.entraPortalUrl}/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Overview/appId/${appId}`;
}

/** The app registration's "Certificates & secrets" blade, where federated credentials are listed. */
export function appCredentialsPortalUrl(cloud: Cloud, appId: string): string | undefined {
  requireGuid('appId', appId);
  return cloud.entraPortalUrl && `${cloud.entraPortalUrl}/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Credentials/appId/${appId}`;
}

/** A service principal (enterprise app or managed identity) in Entra. */
export function enterpriseAppPortalUrl(cloud: Cloud, servicePrincipalId: string, appId: string): string | undefined {
  requireGuid('servicePrincipalId', servicePrincipalId);
  requireGuid('appId', appId);
  return cloud.entraPortalUrl && `${cloud.entraPortalUrl}/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Overview/objectId/${servicePrincipalId}/appId/${appId}`;
}

/**
 * An Azure resource (a user-assigned identity, an Automation account, a runbook) in the Azure portal,
 * in the given tenant's directory. Each path segment is percent-encoded, so a hostile name stays inside it.
 */
export function azureResourcePortalUrl(cloud: Cloud, tenantId: string, resourceId: string): string | undefined {
  requireGuid('tenantId', tenantId);
  const segments = resourceId.split('/');
  if (segments[0] !== '' || segments.length < 3 || segments.slice(1).some((s) => s === '')) {
    throw new ValidationError([
      error('resourceId', 'resourceId.invalid', `resourceId must be an Azure resource id (/subscriptions/…); ${quote(resourceId)} is not.`),
    ]);
  }
  const path = segments.map((s) => encodeURIComponent(s)).join('/');
  return cloud.portalUrl && `${cloud.portalUrl}/#@${tenantId}/resource${path}/overview`;
}
