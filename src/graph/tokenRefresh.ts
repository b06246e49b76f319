// Graph middleware: when Microsoft Graph refuses the access token (401 InvalidAuthenticationToken, e.g.
// "Lifetime validation failed, the token is expired."), get one fresh token and send the request once
// more. It sits right after the SDK's AuthenticationHandler, which asks the credential for a token on
// every request and *appends* its Authorization header; this handler asks the same credential with
// freshTokenOptions() (see src/http/freshToken.ts: it makes caches step aside) and replaces the header,
// so the retry carries exactly one token. Graph refused the request before processing it, so writes
// are retried too. A second refusal is passed on as it is: the caller explains it ("sign in again").
import type { TokenCredential } from '@azure/core-auth';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { freshTokenOptions, isRefusedToken } from '../http/freshToken';

const AUTHORIZATION = 'Authorization';

export class TokenRefreshHandler implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly credential: TokenCredential,
    private readonly scopes: string[],
  ) {}

  async execute(context: Context): Promise<void> {
    await this.next!.execute(context);
    // Only a request that carried our token (the AuthenticationHandler attaches it to Graph hosts only),
    // only once, and only when its body can be sent again.
    if (headerValue(context, AUTHORIZATION) === undefined || !replayable(context) || !(await refusedToken(context.response))) return;
    const token = await this.credential.getToken(this.scopes, freshTokenOptions());
    if (!token) return;
    replaceHeader(context, AUTHORIZATION, `Bearer ${token.token}`);
    await this.next!.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

async function refusedToken(response: Response | undefined): Promise<boolean> {
  if (!response || response.status !== 401) return false;
  // Read a copy: when no retry follows, the SDK still reads the original body for its GraphError.
  const body = await response
    .clone()
    .text()
    .catch(() => '');
  return isRefusedToken('graph', response.status, body);
}

type HeaderBag = Headers | [string, string][] | Record<string, string>;

function headerBag(context: Context): HeaderBag | undefined {
  if (typeof context.request !== 'string') return context.request.headers;
  return context.options?.headers as HeaderBag | undefined;
}

/** The header's value, whatever shape the request's headers have (the SDK uses all three). */
function headerValue(context: Context, name: string): string | undefined {
  const bag = headerBag(context);
  const lower = name.toLowerCase();
  if (bag instanceof Headers) return bag.get(name) ?? undefined;
  if (Array.isArray(bag)) return bag.find(([key]) => key.toLowerCase() === lower)?.[1];
  return bag ? Object.entries(bag).find(([key]) => key.toLowerCase() === lower)?.[1] : undefined;
}

/** Sets one value for the header, whatever shape the request's headers have (the SDK uses all three). */
function replaceHeader(context: Context, name: string, value: string): void {
  const bag = headerBag(context);
  const lower = name.toLowerCase();
  if (bag instanceof Headers) {
    bag.set(name, value);
  } else if (Array.isArray(bag)) {
    const kept = bag.filter(([key]) => key.toLowerCase() !== lower);
    bag.splice(0, bag.length, ...kept, [name, value]);
  } else if (bag) {
    for (const key of Object.keys(bag)) if (key.toLowerCase() === lower) delete bag[key];
    bag[name] = value;
  }
}

/** A streamed body cannot be sent twice; the SDK's RetryHandler makes the same check (octet-stream uploads). */
function replayable(context: Context): boolean {
  if (typeof context.request !== 'string') return context.request.body === null;
  const body = context.options?.body;
  if (body && typeof body === 'object' && typeof (body as { getReader?: unknown }).getReader === 'function') return false;
  return headerValue(context, 'Content-Type') !== 'application/octet-stream';
}
