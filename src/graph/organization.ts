// Microsoft Graph: the signed-in directory itself (v1.0 /organization).
import type { GraphRequester } from './request';

export interface Organization {
  readonly id: string;
  readonly displayName: string;
  readonly verifiedDomains: Array<{ name: string; isDefault?: boolean }>;
}

export class OrganizationApi {
  constructor(private readonly graph: GraphRequester) {}

  /** The signed-in directory: its id and verified domains. */
  async get(): Promise<{ id: string; displayName: string; verifiedDomains: Array<{ name: string; isDefault?: boolean }> }> {
    const page = await this.graph.getPage<{ id: string; displayName: string; verifiedDomains: Array<{ name: string; isDefault?: boolean }> }>(
      '/organization?$select=id,displayName,verifiedDomains',
      {},
      {},
    );
    const org = page.items[0];
    if (!org) throw new Error('Microsoft Graph returned no organization for the signed-in account.');
    return org;
  }
}
