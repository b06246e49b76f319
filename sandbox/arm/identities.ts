// Microsoft.ManagedIdentity/userAssignedIdentities: list by subscription and by resource group, get, create
// (PUT) and delete. Each identity is backed by its service principal in the subscription's tenant
// (servicePrincipalType ManagedIdentity), so `principalId` / `clientId` are that SP's object id / app id.
// Shapes: azure-rest-api-specs specification/msi/resource-manager/Microsoft.ManagedIdentity/stable/2024-11-30
// (ManagedIdentity.json, IdentityListBySubscription.json, IdentityCreate.json).
import { armError } from '../errors';
import type { SandboxModule } from '../module';
import type { SandboxRequest, SandboxResponse } from '../router';
import type { UserAssignedIdentity } from '../state';
import {
  allowed,
  atLeast,
  authorize,
  badRequest,
  begin,
  isObject,
  isResponse,
  objectBody,
  ok,
  page,
  resourceGroupFor,
  resourceNotFound,
  seesSubscription,
  subscriptionFor,
} from './common';

const TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';
/** ManagedIdentity.json `resourceName`: 3–128 characters, letters, digits, '-' and '_', starting with a letter or digit. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/;

export function identityBody(u: UserAssignedIdentity, version: string): Record<string, unknown> {
  return {
    id: u.id,
    name: u.name,
    type: TYPE,
    location: u.location,
    tags: { ...u.tags },
    properties: {
      tenantId: u.tenantId,
      principalId: u.principalId,
      clientId: u.clientId,
      ...(atLeast(version, '2024-11-30') ? { isolationScope: 'None' } : {}),
    },
  };
}

function list(req: SandboxRequest, resourceGroup: boolean): SandboxResponse {
  const started = begin(req, 'managedIdentity');
  if (isResponse(started)) return started;
  const { claims, version } = started;
  const sub = subscriptionFor(req, claims, req.params.sub ?? '');
  if (isResponse(sub)) return sub;
  let scope = `/subscriptions/${sub.subscriptionId}`;
  if (resourceGroup) {
    const rg = resourceGroupFor(req, sub, req.params.rg ?? '');
    if (isResponse(rg)) return rg;
    scope = `${scope}/resourceGroups/${rg.name}`;
  }
  if (!seesSubscription(req.core, claims, sub.subscriptionId)) return authorize(req, claims, scope, `${TYPE}/read`, 'read') ?? ok(req, 200, { value: [] });
  const items = [...req.core.state.userAssignedIdentities.values()]
    .filter((u) => u.subscriptionId === sub.subscriptionId && (!resourceGroup || u.resourceGroup.toLowerCase() === (req.params.rg ?? '').toLowerCase()))
    .filter((u) => allowed(req.core, claims, u.id, 'Microsoft.ManagedIdentity', 'read'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((u) => identityBody(u, version));
  const body = page(req, items);
  return isResponse(body) ? body : ok(req, 200, body);
}

/** The identity a route names (`:sub`, `:rg`, `:name`), after the token, the api-version of `kind` and RBAC; `uami` absent when there is none. */
export function identityItem(
  req: SandboxRequest,
  access: 'read' | 'write',
  action: string,
  kind: 'managedIdentity' | 'identityFederatedCredentials' = 'managedIdentity',
): { version: string; sub: string; rg: string; id: string; uami: UserAssignedIdentity | undefined; resourceGroupName: string } | SandboxResponse {
  const started = begin(req, kind);
  if (isResponse(started)) return started;
  const { claims, version } = started;
  const sub = subscriptionFor(req, claims, req.params.sub ?? '');
  if (isResponse(sub)) return sub;
  const rg = resourceGroupFor(req, sub, req.params.rg ?? '');
  if (isResponse(rg)) return rg;
  const id = `/subscriptions/${sub.subscriptionId}/resourcegroups/${rg.name}/providers/${TYPE}/${req.params.name ?? ''}`;
  const denied = authorize(req, claims, id, action, access);
  if (denied) return denied;
  return { version, sub: sub.subscriptionId, rg: rg.name, id, uami: req.core.state.findUserAssignedIdentity(id), resourceGroupName: rg.name };
}

export const identitiesModule: SandboxModule = {
  name: 'arm-managed-identities',
  area: 'arm',
  register(r) {
    r.get('/subscriptions/:sub/providers/Microsoft.ManagedIdentity/userAssignedIdentities', (req) => list(req, false));
    r.get('/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities', (req) => list(req, true));

    r.get('/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/:name', (req) => {
      const found = identityItem(req, 'read', `${TYPE}/read`);
      if (isResponse(found)) return found;
      return found.uami ? ok(req, 200, identityBody(found.uami, found.version)) : resourceNotFound(req, TYPE, req.params.name ?? '', found.resourceGroupName);
    });

    r.put('/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/:name', (req) => {
      const found = identityItem(req, 'write', `${TYPE}/write`);
      if (isResponse(found)) return found;
      const name = req.params.name ?? '';
      if (!NAME.test(name))
        return badRequest(
          req,
          `Resource name '${name}' is invalid. The name can contain only letters, numbers, underscores and hyphens, must start with a letter or number, and must be 3 to 128 characters long.`,
          'InvalidResourceName',
        );
      const body = objectBody(req);
      if (isResponse(body)) return body;
      if (typeof body.location !== 'string' || body.location.trim() === '')
        return armError(req, 400, 'LocationRequired', 'The location property is required for this definition.');
      const tags = isObject(body.tags) ? Object.fromEntries(Object.entries(body.tags).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
      if (found.uami) {
        found.uami.tags = tags;
        return ok(req, 200, identityBody(found.uami, found.version));
      }
      const created = req.core.state.createUserAssignedIdentity(found.sub, found.rg, name, body.location, tags);
      return ok(req, 201, identityBody(created, found.version));
    });

    r.delete('/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/:name', (req) => {
      const found = identityItem(req, 'write', `${TYPE}/delete`);
      if (isResponse(found)) return found;
      if (!found.uami) return ok(req, 204, undefined);
      req.core.state.removeUserAssignedIdentity(found.uami.id);
      return ok(req, 200, undefined);
    });
  },
};
