// Hostile and malformed input, table-driven: every validator and argument parser a prompt or an
// arguments object reaches without VS Code, each row with the message a user (or a calling
// extension) must get. The same values go through the real commands in
// test/integration/hostileInputs.test.ts, which also checks that nothing was written.
import * as assert from 'node:assert/strict';
import { armRequestUrl } from '../../src/arm/armClient';
import { checkAutomationAccountId, checkRunbookName } from '../../src/arm/automation';
import { credentialArgs, displayNameProblem, searchArgument, tenantIdArgument } from '../../src/commands/arguments';
import { parseDeployArgs, parseScaffoldArgs, parseTenantList } from '../../src/commands/runbooks/args';
import { resolveOutputPath } from '../../src/commands/runbooks/paths';
import { IdentityStep, TargetTenantsStep, TemplateStep, type IdentityDirectory, type ScaffoldContext } from '../../src/commands/runbooks/scaffoldSteps';
import { AppListStep, CredentialNameStep, type AppContext, type NameContext } from '../../src/commands/steps';
import { AZURE_CLOUD, normaliseEndpoint } from '../../src/domain/clouds';
import { checkRedirectUri } from '../../src/domain/consentUrls';
import { checkAudiences, checkIssuer, checkName, checkSubject } from '../../src/domain/credentialRules';
import { appSearchQuery, encodeQuery, equalsFilter } from '../../src/domain/graphQuery';
import { parseTenant } from '../../src/domain/tenants';
import type { Finding, ValidationResult } from '../../src/domain/validation';
import type { GraphDirectory } from '../../src/graph/directory';
import type { AppRegistration } from '../../src/domain/model';
import { psSingleQuoted, pyStringLiteral, renderRunbook, validateRunbookOptions, type RunbookOptions } from '../../src/runbooks';
import { NoPromptUserInput } from '../../src/wizard/noPromptUserInput';
import type { PromptStep } from '../../src/wizard/wizard';
import { parseFilter, parseSearch } from '../../sandbox/graph/odata';
import type { SandboxRequest } from '../../sandbox/router';
import { ScriptedUserInput, type Answer } from '../support/scriptedUserInput';

const GUID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const SUB = '99999999-9999-4999-8999-999999999999';
const ACCOUNTS = `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.Automation/automationAccounts`;
const TEN_KB = 'a'.repeat(10_240);
const CRED_KEYS = ['app', 'credential', 'description', 'subject', 'issuer', 'audience', 'confirm', 'managedIdentity', 'tenant', 'permissions'] as const;

// --- how a row's outcome is read -------------------------------------------------------------------------------

/** The first error of a validator's findings, or its result; undefined when it accepts. */
function firstError(found: readonly Finding[] | ValidationResult): string | undefined {
  const list = 'errors' in found ? found.errors : found.filter((f) => f.severity === 'error');
  return list[0]?.message;
}

/** The message a call throws; undefined when it returns. */
async function thrown(run: () => unknown): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const args = (value: unknown) => () => credentialArgs(value, CRED_KEYS, { confirm: 'boolean', permissions: 'array' });

/** Runs one prompt step with scripted answers; the outcome is what the prompt's validation said of the last answer. */
async function prompt<C extends object>(step: PromptStep<C>, context: C, answers: Answer[]): Promise<string | undefined> {
  const ui = new ScriptedUserInput(answers);
  await step.prompt(context, ui, { step: 1, totalSteps: 1 }).catch(() => undefined);
  return ui.prompts.filter((p) => p.kind === 'input').at(-1)?.validation;
}

const noApps = { apps: { listApps: async () => ({ items: [] }), findApp: async () => undefined } } as unknown as GraphDirectory;
const appStep = () => new AppListStep<AppContext>(noApps, 'Add Credential');
const nameStep = () => new CredentialNameStep<NameContext>('Add Credential', () => undefined);
const app: AppRegistration = { id: GUID, appId: GUID, displayName: 'Contoso', signInAudience: 'AzureADMultipleOrgs', federatedIdentityCredentials: [] };
const identityDirectory: IdentityDirectory = { servicePrincipals: { find: async () => undefined }, apps: { listCredentials: async () => [] } };
const identityStep = () => new IdentityStep('Scaffold Runbook', () => identityDirectory, AZURE_CLOUD, GUID);

const outputPath =
  (path: string, folder = 'runbooks') =>
  () => {
    const r = resolveOutputPath({ root: '/home/me/project', folder, fileName: 'Invoke-FederatedGraph.ps1', extension: '.ps1', outputPath: path });
    return r.ok ? undefined : r.reason;
  };

const runbook: RunbookOptions = {
  template: 'powershell-rest',
  appClientId: GUID,
  homeTenantId: GUID,
  targetTenants: ['fabrikam.onmicrosoft.com'],
  identity: { kind: 'userAssigned', clientId: GUID },
  cloud: { loginUrl: AZURE_CLOUD.loginUrl, graphUrl: AZURE_CLOUD.graphUrl, tokenExchangeAudience: AZURE_CLOUD.tokenExchangeAudience },
  generatedOn: '2025-06-01',
};
const options = (change: Partial<RunbookOptions>) => () => {
  const r = validateRunbookOptions({ ...runbook, ...change });
  return r.ok ? undefined : r.problems[0];
};
/** A hostile display name is accepted and lands in the file as exactly one escaped literal. */
const escapedName = (value: string, template: 'powershell-rest' | 'python') => () => {
  const content = renderRunbook({ ...runbook, template, appDisplayName: value }).content;
  const literal = template === 'python' ? pyStringLiteral(value) : psSingleQuoted(value);
  assert.ok(content.includes(literal), `the file holds ${literal}`);
  return undefined;
};

/** The query string the Graph client sends for a search term, as Graph (the sandbox's parser) reads it back. */
const searchReadBack = (term: string) => () => {
  const query = new URLSearchParams(encodeQuery(appSearchQuery(term, { top: 100 }).params));
  assert.deepEqual([...query.keys()], ['$search', '$count', '$top'], 'no key was added or lost');
  const clauses = parseSearch({} as SandboxRequest, query.get('$search') ?? '', ['displayName']);
  assert.deepEqual(clauses, [[{ property: 'displayName', term: term.trim() }]], 'one clause, the exact term');
  return undefined;
};
const filterReadBack = (value: string) => () => {
  const query = new URLSearchParams(encodeQuery({ $filter: equalsFilter('appId', value), $select: 'id' }));
  assert.deepEqual([...query.keys()], ['$filter', '$select']);
  assert.deepEqual(parseFilter({} as SandboxRequest, query.get('$filter') ?? ''), { kind: 'cmp', op: 'eq', property: 'appId', value });
  return undefined;
};

type Row = readonly [area: string, input: string, run: () => unknown, expected: RegExp | null];

const rows: Row[] = [
  // --- ids: app object id / appId, credential id, identity object id -----------------------------------------
  ['id', 'app empty', args({ app: '' }), /^"app" must be the app registration's object id or application \(client\) id, a GUID; "" is not \(it is empty\)\.$/],
  ['id', 'app whitespace', args({ app: '   ' }), /a GUID; " {3}" is not \(it is only whitespace\)/],
  ['id', 'app with spaces around', args({ app: ` ${GUID} ` }), /is not \(remove the whitespace around it\)/],
  ['id', 'app not a GUID', args({ app: 'my-app' }), /a GUID; "my-app" is not\.$/],
  ['id', 'app GUID in braces', args({ app: `{${GUID}}` }), /is not \(remove the braces around it\)/],
  ['id', 'app GUID without hyphens', args({ app: GUID.replace(/-/g, '') }), /it has no hyphens/],
  ['id', 'app 10 KB', args({ app: TEN_KB }), /a GUID; "a{60}…" is not \(it has 10240 characters where a GUID has 36/],
  ['id', 'app Cyrillic look-alike', args({ app: GUID.replace('a', '\u0430') }), /"а" \(U\+0430\) only looks like a hexadecimal digit; a GUID is plain ASCII/],
  ['id', 'app en dash for hyphen', args({ app: GUID.replace('-', '\u2013') }), /"–" \(U\+2013\) only looks like a hyphen/],
  ['id', 'app full-width digit', args({ app: GUID.replace('7', '\uff17') }), /\(U\+FF17\) only looks like a hexadecimal digit/],
  ['id', 'app zero-width space', args({ app: `${GUID}\u200b` }), /it contains the invisible character "\\u200b" \(U\+200B\)/],
  ['id', 'app "g" in a GUID', args({ app: GUID.replace(/7$/, 'g') }), /"g" is not a hexadecimal digit, 0-9 or a-f/],
  ['id', 'app null', args({ app: null }), /^Argument "app" must be a string; got "null"\.$/],
  ['id', 'app number', args({ app: 42 }), /^Argument "app" must be a string; got "42"\.$/],
  ['id', 'app object', args({ app: { id: GUID } }), /^Argument "app" must be a string; got "\{\\"id\\":/],
  [
    'id',
    'arguments without a prototype are still arguments',
    args(Object.assign(Object.create(null) as object, { app: 'x' })),
    /^"app" must be the app registration's object id .* "x" is not\.$/,
  ],
  ['id', 'unknown key appId', args({ appId: GUID }), /^Unknown argument "appId"; this command takes app, credential, /],
  ['id', 'two unknown keys', args({ App: GUID, Credential: 'x' }), /^Unknown arguments "App", "Credential"; this command takes/],
  [
    'id',
    'managedIdentity not a GUID',
    args({ managedIdentity: 'aa-contoso' }),
    /^"managedIdentity" must be the identity's object \(principal\) id, a GUID; "aa-contoso" is not\.$/,
  ],
  ['id', 'managedIdentity with a newline', args({ managedIdentity: `${GUID}\n` }), /is not \(remove the whitespace around it\)/],
  ['id', 'managedIdentity array', args({ managedIdentity: [GUID] }), /^Argument "managedIdentity" must be a string; got /],
  ['id', 'credential empty', args({ credential: '' }), /^Argument "credential" must be the credential's id \(a GUID\) or its name; "" is empty\.$/],
  ['id', 'credential with a line break', args({ credential: 'gh-main\nrm' }), /contains the control character "\\n" \(U\+000A\)/],
  ['id', 'credential 10 KB', args({ credential: TEN_KB }), /has 10240 characters; a credential name has at most 120/],
  ['id', 'confirm as a string', args({ confirm: 'yes' }), /^Argument "confirm" must be true or false; got "yes"\.$/],
  ['id', 'permissions as a string', args({ permissions: 'User.Read.All' }), /^Argument "permissions" must be a list of strings; got "User\.Read\.All"\.$/],
  [
    'id',
    'typed app id in braces (prompt)',
    () => prompt(appStep(), {}, [/Enter an application/, `{${GUID}}`]),
    /^Enter the app's application \(client\) id or object id, a GUID; .* \(remove the braces around it\)\.$/,
  ],
  [
    'id',
    'typed app id unknown (prompt)',
    () => prompt(appStep(), {}, [/Enter an application/, GUID]),
    new RegExp(`^No app registration with id ${GUID} in this tenant\\.$`),
  ],
  [
    'id',
    'typed identity client id with a look-alike (prompt)',
    () => prompt(identityStep(), { app } as ScaffoldContext, [/Enter a user-assigned/, GUID.replace('c', '\u0441')]),
    /^A client id is a GUID; .*"с" \(U\+0441\) only looks like a hexadecimal digit/,
  ],
  [
    'id',
    'no app and no prompt (programmatic)',
    () => appStep().prompt({}, new NoPromptUserInput(), { step: 1, totalSteps: 1 }),
    /^Pass "app" in the arguments object: it is missing/,
  ],

  // --- tenants ----------------------------------------------------------------------------------------------
  [
    'tenant',
    'signIn tenant "common"',
    () => tenantIdArgument({ tenant: 'common' }),
    /^Argument "tenant" must be one tenant's id \(a GUID\); "common" is not a tenant but a sign-in audience/,
  ],
  ['tenant', 'selectTenant "Organizations"', () => tenantIdArgument({ tenant: 'Organizations' }), /"organizations" is not a tenant but a sign-in audience/],
  ['tenant', 'selectTenant "consumers"', () => tenantIdArgument({ tenant: 'consumers' }), /"consumers" is not a tenant/],
  [
    'tenant',
    'selectTenant a domain',
    () => tenantIdArgument({ tenant: 'contoso.onmicrosoft.com' }),
    /must be the tenant's id \(a GUID\), not a domain; for "contoso\.onmicrosoft\.com", use the tenant id/,
  ],
  ['tenant', 'selectTenant a number', () => tenantIdArgument({ tenant: 42 }), /^Argument "tenant" must be a tenant id, a GUID string; got "42"\.$/],
  [
    'tenant',
    'selectTenant injection',
    () => tenantIdArgument({ tenant: "x' or 1=1" }),
    /^Argument "tenant" must be a tenant id, a GUID; "x' or 1=1" is not\.$/,
  ],
  ['tenant', 'selectTenant tenantId key', () => tenantIdArgument({ tenantId: GUID }), /^Unknown argument "tenantId"; this command takes tenant\.$/],
  ['tenant', 'consent "common"', () => firstError(parseTenant('common').result), /Tenant "common" cannot be used for admin consent/],
  ['tenant', 'consent "consumers"', () => firstError(parseTenant('consumers').result), /personal Microsoft accounts, which have no administrator/],
  [
    'tenant',
    'consent "organizations" (warned, not refused)',
    () => parseTenant('organizations').result.warnings[0]?.message,
    /grants consent in the home tenant of whichever admin signs in/,
  ],
  ['tenant', 'consent with a scheme', () => firstError(parseTenant('https://contoso.com').result), /without a scheme; remove the "https:\/\/"/],
  ['tenant', 'consent an email', () => firstError(parseTenant('admin@contoso.com').result), /not an email address; use the part after "@"/],
  ['tenant', 'consent a single label', () => firstError(parseTenant('contoso').result), /"contoso" has no dot/],
  ['tenant', 'consent an IP address', () => firstError(parseTenant('127.0.0.1').result), /not an IP address/],
  [
    'tenant',
    'consent GUID in braces',
    () => firstError(parseTenant(`{${GUID}}`).result),
    /looks like a tenant id but is not a GUID .*\(remove the braces around it\)/,
  ],
  [
    'tenant',
    'consent GUID with a full-width digit',
    () => firstError(parseTenant(GUID.replace('7', '\uff17')).result),
    /looks like a tenant id .*\(U\+FF17\) only looks like a hexadecimal digit/,
  ],
  ['tenant', 'consent with a query', () => firstError(parseTenant('contoso.com?x=1&redirect_uri=evil').result), /contains "\?", "=", "&"/],
  [
    'tenant',
    'runbook target "common"',
    () => parseTenantList('fabrikam.com, common').error,
    /^"common" is not a tenant: name the customer tenant by its id or domain\.$/,
  ],
  [
    'tenant',
    'runbook target with a quote (prompt)',
    () => prompt(new TargetTenantsStep('Scaffold'), {}, ["contoso.com'; Remove-Item"]),
    /^"contoso\.com'" is neither a tenant id \(GUID\) nor a domain/,
  ],
  [
    'tenant',
    'runbook targets empty list',
    () => parseScaffoldArgs({ targetTenants: [] }),
    /^Argument "targetTenants" must be a list of tenant ids or domains; got "\[\]"\.$/,
  ],

  // --- names ------------------------------------------------------------------------------------------------
  ['name', 'credential name too short', () => firstError(checkName('ab')), /^Name must be 3 to 120 characters; "ab" has 2\.$/],
  ['name', 'credential name 121', () => firstError(checkName('n'.repeat(121))), /^Name must be 3 to 120 characters; "n{60}…" has 121\.$/],
  [
    'name',
    'credential name leading hyphen',
    () => firstError(checkName('-deploy')),
    /^Name must start with an ASCII letter or digit; "-deploy" starts with "-"\.$/,
  ],
  ['name', 'credential name with spaces', () => firstError(checkName('my credential')), /contains " "\.$/],
  ['name', 'credential name with slashes', () => firstError(checkName('repo/main\\x')), /contains "\/", "\\\\"\.$/],
  ['name', 'credential name with emoji', () => firstError(checkName('deploy🚀')), /contains "🚀" \(U\+1F680\)\.$/],
  ['name', 'credential name Cyrillic first letter', () => firstError(checkName('\u0430pp-cred')), /starts with "а" \(U\+0430\)\.$/],
  ['name', 'credential name zero-width space', () => firstError(checkName('app\u200bcred')), /contains "\\u200b" \(U\+200B\)\.$/],
  ['name', 'credential name with a line separator', () => firstError(checkName('ab\u2028cd')), /contains "\\u2028" \(U\+2028\)\.$/],
  [
    'name',
    'credential name taken (prompt)',
    () => prompt(nameStep(), { existing: [{ name: 'gh-main', issuer: 'https://i.example', subject: 's' }] }, ['gh-main']),
    /^A credential named "gh-main" already exists on this app\.$/,
  ],
  ['name', 'credential name with a colon (prompt)', () => prompt(nameStep(), {}, ['env:prod']), /contains ":"\.$/],
  ['name', 'credential name CON: a name, not a file, so accepted', () => firstError(checkName('CON')), null],
  ['name', 'runbook name starting with a digit', () => checkRunbookName('1-report'), /starts with a letter and has only letters, digits, "-" and "_"/],
  ['name', 'runbook name 64', () => checkRunbookName('r'.repeat(64)), /^At most 63 characters\.$/],
  ['name', 'app display name blank', () => displayNameProblem('   '), /^Enter a display name for the app registration\.$/],
  ['name', 'app display name with a line break', () => displayNameProblem('Payroll\nAdmin: granted'), /cannot contain the control character "\\n" \(U\+000A\)/],
  ['name', 'app display name 300', () => displayNameProblem('d'.repeat(300)), /at most 256 characters; this one has 300/],

  // --- URLs: issuer, redirect URI, endpoints ----------------------------------------------------------------
  ['url', 'issuer http', () => firstError(checkIssuer('http://issuer.example')), /^Issuer must be an https URL; "http:\/\/issuer\.example" uses http\.$/],
  ['url', 'issuer no host', () => firstError(checkIssuer('https://')), /is not a URL/],
  ['url', 'issuer https:///path', () => firstError(checkIssuer('https:///token.actions.githubusercontent.com')), /with a host name right after "https:\/\/"/],
  ['url', 'issuer backslashes', () => firstError(checkIssuer('https://issuer.example\\tenant')), /no backslashes/],
  ['url', 'issuer query', () => firstError(checkIssuer('https://issuer.example/?tenant=1')), /must not contain a query or fragment/],
  ['url', 'issuer fragment', () => firstError(checkIssuer('https://issuer.example/#x')), /must not contain a query or fragment/],
  ['url', 'issuer javascript:', () => firstError(checkIssuer('javascript:alert(1)')), /is not a URL\.$/],
  ['url', 'issuer leading whitespace', () => firstError(checkIssuer(' https://issuer.example')), /must not start or end with whitespace/],
  ['url', 'issuer trailing spaces', () => firstError(checkIssuer('https://issuer.example  ')), /must not start or end with whitespace/],
  [
    'url',
    'issuer inner newline',
    () => firstError(checkIssuer('https://issuer.example/a\nb')),
    /must not contain control or invisible characters .* "\\n" \(U\+000A\)/,
  ],
  ['url', 'issuer 601', () => firstError(checkIssuer(`https://issuer.example/${'x'.repeat(578)}`)), /must be at most 600 characters; .* has 601/],
  ['url', 'issuer user and password', () => firstError(checkIssuer('https://user:pass@issuer.example')), /must not contain a user name or password/],
  ['url', 'redirect URI http', () => firstError(checkRedirectUri('http://evil.example/cb')), /must use https \(http only for localhost/],
  ['url', 'redirect URI no host', () => firstError(checkRedirectUri('https:///cb')), /must have a host name right after "https:\/\/"/],
  ['url', 'redirect URI fragment', () => firstError(checkRedirectUri('https://app.example/cb#token')), /must not contain a fragment/],
  [
    'url',
    'custom cloud graphUrl no host',
    () => firstError(normaliseEndpoint('graphUrl', 'https:///graph').findings),
    /Custom cloud graphUrl must have a host name right after "https:\/\/"/,
  ],
  [
    'url',
    'custom cloud graphUrl without slashes',
    () => firstError(normaliseEndpoint('graphUrl', 'https:graph.microsoft.com').findings),
    /must be an absolute https URL/,
  ],

  // --- subjects -----------------------------------------------------------------------------------------------
  ['subject', 'empty', () => firstError(checkSubject('')), /^Subject is required\.$/],
  ['subject', 'only spaces', () => firstError(checkSubject('   ')), /^Subject must not be only whitespace\.$/],
  ['subject', '601', () => firstError(checkSubject('s'.repeat(601))), /^Subject must be at most 600 characters; "s{60}…" has 601\.$/],
  ['subject', 'trailing newline', () => firstError(checkSubject('repo:o/r:ref:refs/heads/main\n')), /must not start or end with whitespace/],
  [
    'subject',
    'inner newline',
    () => firstError(checkSubject('repo:o/r:environment:prod\nrepo:o/r:pull_request')),
    /Subject must not contain control or invisible characters .*"\\n" \(U\+000A\)/,
  ],
  [
    'subject',
    'next-line character (U+0085)',
    () => firstError(checkSubject('repo:o/r:ref:refs/heads/main\u0085x')),
    /the control character "\\u0085" \(U\+0085\)/,
  ],
  ['subject', 'NUL', () => firstError(checkSubject('system:serviceaccount:ns:sa\u0000')), /"\\u0000" \(U\+0000\)/],
  ['subject', 'right-to-left override', () => firstError(checkSubject('repo:o/r:ref:refs/heads/\u202enim')), /the invisible character "\\u202e" \(U\+202E\)/],

  // --- audiences ----------------------------------------------------------------------------------------------
  ['audience', 'empty list', () => firstError(checkAudiences([])), /exactly one value .*; 0 given\.$/],
  ['audience', 'too many', () => firstError(checkAudiences(['api://AzureADTokenExchange', 'api://other', 'api://third'])), /; 3 given\.$/],
  ['audience', 'duplicates', () => firstError(checkAudiences(['api://AzureADTokenExchange', 'api://AzureADTokenExchange'])), /; 2 given\.$/],
  ['audience', 'empty value', () => firstError(checkAudiences([''])), /^Audience is required\.$/],
  ['audience', '601', () => firstError(checkAudiences(['a'.repeat(601)])), /^Audience must be at most 600 characters/],
  ['audience', 'tab at the end', () => firstError(checkAudiences(['api://AzureADTokenExchange\t'])), /must not start or end with whitespace/],

  // --- file paths (scaffold outputPath and the folder setting) ------------------------------------------------
  ['path', '.. traversal', outputPath('../escape.ps1'), /^"outputPath" "\.\.\/escape\.ps1" is outside the workspace folder "\/home\/me\/project"/],
  ['path', 'nested .. traversal', outputPath('runbooks/../../escape.ps1'), /is outside the workspace folder/],
  ['path', 'backslash traversal', outputPath('..\\..\\escape.ps1'), /is outside the workspace folder/],
  ['path', 'absolute path elsewhere', outputPath('/etc/cron.daily/escape.ps1'), /is outside the workspace folder/],
  ['path', 'sibling folder with the same prefix', outputPath('/home/me/project-evil/x.ps1'), /is outside the workspace folder/],
  ['path', 'Windows drive elsewhere', outputPath('C:\\Windows\\System32\\x.ps1'), /is outside the workspace folder/],
  ['path', 'NUL byte', outputPath('runbooks/x\u0000.ps1'), /contains a control character/],
  ['path', 'reserved Windows name', outputPath('CON.ps1'), /"CON\.ps1" is a reserved device name on Windows/],
  ['path', 'reserved Windows folder', outputPath('runbooks/nul/x.ps1'), /"nul" is a reserved device name on Windows/],
  ['path', 'Windows-invalid character', outputPath('runbooks/a<b>.ps1'), /contains "<", which file names cannot hold on Windows/],
  ['path', 'folder ending with a dot', outputPath('ops./x.ps1'), /"ops\." ends with a dot or a space/],
  ['path', 'wrong extension', outputPath('runbooks/x.txt'), /^"outputPath" must name a \.ps1 file \(or a folder ending with "\/"\); got "runbooks\/x\.txt"\.$/],
  [
    'path',
    '10 KB path',
    outputPath(`${TEN_KB}.ps1`),
    /^"outputPath" "a{60}…" cannot be written: "a{60}…" is 10244 bytes long; a file or folder name has at most 255\.$/,
  ],
  [
    'path',
    'folder setting outside',
    outputPath(undefined as unknown as string, '../elsewhere'),
    /federatedCredentials\.runbooks\.folder "\.\.\/elsewhere" is outside the workspace folder/,
  ],
  ['path', 'outputPath empty', () => parseScaffoldArgs({ outputPath: '' }), /^Argument "outputPath" must be a non-empty string; got ""\.$/],

  // --- template values (scaffold) ----------------------------------------------------------------------------
  [
    'template',
    'scope with a quote',
    () => parseScaffoldArgs({ scope: "https://graph.microsoft.com/.default'; Remove-Item -Recurse ~" }),
    /^Argument "scope" must be one resource's "\/\.default" scope/,
  ],
  [
    'template',
    'scope with $()',
    () => parseScaffoldArgs({ scope: 'https://graph.microsoft.com/$(Get-Secret)/.default' }),
    /^Argument "scope" must name its resource as an https URL, an api:\/\/ URI or an app id/,
  ],
  [
    'template',
    'scope with backticks',
    () => parseScaffoldArgs({ scope: 'https://graph.microsoft.com/`whoami`/.default' }),
    /must name its resource as an https URL/,
  ],
  [
    'template',
    'scope with a newline',
    () => parseScaffoldArgs({ scope: 'https://graph.microsoft.com/.default\nInvoke-Evil' }),
    /must be one resource's "\/\.default" scope/,
  ],
  [
    'template',
    'scope with a here-string terminator',
    () => parseScaffoldArgs({ scope: "https://graph.microsoft.com/\n'@/.default" }),
    /must be one resource's "\/\.default" scope/,
  ],
  [
    'template',
    'scope with Python triple quotes',
    () => parseScaffoldArgs({ scope: 'https://graph.microsoft.com/"""/.default' }),
    /must name its resource as an https URL/,
  ],
  [
    'template',
    'target tenant with a double quote',
    options({ targetTenants: ['fabrikam.com"; import os'] }),
    /^target tenant "fabrikam\.com\\"; import os" is neither a tenant id \(GUID\) nor a domain/,
  ],
  [
    'template',
    'identity client id with a quote',
    options({ identity: { kind: 'userAssigned', clientId: "x'; exit" } }),
    /^identity\.clientId must be the user-assigned identity's client id \(a GUID, not its object id\)/,
  ],
  [
    'template',
    'app display name with a newline',
    options({ appDisplayName: "Payroll\n$env:SECRET = 'x'" }),
    /^appDisplayName contains the control character U\+000A\.$/,
  ],
  [
    'template',
    'provenance with a line separator',
    options({ provenance: { app: 'from\u2028Remove-Item' } }),
    /^provenance\.app contains the line separator U\+2028; a header line cannot hold it\.$/,
  ],
  [
    'template',
    'login URL with a query',
    options({ cloud: { ...runbook.cloud, loginUrl: 'https://login.example/?x=$(evil)' } }),
    /^cloud\.loginUrl must be an https URL .*\(no query, quotes or spaces\)/,
  ],
  [
    'template',
    'display name with $() and backticks, PowerShell: one escaped literal',
    escapedName("$(Remove-Item ~) `whoami` 'quoted'", 'powershell-rest'),
    null,
  ],
  ['template', 'display name with a here-string terminator, PowerShell', escapedName("'@ Invoke-Evil @'", 'powershell-rest'), null],
  ['template', 'display name with Python triple quotes', escapedName('""" + __import__("os").system("x") + """', 'python'), null],
  [
    'template',
    'template unknown',
    () => parseScaffoldArgs({ template: 'bash' }),
    /^Argument "template" must be one of powershell-tokenmagician, powershell-rest, python; got "bash"\.$/,
  ],
  [
    'template',
    'no template and no prompt (programmatic)',
    () => new TemplateStep('Scaffold').prompt({}, new NoPromptUserInput(), { step: 1, totalSteps: 1 }),
    /^Pass "template" in the arguments object/,
  ],
  [
    'template',
    'identity not a GUID',
    () => parseScaffoldArgs({ identity: 'id-runbooks' }),
    /^Argument "identity" must be \{ kind: 'userAssigned', clientId: '<GUID>' \}, 'systemAssigned', or a managed identity's object id \(GUID\); got "id-runbooks"\.$/,
  ],
  ['template', 'overwrite as a string', () => parseScaffoldArgs({ overwrite: 'yes' }), /^Argument "overwrite" must be true or false; got "yes"\.$/],

  // --- Automation account / resource ids -------------------------------------------------------------------
  [
    'resource',
    'a bare account name',
    () => checkAutomationAccountId('aa-contoso'),
    /^"automationAccount" must be an Automation account's resource id, \/subscriptions\/\{id\}\/resourceGroups\/\{group\}\/providers\/Microsoft\.Automation\/automationAccounts\/\{name\}; got "aa-contoso"\.$/,
  ],
  [
    'resource',
    'wrong provider',
    () => checkAutomationAccountId(`/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.Web/sites/aa-contoso`),
    /is a "Microsoft\.Web\/sites" resource\.$/,
  ],
  [
    'resource',
    'a runbook id, not the account',
    () => checkAutomationAccountId(`${ACCOUNTS}/aa-contoso/runbooks/Report`),
    /is a "Microsoft\.Automation\/automationAccounts\/runbooks" resource/,
  ],
  [
    'resource',
    'no resource group',
    () => checkAutomationAccountId(`/subscriptions/${SUB}/providers/Microsoft.Automation/automationAccounts/aa-contoso`),
    /must be an Automation account's resource id/,
  ],
  [
    'resource',
    'subscription not a GUID',
    () => checkAutomationAccountId('/subscriptions/prod/resourceGroups/rg-ops/providers/Microsoft.Automation/automationAccounts/aa-contoso'),
    /^"automationAccount": the subscription id in it must be a GUID; "prod" is not\.$/,
  ],
  [
    'resource',
    'resource group ..',
    () => checkAutomationAccountId(`/subscriptions/${SUB}/resourceGroups/../providers/Microsoft.Automation/automationAccounts/aa-contoso`),
    /the resource group name "\.\." is not valid/,
  ],
  ['resource', 'account name ..', () => checkAutomationAccountId(`${ACCOUNTS}/..`), /the account name "\.\." is not valid \(6 to 50 letters/],
  [
    'resource',
    'account name with a query',
    () => checkAutomationAccountId(`${ACCOUNTS}/aa-contoso?api-version=2015-01-01`),
    /the account name "aa-contoso\?api-version=2015-01-01" is not valid/,
  ],
  ['resource', 'account name too short', () => checkAutomationAccountId(`${ACCOUNTS}/aa`), /the account name "aa" is not valid/],
  [
    'resource',
    'account id not a string',
    () => checkAutomationAccountId({ id: ACCOUNTS }),
    /^"automationAccount" must be an Automation account's resource id \(a string\)/,
  ],
  [
    'resource',
    'ARM nextLink to another host',
    () => armRequestUrl('https://management.azure.com', 'https://evil.example/subscriptions?$skiptoken=1'),
    /^Refusing an Azure Resource Manager request to evil\.example\/subscriptions: it is outside the cloud's ARM endpoint management\.azure\.com/,
  ],
  [
    'resource',
    'ARM path climbing out of a custom root',
    () => armRequestUrl('https://127.0.0.1:8443/arm', '../graph/v1.0/me'),
    /^Refusing an Azure Resource Manager request to 127\.0\.0\.1:8443\/graph\/v1\.0\/me/,
  ],
  ['resource', 'deploy file a number', () => parseDeployArgs({ file: 42 }), /^Argument "file" must be a non-empty string; got "42"\.$/],
  ['resource', 'deploy unknown key', () => parseDeployArgs({ fiel: 'x.ps1' }), /^Unknown argument "fiel"; this command takes file, automationAccount/],

  // --- search and filter values: they cannot change the query -----------------------------------------------
  ['query', 'search with \' and "', searchReadBack('o\'brien" OR "displayName:x'), null],
  ['query', 'search with & and #', searchReadBack('R&D #1'), null],
  ['query', 'search with % and $', searchReadBack('100% $top=999'), null],
  ['query', 'search with ) and \\', searchReadBack('a) OR ("b\\'), null],
  ['query', 'filter value with a quote', filterReadBack("x' or appId ne '"), null],
  ['query', 'filter value with & # % $ )', filterReadBack("a&$top=1#')%20or%20(x"), null],
  ['query', 'search term not a string', () => searchArgument({ query: 42 }), /^Argument "query" must be a string; got "42"\.$/],
  [
    'query',
    'search term 300',
    () => searchArgument({ query: 'q'.repeat(300) }),
    /^Argument "query": A search term has at most 256 characters; this one has 300\.$/,
  ],
  ['query', 'search term with a line break', () => searchArgument({ query: 'web\napp' }), /cannot contain the control character "\\n"/],
  [
    'query',
    'search term with half a character',
    () => searchArgument({ query: 'web\ud800' }),
    /^Argument "query": A search term cannot contain a lone UTF-16 surrogate\.$/,
  ],
  [
    'query',
    'search value with half a character, built directly',
    () => encodeQuery(appSearchQuery('web\ud800').params),
    /The value of \$search contains a lone UTF-16 surrogate/,
  ],
  ['query', 'search key misspelt', () => searchArgument({ q: 'web' }), /^Unknown argument "q"; this command takes query\.$/],
  ['query', 'search without a query', () => searchArgument({}), /^Pass "query": a name/],
];

describe('hostile input: validators and argument parsers (table)', () => {
  it('has at least 60 rows, in every area', () => {
    assert.ok(rows.length >= 60, `${rows.length} rows`);
    assert.deepEqual([...new Set(rows.map((r) => r[0]))], ['id', 'tenant', 'name', 'url', 'subject', 'audience', 'path', 'template', 'resource', 'query']);
  });

  for (const [area, input, run, expected] of rows) {
    it(`${area}: ${input} → ${expected === null ? 'accepted' : expected.source.slice(0, 70)}`, async () => {
      const message = await thrown(async () => {
        const outcome = await run();
        if (typeof outcome === 'string') throw new Error(outcome);
      });
      if (expected === null) {
        assert.equal(message, undefined, 'accepted');
        return;
      }
      assert.ok(message !== undefined, 'refused');
      assert.match(message, expected);
      // A clear message is short, one line, and never echoes a huge value back.
      assert.ok(message.length <= 400, `${message.length} characters: ${message.slice(0, 120)}…`);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(message, /[\u0000-\u001f\u007f\u2028\u2029]/, 'no raw control character or line break');
      assert.doesNotMatch(message, /(.)\1{199}/, 'the input is cut, not repeated in full');
      assert.doesNotMatch(message, /^(Invalid input|Error|undefined)\.?$|\n\s+at /, 'not a generic message or a stack');
    });
  }
});
