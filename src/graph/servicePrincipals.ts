// Microsoft Graph: service principals (v1.0 /servicePrincipals): managed identities, any principal
// by object id, and Microsoft Graph's own (whose app roles are the application permissions).
import { encodeQuery, equalsFilter, type QueryParams } from '../domain/graphQuery';
import { MICROSOFT_GRAPH_APP_ID, type AppRole } from '../domain/graphPermissions';
import type { ManagedIdentityPrincipal, Page, ServicePrincipalInfo } from '../domain/model';
import { toGraphRequestError } from './errors';
import type { GraphRequester } from './request';

const MI_FIELDS = 'id,appId,displayName,alternativeNames,servicePrincipalType';

export class ServicePrincipalsApi {
  constructor(private readonly graph: GraphRequester) {}

  /** A service principal by object id (a managed identity's id is the credential subject); undefined when none. */
  async find(objectId: string): Promise<ServicePrincipalInfo | undefined> {
    try {
      return await (await this.graph.read()).api(`/servicePrincipals/${encodeURIComponent(objectId)}?$select=${MI_FIELDS},appOwnerOrganizationId`).get();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404 || status === 400) return undefined;
      throw toGraphRequestError(error, { operation: 'listManagedIdentities' });
    }
  }

  /** Microsoft Graph's own service principal in this tenant, whose appRoles are the application permissions. */
  async microsoftGraph(): Promise<{ id: string; appId: string; appRoles: AppRole[] }> {
    const page = await this.graph.getPage<{ id: string; appId: string; appRoles: AppRole[] }>(
      `/servicePrincipals?${encodeQuery({ $filter: equalsFilter('appId', MICROSOFT_GRAPH_APP_ID), $select: 'id,appId,appRoles' })}`,
      {},
      { operation: 'readGraphPermissions' },
    );
    const sp = page.items[0];
    if (!sp) throw new Error('Microsoft Graph has no service principal in this tenant, so its permissions cannot be listed.');
    return sp;
  }

  async listManagedIdentities(pageSize: number): Promise<Page<ManagedIdentityPrincipal>> {
    const params: QueryParams = { $filter: equalsFilter('servicePrincipalType', 'ManagedIdentity'), $select: MI_FIELDS, $top: pageSize };
    return this.graph.getPage<ManagedIdentityPrincipal>(`/servicePrincipals?${encodeQuery(params)}`, {}, { operation: 'listManagedIdentities' });
  }
}
