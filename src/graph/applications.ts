// Microsoft Graph: app registrations and their federated identity credentials (v1.0 /applications,
// /applications/{id}/federatedIdentityCredentials), read one by one, page by page, or 20 per $batch.
import { appSearchQuery, encodeQuery, equalsFilter, type QueryParams } from '../domain/graphQuery';
import type { ErrorContext } from '../domain/graphErrors';
import { toGraphBody } from '../domain/copyFormats';
import type { CredentialValues } from '../domain/credentialRules';
import type { RequiredResourceAccess } from '../domain/graphPermissions';
import type { AppRegistration, FederatedCredential, Page } from '../domain/model';
import { itemError, runBatch } from './batch';
import { GraphRequestError, isBrokenV1Answer, toGraphRequestError } from './errors';
import { graphApi, withSignal, type BatchResponse, type GraphRequester, type GraphVersion } from './request';

export interface AppListQuery {
  readonly search?: string;
  readonly onlyMine?: boolean;
  readonly pageSize: number;
}

const APP_FIELDS = ['id', 'appId', 'displayName', 'signInAudience', 'requiredResourceAccess'];
const CREDENTIAL_FIELDS = 'id,name,issuer,subject,audiences,description';
/** Beta has flexible credentials (claimsMatchingExpression, preview). */
const CREDENTIAL_FIELDS_BETA = `${CREDENTIAL_FIELDS},claimsMatchingExpression`;
const fieldsFor = (version: GraphVersion) => (version === 'beta' ? CREDENTIAL_FIELDS_BETA : CREDENTIAL_FIELDS);
const expandCredentials = (version: GraphVersion) => `federatedIdentityCredentials($select=${fieldsFor(version)})`;

/** v1.0 broke off on a flexible credential: the same read goes through beta. */
function brokeOnFlexible(error: unknown): boolean {
  return isBrokenV1Answer(error) || isBrokenV1Answer((error as { cause?: unknown } | undefined)?.cause);
}

/** The same break inside a `$batch`: a 200 whose body is no object. */
function brokeOnFlexibleInBatch(answer: BatchResponse): boolean {
  return answer.status === 200 && (answer.body === null || typeof answer.body !== 'object');
}

/** A credential as the extension models it: a flexible one's null subject (beta) becomes ''. */
function normaliseCredential(c: FederatedCredential): FederatedCredential {
  return c.subject === null || c.subject === undefined ? { ...c, subject: '' } : c;
}

function normaliseApp<T extends AppRegistration>(app: T): T {
  return app.federatedIdentityCredentials ? { ...app, federatedIdentityCredentials: app.federatedIdentityCredentials.map(normaliseCredential) } : app;
}

function normalisePage<T extends AppRegistration>(page: Page<T>): Page<T> {
  return { ...page, items: page.items.map(normaliseApp) };
}

/** One item of a batched write: the app and what to create on it. */
export interface BatchCredentialCreate {
  readonly appObjectId: string;
  readonly values: CredentialValues;
  /** For error messages. */
  readonly appName?: string;
  /** Sends this write already had (it was looked up after a lost answer and is sent again): they count against its budget. */
  readonly attemptsBefore?: number;
}

/**
 * What Graph answered for one item of a batch: the created credential, or the error in plain words
 * (`lost`: the write may have been applied, look before writing again); after a cancel, `inFlight`
 * (its batch had been sent: it may have been created) or `notSent`. `attempts`: sends in all.
 */
export type BatchCreateResult = { readonly appObjectId: string; readonly attempts: number } & (
  | { readonly ok: true; readonly credential: FederatedCredential }
  | { readonly ok: false; readonly error: GraphRequestError; readonly lost: boolean }
  | { readonly ok: false; readonly cancelled: 'inFlight' | 'notSent' }
);

export class ApplicationsApi {
  constructor(private readonly graph: GraphRequester) {}

  /** The first page of the App Registrations view: search, "only mine", or everything, with credential counts. */
  async listApps(query: AppListQuery, context: ErrorContext = { operation: 'listApps' }): Promise<Page<AppRegistration>> {
    const search = query.search?.trim();
    if (query.onlyMine) {
      const params: QueryParams = { $select: APP_FIELDS.join(','), $top: query.pageSize };
      return this.graph.getPage<AppRegistration>(`/me/ownedObjects/microsoft.graph.application?${encodeQuery(params)}`, {}, context);
    }
    if (search) {
      // $search needs ConsistencyLevel: eventual, and advanced queries do not allow $expand.
      const built = appSearchQuery(search, { top: query.pageSize, select: APP_FIELDS });
      return this.graph.getPage<AppRegistration>(`/applications?${encodeQuery(built.params)}`, built.headers, context);
    }
    return this.withBetaFallback(async (version) => {
      const params: QueryParams = {
        $select: APP_FIELDS.join(','),
        $expand: expandCredentials(version),
        $top: query.pageSize,
      };
      return normalisePage(await this.graph.getPage<AppRegistration>(`/applications?${encodeQuery(params)}`, {}, context, version));
    });
  }

  /**
   * A further page of apps (the nextLink as Graph gave it). When v1.0 breaks on a flexible credential,
   * the page is read through beta, and the credentials of apps that hold a flexible one are read again
   * with their expressions.
   */
  async nextAppsPage(nextLink: string, headers: Record<string, string>, context: ErrorContext): Promise<Page<AppRegistration>> {
    let page: Page<AppRegistration>;
    try {
      page = await this.graph.getPage<AppRegistration>(nextLink, headers, context);
    } catch (error) {
      if (!brokeOnFlexible(error)) throw error;
      page = await this.graph.getPage<AppRegistration>(nextLink.replace('/v1.0/', '/beta/'), headers, context);
    }
    // A beta page read with the first page's fields (its nextLink keeps them) has flexible credentials
    // without their expressions: those apps' credentials are read again through beta with them.
    const items = await Promise.all(
      page.items.map(async (app) =>
        app.federatedIdentityCredentials?.some((c) => (c.subject === null || c.subject === undefined) && !c.claimsMatchingExpression)
          ? { ...app, federatedIdentityCredentials: await this.credentialsThrough('beta', app.id, context) }
          : normaliseApp(app),
      ),
    );
    return { ...page, items };
  }

  /** An app's credentials through one Graph version. */
  private async credentialsThrough(version: GraphVersion, appObjectId: string, context: ErrorContext): Promise<FederatedCredential[]> {
    const page = await this.graph.getPage<FederatedCredential>(
      `/applications/${encodeURIComponent(appObjectId)}/federatedIdentityCredentials?$select=${fieldsFor(version)}`,
      {},
      context,
      version,
    );
    return page.items.map(normaliseCredential);
  }

  /** Reads through v1.0, and through beta when v1.0 breaks on a flexible credential of the app. */
  private async withBetaFallback<T>(read: (version: GraphVersion) => Promise<T>): Promise<T> {
    try {
      return await read('v1.0');
    } catch (error) {
      if (!brokeOnFlexible(error)) throw error;
      return read('beta');
    }
  }

  /** An app by object id or, failing that, by application (client) id: both are GUIDs. */
  async findApp(idOrAppId: string): Promise<AppRegistration | undefined> {
    const client = await this.graph.read();
    try {
      return await client.api(`/applications/${encodeURIComponent(idOrAppId)}?$select=${APP_FIELDS.join(',')}`).get();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw toGraphRequestError(error, { operation: 'readApp' });
    }
    const byAppId = await this.graph.getPage<AppRegistration>(
      `/applications?${encodeQuery({ $filter: equalsFilter('appId', idOrAppId), $select: APP_FIELDS.join(',') })}`,
      {},
      { operation: 'readApp' },
    );
    return byAppId.items[0];
  }

  /** App registrations with exactly this display name (id, appId, createdDateTime): to look for a create whose answer was lost. */
  async findAppsByDisplayName(displayName: string): Promise<Array<AppRegistration & { createdDateTime?: string }>> {
    const page = await this.graph.getPage<AppRegistration & { createdDateTime?: string }>(
      `/applications?${encodeQuery({ $filter: equalsFilter('displayName', displayName), $select: [...APP_FIELDS, 'createdDateTime'].join(',') })}`,
      {},
      { operation: 'readApp', appName: displayName },
    );
    return page.items;
  }

  async createApp(
    body: { displayName: string; signInAudience: string; requiredResourceAccess?: readonly RequiredResourceAccess[] },
    signal?: AbortSignal,
  ): Promise<AppRegistration> {
    return this.graph.call(
      async () => withSignal((await this.graph.write()).api('/applications'), signal).post(body),
      { operation: 'createApp', appName: body.displayName },
      signal,
    );
  }

  async updateApp(
    appObjectId: string,
    patch: { requiredResourceAccess?: readonly RequiredResourceAccess[]; signInAudience?: string; displayName?: string },
    context: ErrorContext = {},
    signal?: AbortSignal,
  ): Promise<void> {
    await this.graph.call(
      async () => withSignal((await this.graph.write()).api(`/applications/${encodeURIComponent(appObjectId)}`), signal).patch(patch),
      { operation: 'addPermission', ...context },
      signal,
    );
  }

  /**
   * Apps by object id with their credentials expanded, 20 per `$batch`: no request per app. Ids
   * Graph does not know as object ids come back in `missing`; apps Graph could not read even after
   * the reads were retried come back in `failed`, with the reason.
   */
  async getAppsWithCredentials(
    objectIds: readonly string[],
  ): Promise<{ apps: AppRegistration[]; missing: string[]; failed: Array<{ id: string; error: GraphRequestError }> }> {
    const apps: AppRegistration[] = [];
    const missing: string[] = [];
    const failed: Array<{ id: string; error: GraphRequestError }> = [];
    const appPath = (id: string, version: GraphVersion) =>
      `/applications/${encodeURIComponent(id)}?${encodeQuery({ $select: APP_FIELDS.join(','), $expand: expandCredentials(version) })}`;
    const answers = await this.graph.readBatch(
      objectIds.map((id) => appPath(id, 'v1.0')),
      { operation: 'readApp' },
    );
    const broken: string[] = [];
    answers.forEach((answer, i) => {
      const id = objectIds[i];
      if (answer instanceof GraphRequestError) failed.push({ id, error: answer });
      else if (brokeOnFlexibleInBatch(answer)) broken.push(id);
      else if (answer.status === 200) apps.push(normaliseApp(answer.body as AppRegistration));
      else if (answer.status === 404 || answer.status === 400) missing.push(id);
      else failed.push({ id, error: itemError(answer, { operation: 'readApp' }) });
    });
    for (const id of broken) {
      try {
        apps.push(normaliseApp(await graphApi(await this.graph.read(), appPath(id, 'beta'), 'beta').get()));
      } catch (error) {
        failed.push({ id, error: toGraphRequestError(error, { operation: 'readApp' }) as GraphRequestError });
      }
    }
    return { apps, missing, failed };
  }

  /**
   * The apps with a federated credential whose subject is `subject` (a managed identity's object id):
   * Graph's lambda filter on `federatedIdentityCredentials`, an advanced query (`$count=true` with
   * `ConsistencyLevel: eventual`, concepts/aad-advanced-queries.md). One request for up to 999 apps,
   * however many apps the tenant has; more pages (the SDK's PageIterator, the header sent again with
   * each) only when more apps than that name the subject. Advanced queries take no `$expand`: the apps
   * come without their credentials. `count` is Graph's `@odata.count`.
   */
  async listAppsWithCredentialSubject(subject: string, context: ErrorContext = { operation: 'listApps' }): Promise<{ apps: AppRegistration[]; count: number }> {
    return this.graph.call(async () => {
      const params: QueryParams = {
        $filter: `federatedIdentityCredentials/any(f:${equalsFilter('f/subject', subject)})`,
        $count: true,
        $select: APP_FIELDS.join(','),
        $top: 999,
      };
      const headers = { ConsistencyLevel: 'eventual' };
      // The SDK loads with the first Graph call, not at activation (dist/chunks/graph.js).
      const { PageIterator } = await import('./graphClient');
      const client = await this.graph.read();
      const first = await client
        .api(`/applications?${encodeQuery(params)}`)
        .headers(headers)
        .get();
      const apps: AppRegistration[] = [];
      const iterator = new PageIterator(
        client,
        first,
        (app: AppRegistration) => {
          apps.push(app);
          return true;
        },
        { headers },
      );
      await iterator.iterate();
      const count = (first as { '@odata.count'?: number })['@odata.count'];
      return { apps, count: typeof count === 'number' ? count : apps.length };
    }, context);
  }

  async listCredentials(appObjectId: string, context: ErrorContext = { operation: 'listCredentials' }): Promise<FederatedCredential[]> {
    return this.withBetaFallback((version) => this.credentialsThrough(version, appObjectId, context));
  }

  async getCredential(appObjectId: string, idOrName: string): Promise<FederatedCredential | undefined> {
    try {
      return await this.withBetaFallback(async (version) => {
        const path = `/applications/${encodeURIComponent(appObjectId)}/federatedIdentityCredentials/${encodeURIComponent(idOrName)}?$select=${fieldsFor(version)}`;
        return normaliseCredential(await graphApi(await this.graph.read(), path, version).get());
      });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw toGraphRequestError(error, { operation: 'listCredentials', credentialName: idOrName });
    }
  }

  /** A flexible credential (claimsMatchingExpression) exists only in Graph beta; every other one is written through v1.0. */
  private credentialsApi(client: Awaited<ReturnType<GraphRequester['write']>>, path: string, flexible: boolean) {
    return graphApi(client, path, flexible ? 'beta' : 'v1.0');
  }

  async createCredential(appObjectId: string, values: CredentialValues, context: ErrorContext = {}, signal?: AbortSignal): Promise<FederatedCredential> {
    const created = await this.graph.call<FederatedCredential>(
      async () =>
        withSignal(
          this.credentialsApi(
            await this.graph.write(),
            `/applications/${encodeURIComponent(appObjectId)}/federatedIdentityCredentials`,
            Boolean(values.claimsMatchingExpression),
          ),
          signal,
        ).post(toGraphBody(values)),
      { operation: 'writeCredential', credentialName: values.name, ...context },
      signal,
    );
    return normaliseCredential(created);
  }

  /**
   * PATCH with what changed; the name is the key and never sent. Graph answers 204. A flexible credential
   * (`flexible`, or an expression in the patch) is changed through beta: v1.0 cannot hold it.
   */
  async updateCredential(
    appObjectId: string,
    credentialId: string,
    patch: Partial<Omit<CredentialValues, 'name'>>,
    context: ErrorContext = {},
    signal?: AbortSignal,
    flexible = false,
  ): Promise<void> {
    await this.graph.call(
      async () =>
        withSignal(
          this.credentialsApi(
            await this.graph.write(),
            `/applications/${encodeURIComponent(appObjectId)}/federatedIdentityCredentials/${encodeURIComponent(credentialId)}`,
            flexible || Boolean(patch.claimsMatchingExpression),
          ),
          signal,
        ).patch(patch),
      { operation: 'writeCredential', ...context },
      signal,
    );
  }

  async deleteCredential(appObjectId: string, credentialId: string, context: ErrorContext = {}, signal?: AbortSignal, flexible = false): Promise<void> {
    await this.graph.call(
      async () =>
        withSignal(
          this.credentialsApi(
            await this.graph.write(),
            `/applications/${encodeURIComponent(appObjectId)}/federatedIdentityCredentials/${encodeURIComponent(credentialId)}`,
            flexible,
          ),
          signal,
        ).delete(),
      { operation: 'writeCredential', ...context },
      signal,
    );
  }

  /**
   * Creates credentials on many apps with Graph JSON batching: one `POST /$batch` per 20 creates
   * instead of one request per app (the batch executor: each item on its own budget, throttled items
   * sent again, a 5xx or lost answer reported `lost` for the caller to look up). When `signal` fires,
   * no further batch is sent: the items of the batch in flight come back as `cancelled: 'inFlight'`
   * (they may have been created), every item not yet written as `'notSent'`.
   */
  async createCredentials(items: readonly BatchCredentialCreate[], signal?: AbortSignal): Promise<BatchCreateResult[]> {
    const answers = await runBatch(
      () => this.graph.write(),
      items.map((item) => ({
        method: 'POST' as const,
        url: `/applications/${encodeURIComponent(item.appObjectId)}/federatedIdentityCredentials`,
        body: toGraphBody(item.values),
        attemptsBefore: item.attemptsBefore,
      })),
      { context: { operation: 'writeCredential' }, signal, ...this.graph.retry },
    );
    return answers.map((answer, index): BatchCreateResult => {
      const item = items[index]!;
      const base = { appObjectId: item.appObjectId, attempts: answer.attempts };
      if (answer.kind === 'cancelled') return { ...base, ok: false, cancelled: answer.inFlight ? 'inFlight' : 'notSent' };
      if (answer.kind === 'failed') return { ...base, ok: false, error: answer.error, lost: answer.lost };
      if (answer.status >= 200 && answer.status < 300) return { ...base, ok: true, credential: answer.body as FederatedCredential };
      const context: ErrorContext = { operation: 'writeCredential', credentialName: item.values.name, appName: item.appName };
      return { ...base, ok: false, error: itemError(answer, context), lost: answer.status >= 500 };
    });
  }

  /**
   * Credentials by app and name, 20 per `$batch`: whether writes whose answers were lost were
   * applied. Each answer is the credential, `null` when the app has no credential of that name, or
   * the error when Graph could not say even after the reads were retried.
   */
  async findCredentials(
    items: ReadonlyArray<{ readonly appObjectId: string; readonly name: string }>,
  ): Promise<Array<FederatedCredential | null | GraphRequestError>> {
    const urls = items.map(
      (i) => `/applications/${encodeURIComponent(i.appObjectId)}/federatedIdentityCredentials/${encodeURIComponent(i.name)}?$select=${CREDENTIAL_FIELDS}`,
    );
    const answers = await this.graph.readBatch(urls, { operation: 'listCredentials' });
    return Promise.all(
      answers.map(async (answer, i) => {
        if (answer instanceof GraphRequestError) return answer;
        // v1.0 broke off on a flexible credential: read that one again (through beta).
        if (brokeOnFlexibleInBatch(answer)) return (await this.getCredential(items[i].appObjectId, items[i].name)) ?? null;
        if (answer.status === 200) return normaliseCredential(answer.body as FederatedCredential);
        if (answer.status === 404) return null;
        return itemError(answer, { operation: 'listCredentials', credentialName: items[i].name });
      }),
    );
  }
}
