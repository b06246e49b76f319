// The input of every runbook template, and its validation. The cloud's endpoints are plain values
// (a `Cloud` from src/domain/clouds.ts fits `RunbookCloudEndpoints` structurally), so the runbooks
// work in every cloud and against the local sandbox.

import { jsonString } from '../domain/text';
import { unprintableReason } from './escape';
import { RUNBOOK_RUNTIMES, RUNBOOK_TEMPLATES, RunbookRuntime, RunbookTemplateId } from './runtimes';

export type RunbookIdentity =
  /** Recommended: the user-assigned identity attached to the Automation account, by its client id. */
  { readonly kind: 'userAssigned'; readonly clientId: string } | { readonly kind: 'systemAssigned' };

export interface RunbookCloudEndpoints {
  /** Entra authority root, e.g. `https://login.microsoftonline.com`. */
  readonly loginUrl: string;
  /** Microsoft Graph root without version, e.g. `https://graph.microsoft.com`. */
  readonly graphUrl: string;
  /** Audience of the managed identity token, e.g. `api://AzureADTokenExchange`. */
  readonly tokenExchangeAudience: string;
}

/** Where each value came from, one line each in the header. Free text, one line, no control characters. */
export interface RunbookProvenance {
  readonly app?: string;
  readonly homeTenant?: string;
  readonly targetTenants?: string;
  readonly identity?: string;
  readonly scope?: string;
  readonly cloud?: string;
}

export interface RunbookOptions {
  readonly template: RunbookTemplateId;
  /** Application (client) id of the multi-tenant app registration. */
  readonly appClientId: string;
  /** The app's display name, for messages only (any text; escaped, never trusted). */
  readonly appDisplayName?: string;
  /** Tenant id (GUID) of the app and the managed identity: the issuer's tenant. */
  readonly homeTenantId: string;
  /** Customer tenants, GUID or verified domain. Duplicates (case-insensitive) are dropped. */
  readonly targetTenants: readonly string[];
  /** One resource's `/.default`; default `{graphUrl}/.default`. */
  readonly scope?: string;
  readonly identity: RunbookIdentity;
  readonly cloud: RunbookCloudEndpoints;
  /** Default: the template's default runtime (PowerShell 7.4, Python 3.10). */
  readonly runtime?: RunbookRuntime;
  readonly provenance?: RunbookProvenance;
  /** `YYYY-MM-DD`, written in the header. Passed in so the output is deterministic. */
  readonly generatedOn: string;
}

/** Options after validation and normalisation: defaults filled in, URLs without trailing slash. */
export interface ResolvedRunbookOptions extends Required<Omit<RunbookOptions, 'appDisplayName' | 'provenance' | 'scope' | 'runtime'>> {
  readonly appDisplayName?: string;
  readonly provenance: RunbookProvenance;
  readonly scope: string;
  readonly runtime: RunbookRuntime;
}

export class RunbookOptionsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`The runbook cannot be generated:\n- ${problems.join('\n- ')}`);
    this.name = 'RunbookOptionsError';
  }
}

export type RunbookOptionsResult = { readonly ok: true; readonly value: ResolvedRunbookOptions } | { readonly ok: false; readonly problems: readonly string[] };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DOMAIN_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const HTTPS_URL = /^https:\/\/(?<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(?<port>[0-9]{1,5}))?(?<path>(?:\/[A-Za-z0-9._~%!*+,;=:@-]*)*)$/;
const API_URI = /^api:\/\/[A-Za-z0-9][A-Za-z0-9._~%:@/-]*$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const RESERVED_TENANTS = new Set(['common', 'organizations', 'consumers']);
const MAX_TENANTS = 100;
const MAX_TEXT = 400;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

export function isTenantDomain(value: string): boolean {
  if (value.length > 253) return false;
  const labels = value.split('.');
  return labels.length >= 2 && labels.every((l) => DOMAIN_LABEL.test(l)) && /^[A-Za-z][A-Za-z0-9-]*$/.test(labels[labels.length - 1] as string);
}

/** An `https://` URL made of unreserved characters only (no quotes, `$`, backticks, spaces, query or fragment). */
export function isPlainHttpsUrl(value: string): boolean {
  const m = HTTPS_URL.exec(value);
  if (!m?.groups) return false;
  const port = m.groups.port;
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

/**
 * Why `scope` cannot be the scope a runbook asks tokens for, or undefined: one resource's `/.default`
 * (https URL, api:// URI or app id), nothing that could break out of a string in the generated file.
 * The text follows the argument's name: `scope ${problem}`.
 */
export function runbookScopeProblem(scope: string): string | undefined {
  const s = scope.trim();
  const resource = s.endsWith('/.default') ? s.slice(0, -'/.default'.length) : undefined;
  if (resource === undefined || /\s/.test(s)) {
    return `must be one resource's "/.default" scope, such as https://graph.microsoft.com/.default (app tokens carry no delegated scopes); got ${describe(scope)}.`;
  }
  if (!isPlainHttpsUrl(resource) && !API_URI.test(resource) && !isGuid(resource)) {
    return `must name its resource as an https URL, an api:// URI or an app id (GUID) before "/.default", with no quotes, spaces, "$" or backticks; got ${describe(scope)}.`;
  }
  return undefined;
}

/** A value as a problem shows it: cut to 80 characters, always one line (control and invisible characters escaped). */
function describe(value: unknown): string {
  if (typeof value === 'string') return jsonString(value.length > 80 ? value.slice(0, 80) + '…' : value);
  let text: string;
  try {
    text = value === undefined ? 'undefined' : typeof value === 'function' ? 'a function' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 80
    ? jsonString(`${text.slice(0, 80)}…`)
    : // eslint-disable-next-line no-control-regex
      text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
}

export function validateRunbookOptions(options: RunbookOptions): RunbookOptionsResult {
  const problems: string[] = [];
  const o = options as Partial<RunbookOptions>;

  const template = o.template;
  // Own keys only: a value such as "constructor" or an object must not reach the prototype.
  const templateInfo = typeof template === 'string' && Object.hasOwn(RUNBOOK_TEMPLATES, template) ? RUNBOOK_TEMPLATES[template] : undefined;
  if (!templateInfo) problems.push(`template must be one of ${Object.keys(RUNBOOK_TEMPLATES).join(', ')}; got ${describe(template)}.`);

  const appClientId = typeof o.appClientId === 'string' ? o.appClientId.trim() : '';
  if (!isGuid(appClientId)) problems.push(`appClientId must be the app's application (client) id, a GUID; got ${describe(o.appClientId)}.`);

  const homeTenantId = typeof o.homeTenantId === 'string' ? o.homeTenantId.trim() : '';
  if (!isGuid(homeTenantId)) problems.push(`homeTenantId must be the tenant id (GUID) of the app and the managed identity; got ${describe(o.homeTenantId)}.`);

  let appDisplayName: string | undefined;
  if (o.appDisplayName !== undefined) {
    const reason = typeof o.appDisplayName === 'string' ? unprintableReason(o.appDisplayName) : 'is not a string';
    if (reason) problems.push(`appDisplayName ${reason}.`);
    else if (o.appDisplayName.length > MAX_TEXT) problems.push(`appDisplayName is longer than ${MAX_TEXT} characters.`);
    else if (o.appDisplayName.trim() !== '') appDisplayName = o.appDisplayName;
  }

  const targetTenants: string[] = [];
  if (!Array.isArray(o.targetTenants) || o.targetTenants.length === 0) {
    problems.push('targetTenants must list at least one customer tenant (GUID or domain).');
  } else {
    const seen = new Set<string>();
    for (const raw of o.targetTenants as unknown[]) {
      const t = typeof raw === 'string' ? raw.trim() : '';
      if (RESERVED_TENANTS.has(t.toLowerCase())) {
        problems.push(`target tenant ${describe(raw)} is not a tenant: the client-credentials flow needs a tenant id or domain.`);
      } else if (!isGuid(t) && !isTenantDomain(t)) {
        problems.push(`target tenant ${describe(raw)} is neither a tenant id (GUID) nor a domain such as contoso.onmicrosoft.com.`);
      } else if (!seen.has(t.toLowerCase())) {
        seen.add(t.toLowerCase());
        targetTenants.push(isGuid(t) ? t.toLowerCase() : t);
      }
    }
    if (targetTenants.length > MAX_TENANTS) problems.push(`targetTenants lists ${targetTenants.length} tenants; at most ${MAX_TENANTS} fit in one runbook.`);
  }

  let identity: RunbookIdentity | undefined;
  if (o.identity?.kind === 'systemAssigned') identity = { kind: 'systemAssigned' };
  else if (o.identity?.kind === 'userAssigned') {
    const clientId = typeof o.identity.clientId === 'string' ? o.identity.clientId.trim() : '';
    if (isGuid(clientId)) identity = { kind: 'userAssigned', clientId: clientId.toLowerCase() };
    else problems.push(`identity.clientId must be the user-assigned identity's client id (a GUID, not its object id); got ${describe(o.identity.clientId)}.`);
  } else problems.push(`identity must be { kind: 'userAssigned', clientId } or { kind: 'systemAssigned' }; got ${describe(o.identity)}.`);

  const cloud = o.cloud;
  const loginUrl = stripSlash(cloud?.loginUrl);
  const graphUrl = stripSlash(cloud?.graphUrl);
  const audience = typeof cloud?.tokenExchangeAudience === 'string' ? cloud.tokenExchangeAudience.trim() : '';
  if (!isPlainHttpsUrl(loginUrl))
    problems.push(
      `cloud.loginUrl must be an https URL such as https://login.microsoftonline.com (no query, quotes or spaces); got ${describe(cloud?.loginUrl)}.`,
    );
  if (!isPlainHttpsUrl(graphUrl))
    problems.push(`cloud.graphUrl must be an https URL such as https://graph.microsoft.com (no query, quotes or spaces); got ${describe(cloud?.graphUrl)}.`);
  if (!API_URI.test(audience) && !isPlainHttpsUrl(audience)) {
    problems.push(`cloud.tokenExchangeAudience must look like api://AzureADTokenExchange; got ${describe(cloud?.tokenExchangeAudience)}.`);
  }

  let scope = '';
  if (o.scope === undefined || (typeof o.scope === 'string' && o.scope.trim() === '')) {
    if (isPlainHttpsUrl(graphUrl)) scope = `${graphUrl}/.default`;
  } else {
    scope = typeof o.scope === 'string' ? o.scope.trim() : '';
    const problem = typeof o.scope === 'string' ? runbookScopeProblem(o.scope) : `must be a string; got ${describe(o.scope)}.`;
    if (problem) problems.push(`scope ${problem}`);
  }

  let runtime: RunbookRuntime | undefined;
  if (templateInfo) {
    runtime = o.runtime ?? templateInfo.defaultRuntime;
    if (typeof runtime !== 'string' || !Object.hasOwn(RUNBOOK_RUNTIMES, runtime))
      problems.push(`runtime must be one of ${Object.keys(RUNBOOK_RUNTIMES).join(', ')}; got ${describe(runtime)}.`);
    else if (!templateInfo.runtimes.includes(runtime)) {
      problems.push(`${templateInfo.label} runs on ${templateInfo.runtimes.join(' or ')}, not ${runtime}.`);
    }
  }

  if (typeof o.generatedOn !== 'string' || !DATE.test(o.generatedOn)) problems.push(`generatedOn must be a date YYYY-MM-DD; got ${describe(o.generatedOn)}.`);

  const provenance: Record<string, string> = {};
  for (const [key, value] of Object.entries(o.provenance ?? {})) {
    if (value === undefined) continue;
    const reason = typeof value === 'string' ? unprintableReason(value) : 'is not a string';
    if (reason) problems.push(`provenance.${key} ${reason}; a header line cannot hold it.`);
    else if (value.length > MAX_TEXT) problems.push(`provenance.${key} is longer than ${MAX_TEXT} characters.`);
    else if (!['app', 'homeTenant', 'targetTenants', 'identity', 'scope', 'cloud'].includes(key)) problems.push(`provenance.${key} is not a known entry.`);
    else provenance[key] = value;
  }

  if (problems.length > 0 || !template || !identity || !runtime) return { ok: false, problems };
  return {
    ok: true,
    value: {
      template,
      appClientId: appClientId.toLowerCase(),
      ...(appDisplayName !== undefined ? { appDisplayName } : {}),
      homeTenantId: homeTenantId.toLowerCase(),
      targetTenants,
      scope,
      identity,
      cloud: { loginUrl, graphUrl, tokenExchangeAudience: audience },
      runtime,
      provenance,
      generatedOn: o.generatedOn as string,
    },
  };
}

/** Like validateRunbookOptions, but throws a RunbookOptionsError listing every problem. */
export function resolveRunbookOptions(options: RunbookOptions): ResolvedRunbookOptions {
  const result = validateRunbookOptions(options);
  if (!result.ok) throw new RunbookOptionsError(result.problems);
  return result.value;
}

function stripSlash(value: unknown): string {
  return typeof value === 'string' ? value.trim().replace(/\/+$/, '') : '';
}
