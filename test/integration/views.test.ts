// The two views against the sandbox tenant, as a person sees them (rendered tree items) and as
// Graph sees them (the sandbox's request log).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FederatedCredentialsApi } from '../../src/api';
import type { RenderedNode } from '../../src/tree/render';
import { sandbox } from './support/sandbox';

const EXTENSION_ID = 'federated-credentials.federated-credentials';
let api: FederatedCredentialsApi;

async function signedIn(): Promise<void> {
  await vscode.commands.executeCommand('fcSandbox.signIn');
  await vscode.commands.executeCommand('federatedCredentials.signIn', {});
}

function graphRequests(requests: Awaited<ReturnType<typeof sandbox.requests>>) {
  return requests.filter((r) => r.area === 'graph');
}

const apps = (nodes: RenderedNode[]) => nodes.filter((n) => n.contextValue?.includes('appRegistration'));

describe('Views (sandbox tenant)', function () {
  this.timeout(60_000);

  before(async () => {
    api = await vscode.extensions.getExtension<FederatedCredentialsApi>(EXTENSION_ID)!.activate();
    await vscode.workspace.getConfiguration('federatedCredentials').update('pageSize', 10, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await sandbox.clearFaults();
    await vscode.workspace.getConfiguration('federatedCredentials').update('pageSize', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows the welcome view (no items) when signed out', async () => {
    await vscode.commands.executeCommand('federatedCredentials.signOut');
    assert.equal(api.account(), undefined);
    assert.deepEqual(await api.views.appRegistrations.render(0), []);
    assert.deepEqual(await api.views.managedIdentities.render(0), []);
  });

  it('lists the first page of app registrations in one request, with credential counts', async () => {
    const mark = await sandbox.mark();
    await signedIn();
    await vscode.commands.executeCommand('federatedCredentials.refresh');
    const nodes = await api.views.appRegistrations.render(0);
    assert.equal(apps(nodes).length, 10);
    assert.equal(nodes.at(-1)?.label, 'Load more…');
    const listCalls = graphRequests(await sandbox.requests(mark)).filter((r) => r.method === 'GET' && r.path === '/graph/v1.0/applications');
    assert.ok(listCalls.length >= 1);
    for (const call of listCalls) {
      assert.equal(call.query.$top, '10');
      assert.match(call.query.$expand ?? '', /^federatedIdentityCredentials/);
    }
    assert.ok(apps(nodes).every((n) => /credential|single tenant|multi-tenant/.test(n.description ?? '')));
    assert.ok(
      apps(nodes).some((n) => /\d+ credentials?/.test(n.description ?? '')),
      'counts come with the page ($expand)',
    );
  });

  it('loads exactly one more page with "Load more"', async () => {
    const mark = await sandbox.mark();
    const count = await vscode.commands.executeCommand<number>('federatedCredentials.loadMore', { view: 'appRegistrations' });
    assert.equal(count, 20);
    assert.equal(apps(await api.views.appRegistrations.render(0)).length, 20);
    const calls = graphRequests(await sandbox.requests(mark)).filter((r) => r.method === 'GET' && r.path === '/graph/v1.0/applications');
    assert.equal(calls.length, 1, 'one request for one page');
    assert.ok(calls[0].query.$skiptoken, 'the next page follows @odata.nextLink');
  });

  it('searches on the server ($search with ConsistencyLevel: eventual) and shows the search in the view', async () => {
    const mark = await sandbox.mark();
    const nodes = await vscode.commands.executeCommand<RenderedNode[]>('federatedCredentials.searchAppRegistrations', { query: 'sync' });
    const call = graphRequests(await sandbox.requests(mark)).find((r) => r.path === '/graph/v1.0/applications');
    assert.ok(call, 'a Graph search request');
    assert.equal(call.query.$search, '"displayName:sync"');
    assert.equal(call.headers.consistencylevel, 'eventual');
    assert.ok(apps(nodes).length > 0);
    assert.ok(
      apps(nodes).every((n) => /sync/i.test(n.label)),
      nodes.map((n) => n.label).join(', '),
    );
    assert.deepEqual(api.views.appRegistrations.filter(), { search: 'sync', onlyMine: false });
  });

  it('keeps a quote in a search inside the search term', async () => {
    const mark = await sandbox.mark();
    await vscode.commands.executeCommand('federatedCredentials.searchAppRegistrations', { query: 'o"brien\' or 1' });
    const call = graphRequests(await sandbox.requests(mark)).find((r) => r.path === '/graph/v1.0/applications');
    assert.equal(call?.query.$search, '"displayName:o\\"brien\' or 1"');
    await vscode.commands.executeCommand('federatedCredentials.clearSearch');
    assert.deepEqual(api.views.appRegistrations.filter(), { search: undefined, onlyMine: false });
  });

  it('shows only the apps the user owns through /me/ownedObjects', async () => {
    const mark = await sandbox.mark();
    await vscode.commands.executeCommand('federatedCredentials.showOnlyMyApps');
    const calls = graphRequests(await sandbox.requests(mark));
    assert.ok(
      calls.some((r) => r.path === '/graph/v1.0/me/ownedObjects/microsoft.graph.application'),
      calls.map((r) => r.path).join(', '),
    );
    await vscode.commands.executeCommand('federatedCredentials.showAllApps');
  });

  it('expands an app into its federated credentials with their kinds', async () => {
    const { multiTenantApp, automationAccount } = sandbox.info();
    await api.views.managedIdentities.render(0); // identity names for credential labels
    let nodes = await api.views.appRegistrations.render(0);
    while (!nodes.some((n) => n.tooltip?.includes(multiTenantApp.appId)) && nodes.at(-1)?.label === 'Load more…') {
      await vscode.commands.executeCommand('federatedCredentials.loadMore', { view: 'appRegistrations' });
      nodes = await api.views.appRegistrations.render(0);
    }
    const app = (await api.views.appRegistrations.render(1)).find((n) => n.tooltip?.includes(multiTenantApp.appId));
    assert.ok(app, 'the multi-tenant app is listed');
    assert.match(app.description ?? '', /multi-tenant/);
    const credential = app.children?.find((c) => c.label === multiTenantApp.ficName);
    assert.ok(credential, `credential ${multiTenantApp.ficName} under the app: ${JSON.stringify(app.children)}`);
    assert.equal(credential.icon, 'azure');
    assert.match(credential.contextValue ?? '', /\bmanagedIdentity\b/);
    assert.match(credential.description ?? '', new RegExp(automationAccount.userAssigned.name));
    assert.match(credential.tooltip ?? '', new RegExp(automationAccount.userAssigned.principalId));
  });

  it('lists managed identities, user-assigned first; expanding one costs one request (no app listing), its count shows, its apps say whether Entra trusts it', async () => {
    const { automationAccount, multiTenantApp } = sandbox.info();
    await vscode.commands.executeCommand('federatedCredentials.refresh');
    const listed = await api.views.managedIdentities.render(0);
    const kinds = listed.filter((n) => n.contextValue?.includes('managedIdentity')).map((n) => (n.contextValue?.includes('userAssigned') ? 'user' : 'system'));
    assert.deepEqual(
      kinds,
      [...kinds].sort((a, b) => (a === b ? 0 : a === 'user' ? -1 : 1)),
      'user-assigned first',
    );
    const uami = listed.find((n) => n.label === automationAccount.userAssigned.name);
    assert.ok(uami, `identity ${automationAccount.userAssigned.name}: ${listed.map((n) => n.label).join(', ')}`);
    assert.equal(uami.description, 'user-assigned', 'no count before it is expanded (and no request for it)');
    const system = listed.find((n) => n.contextValue?.includes('systemAssigned') && n.description?.includes(automationAccount.name));
    assert.ok(system, "the Automation account's system-assigned identity names its account");

    // Expanding every listed identity: one request each, the subject filter with the advanced-query header; no app is listed.
    const mark = await sandbox.mark();
    const nodes = await api.views.managedIdentities.render(1);
    const calls = graphRequests(await sandbox.requests(mark));
    const identityCount = nodes.filter((n) => n.contextValue?.includes('managedIdentity')).length;
    assert.equal(calls.length, identityCount, calls.map((r) => `${r.path}?${JSON.stringify(r.query)}`).join('\n'));
    for (const call of calls) {
      assert.equal(call.path, '/graph/v1.0/applications');
      assert.match(call.query.$filter ?? '', /^federatedIdentityCredentials\/any\(f:f\/subject eq '[0-9a-f-]{36}'\)$/);
      assert.equal(call.query.$count, 'true');
      assert.equal(call.headers.consistencylevel, 'eventual');
      assert.equal(call.query.$expand, undefined);
    }
    const expanded = nodes.find((n) => n.label === automationAccount.userAssigned.name)!;
    const app = expanded.children?.find((c) => c.tooltip?.includes(multiTenantApp.appId));
    assert.ok(app, `the app that trusts it is under it: ${JSON.stringify(expanded.children)}`);
    const apps = expanded.children?.filter((c) => c.contextValue?.includes('trustingApp')).length ?? 0;
    // The item is drawn again with the count from that one answer, without another request.
    const again = await sandbox.mark();
    const redrawn = (await api.views.managedIdentities.render(0)).find((n) => n.label === automationAccount.userAssigned.name);
    assert.equal(redrawn?.description, `user-assigned · ${apps} app${apps === 1 ? '' : 's'}`);
    assert.equal(graphRequests(await sandbox.requests(again)).length, 0, 'the count comes from the answer kept');

    // Expanding the app under it: one request (its credentials), each naming the identity said to be trusted or not.
    const deeper = await sandbox.mark();
    const withCredentials = (await api.views.managedIdentities.render(3)).find((n) => n.label === automationAccount.userAssigned.name);
    const credential = withCredentials?.children
      ?.find((c) => c.tooltip?.includes(multiTenantApp.appId))
      ?.children?.find((c) => c.label === multiTenantApp.ficName);
    assert.ok(credential, JSON.stringify(withCredentials?.children));
    assert.equal(credential.description, 'trusts this identity');
    assert.equal(credential.icon, 'pass');
    const credentialCalls = graphRequests(await sandbox.requests(deeper));
    assert.ok(
      credentialCalls.every((r) => /^\/graph\/v1\.0\/applications\/[0-9a-f-]{36}\/federatedIdentityCredentials$/.test(r.path)),
      credentialCalls.map((r) => r.path).join(', '),
    );
    const allApps = nodes.flatMap((n) => n.children ?? []).filter((c) => c.contextValue?.includes('trustingApp')).length;
    assert.equal(credentialCalls.length, allApps, 'one request per expanded app (under every identity), none for the identities again');
  });

  it('an identity whose request fails shows an error node with Retry; drawn again it asks once more (one request) and shows its apps', async () => {
    const { automationAccount, multiTenantApp } = sandbox.info();
    await vscode.commands.executeCommand('federatedCredentials.refresh');
    await sandbox.setFaults([{ kind: 'throttle', pathPrefix: '/graph/v1.0/applications', retryAfterSeconds: 120 }]);
    const failed = (await api.views.managedIdentities.render(1)).find((n) => n.label === automationAccount.userAssigned.name);
    const error = failed?.children?.find((c) => c.contextValue === 'error');
    assert.ok(error, JSON.stringify(failed?.children));
    assert.equal(error.command, 'federatedCredentials.retry');
    await sandbox.clearFaults();
    assert.match(error.label, /throttl/i);
    // Retry (the error node's command) re-renders the identity: a failure is not kept, so it asks Graph again.
    const mark = await sandbox.mark();
    const recovered = (await api.views.managedIdentities.render(1)).find((n) => n.label === automationAccount.userAssigned.name);
    assert.ok(
      recovered?.children?.some((c) => c.tooltip?.includes(multiTenantApp.appId)),
      JSON.stringify(recovered?.children),
    );
    const calls = graphRequests(await sandbox.requests(mark)).filter((r) => r.query.$filter?.includes(automationAccount.userAssigned.principalId));
    assert.equal(calls.length, 1, 'one request for the identity retried');
  });

  it('shows an error node when Graph keeps failing, and Retry loads the page', async () => {
    await sandbox.setFaults([{ kind: 'throttle', pathPrefix: '/graph/v1.0/applications', retryAfterSeconds: 120 }]);
    await vscode.commands.executeCommand('federatedCredentials.refresh');
    const failed = await api.views.appRegistrations.render(0);
    const error = failed.find((n) => n.contextValue === 'error');
    assert.ok(error, JSON.stringify(failed));
    assert.match(error.label, /throttl/i);
    assert.equal(error.command, 'federatedCredentials.loadMore');
    await sandbox.clearFaults();
    await vscode.commands.executeCommand('federatedCredentials.loadMore', { view: 'appRegistrations' });
    const recovered = await api.views.appRegistrations.render(0);
    assert.equal(apps(recovered).length, 10);
    assert.equal(
      recovered.find((n) => n.contextValue === 'error'),
      undefined,
    );
  });
});
