// Explain Error in VS Code against the sandbox: real AADSTS answers of the emulator's token endpoint (the token of
// an identity the app does not trust; the app before consent in the customer tenant) explained by the command with
// { text, app } against the app's credentials as Graph returns them; bad arguments refused with what is wrong.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FederatedCredentialsApi } from '../../src/api';
import type { ErrorExplanation } from '../../src/domain/errorExplanations';
import type { UserInput } from '../../src/wizard/userInput';
import { ScriptedUserInput, typeAndPick } from '../support/scriptedUserInput';
import { sandbox } from './support/sandbox';

const EXTENSION_ID = 'federated-credentials.federated-credentials';
const explain = (args: unknown) => Promise.resolve(vscode.commands.executeCommand<ErrorExplanation>('federatedCredentials.explainError', args));

/** A runbook's token request: client credentials for the app with a managed identity's token as the assertion; the error body as text. */
async function exchange(tenant: string, principalId: string): Promise<{ status: number; text: string }> {
  const info = sandbox.info();
  const assertion = await sandbox.mintToken({ tenant: info.homeTenant.id, resource: 'api://AzureADTokenExchange', servicePrincipalId: principalId });
  const response = await fetch(`${info.loginUrl}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: info.multiTenantApp.appId,
      scope: 'https://graph.microsoft.com/.default',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  return { status: response.status, text: await response.text() };
}

describe('Explain Error (sandbox, in VS Code)', function () {
  this.timeout(60_000);
  let api: FederatedCredentialsApi & { testing?: { useUserInput: (ui: UserInput | undefined) => void } };

  before(async () => {
    api = await vscode.extensions.getExtension<FederatedCredentialsApi>(EXTENSION_ID)!.activate();
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
  });

  it("names the app's credential and the field that differ from what the token presented (AADSTS700213), and offers the edit", async () => {
    const info = sandbox.info();
    const spare = info.spareIdentity.principalId;
    const { status, text } = await exchange(info.homeTenant.id, spare);
    assert.equal(status, 401, text);
    assert.match(text, /AADSTS700213: No matching federated identity record found for presented assertion subject/);

    const mark = await sandbox.mark();
    const e = await explain({ text, app: info.multiTenantApp.appId });
    assert.equal(e.found, true);
    assert.equal(e.codes[0], 'AADSTS700213');
    assert.equal(e.category, 'subjectMismatch');
    assert.equal(e.app?.appId, info.multiTenantApp.appId);
    assert.equal(e.presented.subject, spare);
    const difference = e.differences.find((d) => d.credential.name === info.multiTenantApp.ficName);
    assert.ok(difference, JSON.stringify(e.differences));
    assert.equal(difference.field, 'subject');
    assert.equal(difference.configured, info.automationAccount.userAssigned.principalId);
    assert.equal(difference.presented, spare);
    assert.ok(
      e.details.some((d) => d.includes(`"${info.multiTenantApp.ficName}": "${info.automationAccount.userAssigned.principalId}"`)),
      JSON.stringify(e.details),
    );
    assert.ok(e.details.some((d) => /is the object id of the managed identity "uami-spare"/.test(d)));
    const edit = e.actions.find((a) => a.command === 'federatedCredentials.editCredential');
    assert.equal(edit?.arguments.subject, spare);
    assert.match(e.traceId ?? '', /^[0-9a-f-]{36}$/);
    const writes = (await sandbox.requests(mark)).filter((r) => r.method !== 'GET' && r.area === 'graph' && !r.path.endsWith('$batch'));
    assert.deepEqual(writes, [], 'explaining reads only');
  });

  it('before consent in the customer tenant (AADSTS700016): consent is missing there, and the consent URL is the fix', async function () {
    const info = sandbox.info();
    const { status, text } = await exchange(info.customerTenant.id, info.automationAccount.userAssigned.principalId);
    if (status === 200) this.skip(); // an earlier suite consented in the customer tenant
    assert.match(text, /AADSTS700016/);
    const e = await explain({ text, tenant: info.customerTenant.id });
    assert.equal(e.category, 'appNotInTenant');
    assert.equal(e.app?.appId, info.multiTenantApp.appId, 'the client id in the error names the app');
    assert.ok(e.details.some((d) => /Consent for .* is missing in tenant/.test(d)));
    const consent = e.actions.find((a) => a.command === 'federatedCredentials.copyConsentUrl');
    assert.deepEqual(consent?.arguments, { app: info.multiTenantApp.objectId, tenant: info.customerTenant.id });
    // The action runs as offered: the URL for that tenant and app.
    const url = await vscode.commands.executeCommand<string>(consent!.command, consent!.arguments);
    assert.match(url, new RegExp(`/${info.customerTenant.id}/adminconsent\\?client_id=${info.multiTenantApp.appId}`));
  });

  it('with the text alone (what the Explain button passes), shows the explanation as a rendered document without a token in it', async () => {
    const info = sandbox.info();
    const { text } = await exchange(info.homeTenant.id, info.spareIdentity.principalId);
    const jwt = await sandbox.mintToken({
      tenant: info.homeTenant.id,
      resource: 'api://AzureADTokenExchange',
      servicePrincipalId: info.spareIdentity.principalId,
    });
    // The error does not name the app: it is asked for, once.
    const ui = new ScriptedUserInput([typeAndPick(info.multiTenantApp.appId, /./)]);
    api.testing?.useUserInput(ui);
    let e: ErrorExplanation;
    try {
      e = await explain(`client_assertion=${jwt}\n${text}`);
    } finally {
      api.testing?.useUserInput(undefined);
    }
    ui.assertDone();
    assert.equal(e.codes[0], 'AADSTS700213');
    assert.equal(e.app?.appId, info.multiTenantApp.appId);
    const document = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'federated-credentials-explanation' && d.uri.path.startsWith('/AADSTS700213'));
    assert.ok(document, `the explanation is open: ${vscode.workspace.textDocuments.map((d) => d.uri.toString()).join(', ')}`);
    const markdown = document.getText();
    assert.match(markdown, /^# AADSTS700213: No federated credential has the token’s subject/);
    assert.match(markdown, new RegExp(`\\| subject \\| \`${info.spareIdentity.principalId}\` \\|`));
    assert.match(markdown, new RegExp(`## What differs[\\s\\S]*"${info.multiTenantApp.ficName}"`));
    assert.match(markdown, /## Fixes\n\n- Set the subject of/);
    assert.equal(markdown.includes(jwt.split('.')[1]!), false);
    assert.equal(document.isDirty, false, 'nothing to save');
    // The preview opens its tab a moment after the command returns.
    const tabLabels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
    for (let i = 0; i < 50 && !tabLabels().some((label) => label.includes('AADSTS700213')); i++) await new Promise((r) => setTimeout(r, 100));
    const tabs = tabLabels();
    assert.ok(
      tabs.some((label) => label.includes('AADSTS700213')),
      `shown in a tab: ${tabs.join(', ')}`,
    );
  });

  it('a text without an error code is answered, never thrown; a JWT in it appears nowhere', async () => {
    const jwt = await sandbox.mintToken({
      tenant: sandbox.info().homeTenant.id,
      resource: 'api://AzureADTokenExchange',
      servicePrincipalId: sandbox.info().spareIdentity.principalId,
    });
    const e = await explain({ text: `The runbook stopped. token=${jwt}` });
    assert.equal(e.found, false);
    assert.match(e.summary, /No AADSTS or Graph error code found/);
    assert.equal(JSON.stringify(e).includes(jwt.split('.')[1]!), false);
  });

  it('refuses bad arguments clearly', async () => {
    await assert.rejects(explain({}), /Pass "text": the error to explain/);
    await assert.rejects(explain({ text: '   ' }), /Argument "text" is empty/);
    await assert.rejects(explain({ text: 42 }), /Argument "text" must be a string; got "42"/);
    await assert.rejects(
      explain({ text: 'AADSTS70021', app: 'my-app' }),
      /"app" must be the app registration's object id or application \(client\) id, a GUID/,
    );
    await assert.rejects(explain({ text: 'AADSTS70021', tenant: 'common' }), /Argument "tenant": Tenant "common" cannot be used/);
    await assert.rejects(
      explain({ text: 'AADSTS70021', apps: sandbox.info().multiTenantApp.appId }),
      /Unknown argument "apps"; this command takes text, app, tenant/,
    );
    await assert.rejects(explain({ text: 'x'.repeat(100_001) }), /has 100001 characters/);
  });
});
