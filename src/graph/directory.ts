// Microsoft Graph as the extension uses it, one client per resource over one request layer: app
// registrations with their federated credentials, service principals (managed identities), and the
// directory itself. Read and write calls use separate SDK clients so that browsing never asks for
// write permissions.
import type { ErrorContext } from '../domain/graphErrors';
import type { Page } from '../domain/model';
import type { RetryPolicy } from '../http/retryPolicy';
import type { Sleep } from '../util/cancellation';
import { ApplicationsApi } from './applications';
import { OrganizationApi } from './organization';
import { GraphRequester, type GraphClients } from './request';
import { ServicePrincipalsApi } from './servicePrincipals';

export type { AppListQuery, BatchCreateResult, BatchCredentialCreate } from './applications';
export type { GraphClients } from './request';

export class GraphDirectory {
  readonly apps: ApplicationsApi;
  readonly servicePrincipals: ServicePrincipalsApi;
  readonly organization: OrganizationApi;
  private readonly graph: GraphRequester;

  constructor(clients: GraphClients, retry: { readonly policy?: RetryPolicy; readonly sleep?: Sleep } = {}) {
    this.graph = new GraphRequester(clients, retry);
    this.apps = new ApplicationsApi(this.graph);
    this.servicePrincipals = new ServicePrincipalsApi(this.graph);
    this.organization = new OrganizationApi(this.graph);
  }

  /** The next page: the whole nextLink as Graph gave it, with the same headers as the first request. */
  nextPage<T>(nextLink: string, headers: Record<string, string> = {}, context: ErrorContext = {}): Promise<Page<T>> {
    return this.graph.getPage<T>(nextLink, headers, context);
  }
}
