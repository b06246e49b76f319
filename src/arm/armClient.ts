// Azure Resource Manager over the Azure core HTTP pipeline (bearer token, renewed once when ARM refuses
// it as expired), with the one retry policy (src/http/retryPolicy.ts: at most 3 sends, Retry-After
// honoured; a POST is sent again only when throttled) configured into the pipeline's retry policies.
// The pipeline module loads with the first ARM call.
import type { TokenCredential } from '@azure/core-auth';
import type { AuthorizeRequestOnChallengeOptions, Pipeline, PipelineRequest } from '@azure/core-rest-pipeline';
import { freshTokenOptions, isRefusedToken } from '../http/freshToken';
import type { Cloud } from '../domain/clouds';
import { redactSecrets } from '../domain/text';
import { failureText, type RequestLogger } from '../http/requestLog';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../http/retryPolicy';
import { classMark, isInstanceAcrossCopies } from '../util/sharedClass';

export interface ArmResponse<T> {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: T;
}

/** Instances of any copy of ArmRequestError (main bundle or a lazily loaded command chunk) pass `instanceof`. */
const ARM_REQUEST_ERROR_MARK = classMark('ArmRequestError');

export class ArmRequestError extends Error {
  readonly [ARM_REQUEST_ERROR_MARK] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isInstanceAcrossCopies(this, ArmRequestError, ARM_REQUEST_ERROR_MARK, value);
  }

  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ArmRequestError';
  }
}

export interface ArmClientOptions {
  readonly cloud: Cloud;
  readonly credential: TokenCredential;
  readonly logger?: RequestLogger;
  /** The one retry policy (default: 3 sends at most); tests shorten or remove its retries. */
  readonly retry?: RetryPolicy;
}

export interface ArmRequestOptions {
  readonly apiVersion: string;
  readonly body?: unknown;
  /** Raw text body (runbook content) with its content type. */
  readonly text?: { content: string; contentType: string };
  readonly signal?: AbortSignal;
}

export class ArmClient {
  private pipeline?: Promise<{ pipeline: Pipeline; http: typeof import('@azure/core-rest-pipeline') }>;

  constructor(private readonly options: ArmClientOptions) {}

  async request<T>(method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE', pathOrUrl: string, options: ArmRequestOptions): Promise<ArmResponse<T>> {
    const { pipeline, http } = await this.getPipeline();
    const url = armRequestUrl(this.options.cloud.armUrl, pathOrUrl);
    if (!url.searchParams.has('api-version')) url.searchParams.set('api-version', options.apiVersion);
    const request: PipelineRequest = http.createPipelineRequest({ url: url.toString(), method, abortSignal: options.signal });
    if (options.text) {
      request.headers.set('Content-Type', options.text.contentType);
      request.body = options.text.content;
    } else if (options.body !== undefined) {
      request.headers.set('Content-Type', 'application/json');
      request.body = JSON.stringify(options.body);
    }
    const started = Date.now();
    const response = await pipeline.sendRequest(http.createDefaultHttpClient(), request).catch((error: unknown) => {
      this.options.logger?.request({ method, url: url.pathname, status: 'error', durationMs: Date.now() - started, error: failureText(error) });
      throw error;
    });
    this.options.logger?.request({
      method,
      url: `${url.pathname}${url.search}`,
      status: response.status,
      requestId: response.headers.get('x-ms-request-id') ?? undefined,
      durationMs: Date.now() - started,
    });
    const text = response.bodyAsText ?? '';
    const body = text && /json/i.test(response.headers.get('content-type') ?? 'application/json') ? safeJson(text) : text;
    if (response.status >= 400) {
      const error = (body as { error?: { code?: string; message?: string } })?.error;
      // Still refused after one fresh token (the pipeline's challenge hook below): only a new sign-in helps.
      if (isRefusedToken('arm', response.status, body)) {
        throw new ArmRequestError(
          response.status,
          error?.code,
          `The sign-in has expired or is not valid for Azure Resource Manager (${error?.code}); sign in again.`,
        );
      }
      throw new ArmRequestError(
        response.status,
        error?.code,
        redactSecrets(`Azure Resource Manager answered ${response.status}${error?.code ? ` ${error.code}` : ''}: ${error?.message ?? text.slice(0, 300)}`),
      );
    }
    return { status: response.status, headers: response.headers.toJSON(), body: body as T };
  }

  /** Follows `nextLink` until the list ends. */
  async listAll<T>(path: string, apiVersion: string, signal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const page: ArmResponse<{ value: T[]; nextLink?: string }> = await this.request('GET', next, { apiVersion, signal });
      items.push(...(page.body.value ?? []));
      next = page.body.nextLink;
    }
    return items;
  }

  private getPipeline() {
    this.pipeline ??= import('@azure/core-rest-pipeline').then((http) => {
      const policy = this.options.retry ?? DEFAULT_RETRY_POLICY;
      const retryOptions = { maxRetries: policy.maxAttempts - 1, retryDelayInMs: policy.baseDelayMs, maxRetryDelayInMs: policy.maxRetryAfterMs };
      const pipeline = http.createPipelineFromOptions({ retryOptions, userAgentOptions: { userAgentPrefix: 'vscode-federated-credentials' } });
      // ARM's PUT, PATCH and DELETE are idempotent by contract, so the default policy (throttling, 5xx and
      // dropped connections) may resend them. A POST (publish) that failed or lost its answer may have
      // been applied: only a throttled POST, which ARM did not process, is sent again; callers check the rest.
      const anyMethod = http.defaultRetryPolicy(retryOptions);
      const throttledOnly = http.throttlingRetryPolicy(retryOptions);
      pipeline.removePolicy({ name: 'defaultRetryPolicy' }); // defaultRetryPolicyName, not exported
      pipeline.addPolicy(
        {
          name: 'idempotentRetryPolicy',
          sendRequest: (request, next) => (request.method === 'POST' ? throttledOnly : anyMethod).sendRequest(request, next),
        },
        { phase: 'Retry' },
      );
      pipeline.addPolicy(
        http.bearerTokenAuthenticationPolicy({
          credential: this.options.credential,
          scopes: `${this.options.cloud.armUrl}/.default`,
          // The default authorizeRequest (cached token) stays; a refused token gets one fresh token and one retry.
          challengeCallbacks: { authorizeRequestOnChallenge: authorizeRequestOnRefusedToken },
        }),
      );
      return { pipeline, http };
    });
    return this.pipeline;
  }
}

/**
 * The bearer policy's challenge hook. ARM answers a token it refuses (expired, or no longer accepted) with
 * 401 `ExpiredAuthenticationToken` / `InvalidAuthenticationToken` and a WWW-Authenticate header, which is
 * what makes the policy call this. The `claims` of freshTokenOptions() make the policy's token cache drop
 * the cached token and ask the credential again (core-rest-pipeline's tokenCycler); returning true sends
 * the request once more, and a second 401 comes back as it is (the policy never loops). ARM refused the
 * request before processing it, so writes are retried too. Other challenges (wrong audience or tenant)
 * are left alone: a fresh token of the same kind would not change them.
 */
async function authorizeRequestOnRefusedToken(options: AuthorizeRequestOnChallengeOptions): Promise<boolean> {
  const { response, request, scopes, getAccessToken } = options;
  if (!isRefusedToken('arm', response.status, response.bodyAsText ?? '')) return false;
  // enableCae as in the policy's default authorizeRequest, so the same token cache partition is refreshed.
  const token = await getAccessToken(scopes, freshTokenOptions({ abortSignal: request.abortSignal, tracingOptions: request.tracingOptions, enableCae: true }));
  if (!token) return false;
  request.headers.set('Authorization', `Bearer ${token.token}`);
  return true;
}

/**
 * The URL of an ARM call: absolute URLs (nextLink, operation URLs) as they are; paths and resource ids
 * (`/subscriptions/…`) under the cloud's ARM root, path included (a custom cloud may serve ARM under a path).
 * Either way the URL must stay on the ARM endpoint (same origin, under its root path): the bearer token
 * goes with every request, so a nextLink to another host or a path climbing out with `..` is refused.
 */
export function armRequestUrl(armUrl: string, pathOrUrl: string): URL {
  const root = new URL(armUrl);
  const rootPath = root.pathname.replace(/\/+$/, '');
  const url = /^https?:\/\//i.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(`${root.origin}${rootPath}/${pathOrUrl.replace(/^\/+/, '')}`);
  if (url.origin !== root.origin || !(url.pathname === rootPath || url.pathname.startsWith(`${rootPath}/`))) {
    throw new Error(
      `Refusing an Azure Resource Manager request to ${url.host}${url.pathname.slice(0, 80)}: it is outside the cloud's ARM endpoint ${root.host}${rootPath}, and the request would carry the ARM token there.`,
    );
  }
  return url;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface ArmTenant {
  readonly tenantId: string;
  readonly displayName?: string;
  readonly defaultDomain?: string;
  readonly domains?: string[];
}

export function listTenants(client: ArmClient): Promise<ArmTenant[]> {
  return client.listAll<ArmTenant>('/tenants', '2022-12-01');
}
