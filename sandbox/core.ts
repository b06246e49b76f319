// The sandbox core shared by every route module: state, signing key, URLs, router, request log, faults,
// and the token helpers (issue and verify). Graph and ARM modules get it as `req.core`.
import { randomBytes } from 'node:crypto';
import { FaultInjector } from './faults';
import { Rng } from './random';
import { RequestLog } from './requestLog';
import { Router } from './router';
import { IssuedSecrets, processWideSecrets } from './secrets';
import { seed, SeedInfo, SeedSize } from './seed';
import { ARM_APP_ID, GRAPH_APP_ID, SandboxState, ServicePrincipal } from './state';
import { TokenExpiry } from './tokenExpiry';
import { AccessTokenClaims, decodeJwt, signJwt, SigningKey, TokenCheck, uniqueId, verifySignature } from './tokens';

export interface SandboxUrls {
  /** https://127.0.0.1:PORT — the server root. */
  readonly base: string;
  /** Entra authority host (no trailing slash). Issuers are `${login}/${tenantId}/v2.0`. */
  readonly login: string;
  /** Microsoft Graph root, without version: use `${graph}/v1.0`. */
  readonly graph: string;
  /** Azure Resource Manager root. */
  readonly arm: string;
  /** The managed-identity endpoint (IDENTITY_ENDPOINT), plain http on loopback. */
  readonly managedIdentity: string;
  /** Control API root. */
  readonly control: string;
}

export interface CoreOptions {
  readonly seed: number;
  readonly size: SeedSize;
  /** Lifetime of issued access tokens, seconds. Default 3599. */
  readonly tokenLifetimeSeconds: number;
  /** Interval the device-code endpoint tells clients to poll at, seconds. Default 5 (Entra's). */
  readonly deviceCodeIntervalSeconds: number;
  /** Lifetime of device codes, seconds. Default 900. */
  readonly deviceCodeLifetimeSeconds: number;
  /** Azure's eventual consistency (see ConsistencySettings); default: everything applies at once. */
  readonly consistency?: Partial<ConsistencySettings>;
  /** Answer login.microsoftonline.com, graph.microsoft.com and management.azure.com at their roots (router.ts PUBLIC_HOST). */
  readonly publicHosts?: boolean;
}

/**
 * Azure's eventual consistency, as a knob: how long a write takes before the services that read it see it.
 * Entra: a new or changed federated credential answers AADSTS70021 until it has propagated
 * (entra-docs workload-identity-federation-considerations.md: "can take a few minutes").
 */
export interface ConsistencySettings {
  readonly ficPropagationSeconds: number;
  /**
   * How long ARM takes to write a federated credential of a user-assigned identity; another write to the
   * same identity meanwhile answers 409 (Azure serialises them). Default 150 ms.
   */
  readonly identityCredentialWriteMs: number;
  /**
   * How long a new runbook stays invisible to reads and draft uploads (404), as ARM answers right after
   * a runbook PUT (hashicorp/terraform-provider-azurerm #4403, #8264). Default 0.
   */
  readonly runbookPropagationMs: number;
  /**
   * How long a service principal created by consent (or POST /servicePrincipals) is not yet seen by the token
   * endpoint: the app is refused there (AADSTS700016) for a moment after the admin accepted. Default 0.
   */
  readonly servicePrincipalPropagationSeconds: number;
}

export interface IssueTokenParams {
  readonly tenantId: string;
  /** The `aud` claim: the resource identifier as the client asked for it. */
  readonly audience: string;
  /** Client application id (`azp`/`appid`). */
  readonly clientAppId: string;
  readonly azpacr: '0' | '1' | '2';
  /** App-only token: the calling service principal's object id. */
  readonly servicePrincipalId?: string;
  /** Delegated token: the user. */
  readonly userId?: string;
  readonly roles?: readonly string[];
  readonly scp?: readonly string[];
  readonly xmsMirid?: string;
  /** Override the lifetime (negative values make already expired tokens, for tests). */
  readonly lifetimeSeconds?: number;
  /** Override `iss` (tests of issuer checks). */
  readonly issuer?: string;
}

export type ResourceKind = 'graph' | 'arm';

export class SandboxCore {
  state!: SandboxState;
  info!: SeedInfo;
  readonly router = new Router();
  readonly log = new RequestLog();
  readonly faults: FaultInjector;
  /** Secret of the managed-identity endpoint (IDENTITY_HEADER). */
  readonly identityHeader = randomBytes(24).toString('hex');
  /** Guards the control API: send it as `X-Sandbox-Control-Key`. */
  readonly controlKey = randomBytes(24).toString('hex');
  /** Every token, code, assertion, secret and password handed out or accepted (for leak checks). */
  readonly secrets = new IssuedSecrets(undefined, processWideSecrets);
  /** The "tokens expired" knob (POST /_sandbox/tokens/expire) and when each access token was issued. */
  readonly tokenExpiry = new TokenExpiry();
  /** The eventual-consistency knob (`GET`/`POST /_sandbox/consistency`). */
  consistency: ConsistencySettings;
  /** The delays the sandbox started with; `POST /_sandbox/reset` restores them. */
  readonly initialConsistency: ConsistencySettings;
  /** When each object was last written (ms): what has not propagated yet. */
  private readonly written = new WeakMap<object, number>();

  constructor(
    readonly options: CoreOptions,
    readonly key: SigningKey,
    readonly urls: SandboxUrls,
  ) {
    this.faults = new FaultInjector(options.seed);
    this.consistency = {
      ficPropagationSeconds: 0,
      identityCredentialWriteMs: 150,
      runbookPropagationMs: 0,
      servicePrincipalPropagationSeconds: 0,
      ...options.consistency,
    };
    this.initialConsistency = this.consistency;
    this.secrets.record('identityHeader', this.identityHeader);
    this.secrets.record('controlKey', this.controlKey);
    this.reseed(options.seed, options.size);
  }

  /** Rebuilds the state from a seed (tokens already issued stay valid: the key does not change). */
  reseed(seedNumber: number, size: SeedSize): void {
    const state = new SandboxState(new Rng(seedNumber));
    this.info = seed(state, seedNumber, size, { login: this.urls.login, graph: this.urls.graph, arm: this.urls.arm });
    this.state = state;
    this.secrets.record('clientSecret', this.info.confidentialClient.secret);
    for (const user of Object.values(this.info.users)) this.secrets.record('password', user.password);
  }

  /** Notes a write to `object` (a federated credential): it propagates from now on. */
  recordWrite(object: object): void {
    this.written.set(object, Date.now());
  }

  /** True while a write to `object` has not propagated yet: less than `delayMs` since its last write. */
  isPropagating(object: object, delayMs: number): boolean {
    const at = this.written.get(object);
    return at !== undefined && Date.now() - at < delayMs;
  }

  /** `${login}/${tenantId}/v2.0`: the issuer of every token this sandbox signs for that tenant. */
  issuer(tenantId: string): string {
    return `${this.urls.login}/${tenantId}/v2.0`;
  }

  /** The tenant id of an issuer this sandbox owns, or undefined for any other issuer. */
  tenantOfIssuer(iss: string): string | undefined {
    const m = /^(.*)\/([0-9a-fA-F-]{36})\/v2\.0$/.exec(iss);
    if (!m || m[1] !== this.urls.login) return undefined;
    return m[2];
  }

  /**
   * The resource (service principal in `tenantId`) an identifier names: an app id, or one of the identifier
   * URIs (with or without a trailing slash, case-insensitive), including the sandbox's own Graph/ARM URLs.
   */
  findResource(tenantId: string, identifier: string): ServicePrincipal | undefined {
    const want = normaliseResource(identifier);
    for (const sp of this.state.servicePrincipalsOf(tenantId)) {
      if (sp.servicePrincipalType !== 'Application') continue;
      if (normaliseResource(sp.appId) === want || sp.servicePrincipalNames.some((n) => normaliseResource(n) === want)) return sp;
    }
    return undefined;
  }

  /** Signs an access token with Entra v2.0 claims. */
  issueAccessToken(p: IssueTokenParams): { token: string; claims: AccessTokenClaims; expiresIn: number } {
    const now = Math.floor(Date.now() / 1000);
    const lifetime = p.lifetimeSeconds ?? this.options.tokenLifetimeSeconds;
    const user = p.userId ? this.state.users.get(p.userId) : undefined;
    const oid = user ? user.id : (p.servicePrincipalId ?? '');
    const claims: AccessTokenClaims = {
      aud: p.audience,
      iss: p.issuer ?? this.issuer(p.tenantId),
      iat: lifetime > 0 ? now : now + lifetime - 3600,
      nbf: lifetime > 0 ? now : now + lifetime - 3600,
      exp: now + lifetime,
      ...(user ? { name: user.displayName, preferred_username: user.userPrincipalName, upn: user.userPrincipalName } : {}),
      tid: p.tenantId,
      oid,
      // Entra's `sub` is pairwise for users (per app); for apps it is the service principal's object id.
      sub: user ? uniqueSubject(user.id, p.clientAppId) : oid,
      azp: p.clientAppId,
      appid: p.clientAppId,
      azpacr: p.azpacr,
      idtyp: user ? 'user' : 'app',
      ...(p.scp && p.scp.length > 0 ? { scp: p.scp.join(' ') } : {}),
      ...(p.roles && p.roles.length > 0 ? { roles: [...p.roles] } : {}),
      ...(p.xmsMirid ? { xms_mirid: p.xmsMirid } : {}),
      ver: '2.0',
      uti: uniqueId(16),
      rh: `0.${uniqueId(24)}.`,
    };
    const token = signJwt(claims, this.key);
    this.secrets.record(p.xmsMirid ? 'managedIdentityToken' : 'accessToken', token);
    this.tokenExpiry.recordIssued(claims.uti, claims.exp);
    return { token, claims, expiresIn: lifetime };
  }

  /**
   * Verifies a bearer token for Graph or ARM: signature (this sandbox's key), lifetime (5 minutes of skew,
   * like Entra-protected APIs), issuer (this sandbox, the token's own tenant) and audience (an identifier of
   * Microsoft Graph / Azure Service Management).
   */
  verifyAccessToken(authorization: string | undefined, resource: ResourceKind): TokenCheck {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return { ok: false, reason: 'missing' };
    const jwt = decodeJwt(m[1] as string);
    if (!jwt) return { ok: false, reason: 'malformed' };
    const claims = jwt.payload;
    if (!verifySignature(jwt, [this.key])) return { ok: false, reason: 'signature', claims };
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp + 300 < now || this.tokenExpiry.expiredAt(claims.uti) !== undefined) {
      this.tokenExpiry.recordRefused(claims.uti);
      return { ok: false, reason: 'expired', claims };
    }
    if (typeof claims.nbf === 'number' && claims.nbf - 300 > now) return { ok: false, reason: 'notYetValid', claims };
    if (typeof claims.tid !== 'string' || claims.iss !== this.issuer(claims.tid)) return { ok: false, reason: 'issuer', claims };
    const appId = resource === 'graph' ? GRAPH_APP_ID : ARM_APP_ID;
    const sp = this.state.findServicePrincipal(claims.tid, appId);
    const aud = typeof claims.aud === 'string' ? normaliseResource(claims.aud) : '';
    if (!sp || !(normaliseResource(sp.appId) === aud || sp.servicePrincipalNames.some((n) => normaliseResource(n) === aud))) {
      return { ok: false, reason: 'audience', claims };
    }
    return { ok: true, claims: claims as unknown as AccessTokenClaims };
  }
}

export function normaliseResource(identifier: string): string {
  return identifier.replace(/\/+$/, '').toLowerCase();
}

function uniqueSubject(userId: string, appId: string): string {
  // Stable per (user, app), opaque, 43 chars like Entra's pairwise sub.
  return new Rng(`${userId}/${appId}`).token(43);
}
