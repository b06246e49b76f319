// AKS clusters of a subscription, read for one thing: the OIDC issuer URL a Kubernetes federated credential must
// name exactly (properties.oidcIssuerProfile.issuerURL; absent until `az aks update --enable-oidc-issuer`).
// Source: azure-rest-api-specs Microsoft.ContainerService/aks/stable/2025-05-01 managedClusters.json.
import type { ArmRequester } from './automation';

export const MANAGED_CLUSTERS_API_VERSION = '2025-05-01';

export interface AksCluster {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  /** The cluster's OIDC issuer, when it is enabled. */
  readonly issuerUrl?: string;
}

interface ClusterResource {
  readonly id?: string;
  readonly name?: string;
  readonly properties?: { readonly oidcIssuerProfile?: { readonly enabled?: boolean; readonly issuerURL?: string } };
}

export async function listManagedClusters(arm: ArmRequester, subscriptionId: string, signal?: AbortSignal): Promise<AksCluster[]> {
  const path = `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.ContainerService/managedClusters`;
  const items = await arm.listAll<ClusterResource>(path, MANAGED_CLUSTERS_API_VERSION, signal);
  return items
    .filter((c) => typeof c.id === 'string' && typeof c.name === 'string')
    .map((c) => {
      const issuer = c.properties?.oidcIssuerProfile;
      return {
        id: c.id as string,
        name: c.name as string,
        resourceGroup: /\/resourcegroups\/([^/]+)\//i.exec(c.id as string)?.[1] ?? '',
        ...(issuer?.enabled && issuer.issuerURL ? { issuerUrl: issuer.issuerURL } : {}),
      };
    });
}
