// HTTP plumbing: one HTTPS server (login, Graph, ARM and the control API, told apart by path prefix) and one
// plain-HTTP loopback listener for the managed-identity endpoint (Azure Automation's IDENTITY_ENDPOINT is
// http://127.0.0.1:PORT/…). Per request: parse, log, apply faults, route, answer.
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SandboxCore } from './core';
import { armError, entraError, graphError } from './errors';
import { decodeJwt } from './tokens';
import { redact, selectHeaders } from './requestLog';
import { Area, AREA_PREFIX, json, PUBLIC_HOST, SandboxRequest, SandboxResponse } from './router';

const MAX_BODY = 20 * 1024 * 1024;

/**
 * The public hosts of the services the sandbox emulates. A request whose Host is one of them (a client that
 * resolves these names to the sandbox, such as the Azure CLI in a network namespace with its own hosts file)
 * reaches that service at the path's root, as on Azure: `https://graph.microsoft.com/v1.0/…`.
 */
const AREA_OF_PUBLIC_HOST: Readonly<Record<string, keyof typeof PUBLIC_HOST>> = Object.fromEntries(
  (Object.keys(PUBLIC_HOST) as Array<keyof typeof PUBLIC_HOST>).map((area) => [PUBLIC_HOST[area], area]),
);

/** The area and path of a request that names a public host (`host` as effectiveHost gives it), or undefined. */
export function publicHostArea(host: string | undefined, path: string): { area: Exclude<Area, 'mi'>; relative: string } | undefined {
  const name = host?.trim().toLowerCase().replace(/:443$/, '');
  const area = name ? AREA_OF_PUBLIC_HOST[name] : undefined;
  if (!area) return undefined;
  return { area, relative: withoutGraphTrailingSlash(area, path) };
}

/** Microsoft Graph takes `/v1.0/applications/` as `/v1.0/applications` (clients build URLs that end in "/"). */
function withoutGraphTrailingSlash(area: Exclude<Area, 'mi'>, relative: string): string {
  return area === 'graph' && relative.length > 1 ? relative.replace(/\/+$/, '') || '/' : relative;
}

export function areaOf(path: string): { area: Exclude<Area, 'mi'>; relative: string } {
  for (const area of ['control', 'graph', 'arm'] as const) {
    const prefix = AREA_PREFIX[area];
    if (path === prefix || path.startsWith(`${prefix}/`)) {
      return { area, relative: withoutGraphTrailingSlash(area, path.slice(prefix.length) || '/') };
    }
  }
  return { area: 'login', relative: path };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function parseBody(contentType: string, raw: string): { body: unknown; bodyError?: string } {
  if (raw === '') return { body: undefined };
  const ct = contentType.toLowerCase();
  if (ct.includes('application/x-www-form-urlencoded')) {
    return { body: Object.fromEntries(new URLSearchParams(raw)) };
  }
  if (ct.includes('json') || ct === '' || raw.trimStart().startsWith('{') || raw.trimStart().startsWith('[')) {
    try {
      return { body: JSON.parse(raw) as unknown };
    } catch (e) {
      if (ct.includes('json')) return { body: undefined, bodyError: (e as Error).message };
    }
  }
  return { body: undefined };
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function callerOf(authorization: string | undefined): SandboxRequestLogCaller | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) return undefined;
  const jwt = decodeJwt(m[1] as string);
  if (!jwt) return {};
  const p = jwt.payload;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    oid: str(p.oid),
    appid: str(p.appid) ?? str(p.azp),
    tid: str(p.tid),
    idtyp: str(p.idtyp),
    scp: str(p.scp),
    roles: Array.isArray(p.roles) ? (p.roles as string[]) : undefined,
  };
}
type SandboxRequestLogCaller = NonNullable<import('./requestLog').LoggedRequest['caller']>;

/** The answer a throttling / error fault gives, in the area's own shape. */
function faultResponse(area: Area, sreq: SandboxRequest, kind: 'throttle' | 'error', status: number, retryAfter: number): SandboxResponse {
  const retry = { 'retry-after': String(retryAfter) };
  if (kind === 'throttle') {
    switch (area) {
      case 'graph': {
        // Graph's throttling answer (microsoft-graph-docs-contrib concepts/throttling.md).
        const r = graphError(sreq, 429, 'TooManyRequests', 'Please retry again later.', {
          ...retry,
          'x-ms-throttle-scope': 'Tenant_Application/ReadWrite/sandbox',
          'x-ms-throttle-information': 'ResourceUnitLimitExceeded',
        });
        const body = r.body as { error: { innerError: Record<string, unknown> } };
        body.error.innerError = { code: '429', message: 'Please retry after', status: '429', ...body.error.innerError };
        return r;
      }
      case 'arm':
        return armError(
          sreq,
          429,
          'TooManyRequests',
          'The request is being throttled as the limit has been reached for operation type - Read. For more information, refer to - https://aka.ms/srpthrottlinglimits',
          retry,
        );
      case 'mi':
        return json(
          429,
          { error: 'too_many_requests', error_description: 'The managed identity endpoint is throttling requests. Retry after the Retry-After interval.' },
          retry,
        );
      default: {
        // Entra's token endpoint says when to come back, as every throttled Azure answer does.
        const r = entraError(sreq, 'temporarily_unavailable', 90055, 'Too many incoming requests. Retry later.', { status: 429 });
        return { ...r, headers: { ...r.headers, ...retry } };
      }
    }
  }
  switch (area) {
    case 'graph':
      return graphError(
        sreq,
        status,
        status === 503 ? 'serviceNotAvailable' : 'generalException',
        status === 503 ? 'Service unavailable.' : 'An unexpected error occurred.',
        status === 503 ? retry : {},
      );
    case 'arm':
      return armError(
        sreq,
        status,
        status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
        'The server encountered an internal error. Please retry the request.',
      );
    case 'mi':
      return json(status, { error: 'server_error', error_description: 'The managed identity endpoint failed. Retry the request.' });
    default:
      return entraError(sreq, 'temporarily_unavailable', 90006, 'The service is temporarily unavailable.', { status });
  }
}

function defaultNotFound(area: Area, sreq: SandboxRequest, methodMismatch: boolean): SandboxResponse {
  switch (area) {
    case 'graph': {
      if (methodMismatch) return graphError(sreq, 405, 'Request_BadRequest', `The HTTP method '${sreq.method}' is not allowed for the requested resource.`);
      const segment = sreq.path.split('/').filter(Boolean).slice(1)[0] ?? '';
      return graphError(sreq, 400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
    }
    case 'arm':
      return armError(
        sreq,
        methodMismatch ? 405 : 404,
        methodMismatch ? 'MethodNotAllowed' : 'NotFound',
        methodMismatch
          ? `The requested resource does not support http method '${sreq.method}'.`
          : `No HTTP resource was found that matches the request URI '${sreq.baseUrl}${sreq.path}'.`,
      );
    case 'control':
      return json(404, { error: 'not_found', message: `No control route ${sreq.method} ${sreq.path}` });
    case 'mi':
      return json(404, { error: 'not_found', error_description: 'Unknown managed identity endpoint path.' });
    default:
      return {
        status: 404,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: '<!doctype html><title>Not found</title><p>The page you requested is not available.</p>',
      };
  }
}

function send(res: ServerResponse, r: SandboxResponse, method: string): void {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  let payload: Buffer | undefined;
  if (r.body === undefined || r.body === null) payload = undefined;
  else if (Buffer.isBuffer(r.body)) payload = r.body;
  else if (typeof r.body === 'string') payload = Buffer.from(r.body, 'utf8');
  else {
    payload = Buffer.from(JSON.stringify(r.body), 'utf8');
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json; charset=utf-8';
  }
  if (payload) headers['content-length'] = String(payload.length);
  res.writeHead(r.status, headers);
  res.end(method === 'HEAD' ? undefined : payload);
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/**
 * The origin the client called, as the real services name themselves by their public host: the URLs the
 * sandbox writes (token endpoints, nextLinks, Location headers) follow the `Host` header, or
 * `X-Forwarded-Host` / `X-Forwarded-Proto` behind a front (a TLS proxy, a port forward). A header that is
 * not a plain host[:port] is ignored, so no header can inject text into those URLs.
 */
export function requestOrigin(headers: Readonly<Record<string, string>>, fallback: string): string {
  const forwarded = validHost(headers['x-forwarded-host']?.split(',')[0]?.trim());
  const host = forwarded ?? validHost(headers.host?.trim());
  if (!host) return new URL(fallback).origin;
  const proto = forwarded ? headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase() : undefined;
  return `${proto === 'http' || proto === 'https' ? proto : new URL(fallback).protocol.replace(':', '')}://${host}`;
}

/** The host the client called (the forwarded one behind a front), as routing and URL building both use it. */
export function effectiveHost(headers: Readonly<Record<string, string>>): string | undefined {
  return validHost(headers['x-forwarded-host']?.split(',')[0]?.trim()) ?? validHost(headers.host?.trim());
}

/** A plain `host[:port]` with a port a URL can hold, or undefined. */
function validHost(value: string | undefined): string | undefined {
  if (!value || !HOST.test(value)) return undefined;
  const port = /:(\d+)$/.exec(value)?.[1];
  return port !== undefined && (Number(port) < 1 || Number(port) > 65535) ? undefined : value;
}

/** Handles one request for the given listener kind. */
async function handle(core: SandboxCore, kind: 'https' | 'mi', req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', kind === 'mi' ? core.urls.managedIdentity : core.urls.base);
  const headers = flatHeaders(req);
  const viaPublicHost = kind === 'mi' || !core.options.publicHosts ? undefined : publicHostArea(effectiveHost(headers), url.pathname);
  // Logs and fault rules see every request under its area's prefix, however the client named the host.
  const loggedPath = viaPublicHost ? `${AREA_PREFIX[viaPublicHost.area]}${url.pathname}` : url.pathname;
  const { area, relative } = kind === 'mi' ? { area: 'mi' as const, relative: url.pathname } : (viaPublicHost ?? areaOf(url.pathname));
  let raw: string;
  try {
    raw = await readBody(req);
  } catch {
    res.destroy();
    return;
  }
  const { body, bodyError } = parseBody(headers['content-type'] ?? '', raw);
  const requestId = randomUUID();
  const origin = kind === 'mi' ? new URL(core.urls.managedIdentity).origin : requestOrigin(headers, core.urls.base);
  const baseUrl = area === 'mi' || viaPublicHost ? origin : `${origin}${AREA_PREFIX[area]}`;
  const sreq: SandboxRequest = {
    method,
    area,
    path: relative,
    params: {},
    query: url.searchParams,
    headers,
    rawBody: raw,
    body,
    bodyError,
    requestId,
    baseUrl,
    origin,
    viaPublicHost: viaPublicHost !== undefined,
    core,
  };

  const entry = core.log.add({
    time: new Date(started).toISOString(),
    area,
    method,
    path: loggedPath,
    query: redact(Object.fromEntries(url.searchParams)) as Record<string, string>,
    headers: selectHeaders(headers),
    body: redact(body ?? (raw && !bodyError ? raw.slice(0, 2000) : undefined)),
    caller: callerOf(headers.authorization),
  });

  let response: SandboxResponse;
  const decision = core.faults.decide(area, method, loggedPath);
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);
  if (decision.fault) {
    entry.fault = decision.fault.kind;
    // An `after` fault lets the handler run (a write is applied) and loses or replaces only the answer.
    if (decision.fault.after) await dispatch(core, sreq);
    if (decision.fault.kind === 'drop') {
      entry.status = 0;
      entry.durationMs = Date.now() - started;
      req.socket.destroy();
      return;
    }
    response = faultResponse(
      area,
      sreq,
      decision.fault.kind === 'throttle' ? 'throttle' : 'error',
      decision.fault.kind === 'throttle' ? 429 : (decision.fault.status ?? 503),
      decision.fault.retryAfterSeconds ?? 1,
    );
  } else {
    response = await dispatch(core, sreq);
  }
  entry.status = response.status;
  entry.durationMs = Date.now() - started;
  send(res, response, method);
}

/**
 * Routes a parsed request (also usable in-process, e.g. by Graph's $batch for its sub-requests).
 * Handler exceptions become 500s in the area's shape.
 */
export async function dispatch(core: SandboxCore, sreq: SandboxRequest): Promise<SandboxResponse> {
  const found = core.router.match(sreq.area, sreq.method, sreq.path);
  try {
    if ('handler' in found) return await found.handler({ ...sreq, params: found.params });
    const fallback = core.router.fallback(sreq.area);
    return fallback ? await fallback(sreq) : defaultNotFound(sreq.area, sreq, found.methodMismatch);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    console.error(`[sandbox] ${sreq.method} ${sreq.path} failed: ${e instanceof Error ? e.stack : message}`);
    return faultResponse(sreq.area, sreq, 'error', 500, 1);
  }
}

export interface Listeners {
  readonly httpsPort: number;
  readonly miPort: number;
  close(): Promise<void>;
}

/** Starts both listeners on 127.0.0.1. The core is attached afterwards (its URLs need the ports). */
export async function listen(tls: { cert: string; key: string }, ports: { https?: number; mi?: number }, getCore: () => SandboxCore): Promise<Listeners> {
  const onRequest = (kind: 'https' | 'mi') => (req: IncomingMessage, res: ServerResponse) => {
    handle(getCore(), kind, req, res).catch((e: unknown) => {
      console.error('[sandbox] request failed', e);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };
  const server = https.createServer({ cert: tls.cert, key: tls.key }, onRequest('https'));
  const mi = http.createServer(onRequest('mi'));
  const sockets = new Set<import('node:net').Socket>();
  for (const s of [server, mi]) {
    s.keepAliveTimeout = 5000;
    s.on('connection', (sock: import('node:net').Socket) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
  }
  const start = (s: http.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
    });
  const httpsPort = await start(server, ports.https ?? 0);
  const miPort = await start(mi, ports.mi ?? 0);
  return {
    httpsPort,
    miPort,
    close: async () => {
      for (const sock of sockets) sock.destroy();
      await Promise.all([server, mi].map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
