// Runbook scaffolding inside real VS Code: the file is written into the workspace folder with
// vscode.workspace.fs and opened; an existing file is never replaced without consent; paths outside
// the folder (.., absolute, symbolic links) are refused. Against the sandbox: the command with an "app"
// argument resolves the app and the identity through Microsoft Graph, and deploying creates and
// publishes runbooks in the sandbox's Automation account, checked through ARM.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { AUTOMATION_API_VERSION } from '../../src/arm/automation';
import type { CommandContext } from '../../src/commands/commandRunner';
import type { DeployResult } from '../../src/commands/runbooks/deployRunbook';
import { writeRunbook } from '../../src/commands/runbooks/scaffoldRunbook';
import { renderRunbook, type GeneratedRunbook } from '../../src/runbooks';
import { ScriptedUserInput } from '../support/scriptedUserInput';
import { sandbox } from './support/sandbox';

const EXTENSION_ID = 'federated-credentials.federated-credentials';
const APP = '11111111-1111-1111-1111-111111111111';

function generated(template: 'python' | 'powershell-rest' = 'powershell-rest'): GeneratedRunbook {
  return renderRunbook({
    template,
    appClientId: APP,
    homeTenantId: '22222222-2222-2222-2222-222222222222',
    targetTenants: ['fabrikam.onmicrosoft.com'],
    identity: { kind: 'userAssigned', clientId: '55555555-5555-5555-5555-555555555555' },
    cloud: { loginUrl: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com', tokenExchangeAudience: 'api://AzureADTokenExchange' },
    generatedOn: '2025-06-01',
  });
}

function context(programmatic: boolean, ui = new ScriptedUserInput([])): CommandContext {
  return { commandId: 'federatedCredentials.scaffoldRunbook', ui, programmatic };
}

const root = () => vscode.workspace.workspaceFolders![0]!.uri;
const read = async (uri: vscode.Uri) => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
const exists = (uri: vscode.Uri) =>
  vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );

describe('Runbook scaffolding (in VS Code)', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    assert.ok(vscode.workspace.workspaceFolders?.length, 'the test host opens a workspace folder');
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('contributes both commands, and Scaffold Runbook on app and credential nodes', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    const ids = (manifest.contributes.commands as Array<{ command: string }>).map((c) => c.command);
    assert.ok(ids.includes('federatedCredentials.scaffoldRunbook') && ids.includes('federatedCredentials.deployRunbook'));
    const menus = (manifest.contributes.menus['view/item/context'] as Array<{ command: string; when: string }>)
      .filter((m) => m.command === 'federatedCredentials.scaffoldRunbook')
      .map((m) => m.when);
    // One entry whose regex takes both kinds of node (the issue-13 manifest rule: no duplicated entries).
    assert.equal(menus.length, 1);
    const regex = new RegExp(/^viewItem =~ \/(.*)\/$/.exec(menus[0]!)![1]!);
    assert.deepEqual(
      ['appRegistration multiTenant', 'appRegistration', 'federatedCredential managedIdentity', 'managedIdentity userAssigned', 'trustingApp'].map((v) =>
        regex.test(v),
      ),
      [true, true, true, false, false],
    );
    const registered = await vscode.commands.getCommands(true);
    assert.ok(registered.includes('federatedCredentials.scaffoldRunbook') && registered.includes('federatedCredentials.deployRunbook'));
  });

  it('writes the runbook into the runbooks folder with workspace.fs and opens it', async () => {
    const runbook = generated();
    const uri = await writeRunbook(context(true), runbook, {}, 'runbooks');
    assert.equal(uri.toString(), vscode.Uri.joinPath(root(), 'runbooks', 'Invoke-FederatedGraph.ps1').toString());
    assert.equal(await read(uri), runbook.content);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'powershell');
    assert.doesNotMatch(runbook.content, /client_secret\s*=|-----BEGIN|eyJ[A-Za-z0-9_-]{10,}\./);
  });

  it('honours outputPath (a file or a folder) inside the workspace folder', async () => {
    const python = generated('python');
    const file = await writeRunbook(context(true), python, { outputPath: 'ops/mine.py' }, 'runbooks');
    assert.equal(file.toString(), vscode.Uri.joinPath(root(), 'ops', 'mine.py').toString());
    const folder = await writeRunbook(context(true), python, { outputPath: 'ops/deeper/' }, 'runbooks');
    assert.equal(folder.toString(), vscode.Uri.joinPath(root(), 'ops', 'deeper', 'Invoke-FederatedGraph-Python.py').toString());
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'python');
  });

  it('never overwrites without consent: programmatic calls fail, a person is asked, overwrite: true replaces', async () => {
    const first = generated();
    const uri = await writeRunbook(context(true), first, { outputPath: 'keep/x.ps1' }, 'runbooks');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('# my edits\n'));
    await assert.rejects(writeRunbook(context(true), first, { outputPath: 'keep/x.ps1' }, 'runbooks'), /already exists .*pass "overwrite": true/);
    assert.equal(await read(uri), '# my edits\n');

    const dismissed = new ScriptedUserInput([/dismiss/]); // a non-string answer dismisses the dialog
    await assert.rejects(writeRunbook(context(false, dismissed), first, { outputPath: 'keep/x.ps1' }, 'runbooks'), { name: 'UserCancelledError' });
    assert.equal(await read(uri), '# my edits\n');
    assert.match(dismissed.prompts[0]!.text, /keep\/x\.ps1 already exists\. Replace it\?/);

    const agreed = new ScriptedUserInput(['Replace']);
    await writeRunbook(context(false, agreed), first, { outputPath: 'keep/x.ps1' }, 'runbooks');
    assert.equal(await read(uri), first.content);
    agreed.assertDone();

    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('# again\n'));
    await writeRunbook(context(true), first, { outputPath: 'keep/x.ps1', overwrite: true }, 'runbooks');
    assert.equal(await read(uri), first.content);
  });

  it('refuses paths outside the workspace folder: .., absolute paths elsewhere, the folder setting', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'fc-outside-'));
    try {
      for (const outputPath of ['../escape.ps1', 'a/../../escape.ps1', join(outside, 'escape.ps1')]) {
        await assert.rejects(writeRunbook(context(true), generated(), { outputPath }, 'runbooks'), /outside the workspace folder/, outputPath);
      }
      await assert.rejects(writeRunbook(context(true), generated(), {}, '../elsewhere'), /runbooks\.folder .* is outside the workspace folder/);
      assert.equal(await exists(vscode.Uri.file(join(outside, 'escape.ps1'))), false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses a symbolic link that leads out of the workspace folder', async function () {
    if (root().scheme !== 'file') this.skip();
    const outside = mkdtempSync(join(tmpdir(), 'fc-outside-'));
    try {
      mkdirSync(join(root().fsPath, 'linked-parent'), { recursive: true });
      symlinkSync(outside, join(root().fsPath, 'linked-parent', 'out'));
      await assert.rejects(
        writeRunbook(context(true), generated(), { outputPath: 'linked-parent/out/x.ps1' }, 'runbooks'),
        /symbolic link .*outside the workspace folder/,
      );
      symlinkSync(join(outside, 'dangling.ps1'), join(root().fsPath, 'linked-parent', 'dangling.ps1'));
      await assert.rejects(
        writeRunbook(context(true), generated(), { outputPath: 'linked-parent/dangling.ps1' }, 'runbooks'),
        /symbolic link to something that does not exist/,
      );
      assert.equal(await exists(vscode.Uri.file(join(outside, 'x.ps1'))), false);
      assert.equal(await exists(vscode.Uri.file(join(outside, 'dangling.ps1'))), false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  describe('the command with an arguments object', () => {
    it('checks its arguments before anything else', async () => {
      await assert.rejects(
        Promise.resolve(
          vscode.commands.executeCommand('federatedCredentials.scaffoldRunbook', {
            app: APP,
            template: 'bash',
            targetTenants: ['a.com'],
            identity: 'systemAssigned',
          }),
        ),
        /"template" must be one of/,
      );
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('federatedCredentials.scaffoldRunbook', { app: APP, template: 'python', identity: 'systemAssigned' })),
        /Pass "targetTenants"/,
      );
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('federatedCredentials.scaffoldRunbook', { app: APP, template: 'python', targetTenants: ['a.com'] })),
        /Pass "identity"/,
      );
      await assert.rejects(
        Promise.resolve(
          vscode.commands.executeCommand('federatedCredentials.scaffoldRunbook', {
            app: APP,
            template: 'python',
            targetTenants: ['a.com'],
            identity: 'systemAssigned',
            colour: 'red',
          }),
        ),
        /Unknown argument "colour"/,
      );
    });

    it('refuses a path outside the workspace folder and an existing file before any network call', async () => {
      const base = {
        app: APP,
        template: 'powershell-rest',
        targetTenants: ['fabrikam.onmicrosoft.com'],
        identity: { kind: 'userAssigned', clientId: '55555555-5555-5555-5555-555555555555' },
      };
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('federatedCredentials.scaffoldRunbook', { ...base, outputPath: '../x.ps1' })),
        /outside the workspace folder/,
      );
      const existing = vscode.Uri.joinPath(root(), 'taken', 'x.ps1');
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(root(), 'taken'));
      await vscode.workspace.fs.writeFile(existing, new TextEncoder().encode('# mine\n'));
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('federatedCredentials.scaffoldRunbook', { ...base, outputPath: 'taken/x.ps1' })),
        /already exists .*"overwrite": true/,
      );
      assert.equal(await read(existing), '# mine\n');
    });

    it('deploy checks its arguments', async () => {
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('federatedCredentials.deployRunbook', { file: 'runbooks/x.ps1' })),
        /Pass "file" and "automationAccount"/,
      );
      await assert.rejects(
        Promise.resolve(
          vscode.commands.executeCommand('federatedCredentials.deployRunbook', {
            file: 'runbooks/x.ps1',
            automationAccount: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/x',
          }),
        ),
        /must be an Automation account's resource id/,
      );
      await assert.rejects(
        Promise.resolve(
          vscode.commands.executeCommand('federatedCredentials.deployRunbook', {
            file: 'x.ps1',
            automationAccount:
              '/subscriptions/99999999-9999-4999-8999-999999999999/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/aa-test',
            runbookName: '1-bad',
          }),
        ),
        /"runbookName" .*starts with a letter/,
      );
    });
  });
});

describe('Runbooks against the sandbox (Graph and ARM)', function () {
  this.timeout(120_000);
  const run = <T>(command: string, args: Record<string, unknown>) =>
    Promise.resolve(vscode.commands.executeCommand<T>(`federatedCredentials.${command}`, args));
  const info = () => sandbox.info();
  const accountsPath = () => `/subscriptions/${info().subscriptions.home}/resourceGroups/rg-automation/providers/Microsoft.Automation/automationAccounts`;

  /** ARM as the signed-in home admin would see it, with a token the sandbox mints for the test. */
  async function arm<T = Record<string, unknown>>(
    method: string,
    path: string,
    apiVersion = AUTOMATION_API_VERSION,
    body?: unknown,
  ): Promise<{ status: number; body: T; text: string }> {
    const token = await sandbox.mintToken({ tenant: info().homeTenant.id, resource: 'https://management.azure.com/', username: info().admins.home.username });
    const response = await fetch(`${info().armUrl}${path}?api-version=${apiVersion}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* a script */
    }
    return { status: response.status, body: parsed as T, text };
  }

  /** The sandbox's ARM knobs (GET without settings); returns them as they were before. */
  async function armSettings(settings?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await fetch(`${info().controlUrl}/arm/settings`, {
      method: settings ? 'POST' : 'GET',
      headers: { 'X-Sandbox-Control-Key': info().controlKey, ...(settings ? { 'Content-Type': 'application/json' } : {}) },
      body: settings ? JSON.stringify(settings) : undefined,
    });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    return JSON.parse(text) as Record<string, unknown>;
  }

  async function scaffold(args: Record<string, unknown>): Promise<{ uri: vscode.Uri; content: string }> {
    const uri = vscode.Uri.parse(await run<string>('scaffoldRunbook', { overwrite: true, ...args }), true);
    return { uri, content: await read(uri) };
  }

  type RunbookBody = { properties: { runbookType: string; runtimeEnvironment?: string; state: string } };

  /** The runbook as ARM reports it, and its published script. */
  async function published(accountId: string, name: string, apiVersion = AUTOMATION_API_VERSION): Promise<{ runbook: RunbookBody; content: string }> {
    const runbook = await arm<RunbookBody>('GET', `${accountId}/runbooks/${name}`, apiVersion);
    assert.equal(runbook.status, 200, runbook.text);
    const content = await arm('GET', `${accountId}/runbooks/${name}/content`, apiVersion);
    assert.equal(content.status, 200, content.text);
    return { runbook: runbook.body, content: content.text };
  }

  let restoreSettings: Record<string, unknown> | undefined;
  let reporterPs1: vscode.Uri;
  let reporterPy: vscode.Uri;

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
    // Module imports and long-running operations as quick as the sandbox allows; the client still polls.
    const before = await armSettings();
    restoreSettings = { retryAfterSeconds: before.retryAfterSeconds, moduleImportPolls: before.moduleImportPolls };
    await armSettings({ retryAfterSeconds: 0, moduleImportPolls: 1 });
  });
  after(async () => {
    if (restoreSettings) await armSettings(restoreSettings);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('scaffolds for an app and an identity resolved through Microsoft Graph: ids and tenants in the file, no secret', async () => {
    const { multiTenantApp, automationAccount, customerTenant, homeTenant } = info();
    const mark = await sandbox.mark();
    const { uri, content } = await scaffold({
      app: multiTenantApp.appId,
      template: 'powershell-rest',
      targetTenants: [customerTenant.domain, homeTenant.id],
      identity: automationAccount.userAssigned.principalId,
      outputPath: 'sandbox/Invoke-Reporter.ps1',
    });
    reporterPs1 = uri;
    assert.equal(uri.toString(), vscode.Uri.joinPath(root(), 'sandbox', 'Invoke-Reporter.ps1').toString());
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());

    assert.ok(content.includes(`'${multiTenantApp.appId}'`), "the app's client id is a value in the script");
    assert.ok(content.includes(`'${customerTenant.domain}'`) && content.includes(`'${homeTenant.id}'`), 'both target tenants');
    assert.ok(content.includes(`'${automationAccount.userAssigned.clientId}'`), "the identity's client id (not its object id) signs in");
    assert.match(content, new RegExp(`user-assigned, client id ${automationAccount.userAssigned.clientId}`));
    assert.match(content, /read from Microsoft Graph/, "the header says where the identity's client id came from");
    assert.match(content, new RegExp(`the app registration ${multiTenantApp.objectId}`));
    assert.ok(content.includes(info().customCloud.loginUrl) && content.includes(info().customCloud.graphUrl), "the sandbox cloud's endpoints");
    assert.doesNotMatch(content, /client_secret\s*=|clientSecret|-----BEGIN|eyJ[A-Za-z0-9_-]{10,}\./);
    assert.ok(!content.includes(info().confidentialClient.clientSecret) && !content.includes(info().admins.home.password));

    // Graph was asked for the app and for the identity's service principal, and nothing was written.
    const graph = (await sandbox.requests(mark)).filter((r) => r.area === 'graph');
    assert.ok(
      graph.some((r) => r.path.endsWith(`/servicePrincipals/${automationAccount.userAssigned.principalId}`)),
      graph.map((r) => r.path).join('\n'),
    );
    assert.deepEqual(
      graph.filter((r) => r.method !== 'GET'),
      [],
    );

    const python = await scaffold({
      app: multiTenantApp.objectId,
      template: 'python',
      targetTenants: [customerTenant.domain],
      identity: { kind: 'userAssigned', clientId: automationAccount.userAssigned.clientId },
      outputPath: 'sandbox/Invoke-Reporter.py',
    });
    reporterPy = python.uri;
    assert.ok(python.content.includes(`"${multiTenantApp.appId}"`) && python.content.includes(`"${automationAccount.userAssigned.clientId}"`));
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'python');
  });

  it('refuses an object id that is not a managed identity, in plain words', async () => {
    const { multiTenantApp, customerTenant, confidentialClient } = info();
    await assert.rejects(
      run('scaffoldRunbook', {
        app: multiTenantApp.appId,
        template: 'python',
        targetTenants: [customerTenant.domain],
        identity: confidentialClient.servicePrincipalId,
        outputPath: 'sandbox/never.py',
      }),
      /\(.*\) is not a managed identity: its service principal type is Application\./,
    );
    assert.equal(await exists(vscode.Uri.joinPath(root(), 'sandbox', 'never.py')), false);
  });

  it('deploys and publishes the PowerShell and Python runbooks, checked through ARM', async () => {
    const account = info().automationAccount.id;
    const ps = await run<DeployResult>('deployRunbook', { file: reporterPs1.toString(), automationAccount: account, publish: true });
    assert.equal(ps.runbookId, `${account}/runbooks/Invoke-Reporter`);
    assert.equal(ps.state, 'Published');
    if (ps.portalUrl) assert.ok(ps.portalUrl.endsWith(`/resource${account}/runbooks/Invoke-Reporter/overview`), ps.portalUrl); // a custom cloud may have no portal
    assert.deepEqual(ps.warnings, []);
    const psArm = await published(account, 'Invoke-Reporter');
    assert.equal(psArm.runbook.properties.runbookType, 'PowerShell');
    // PowerShell 7.6 by default. The account had no 7.6 runtime environment: the deploy created one under a name
    // that matches the spec's pattern (ARM refuses "PowerShell-7.6").
    assert.deepEqual([ps.runtimeEnvironment, ps.runtimeEnvironmentCreated], ['PowerShell-7_6', true]);
    assert.match(ps.runtimeEnvironment!, /^[a-zA-Z][a-zA-Z-_0-9]*$/);
    assert.equal(psArm.runbook.properties.runtimeEnvironment, 'PowerShell-7_6');
    assert.equal(psArm.runbook.properties.state, 'Published');
    assert.equal(psArm.content, await read(reporterPs1));
    const env = await arm<{ properties: { runtime: { language: string; version: string } } }>('GET', `${account}/runtimeEnvironments/PowerShell-7_6`);
    assert.deepEqual(env.body.properties.runtime, { language: 'PowerShell', version: '7.6' });

    const py = await run<DeployResult>('deployRunbook', { file: reporterPy.fsPath, automationAccount: account, runbookName: 'Reporter-Python', publish: true });
    assert.equal(py.state, 'Published');
    // Python reuses the account's system-generated Python-3.10 environment, as runbook type Python (2024-10-23).
    assert.deepEqual([py.runtimeEnvironment, py.runtimeEnvironmentCreated], ['Python-3.10', false]);
    const pyArm = await published(account, 'Reporter-Python');
    assert.equal(pyArm.runbook.properties.runbookType, 'Python');
    assert.equal(pyArm.runbook.properties.runtimeEnvironment, 'Python-3.10');
    const environments = await arm<{ value: Array<{ name: string }> }>('GET', `${account}/runtimeEnvironments`);
    assert.deepEqual(
      environments.body.value.map((e) => e.name).filter((n) => /^Python/.test(n)),
      ['Python-2.7', 'Python-3.10', 'Python-3.8'],
      'no second Python 3.10 environment',
    );
    assert.equal(pyArm.content, await read(reporterPy));

    // Deploying again after an edit replaces the published script; without publish it stays a draft.
    // (edited in the editor and saved, as a person would)
    const document = await vscode.workspace.openTextDocument(reporterPy);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(reporterPy, document.positionAt(document.getText().length), '\n# edited\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await document.save());
    const edited = await read(reporterPy);
    assert.match(edited, /\n# edited\n$/);
    const draft = await run<DeployResult>('deployRunbook', { file: reporterPy.fsPath, automationAccount: account, runbookName: 'Reporter-Python' });
    assert.equal(draft.state, 'Edit');
    assert.equal((await arm('GET', `${account}/runbooks/Reporter-Python/draft/content`)).text, edited);
    assert.equal((await published(account, 'Reporter-Python')).content, pyArm.content, 'the published script is unchanged');
    const republished = await run<DeployResult>('deployRunbook', {
      file: reporterPy.fsPath,
      automationAccount: account,
      runbookName: 'Reporter-Python',
      publish: true,
    });
    assert.equal(republished.state, 'Published');
    assert.equal((await published(account, 'Reporter-Python')).content, edited);
  });

  it('without importModules: true, a programmatic deploy imports nothing and names the missing modules', async () => {
    const { multiTenantApp, customerTenant, automationAccount } = info();
    const account = automationAccount.id;
    const { uri } = await scaffold({
      app: multiTenantApp.appId,
      template: 'powershell-tokenmagician',
      runtime: 'PowerShell-7.2',
      targetTenants: [customerTenant.domain],
      identity: { kind: 'userAssigned', clientId: automationAccount.userAssigned.clientId },
      outputPath: 'sandbox/Reporter-TM72.ps1',
    });
    const mark = await sandbox.mark();
    const result = await run<DeployResult>('deployRunbook', { file: uri.toString(), automationAccount: account, publish: true });
    assert.deepEqual(result.importedModules, []);
    assert.deepEqual(
      result.modules.map((m) => [m.name, m.status]),
      [
        ['TokenMagician', 'missing'],
        ['Microsoft.Graph.Authentication', 'missing'],
        ['Microsoft.Graph.Users', 'missing'],
      ],
    );
    const missing = result.warnings.find((w) => /TokenMagician/.test(w));
    assert.match(missing ?? '', /TokenMagician 0\.1\.1 missing; Microsoft\.Graph\.Authentication 2\.28\.0 missing; Microsoft\.Graph\.Users 2\.28\.0 missing/);
    assert.ok(result.warnings.some((w) => /PowerShell 7\.2 was retired in Azure Automation/.test(w)));
    const writes = (await sandbox.requests(mark)).filter((r) => r.area === 'arm' && r.method !== 'GET');
    assert.deepEqual(
      writes.filter((r) => /powerShell72Modules|packages/i.test(r.path)),
      [],
      'no module import was started',
    );
    // The runbook itself is there, as the legacy PowerShell72 type (2023-11-01).
    const legacy = await published(account, 'Reporter-TM72', '2023-11-01');
    assert.equal(legacy.runbook.properties.runbookType, 'PowerShell72');
    assert.equal(legacy.runbook.properties.state, 'Published');
    assert.equal(legacy.content, await read(uri));
  });

  it('with importModules: true, imports the missing and outdated modules into the 7.6 runtime environment at matching versions', async () => {
    const { multiTenantApp, customerTenant, automationAccount } = info();
    const account = automationAccount.id;
    // The environment already has Microsoft.Graph.Authentication, at an older version than the runbook needs.
    const packagesPath = `${account}/runtimeEnvironments/PowerShell-7_6/packages`;
    const old = await arm('PUT', `${packagesPath}/Microsoft.Graph.Authentication`, AUTOMATION_API_VERSION, {
      properties: { contentLink: { uri: 'https://www.powershellgallery.com/api/v2/package/Microsoft.Graph.Authentication/2.25.0', version: '2.25.0' } },
    });
    assert.equal(old.status, 201, old.text);
    for (let i = 0; i < 3; i++) await arm('GET', `${packagesPath}/Microsoft.Graph.Authentication`);
    const { uri } = await scaffold({
      app: multiTenantApp.appId,
      template: 'powershell-tokenmagician',
      targetTenants: [customerTenant.domain],
      identity: { kind: 'userAssigned', clientId: automationAccount.userAssigned.clientId },
      outputPath: 'sandbox/Reporter-TM.ps1',
    });
    const result = await run<DeployResult>('deployRunbook', { file: uri.toString(), automationAccount: account, publish: true, importModules: true });
    assert.deepEqual(result.importedModules, ['TokenMagician', 'Microsoft.Graph.Authentication', 'Microsoft.Graph.Users']);
    assert.deepEqual(
      result.modules.map((m) => [m.name, m.status, m.version, m.requiredVersion]),
      [
        ['TokenMagician', 'present', '0.1.1', '0.1.1'],
        ['Microsoft.Graph.Authentication', 'present', '2.28.0', '2.28.0'],
        ['Microsoft.Graph.Users', 'present', '2.28.0', '2.28.0'],
      ],
    );
    assert.deepEqual(result.warnings, []);
    assert.deepEqual([result.runtimeEnvironment, result.runtimeEnvironmentCreated], ['PowerShell-7_6', false], 'the environment of the first deploy is reused');
    const packages = await arm<{ value: Array<{ name: string; properties: { provisioningState: string; version: string } }> }>('GET', packagesPath);
    const byName = new Map(packages.body.value.map((p) => [p.name, p.properties]));
    for (const [name, version] of [
      ['TokenMagician', '0.1.1'],
      ['Microsoft.Graph.Authentication', '2.28.0'],
      ['Microsoft.Graph.Users', '2.28.0'],
    ]) {
      assert.deepEqual(
        [byName.get(name)?.provisioningState, byName.get(name)?.version],
        ['Succeeded', version],
        `${name}: ${JSON.stringify(byName.get(name))}`,
      );
    }
    const rb = await published(account, 'Reporter-TM');
    assert.equal(rb.runbook.properties.runtimeEnvironment, 'PowerShell-7_6');
    assert.equal(rb.content, await read(uri));

    // A second deploy finds them present and imports nothing.
    const again = await run<DeployResult>('deployRunbook', { file: uri.toString(), automationAccount: account, publish: true, importModules: true });
    assert.deepEqual(again.importedModules, []);
  });

  it('turns on the system-assigned identity only with enableIdentity: true, keeping the user-assigned ones', async () => {
    const { multiTenantApp, customerTenant, automationAccount } = info();
    const { uri } = await scaffold({
      app: multiTenantApp.appId,
      template: 'python',
      targetTenants: [customerTenant.domain],
      identity: 'systemAssigned',
      outputPath: 'sandbox/Reporter-System.py',
    });
    assert.match(await read(uri), /system-assigned identity/);
    // A fresh account with only a user-assigned identity.
    const accountId = `${accountsPath()}/aa-runbook-identity`;
    const created = await arm('PUT', accountId, AUTOMATION_API_VERSION, {
      location: 'westeurope',
      identity: { type: 'UserAssigned', userAssignedIdentities: { [automationAccount.userAssigned.id]: {} } },
    });
    assert.ok(created.status === 201 || created.status === 200, created.text);

    const refused = await run<DeployResult>('deployRunbook', { file: uri.toString(), automationAccount: accountId, publish: true });
    assert.equal(refused.identityEnabled, false);
    assert.ok(
      refused.warnings.some((w) => /system-assigned identity of aa-runbook-identity is off/.test(w)),
      refused.warnings.join('\n'),
    );
    assert.equal((await arm<{ identity: { type: string } }>('GET', accountId)).body.identity.type, 'UserAssigned');

    const enabled = await run<DeployResult>('deployRunbook', { file: uri.toString(), automationAccount: accountId, publish: true, enableIdentity: true });
    assert.equal(enabled.identityEnabled, true);
    assert.deepEqual(enabled.warnings, []);
    const account = await arm<{ identity: { type: string; principalId?: string; userAssignedIdentities?: Record<string, unknown> } }>('GET', accountId);
    assert.equal(account.body.identity.type, 'SystemAssigned, UserAssigned');
    assert.match(account.body.identity.principalId ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(Object.keys(account.body.identity.userAssignedIdentities ?? {}), [automationAccount.userAssigned.id]);
    const rb = await published(accountId, 'Reporter-System');
    assert.equal(rb.runbook.properties.state, 'Published');
    assert.equal(rb.content, await read(uri));
  });
});
