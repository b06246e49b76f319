import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FederatedCredentialsApi } from '../../src/api';

const EXTENSION_ID = 'federated-credentials.federated-credentials';

describe('Extension activation', () => {
  it('is installed in development mode and activates', async () => {
    const extension = vscode.extensions.getExtension<FederatedCredentialsApi>(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
    const api = await extension.activate();
    assert.equal(extension.isActive, true);
    assert.equal(api.apiVersion, 1);
    // The heavy packages (scripts/bundles.mjs) are separate files required on first use, not at activation.
    const chunks = Object.keys(require.cache).filter((path) => /[\\/]dist[\\/]chunks[\\/]/.test(path));
    assert.deepEqual(chunks, [], 'a lazily loaded chunk was required during activation');
    assert.ok(
      Object.keys(require.cache).some((path) => path.endsWith('/dist/extension.js')),
      'the bundle is not in the module cache: the check above would see nothing',
    );
  });

  it('starts signed out (the welcome view shows)', async () => {
    const api = await vscode.extensions.getExtension<FederatedCredentialsApi>(EXTENSION_ID)!.activate();
    assert.equal(api.account(), undefined);
    assert.deepEqual(await api.views.appRegistrations.render(0), []);
  });

  it('runs in the real VS Code 1.100 extension host on Node 20', () => {
    assert.match(vscode.version, /^1\.100\./);
    assert.match(process.version, /^v20\./);
  });

  it('contributes the view container with both views', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const containers = manifest.contributes.viewsContainers.activitybar as Array<{ id: string }>;
    assert.deepEqual(
      containers.map((c) => c.id),
      ['federatedCredentials'],
    );
    const views = (manifest.contributes.views.federatedCredentials as Array<{ id: string }>).map((v) => v.id);
    assert.deepEqual(views, ['federatedCredentials.appRegistrations', 'federatedCredentials.managedIdentities']);
  });

  it('opens both views through their focus commands', async () => {
    // VS Code generates `<viewId>.focus` only for views that exist in the workbench.
    await vscode.commands.executeCommand('federatedCredentials.appRegistrations.focus');
    await vscode.commands.executeCommand('federatedCredentials.managedIdentities.focus');
  });

  it('registers every command the manifest contributes', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const contributed = (manifest.contributes.commands as Array<{ command: string }>).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      contributed.filter((id) => !registered.has(id)),
      [],
    );
  });

  it('runs the Show Log command and returns the channel name', async () => {
    const result = await vscode.commands.executeCommand('federatedCredentials.showOutput');
    assert.equal(result, 'Federated Credentials');
  });
});

describe('Test host', () => {
  it('loads the sandbox sign-in provider beside the extension', async () => {
    const signIn = vscode.extensions.getExtension('federated-credentials.fc-sandbox-sign-in');
    assert.ok(signIn, 'the sandbox sign-in extension is not loaded');
  });
});
