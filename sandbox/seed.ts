// Deterministic seeding: the same seed and size give the same tenants, ids, names, passwords and secrets.
// First-party resources carry their real ids: Microsoft Graph's app id and app-role / scope ids (Graph
// permissions reference), the Azure Service Management API, VS Code's and Azure CLI's public client ids.
import { randomBytes } from 'node:crypto';
import {
  AppRole,
  Application,
  ARM_APP_ID,
  AutomationAccount,
  AZURE_CLI_APP_ID,
  DirectoryRoleName,
  GRAPH_APP_ID,
  hashPassword,
  hashSecret,
  MICROSOFT_TENANT_ID,
  PermissionScope,
  RuntimeEnvironment,
  SandboxState,
  ServicePrincipal,
  Tenant,
  TOKEN_EXCHANGE_APP_ID,
  TOKEN_EXCHANGE_AUDIENCE,
  User,
  UserAssignedIdentity,
  VSCODE_APP_ID,
} from './state';

export interface SeedSize {
  /** Extra app registrations in the home tenant (besides the named ones). Default 40. */
  readonly apps?: number;
  /** How many of those carry federated identity credentials (1–3 each). Default a quarter of `apps`. */
  readonly appsWithCredentials?: number;
  /** Extra user-assigned identities in the home subscription. Default 4. */
  readonly managedIdentities?: number;
  /** App registrations in the customer tenant. Default 5. */
  readonly customerApps?: number;
}

/** Base URLs the seed needs (issuers of seeded credentials, sandbox aliases of the Graph and ARM resources). */
export interface SeedUrls {
  readonly login: string;
  readonly graph: string;
  readonly arm: string;
}

export interface SeededUser {
  readonly id: string;
  readonly tenantId: string;
  readonly username: string;
  readonly password: string;
  readonly displayName: string;
  readonly roles: readonly DirectoryRoleName[];
}

/** The named objects tests and the CLI refer to. */
export interface SeedInfo {
  readonly seed: number;
  readonly homeTenant: { readonly id: string; readonly domain: string; readonly displayName: string };
  readonly customerTenant: { readonly id: string; readonly domain: string; readonly displayName: string };
  readonly users: {
    readonly homeAdmin: SeededUser;
    readonly homeDeveloper: SeededUser;
    readonly homeUser: SeededUser;
    readonly customerAdmin: SeededUser;
    readonly customerUser: SeededUser;
  };
  /** Single-tenant confidential client in the home tenant with Graph app roles and ARM Contributor. */
  readonly confidentialClient: {
    readonly appId: string;
    readonly objectId: string;
    readonly servicePrincipalId: string;
    readonly secret: string;
    readonly tenantId: string;
  };
  /** Multi-tenant app trusting the Automation account's user-assigned identity (FIC), not consented in the customer tenant. */
  readonly multiTenantApp: { readonly appId: string; readonly objectId: string; readonly redirectUri: string; readonly ficName: string };
  /** Public client used for user sign-in (VS Code's client id, pre-consented as in real tenants). */
  readonly publicClientId: string;
  readonly homeSubscriptionId: string;
  readonly customerSubscriptionId: string;
  readonly automationAccount: {
    readonly id: string;
    readonly name: string;
    readonly resourceGroup: string;
    readonly systemAssigned: { readonly principalId: string; readonly clientId: string };
    readonly userAssigned: { readonly id: string; readonly principalId: string; readonly clientId: string; readonly name: string };
  };
  /** A user-assigned identity not attached to the Automation account. */
  readonly spareIdentity: { readonly id: string; readonly principalId: string; readonly clientId: string; readonly name: string };
}

// ---- Microsoft Graph's permissions (real ids) -----------------------------------------------------------

const role = (id: string, value: string, displayName: string, description: string): AppRole => ({
  id,
  value,
  displayName,
  description,
  allowedMemberTypes: ['Application'],
  isEnabled: true,
  origin: 'Application',
});

export const GRAPH_APP_ROLES: readonly AppRole[] = [
  role(
    'df021288-bdef-4463-88db-98f22de89214',
    'User.Read.All',
    "Read all users' full profiles",
    'Allows the app to read user profiles without a signed in user.',
  ),
  role(
    '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
    'Application.Read.All',
    'Read all applications',
    'Allows the app to read all applications and service principals without a signed-in user.',
  ),
  role(
    '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
    'Application.ReadWrite.All',
    'Read and write all applications',
    'Allows the app to create, read, update and delete applications and service principals without a signed-in user.',
  ),
  role(
    '18a4783c-866b-4cc7-a460-3d5e5662c884',
    'Application.ReadWrite.OwnedBy',
    'Manage apps that this app creates or owns',
    'Allows the app to create other applications, and fully manage those applications, without a signed-in user.',
  ),
  role(
    '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
    'Directory.Read.All',
    'Read directory data',
    "Allows the app to read data in your organization's directory, such as users, groups and apps, without a signed-in user.",
  ),
  role(
    '19dbc75e-c2e2-444c-a770-ec69d8559fc7',
    'Directory.ReadWrite.All',
    'Read and write directory data',
    "Allows the app to read and write data in your organization's directory, such as users, and groups, without a signed-in user.",
  ),
  role(
    '5b567255-7703-4780-807c-7be8301ae99b',
    'Group.Read.All',
    'Read all groups',
    'Allows the app to read group properties and memberships, and read conversations for all groups, without a signed-in user.',
  ),
  role(
    '06b708a9-e830-4db3-a914-8e69da51d44f',
    'AppRoleAssignment.ReadWrite.All',
    'Manage app permission grants and app role assignments',
    'Allows the app to manage permission grants for application permissions to any API and app role assignments for any app, without a signed-in user.',
  ),
  role(
    '741f803b-c850-494e-b5df-cde7c675a1ca',
    'User.ReadWrite.All',
    "Read and write all users' full profiles",
    'Allows the app to read and update user profiles without a signed in user.',
  ),
];

const scope = (id: string, value: string, type: 'Admin' | 'User', adminConsentDisplayName: string): PermissionScope => ({
  id,
  value,
  type,
  adminConsentDisplayName,
  adminConsentDescription: adminConsentDisplayName,
  userConsentDisplayName: type === 'User' ? adminConsentDisplayName : null,
  userConsentDescription: type === 'User' ? adminConsentDisplayName : null,
  isEnabled: true,
});

export const GRAPH_SCOPES: readonly PermissionScope[] = [
  scope('e1fe6dd8-ba31-4d61-89e7-88639da4683d', 'User.Read', 'User', 'Sign in and read user profile'),
  scope('b340eb25-3456-403f-be2f-af7a0d370277', 'User.ReadBasic.All', 'User', "Read all users' basic profiles"),
  scope('c79f8feb-a9db-4090-85f9-90d820caa0eb', 'Application.Read.All', 'Admin', 'Read applications'),
  scope('bdfbf15f-ee85-4955-8675-146e8e5296b5', 'Application.ReadWrite.All', 'Admin', 'Read and write all applications'),
  scope('06da0dbc-49e2-44d2-8312-53f166ab848a', 'Directory.Read.All', 'Admin', 'Read directory data'),
  scope('5f8c59db-677d-491f-a6b8-5f174b11ec1d', 'Group.Read.All', 'Admin', 'Read all groups'),
  scope('7427e0e9-2fba-42fe-b0c0-848c9e6a8182', 'offline_access', 'User', 'Maintain access to data you have given it access to'),
  scope('37f7f235-527c-4136-accd-4a02d197296e', 'openid', 'User', 'Sign users in'),
  scope('14dad69e-099b-42c9-810b-d002981feec1', 'profile', 'User', "View users' basic profile"),
  scope('64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0', 'email', 'User', "View users' email address"),
];

export const ARM_SCOPES: readonly PermissionScope[] = [
  scope('41094075-9dad-400e-a0bd-54e686782033', 'user_impersonation', 'User', 'Access Azure Service Management as organization users (preview)'),
];

/** Scopes VS Code's and Azure CLI's clients hold tenant-wide in the seeded tenants. */
const PRECONSENTED_GRAPH = [
  'User.Read',
  'User.ReadBasic.All',
  'Application.Read.All',
  'Application.ReadWrite.All',
  'Directory.Read.All',
  'offline_access',
  'openid',
  'profile',
  'email',
];

// ---- word lists for names ------------------------------------------------------------------------------

const ADJECTIVES = [
  'alpine',
  'amber',
  'azure',
  'brisk',
  'cedar',
  'coral',
  'crimson',
  'delta',
  'ember',
  'fable',
  'granite',
  'harbor',
  'indigo',
  'juniper',
  'kepler',
  'lumen',
  'maple',
  'nimbus',
  'onyx',
  'polar',
  'quartz',
  'raven',
  'sable',
  'tidal',
  'umber',
  'velvet',
  'willow',
  'zephyr',
];
const NOUNS = [
  'api',
  'billing',
  'catalog',
  'crm',
  'dashboard',
  'etl',
  'gateway',
  'hr-portal',
  'inventory',
  'ledger',
  'mailer',
  'monitor',
  'orders',
  'payroll',
  'reports',
  'scheduler',
  'search',
  'sync',
  'telemetry',
  'webhooks',
];

const BASE_TIME = Date.UTC(2024, 0, 15, 9, 0, 0);
const at = (minutes: number) => new Date(BASE_TIME + minutes * 60_000).toISOString().replace('.000Z', 'Z');

/** Fills `state` and returns the named objects. */
export function seed(state: SandboxState, seedNumber: number, size: SeedSize, urls: SeedUrls): SeedInfo {
  const rng = state.rng;
  const appCount = size.apps ?? 40;
  const withCredentials = Math.min(appCount, size.appsWithCredentials ?? Math.floor(appCount / 4));
  const extraIdentities = size.managedIdentities ?? 4;
  const customerApps = size.customerApps ?? 5;

  // -- tenants
  const microsoft = state.addTenant({
    id: MICROSOFT_TENANT_ID,
    displayName: 'Microsoft Services',
    defaultDomain: 'sandboxfirstparty.onmicrosoft.com',
    verifiedDomains: ['sandboxfirstparty.onmicrosoft.com'],
    kind: 'firstParty',
    createdDateTime: at(-100000),
  });
  const home = state.addTenant({
    id: rng.guid(),
    displayName: 'Contoso',
    defaultDomain: 'contoso.onmicrosoft.com',
    verifiedDomains: ['contoso.onmicrosoft.com', 'contoso.example'],
    kind: 'home',
    createdDateTime: at(-50000),
  });
  const customer = state.addTenant({
    id: rng.guid(),
    displayName: 'Fabrikam',
    defaultDomain: 'fabrikam.onmicrosoft.com',
    verifiedDomains: ['fabrikam.onmicrosoft.com'],
    kind: 'customer',
    createdDateTime: at(-40000),
  });

  // -- first-party apps (registered in Microsoft's tenant) and their SPs in every real tenant
  const firstParty = (appId: string, displayName: string, extra: Partial<Application>): Application =>
    state.addApplication({
      id: rng.guid(),
      appId,
      tenantId: microsoft.id,
      displayName,
      description: null,
      signInAudience: 'AzureADMultipleOrgs',
      identifierUris: [],
      requiredResourceAccess: [],
      owners: [],
      federatedIdentityCredentials: [],
      passwordCredentials: [],
      keyCredentials: [],
      appRoles: [],
      api: { oauth2PermissionScopes: [], requestedAccessTokenVersion: null },
      web: { redirectUris: [] },
      spa: { redirectUris: [] },
      publicClient: { redirectUris: [] },
      isFallbackPublicClient: false,
      tags: [],
      publisherDomain: 'microsoft.com',
      uniqueName: null,
      createdDateTime: at(-200000),
      ...extra,
    });
  const graphApp = firstParty(GRAPH_APP_ID, 'Microsoft Graph', {
    identifierUris: ['https://graph.microsoft.com', 'https://graph.microsoft.com/', 'https://canary.graph.microsoft.com', urls.graph],
    appRoles: GRAPH_APP_ROLES.map((r) => ({ ...r })),
    api: { oauth2PermissionScopes: GRAPH_SCOPES.map((s) => ({ ...s })), requestedAccessTokenVersion: 1 },
  });
  const armApp = firstParty(ARM_APP_ID, 'Windows Azure Service Management API', {
    identifierUris: [
      'https://management.azure.com',
      'https://management.azure.com/',
      'https://management.core.windows.net',
      'https://management.core.windows.net/',
      urls.arm,
    ],
    api: { oauth2PermissionScopes: ARM_SCOPES.map((s) => ({ ...s })), requestedAccessTokenVersion: 1 },
  });
  const exchangeApp = firstParty(TOKEN_EXCHANGE_APP_ID, 'AAD Token Exchange Endpoint', { identifierUris: [TOKEN_EXCHANGE_AUDIENCE] });
  const vscode = firstParty(VSCODE_APP_ID, 'Visual Studio Code', {
    isFallbackPublicClient: true,
    publicClient: { redirectUris: ['http://localhost', 'https://vscode.dev/redirect'] },
  });
  const azureCli = firstParty(AZURE_CLI_APP_ID, 'Microsoft Azure CLI', { isFallbackPublicClient: true, publicClient: { redirectUris: ['http://localhost'] } });

  const sps = new Map<string, { graph: ServicePrincipal; arm: ServicePrincipal }>();
  for (const t of [home, customer]) {
    const graph = state.ensureServicePrincipal(t.id, graphApp);
    const arm = state.ensureServicePrincipal(t.id, armApp);
    state.ensureServicePrincipal(t.id, exchangeApp);
    for (const client of [vscode, azureCli]) {
      const sp = state.ensureServicePrincipal(t.id, client);
      state.setAllPrincipalsGrant(t.id, sp, graph, PRECONSENTED_GRAPH);
      state.setAllPrincipalsGrant(t.id, sp, arm, ['user_impersonation']);
    }
    sps.set(t.id, { graph, arm });
  }
  const homeGraph = sps.get(home.id)?.graph as ServicePrincipal;

  // -- users
  const makeUser = (t: Tenant, alias: string, displayName: string, roles: DirectoryRoleName[], minutes: number): SeededUser => {
    const password = `Sbx-${rng.token(10)}-${rng.int(90) + 10}!`;
    const salt = rng.token(8);
    const [givenName, surname] = displayName.split(' ');
    const u: User = {
      id: rng.guid(),
      tenantId: t.id,
      userPrincipalName: `${alias}@${t.defaultDomain}`,
      displayName,
      mail: `${alias}@${t.defaultDomain}`,
      givenName: givenName ?? null,
      surname: surname ?? null,
      jobTitle: roles[0] ?? null,
      accountEnabled: true,
      passwordHash: hashPassword(password, salt),
      passwordSalt: salt,
      directoryRoles: roles,
      createdDateTime: at(minutes),
    };
    state.addUser(u);
    return { id: u.id, tenantId: t.id, username: u.userPrincipalName, password, displayName, roles };
  };
  const homeAdmin = makeUser(home, 'admin', 'Adele Vance', ['Global Administrator'], -30000);
  const homeDeveloper = makeUser(home, 'dev', 'Diego Siciliani', ['Application Developer'], -29000);
  const homeUser = makeUser(home, 'user', 'Megan Bowen', [], -28000);
  makeUser(home, 'appadmin', 'Alex Wilber', ['Application Administrator'], -27000);
  const customerAdmin = makeUser(customer, 'admin', 'Lidia Holloway', ['Global Administrator'], -26000);
  const customerUser = makeUser(customer, 'user', 'Lynne Robbins', [], -25000);

  // -- ARM: subscriptions, resource groups, identities, the Automation account
  const homeSub = state.addSubscription({ subscriptionId: rng.guid(), tenantId: home.id, displayName: 'Contoso Production', state: 'Enabled' });
  const customerSub = state.addSubscription({ subscriptionId: rng.guid(), tenantId: customer.id, displayName: 'Fabrikam Operations', state: 'Enabled' });
  state.addResourceGroup({ subscriptionId: homeSub.subscriptionId, name: 'rg-automation', location: 'westeurope', tags: {} });
  state.addResourceGroup({ subscriptionId: homeSub.subscriptionId, name: 'rg-identities', location: 'westeurope', tags: {} });
  state.addResourceGroup({ subscriptionId: customerSub.subscriptionId, name: 'rg-fabrikam', location: 'northeurope', tags: {} });

  const uamiAutomation = state.createUserAssignedIdentity(homeSub.subscriptionId, 'rg-automation', 'uami-automation', 'westeurope');
  const uamiSpare = state.createUserAssignedIdentity(homeSub.subscriptionId, 'rg-identities', 'uami-spare', 'westeurope');
  const extraUamis: UserAssignedIdentity[] = [];
  for (let i = 1; i <= extraIdentities; i++) {
    extraUamis.push(
      state.createUserAssignedIdentity(homeSub.subscriptionId, 'rg-identities', `uami-${rng.pick(NOUNS)}-${String(i).padStart(3, '0')}`, 'westeurope'),
    );
  }

  const accountId = `/subscriptions/${homeSub.subscriptionId}/resourceGroups/rg-automation/providers/Microsoft.Automation/automationAccounts/aa-contoso`;
  const account: AutomationAccount = state.addAutomationAccount({
    id: accountId,
    subscriptionId: homeSub.subscriptionId,
    resourceGroup: 'rg-automation',
    name: 'aa-contoso',
    location: 'westeurope',
    tags: {},
    sku: { name: 'Basic' },
    identity: {
      type: 'SystemAssigned, UserAssigned',
      userAssignedIdentities: { [uamiAutomation.id]: { principalId: uamiAutomation.principalId, clientId: uamiAutomation.clientId } },
    },
    creationTime: at(-20000),
    lastModifiedTime: at(-20000),
    runbooks: new Map(),
    modules: new Map(),
    runtimeEnvironments: new Map(),
  });
  const systemSp = state.enableSystemAssignedIdentity(account);
  account.runbooks.set('hello-world', {
    name: 'Hello-World',
    location: 'westeurope',
    tags: {},
    runbookType: 'PowerShell',
    state: 'Published',
    description: 'Says hello.',
    logVerbose: false,
    logProgress: false,
    logActivityTrace: 0,
    draftContent: null,
    publishedContent: "Write-Output 'Hello, World'\n",
    creationTime: at(-19000),
    lastModifiedTime: at(-19000),
    etag: `"${rng.token(16)}"`,
  });
  const systemRuntimes: [string, 'PowerShell' | 'Python', string][] = [
    ['PowerShell-5.1', 'PowerShell', '5.1'],
    ['PowerShell-7.1', 'PowerShell', '7.1'],
    ['PowerShell-7.2', 'PowerShell', '7.2'],
    ['Python-2.7', 'Python', '2.7'],
    ['Python-3.8', 'Python', '3.8'],
    ['Python-3.10', 'Python', '3.10'],
  ];
  for (const [name, language, version] of systemRuntimes) {
    const env: RuntimeEnvironment = {
      name,
      language,
      version,
      defaultPackages: language === 'PowerShell' && version !== '5.1' ? { Az: '11.2.0' } : {},
      description: `System-generated Runtime Environment for your Automation account with Runtime ${language} ${version}`,
      isSystem: true,
    };
    account.runtimeEnvironments.set(name.toLowerCase(), env);
  }
  for (const [runtimeVersion, name, version] of [
    ['5.1', 'Az.Accounts', '2.7.5'],
    ['5.1', 'Microsoft.PowerShell.Utility', '5.1.0.0'],
    ['7.2', 'Az.Accounts', '2.12.1'],
  ] as const) {
    account.modules.set(`${runtimeVersion}/${name.toLowerCase()}`, {
      name,
      runtimeVersion,
      version,
      provisioningState: 'Succeeded',
      contentLink: null,
      isGlobal: name.startsWith('Microsoft.'),
      sizeInBytes: 100000 + rng.int(900000),
      activityCount: rng.int(40),
      error: null,
      creationTime: at(-18000),
      lastModifiedTime: at(-18000),
    });
  }
  state.currentIdentityHost = accountId.toLowerCase();

  // -- home tenant app registrations
  const homeIssuer = `${urls.login}/${home.id}/v2.0`;
  const newApp = (t: Tenant, displayName: string, minutes: number, extra: Partial<Application> = {}): Application =>
    state.addApplication({
      id: rng.guid(),
      appId: rng.guid(),
      tenantId: t.id,
      displayName,
      description: null,
      signInAudience: 'AzureADMyOrg',
      identifierUris: [],
      requiredResourceAccess: [],
      owners: [],
      federatedIdentityCredentials: [],
      passwordCredentials: [],
      keyCredentials: [],
      appRoles: [],
      api: { oauth2PermissionScopes: [], requestedAccessTokenVersion: null },
      web: { redirectUris: [] },
      spa: { redirectUris: [] },
      publicClient: { redirectUris: [] },
      isFallbackPublicClient: false,
      tags: [],
      publisherDomain: t.defaultDomain,
      uniqueName: null,
      createdDateTime: at(minutes),
      ...extra,
    });

  // The confidential client tests use: Graph app roles in the home tenant, Contributor on the home subscription.
  const secret = `${rng.token(3)}8Q~${rng.token(34)}`;
  const ccApp = newApp(home, 'Sandbox Test Client', -15000, {
    owners: [homeAdmin.id],
    requiredResourceAccess: [
      {
        resourceAppId: GRAPH_APP_ID,
        resourceAccess: ['1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', 'df021288-bdef-4463-88db-98f22de89214', '7ab1d382-f21e-4acd-a863-ba3e13f7da61'].map((id) => ({
          id,
          type: 'Role' as const,
        })),
      },
    ],
    passwordCredentials: [
      {
        keyId: rng.guid(),
        displayName: 'sandbox',
        hint: secret.slice(0, 3),
        secretHash: hashSecret(secret),
        startDateTime: at(-15000),
        endDateTime: '2099-12-31T00:00:00Z',
        customKeyIdentifier: null,
      },
    ],
  });
  const ccSp = state.ensureServicePrincipal(home.id, ccApp);
  for (const ra of ccApp.requiredResourceAccess[0]?.resourceAccess ?? []) state.addAppRoleAssignment(home.id, ccSp, homeGraph, ra.id);
  state.armRoleAssignments.set('cc-contributor', {
    id: rng.guid(),
    principalId: ccSp.id,
    scope: `/subscriptions/${homeSub.subscriptionId}`,
    roleDefinitionName: 'Contributor',
  });
  state.armRoleAssignments.set('home-admin-owner', {
    id: rng.guid(),
    principalId: homeAdmin.id,
    scope: `/subscriptions/${homeSub.subscriptionId}`,
    roleDefinitionName: 'Owner',
  });
  state.armRoleAssignments.set('customer-admin-owner', {
    id: rng.guid(),
    principalId: customerAdmin.id,
    scope: `/subscriptions/${customerSub.subscriptionId}`,
    roleDefinitionName: 'Owner',
  });

  // The multi-tenant app the Automation account's identity impersonates into customer tenants.
  const redirectUri = 'https://localhost:8400/consent-complete';
  const mtApp = newApp(home, 'Contoso Multi-Tenant Reporter', -14000, {
    signInAudience: 'AzureADMultipleOrgs',
    owners: [homeDeveloper.id],
    web: { redirectUris: [redirectUri] },
    requiredResourceAccess: [
      {
        resourceAppId: GRAPH_APP_ID,
        resourceAccess: [
          { id: 'df021288-bdef-4463-88db-98f22de89214', type: 'Role' },
          { id: '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30', type: 'Role' },
          { id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' },
        ],
      },
    ],
    federatedIdentityCredentials: [
      {
        id: rng.guid(),
        name: 'automation-uami',
        issuer: homeIssuer,
        subject: uamiAutomation.principalId,
        audiences: [TOKEN_EXCHANGE_AUDIENCE],
        description: 'aa-contoso user-assigned identity',
      },
    ],
  });
  state.ensureServicePrincipal(home.id, mtApp);

  // Bulk apps: names sort in a stable but non-trivial order; some with FICs, some owned by the developer.
  const allUamis = [uamiAutomation, uamiSpare, ...extraUamis];
  for (let i = 0; i < appCount; i++) {
    const name = `${rng.pick(ADJECTIVES)}-${rng.pick(NOUNS)}-${String(i + 1).padStart(5, '0')}`;
    const owners = i % 5 === 0 ? [homeDeveloper.id] : i % 7 === 0 ? [homeAdmin.id] : [];
    const app = newApp(home, name, -10000 + i, { owners, signInAudience: i % 3 === 0 ? 'AzureADMultipleOrgs' : 'AzureADMyOrg' });
    if (i < withCredentials) {
      const count = 1 + rng.int(3);
      for (let k = 0; k < count; k++) {
        const github = rng.int(3) === 0;
        state.addFederatedCredential(
          app,
          github
            ? {
                id: rng.guid(),
                name: `github-${k + 1}`,
                issuer: 'https://token.actions.githubusercontent.com',
                subject: `repo:contoso/${name}:ref:refs/heads/main`,
                audiences: [TOKEN_EXCHANGE_AUDIENCE],
                description: null,
              }
            : {
                id: rng.guid(),
                name: `mi-${k + 1}`,
                issuer: homeIssuer,
                subject: (rng.pick(allUamis) as UserAssignedIdentity).principalId,
                audiences: [TOKEN_EXCHANGE_AUDIENCE],
                description: null,
              },
        );
      }
    }
  }

  for (let i = 0; i < customerApps; i++) newApp(customer, `fabrikam-${rng.pick(NOUNS)}-${i + 1}`, -9000 + i);

  return {
    seed: seedNumber,
    homeTenant: { id: home.id, domain: home.defaultDomain, displayName: home.displayName },
    customerTenant: { id: customer.id, domain: customer.defaultDomain, displayName: customer.displayName },
    users: { homeAdmin, homeDeveloper, homeUser, customerAdmin, customerUser },
    confidentialClient: { appId: ccApp.appId, objectId: ccApp.id, servicePrincipalId: ccSp.id, secret, tenantId: home.id },
    multiTenantApp: { appId: mtApp.appId, objectId: mtApp.id, redirectUri, ficName: 'automation-uami' },
    publicClientId: VSCODE_APP_ID,
    homeSubscriptionId: homeSub.subscriptionId,
    customerSubscriptionId: customerSub.subscriptionId,
    automationAccount: {
      id: accountId,
      name: account.name,
      resourceGroup: account.resourceGroup,
      systemAssigned: { principalId: systemSp.id, clientId: systemSp.appId },
      userAssigned: { id: uamiAutomation.id, principalId: uamiAutomation.principalId, clientId: uamiAutomation.clientId, name: uamiAutomation.name },
    },
    spareIdentity: { id: uamiSpare.id, principalId: uamiSpare.principalId, clientId: uamiSpare.clientId, name: uamiSpare.name },
  };
}

/** A new secret in the shape of the seeded ones (`xxx8Q~` and 34 more): for routes that mint secrets (addPassword). */
export function newClientSecret(): string {
  const raw = randomBytes(30).toString('base64url').replace(/[-_]/g, 'x');
  return `${raw.slice(0, 3)}8Q~${raw.slice(3, 37)}`;
}
