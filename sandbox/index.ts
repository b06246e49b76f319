// Entry point: start and stop the sandbox in-process.
//   const sandbox = await startSandbox({ seed: 1 });  …  await sandbox.stop();
// See README.md in this folder.
import { armModules, setJobSettings, stopAllJobs, type JobSettings } from './arm';
import { guarded, registerControl } from './control';
import { SandboxCore, SandboxUrls, type ConsistencySettings } from './core';
import { completeDeviceCode } from './entra/token';
import { registerPages } from './entra/pages';
import { registerTokenService } from './entra/token';
import { FaultRule } from './faults';
import { graphModules } from './graph';
import { MANAGED_IDENTITY_PATH, registerManagedIdentity } from './managedIdentity';
import type { SandboxModule } from './module';
import type { LoggedRequest } from './requestLog';
import { AREA_PREFIX } from './router';
import type { SeedInfo, SeedSize, SeededUser } from './seed';
import { TOKEN_EXCHANGE_AUDIENCE } from './state';
import { listen } from './server';
import { createTlsMaterial } from './tls';
import { registerTokenExpiryControl } from './tokenExpiry';
import { createSigningKey } from './tokens';
import { collectFromEverySandbox, IssuedSecrets, stopCollectingFromEverySandbox, type IssuedSecret, type SecretKind } from './secrets';

export type { FaultRule, IssuedSecret, LoggedRequest, SandboxModule, SecretKind, SeedInfo, SeedSize, SeededUser };
export { SandboxCore, guarded, collectFromEverySandbox, stopCollectingFromEverySandbox, IssuedSecrets };

export interface SandboxOptions {
  /** Seed of all generated data. Default 1. */
  readonly seed?: number;
  /** Tenant size (number of app registrations, credentials, identities). */
  readonly size?: SeedSize;
  /** HTTPS port (login, Graph, ARM, control). Default 0: any free port. */
  readonly port?: number;
  /** Managed-identity endpoint port (plain http). Default 0. */
  readonly managedIdentityPort?: number;
  /** Folder holding a CA to reuse (ca.pem + ca-key.pem), created when absent. Default: a fresh CA in a temp folder. */
  readonly caDir?: string;
  /** Access-token lifetime, seconds. Default 3599. */
  readonly tokenLifetimeSeconds?: number;
  /** Device-code polling interval the sandbox asks for, seconds. Default 5 (Entra's); tests use 1. */
  readonly deviceCodeIntervalSeconds?: number;
  /** Extra route modules (after the built-in Entra, Graph and ARM ones). */
  readonly modules?: readonly SandboxModule[];
  /** Initial fault rules. */
  readonly faults?: readonly FaultRule[];
  /** Azure's eventual consistency (delays); default none. `npm start` turns on short, realistic ones. */
  readonly consistency?: Partial<ConsistencySettings>;
  /**
   * Also answer as login.microsoftonline.com, graph.microsoft.com and management.azure.com (their names in the
   * certificate, those hosts served at their roots), for a client that resolves them to the sandbox in a
   * network namespace of its own (the Azure CLI test). Off by default, and refused with `caDir`: a CA that
   * outlives the run must not vouch for Microsoft's names.
   */
  readonly publicHosts?: boolean;
  /** How Automation jobs run (arm/jobs.ts): the python/pwsh executables, the time limit. */
  readonly jobs?: Partial<Omit<JobSettings, 'caPath'>>;
}

/** What `npm run sandbox` prints and `GET /_sandbox/info` returns. */
export interface SandboxInfo {
  readonly loginUrl: string;
  readonly graphUrl: string;
  readonly armUrl: string;
  /** IDENTITY_ENDPOINT for runbooks. */
  readonly managedIdentityEndpoint: string;
  /** IDENTITY_HEADER for runbooks. */
  readonly identityHeader: string;
  readonly controlUrl: string;
  readonly controlKey: string;
  /** PEM file of the CA to trust (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, REQUESTS_CA_BUNDLE). */
  readonly caPath: string;
  readonly tokenExchangeAudience: string;
  /** Ready for the extension's `federatedCredentials.customCloud` setting. */
  readonly customCloud: { readonly loginUrl: string; readonly graphUrl: string; readonly armUrl: string; readonly tokenExchangeAudience: string };
  readonly seed: number;
  readonly homeTenant: SeedInfo['homeTenant'] & { readonly issuer: string };
  readonly customerTenant: SeedInfo['customerTenant'] & { readonly issuer: string };
  readonly admins: {
    readonly home: { readonly username: string; readonly password: string };
    readonly customer: { readonly username: string; readonly password: string };
  };
  readonly users: readonly SeededUser[];
  readonly confidentialClient: { readonly clientId: string; readonly clientSecret: string; readonly tenantId: string; readonly servicePrincipalId: string };
  readonly multiTenantApp: SeedInfo['multiTenantApp'];
  readonly publicClientId: string;
  readonly subscriptions: { readonly home: string; readonly customer: string };
  readonly automationAccount: SeedInfo['automationAccount'];
  readonly spareIdentity: SeedInfo['spareIdentity'];
  /** What the sandbox sign-in provider extension reads (sandbox-sign-in). */
  readonly signIn: {
    readonly loginUrl: string;
    readonly homeTenantId: string;
    readonly clientId: string;
    readonly username: string;
    readonly password: string;
  };
}

export interface Sandbox {
  readonly urls: SandboxUrls;
  readonly info: SandboxInfo;
  readonly caPath: string;
  readonly caCertPem: string;
  /** The live core: state, log, faults, router, token helpers. */
  readonly core: SandboxCore;
  /** Requests served (seq > since). */
  requests(since?: number): LoggedRequest[];
  clearRequests(): void;
  setFaults(rules: readonly FaultRule[]): void;
  /** Re-seeds (same key and URLs; refresh tokens and device codes are dropped). */
  reset(seed?: number, size?: SeedSize): void;
  /** Completes a pending device-code sign-in as the verification page would. */
  completeDeviceCode(userCode: string, username: string, password: string): void;
  /**
   * Graph and ARM answer every access token issued before now (plus `forSeconds`) as expired, as if its
   * lifetime had ended (POST /_sandbox/tokens/expire; tokenExpiry.ts). `expireTokens(null)` lifts it.
   */
  expireTokens(options?: { forSeconds?: number } | null): void;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  if (options.publicHosts && options.caDir) throw new Error('publicHosts needs a fresh CA of its own: it cannot be combined with caDir.');
  const [tls, key] = await Promise.all([createTlsMaterial(options.caDir, options.publicHosts === true), createSigningKey()]);
  let core: SandboxCore | undefined;
  const listeners = await listen({ cert: tls.serverCertPem, key: tls.serverKeyPem }, { https: options.port, mi: options.managedIdentityPort }, () => {
    if (!core) throw new Error('sandbox not ready');
    return core;
  });
  const base = `https://127.0.0.1:${listeners.httpsPort}`;
  const urls: SandboxUrls = {
    base,
    login: base,
    graph: `${base}${AREA_PREFIX.graph}`,
    arm: `${base}${AREA_PREFIX.arm}`,
    managedIdentity: `http://127.0.0.1:${listeners.miPort}${MANAGED_IDENTITY_PATH}`,
    control: `${base}${AREA_PREFIX.control}`,
  };
  const size = options.size ?? {};
  try {
    core = new SandboxCore(
      {
        seed: options.seed ?? 1,
        size,
        tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
        deviceCodeIntervalSeconds: options.deviceCodeIntervalSeconds ?? 5,
        deviceCodeLifetimeSeconds: 900,
        ...(options.consistency ? { consistency: options.consistency } : {}),
        ...(options.publicHosts ? { publicHosts: true } : {}),
      },
      key,
      urls,
    );
  } catch (e) {
    await listeners.close();
    tls.dispose();
    throw e;
  }
  const c = core;
  const info = (): SandboxInfo => buildInfo(c, tls.caPath);

  registerTokenService(c.router.for('login'));
  registerPages(c.router.for('login'));
  registerManagedIdentity(c.router.for('mi'));
  registerControl(c.router.for('control'), info);
  registerTokenExpiryControl(c.router.for('control'));
  for (const m of [...graphModules, ...armModules, ...(options.modules ?? [])]) m.register(c.router.for(m.area), c);
  if (options.faults) c.faults.set(options.faults);
  setJobSettings(c, { ...options.jobs, caPath: tls.caPath });

  let stopped = false;
  return {
    urls,
    get info() {
      return info();
    },
    caPath: tls.caPath,
    caCertPem: tls.caCertPem,
    core: c,
    requests: (since) => c.log.list(since),
    clearRequests: () => c.log.clear(),
    setFaults: (rules) => c.faults.set(rules),
    reset: (seed, newSize) => {
      void stopAllJobs(c);
      c.reseed(seed ?? c.info.seed, newSize ?? c.options.size);
    },
    completeDeviceCode: (userCode, username, password) => {
      const r = completeDeviceCode(c, userCode, username, password);
      if (!r.ok) throw new Error(r.error);
    },
    expireTokens: (options = {}) => {
      if (options === null) c.tokenExpiry.clear();
      else c.tokenExpiry.expire((options.forSeconds ?? 0) * 1000);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await stopAllJobs(c);
      await listeners.close();
      tls.dispose();
    },
  };
}

function buildInfo(core: SandboxCore, caPath: string): SandboxInfo {
  const s = core.info;
  const u = core.urls;
  const all = Object.values(s.users);
  return {
    loginUrl: u.login,
    graphUrl: u.graph,
    armUrl: u.arm,
    managedIdentityEndpoint: u.managedIdentity,
    identityHeader: core.identityHeader,
    controlUrl: u.control,
    controlKey: core.controlKey,
    caPath,
    tokenExchangeAudience: TOKEN_EXCHANGE_AUDIENCE,
    customCloud: { loginUrl: u.login, graphUrl: u.graph, armUrl: u.arm, tokenExchangeAudience: TOKEN_EXCHANGE_AUDIENCE },
    seed: s.seed,
    homeTenant: { ...s.homeTenant, issuer: core.issuer(s.homeTenant.id) },
    customerTenant: { ...s.customerTenant, issuer: core.issuer(s.customerTenant.id) },
    admins: {
      home: { username: s.users.homeAdmin.username, password: s.users.homeAdmin.password },
      customer: { username: s.users.customerAdmin.username, password: s.users.customerAdmin.password },
    },
    users: all,
    confidentialClient: {
      clientId: s.confidentialClient.appId,
      clientSecret: s.confidentialClient.secret,
      tenantId: s.confidentialClient.tenantId,
      servicePrincipalId: s.confidentialClient.servicePrincipalId,
    },
    multiTenantApp: s.multiTenantApp,
    publicClientId: s.publicClientId,
    subscriptions: { home: s.homeSubscriptionId, customer: s.customerSubscriptionId },
    automationAccount: s.automationAccount,
    spareIdentity: s.spareIdentity,
    signIn: {
      loginUrl: u.login,
      homeTenantId: s.homeTenant.id,
      clientId: s.publicClientId,
      username: s.users.homeAdmin.username,
      password: s.users.homeAdmin.password,
    },
  };
}
