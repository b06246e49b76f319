// The managed-identity endpoint as Azure Automation exposes it to cloud jobs: IDENTITY_ENDPOINT is plain
// http on loopback (observed: http://127.0.0.1:20072/oauth2/token), IDENTITY_HEADER is the secret sent back
// as X-IDENTITY-HEADER. Protocol: App Service's 2019-08-01 (azure-docs app-service/overview-managed-identity.md:
// resource, api-version, client_id | principal_id (object_id) | mi_res_id; expires_on in epoch seconds) and
// automation/enable-managed-identity-for-automation.md (GET query or POST form; api-version optional).
// Jobs (arm/jobs.ts) each get an IDENTITY_HEADER of their own that serves their Automation account's
// identities while the job runs, as each cloud job's sandbox has its own; the sandbox-wide identityHeader
// serves the account set with POST /_sandbox/managed-identity.
import { randomBytes } from 'node:crypto';
import type { SandboxCore } from './core';
import { AreaRouter, json, SandboxRequest, SandboxResponse } from './router';
import { AutomationAccount, TOKEN_EXCHANGE_AUDIENCE } from './state';

export const MANAGED_IDENTITY_PATH = '/oauth2/token';

/** Identity headers of running jobs → the Automation account (id) whose identities they serve. */
const jobHeaders = new WeakMap<SandboxCore, Map<string, string>>();

/** A fresh IDENTITY_HEADER for a job of `accountId`, valid until revoked; recorded as a secret (leak checks). */
export function issueJobIdentityHeader(core: SandboxCore, accountId: string): string {
  const header = randomBytes(24).toString('hex');
  let headers = jobHeaders.get(core);
  if (!headers) {
    headers = new Map();
    jobHeaders.set(core, headers);
  }
  headers.set(header, accountId);
  core.secrets.record('identityHeader', header);
  return header;
}

/** The job ended: its IDENTITY_HEADER no longer serves tokens (401 like any wrong header). */
export function revokeJobIdentityHeader(core: SandboxCore, header: string): void {
  jobHeaders.get(core)?.delete(header);
}

function err(status: number, error: string, description: string): SandboxResponse {
  return json(status, { error, error_description: description });
}

interface Identity {
  readonly principalId: string;
  readonly clientId: string;
  readonly armId: string;
}

function identitiesOf(account: AutomationAccount): { system?: Identity; user: Identity[] } {
  const system =
    account.identity.principalId && account.identity.systemClientId && /SystemAssigned/.test(account.identity.type)
      ? { principalId: account.identity.principalId, clientId: account.identity.systemClientId, armId: account.id }
      : undefined;
  const user = /UserAssigned/.test(account.identity.type)
    ? Object.entries(account.identity.userAssignedIdentities).map(([armId, v]) => ({ armId, principalId: v.principalId, clientId: v.clientId }))
    : [];
  return { system, user };
}

function handler(req: SandboxRequest): SandboxResponse {
  const core: SandboxCore = req.core;
  const params: Record<string, string> = Object.fromEntries(req.query);
  if (req.method === 'POST' && req.body && typeof req.body === 'object')
    for (const [k, v] of Object.entries(req.body)) if (typeof v === 'string') params[k] = v;

  const header = req.headers['x-identity-header'];
  if (header === undefined) return err(400, 'invalid_request', 'The X-IDENTITY-HEADER header is required.');
  const jobAccount = jobHeaders.get(core)?.get(header);
  if (header !== core.identityHeader && jobAccount === undefined) return err(401, 'unauthorized', 'The X-IDENTITY-HEADER header value is not valid.');
  const apiVersion = params['api-version'];
  if (apiVersion !== undefined && apiVersion !== '2019-08-01')
    return err(400, 'invalid_request', `The api-version '${apiVersion}' is not supported. Use 2019-08-01.`);
  const resource = params.resource;
  if (!resource) return err(400, 'invalid_request', "The 'resource' parameter is required.");

  const hostId = jobAccount ?? core.state.currentIdentityHost;
  const account = hostId ? core.state.findAutomationAccount(hostId) : undefined;
  if (!account) return err(400, 'invalid_request', 'No Automation account is hosting this job (set one with POST /_sandbox/managed-identity).');
  const selectors = ['client_id', 'principal_id', 'object_id', 'mi_res_id'].filter((k) => params[k] !== undefined);
  if (selectors.length > 1)
    return err(400, 'invalid_request', `Only one of client_id, principal_id, object_id or mi_res_id may be given; got ${selectors.join(', ')}.`);
  const { system, user } = identitiesOf(account);
  let identity: Identity | undefined;
  if (selectors.length === 0) {
    identity = system;
    if (!identity) return err(400, 'invalid_request', `The Automation account '${account.name}' has no system-assigned managed identity.`);
  } else {
    const key = selectors[0] as string;
    const value = (params[key] as string).toLowerCase();
    identity = user.find((i) =>
      key === 'client_id' ? i.clientId.toLowerCase() === value : key === 'mi_res_id' ? i.armId.toLowerCase() === value : i.principalId.toLowerCase() === value,
    );
    if (!identity)
      return err(
        400,
        'invalid_request',
        `No user-assigned managed identity with ${key} '${params[key]}' is assigned to the Automation account '${account.name}'.`,
      );
  }

  const sp = core.state.servicePrincipals.get(identity.principalId);
  if (!sp) return err(400, 'invalid_request', 'The managed identity has no service principal.');
  const tenantId = sp.tenantId;
  const resourceSp = core.findResource(tenantId, resource);
  if (!resourceSp && resource !== TOKEN_EXCHANGE_AUDIENCE) {
    return err(
      400,
      'invalid_resource',
      `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${core.state.tenants.get(tenantId)?.displayName ?? tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }
  const roles = resourceSp ? core.state.roleValues(sp.id, resourceSp) : [];
  const { token, claims } = core.issueAccessToken({
    tenantId,
    audience: resource,
    clientAppId: sp.appId,
    azpacr: '2',
    servicePrincipalId: sp.id,
    roles,
    xmsMirid: identity.armId,
  });
  return json(200, { access_token: token, expires_on: String(claims.exp), resource, token_type: 'Bearer', client_id: sp.appId });
}

export function registerManagedIdentity(r: AreaRouter): void {
  r.get(MANAGED_IDENTITY_PATH, handler);
  r.post(MANAGED_IDENTITY_PATH, handler);
}
