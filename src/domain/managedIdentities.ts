// A managed identity's service principal says what it belongs to in `alternativeNames`: `isExplicit=True` marks a
// user-assigned identity; the ARM id is that identity's id, or the id of the resource a system-assigned identity
// belongs to. Source: azure-docs role-based-access-control/transfer-subscription.md.

import { parseResourceId, ResourceId } from './azureResourceIds';

export type ManagedIdentityKind = 'userAssigned' | 'systemAssigned';

export interface ManagedIdentityInfo {
  readonly kind: ManagedIdentityKind;
  /** The raw ARM id found in alternativeNames, if any. */
  readonly resourceId?: string;
  readonly resource?: ResourceId;
  /** e.g. "Automation account 'aa-prod' in rg-ops (0000…)". */
  readonly display: string;
}

const TYPE_NAMES: Record<string, string> = {
  'microsoft.managedidentity/userassignedidentities': 'User-assigned identity',
  'microsoft.automation/automationaccounts': 'Automation account',
  'microsoft.web/sites': 'App Service app',
  'microsoft.web/sites/slots': 'App Service slot',
  'microsoft.compute/virtualmachines': 'Virtual machine',
  'microsoft.compute/virtualmachinescalesets': 'Virtual machine scale set',
  'microsoft.logic/workflows': 'Logic app',
  'microsoft.containerservice/managedclusters': 'AKS cluster',
  'microsoft.app/containerapps': 'Container app',
  'microsoft.app/jobs': 'Container Apps job',
  'microsoft.datafactory/factories': 'Data factory',
  'microsoft.apimanagement/service': 'API Management service',
  'microsoft.containerinstance/containergroups': 'Container group',
  'microsoft.machinelearningservices/workspaces': 'Machine learning workspace',
  'microsoft.sql/servers': 'SQL server',
  'microsoft.keyvault/vaults': 'Key vault',
};

/** A readable name for an ARM type; unknown types show their last segment. */
function describeResourceType(type: string): string {
  return TYPE_NAMES[type.toLowerCase()] ?? type.split('/').pop() ?? type;
}

/**
 * "Automation account 'x' in rg (subscription)". `subscriptionNames` maps subscription ids to display names
 * when the caller knows them.
 */
function describeResource(resource: ResourceId, subscriptionNames: Readonly<Record<string, string>> = {}): string {
  const sub = subscriptionNames[resource.subscriptionId.toLowerCase()] ?? subscriptionNames[resource.subscriptionId] ?? resource.subscriptionId;
  const where = resource.resourceGroup === undefined ? '' : ` in ${resource.resourceGroup}`;
  return `${describeResourceType(resource.type)} '${resource.name}'${where} (${sub})`;
}

export function parseAlternativeNames(
  alternativeNames: readonly string[] | null | undefined,
  subscriptionNames: Readonly<Record<string, string>> = {},
): ManagedIdentityInfo {
  const names = alternativeNames ?? [];
  const kind: ManagedIdentityKind = names.some((n) => n.trim().toLowerCase() === 'isexplicit=true') ? 'userAssigned' : 'systemAssigned';
  const resourceId = names.find((n) => parseResourceId(n) !== undefined);
  const resource = resourceId === undefined ? undefined : parseResourceId(resourceId);
  const fallback = kind === 'userAssigned' ? 'User-assigned identity' : 'System-assigned identity';
  return {
    kind,
    ...(resourceId === undefined ? {} : { resourceId, resource }),
    display: resource ? describeResource(resource, subscriptionNames) : fallback,
  };
}
