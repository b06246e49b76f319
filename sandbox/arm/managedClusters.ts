// Microsoft.ContainerService/managedClusters, read only: what a Kubernetes federated credential needs from a cluster,
// its OIDC issuer URL (properties.oidcIssuerProfile.issuerURL, present when the issuer is enabled). Each subscription
// has two clusters, derived from its id (no state to seed): one with the OIDC issuer and workload identity on, one
// without. Shapes: azure-rest-api-specs specification/containerservice/resource-manager/Microsoft.ContainerService/aks/
// stable/2025-05-01 (managedClusters.json, ManagedClustersList.json); the issuer URL has AKS's form
// https://{region}.oic.prod-aks.azure.com/{tenantId}/{guid}/.
import type { SandboxModule } from '../module';
import { Rng } from '../random';
import type { SandboxRequest, SandboxResponse } from '../router';
import type { Subscription } from '../state';
import { allowed, authorize, begin, isResponse, ok, page, resourceGroupFor, seesSubscription, subscriptionFor } from './common';

const TYPE = 'Microsoft.ContainerService/managedClusters';

interface Cluster {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly issuerUrl: string | undefined;
}

/** The subscription's clusters, the same on every call. */
export function clustersOf(sub: Subscription): Cluster[] {
  const rng = new Rng(`aks/${sub.subscriptionId}`);
  const make = (name: string, resourceGroup: string, oidc: boolean): Cluster => ({
    id: `/subscriptions/${sub.subscriptionId}/resourcegroups/${resourceGroup}/providers/${TYPE}/${name}`,
    name,
    resourceGroup,
    location: 'westeurope',
    issuerUrl: oidc ? `https://westeurope.oic.prod-aks.azure.com/${sub.tenantId}/${rng.guid()}/` : undefined,
  });
  return [make('aks-payments', 'rg-aks', true), make('aks-legacy', 'rg-aks', false)];
}

function clusterBody(c: Cluster): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    type: TYPE,
    location: c.location,
    properties: {
      provisioningState: 'Succeeded',
      kubernetesVersion: '1.33.2',
      dnsPrefix: `${c.name}-dns`,
      oidcIssuerProfile: c.issuerUrl ? { enabled: true, issuerURL: c.issuerUrl } : { enabled: false },
      securityProfile: { workloadIdentity: { enabled: c.issuerUrl !== undefined } },
    },
  };
}

function list(req: SandboxRequest, byResourceGroup: boolean): SandboxResponse {
  const started = begin(req, 'managedClusters');
  if (isResponse(started)) return started;
  const { claims } = started;
  const sub = subscriptionFor(req, claims, req.params.sub ?? '');
  if (isResponse(sub)) return sub;
  let scope = `/subscriptions/${sub.subscriptionId}`;
  const rgName = (req.params.rg ?? '').toLowerCase();
  if (byResourceGroup) {
    // The clusters' resource group exists for ARM's purposes; another name must exist in state.
    if (rgName !== 'rg-aks') {
      const rg = resourceGroupFor(req, sub, req.params.rg ?? '');
      if (isResponse(rg)) return rg;
    }
    scope = `${scope}/resourceGroups/${req.params.rg ?? ''}`;
  }
  if (!seesSubscription(req.core, claims, sub.subscriptionId)) return authorize(req, claims, scope, `${TYPE}/read`, 'read') ?? ok(req, 200, { value: [] });
  const items = clustersOf(sub)
    .filter((c) => !byResourceGroup || c.resourceGroup === rgName)
    .filter((c) => allowed(req.core, claims, c.id, 'Microsoft.ContainerService', 'read'))
    .map(clusterBody);
  const body = page(req, items);
  return isResponse(body) ? body : ok(req, 200, body);
}

export const managedClustersModule: SandboxModule = {
  name: 'arm-managed-clusters',
  area: 'arm',
  register(r) {
    r.get(`/subscriptions/:sub/providers/${TYPE}`, (req) => list(req, false));
    r.get(`/subscriptions/:sub/resourceGroups/:rg/providers/${TYPE}`, (req) => list(req, true));
  },
};
