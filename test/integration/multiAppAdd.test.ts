// Adding one managed-identity credential to many apps, inside real VS Code against the sandbox: with
// `app` as a list of ids (a programmatic call), and on several selected tree nodes (VS Code passes the
// clicked node and the selection; the prompts are answered by a scripted UserInput through the test
// seam). Checked against the result, the sandbox's state (read through Graph) and its request log:
// ceil(n/20) write batches, never a request per app; an app Graph refuses is named in the summary.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FederatedCredentialsApi } from '../../src/api';
import type { AppRegistration, FederatedCredential } from '../../src/domain/model';
import type { MultiAppResult } from '../../src/services/credentialService';
import type { UserInput } from '../../src/wizard/userInput';
import { ScriptedUserInput } from '../support/scriptedUserInput';
import { sandbox } from './support/sandbox';

const EXTENSION_ID = 'federated-credentials.federated-credentials';
const COMMAND = 'federatedCredentials.addManagedIdentityCredential';
type Testing = { appNode(objectId: string): unknown; useUserInput(ui: UserInput | undefined): void };
type Logged = Awaited<ReturnType<typeof sandbox.requests>>[number];

const run = <T>(command: string, args: Record<string, unknown>) => Promise.resolve(vscode.commands.executeCommand<T>(`federatedCredentials.${command}`, args));
const isBatch = (r: Logged) => r.area === 'graph' && r.method === 'POST' && /\/\$batch$/.test(r.path) && r.headers['x-sandbox-batch-id'] === undefined;
/** The `$batch` requests whose items all use `method` on these apps (the log keeps each batch's body). */
const batches = (log: Logged[], method: 'GET' | 'POST', apps: readonly AppRegistration[]) =>
  log.filter(isBatch).filter((b) => {
    const requests = (b.body as { requests?: Array<{ method: string; url: string }> } | undefined)?.requests ?? [];
    return requests.length > 0 && requests.every((r) => r.method === method) && requests.some((r) => apps.some((a) => r.url.includes(a.id)));
  });
const items = (log: Logged[], method: string) => log.filter((r) => r.headers['x-sandbox-batch-id'] !== undefined && r.method === method);
const writesOutsideBatch = (log: Logged[]) =>
  log.filter((r) => r.area === 'graph' && r.headers['x-sandbox-batch-id'] === undefined && r.method === 'POST' && /federatedIdentityCredentials/.test(r.path));
const perAppRequests = (log: Logged[]) =>
  log.filter((r) => r.area === 'graph' && r.headers['x-sandbox-batch-id'] === undefined && /^\/graph\/v1\.0\/applications\/[0-9a-f-]{36}/.test(r.path));

/** Graph as the sandbox's home admin, to see what the tenant now holds. */
async function graph<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const info = sandbox.info();
  const token = await sandbox.mintToken({
    tenant: info.homeTenant.id,
    resource: info.graphUrl,
    username: info.admins.home.username,
    scopes: ['Application.ReadWrite.All'],
  });
  const response = await fetch(`${info.graphUrl}/v1.0${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${init.method ?? 'GET'} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
const credentialsOf = async (appId: string) => (await graph<{ value: FederatedCredential[] }>(`/applications/${appId}/federatedIdentityCredentials`)).value;

describe('Add a managed-identity credential to many apps (in VS Code, sandbox)', function () {
  this.timeout(120_000);
  let testing: Testing;
  const identity = () => sandbox.info().spareIdentity;
  const create = async (displayName: string) => run<AppRegistration>('createAppRegistration', { displayName });

  before(async () => {
    const api = (await vscode.extensions.getExtension<FederatedCredentialsApi>(EXTENSION_ID)!.activate()) as FederatedCredentialsApi & { testing?: Testing };
    assert.ok(api.testing, 'the extension exposes its test seam under FC_RUNNING_TESTS');
    testing = api.testing;
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
  });

  afterEach(async () => {
    testing.useUserInput(undefined);
    await sandbox.clearFaults();
  });

  after(async () => {
    await vscode.commands.executeCommand('federatedCredentials.clearSearch');
    await sandbox.reset(); // the seeded tenant again, without the apps made here
    await vscode.commands.executeCommand('federatedCredentials.refresh');
  });

  it('on three apps selected in the tree: the prompts, one $batch write, one credential each, and the summary', async () => {
    const apps = [await create('Treeselect Alpha'), await create('Treeselect Beta'), await create('Treeselect Gamma')];
    await run('searchAppRegistrations', { query: 'Treeselect' });
    const nodes = apps.map((a) => testing.appNode(a.id));
    assert.ok(
      nodes.every((n) => n !== undefined),
      'the three apps are nodes of the App Registrations view',
    );

    const ui = new ScriptedUserInput([identity().name, 'msi-tree', 'Selected in the tree']);
    testing.useUserInput(ui);
    const mark = await sandbox.mark();
    // What VS Code passes for a context-menu command on a multi-selection: the clicked node, then all selected nodes.
    const result = await vscode.commands.executeCommand<MultiAppResult>(COMMAND, nodes[1], nodes);
    const log = await sandbox.requests(mark);
    ui.assertDone();
    assert.deepEqual(
      ui.prompts.map((p) => p.kind),
      ['pick', 'input', 'input'],
    );
    assert.ok(ui.prompts[0]!.items!.includes(identity().name));
    assert.match(ui.prompts[1]!.value ?? '', /^[A-Za-z0-9][A-Za-z0-9_-]{2,}$/, 'a default name is offered');
    await vscode.commands.executeCommand('federatedCredentials.clearSearch');

    assert.deepEqual(result.added.map((a) => a.app.id).sort(), apps.map((a) => a.id).sort());
    assert.deepEqual(result.failed, []);
    assert.equal(result.summary, 'Added the credential "msi-tree" to all 3 apps.');
    for (const app of apps) {
      const trusting = (await credentialsOf(app.id)).filter((c) => c.subject === identity().principalId);
      assert.deepEqual(
        trusting.map((c) => [c.name, c.description, c.issuer]),
        [['msi-tree', 'Selected in the tree', sandbox.info().homeTenant.issuer]],
      );
    }
    // Search results come without credentials: they are read in one batch, then written in one.
    assert.equal(batches(log, 'GET', apps).length, 1);
    assert.equal(batches(log, 'POST', apps).length, 1, 'one write batch');
    assert.equal(items(log, 'POST').length, 3, 'one write per app, inside a $batch');
    assert.deepEqual(writesOutsideBatch(log), []);
    assert.deepEqual(
      perAppRequests(log).map((r) => r.path),
      [],
      'no request per app',
    );
  });

  it('with "app" as a list of 22 ids: ceil(22/20) = 2 read and 2 write batches, every app once, the result and its summary', async () => {
    const apps: AppRegistration[] = [];
    for (let i = 1; i <= 22; i++) apps.push(await create(`Multiadd ${String(i).padStart(2, '0')}`));
    const mark = await sandbox.mark();
    const result = await run<MultiAppResult>('addManagedIdentityCredential', {
      app: apps.map((a) => a.id),
      managedIdentity: identity().principalId,
      name: 'msi-multi',
    });
    const log = await sandbox.requests(mark);

    assert.deepEqual(
      result.added.map((a) => a.app.id),
      apps.map((a) => a.id),
    );
    assert.deepEqual(result.failed, []);
    assert.equal(result.summary, 'Added the credential "msi-multi" to all 22 apps.');
    for (const { app, credential } of result.added) {
      assert.deepEqual(
        (await credentialsOf(app.id)).filter((c) => c.subject === identity().principalId).map((c) => c.id),
        [credential.id],
      );
    }
    assert.equal(items(log, 'POST').length, 22);
    assert.equal(batches(log, 'GET', apps).length, 2, 'ceil(22/20) read batches');
    assert.equal(batches(log, 'POST', apps).length, 2, 'ceil(22/20) write batches');
    assert.deepEqual(writesOutsideBatch(log), []);
    assert.deepEqual(
      perAppRequests(log).map((r) => r.path),
      [],
      'no request per app',
    );
  });

  it('an app Graph refuses (400) and one at the 20-credential limit are named with why; the other three get the credential', async () => {
    const apps: AppRegistration[] = [];
    for (const letter of ['A', 'B', 'C', 'D', 'E']) apps.push(await create(`Partial ${letter}`));
    const [, full, , refused] = apps;
    for (let i = 0; i < 20; i++) {
      await graph(`/applications/${full!.id}/federatedIdentityCredentials`, {
        method: 'POST',
        body: { name: `filler-${i}`, issuer: 'https://issuer.example.com', subject: `s-${i}`, audiences: ['api://AzureADTokenExchange'] },
      });
    }
    await sandbox.setFaults([
      { kind: 'error', status: 400, method: 'POST', pathPrefix: `/graph/v1.0/applications/${refused!.id}/federatedIdentityCredentials` },
    ]);
    const mark = await sandbox.mark();
    const result = await run<MultiAppResult>('addManagedIdentityCredential', {
      app: apps.map((a) => a.id),
      managedIdentity: identity().principalId,
      name: 'msi-partial',
    });
    const log = await sandbox.requests(mark);

    assert.deepEqual(
      result.added.map((a) => a.app.displayName),
      ['Partial A', 'Partial C', 'Partial E'],
    );
    assert.deepEqual(
      result.failed.map((f) => [f.app.displayName, f.status, f.retryable]),
      [
        ['Partial B', undefined, false],
        ['Partial D', 400, false],
      ],
    );
    assert.match(result.failed[0]!.message, /20/);
    assert.match(
      result.summary ?? '',
      /^Added the credential "msi-partial" to 3 of 5 apps\. 2 failed: "Partial B" \(.*20.*\); "Partial D" \(Microsoft Graph did not accept the request.*\)\.$/,
    );
    assert.equal((await credentialsOf(full!.id)).length, 20);
    assert.deepEqual(
      (await credentialsOf(refused!.id)).map((c) => c.name),
      [],
    );
    for (const app of [apps[0]!, apps[2]!, apps[4]!])
      assert.deepEqual(
        (await credentialsOf(app.id)).map((c) => c.name),
        ['msi-partial'],
      );
    assert.equal(items(log, 'POST').length, 4, 'the app at the limit is refused before any write; the refused write is not sent again');
    assert.equal(batches(log, 'GET', apps).length, 1, 'one read batch');
    assert.equal(batches(log, 'POST', apps).length, 1, 'one write batch');
  });

  it("when no app gets it, the command fails with the summary, and the error carries every app's outcome", async () => {
    const apps = [await create('Nowhere One'), await create('Nowhere Two')];
    await sandbox.setFaults(
      apps.map((a) => ({ kind: 'error' as const, status: 403, method: 'POST', pathPrefix: `/graph/v1.0/applications/${a.id}/federatedIdentityCredentials` })),
    );
    await assert.rejects(
      run('addManagedIdentityCredential', { app: apps.map((a) => a.id), managedIdentity: identity().principalId, name: 'msi-none' }),
      (error: Error & { result?: MultiAppResult }) => {
        assert.equal(
          error.message,
          'The credential "msi-none" was added to none of the 2 apps: "Nowhere One", "Nowhere Two" (access denied: you must own the app or hold the Application Administrator or Cloud Application Administrator role).',
        );
        assert.deepEqual(
          error.result?.failed.map((f) => [f.app.displayName, f.status, f.kind]),
          [
            ['Nowhere One', 403, 'forbidden'],
            ['Nowhere Two', 403, 'forbidden'],
          ],
        );
        return true;
      },
    );
    for (const app of apps) assert.deepEqual(await credentialsOf(app.id), []);
  });
});
