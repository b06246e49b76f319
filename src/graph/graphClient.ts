// Builds the Microsoft Graph client: the official SDK with its middleware chain (auth, redirects,
// telemetry) where the retry is ours: one policy with one budget per request (src/http/retryPolicy.ts)
// instead of the SDK's RetryHandler plus a second retry for reads; logging; and one fresh token + retry
// when Graph refuses an expired token (tokenRefresh.ts).
// The token comes from an @azure/identity TokenCredential, so any sign-in method plugs in.
import type { TokenCredential } from '@azure/core-auth';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  TelemetryHandler,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../http/retryPolicy';
import type { Sleep } from '../util/cancellation';
import { LoggingMiddleware, RetryMiddleware, type RequestLogger } from './middleware';
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
  /** The one retry policy (default: 3 sends at most); tests shorten its waits. */
  readonly retry?: RetryPolicy;
  /** Injected by tests that count waits. */
  readonly sleep?: Sleep;
}

export function createGraphClient(options: GraphClientOptions): Client {
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const authProvider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: options.scopes });
  const chain: Middleware[] = [
    new AuthenticationHandler(authProvider),
    // A 401 for a refused (expired) token: one fresh token, one more attempt.
    new TokenRefreshHandler(options.credential, options.scopes),
    new RetryMiddleware(policy, options.sleep),
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
