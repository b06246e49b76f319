// The real Azure CLI (Debian's azure-cli 2.45), unchanged, against the sandbox: each command succeeds or
// fails as it would against Azure. See azureCli.ts for how it reaches the sandbox.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { AzureCliWorld, canRunAzureCli, ensureAzureCli, type AzResult } from './azureCli';

const spawnSleep = (seconds: number) => spawnSync('sleep', [String(seconds)]);

const ok = (r: AzResult, what: string) => assert.equal(r.status, 0, `${what}: ${r.stderr || r.stdout}`);
const refused = (r: AzResult, message: RegExp) => {
  assert.notEqual(r.status, 0, `expected a refusal, got: ${r.stdout}`);
  assert.match(r.stderr, message);
};

describe('the real Azure CLI against the sandbox', function () {
  this.timeout(600_000);
  const world = new AzureCliWorld();
  let app: string;

  before(async function () {
    const can = canRunAzureCli();
    if (!can.ok) throw new Error(`The Azure CLI group cannot run here: ${can.why}. It runs as root (CI does).`);
    ensureAzureCli();
    await world.start();
  });
  after(() => world.stop());

  it('signs in as a service principal and as a user (ROPC), and shows the account and a token', () => {
    const { info } = world;
    const sp = world.az([
      'login',
      '--service-principal',
      '-u',
      info.confidentialClient.clientId,
      '-p',
      info.confidentialClient.clientSecret,
      '--tenant',
      info.homeTenant.id,
      '-o',
      'json',
    ]);
    ok(sp, 'az login --service-principal');
    const accounts = sp.json as Array<{ tenantId: string; user: { type: string }; cloudName: string }>;
    assert.equal(accounts[0]?.tenantId, info.homeTenant.id);
    assert.equal(accounts[0]?.user.type, 'servicePrincipal');
    assert.equal(accounts[0]?.cloudName, 'AzureCloud', 'the public cloud, as the CLI ships');
    const shown = world.az(['account', 'show', '-o', 'json']);
    ok(shown, 'az account show');
    assert.equal((shown.json as { tenantId: string }).tenantId, info.homeTenant.id);
    const token = world.az(['account', 'get-access-token', '--resource', 'https://graph.microsoft.com', '-o', 'json']);
    ok(token, 'az account get-access-token');
    assert.equal((token.json as { tokenType: string }).tokenType, 'Bearer');

    const user = world.az(['login', '-u', info.admins.home.username, '-p', info.admins.home.password, '--allow-no-subscriptions', '-o', 'json'], 'user');
    ok(user, 'az login -u -p');
    const me = world.az(['ad', 'signed-in-user', 'show', '--query', 'userPrincipalName', '-o', 'tsv'], 'user');
    ok(me, 'az ad signed-in-user show');
    assert.equal(me.stdout.trim(), info.admins.home.username);
    refused(world.az(['login', '-u', info.admins.home.username, '-p', 'wrong-password', '--allow-no-subscriptions'], 'wrong'), /AADSTS50126/);
  });

  it('az ad app: create, show, update, permission add, list, credential reset', () => {
    const created = world.az(['ad', 'app', 'create', '--display-name', 'cli-app', '--sign-in-audience', 'AzureADMultipleOrgs', '-o', 'json']);
    ok(created, 'az ad app create');
    app = (created.json as { appId: string }).appId;
    assert.match(app, /^[0-9a-f-]{36}$/);
    const shown = world.az(['ad', 'app', 'show', '--id', app, '--query', 'signInAudience', '-o', 'tsv']);
    ok(shown, 'az ad app show');
    assert.equal(shown.stdout.trim(), 'AzureADMultipleOrgs');
    ok(world.az(['ad', 'app', 'update', '--id', app, '--web-home-page-url', 'https://cli.example.com']), 'az ad app update');
    assert.equal(world.az(['ad', 'app', 'show', '--id', app, '--query', 'web.homePageUrl', '-o', 'tsv']).stdout.trim(), 'https://cli.example.com');
    ok(
      world.az([
        'ad',
        'app',
        'permission',
        'add',
        '--id',
        app,
        '--api',
        '00000003-0000-0000-c000-000000000000',
        '--api-permissions',
        'df021288-bdef-4463-88db-98f22de89214=Role',
      ]),
      'az ad app permission add',
    );
    const access = world.az(['ad', 'app', 'show', '--id', app, '--query', 'requiredResourceAccess[0].resourceAccess[0].id', '-o', 'tsv']);
    assert.equal(access.stdout.trim(), 'df021288-bdef-4463-88db-98f22de89214');
    const listed = world.az(['ad', 'app', 'list', '--display-name', 'cli-app', '--query', '[].appId', '-o', 'json']);
    ok(listed, 'az ad app list --display-name');
    assert.deepEqual(listed.json, [app]);
    const reset = world.az(['ad', 'app', 'credential', 'reset', '--id', app, '-o', 'json']);
    ok(reset, 'az ad app credential reset');
    assert.equal((reset.json as { appId: string }).appId, app);
    assert.equal(typeof (reset.json as { password: string }).password, 'string');
  });

  it('az ad sp: create, show, list by service principal name; a second create is refused as Graph refuses it', () => {
    const created = world.az(['ad', 'sp', 'create', '--id', app, '--query', 'appId', '-o', 'tsv']);
    ok(created, 'az ad sp create');
    assert.equal(created.stdout.trim(), app);
    assert.equal(world.az(['ad', 'sp', 'show', '--id', app, '--query', 'displayName', '-o', 'tsv']).stdout.trim(), 'cli-app');
    const bySpn = world.az(['ad', 'sp', 'list', '--spn', app, '--query', '[].appId', '-o', 'json']);
    ok(bySpn, 'az ad sp list --spn');
    assert.deepEqual(bySpn.json, [app]);
    refused(world.az(['ad', 'sp', 'create', '--id', app]), /already in use/);
  });

  it('az ad app federated-credential: create, list, show, update, delete, and the refusals Graph gives', () => {
    const params = (name: string, subject: string, audiences = ['api://AzureADTokenExchange']) =>
      JSON.stringify({ name, issuer: 'https://token.actions.githubusercontent.com', subject, audiences });
    const fc = (...args: string[]) => world.az(['ad', 'app', 'federated-credential', ...args, '--id', app]);
    ok(fc('create', '--parameters', params('gh-main', 'repo:contoso/app:ref:refs/heads/main')), 'create');
    assert.deepEqual(fc('list', '--query', '[].name', '-o', 'json').json, ['gh-main']);
    assert.equal(fc('show', '--federated-credential-id', 'gh-main', '--query', 'subject', '-o', 'tsv').stdout.trim(), 'repo:contoso/app:ref:refs/heads/main');
    ok(fc('update', '--federated-credential-id', 'gh-main', '--parameters', params('gh-main', 'repo:contoso/app:environment:prod')), 'update');
    assert.equal(fc('show', '--federated-credential-id', 'gh-main', '--query', 'subject', '-o', 'tsv').stdout.trim(), 'repo:contoso/app:environment:prod');
    refused(fc('create', '--parameters', params('bad name', 's')), /not a valid URI last segment/);
    refused(fc('create', '--parameters', params('two-aud', 's', ['a', 'b'])), /exactly one audience/);
    refused(fc('create', '--parameters', params('gh-main', 'repo:contoso/app:pull_request')), /FederatedIdentityCredential with name gh-main already exists/);
    refused(fc('create', '--parameters', params('same-pair', 'repo:contoso/app:environment:prod')), /combination of issuer and subject must be unique/);
    for (let i = 2; i <= 20; i++) ok(fc('create', '--parameters', params(`fic-${i}`, `repo:contoso/app:environment:e${i}`)), `create ${i}`);
    refused(fc('create', '--parameters', params('fic-21', 'repo:contoso/app:environment:e21')), /maximum number of federated identity credentials \(20\)/);
    ok(fc('delete', '--federated-credential-id', 'gh-main'), 'delete');
    assert.equal((fc('list', '--query', 'length(@)', '-o', 'json').json as number) ?? -1, 19);
  });

  it('az rest: Graph paging through @odata.nextLink and $batch; Automation runbooks through ARM', () => {
    const first = world.az(['rest', '--method', 'get', '--url', 'https://graph.microsoft.com/v1.0/applications?$top=2&$select=id', '-o', 'json']);
    ok(first, 'az rest page 1');
    const page1 = first.json as { value: unknown[]; '@odata.nextLink': string };
    assert.equal(page1.value.length, 2);
    assert.match(page1['@odata.nextLink'], /^https:\/\/graph\.microsoft\.com\/v1\.0\/applications\?/, 'the nextLink names the host the CLI called');
    const second = world.az(['rest', '--method', 'get', '--url', page1['@odata.nextLink'], '-o', 'json']);
    ok(second, 'az rest nextLink');
    assert.equal((second.json as { value: unknown[] }).value.length, 2);
    const batch = world.az([
      'rest',
      '--method',
      'post',
      '--url',
      'https://graph.microsoft.com/v1.0/$batch',
      '--body',
      JSON.stringify({ requests: [{ id: '1', method: 'GET', url: `/applications(appId='${app}')?$select=displayName` }] }),
      '-o',
      'json',
    ]);
    ok(batch, 'az rest $batch');
    const answer = (batch.json as { responses: Array<{ status: number; body: { displayName: string } }> }).responses[0];
    assert.deepEqual([answer?.status, answer?.body.displayName], [200, 'cli-app']);

    const account = world.info.automationAccount.id;
    const url = (path: string) => `https://management.azure.com${account}${path}?api-version=2024-10-23`;
    ok(
      world.az([
        'rest',
        '--method',
        'put',
        '--url',
        url('/runbooks/Cli-Runbook'),
        '--body',
        JSON.stringify({ location: 'westeurope', properties: { runbookType: 'PowerShell', runtimeEnvironment: 'PowerShell-7.2', draft: {} } }),
      ]),
      'az rest PUT runbook',
    );
    ok(
      world.az([
        'rest',
        '--method',
        'put',
        '--url',
        url('/runbooks/Cli-Runbook/draft/content'),
        '--headers',
        'Content-Type=text/powershell',
        '--body',
        "Write-Output 'from the CLI'",
      ]),
      'az rest PUT draft',
    );
    ok(world.az(['rest', '--method', 'post', '--url', url('/runbooks/Cli-Runbook/publish')]), 'az rest POST publish (202, a long-running operation)');
    // az rest does not follow the operation; the runbook shows it once Azure has completed it.
    let state = '';
    for (let i = 0; i < 20 && state !== 'Published'; i++) {
      state = world.az(['rest', '--method', 'get', '--url', url('/runbooks/Cli-Runbook'), '--query', 'properties.state', '-o', 'tsv']).stdout.trim();
      if (state !== 'Published') spawnSleep(1);
    }
    assert.equal(state, 'Published', 'the publish operation completed');
    const names = world.az(['rest', '--method', 'get', '--url', url('/runbooks'), '--query', 'value[].name', '-o', 'json']);
    ok(names, 'az rest GET runbooks');
    assert.ok((names.json as string[]).includes('Cli-Runbook'));
  });

  it('az group, identity, resource and provider reads', () => {
    const groups = world.az(['group', 'list', '--query', '[].name', '-o', 'json']);
    ok(groups, 'az group list');
    assert.ok((groups.json as string[]).includes('rg-automation'));
    const group = world.info.automationAccount.id.split('/')[4] as string;
    ok(world.az(['group', 'show', '-n', group]), 'az group show');
    const identities = world.az(['identity', 'list', '--query', '[].name', '-o', 'json']);
    ok(identities, 'az identity list');
    assert.ok((identities.json as string[]).includes(world.info.automationAccount.userAssigned.name));
    const identity = world.az(['identity', 'show', '--ids', world.info.automationAccount.userAssigned.id, '--query', 'principalId', '-o', 'tsv']);
    ok(identity, 'az identity show');
    assert.equal(identity.stdout.trim(), world.info.automationAccount.userAssigned.principalId);
    const resources = world.az(['resource', 'list', '--resource-type', 'Microsoft.Automation/automationAccounts', '--query', '[].id', '-o', 'json']);
    ok(resources, 'az resource list');
    assert.deepEqual(
      (resources.json as string[]).map((id) => id.toLowerCase()),
      [world.info.automationAccount.id.toLowerCase()],
    );
    const provider = world.az(['provider', 'show', '-n', 'Microsoft.ManagedIdentity', '--query', 'registrationState', '-o', 'tsv']);
    ok(provider, 'az provider show');
    assert.equal(provider.stdout.trim(), 'Registered');
  });

  it('az ad app delete', () => {
    ok(world.az(['ad', 'app', 'delete', '--id', app]), 'az ad app delete');
    refused(world.az(['ad', 'app', 'show', '--id', app]), /not exist|not found|Request_ResourceNotFound/i);
  });
});
