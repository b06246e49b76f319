// Expired tokens refreshed once (issue 9), inside real VS Code: signed in through the fc-sandbox
// authentication provider, the sandbox's expiry knob makes Graph and ARM refuse every token issued so far.
// Refreshing the App Registrations view (Graph) and deploying a runbook (ARM) still succeed: the extension
// gets one fresh token from VS Code's authentication API (the provider redeems its refresh token for a token
// the sandbox refused) and retries the refused request once. The request log shows exactly that.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FederatedCredentialsApi } from '../../src/api';
import type { DeployResult } from '../../src/commands/runbooks/deployRunbook';
import type { RenderedNode } from '../../src/tree/render';
import { sandbox } from './support/sandbox';

const EXTENSION_ID = 'federated-credentials.federated-credentials';
type Logged = Awaited<ReturnType<typeof sandbox.requests>>;

const apps = (nodes: RenderedNode[]) => nodes.filter((n) => n.contextValue?.includes('appRegistration'));
/** Token requests the provider made by redeeming a refresh token, for scopes matching `resource`. */
const refreshes = (log: Logged, resource: RegExp) =>
  log.filter(
    (r) =>
      r.area === 'login' &&
      /\/oauth2\/v2\.0\/token$/.test(r.path) &&
      (r.body as Record<string, string>)?.grant_type === 'refresh_token' &&
      resource.test((r.body as Record<string, string>).scope ?? ''),
  );
const calls = (log: Logged, area: 'graph' | 'arm') => log.filter((r) => r.area === area).map((r) => `${r.method} ${r.path} ${r.status}`);

describe('Expired tokens are refreshed once (sandbox, in VS Code)', function () {
  this.timeout(120_000);
  let api: FederatedCredentialsApi;
  let runbookFile: string | undefined;
  const info = () => sandbox.info();
  const run = <T>(command: string, args: Record<string, unknown>) =>
    Promise.resolve(vscode.commands.executeCommand<T>(`federatedCredentials.${command}`, args));

  before(async () => {
    api = await vscode.extensions.getExtension<FederatedCredentialsApi>(EXTENSION_ID)!.activate();
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
  });
  afterEach(async () => {
    await sandbox.liftTokenExpiry();
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('refreshing the App Registrations view after the Graph token expired: one fresh token, one retried request', async () => {
    await vscode.commands.executeCommand('federatedCredentials.refresh');
    assert.ok(apps(await api.views.appRegistrations.render(0)).length > 0, 'the view lists apps before the tokens expire');

    await sandbox.expireTokens();
    const mark = await sandbox.mark();
    await vscode.commands.executeCommand('federatedCredentials.refresh');
    const nodes = await api.views.appRegistrations.render(0);
    assert.ok(apps(nodes).length > 0, `the view lists apps after the tokens expired: ${JSON.stringify(nodes.map((n) => n.label))}`);

    const log = await sandbox.requests(mark);
    const list = calls(log, 'graph').filter((c) => c.startsWith('GET /graph/v1.0/applications '));
    assert.deepEqual(list, ['GET /graph/v1.0/applications 401', 'GET /graph/v1.0/applications 200'], calls(log, 'graph').join('\n'));
    assert.equal(refreshes(log, /\/graph\//).length, 1, 'the provider redeemed its refresh token once');
    // Requests sent with the old token at the same time (the view loads more than the list) are each retried once too.
    const graph = calls(log, 'graph');
    graph.forEach((c, i) => {
      if (c.endsWith(' 401'))
        assert.equal(
          graph.slice(i + 1).find((d) => d.startsWith(c.replace(/ 401$/, ' '))),
          c.replace(/ 401$/, ' 200'),
          graph.join('\n'),
        );
    });
  });

  it('deploying a runbook after the ARM token expired: the refused ARM request is retried once and the deploy succeeds', async () => {
    const { multiTenantApp, customerTenant, automationAccount } = info();
    const file = (runbookFile = await run<string>('scaffoldRunbook', {
      app: multiTenantApp.appId,
      template: 'python',
      targetTenants: [customerTenant.domain],
      identity: { kind: 'userAssigned', clientId: automationAccount.userAssigned.clientId },
      outputPath: 'sandbox/Expiry-Check.py',
      overwrite: true,
    }));
    // A first deploy caches an ARM token in the extension's pipeline.
    const draft = await run<DeployResult>('deployRunbook', { file, automationAccount: automationAccount.id, runbookName: 'Expiry-Check' });
    assert.equal(draft.runbookId, `${automationAccount.id}/runbooks/Expiry-Check`);

    await sandbox.expireTokens();
    const mark = await sandbox.mark();
    const published = await run<DeployResult>('deployRunbook', { file, automationAccount: automationAccount.id, runbookName: 'Expiry-Check', publish: true });
    assert.equal(published.state, 'Published');

    const log = await sandbox.requests(mark);
    const armCalls = calls(log, 'arm');
    assert.match(armCalls[0] ?? '', / 401$/, armCalls.join('\n'));
    assert.equal(armCalls[1], armCalls[0]!.replace(/ 401$/, ' 200'), 'the refused request is sent once more and succeeds');
    assert.equal(armCalls.filter((c) => c.endsWith(' 401')).length, 1, 'only the first ARM request was refused');
    assert.equal(refreshes(log, /\/arm\//).length, 1, 'the provider redeemed its refresh token once');
  });

  it('when the fresh token is refused too, the command fails after one retry and says to sign in again', async () => {
    assert.ok(runbookFile, 'the previous test scaffolded the runbook');
    await sandbox.expireTokens(120);
    const mark = await sandbox.mark();
    const { automationAccount } = info();
    await assert.rejects(
      run('deployRunbook', { file: runbookFile, automationAccount: automationAccount.id, runbookName: 'Expiry-Check', publish: true }),
      /sign-in has expired.*sign in again/i,
    );
    const armCalls = calls(await sandbox.requests(mark), 'arm');
    assert.equal(armCalls.length, 2, armCalls.join('\n'));
    assert.ok(armCalls.every((c) => c.endsWith(' 401')) && armCalls[0] === armCalls[1], armCalls.join('\n'));
  });
});
