// Azure Resource Manager ids: /subscriptions/{sub}/resourceGroups/{rg}/providers/{Namespace}/{type}/{name}[/{type}/{name}…].
// ARM treats the fixed segments case-insensitively (alternativeNames carries "resourcegroups" in lower case).

export interface ResourceId {
  readonly subscriptionId: string;
  /** Absent for subscription-level resources. */
  readonly resourceGroup?: string;
  /** e.g. `Microsoft.Automation`. */
  readonly provider: string;
  /** Full type, e.g. `Microsoft.Automation/automationAccounts/runbooks`. */
  readonly type: string;
  /** The type segments after the provider, e.g. [`automationAccounts`, `runbooks`]. */
  readonly types: readonly string[];
  /** The names that go with `types`, e.g. [`my-account`, `my-runbook`]. */
  readonly names: readonly string[];
  /** The last name. */
  readonly name: string;
}

/** Parses an ARM resource id, or returns undefined if it is not one. Names are decoded if percent-encoded. */
export function parseResourceId(id: string): ResourceId | undefined {
  if (!id.startsWith('/')) return undefined;
  const parts = id.replace(/\/+$/, '').split('/').slice(1);
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length < 2 || parts[0].toLowerCase() !== 'subscriptions') return undefined;
  const subscriptionId = parts[1];
  let i = 2;
  let resourceGroup: string | undefined;
  if (parts[i]?.toLowerCase() === 'resourcegroups') {
    resourceGroup = parts[i + 1];
    if (resourceGroup === undefined) return undefined;
    i += 2;
  }
  if (parts[i]?.toLowerCase() !== 'providers') return undefined;
  const provider = parts[i + 1];
  const rest = parts.slice(i + 2);
  if (provider === undefined || rest.length === 0 || rest.length % 2 !== 0) return undefined;
  const types = rest.filter((_, k) => k % 2 === 0);
  const names = rest.filter((_, k) => k % 2 === 1).map(safeDecode);
  return {
    subscriptionId,
    ...(resourceGroup === undefined ? {} : { resourceGroup: safeDecode(resourceGroup) }),
    provider,
    type: [provider, ...types].join('/'),
    types,
    names,
    name: names[names.length - 1],
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Builds the id back from its parts (canonical casing of the fixed segments; names percent-encoded). */
export function formatResourceId(id: Omit<ResourceId, 'type' | 'name'>): string {
  const rg = id.resourceGroup === undefined ? '' : `/resourceGroups/${encodeURIComponent(id.resourceGroup)}`;
  const tail = id.types.map((t, k) => `/${t}/${encodeURIComponent(id.names[k] ?? '')}`).join('');
  return `/subscriptions/${id.subscriptionId}${rg}/providers/${id.provider}${tail}`;
}

/** Compares two resource ids the way ARM does: case-insensitively. */
export function sameResourceId(a: string, b: string): boolean {
  return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}
