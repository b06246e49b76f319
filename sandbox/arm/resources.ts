// Microsoft.Resources: the caller's tenants, subscriptions (list, get) and resource groups (list, get).
// Shapes: azure-rest-api-specs Microsoft.Resources stable/2022-12-01 subscriptions.json (GetTenants.json,
// GetSubscriptions.json, GetSubscription.json) and resources.json (resource groups).
import type { SandboxModule } from '../module';
import type { ResourceGroup, Subscription, Tenant } from '../state';
import { allowed, authorize, begin, isResponse, ok, page, resourceGroupFor, seesSubscription, subscriptionFor } from './common';

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
