// The control API under /_sandbox/ for tests in other processes (the VS Code extension host, Python
// runbooks). Every call needs the per-run key: header `X-Sandbox-Control-Key: <controlKey>`.
import { timingSafeEqual } from 'node:crypto';
import { completeDeviceCode } from './entra/token';
import { grantAdminConsent } from './entra/pages';
import type { FaultRule } from './faults';
import { AreaRouter, Handler, json, SandboxRequest, SandboxResponse } from './router';
import type { SeedSize } from './seed';
import { VSCODE_APP_ID } from './state';

function keyOk(req: SandboxRequest): boolean {
  const given = Buffer.from(req.headers['x-sandbox-control-key'] ?? '');
  const want = Buffer.from(req.core.controlKey);
  return given.length === want.length && timingSafeEqual(given, want);
}

function obj(req: SandboxRequest): Record<string, unknown> {
  return req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

const bad = (message: string) => json(400, { error: 'bad_request', message });

/** Wraps a control handler with the key check. Other modules can use it for their own control routes. */
export function guarded(handler: Handler): Handler {
  return (req) => (keyOk(req) ? handler(req) : json(401, { error: 'unauthorized', message: 'Missing or wrong X-Sandbox-Control-Key.' }));
}

export function registerControl(r: AreaRouter, info: () => unknown): void {
  const get = (p: string, h: Handler) => r.get(p, guarded(h));
  const post = (p: string, h: Handler) => r.post(p, guarded(h));

  get('/info', () => json(200, info()));
  get('/state/summary', (req) => json(200, req.core.state.summary()));

  get('/requests', (req) => {
    const since = Number(req.query.get('since') ?? '0');
    if (!Number.isFinite(since) || since < 0) return bad('since must be a non-negative number');
    return json(200, { last: req.core.log.last, requests: req.core.log.list(since) });
  });
  // Every token, code, assertion, secret and password handed out or accepted so far (for leak checks).
  get('/secrets/issued', (req) =>
    json(200, {
      count: req.core.secrets.size,
      overflow: req.core.secrets.overflow,
      counts: req.core.secrets.counts(),
      secrets: req.core.secrets.list(),
    }),
  );

  post('/requests/clear', (req) => {
    req.core.log.clear();
    return json(200, { last: req.core.log.last });
  });

  get('/faults', (req) => json(200, { rules: req.core.faults.list() }));
  post('/faults', (req) => {
    const b = obj(req);
    const rules = b.rules;
    if (!Array.isArray(rules)) return bad('body must be {"rules": FaultRule[], "append"?: boolean}');
    try {
      if (b.append === true) for (const rule of rules as FaultRule[]) req.core.faults.add(rule);
      else req.core.faults.set(rules as FaultRule[]);
    } catch (e) {
      return bad((e as Error).message);
    }
    return json(200, { rules: req.core.faults.list() });
  });
  r.delete(
    '/faults',
    guarded((req) => {
      req.core.faults.clear();
      return json(200, { rules: [] });
    }),
  );

  post('/reset', (req) => {
    // Reset restores the delays the sandbox started with, as it lifts the tokens-expired knob.
    req.core.consistency = req.core.initialConsistency;
    const b = obj(req);
    const seed = typeof b.seed === 'number' ? b.seed : req.core.info.seed;
    const size = (b.size && typeof b.size === 'object' ? b.size : req.core.options.size) as SeedSize;
    req.core.reseed(seed, size);
    req.core.faults.clear();
    req.core.tokenExpiry.clear();
    if (b.clearLog !== false) req.core.log.clear();
    return json(200, info());
  });

  // What a user reads off the client's prompt: the pending user codes (never the device codes).
  get('/device-codes', (req) =>
    json(200, {
      pending: [...req.core.state.deviceCodes.values()]
        .filter((d) => d.status === 'pending' && d.expiresAt > Date.now())
        .map((d) => ({ userCode: d.userCode, clientId: d.clientAppId, tenant: d.tenantSegment, scope: d.scope })),
    }),
  );

  post('/device-codes/complete', (req) => {
    const b = obj(req);
    if (typeof b.userCode !== 'string' || typeof b.username !== 'string' || (typeof b.password !== 'string' && b.decline !== true)) {
      return bad('body must be {"userCode", "username", "password"} (or {"userCode", "username": "", "decline": true})');
    }
    const result = completeDeviceCode(req.core, b.userCode, b.username, typeof b.password === 'string' ? b.password : '', b.decline === true);
    return result.ok ? json(200, { ok: true }) : json(400, { error: 'device_code_failed', message: result.error });
  });

  post('/managed-identity', (req) => {
    const b = obj(req);
    if (typeof b.automationAccountId !== 'string') return bad('body must be {"automationAccountId": "/subscriptions/…/automationAccounts/…"}');
    if (!req.core.state.findAutomationAccount(b.automationAccountId))
      return json(404, { error: 'not_found', message: `No Automation account ${b.automationAccountId}` });
    req.core.state.currentIdentityHost = b.automationAccountId.toLowerCase();
    return json(200, { automationAccountId: b.automationAccountId });
  });

  post('/issuers', (req) => {
    const b = obj(req);
    if (typeof b.issuer !== 'string' || !Array.isArray(b.keys)) return bad('body must be {"issuer": "...", "keys": [JWK (RSA)]}');
    req.core.state.externalIssuerKeys.set(b.issuer, b.keys as never);
    return json(200, { issuer: b.issuer, keys: b.keys.length });
  });

  post('/consent', (req) => {
    const b = obj(req);
    const tenant = typeof b.tenant === 'string' ? req.core.state.findTenant(b.tenant) : undefined;
    const app = typeof b.clientId === 'string' ? req.core.state.findApplicationByAppId(b.clientId) : undefined;
    if (!tenant || !app) return bad('body must be {"tenant": id|domain, "clientId": appId, "scope"?: v2 scopes}');
    grantAdminConsent(req.core, tenant, app, typeof b.scope === 'string' ? b.scope : undefined);
    const sp = req.core.state.findServicePrincipal(tenant.id, app.appId);
    return json(200, { servicePrincipalId: sp?.id });
  });

  post('/tokens', (req) => mintToken(req));
  // Azure's eventual consistency: GET reads the delays, POST { ficPropagationSeconds?, identityCredentialWriteMs?, runbookPropagationMs? } changes them.
  get('/consistency', (req) => json(200, req.core.consistency));
  post('/consistency', (req) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const limits = {
      ficPropagationSeconds: 3600,
      identityCredentialWriteMs: 60_000,
      runbookPropagationMs: 600_000,
      servicePrincipalPropagationSeconds: 3600,
    } as const;
    const next = { ...req.core.consistency };
    for (const [key, max] of Object.entries(limits) as Array<[keyof typeof limits, number]>) {
      const value = body[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max)
        return json(400, { error: `${key} must be a number from 0 to ${max}.` });
      next[key] = value;
    }
    req.core.consistency = next;
    return json(200, next);
  });
}

/**
 * Mints an access token directly (for tests of Graph/ARM authorization paths: expired tokens, tokens with
 * chosen scopes or roles). Body: {tenant, resource, username? | servicePrincipalId?, clientId?, scopes?,
 * roles?, lifetimeSeconds?}. Without roles/scopes, app tokens get the SP's real role assignments.
 */
function mintToken(req: SandboxRequest): SandboxResponse {
  const core = req.core;
  const b = obj(req);
  const tenant = typeof b.tenant === 'string' ? core.state.findTenant(b.tenant) : undefined;
  if (!tenant || typeof b.resource !== 'string') return bad('body must include "tenant" and "resource"');
  const user = typeof b.username === 'string' ? core.state.findUserByUpn(b.username) : undefined;
  if (typeof b.username === 'string' && !user) return bad(`no user ${b.username}`);
  const sp = typeof b.servicePrincipalId === 'string' ? core.state.servicePrincipals.get(b.servicePrincipalId) : undefined;
  if (!user && !sp) return bad('give "username" or "servicePrincipalId"');
  const resource = core.findResource(tenant.id, b.resource);
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  const roles = strings(b.roles) ?? (sp && resource ? core.state.roleValues(sp.id, resource) : undefined);
  const { token, claims } = core.issueAccessToken({
    tenantId: tenant.id,
    audience: b.resource,
    clientAppId: typeof b.clientId === 'string' ? b.clientId : (sp?.appId ?? VSCODE_APP_ID),
    azpacr: user ? '0' : '1',
    userId: user?.id,
    servicePrincipalId: sp?.id,
    scp: strings(b.scopes),
    roles: user ? undefined : roles,
    lifetimeSeconds: typeof b.lifetimeSeconds === 'number' ? b.lifetimeSeconds : undefined,
  });
  return json(200, { access_token: token, claims });
}
