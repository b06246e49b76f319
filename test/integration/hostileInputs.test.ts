// Hostile and malformed arguments through the real commands, inside VS Code, against the sandbox.
// Each row calls `federatedCredentials.<command>` with an arguments object (so the runner uses
// NoPromptUserInput: a missing or bad value must fail, never prompt or hang) and checks three
// things: the message names what is wrong, the sandbox's request log shows no Graph or ARM write
// after the call, and for file paths the workspace holds exactly the files it held before (nothing
// written outside it, nothing over an existing file). Search terms are checked the other way
// round: they are accepted, and the request Graph received carries them inside one $search clause.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AppRegistration, FederatedCredential } from '../../src/domain/model';
import type { LoggedRequest } from '../../sandbox';
import { sandbox } from './support/sandbox';

const EXTENSION_ID = 'federated-credentials.federated-credentials';

function run<T = unknown>(command: string, args: unknown): Promise<T> {
  const call = Promise.resolve(vscode.commands.executeCommand<T>(`federatedCredentials.${command}`, args));
  const hang = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`${command} neither answered nor failed within 15 s: it must never wait for a prompt`)), 15_000),
  );
  return Promise.race([call, hang]);
}

/** Graph and ARM requests that change something ($batch of reads counts as a read). */
function writes(requests: readonly LoggedRequest[]): string[] {
  return requests
    .filter((r) => (r.area === 'graph' || r.area === 'arm') && r.method !== 'GET')
    .filter((r) => {
      const items = (r.body as { requests?: Array<{ method?: string }> } | undefined)?.requests;
      return !(r.path.endsWith('/$batch') && Array.isArray(items) && items.every((i) => (i.method ?? 'GET').toUpperCase() === 'GET'));
    })
    .map((r) => `${r.method} ${r.path}`);
}

const root = () => vscode.workspace.workspaceFolders![0]!.uri;

/** Every file under the workspace folder, with its size, to see that nothing appeared or changed. */
async function workspaceFiles(dir = root(), prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const [name, type] of await vscode.workspace.fs.readDirectory(dir)) {
    const uri = vscode.Uri.joinPath(dir, name);
    if ((type & vscode.FileType.Directory) !== 0) out.push(...(await workspaceFiles(uri, `${prefix}${name}/`)));
    else out.push(`${prefix}${name} ${(await vscode.workspace.fs.readFile(uri)).byteLength}`);
  }
  return out.sort();
}

interface Context {
  readonly app: AppRegistration;
  readonly info: ReturnType<typeof sandbox.info>;
  readonly outside: string;
}

type Row = readonly [command: string, what: string, args: (c: Context) => unknown, expected: RegExp];

const GUID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const scaffold = (c: Context, change: Record<string, unknown>) => ({
  app: c.info.multiTenantApp.appId,
  template: 'powershell-rest',
  targetTenants: [c.info.customerTenant.domain],
  identity: { kind: 'userAssigned', clientId: c.info.automationAccount.userAssigned.clientId },
  outputPath: 'hostile/Invoke-Report.ps1',
  ...change,
});
const deploy = (c: Context, change: Record<string, unknown>) => ({ file: 'hostile/existing.ps1', automationAccount: c.info.automationAccount.id, ...change });
const accounts = (c: Context) => c.info.automationAccount.id.replace(/\/[^/]+$/, '');
const other = (c: Context, change: Record<string, unknown>) => ({
  app: c.app.id,
  kind: 'otherIssuer',
  issuer: 'https://issuer.example.com',
  subject: 'job-1',
  name: 'other-ok',
  ...change,
});

const rows: Row[] = [
  // ids
  [
    'addManagedIdentityCredential',
    'app empty',
    (c) => ({ app: '', managedIdentity: c.info.spareIdentity.principalId }),
    /^"app" must be the app registration's object id or application \(client\) id, a GUID; "" is not \(it is empty\)\.$/,
  ],
  [
    'addManagedIdentityCredential',
    'app in braces',
    (c) => ({ app: `{${c.app.id}}`, managedIdentity: c.info.spareIdentity.principalId }),
    /\(remove the braces around it\)/,
  ],
  [
    'addManagedIdentityCredential',
    'app with a Cyrillic look-alike',
    (c) => ({ app: `\u0430${c.app.id.slice(1)}`, managedIdentity: c.info.spareIdentity.principalId }),
    /only looks like a hexadecimal digit; a GUID is plain ASCII/,
  ],
  [
    'addManagedIdentityCredential',
    'app a number',
    (c) => ({ app: 42, managedIdentity: c.info.spareIdentity.principalId }),
    /^Argument "app" must be a string; got "42"\.$/,
  ],
  [
    'addManagedIdentityCredential',
    'app 10 KB',
    (c) => ({ app: 'a'.repeat(10_240), managedIdentity: c.info.spareIdentity.principalId }),
    /"a{60}…" is not \(it has 10240 characters/,
  ],
  [
    'addManagedIdentityCredential',
    'managedIdentity not a GUID',
    (c) => ({ app: c.app.id, managedIdentity: 'aa-contoso' }),
    /^"managedIdentity" must be the identity's object \(principal\) id, a GUID; "aa-contoso" is not\.$/,
  ],
  [
    'addManagedIdentityCredential',
    'managedIdentity of another tenant',
    (c) => ({ app: c.app.id, managedIdentity: '00000000-0000-4000-8000-000000000001' }),
    /AADSTS700236/,
  ],
  [
    'addManagedIdentityCredential',
    'misspelt key',
    (c) => ({ app: c.app.id, managedIdentity: c.info.spareIdentity.principalId, nmae: 'x' }),
    /^Unknown argument "nmae"; this command takes app, managedIdentity, name, description\.$/,
  ],
  [
    'addManagedIdentityCredential',
    'name with a space',
    (c) => ({ app: c.app.id, managedIdentity: c.info.spareIdentity.principalId, name: 'msi spare' }),
    /Name may contain only ASCII letters, digits, "-" and "_"; "msi spare" contains " "/,
  ],
  [
    'addManagedIdentityCredential',
    'a list of apps with a non-GUID',
    (c) => ({ app: [c.app.id, 'payroll'], managedIdentity: c.info.spareIdentity.principalId }),
    /"app" must list app registrations' object ids .*"payroll" is not/,
  ],
  [
    'editCredential',
    'credential empty',
    (c) => ({ app: c.app.id, credential: '' }),
    /^Argument "credential" must be the credential's id \(a GUID\) or its name; "" is empty\.$/,
  ],
  [
    'editCredential',
    'credential with a line break',
    (c) => ({ app: c.app.id, credential: 'known-cred\nx', description: 'y' }),
    /the control character "\\n" \(U\+000A\)/,
  ],
  [
    'copyCredential',
    'credential unknown',
    (c) => ({ app: c.app.id, credential: "known-cred' or 1 eq 1", format: 'json' }),
    /has no federated credential with id or name "known-cred' or 1 eq 1"/,
  ],
  // names and kinds
  [
    'addCredential',
    'name with a leading hyphen',
    (c) => other(c, { name: '-other' }),
    /Name must start with an ASCII letter or digit; "-other" starts with "-"/,
  ],
  ['addCredential', 'name with an accented letter', (c) => other(c, { name: 'café-cred' }), /contains "é" \(U\+00E9\)/],
  ['addCredential', 'name with emoji', (c) => other(c, { name: 'deploy🚀' }), /contains "🚀" \(U\+1F680\)/],
  [
    'addCredential',
    'unknown kind',
    (c) => other(c, { kind: 'saml' }),
    /^"kind" must be one of managedIdentity, githubActions, kubernetes, otherIssuer, flexible; "saml" is not\.$/,
  ],
  [
    'addCredential',
    'GitHub organization with a space',
    (c) => ({ app: c.app.id, kind: 'githubActions', organization: 'contoso org', repository: 'r', entity: 'pullRequest', name: 'gh-pr' }),
    /Organization must be a GitHub account name/,
  ],
  [
    'addCredential',
    'GitHub branch with ..',
    (c) => ({ app: c.app.id, kind: 'githubActions', organization: 'contoso', repository: 'r', entity: 'branch', value: 'main/../x', name: 'gh-x' }),
    /Branch name "main\/\.\.\/x" is not a valid git ref name/,
  ],
  [
    'addCredential',
    'GitHub repository missing',
    (c) => ({ app: c.app.id, kind: 'githubActions', organization: 'contoso', entity: 'pullRequest', name: 'gh-pr' }),
    /^Pass "repository" in the arguments object: it is missing/,
  ],
  [
    'addCredential',
    'Kubernetes namespace upper-case',
    (c) => ({ app: c.app.id, kind: 'kubernetes', issuer: 'https://oidc.example.com/', namespace: 'Default', serviceAccount: 'sa', name: 'k8s-sa' }),
    /Namespace must be a DNS-1123 label/,
  ],
  [
    'addCredential',
    'subject missing',
    (c) => ({ app: c.app.id, kind: 'otherIssuer', issuer: 'https://issuer.example.com', name: 'other-2' }),
    /^Pass "subject" in the arguments object/,
  ],
  // URLs
  [
    'addCredential',
    'issuer http',
    (c) => other(c, { issuer: 'http://issuer.example.com' }),
    /^Issuer must be an https URL; "http:\/\/issuer\.example\.com" uses http\.$/,
  ],
  ['addCredential', 'issuer without a host', (c) => other(c, { issuer: 'https:///issuer' }), /with a host name right after "https:\/\/"/],
  ['addCredential', 'issuer javascript:', (c) => other(c, { issuer: 'javascript:alert(1)' }), /is not a URL\.$/],
  ['addCredential', 'issuer with a query', (c) => other(c, { issuer: 'https://issuer.example.com/?tenant=x' }), /must not contain a query or fragment/],
  ['addCredential', 'issuer with trailing spaces', (c) => other(c, { issuer: 'https://issuer.example.com  ' }), /must not start or end with whitespace/],
  [
    'addCredential',
    'issuer 601 characters',
    (c) => other(c, { issuer: `https://issuer.example.com/${'x'.repeat(574)}` }),
    /Issuer must be at most 600 characters/,
  ],
  [
    'editCredential',
    'issuer with a fragment',
    (c) => ({ app: c.app.id, credential: 'known-cred', issuer: 'https://issuer.example.com/#x' }),
    /must not contain a query or fragment/,
  ],
  // subjects and audiences
  [
    'addCredential',
    'subject with a newline',
    (c) => other(c, { subject: 'job-1\njob-2' }),
    /Subject must not contain control or invisible characters .*"\\n" \(U\+000A\)/,
  ],
  ['addCredential', 'subject 601 characters', (c) => other(c, { subject: 's'.repeat(601) }), /Subject must be at most 600 characters; "s{60}…" has 601\./],
  [
    'editCredential',
    'subject with a right-to-left override',
    (c) => ({ app: c.app.id, credential: 'known-cred', subject: 'job-\u202e1' }),
    /the invisible character "\\u202e" \(U\+202E\)/,
  ],
  [
    'addCredential',
    'audience with a leading space',
    (c) => other(c, { audience: ' api://AzureADTokenExchange' }),
    /Audience must not start or end with whitespace/,
  ],
  ['addCredential', 'audience as a list', (c) => other(c, { audience: ['api://a', 'api://b'] }), /^Argument "audience" must be a string; got/],
  // tenants
  ['copyConsentUrl', 'tenant common', (c) => ({ app: c.app.appId, tenant: 'common' }), /Tenant "common" cannot be used for admin consent/],
  ['copyConsentUrl', 'tenant with a scheme', (c) => ({ app: c.app.appId, tenant: 'https://fabrikam.com' }), /remove the "https:\/\/"/],
  ['copyConsentUrl', 'tenant GUID in braces', (c) => ({ app: c.app.appId, tenant: `{${GUID}}` }), /\(remove the braces around it\)/],
  ['copyConsentUrl', 'tenant empty', (c) => ({ app: c.app.appId, tenant: '' }), /^Argument "tenant" is empty/],
  [
    'copyConsentUrl',
    'redirect URI over http',
    (c) => ({ app: c.app.appId, tenant: GUID, redirectUri: 'http://evil.example/cb' }),
    /Redirect URI must use https/,
  ],
  [
    'copyConsentUrl',
    'redirect URI without a host',
    (c) => ({ app: c.app.appId, tenant: GUID, redirectUri: 'https:///cb' }),
    /Redirect URI must have a host name/,
  ],
  ['copyConsentUrl', 'version v3', (c) => ({ app: c.app.appId, tenant: GUID, version: 'v3' }), /^"version" must be v1 or v2; "v3" is not\.$/],
  ['selectTenant', 'tenant common', () => ({ tenant: 'common' }), /"common" is not a tenant but a sign-in audience/],
  ['selectTenant', 'tenant a domain', () => ({ tenant: 'contoso.onmicrosoft.com' }), /must be the tenant's id \(a GUID\), not a domain/],
  ['selectTenant', 'tenantId instead of tenant', () => ({ tenantId: GUID }), /^Unknown argument "tenantId"; this command takes tenant\.$/],
  ['signIn', 'tenant a number', () => ({ tenant: 42 }), /^Argument "tenant" must be a tenant id, a GUID string; got "42"\.$/],
  // app registrations and permissions
  ['createAppRegistration', 'display name blank', () => ({ displayName: '   ' }), /^Argument "displayName": Enter a display name/],
  ['createAppRegistration', 'display name with a line break', () => ({ displayName: 'Payroll\nAdmin' }), /cannot contain the control character "\\n"/],
  ['createAppRegistration', 'display name 300 characters', () => ({ displayName: 'd'.repeat(300) }), /at most 256 characters; this one has 300/],
  [
    'createAppRegistration',
    'permissions as a string',
    () => ({ displayName: 'Perm String', permissions: 'User.Read.All' }),
    /^Argument "permissions" must be a list of strings; got "User\.Read\.All"\.$/,
  ],
  [
    'createAppRegistration',
    'unknown permission with a quote',
    () => ({ displayName: 'Perm Quote', permissions: ["User.Read.All'; drop"] }),
    /Microsoft Graph has no application permission "User\.Read\.All'; drop"/,
  ],
  ['addApiPermission', 'no permissions', (c) => ({ app: c.app.id, permissions: [] }), /^Pass "permissions": a list such as \["User\.Read\.All"\]\.$/],
  [
    'deleteCredential',
    'confirm as a string',
    (c) => ({ app: c.app.id, credential: 'known-cred', confirm: 'yes' }),
    /^Argument "confirm" must be true or false; got "yes"\.$/,
  ],
  ['searchAppRegistrations', 'query 300 characters', () => ({ query: 'q'.repeat(300) }), /A search term has at most 256 characters/],
  ['searchAppRegistrations', 'misspelt key', () => ({ q: 'web' }), /^Unknown argument "q"; this command takes query\.$/],
  // file paths
  [
    'scaffoldRunbook',
    'outputPath with ..',
    (c) => scaffold(c, { outputPath: '../escape.ps1' }),
    /"outputPath" "\.\.\/escape\.ps1" is outside the workspace folder/,
  ],
  ['scaffoldRunbook', 'outputPath with backslash ..', (c) => scaffold(c, { outputPath: 'hostile\\..\\..\\escape.ps1' }), /is outside the workspace folder/],
  ['scaffoldRunbook', 'outputPath absolute elsewhere', (c) => scaffold(c, { outputPath: join(c.outside, 'escape.ps1') }), /is outside the workspace folder/],
  ['scaffoldRunbook', 'outputPath with a NUL byte', (c) => scaffold(c, { outputPath: 'hostile/x\u0000.ps1' }), /contains a control character/],
  [
    'scaffoldRunbook',
    'outputPath a reserved Windows name',
    (c) => scaffold(c, { outputPath: 'hostile/CON.ps1' }),
    /"CON\.ps1" is a reserved device name on Windows/,
  ],
  [
    'scaffoldRunbook',
    'outputPath with a Windows-invalid character',
    (c) => scaffold(c, { outputPath: 'hostile/a|b.ps1' }),
    /contains "\|", which file names cannot hold on Windows/,
  ],
  [
    'scaffoldRunbook',
    'outputPath an existing file',
    (c) => scaffold(c, { outputPath: 'hostile/existing.ps1' }),
    /hostile\/existing\.ps1 already exists in .*; pass "overwrite": true to replace it\./,
  ],
  ['scaffoldRunbook', 'outputPath another extension', (c) => scaffold(c, { outputPath: 'hostile/x.sh' }), /"outputPath" must name a \.ps1 file/],
  // template values
  [
    'scaffoldRunbook',
    'scope with $()',
    (c) => scaffold(c, { scope: 'https://graph.microsoft.com/$(Get-Secret)/.default' }),
    /^Argument "scope" must name its resource as an https URL/,
  ],
  [
    'scaffoldRunbook',
    'scope with a here-string terminator',
    (c) => scaffold(c, { scope: "https://graph.microsoft.com/.default\n'@\nInvoke-Evil" }),
    /^Argument "scope" must be one resource's "\/\.default" scope/,
  ],
  [
    'scaffoldRunbook',
    'scope with Python triple quotes',
    (c) => scaffold(c, { scope: 'https://graph.microsoft.com/"""/.default' }),
    /^Argument "scope" must name its resource/,
  ],
  [
    'scaffoldRunbook',
    'target tenant with a quote',
    (c) => scaffold(c, { targetTenants: ["fabrikam.com'; Remove-Item ~"] }),
    /^Argument "targetTenants": "fabrikam\.com'" is neither a tenant id \(GUID\) nor a domain/,
  ],
  [
    'scaffoldRunbook',
    'target tenant common',
    (c) => scaffold(c, { targetTenants: ['common'] }),
    /"common" is not a tenant: name the customer tenant by its id or domain/,
  ],
  [
    'scaffoldRunbook',
    'identity a name',
    (c) => scaffold(c, { identity: 'id-runbooks' }),
    /^Argument "identity" must be \{ kind: 'userAssigned', clientId: '<GUID>' \}/,
  ],
  ['scaffoldRunbook', 'template missing', (c) => ({ ...scaffold(c, {}), template: undefined }), /^Pass "template": this command takes/],
  // Automation account ids and deploy files
  [
    'deployRunbook',
    'account of another provider',
    (c) =>
      deploy(c, { automationAccount: `/subscriptions/${c.info.subscriptions.home}/resourceGroups/rg-automation/providers/Microsoft.Web/sites/aa-contoso` }),
    /is a "Microsoft\.Web\/sites" resource\.$/,
  ],
  ['deployRunbook', 'account name ..', (c) => deploy(c, { automationAccount: `${accounts(c)}/..` }), /the account name "\.\." is not valid/],
  [
    'deployRunbook',
    'account name with a query',
    (c) => deploy(c, { automationAccount: `${c.info.automationAccount.id}?api-version=2015-10-31` }),
    /the account name ".*\?api-version=2015-10-31" is not valid/,
  ],
  [
    'deployRunbook',
    'subscription not a GUID',
    (c) => deploy(c, { automationAccount: c.info.automationAccount.id.replace(c.info.subscriptions.home, 'production') }),
    /the subscription id in it must be a GUID; "production" is not\./,
  ],
  [
    'deployRunbook',
    'a runbook id, not the account',
    (c) => deploy(c, { automationAccount: `${c.info.automationAccount.id}/runbooks/Report` }),
    /is a "Microsoft\.Automation\/automationAccounts\/runbooks" resource/,
  ],
  [
    'deployRunbook',
    'runbook name starting with a digit',
    (c) => deploy(c, { runbookName: '1-report' }),
    /^"runbookName" "1-report": A runbook name starts with a letter/,
  ],
  ['deployRunbook', 'file missing', (c) => deploy(c, { file: 'hostile/missing.ps1' }), /^"file" "hostile\/missing\.ps1" does not exist/],
  ['deployRunbook', 'file a folder', (c) => deploy(c, { file: 'hostile' }), /^"file" "hostile" is a folder/],
  [
    'deployRunbook',
    'file not a runbook',
    (c) => deploy(c, { file: 'hostile/notes.txt' }),
    /Only PowerShell \(\.ps1\) and Python \(\.py\) runbooks can be deployed/,
  ],
  ['deployRunbook', 'file with a NUL byte', (c) => deploy(c, { file: 'hostile/existing.ps1\u0000' }), /^"file" .* contains the control character "\\u0000"/],
  ['deployRunbook', 'publish as a string', (c) => deploy(c, { publish: 'yes' }), /^Argument "publish" must be true or false; got "yes"\.$/],
];

describe('Hostile input through the commands (sandbox)', function () {
  this.timeout(60_000);
  const context = {} as { value: Context };

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
    const app = await run<AppRegistration>('createAppRegistration', { displayName: 'Hostile Input App' });
    await run<FederatedCredential>('addCredential', {
      app: app.id,
      kind: 'otherIssuer',
      issuer: 'https://issuer.example.com',
      subject: 'known',
      name: 'known-cred',
    });
    const hostile = vscode.Uri.joinPath(root(), 'hostile');
    await vscode.workspace.fs.createDirectory(hostile);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(hostile, 'existing.ps1'), new TextEncoder().encode('# my runbook, not to be replaced\n'));
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(hostile, 'notes.txt'), new TextEncoder().encode('notes\n'));
    context.value = { app, info: sandbox.info(), outside: mkdtempSync(join(tmpdir(), 'fc-hostile-outside-')) };
  });
  after(async () => {
    if (context.value) rmSync(context.value.outside, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('has a row for every command that takes arguments', () => {
    const commands = new Set(rows.map((r) => r[0]));
    for (const id of [
      'addManagedIdentityCredential',
      'addCredential',
      'editCredential',
      'deleteCredential',
      'copyCredential',
      'copyConsentUrl',
      'createAppRegistration',
      'addApiPermission',
      'scaffoldRunbook',
      'deployRunbook',
      'searchAppRegistrations',
      'selectTenant',
      'signIn',
    ]) {
      assert.ok(commands.has(id), id);
    }
    assert.ok(rows.length >= 60, `${rows.length} rows`);
  });

  for (const [command, what, args, expected] of rows) {
    it(`${command}: ${what}`, async () => {
      const c = context.value;
      const files = await workspaceFiles();
      const mark = await sandbox.mark();
      await assert.rejects(run(command, args(c)), (error: Error) => {
        assert.match(error.message, expected);
        assert.ok(error.message.length <= 500, `${error.message.length} characters`);
        assert.doesNotMatch(error.message, /\n\s+at |eyJ[A-Za-z0-9_-]{10,}/, 'no stack, no token');
        return true;
      });
      assert.deepEqual(writes(await sandbox.requests(mark)), [], 'nothing was written to Graph or ARM');
      assert.deepEqual(await workspaceFiles(), files, 'no file appeared in the workspace or changed');
      assert.deepEqual(readdirSync(c.outside), [], 'no file appeared outside the workspace');
    });
  }

  describe('search terms cannot change the query Graph receives', () => {
    after(async () => {
      await vscode.commands.executeCommand('federatedCredentials.clearSearch');
    });
    const terms = ["o'brien", 'say "hi"', 'R&D #1', '100% $top=1', 'a) OR ("b', "x' or appId ne '", '\\"displayName:*"'];
    for (const term of terms) {
      it(`searches for ${JSON.stringify(term)} inside one $search clause`, async () => {
        const mark = await sandbox.mark();
        await run('searchAppRegistrations', { query: term });
        const calls = (await sandbox.requests(mark)).filter((r) => r.area === 'graph' && r.path === '/graph/v1.0/applications');
        assert.equal(calls.length, 1, calls.map((r) => JSON.stringify(r.query)).join('\n'));
        const [call] = calls;
        assert.deepEqual(Object.keys(call!.query).sort(), ['$count', '$search', '$select', '$top']);
        assert.equal(call!.query.$search, `"displayName:${term.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`);
        assert.equal(call!.status, 200, 'Graph accepted the query');
        assert.deepEqual(writes(await sandbox.requests(mark)), []);
      });
    }
  });
});
