// Microsoft Graph operations the extension uses, over the SDK client. Read and write calls use
// separate clients so that browsing never asks for write permissions.
import type { Client } from '@microsoft/microsoft-graph-client';
import type * as Graph from '@microsoft/microsoft-graph-types';
import { appSearchQuery, encodeQuery, equalsFilter, type QueryParams } from '../domain/graphQuery';
import type { ErrorContext } from '../domain/graphErrors';
import { toGraphBody } from '../domain/copyFormats';
import type { CredentialValues } from '../domain/credentialRules';
import { MICROSOFT_GRAPH_APP_ID, type AppRole, type RequiredResourceAccess } from '../domain/graphPermissions';
import { toGraphRequestError } from './errors';

export interface Page<T> {
  readonly items: T[];
  readonly nextLink?: string;
  /** `@odata.count`, when asked for (first page only). */
  readonly count?: number;
}

export type FederatedCredential = Required<Pick<Graph.FederatedIdentityCredential, 'id' | 'name' | 'issuer' | 'subject' | 'audiences'>> & {
  readonly description?: string | null;
};

export interface AppRegistration {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly signInAudience: string;
  readonly requiredResourceAccess?: readonly RequiredResourceAccess[];
  /** Present when the list expanded them: the view shows counts without one request per app. */
  readonly federatedIdentityCredentials?: FederatedCredential[];
}

export interface ManagedIdentityPrincipal {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly alternativeNames: string[];
}

export interface ServicePrincipalInfo extends ManagedIdentityPrincipal {
  readonly servicePrincipalType?: string;
  readonly appOwnerOrganizationId?: string | null;
}

export interface AppListQuery {
  readonly search?: string;
  readonly onlyMine?: boolean;
  readonly pageSize: number;
}

const APP_FIELDS = ['id', 'appId', 'displayName', 'signInAudience', 'requiredResourceAccess'];
const CREDENTIAL_FIELDS = 'id,name,issuer,subject,audiences,description';
const MI_FIELDS = 'id,appId,displayName,alternativeNames,servicePrincipalType';

interface ODataCollection<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}

export interface GraphClients {
  read(): Promise<Client>;
  write(): Promise<Client>;
}

export class GraphDirectory {
  constructor(private readonly clients: GraphClients) {}

  // --- app registrations

  /** The first page of the App Registrations view: search, "only mine", or everything, with credential counts. */
  async listApps(query: AppListQuery, context: ErrorContext = { operation: 'listApps' }): Promise<Page<AppRegistration>> {
    const search = query.search?.trim();
    if (query.onlyMine) {
      const params: QueryParams = { $select: APP_FIELDS.join(','), $top: query.pageSize };
      return this.getPage<AppRegistration>(`/me/ownedObjects/microsoft.graph.application?${encodeQuery(params)}`, {}, context);
    }
    if (search) {
      // $search needs ConsistencyLevel: eventual, and advanced queries do not allow $expand.
      const built = appSearchQuery(search, { top: query.pageSize, select: APP_FIELDS });
      return this.getPage<AppRegistration>(`/applications?${encodeQuery(built.params)}`, built.headers, context);
    }
    const params: QueryParams = {
      $select: APP_FIELDS.join(','),
      $expand: `federatedIdentityCredentials($select=${CREDENTIAL_FIELDS})`,
      $top: query.pageSize,
    };
    return this.getPage<AppRegistration>(`/applications?${encodeQuery(params)}`, {}, context);
  }

  /** The next page: the whole nextLink as Graph gave it, with the same headers as the first request. */
  nextPage<T>(nextLink: string, headers: Record<string, string> = {}, context: ErrorContext = {}): Promise<Page<T>> {
    return this.getPage<T>(nextLink, headers, context);
  }

  /** An app by object id or, failing that, by application (client) id: both are GUIDs. */
  async findApp(idOrAppId: string): Promise<AppRegistration | undefined> {
    const client = await this.clients.read();
    try {
      return await client.api(`/applications/${encodeURIComponent(idOrAppId)}?$select=${APP_FIELDS.join(',')}`).get();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw toGraphRequestError(error, { operation: 'readApp' });
    }
    const byAppId = await this.getPage<AppRegistration>(`/applications?${encodeQuery({ $filter: equalsFilter('appId', idOrAppId), $select: APP_FIELDS.join(',') })}`, {}, { operation: 'readApp' });
    return byAppId.items[0];
  }

  // --- federated identity credentials

  async listCredentials(appObjectId: string, context: ErrorContext = { operation: 'listCredentials' }): Promise<FederatedCredential[]> {
    const page = await this.getPage<FederatedCredential>(`/applications/${encodeURIComponent(appObjectId)}/federatedIdentityCredentials?$select=${CREDENTIAL_FIELDS}`, {}, context);
    return page.items;
  }

  async getCredential(appObjectId: string, idOrName: string): Promise<FederatedCredential | undefined> {
    try {
      return await (await this.clients.read()).api(`/applications/${encodeURIComponent(appObjectId)}/federatedIdentityCredentials/${encodeURIComponent(idOrName)}?$select=${CREDENTIAL_FIELDS}`).get();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw toGraphRequestError(error, { operation: 'listCredentials', credentialName: idOrName });
    }
  }

  async createCredential(appObjectId: string, values: CredentialValues, context: ErrorContext = {}): Promise<FederatedCredential> {
    return this.call(async () => (await this.clients.write()).api(`/applications/${encodeURIComponent(appObjectId)}/federatedIdentityCredentials`).post(toGraphBody(values)), { operation: 'writeCredential', credentialName: values.name, ...context });
  }

  /** PATCH with what changed; the name is the key and never sent. Graph answers 204. */
  async updateCredential(appObjectId: string, credentialId: string, patch: Partial<Omit<CredentialValues, 'name'>>, context: ErrorContext = {}): Promise<void> {
    await this.call(async () => (await this.clients.write()).api(`/applications/${encodeURIComponent(appObjectId)}/federatedIdentityCredentials/${encodeURIComponent(credentialId)}`).patch(patch), { operation: 'writeCredential', ...context });
  }

  async deleteCredential(appObjectId: string, credentialId: string, context: ErrorContext = {}): Promise<void> {
    await this.call(async () => (await this.clients.write()).api(`/applications/${encodeURIComponent(appObjectId)}/federatedIdentityCredentials/${encodeURIComponent(credentialId)}`).delete(), { operation: 'writeCredential', ...context });
  }

  // --- applications (writes)

  async createApp(body: { displayName: string; signInAudience: string; requiredResourceAccess?: readonly RequiredResourceAccess[] }): Promise<AppRegistration> {
    return this.call(async () => (await this.clients.write()).api('/applications').post(body), { operation: 'createApp', appName: body.displayName });
  }

  async updateApp(appObjectId: string, patch: { requiredResourceAccess?: readonly RequiredResourceAccess[]; signInAudience?: string; displayName?: string }, context: ErrorContext = {}): Promise<void> {
    await this.call(async () => (await this.clients.write()).api(`/applications/${encodeURIComponent(appObjectId)}`).patch(patch), { operation: 'addPermission', ...context });
  }

  // --- service principals

  /** A service principal by object id (a managed identity's id is the credential subject); undefined when none. */
  async findServicePrincipal(objectId: string): Promise<ServicePrincipalInfo | undefined> {
    try {
      return await (await this.clients.read()).api(`/servicePrincipals/${encodeURIComponent(objectId)}?$select=${MI_FIELDS},appOwnerOrganizationId`).get();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404 || status === 400) return undefined;
      throw toGraphRequestError(error, { operation: 'listManagedIdentities' });
    }
  }

  /** Microsoft Graph's own service principal in this tenant, whose appRoles are the application permissions. */
  async graphServicePrincipal(): Promise<{ id: string; appId: string; appRoles: AppRole[] }> {
    const page = await this.getPage<{ id: string; appId: string; appRoles: AppRole[] }>(
      `/servicePrincipals?${encodeQuery({ $filter: equalsFilter('appId', MICROSOFT_GRAPH_APP_ID), $select: 'id,appId,appRoles' })}`,
      {},
      { operation: 'readGraphPermissions' },
    );
    const sp = page.items[0];
    if (!sp) throw new Error('Microsoft Graph has no service principal in this tenant, so its permissions cannot be listed.');
    return sp;
  }

  /** The signed-in directory: its id and verified domains. */
  async organization(): Promise<{ id: string; displayName: string; verifiedDomains: Array<{ name: string; isDefault?: boolean }> }> {
    const page = await this.getPage<{ id: string; displayName: string; verifiedDomains: Array<{ name: string; isDefault?: boolean }> }>('/organization?$select=id,displayName,verifiedDomains', {}, {});
    const org = page.items[0];
    if (!org) throw new Error('Microsoft Graph returned no organization for the signed-in account.');
    return org;
  }

  // --- managed identities

  async listManagedIdentities(pageSize: number): Promise<Page<ManagedIdentityPrincipal>> {
    const params: QueryParams = { $filter: equalsFilter('servicePrincipalType', 'ManagedIdentity'), $select: MI_FIELDS, $top: pageSize };
    return this.getPage<ManagedIdentityPrincipal>(`/servicePrincipals?${encodeQuery(params)}`, {}, { operation: 'listManagedIdentities' });
  }

  /**
   * Every app that has a federated credential, with its credentials: one request per 999 apps
   * (credentials expanded), so the Managed Identities view needs no request per app or identity.
   */
  async listAppsWithCredentials(onPage?: (loaded: number) => void): Promise<AppRegistration[]> {
    const params: QueryParams = {
      $select: 'id,appId,displayName,signInAudience',
      $expand: `federatedIdentityCredentials($select=${CREDENTIAL_FIELDS})`,
      $top: 999,
    };
    return this.call(async () => {
      // The SDK loads with the first Graph call, not at activation.
      const { PageIterator } = await import('@microsoft/microsoft-graph-client');
      const client = await this.clients.read();
      const apps: AppRegistration[] = [];
      const first = await client.api(`/applications?${encodeQuery(params)}`).get();
      let seen = 0;
      const iterator = new PageIterator(client, first, (app: AppRegistration) => {
        if ((app.federatedIdentityCredentials?.length ?? 0) > 0) apps.push(app);
        if (++seen % 999 === 0) onPage?.(seen);
        return true;
      });
      await iterator.iterate();
      return apps;
    }, { operation: 'listApps' });
  }

  // --- plumbing

  private async getPage<T>(path: string, headers: Record<string, string>, context: ErrorContext): Promise<Page<T>> {
    const body = await this.call<ODataCollection<T>>(async () => {
      const request = (await this.clients.read()).api(path);
      if (Object.keys(headers).length > 0) request.headers(headers);
      return request.get();
    }, context);
    return { items: body.value, nextLink: body['@odata.nextLink'], count: body['@odata.count'] };
  }

  private async call<T>(operation: () => Promise<T>, context: ErrorContext): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw toGraphRequestError(error, context);
    }
  }
}
