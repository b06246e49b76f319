// Credential kinds of today in VS Code against the sandbox: a GitHub credential with an immutable
// subject and a flexible credential (preview, Graph beta) are created, listed in the tree and copied;
// an Azure DevOps service connection's credential is recognised. What the sandbox received is checked.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FederatedCredentialsApi } from '../../src/api';
import type { AppRegistration, FederatedCredential } from '../../src/domain/model';
import type { RenderedNode } from '../../src/tree/render';
import { sandbox } from './support/sandbox';

const EXTENSION_ID = 'federated-credentials.federated-credentials';
const run = <T>(command: string, args: Record<string, unknown>) => Promise.resolve(vscode.commands.executeCommand<T>(`federatedCredentials.${command}`, args));
const graphWrites = async (mark: number) => (await sandbox.requests(mark)).filter((r) => r.area === 'graph' && r.method !== 'GET');
const EXPRESSION = "claims['sub'] matches 'repo:contoso/payments-api:ref:refs/heads/*' and claims['repository_id'] eq '821093847'";
/** addCredential's arguments for a flexible GitHub credential on the app. */
const flexible = (app: string, name: string, claimsMatchingExpression = EXPRESSION) => ({
  app,
  kind: 'flexible',
  issuer: 'https://token.actions.githubusercontent.com',
  claimsMatchingExpression,
  name,
});

describe('Credential kinds of today (sandbox, in VS Code)', function () {
  this.timeout(60_000);
  let api: FederatedCredentialsApi;
  let app: AppRegistration;
  const config = () => vscode.workspace.getConfiguration('federatedCredentials');

  /** The app's node in the App Registrations view, with its credentials rendered. */
  async function appNode(): Promise<RenderedNode> {
    await vscode.commands.executeCommand('federatedCredentials.searchAppRegistrations', { query: 'Kinds Today' });
    const node = (await api.views.appRegistrations.render(1)).find((n) => n.tooltip?.includes(app.appId));
    assert.ok(node, 'the app is listed');
    return node;
  }

  before(async () => {
    api = await vscode.extensions.getExtension<FederatedCredentialsApi>(EXTENSION_ID)!.activate();
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
    app = await run<AppRegistration>('createAppRegistration', { displayName: 'Kinds Today App' });
  });

  after(async () => {
    await config().update('preview.flexibleCredentials', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('federatedCredentials.clearSearch');
  });

  it('creates a GitHub credential with an immutable subject, shows it readably in the tree and copies it', async () => {
    const mark = await sandbox.mark();
    const credential = await run<FederatedCredential>('addCredential', {
      app: app.id,
      kind: 'githubActions',
      organization: 'contoso',
      repository: 'payments-api',
      ownerId: '5544123',
      repositoryId: '821093847',
      entity: 'branch',
      value: 'main',
      name: 'gh-payments-main',
    });
    assert.equal(credential.subject, 'repo:contoso@5544123/payments-api@821093847:ref:refs/heads/main');
    const posts = (await graphWrites(mark)).filter((r) => r.method === 'POST');
    assert.deepEqual(
      posts.map((p) => [p.path, (p.body as { subject: string }).subject]),
      [[`/graph/v1.0/applications/${app.id}/federatedIdentityCredentials`, credential.subject]],
    );

    const node = (await appNode()).children?.find((c) => c.label === 'gh-payments-main');
    assert.ok(node);
    assert.equal(node.icon, 'github');
    assert.equal(node.description, 'GitHub Actions: contoso/payments-api (immutable: owner 5544123, repo 821093847) · branch main');

    const json = JSON.parse(await run<string>('copyCredential', { app: app.id, credential: 'gh-payments-main', format: 'json' }));
    assert.equal(json.subject, credential.subject);
    assert.equal(await vscode.env.clipboard.readText(), JSON.stringify(json, null, 2));
    assert.ok((await run<string>('copyCredential', { app: app.id, credential: 'gh-payments-main', format: 'azureCli' })).includes(credential.subject));
  });

  it("recognises an Azure DevOps service connection's credential (Entra issuer) as Azure DevOps", async () => {
    const info = sandbox.info();
    const organizationId = '16b3c013-d300-468d-ac64-7eda0820b6d3';
    const connectionId = 'ff882432-09b0-437b-bd22-ca13c0037ded';
    await run<FederatedCredential>('addCredential', {
      app: app.id,
      kind: 'otherIssuer',
      issuer: info.homeTenant.issuer,
      subject: `/eid1/c/pub/t/E8CzFgDTjUasZH7aCCC20w/a/rISbSSETf0KqFyZ8ppdXmA/sc/${organizationId}/${connectionId}`,
      name: 'ado-prod-connection',
    });
    const node = (await appNode()).children?.find((c) => c.label === 'ado-prod-connection');
    assert.equal(node?.icon, 'azure-devops');
    assert.equal(node?.description, `Azure DevOps: service connection ${connectionId} (organization ${organizationId}, Entra issuer)`);
    assert.match(node?.contextValue ?? '', /\bazureDevOps\b/);
  });

  it('a flexible credential is refused before any write while the preview setting is off', async () => {
    const mark = await sandbox.mark();
    await assert.rejects(run('addCredential', flexible(app.id, 'flex-payments')), /Turn on the setting "federatedCredentials\.preview\.flexibleCredentials"/);
    assert.deepEqual(await graphWrites(mark), []);
  });

  it('with the preview on: creates a flexible credential through beta; the tree still lists the app (v1.0 breaks, beta is read) and shows it; it is copied and edited', async () => {
    await config().update('preview.flexibleCredentials', true, vscode.ConfigurationTarget.Global);
    const mark = await sandbox.mark();
    await assert.rejects(
      run('addCredential', flexible(app.id, 'flex-bad', "claims['sub'] eq 'x'")),
      /must also test claims\['repository_id'\] or claims\['repository_owner_id'\]/,
    );
    assert.deepEqual(await graphWrites(mark), [], 'a wrong expression is refused before the request');

    const credential = await run<FederatedCredential>('addCredential', flexible(app.id, 'flex-payments'));
    assert.deepEqual(credential.claimsMatchingExpression, { value: EXPRESSION, languageVersion: 1 });
    const post = (await graphWrites(mark)).find((r) => r.method === 'POST');
    assert.equal(post?.path, `/graph/beta/applications/${app.id}/federatedIdentityCredentials`);

    const readMark = await sandbox.mark();
    await vscode.commands.executeCommand('federatedCredentials.refresh');
    const node = await appNode();
    const shown = node.children?.find((c) => c.label === 'flex-payments');
    assert.ok(shown, `listed: ${JSON.stringify(node.children?.map((c) => c.label))}`);
    assert.equal(shown.description, `GitHub Actions: flexible: ${EXPRESSION}`);
    assert.match(shown.contextValue ?? '', /\bflexible\b/);
    assert.match(shown.tooltip ?? '', /Claims matching expression/);
    assert.ok(
      node.children?.some((c) => c.label === 'gh-payments-main'),
      'the other credentials are there too',
    );
    const reads = (await sandbox.requests(readMark)).filter((r) => r.area === 'graph' && r.method === 'GET').map((r) => r.path);
    // A search lists apps without their credentials, so the node reads them: v1.0 breaks on the flexible one, beta answers.
    const v1 = reads.findIndex((p) => p === `/graph/v1.0/applications/${app.id}/federatedIdentityCredentials`);
    const beta = reads.findIndex((p) => p === `/graph/beta/applications/${app.id}/federatedIdentityCredentials`);
    assert.ok(v1 >= 0 && beta > v1, `v1.0 broke on the flexible credential and beta was read: ${reads.join(', ')}`);

    const json = JSON.parse(await run<string>('copyCredential', { app: app.id, credential: 'flex-payments', format: 'json' }));
    assert.deepEqual(json.claimsMatchingExpression, { value: EXPRESSION, languageVersion: 1 });
    assert.equal(json.subject, undefined);
    assert.match(
      await run<string>('copyCredential', { app: app.id, credential: 'flex-payments', format: 'azureCli' }),
      /az rest --method POST --url '.*\/beta\/applications\//,
    );
    assert.match(await run<string>('copyCredential', { app: app.id, credential: 'flex-payments', format: 'bicep' }), /federatedIdentityCredentials@beta/);

    const editMark = await sandbox.mark();
    const next = "claims['sub'] matches 'repo:contoso/payments-api:environment:*' and claims['repository_id'] eq '821093847'";
    const edited = await run<FederatedCredential>('editCredential', { app: app.id, credential: 'flex-payments', claimsMatchingExpression: next });
    assert.equal(edited.claimsMatchingExpression?.value, next);
    const patch = (await graphWrites(editMark)).find((r) => r.method === 'PATCH');
    assert.match(patch?.path ?? '', /^\/graph\/beta\/applications\//);
    assert.deepEqual(patch?.body, { claimsMatchingExpression: { value: next, languageVersion: 1 } });
    await assert.rejects(
      run('editCredential', { app: app.id, credential: 'flex-payments', subject: 'repo:x/y:pull_request' }),
      /change "claimsMatchingExpression", not "subject"/,
    );
  });
});
