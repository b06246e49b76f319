// A small router: (method, path pattern) -> handler, grouped by service area. Handlers are pure-ish
// functions from a parsed SandboxRequest to a SandboxResponse (no raw socket access), so Graph's $batch can
// dispatch sub-requests through the same routes without HTTP.
import type { SandboxCore } from './core';

/** Which emulated service a request is for; decided by the path prefix (see AREA_PREFIX) or the listener. */
export type Area = 'login' | 'graph' | 'arm' | 'control' | 'mi';

/** Path prefix of each area on the HTTPS server. `mi` has its own plain-HTTP listener at its root. */
export const AREA_PREFIX: Readonly<Record<Exclude<Area, 'mi'>, string>> = {
  control: '/_sandbox',
  graph: '/graph',
  arm: '/arm',
  login: '',
};

/**
 * The public host of each service the sandbox emulates. A `publicHosts` sandbox answers them at their roots
 * (server.ts publicHostArea), its certificate names them (tls.ts), and links across services use them.
 */
export const PUBLIC_HOST: Readonly<Record<'login' | 'graph' | 'arm', string>> = {
  login: 'login.microsoftonline.com',
  graph: 'graph.microsoft.com',
  arm: 'management.azure.com',
};

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export interface SandboxRequest {
  readonly method: HttpMethod | string;
  readonly area: Area;
  /** Path relative to the area root, percent-decoding NOT applied (e.g. `/v1.0/applications(appId='x')`). */
  readonly path: string;
  /** Path parameters from the matched pattern, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Lower-cased header names. Multi-valued headers are joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** Raw body text ('' when none). */
  readonly rawBody: string;
  /**
   * Parsed body: an object for JSON, a string record for application/x-www-form-urlencoded, undefined when
   * empty or unparseable (then `bodyError` says why).
   */
  readonly body: unknown;
  readonly bodyError?: string;
  /** Unique id of this request (Graph's request-id, Entra's trace id, ARM's x-ms-request-id). */
  readonly requestId: string;
  /**
   * Absolute base URL of the area as the client called it, no trailing slash (e.g. https://127.0.0.1:5000/graph,
   * or the host a front forwarded): what the URLs in answers are built on.
   */
  readonly baseUrl: string;
  /** The origin the client called (`https://host:port`), without the area's prefix. */
  readonly origin: string;
  /** True when the client called a public host (login.microsoftonline.com …): see serviceUrl. */
  readonly viaPublicHost?: boolean;
  readonly core: SandboxCore;
}

export interface SandboxResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Objects are sent as JSON; strings and Buffers as they are (set content-type yourself). */
  readonly body?: unknown;
}

export type Handler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

interface Route {
  readonly method: string;
  readonly area: Area;
  readonly pattern: string | RegExp;
  readonly segments?: readonly string[];
  readonly handler: Handler;
}

export interface MatchResult {
  readonly handler: Handler;
  readonly params: Record<string, string>;
}

/** Route registration for one area; paths are relative to the area root. */
export interface AreaRouter {
  readonly area: Area;
  get(pattern: string | RegExp, handler: Handler): void;
  post(pattern: string | RegExp, handler: Handler): void;
  put(pattern: string | RegExp, handler: Handler): void;
  patch(pattern: string | RegExp, handler: Handler): void;
  delete(pattern: string | RegExp, handler: Handler): void;
  /** Any method, e.g. for `405`-style answers. */
  all(pattern: string | RegExp, handler: Handler): void;
  /** The answer for paths no route matches in this area (replaces the default). */
  notFound(handler: Handler): void;
}

/**
 * Patterns: `/v1.0/applications/:id` matches segment by segment; literal segments compare
 * case-insensitively (Graph and ARM paths are case-insensitive); `:name` captures one segment;
 * a final `*name` captures the rest. RegExp patterns match the whole relative path; named groups are params.
 */
export class Router {
  private readonly routes: Route[] = [];
  private readonly fallbacks = new Map<Area, Handler>();

  for(area: Area): AreaRouter {
    const add = (method: string) => (pattern: string | RegExp, handler: Handler) => this.add(area, method, pattern, handler);
    return {
      area,
      get: add('GET'),
      post: add('POST'),
      put: add('PUT'),
      patch: add('PATCH'),
      delete: add('DELETE'),
      all: add('*'),
      notFound: (handler) => this.fallbacks.set(area, handler),
    };
  }

  add(area: Area, method: string, pattern: string | RegExp, handler: Handler): void {
    const segments = typeof pattern === 'string' ? splitPath(pattern) : undefined;
    this.routes.push({ method: method.toUpperCase(), area, pattern, segments, handler });
  }

  /** Finds the handler for a request; `methodMismatch` when the path matched but not the method. */
  match(area: Area, method: string, path: string): MatchResult | { readonly methodMismatch: boolean } {
    let pathMatched = false;
    const upper = method.toUpperCase();
    for (const route of this.routes) {
      if (route.area !== area) continue;
      const params = matchPattern(route, path);
      if (!params) continue;
      if (route.method === '*' || route.method === upper || (upper === 'HEAD' && route.method === 'GET')) {
        return { handler: route.handler, params };
      }
      pathMatched = true;
    }
    return { methodMismatch: pathMatched };
  }

  fallback(area: Area): Handler | undefined {
    return this.fallbacks.get(area);
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function matchPattern(route: Route, path: string): Record<string, string> | undefined {
  if (route.pattern instanceof RegExp) {
    const m = route.pattern.exec(path);
    if (!m || m.index !== 0 || m[0].length !== path.length) return undefined;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) params[k] = decode(v);
    return params;
  }
  const want = route.segments ?? [];
  const got = splitPath(path);
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    if (w.startsWith('*')) {
      params[w.slice(1)] = got.slice(i).map(decode).join('/');
      return params;
    }
    const g = got[i];
    if (g === undefined) return undefined;
    if (w.startsWith(':')) params[w.slice(1)] = decode(g);
    else if (w.toLowerCase() !== decode(g).toLowerCase()) return undefined;
  }
  return got.length === want.length ? params : undefined;
}

/**
 * The root of another service as this client reaches it: the public host when it called one (a
 * `publicHosts` sandbox), else the host it called with that service's prefix. Cross-service links
 * (userinfo, authorization_uri, the ARM tenant hint) are built on it.
 */
export function serviceUrl(req: Pick<SandboxRequest, 'origin' | 'viaPublicHost'>, area: 'login' | 'graph' | 'arm'): string {
  if (req.viaPublicHost) return `https://${PUBLIC_HOST[area]}`;
  return `${req.origin}${AREA_PREFIX[area]}`;
}

// ---- Response helpers -------------------------------------------------------------------------------------

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body };
}

export function html(status: number, page: string, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body: page };
}

export function text(status: number, body: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': contentType, ...headers }, body };
}

export function redirect(location: string, status = 302): SandboxResponse {
  return { status, headers: { location }, body: '' };
}

export function noContent(headers: Record<string, string> = {}): SandboxResponse {
  return { status: 204, headers, body: undefined };
}
