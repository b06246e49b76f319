// Microsoft.Resources: the caller's tenants, subscriptions (list, get), resource groups (list, get), the
// resources of a subscription or group (what `az resource list` reads), and resource providers (what
// `az provider show` reads).
// Shapes: azure-rest-api-specs Microsoft.Resources stable/2022-12-01 subscriptions.json (GetTenants.json,
// GetSubscriptions.json, GetSubscription.json) and resources.json (resource groups; Resources_ListBy…,
// GenericResourceExpanded; Providers_Get, Provider, ProviderResourceType).
import { armError } from '../errors';
import type { SandboxModule } from '../module';
import type { SandboxRequest, SandboxResponse } from '../router';
import type { ResourceGroup, Subscription, Tenant } from '../state';
import { allowed, API_VERSIONS, authorize, begin, isResponse, ok, page, resourceGroupFor, seesSubscription, subscriptionFor } from './common';
import { accountBody } from './automation';
import { identityBody } from './identities';

/** The resource providers the sandbox serves, their resource types and api-versions (Providers_Get). */
const PROVIDERS: Readonly<Record<string, ReadonlyArray<{ readonly resourceType: string; readonly apiVersions: readonly string[] }>>> = {
  'Microsoft.Automation': [
    { resourceType: 'automationAccounts', apiVersions: API_VERSIONS.automation },
    { resourceType: 'automationAccounts/runbooks', apiVersions: API_VERSIONS.automation },
    { resourceType: 'automationAccounts/runtimeEnvironments', apiVersions: API_VERSIONS.runtimeEnvironments },
    { resourceType: 'automationAccounts/powerShell72Modules', apiVersions: API_VERSIONS.powerShell72Modules },
  ],
  'Microsoft.ContainerService': [{ resourceType: 'managedClusters', apiVersions: API_VERSIONS.managedClusters }],
  'Microsoft.ManagedIdentity': [
    { resourceType: 'userAssignedIdentities', apiVersions: API_VERSIONS.managedIdentity },
    { resourceType: 'userAssignedIdentities/federatedIdentityCredentials', apiVersions: API_VERSIONS.identityFederatedCredentials },
  ],
  'Microsoft.Resources': [
    { resourceType: 'subscriptions', apiVersions: API_VERSIONS.resources },
    { resourceType: 'resourceGroups', apiVersions: API_VERSIONS.resourceGroups },
  ],
};
const PROVIDER_LOCATIONS = ['West Europe', 'North Europe', 'East US', 'East US 2', 'West US 2', 'UK South', 'Japan East', 'Australia East'];

function providerBody(subscriptionId: string, namespace: string): Record<string, unknown> {
  return {
    id: `/subscriptions/${subscriptionId}/providers/${namespace}`,
    namespace,
    registrationState: 'Registered',
    registrationPolicy: namespace === 'Microsoft.Resources' ? 'RegistrationFree' : 'RegistrationRequired',
    resourceTypes: (PROVIDERS[namespace] ?? []).map((t) => ({
      resourceType: t.resourceType,
      locations: namespace === 'Microsoft.Resources' ? [] : PROVIDER_LOCATIONS,
      apiVersions: [...t.apiVersions].reverse(),
      defaultApiVersion: t.apiVersions.filter((v) => !/preview/i.test(v)).at(-1),
      capabilities: 'None',
    })),
  };
}

/** Every resource of the subscription (or group) the caller may read, as GenericResourceExpanded. */
function resourcesIn(req: SandboxRequest, subscriptionId: string, resourceGroup: string | undefined, claims: Parameters<typeof allowed>[1]) {
  const { state } = req.core;
  const inScope = (id: string) => {
    const m = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\//i.exec(id);
    return !!m && m[1]?.toLowerCase() === subscriptionId.toLowerCase() && (!resourceGroup || m[2]?.toLowerCase() === resourceGroup.toLowerCase());
  };
  const out: Array<Record<string, unknown>> = [];
  for (const u of state.userAssignedIdentities.values()) {
    if (inScope(u.id) && allowed(req.core, claims, u.id, 'Microsoft.ManagedIdentity', 'read')) {
      const { id, name, type, location, tags } = identityBody(u, '2024-11-30') as { id: string; name: string; type: string; location: string; tags: unknown };
      out.push({ id, name, type, location, tags });
    }
  }
  for (const a of state.automationAccounts.values()) {
    if (!inScope(a.id) || !allowed(req.core, claims, a.id, 'Microsoft.Automation', 'read')) continue;
    const body = accountBody(a);
    out.push({
      id: a.id,
      name: a.name,
      type: 'Microsoft.Automation/automationAccounts',
      location: a.location,
      tags: body.tags,
      ...(body.identity ? { identity: body.identity } : {}),
    });
    for (const rb of a.runbooks.values()) {
      out.push({
        id: `${a.id}/runbooks/${rb.name}`,
        name: `${a.name}/${rb.name}`,
        type: 'Microsoft.Automation/automationAccounts/runbooks',
        location: rb.location,
        tags: { ...rb.tags },
      });
    }
  }
  return out.sort((x, y) => String(x.id).localeCompare(String(y.id)));
}

/** `$filter` of Resources_List: `resourceType eq '…'`, `name eq '…'`, `location eq '…'`, joined by `and`. */
function resourceFilter(req: SandboxRequest, raw: string | null): ((r: Record<string, unknown>) => boolean) | SandboxResponse {
  if (raw === null || raw.trim() === '') return () => true;
  // Clause by clause, so that " and " inside a quoted value stays part of the value.
  const clauses: RegExpExecArray[] = [];
  const clause = /^\s*(resourceType|name|location)\s+eq\s+'((?:[^']|'')*)'\s*(?:(and)\s+|$)/i;
  let rest = raw;
  for (;;) {
    const m = clause.exec(rest);
    if (!m) break;
    clauses.push(m);
    rest = rest.slice(m[0].length);
    if (!m[3]) break;
  }
  if (clauses.length === 0 || rest.trim() !== '' || clauses.at(-1)?.[3]) {
    return armError(
      req,
      400,
      'InvalidFilterInQueryString',
      `Invalid $filter '${raw}' specified in the query string. The supported filters are resourceType, name and location with 'eq'.`,
    );
  }
  return (r) =>
    clauses.every((c) => {
      const field = c[1]!.toLowerCase();
      const value = c[2]!.replace(/''/g, "'").toLowerCase();
      const actual = String(field === 'resourcetype' ? r.type : field === 'name' ? r.name : r.location).toLowerCase();
      return actual === value;
    });
}

/** The subscription whose providers are read: reading them needs a role in it, as the other subscription reads do. */
function providersSubscription(req: SandboxRequest): Subscription | SandboxResponse {
  const started = begin(req, 'resourceGroups');
  if (isResponse(started)) return started;
  const sub = subscriptionFor(req, started.claims, req.params.sub ?? '');
  if (isResponse(sub) || seesSubscription(req.core, started.claims, sub.subscriptionId)) return sub;
  return authorize(req, started.claims, `/subscriptions/${sub.subscriptionId}`, 'Microsoft.Resources/subscriptions/providers/read', 'read') ?? sub;
}

function listResources(req: SandboxRequest, byGroup: boolean): SandboxResponse {
  const started = begin(req, 'resourceGroups');
  if (isResponse(started)) return started;
  const { claims } = started;
  const sub = subscriptionFor(req, claims, req.params.sub ?? '');
  if (isResponse(sub)) return sub;
  let group: string | undefined;
  if (byGroup) {
    const rg = resourceGroupFor(req, sub, req.params.rg ?? '');
    if (isResponse(rg)) return rg;
    group = rg.name;
  }
  const scope = `/subscriptions/${sub.subscriptionId}${group ? `/resourceGroups/${group}` : ''}`;
  if (!seesSubscription(req.core, claims, sub.subscriptionId))
    return authorize(req, claims, scope, 'Microsoft.Resources/subscriptions/resources/read', 'read') ?? ok(req, 200, { value: [] });
  const filter = resourceFilter(req, req.query.get('$filter'));
  if (isResponse(filter)) return filter;
  const body = page(req, resourcesIn(req, sub.subscriptionId, group, claims).filter(filter));
  return isResponse(body) ? body : ok(req, 200, body);
}

function tenantBody(t: Tenant): Record<string, unknown> {
  return {
    id: `/tenants/${t.id}`,
    tenantId: t.id,
    countryCode: 'US',
    displayName: t.displayName,
    domains: [...t.verifiedDomains],
    tenantCategory: 'Home',
    defaultDomain: t.defaultDomain,
    tenantType: 'AAD',
  };
}

export function subscriptionBody(s: Subscription): Record<string, unknown> {
  return {
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: s.state,
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
  };
}

function resourceGroupBody(rg: ResourceGroup): Record<string, unknown> {
  return {
    id: `/subscriptions/${rg.subscriptionId}/resourceGroups/${rg.name}`,
    name: rg.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: rg.location,
    ...(Object.keys(rg.tags).length > 0 ? { tags: { ...rg.tags } } : {}),
    properties: { provisioningState: 'Succeeded' },
  };
}

export const resourcesModule: SandboxModule = {
  name: 'arm-resources',
  area: 'arm',
  register(r) {
    // The tenants the caller belongs to: the sandbox has no guest accounts, so that is the token's tenant.
    r.get('/tenants', (req) => {
      const started = begin(req, 'resources');
      if (isResponse(started)) return started;
      const tenant = req.core.state.findTenant(started.claims.tid);
      const body = page(req, tenant ? [tenantBody(tenant)] : []);
      return isResponse(body) ? body : ok(req, 200, body);
    });

    // Subscriptions of the token's tenant where the caller holds a role (ARM lists no others).
    r.get('/subscriptions', (req) => {
      const started = begin(req, 'resources');
      if (isResponse(started)) return started;
      const { claims } = started;
      const subs = [...req.core.state.subscriptions.values()]
        .filter((s) => s.tenantId === claims.tid && seesSubscription(req.core, claims, s.subscriptionId))
        .sort((a, b) => a.displayName.localeCompare(b.displayName))
        .map(subscriptionBody);
      const body = page(req, subs, { count: { type: 'Total', value: subs.length } });
      return isResponse(body) ? body : ok(req, 200, body);
    });

    r.get('/subscriptions/:sub', (req) => {
      const started = begin(req, 'resources');
      if (isResponse(started)) return started;
      const sub = subscriptionFor(req, started.claims, req.params.sub ?? '');
      if (isResponse(sub)) return sub;
      const denied = seesSubscription(req.core, started.claims, sub.subscriptionId)
        ? undefined
        : authorize(req, started.claims, `/subscriptions/${sub.subscriptionId}`, 'Microsoft.Resources/subscriptions/read', 'read');
      return denied ?? ok(req, 200, subscriptionBody(sub));
    });

    r.get('/subscriptions/:sub/resourcegroups', (req) => {
      const started = begin(req, 'resourceGroups');
      if (isResponse(started)) return started;
      const sub = subscriptionFor(req, started.claims, req.params.sub ?? '');
      if (isResponse(sub)) return sub;
      const scope = `/subscriptions/${sub.subscriptionId}`;
      if (!seesSubscription(req.core, started.claims, sub.subscriptionId))
        return authorize(req, started.claims, scope, 'Microsoft.Resources/subscriptions/resourceGroups/read', 'read') ?? ok(req, 200, { value: [] });
      const groups = [...req.core.state.resourceGroups.values()]
        .filter(
          (g) =>
            g.subscriptionId === sub.subscriptionId && allowed(req.core, started.claims, `${scope}/resourceGroups/${g.name}`, 'Microsoft.Resources', 'read'),
        )
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(resourceGroupBody);
      const body = page(req, groups);
      return isResponse(body) ? body : ok(req, 200, body);
    });

    r.get('/subscriptions/:sub/resources', (req) => listResources(req, false));
    r.get('/subscriptions/:sub/resourcegroups/:rg/resources', (req) => listResources(req, true));

    // Resource providers: every namespace the sandbox serves is registered in every subscription.
    r.get('/subscriptions/:sub/providers', (req) => {
      const sub = providersSubscription(req);
      if (isResponse(sub)) return sub;
      const body = page(
        req,
        Object.keys(PROVIDERS).map((ns) => providerBody(sub.subscriptionId, ns)),
      );
      return isResponse(body) ? body : ok(req, 200, body);
    });
    r.get('/subscriptions/:sub/providers/:namespace', (req) => {
      const sub = providersSubscription(req);
      if (isResponse(sub)) return sub;
      const namespace = Object.keys(PROVIDERS).find((ns) => ns.toLowerCase() === (req.params.namespace ?? '').toLowerCase());
      if (!namespace) {
        return armError(req, 404, 'InvalidResourceNamespace', `The resource namespace '${req.params.namespace ?? ''}' is invalid.`);
      }
      return ok(req, 200, providerBody(sub.subscriptionId, namespace));
    });

    r.get('/subscriptions/:sub/resourcegroups/:rg', (req) => {
      const started = begin(req, 'resourceGroups');
      if (isResponse(started)) return started;
      const sub = subscriptionFor(req, started.claims, req.params.sub ?? '');
      if (isResponse(sub)) return sub;
      const denied = authorize(
        req,
        started.claims,
        `/subscriptions/${sub.subscriptionId}/resourceGroups/${req.params.rg ?? ''}`,
        'Microsoft.Resources/subscriptions/resourceGroups/read',
        'read',
      );
      if (denied) return denied;
      const rg = resourceGroupFor(req, sub, req.params.rg ?? '');
      return isResponse(rg) ? rg : ok(req, 200, resourceGroupBody(rg));
    });
  },
};
