// Microsoft Graph: service principals (v1.0 /servicePrincipals): managed identities, any principal
// by object id, and Microsoft Graph's own (whose app roles are the application permissions).
import { encodeQuery, equalsFilter, odataString, startsWithFilter, type QueryParams } from '../domain/graphQuery';
import { MICROSOFT_GRAPH_APP_ID, type AppRole } from '../domain/graphPermissions';
import type { ManagedIdentityPrincipal, Page, ServicePrincipalInfo } from '../domain/model';
import { itemError } from './batch';
import { GraphRequestError, toGraphRequestError } from './errors';
import type { GraphRequester } from './request';

const MI_FIELDS = 'id,appId,displayName,alternativeNames,servicePrincipalType';

export class ServicePrincipalsApi {
  constructor(private readonly graph: GraphRequester) {}

  /** A service principal by object id (a managed identity's id is the credential subject); undefined when none. */
  find(objectId: string): Promise<ServicePrincipalInfo | undefined> {
    return this.findAt(`/servicePrincipals/${encodeURIComponent(objectId)}`);
  }

  /** A service principal by its application (client) id, Graph's alternate key; undefined when none. */
  findByAppId(appId: string): Promise<ServicePrincipalInfo | undefined> {
    return this.findAt(`/servicePrincipals(appId=${odataString(appId)})`);
  }

  private async findAt(path: string): Promise<ServicePrincipalInfo | undefined> {
    try {
      return await (await this.graph.read()).api(`${path}?$select=${MI_FIELDS},appOwnerOrganizationId`).get();
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

  /**
   * Service principals by object id, 20 per `$batch` (for up to 20 ids, one request): each the
   * principal, `null` when the tenant has none with that id, or the error Graph gave.
   */
  async findMany(objectIds: readonly string[]): Promise<Array<ServicePrincipalInfo | null | GraphRequestError>> {
    const context = { operation: 'listManagedIdentities' } as const;
    const answers = await this.graph.readBatch(
      objectIds.map((id) => `/servicePrincipals/${encodeURIComponent(id)}?$select=${MI_FIELDS},appOwnerOrganizationId`),
      context,
    );
    return answers.map((answer) => {
      if (answer instanceof GraphRequestError) return answer;
      if (answer.status === 200) return answer.body as ServicePrincipalInfo;
      if (answer.status === 404 || answer.status === 400) return null;
      return itemError(answer, context);
    });
  }

  /**
   * An app's standing in this tenant, in one `$batch`: its service principal (null when nobody
   * consented), Microsoft Graph's service principal id, and with `withOrganization` the tenant's id
   * (/organization). The app role assignments are a second request (appRoleAssignments).
   */
  async consentState(
    appId: string,
    withOrganization = false,
  ): Promise<{ servicePrincipal: { id: string; appId: string } | null; graphServicePrincipalId?: string; organizationId?: string }> {
    const context = { operation: 'readGraphPermissions' } as const;
    const byAppId = (id: string) => `/servicePrincipals(appId='${encodeURIComponent(id)}')?$select=id,appId`;
    const urls = [byAppId(appId), byAppId(MICROSOFT_GRAPH_APP_ID), ...(withOrganization ? ['/organization?$select=id'] : [])];
    const [app, graph, organization] = await this.graph.readBatch(urls, context);
    const body = <T>(answer: typeof app): T | null => {
      if (answer instanceof GraphRequestError) throw answer;
      if (answer.status === 404) return null;
      if (answer.status !== 200) throw itemError(answer, context);
      return answer.body as T;
    };
    const sp = body<{ id: string; appId: string }>(app);
    const graphSp = body<{ id: string }>(graph);
    const org = organization === undefined ? undefined : body<{ value?: Array<{ id: string }> }>(organization)?.value?.[0];
    return {
      servicePrincipal: sp ? { id: sp.id, appId: sp.appId } : null,
      ...(graphSp ? { graphServicePrincipalId: graphSp.id } : {}),
      ...(org ? { organizationId: org.id } : {}),
    };
  }

  /** The app roles granted to a service principal (its appRoleAssignments), every page (999 per page). */
  async appRoleAssignments(servicePrincipalId: string): Promise<Array<{ appRoleId: string; resourceId: string }>> {
    const context = { operation: 'readGraphPermissions' } as const;
    const all: Array<{ appRoleId: string; resourceId: string }> = [];
    let page = await this.graph.getPage<{ appRoleId: string; resourceId: string }>(
      `/servicePrincipals/${encodeURIComponent(servicePrincipalId)}/appRoleAssignments?${encodeQuery({ $select: 'appRoleId,resourceId', $top: 999 })}`,
      {},
      context,
    );
    all.push(...page.items);
    while (page.nextLink) {
      page = await this.graph.getPage(page.nextLink, {}, context);
      all.push(...page.items);
    }
    return all;
  }

  /** The tenant's managed identities, a page at a time; with `namePrefix`, those whose display name starts with it (a picker's search). */
  async listManagedIdentities(pageSize: number, namePrefix?: string): Promise<Page<ManagedIdentityPrincipal>> {
    const managed = equalsFilter('servicePrincipalType', 'ManagedIdentity');
    const params: QueryParams = {
      $filter: namePrefix ? `${managed} and ${startsWithFilter('displayName', namePrefix)}` : managed,
      $select: MI_FIELDS,
      $top: pageSize,
    };
    return this.graph.getPage<ManagedIdentityPrincipal>(`/servicePrincipals?${encodeQuery(params)}`, {}, { operation: 'listManagedIdentities' });
  }
}
