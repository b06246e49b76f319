// The sandbox's one in-memory world: tenants and their directory (users, applications, service principals,
// app-role assignments, delegated grants) as Microsoft Graph v1.0 shapes them, and the ARM side
// (subscriptions, resource groups, user-assigned identities, Automation accounts with runbooks and modules).
// Routes read and change it ONLY through SandboxState's methods, so the lookup indexes stay right.
// Shapes: Graph v1.0 resources (application, servicePrincipal, federatedIdentityCredential, appRoleAssignment,
// oAuth2PermissionGrant, user); ARM: Microsoft.Automation 2024-10-23 and Microsoft.ManagedIdentity 2024-11-30 specs.
import { createHash, randomBytes } from 'node:crypto';
import { Rng } from './random';

// ---- Directory (Entra / Graph) --------------------------------------------------------------------------

export interface Tenant {
  readonly id: string;
  readonly displayName: string;
  /** The initial `*.onmicrosoft.com` domain. */
  readonly defaultDomain: string;
  /** All verified domains (the default one included); the token service accepts any of them as the tenant. */
  readonly verifiedDomains: string[];
  readonly kind: 'home' | 'customer' | 'firstParty';
  readonly createdDateTime: string;
}

/** Built-in directory roles the sandbox knows (real role template ids). */
export const DIRECTORY_ROLES = {
  'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
  'Privileged Role Administrator': 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  'Application Administrator': '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
  'Cloud Application Administrator': '158c047a-c907-4556-b7ef-446551a6b5f7',
  'Application Developer': 'cf1c38e5-3621-4004-a7cb-879624dced7c',
} as const;
export type DirectoryRoleName = keyof typeof DIRECTORY_ROLES;

export interface User {
  readonly id: string;
  readonly tenantId: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  /** salted SHA-256 of the password; the clear text is never stored. */
  passwordHash: string;
  passwordSalt: string;
  directoryRoles: DirectoryRoleName[];
  createdDateTime: string;
}

export interface PasswordCredential {
  readonly keyId: string;
  displayName: string | null;
  /** First three characters of the secret, as Graph returns it. */
  readonly hint: string;
  /** SHA-256 (hex) of the secret text; `secretText` is returned once at creation and never stored. */
  readonly secretHash: string;
  readonly startDateTime: string;
  readonly endDateTime: string;
  readonly customKeyIdentifier: string | null;
}

export interface KeyCredential {
  readonly keyId: string;
  readonly type: string;
  readonly usage: string;
  readonly displayName: string | null;
  readonly startDateTime: string;
  readonly endDateTime: string;
  readonly customKeyIdentifier: string | null;
}

export interface FederatedIdentityCredential {
  readonly id: string;
  /** Immutable after creation (Graph rule). */
  readonly name: string;
  issuer: string;
  /** null for a flexible credential (beta), which matches claims with an expression instead. */
  subject: string | null;
  audiences: string[];
  description: string | null;
  /** Flexible credentials only (Graph beta, preview). */
  claimsMatchingExpression?: { value: string; languageVersion: number } | null;
}

export interface ResourceAccess {
  readonly id: string;
  readonly type: 'Role' | 'Scope';
}

export interface RequiredResourceAccess {
  readonly resourceAppId: string;
  resourceAccess: ResourceAccess[];
}

export interface AppRole {
  readonly id: string;
  readonly value: string;
  readonly displayName: string;
  readonly description: string;
  readonly allowedMemberTypes: ('Application' | 'User')[];
  readonly isEnabled: boolean;
  readonly origin: 'Application';
}

export interface PermissionScope {
  readonly id: string;
  readonly value: string;
  readonly type: 'Admin' | 'User';
  readonly adminConsentDisplayName: string;
  readonly adminConsentDescription: string;
  readonly userConsentDisplayName: string | null;
  readonly userConsentDescription: string | null;
  readonly isEnabled: boolean;
}

export type SignInAudience = 'AzureADMyOrg' | 'AzureADMultipleOrgs' | 'AzureADandPersonalMicrosoftAccount' | 'PersonalMicrosoftAccount';

export interface Application {
  /** Object id. */
  readonly id: string;
  /** Application (client) id. */
  readonly appId: string;
  /** The tenant the app is registered in (its home tenant). */
  readonly tenantId: string;
  displayName: string;
  description: string | null;
  signInAudience: SignInAudience;
  identifierUris: string[];
  requiredResourceAccess: RequiredResourceAccess[];
  /** Object ids of owners (users or service principals). */
  owners: string[];
  federatedIdentityCredentials: FederatedIdentityCredential[];
  passwordCredentials: PasswordCredential[];
  /** Certificates (public keys): what Graph keeps of them, without the key itself. */
  keyCredentials: KeyCredential[];
  appRoles: AppRole[];
  api: { oauth2PermissionScopes: PermissionScope[]; requestedAccessTokenVersion: number | null };
  web: {
    redirectUris: string[];
    homePageUrl?: string | null;
    logoutUrl?: string | null;
    implicitGrantSettings?: { enableAccessTokenIssuance: boolean; enableIdTokenIssuance: boolean };
  };
  /** Optional claims as Graph stores them (idToken, accessToken, saml2Token lists); null when none. */
  optionalClaims?: Record<string, unknown> | null;
  spa: { redirectUris: string[] };
  publicClient: { redirectUris: string[] };
  isFallbackPublicClient: boolean;
  tags: string[];
  publisherDomain: string;
  uniqueName: string | null;
  readonly createdDateTime: string;
}

export type ServicePrincipalType = 'Application' | 'ManagedIdentity' | 'Legacy' | 'SocialIdp';

export interface ServicePrincipal {
  readonly id: string;
  readonly appId: string;
  /** The tenant this service principal lives in. */
  readonly tenantId: string;
  displayName: string;
  servicePrincipalType: ServicePrincipalType;
  /** Tenant id of the app's home tenant (Microsoft's tenant for first-party apps). */
  appOwnerOrganizationId: string | null;
  /** Managed identities: ['isExplicit=True', armId] (user-assigned) or ['isExplicit=False', hostArmId] (system-assigned). */
  alternativeNames: string[];
  servicePrincipalNames: string[];
  appRoles: AppRole[];
  oauth2PermissionScopes: PermissionScope[];
  accountEnabled: boolean;
  appRoleAssignmentRequired: boolean;
  tags: string[];
  owners: string[];
  /** Application object id when the app is registered in this same tenant. */
  applicationObjectId: string | null;
  readonly createdDateTime: string;
}

export interface AppRoleAssignment {
  readonly id: string;
  readonly tenantId: string;
  readonly principalId: string;
  readonly principalType: 'ServicePrincipal' | 'User' | 'Group';
  readonly principalDisplayName: string;
  readonly resourceId: string;
  readonly resourceDisplayName: string;
  readonly appRoleId: string;
  readonly createdDateTime: string;
}

export interface OAuth2PermissionGrant {
  readonly id: string;
  readonly tenantId: string;
  /** Object id of the client service principal. */
  readonly clientId: string;
  readonly consentType: 'AllPrincipals' | 'Principal';
  readonly principalId: string | null;
  /** Object id of the resource service principal. */
  readonly resourceId: string;
  /** Space-separated scope values. */
  scope: string;
}

// ---- Azure Resource Manager ------------------------------------------------------------------------------

export interface Subscription {
  readonly subscriptionId: string;
  readonly tenantId: string;
  displayName: string;
  state: 'Enabled' | 'Disabled' | 'Warned' | 'PastDue' | 'Deleted';
}

export interface ResourceGroup {
  readonly subscriptionId: string;
  readonly name: string;
  location: string;
  tags: Record<string, string>;
}

export interface UserAssignedIdentity {
  /** ARM id, e.g. /subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/name */
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  location: string;
  tags: Record<string, string>;
  readonly tenantId: string;
  /** Object id of the identity's service principal (the FIC subject). */
  readonly principalId: string;
  /** App id of the identity's service principal (what `client_id=` takes). */
  readonly clientId: string;
}

export type IdentityType = 'None' | 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned, UserAssigned';

export interface AutomationIdentity {
  type: IdentityType;
  /** Object id of the system-assigned identity's service principal. */
  principalId?: string;
  /** App id of that service principal (not in ARM's payload; the MI endpoint needs it for `client_id`). */
  systemClientId?: string;
  tenantId?: string;
  /** Keyed by the user-assigned identity's ARM id (as the caller spelled it). */
  userAssignedIdentities: Record<string, { principalId: string; clientId: string }>;
}

export type RunbookType = string; // PowerShell, PowerShell72, Python3, Script, … (modelAsString in the specs)

export interface Runbook {
  readonly name: string;
  location: string;
  tags: Record<string, string>;
  runbookType: RunbookType;
  /** 2024-10-23 runtime environments (e.g. PowerShell-7.2, Python-3.10). */
  runtimeEnvironment?: string;
  /** 2022-06-30-preview `runtime` (e.g. PowerShell-7.2). */
  runtime?: string;
  state: 'New' | 'Edit' | 'Published';
  description: string;
  logVerbose: boolean;
  logProgress: boolean;
  logActivityTrace: number;
  draftContent: string | null;
  publishedContent: string | null;
  creationTime: string;
  lastModifiedTime: string;
  etag: string;
}

export interface AutomationModule {
  readonly name: string;
  /** `7.2` for PowerShell 7.2 modules (the powerShell72Modules collection), `5.1` otherwise. */
  readonly runtimeVersion: '5.1' | '7.2';
  version: string | null;
  provisioningState:
    | 'Created'
    | 'Creating'
    | 'StartingImportModuleRunbook'
    | 'RunningImportModuleRunbook'
    | 'ContentRetrieved'
    | 'ContentDownloaded'
    | 'ContentValidated'
    | 'ConnectionTypeImported'
    | 'ContentStored'
    | 'ModuleDataStored'
    | 'ActivitiesStored'
    | 'ModuleImportRunbookComplete'
    | 'Succeeded'
    | 'Failed'
    | 'Cancelled'
    | 'Updating';
  contentLink: { uri: string; version?: string } | null;
  isGlobal: boolean;
  sizeInBytes: number;
  activityCount: number;
  error: { code: string; message: string } | null;
  creationTime: string;
  lastModifiedTime: string;
}

export interface RuntimeEnvironment {
  readonly name: string;
  readonly language: 'PowerShell' | 'Python';
  readonly version: string;
  defaultPackages: Record<string, string>;
  description: string;
  readonly isSystem: boolean;
}

export interface AutomationAccount {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  location: string;
  tags: Record<string, string>;
  sku: { name: 'Free' | 'Basic' };
  identity: AutomationIdentity;
  readonly creationTime: string;
  lastModifiedTime: string;
  runbooks: Map<string, Runbook>;
  /** Keyed by `${runtimeVersion}/${lower-cased name}`. */
  modules: Map<string, AutomationModule>;
  runtimeEnvironments: Map<string, RuntimeEnvironment>;
}

/** Azure RBAC, coarse: who holds which built-in role at which scope (ARM routes decide what it allows). */
export interface ArmRoleAssignment {
  readonly id: string;
  readonly principalId: string;
  readonly scope: string;
  readonly roleDefinitionName: 'Owner' | 'Contributor' | 'Reader' | 'Automation Contributor' | 'Managed Identity Operator' | 'Managed Identity Contributor';
}

/** A long-running ARM operation (Azure-AsyncOperation / Location polling). */
export interface ArmOperation {
  readonly id: string;
  status: 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  /** Polls left before it completes (ARM routes decide). */
  pollsRemaining: number;
  readonly startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
  /** Applied once when the operation completes. */
  onComplete?: () => void;
}

// ---- Token-service sessions ------------------------------------------------------------------------------

export interface RefreshTokenRecord {
  readonly userId: string;
  readonly tenantId: string;
  readonly clientAppId: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  revoked: boolean;
}

export interface DeviceCodeRecord {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly clientAppId: string;
  /** Tenant segment as the client addressed it (id, domain, organizations, common). */
  readonly tenantSegment: string;
  readonly scope: string;
  readonly expiresAt: number;
  status: 'pending' | 'approved' | 'declined' | 'redeemed';
  userId?: string;
}

// ---- The state ---------------------------------------------------------------------------------------------

export const MICROSOFT_TENANT_ID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const ARM_APP_ID = '797f4846-ba00-4fd7-ba43-dac1f8f63013';
export const VSCODE_APP_ID = 'aebc6443-996d-45c2-90f0-388ff96faa56';
export const AZURE_CLI_APP_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
export const TOKEN_EXCHANGE_APP_ID = 'fb60f99c-7a34-4190-8149-302f77469936';
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function hashPassword(password: string, salt: string): string {
  return createHash('sha256').update(`${salt}:${password}`, 'utf8').digest('hex');
}

const lower = (s: string) => s.toLowerCase();

export class SandboxState {
  readonly tenants = new Map<string, Tenant>();
  readonly users = new Map<string, User>();
  readonly applications = new Map<string, Application>();
  readonly servicePrincipals = new Map<string, ServicePrincipal>();
  readonly appRoleAssignments = new Map<string, AppRoleAssignment>();
  readonly oauth2PermissionGrants = new Map<string, OAuth2PermissionGrant>();

  readonly subscriptions = new Map<string, Subscription>();
  /** Keyed by lower-cased `/subscriptions/{sub}/resourceGroups/{name}`. */
  readonly resourceGroups = new Map<string, ResourceGroup>();
  /** Keyed by lower-cased ARM id. */
  readonly userAssignedIdentities = new Map<string, UserAssignedIdentity>();
  /** Keyed by lower-cased ARM id. */
  readonly automationAccounts = new Map<string, AutomationAccount>();
  readonly armRoleAssignments = new Map<string, ArmRoleAssignment>();
  readonly armOperations = new Map<string, ArmOperation>();

  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly deviceCodes = new Map<string, DeviceCodeRecord>();
  /** Keys of external OIDC issuers whose tokens may be presented as client assertions (issuer → JWKS keys). */
  readonly externalIssuerKeys = new Map<string, { kty: 'RSA'; use: 'sig'; kid: string; x5t: string; n: string; e: string }[]>();

  /** The Automation account whose identities the managed-identity endpoint serves (lower-cased ARM id). */
  currentIdentityHost: string | undefined;

  private readonly domainIndex = new Map<string, string>();
  private readonly appByAppId = new Map<string, string>();
  private readonly spByTenantAppId = new Map<string, string>();
  private readonly userByUpn = new Map<string, string>();
  /** Bumped when an application is added or removed: lets routes keep derived orderings of the apps. */
  applicationsVersion = 0;
  /** App object ids by the lower-cased subject of their federated credentials (Graph's subject filter, without a scan). */
  private readonly appsBySubject = new Map<string, Set<string>>();

  constructor(readonly rng: Rng) {}

  /** A new GUID from the state's deterministic generator. */
  newId(): string {
    return this.rng.guid();
  }

  now(): string {
    return new Date().toISOString();
  }

  // -- tenants

  addTenant(t: Tenant): Tenant {
    this.tenants.set(t.id, t);
    for (const d of t.verifiedDomains) this.domainIndex.set(lower(d), t.id);
    return t;
  }

  /** By id (any case) or by any verified domain (any case). `organizations`/`common` are not tenants. */
  findTenant(idOrDomain: string): Tenant | undefined {
    const key = lower(idOrDomain);
    return this.tenants.get(key) ?? this.tenants.get(this.domainIndex.get(key) ?? '');
  }

  // -- users

  addUser(u: User): User {
    this.users.set(u.id, u);
    this.userByUpn.set(lower(u.userPrincipalName), u.id);
    return u;
  }

  findUserByUpn(upn: string): User | undefined {
    return this.users.get(this.userByUpn.get(lower(upn)) ?? '');
  }

  setUserPrincipalName(user: User, upn: string): void {
    this.userByUpn.delete(lower(user.userPrincipalName));
    user.userPrincipalName = upn;
    this.userByUpn.set(lower(upn), user.id);
  }

  removeUser(id: string): void {
    const u = this.users.get(id);
    if (!u) return;
    this.users.delete(id);
    this.userByUpn.delete(lower(u.userPrincipalName));
  }

  checkPassword(user: User, password: string): boolean {
    return hashPassword(password, user.passwordSalt) === user.passwordHash;
  }

  setPassword(user: User, password: string): void {
    user.passwordSalt = randomBytes(8).toString('hex');
    user.passwordHash = hashPassword(password, user.passwordSalt);
  }

  isAdmin(user: User, roles: readonly DirectoryRoleName[] = ['Global Administrator', 'Privileged Role Administrator']): boolean {
    return user.directoryRoles.some((r) => roles.includes(r));
  }

  usersOf(tenantId: string): User[] {
    return [...this.users.values()].filter((u) => u.tenantId === tenantId);
  }

  // -- applications

  addApplication(app: Application): Application {
    this.applications.set(app.id, app);
    this.appByAppId.set(lower(app.appId), app.id);
    this.applicationsVersion++;
    for (const f of app.federatedIdentityCredentials) this.indexSubject(app, f.subject);
    return app;
  }

  removeApplication(id: string): Application | undefined {
    const app = this.applications.get(id);
    if (!app) return undefined;
    this.applications.delete(id);
    this.appByAppId.delete(lower(app.appId));
    this.applicationsVersion++;
    for (const f of app.federatedIdentityCredentials) this.unindexSubject(app, f.subject);
    return app;
  }

  // -- federated identity credentials of applications (the subject index stays right through these)

  addFederatedCredential(app: Application, fic: FederatedIdentityCredential): void {
    app.federatedIdentityCredentials.push(fic);
    this.indexSubject(app, fic.subject);
  }

  removeFederatedCredential(app: Application, fic: FederatedIdentityCredential): void {
    const at = app.federatedIdentityCredentials.indexOf(fic);
    if (at < 0) return;
    app.federatedIdentityCredentials.splice(at, 1);
    this.unindexSubject(app, fic.subject);
  }

  setFederatedCredentialSubject(app: Application, fic: FederatedIdentityCredential, subject: string | null): void {
    const before = fic.subject;
    fic.subject = subject;
    this.unindexSubject(app, before);
    this.indexSubject(app, subject);
  }

  /** The apps with a federated credential whose subject is `subject` (any case), from the index: no scan of the apps. */
  applicationsWithCredentialSubject(subject: string): Application[] {
    const key = lower(subject);
    const out: Application[] = [];
    for (const id of this.appsBySubject.get(key) ?? []) {
      const app = this.applications.get(id);
      if (app?.federatedIdentityCredentials.some((f) => f.subject !== null && lower(f.subject) === key)) out.push(app);
    }
    return out;
  }

  private indexSubject(app: Application, subject: string | null): void {
    if (subject === null) return;
    const key = lower(subject);
    const ids = this.appsBySubject.get(key) ?? new Set<string>();
    ids.add(app.id);
    this.appsBySubject.set(key, ids);
  }

  /** Drops the app from the subject's entry unless another of its credentials still names it. */
  private unindexSubject(app: Application, subject: string | null): void {
    if (subject === null) return;
    const key = lower(subject);
    if (this.applications.get(app.id) === app && app.federatedIdentityCredentials.some((f) => f.subject !== null && lower(f.subject) === key)) return;
    const ids = this.appsBySubject.get(key);
    ids?.delete(app.id);
    if (ids?.size === 0) this.appsBySubject.delete(key);
  }

  /** App registrations are global by appId (Entra's application ids are unique across tenants). */
  findApplicationByAppId(appId: string): Application | undefined {
    return this.applications.get(this.appByAppId.get(lower(appId)) ?? '');
  }

  applicationsOf(tenantId: string): Application[] {
    const out: Application[] = [];
    for (const a of this.applications.values()) if (a.tenantId === tenantId) out.push(a);
    return out;
  }

  // -- service principals

  addServicePrincipal(sp: ServicePrincipal): ServicePrincipal {
    this.servicePrincipals.set(sp.id, sp);
    this.spByTenantAppId.set(`${sp.tenantId}/${lower(sp.appId)}`, sp.id);
    return sp;
  }

  /** Removes the SP and what hangs off it (its app-role assignments both ways, its grants). */
  removeServicePrincipal(id: string): ServicePrincipal | undefined {
    const sp = this.servicePrincipals.get(id);
    if (!sp) return undefined;
    this.servicePrincipals.delete(id);
    this.spByTenantAppId.delete(`${sp.tenantId}/${lower(sp.appId)}`);
    for (const [k, a] of this.appRoleAssignments) if (a.principalId === id || a.resourceId === id) this.appRoleAssignments.delete(k);
    for (const [k, g] of this.oauth2PermissionGrants) if (g.clientId === id || g.resourceId === id) this.oauth2PermissionGrants.delete(k);
    return sp;
  }

  findServicePrincipal(tenantId: string, appId: string): ServicePrincipal | undefined {
    return this.servicePrincipals.get(this.spByTenantAppId.get(`${tenantId}/${lower(appId)}`) ?? '');
  }

  servicePrincipalsOf(tenantId: string): ServicePrincipal[] {
    const out: ServicePrincipal[] = [];
    for (const sp of this.servicePrincipals.values()) if (sp.tenantId === tenantId) out.push(sp);
    return out;
  }

  /** Creates the service principal of `app` in `tenantId` (what consent or "Enterprise app" creation does). */
  ensureServicePrincipal(tenantId: string, app: Application): ServicePrincipal {
    const existing = this.findServicePrincipal(tenantId, app.appId);
    if (existing) return existing;
    return this.addServicePrincipal({
      id: this.newId(),
      appId: app.appId,
      tenantId,
      displayName: app.displayName,
      servicePrincipalType: 'Application',
      appOwnerOrganizationId: app.tenantId,
      alternativeNames: [],
      servicePrincipalNames: [app.appId, ...app.identifierUris],
      appRoles: app.appRoles.map((r) => ({ ...r })),
      oauth2PermissionScopes: app.api.oauth2PermissionScopes.map((s) => ({ ...s })),
      accountEnabled: true,
      appRoleAssignmentRequired: false,
      tags: ['WindowsAzureActiveDirectoryIntegratedApp'],
      owners: [],
      applicationObjectId: app.tenantId === tenantId ? app.id : null,
      createdDateTime: this.now(),
    });
  }

  // -- app roles and grants

  addAppRoleAssignment(tenantId: string, principal: ServicePrincipal | User, resource: ServicePrincipal, appRoleId: string): AppRoleAssignment {
    for (const a of this.appRoleAssignments.values()) {
      if (a.principalId === principal.id && a.resourceId === resource.id && a.appRoleId === appRoleId) return a;
    }
    const a: AppRoleAssignment = {
      id: this.rng.token(43), // Graph's assignment ids are base64url strings, not GUIDs
      tenantId,
      principalId: principal.id,
      principalType: 'servicePrincipalType' in principal ? 'ServicePrincipal' : 'User',
      principalDisplayName: principal.displayName,
      resourceId: resource.id,
      resourceDisplayName: resource.displayName,
      appRoleId,
      createdDateTime: this.now(),
    };
    this.appRoleAssignments.set(a.id, a);
    return a;
  }

  /** Values of the app roles `principalId` holds on `resourceId` (what goes in an app token's `roles`). */
  roleValues(principalId: string, resource: ServicePrincipal): string[] {
    const values = new Set<string>();
    for (const a of this.appRoleAssignments.values()) {
      if (a.principalId !== principalId || a.resourceId !== resource.id) continue;
      const role = resource.appRoles.find((r) => r.id === a.appRoleId && r.isEnabled);
      if (role) values.add(role.value);
    }
    return [...values].sort();
  }

  /** Sets (replaces) the tenant-wide delegated grant of `client` on `resource`. */
  setAllPrincipalsGrant(tenantId: string, client: ServicePrincipal, resource: ServicePrincipal, scopes: readonly string[]): OAuth2PermissionGrant {
    for (const g of this.oauth2PermissionGrants.values()) {
      if (g.clientId === client.id && g.resourceId === resource.id && g.consentType === 'AllPrincipals') {
        g.scope = [...new Set(scopes)].join(' ');
        return g;
      }
    }
    const g: OAuth2PermissionGrant = {
      id: this.rng.token(43),
      tenantId,
      clientId: client.id,
      consentType: 'AllPrincipals',
      principalId: null,
      resourceId: resource.id,
      scope: [...new Set(scopes)].join(' '),
    };
    this.oauth2PermissionGrants.set(g.id, g);
    return g;
  }

  /** Delegated scope values `client` may use on `resource` for `userId` (tenant-wide plus the user's own). */
  grantedScopes(client: ServicePrincipal, resource: ServicePrincipal, userId: string): Set<string> {
    const out = new Set<string>();
    for (const g of this.oauth2PermissionGrants.values()) {
      if (g.clientId !== client.id || g.resourceId !== resource.id) continue;
      if (g.consentType === 'Principal' && g.principalId !== userId) continue;
      for (const s of g.scope.split(' ')) if (s) out.add(s);
    }
    return out;
  }

  // -- ARM

  addSubscription(s: Subscription): Subscription {
    this.subscriptions.set(s.subscriptionId, s);
    return s;
  }

  addResourceGroup(rg: ResourceGroup): ResourceGroup {
    this.resourceGroups.set(lower(`/subscriptions/${rg.subscriptionId}/resourceGroups/${rg.name}`), rg);
    return rg;
  }

  findResourceGroup(subscriptionId: string, name: string): ResourceGroup | undefined {
    return this.resourceGroups.get(lower(`/subscriptions/${subscriptionId}/resourceGroups/${name}`));
  }

  /**
   * Creates a user-assigned identity: the ARM resource and its service principal (servicePrincipalType
   * ManagedIdentity, alternativeNames ['isExplicit=True', armId]) in the subscription's tenant.
   */
  createUserAssignedIdentity(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    location: string,
    tags: Record<string, string> = {},
  ): UserAssignedIdentity {
    const sub = this.subscriptions.get(subscriptionId);
    if (!sub) throw new Error(`No subscription ${subscriptionId}`);
    const id = `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
    const sp = this.addServicePrincipal(this.managedIdentityPrincipal(sub.tenantId, name, ['isExplicit=True', id]));
    const uami: UserAssignedIdentity = {
      id,
      subscriptionId,
      resourceGroup,
      name,
      location,
      tags,
      tenantId: sub.tenantId,
      principalId: sp.id,
      clientId: sp.appId,
    };
    this.userAssignedIdentities.set(lower(id), uami);
    return uami;
  }

  findUserAssignedIdentity(armId: string): UserAssignedIdentity | undefined {
    return this.userAssignedIdentities.get(lower(armId));
  }

  removeUserAssignedIdentity(armId: string): void {
    const uami = this.findUserAssignedIdentity(armId);
    if (!uami) return;
    this.userAssignedIdentities.delete(lower(armId));
    this.removeServicePrincipal(uami.principalId);
  }

  /**
   * Turns on the system-assigned identity of an Automation account: creates its service principal
   * (alternativeNames ['isExplicit=False', accountArmId]) unless it already has one.
   */
  enableSystemAssignedIdentity(account: AutomationAccount): ServicePrincipal {
    const existing = account.identity.principalId ? this.servicePrincipals.get(account.identity.principalId) : undefined;
    if (existing) return existing;
    const sub = this.subscriptions.get(account.subscriptionId);
    if (!sub) throw new Error(`No subscription ${account.subscriptionId}`);
    const sp = this.addServicePrincipal(this.managedIdentityPrincipal(sub.tenantId, account.name, ['isExplicit=False', account.id]));
    account.identity.principalId = sp.id;
    account.identity.systemClientId = sp.appId;
    account.identity.tenantId = sub.tenantId;
    return sp;
  }

  /** Turns it off: the service principal is deleted, as Azure does. */
  disableSystemAssignedIdentity(account: AutomationAccount): void {
    if (account.identity.principalId) this.removeServicePrincipal(account.identity.principalId);
    delete account.identity.principalId;
    delete account.identity.systemClientId;
  }

  findAutomationAccount(armId: string): AutomationAccount | undefined {
    return this.automationAccounts.get(lower(armId));
  }

  addAutomationAccount(a: AutomationAccount): AutomationAccount {
    this.automationAccounts.set(lower(a.id), a);
    return a;
  }

  private managedIdentityPrincipal(tenantId: string, name: string, alternativeNames: string[]): ServicePrincipal {
    const appId = this.newId();
    return {
      id: this.newId(),
      appId,
      tenantId,
      displayName: name,
      servicePrincipalType: 'ManagedIdentity',
      appOwnerOrganizationId: null,
      alternativeNames,
      servicePrincipalNames: [appId, `https://identity.azure.net/${this.rng.token(43)}=`],
      appRoles: [],
      oauth2PermissionScopes: [],
      accountEnabled: true,
      appRoleAssignmentRequired: false,
      tags: [],
      owners: [],
      applicationObjectId: null,
      createdDateTime: this.now(),
    };
  }

  /** Counts, for logs and the control API. */
  summary(): Record<string, number> {
    return {
      tenants: this.tenants.size,
      users: this.users.size,
      applications: this.applications.size,
      applicationsWithCredentials: [...this.applications.values()].filter((a) => a.federatedIdentityCredentials.length > 0).length,
      servicePrincipals: this.servicePrincipals.size,
      managedIdentities: [...this.servicePrincipals.values()].filter((s) => s.servicePrincipalType === 'ManagedIdentity').length,
      appRoleAssignments: this.appRoleAssignments.size,
      oauth2PermissionGrants: this.oauth2PermissionGrants.size,
      subscriptions: this.subscriptions.size,
      automationAccounts: this.automationAccounts.size,
      userAssignedIdentities: this.userAssignedIdentities.size,
    };
  }
}
