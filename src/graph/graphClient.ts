// Builds the Microsoft Graph client: the official SDK with its middleware chain (auth, retry
// honouring Retry-After, redirects) plus our logging, dropped-connection retry for reads and one
// fresh token + retry when Graph refuses an expired token (tokenRefresh.ts).
// The token comes from an @azure/identity TokenCredential, so any sign-in method plugs in.
import type { TokenCredential } from '@azure/core-auth';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { LoggingMiddleware, ReadConnectionRetryMiddleware, type RequestLogger } from './middleware';
import { TokenRefreshHandler } from './tokenRefresh';

// This module is the lazily loaded Graph chunk (scripts/bundles.mjs): SDK parts used elsewhere come through it.
export { PageIterator } from '@microsoft/microsoft-graph-client';

export interface GraphClientOptions {
  readonly credential: TokenCredential;
  /** The cloud's Graph root, e.g. https://graph.microsoft.com (no version segment). */
  readonly baseUrl: string;
  /** Scopes for this client's tokens; read and write clients are separate so reads never ask for write consent. */
  readonly scopes: string[];
  readonly logger?: RequestLogger;
  readonly retry?: RetryPolicy;
}

export interface RetryPolicy {
  /** Attempts after the first, for 429/503/504 (SDK caps at 10). */
  readonly maxRetries: number;
  /** Base delay in seconds when the service sends no Retry-After. */
  readonly delaySeconds: number;
  /** A Retry-After longer than this fails the request instead of waiting: the total time stays bounded. */
  readonly maxRetryAfterSeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 5, delaySeconds: 1, maxRetryAfterSeconds: 30 };

function methodOf(request: string | Request, options: { method?: string } | undefined): string {
  return ((typeof request === 'string' ? options?.method : request.method) ?? 'GET').toUpperCase();
}

/**
 * 429 means the request was not processed, so any method may be retried. A 503/504 on a write may
 * have been applied: only reads are retried then, and writes are left to callers that can check.
 */
export function retryDecision(policy: RetryPolicy) {
  return (_delay: number, _attempt: number, request: string | Request, options: { method?: string } | undefined, response: Response): boolean => {
    const retryAfter = Number(response.headers.get('Retry-After') ?? '0');
    if (Number.isFinite(retryAfter) && retryAfter > policy.maxRetryAfterSeconds) return false;
    if (response.status === 429) return true;
    const method = methodOf(request, options);
    return method === 'GET' || method === 'HEAD';
  };
}

export function createGraphClient(options: GraphClientOptions): Client {
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const authProvider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: options.scopes });
  const chain: Middleware[] = [
    new AuthenticationHandler(authProvider),
    // A 401 for a refused (expired) token: one fresh token, one more attempt.
    new TokenRefreshHandler(options.credential, options.scopes),
    new RetryHandler(new RetryHandlerOptions(policy.delaySeconds, policy.maxRetries, retryDecision(policy))),
    // Reads after a dropped connection or a 500/502: the same budget, with a short first delay (at most 200 ms).
    new ReadConnectionRetryMiddleware(policy.maxRetries, Math.min(200, policy.delaySeconds * 1000)),
    ...(options.logger ? [new LoggingMiddleware(options.logger)] : []),
    new RedirectHandler(new RedirectHandlerOptions()),
    new TelemetryHandler(),
    new HTTPMessageHandler(),
  ];
  chain.reduce((previous, next) => {
    previous.setNext?.(next);
    return next;
  });
  const base = new URL(options.baseUrl);
  return Client.initWithMiddleware({
    middleware: chain,
    // The cloud's Graph root as configured, path included (a custom cloud may serve Graph under a path).
    baseUrl: options.baseUrl,
    defaultVersion: 'v1.0',
    // The SDK attaches tokens only to hosts it knows (compared without the port); sovereign and custom clouds must be listed.
    customHosts: new Set([base.hostname]),
  });
}
