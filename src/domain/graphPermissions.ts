// Microsoft Graph application permissions (app roles) for an app's requiredResourceAccess. Roles are looked up by
// value in the Graph service principal's `appRoles`, because the ids are only meaningful per resource.

import { quote } from './text';
import { error, Finding, toResult, ValidationResult } from './validation';

export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export interface AppRole {
  readonly id: string;
  readonly value?: string | null;
  readonly displayName?: string | null;
  readonly description?: string | null;
  readonly allowedMemberTypes?: readonly string[] | null;
  readonly isEnabled?: boolean | null;
}

export interface PermissionScope {
  readonly id: string;
  readonly value?: string | null;
  readonly isEnabled?: boolean | null;
}

export interface ResourceAccess {
  readonly id: string;
  /** `Role` = application permission, `Scope` = delegated permission. */
  readonly type: 'Role' | 'Scope' | string;
}

export interface RequiredResourceAccess {
  readonly resourceAppId: string;
  readonly resourceAccess: readonly ResourceAccess[];
}

/** Picks application permissions by value (case-insensitive, as the portal's search is); unknown values are errors. */
export function pickAppRoles(appRoles: readonly AppRole[], values: readonly string[]): { roles: AppRole[]; result: ValidationResult } {
  const roles: AppRole[] = [];
  const findings: Finding[] = [];
  const usable = appRoles.filter((r) => r.value);
  for (const value of values) {
    const role = usable.find((r) => r.value === value) ?? usable.find((r) => r.value?.toLowerCase() === value.toLowerCase());
    if (!role) {
      const stem = value.split('.')[0]?.toLowerCase() ?? '';
      const near =
        stem === ''
          ? []
          : usable
              .filter((r) => r.value?.toLowerCase().startsWith(stem))
              .slice(0, 3)
              .map((r) => r.value);
      findings.push(
        error(
          'permissions',
          'permission.unknown',
          `Microsoft Graph has no application permission ${quote(value)}${near.length > 0 ? `; did you mean ${near.join(', ')}?` : '.'}`,
        ),
      );
      continue;
    }
    if (role.allowedMemberTypes && !role.allowedMemberTypes.includes('Application')) {
      findings.push(error('permissions', 'permission.notApplication', `${quote(role.value ?? value)} is not an application permission.`));
      continue;
    }
    if (role.isEnabled === false) {
      findings.push(error('permissions', 'permission.disabled', `${quote(role.value ?? value)} is disabled on Microsoft Graph.`));
      continue;
    }
    if (!roles.some((r) => r.id === role.id)) roles.push(role);
  }
  return { roles, result: toResult(findings) };
}

/**
 * Adds application permissions (`Role`) for a resource to an app's requiredResourceAccess, keeping every other
 * entry and never duplicating one (ids compared case-insensitively). Returns a new array for the PATCH.
 */
export function mergeRequiredResourceAccess(
  existing: readonly RequiredResourceAccess[] | null | undefined,
  roleIds: readonly string[],
  resourceAppId: string = MICROSOFT_GRAPH_APP_ID,
): RequiredResourceAccess[] {
  const list = (existing ?? []).map((r) => ({ resourceAppId: r.resourceAppId, resourceAccess: [...r.resourceAccess] }));
  let entry = list.find((r) => r.resourceAppId.toLowerCase() === resourceAppId.toLowerCase());
  if (!entry) {
    entry = { resourceAppId, resourceAccess: [] };
    list.push(entry);
  }
  for (const id of roleIds) {
    if (!entry.resourceAccess.some((a) => a.type === 'Role' && a.id.toLowerCase() === id.toLowerCase())) {
      entry.resourceAccess.push({ id, type: 'Role' });
    }
  }
  return list;
}

export interface ResourceDescription {
  readonly displayName?: string | null;
  readonly appRoles?: readonly AppRole[] | null;
  readonly oauth2PermissionScopes?: readonly PermissionScope[] | null;
}

export interface DescribedPermission {
  readonly resourceAppId: string;
  readonly resourceName: string;
  readonly id: string;
  readonly kind: 'application' | 'delegated';
  /** e.g. `User.Read.All`; the id when the resource is unknown. */
  readonly value: string;
}

/** Turns an app's requiredResourceAccess into readable permissions, given the resources' service principals. */
export function describePermissions(
  required: readonly RequiredResourceAccess[] | null | undefined,
  resources: Readonly<Record<string, ResourceDescription>>,
): DescribedPermission[] {
  const out: DescribedPermission[] = [];
  for (const entry of required ?? []) {
    const resource = resources[entry.resourceAppId] ?? resources[entry.resourceAppId.toLowerCase()];
    const resourceName = resource?.displayName ?? (entry.resourceAppId.toLowerCase() === MICROSOFT_GRAPH_APP_ID ? 'Microsoft Graph' : entry.resourceAppId);
    for (const access of entry.resourceAccess) {
      const application = access.type === 'Role';
      const list: readonly { id: string; value?: string | null }[] = (application ? resource?.appRoles : resource?.oauth2PermissionScopes) ?? [];
      const match = list.find((p) => p.id.toLowerCase() === access.id.toLowerCase());
      out.push({
        resourceAppId: entry.resourceAppId,
        resourceName,
        id: access.id,
        kind: application ? 'application' : 'delegated',
        value: match?.value ?? access.id,
      });
    }
  }
  return out;
}
