// Microsoft Graph JSON batching: POST /v1.0/$batch. Source: microsoft-graph-docs-contrib concepts/json-batching.md
// (max 20 requests, unique case-insensitive ids, Content-Type with a body, dependsOn, 424 for dependents of a
// failed request, per-item status, responses in any order, each item throttled on its own).
// Sub-requests go through the same router as HTTP requests, with the outer request's Authorization.
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { SandboxModule } from '../module';
import { AREA_PREFIX, type AreaRouter, type SandboxRequest, type SandboxResponse } from '../router';
import { redact } from '../requestLog';
import { dispatch, parseBody } from '../server';
import { graphError } from '../errors';
import { authenticate, jsonBody, route } from './common';
import { fail, ok } from './odata';

export const MAX_BATCH_REQUESTS = 20;

interface BatchItem {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly dependsOn: string[];
}

interface BatchAnswer {
  readonly id: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** Headers kept in each item's answer, spelled as Graph spells them there (json-batching.md example). */
const KEPT_HEADERS: Record<string, string> = {
  'content-type': 'Content-Type',
  location: 'Location',
  'retry-after': 'Retry-After',
  'odata-version': 'OData-Version',
  'cache-control': 'Cache-Control',
  'x-ms-throttle-scope': 'x-ms-throttle-scope',
  'x-ms-throttle-information': 'x-ms-throttle-information',
  'www-authenticate': 'WWW-Authenticate',
};

function readItems(req: SandboxRequest): BatchItem[] {
  const body = jsonBody(req);
  const requests = body.requests;
  if (!Array.isArray(requests)) fail(req, 400, 'BadRequest', 'Invalid batch payload format.');
  const list = requests as unknown[];
  if (list.length === 0) fail(req, 400, 'BadRequest', 'Invalid batch payload format. The batch must contain at least one request.');
  if (list.length > MAX_BATCH_REQUESTS)
    fail(req, 400, 'BadRequest', `Too many requests in the batch: ${list.length}. A JSON batch can contain at most ${MAX_BATCH_REQUESTS} requests.`);
  const seen = new Set<string>();
  const items = list.map((raw) => {
    const r = raw as Record<string, unknown> | null;
    if (!r || typeof r !== 'object') return fail(req, 400, 'BadRequest', 'Invalid batch payload format.');
    if (typeof r.id !== 'string' || r.id === '') return fail(req, 400, 'BadRequest', 'Invalid batch payload format. Each request needs an id.');
    if (typeof r.method !== 'string' || r.method === '')
      return fail(req, 400, 'BadRequest', `Invalid batch payload format. Request id : ${r.id} has no method.`);
    if (typeof r.url !== 'string' || r.url === '') return fail(req, 400, 'BadRequest', `Invalid batch payload format. Request id : ${r.id} has no url.`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(r.url))
      return fail(req, 400, 'BadRequest', `Invalid request URI '${r.url}' in request id : ${r.id}. Batch requests take relative URLs such as /users.`);
    const key = r.id.toLowerCase();
    if (seen.has(key)) fail(req, 400, 'BadRequest', `Request Id ${r.id} has to be unique in a batch.`);
    seen.add(key);
    const headers: Record<string, string> = {};
    if (r.headers !== undefined) {
      if (!r.headers || typeof r.headers !== 'object' || Array.isArray(r.headers)) fail(req, 400, 'BadRequest', 'Invalid batch payload format.');
      for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) headers[k.toLowerCase()] = String(v);
    }
    if (r.body !== undefined && !headers['content-type'])
      fail(req, 400, 'BadRequest', `Write request id : ${r.id} does not contain Content-Type header or body.`);
    const dependsOn = r.dependsOn === undefined ? [] : r.dependsOn;
    if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string')) fail(req, 400, 'BadRequest', `Invalid dependsOn in request id : ${r.id}.`);
    return { id: r.id, method: r.method.toUpperCase(), url: r.url, headers, body: r.body, dependsOn: dependsOn as string[] };
  });
  const ids = new Map(items.map((i) => [i.id.toLowerCase(), i]));
  for (const i of items) {
    for (const d of i.dependsOn)
      if (!ids.has(d.toLowerCase())) fail(req, 400, 'BadRequest', `Request id : ${i.id} depends on request id : ${d}, which is not in the batch.`);
  }
  // Cycles make the batch unprocessable.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (i: BatchItem): void => {
    const k = i.id.toLowerCase();
    if (state.get(k) === 'done') return;
    if (state.get(k) === 'visiting') fail(req, 400, 'BadRequest', `The dependsOn chain of request id : ${i.id} forms a cycle.`);
    state.set(k, 'visiting');
    for (const d of i.dependsOn) visit(ids.get(d.toLowerCase()) as BatchItem);
    state.set(k, 'done');
  };
  items.forEach(visit);
  return items;
}

function subRequest(outer: SandboxRequest, item: BatchItem): SandboxRequest {
  // Relative to the version root ("/users"); the SDK's BatchRequestContent sends the path after the host
  // ("/v1.0/users", here "/graph/v1.0/users" since the sandbox serves Graph under a path), which Graph accepts.
  const prefix = AREA_PREFIX.graph.replace(/^\/+/, '');
  const rel = item.url.replace(/^\/+/, '').replace(new RegExp(`^(?:${prefix}/)?v1\\.0/`, 'i'), '');
  const q = rel.indexOf('?');
  const pathPart = q === -1 ? rel : rel.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : rel.slice(q + 1));
  const headers: Record<string, string> = { ...item.headers };
  if (outer.headers.authorization) headers.authorization = outer.headers.authorization;
  if (!headers['client-request-id'] && outer.headers['client-request-id']) headers['client-request-id'] = outer.headers['client-request-id'];
  let rawBody = '';
  if (item.body !== undefined) rawBody = typeof item.body === 'string' ? Buffer.from(item.body, 'base64url').toString('utf8') : JSON.stringify(item.body);
  const parsed = parseBody(headers['content-type'] ?? '', rawBody);
  return {
    method: item.method,
    area: 'graph',
    path: `/v1.0/${pathPart}`,
    params: {},
    query,
    headers,
    rawBody,
    body: parsed.body,
    bodyError: parsed.bodyError,
    requestId: randomUUID(),
    baseUrl: outer.baseUrl,
    origin: outer.origin,
    viaPublicHost: outer.viaPublicHost,
    core: outer.core,
  };
}

function answer(item: BatchItem, r: SandboxResponse): BatchAnswer {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) {
    const name = KEPT_HEADERS[k.toLowerCase()];
    if (name) headers[name] = v;
  }
  const body = r.body === undefined || r.body === '' ? undefined : r.body;
  return { id: item.id, status: r.status, headers, ...(body === undefined ? {} : { body }) };
}

/** An item's injected 5xx (503 with Retry-After, as outside a batch). */
function itemError(sreq: SandboxRequest, status: number, retryAfterSeconds = 1): SandboxResponse {
  if (status === 503) return graphError(sreq, 503, 'serviceNotAvailable', 'Service unavailable.', { 'retry-after': String(retryAfterSeconds) });
  if (status === 504) return graphError(sreq, 504, 'gatewayTimeout', 'The request timed out.');
  return graphError(sreq, status, 'generalException', 'An unexpected error occurred.');
}

/** Runs one sub-request through the fault knobs (each item is throttled on its own) and the router. */
async function run(outer: SandboxRequest, item: BatchItem): Promise<SandboxResponse> {
  const sreq = subRequest(outer, item);
  if (/^\/v1\.0\/(\$|%24)batch$/i.test(sreq.path)) return graphError(sreq, 400, 'BadRequest', 'Nested batch requests are not supported.');
  const { core } = outer;
  const decision = core.faults.decide('graph', sreq.method, `/graph${sreq.path}`);
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);
  const fault = decision.fault;
  let response: SandboxResponse;
  if (fault?.after) {
    // Applied, then the answer is lost: an error rule gives its status, a drop 504 (one item cannot drop the connection).
    await dispatch(core, sreq);
    response = itemError(sreq, fault.kind === 'drop' ? 504 : (fault.status ?? 503), fault.retryAfterSeconds);
  } else if (fault && (fault.kind === 'throttle' || fault.kind === 'drop')) {
    const retryAfter = String(fault.retryAfterSeconds ?? 1);
    const r = graphError(sreq, 429, 'TooManyRequests', 'Please retry again later.', {
      'retry-after': retryAfter,
      'x-ms-throttle-scope': 'Tenant_Application/ReadWrite/sandbox',
      'x-ms-throttle-information': 'ResourceUnitLimitExceeded',
    });
    response = r;
  } else if (fault && fault.kind === 'error') {
    response = itemError(sreq, fault.status ?? 503, fault.retryAfterSeconds);
  } else {
    response = await dispatch(core, sreq);
  }
  const entry = core.log.add({
    time: new Date().toISOString(),
    area: 'graph',
    method: sreq.method,
    path: `/graph${sreq.path}`,
    query: Object.fromEntries(sreq.query),
    headers: {
      ...(item.headers['content-type'] ? { 'content-type': item.headers['content-type'] } : {}),
      ...(item.headers.consistencylevel ? { consistencylevel: item.headers.consistencylevel } : {}),
      'x-sandbox-batch-id': item.id,
    },
    body: redact(item.body),
  });
  entry.status = response.status;
  if (fault) entry.fault = fault.kind;
  return response;
}

async function batch(req: SandboxRequest): Promise<SandboxResponse> {
  authenticate(req);
  const items = readItems(req);
  const results = new Map<string, Promise<SandboxResponse>>();
  const responses: BatchAnswer[] = [];
  const start = (item: BatchItem): Promise<SandboxResponse> => {
    const key = item.id.toLowerCase();
    const existing = results.get(key);
    if (existing) return existing;
    const p = (async (): Promise<SandboxResponse> => {
      const deps = await Promise.all(item.dependsOn.map((d) => start(items.find((i) => i.id.toLowerCase() === d.toLowerCase()) as BatchItem)));
      const r = deps.some((d) => d.status >= 400)
        ? graphError(req, 424, 'FailedDependency', 'The request could not be processed because a request it depends on failed.')
        : await run(req, item);
      responses.push(answer(item, r));
      return r;
    })();
    results.set(key, p);
    return p;
  };
  await Promise.all(items.map(start));
  return ok(req, 200, { responses });
}

export function registerBatch(r: AreaRouter): void {
  r.post(/^\/v1\.0\/(?:\$|%24)batch$/i, route(batch));
}

export const batchModule: SandboxModule = {
  name: 'graph-batch',
  area: 'graph',
  register: (r) => registerBatch(r),
};
