// Data safety inside real VS Code, against the sandbox: scaffolded runbooks are written through a
// temporary file and a rename that refuses an existing file without consent (workspace.fs); Deploy
// Runbook interrupted at publish tells a programmatic caller the state and the published script is
// unchanged (read back through ARM); Create App Registration whose answer is lost finds the app it
// created instead of creating a second one.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { AUTOMATION_API_VERSION } from '../../src/arm/automation';
import type { CommandContext } from '../../src/commands/commandRunner';
import type { DeployResult } from '../../src/commands/runbooks/deployRunbook';
import { writeRunbook } from '../../src/commands/runbooks/scaffoldRunbook';
import { renderRunbook } from '../../src/runbooks';
import { ScriptedUserInput } from '../support/scriptedUserInput';
import { sandbox } from './support/sandbox';

const EXTENSION_ID = 'federated-credentials.federated-credentials';
const root = () => vscode.workspace.workspaceFolders![0]!.uri;
const read = async (uri: vscode.Uri) => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
const names = async (folder: vscode.Uri) => (await vscode.workspace.fs.readDirectory(folder)).map(([n]) => n).sort();

function generated() {
  return renderRunbook({
    template: 'python',
    appClientId: '11111111-1111-1111-1111-111111111111',
    homeTenantId: '22222222-2222-2222-2222-222222222222',
    targetTenants: ['fabrikam.onmicrosoft.com'],
    identity: { kind: 'userAssigned', clientId: '55555555-5555-5555-5555-555555555555' },
    cloud: { loginUrl: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com', tokenExchangeAudience: 'api://AzureADTokenExchange' },
    generatedOn: '2025-06-01',
  });
}

const context = (programmatic: boolean): CommandContext => ({ commandId: 'federatedCredentials.scaffoldRunbook', ui: new ScriptedUserInput([]), programmatic });

async function armSettings(settings?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const info = sandbox.info();
  const response = await fetch(`${info.controlUrl}/arm/settings`, {
    method: settings ? 'POST' : 'GET',
    headers: { 'X-Sandbox-Control-Key': info.controlKey, ...(settings ? { 'Content-Type': 'application/json' } : {}) },
    body: settings ? JSON.stringify(settings) : undefined,
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return JSON.parse(text) as Record<string, unknown>;
}

describe('Data safety (in VS Code, sandbox)', () => {
  let restoreSettings: Record<string, unknown> | undefined;
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
    const settings = await armSettings();
    restoreSettings = { retryAfterSeconds: settings.retryAfterSeconds };
    await armSettings({ retryAfterSeconds: 0 });
  });
  after(async () => {
    if (restoreSettings) await armSettings(restoreSettings);
  });
  afterEach(async () => {
    await sandbox.clearFaults();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('scaffold writes the whole runbook through a temporary file; a leftover of an interrupted write is removed', async () => {
    const folder = vscode.Uri.joinPath(root(), 'safety');
    await vscode.workspace.fs.createDirectory(folder);
    // What a host that closed between the temporary write and the rename leaves behind.
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, '.r.py.fc-tmp-crash'), new TextEncoder().encode('# half'));
    const runbook = generated();
    const uri = await writeRunbook(context(true), runbook, { outputPath: 'safety/r.py' }, 'runbooks');
    assert.equal(await read(uri), runbook.content);
    assert.deepEqual(await names(folder), ['r.py']);
  });

  it('workspace.fs.rename without overwrite refuses an existing file: what keeps a file that appeared after the check', async () => {
    const folder = vscode.Uri.joinPath(root(), 'safety-rename');
    const target = vscode.Uri.joinPath(folder, 'x.py');
    const temp = vscode.Uri.joinPath(folder, '.x.py.fc-tmp-1');
    await vscode.workspace.fs.createDirectory(folder);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode('# mine\n'));
    await vscode.workspace.fs.writeFile(temp, new TextEncoder().encode('# generated\n'));
    await assert.rejects(
      Promise.resolve(vscode.workspace.fs.rename(temp, target, { overwrite: false })),
      (e: unknown) => e instanceof vscode.FileSystemError && e.code === 'FileExists',
    );
    assert.equal(await read(target), '# mine\n');
  });

  it('Deploy Runbook failing at publish: the caller learns "uploaded but not published", and the published script is unchanged (ARM)', async () => {
    const info = sandbox.info();
    const account = info.automationAccount.id;
    const file = vscode.Uri.joinPath(root(), 'safety', 'Deploy-Safety.py');
    const v1 = `${generated().content}\n# v1\n`;
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(v1));
    const first = await vscode.commands.executeCommand<DeployResult>('federatedCredentials.deployRunbook', {
      file: file.toString(),
      automationAccount: account,
      publish: true,
    });
    assert.equal(first.state, 'Published');

    // The edited script, as a second file (the first stays open in VS Code with its text).
    const edited = vscode.Uri.joinPath(root(), 'safety', 'Deploy-Safety-v2.py');
    await vscode.workspace.fs.writeFile(edited, new TextEncoder().encode(`${generated().content}\n# v2\n`));
    await sandbox.setFaults([{ kind: 'error', status: 409, method: 'POST', pathPrefix: `/arm${account}/runbooks/Deploy-Safety/publish` }]);
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('federatedCredentials.deployRunbook', {
          file: edited.toString(),
          automationAccount: account,
          runbookName: 'Deploy-Safety',
          publish: true,
        }),
      ),
      /The draft was uploaded but not published \(checked\); the published runbook is still the previous version\. Run Deploy Runbook again to finish\./,
    );
    await sandbox.clearFaults();
    const token = await sandbox.mintToken({ tenant: info.homeTenant.id, resource: 'https://management.azure.com/', username: info.admins.home.username });
    const content = await fetch(`${info.armUrl}${account}/runbooks/Deploy-Safety/content?api-version=${AUTOMATION_API_VERSION}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(await content.text(), v1);
  });

  it('Create App Registration whose answer is lost finds the app it created: one app, returned to the caller', async () => {
    const displayName = `fc-safety-${Date.now()}`;
    const since = await sandbox.mark();
    await sandbox.setFaults([{ kind: 'drop', after: true, method: 'POST', pathPrefix: '/graph/v1.0/applications', count: 1 }]);
    const app = await vscode.commands.executeCommand<{ id: string; displayName: string }>('federatedCredentials.createAppRegistration', {
      displayName,
      permissions: [],
    });
    assert.equal(app.displayName, displayName);
    const creates = (await sandbox.requests(since)).filter(
      (r) => r.method === 'POST' && r.path === '/graph/v1.0/applications' && (r.body as { displayName?: string })?.displayName === displayName,
    );
    assert.equal(creates.length, 1, 'one POST: the lost answer was checked, not retried');
  });
});
