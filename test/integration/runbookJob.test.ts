// Closing the loop in VS Code against the sandbox: the generated Python runbook is scaffolded, deployed and run as
// an Automation job (the emulator runs it with this machine's python3, as the Automation account's identity).
// Before consent in the customer tenant the job fails with AADSTS700016; after consent it lists the customer's users.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { StartJobResult } from '../../src/commands/runbooks/startRunbookJob';
import type { AppRegistration } from '../../src/domain/model';
import { sandbox } from './support/sandbox';

const run = <T>(command: string, args: Record<string, unknown>) => Promise.resolve(vscode.commands.executeCommand<T>(`federatedCredentials.${command}`, args));

describe('Runbook jobs (sandbox, in VS Code)', function () {
  this.timeout(180_000);
  let account: string;
  let runbookName: string;

  let app: AppRegistration;

  before(async () => {
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
    const info = sandbox.info();
    account = info.automationAccount.id;
    // An app of its own (other suites may consent the seeded one): multi-tenant, User.Read.All, trusting the
    // Automation account's user-assigned identity, not consented in the customer tenant yet.
    app = await run<AppRegistration>('createAppRegistration', { displayName: 'Job Loop Reporter', multiTenant: true, permissions: ['User.Read.All'] });
    await run('addManagedIdentityCredential', { app: app.id, managedIdentity: info.automationAccount.userAssigned.principalId });
    const file = await run<string>('scaffoldRunbook', {
      app: app.id,
      template: 'python',
      targetTenants: [info.customerTenant.domain],
      identity: { kind: 'userAssigned', clientId: info.automationAccount.userAssigned.clientId },
      outputPath: 'runbooks/Job-Loop.py',
      overwrite: true,
    });
    const deployed = await run<{ state: string }>('deployRunbook', { file, automationAccount: account, runbookName: 'Job-Loop', publish: true });
    assert.equal(deployed.state, 'Published');
    runbookName = 'Job-Loop';
  });

  it('before consent the job fails and its output names AADSTS700016; after consent it lists the customer users', async () => {
    const info = sandbox.info();
    const failed = await run<StartJobResult>('startRunbookJob', { automationAccount: account, runbookName });
    assert.equal(failed.status, 'Failed');
    assert.match(failed.jobName ?? '', /^[0-9a-f-]{36}$/);
    assert.match(failed.output, /AADSTS700016/);
    assert.match(failed.exception ?? '', /Every target tenant failed/);
    assert.equal(failed.draft, false);
    // Explain, on the failed job's output: consent is missing in the customer tenant, and the fix is its consent URL.
    const explained = await run<{ category: string; codes: string[]; summary: string; actions: Array<{ command: string; arguments?: unknown[] }> }>(
      'explainError',
      { text: `${failed.exception ?? ''}\n${failed.output}`, app: app.appId },
    );
    assert.equal(explained.codes[0], 'AADSTS700016');
    assert.match(explained.summary, /consent/i);
    assert.ok(
      explained.actions.some((a) => a.command === 'federatedCredentials.copyConsentUrl'),
      `a consent action: ${JSON.stringify(explained.actions)}`,
    );

    await sandbox.consent({ tenant: info.customerTenant.id, clientId: app.appId });
    // The new credential propagates for a few seconds in these suites (AADSTS70021): run again until it is seen.
    let completed = await run<StartJobResult>('startRunbookJob', { automationAccount: account, runbookName });
    for (let tries = 0; completed.status !== 'Completed' && /AADSTS70021/.test(completed.output) && tries < 5; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      completed = await run<StartJobResult>('startRunbookJob', { automationAccount: account, runbookName });
    }
    assert.equal(completed.status, 'Completed', completed.output);
    assert.ok(
      info.users.some((u) => u.tenantId === info.customerTenant.id && completed.output.includes(`<${u.username}>`)),
      `a customer user in the output:\n${completed.output}`,
    );
    assert.ok(completed.streams.some((s) => s.streamType === 'Output'));
    assert.doesNotMatch(JSON.stringify(completed), /eyJ[\w-]{10,}\.[\w-]{10,}\./, 'no token in the result');
    const logged = (await sandbox.requests(0)).filter((r) => r.area === 'arm' && r.path.includes('/jobs/'));
    assert.ok(
      logged.some((r) => r.method === 'PUT' && r.path.endsWith(`/jobs/${completed.jobName}`)),
      'started through ARM Job_Create',
    );
  });

  it('with wait: false it returns once started; a test job of the draft runs the draft', async () => {
    const started = await run<StartJobResult>('startRunbookJob', { automationAccount: account, runbookName, wait: false });
    assert.ok(['New', 'Activating', 'Running'].includes(started.status), started.status);
    assert.equal(started.output, '');
    const test = await run<StartJobResult>('startRunbookJob', { automationAccount: account, runbookName, draft: true });
    assert.equal(test.draft, true);
    assert.equal(test.jobName, undefined, 'a test job has no job name');
    assert.ok(['Completed', 'Failed'].includes(test.status), test.status);
  });

  it('refuses bad arguments clearly and starts nothing', async () => {
    const mark = await sandbox.mark();
    await assert.rejects(run('startRunbookJob', { automationAccount: account }), /Pass "automationAccount" and "runbookName"/);
    await assert.rejects(
      run('startRunbookJob', { automationAccount: account, runbookName, parameters: { n: 3 } }),
      /"parameters" must be an object of parameter names and string values/,
    );
    await assert.rejects(run('startRunbookJob', { automationAccount: account, runbookName, wait: 'yes' }), /"wait" must be true or false/);
    await assert.rejects(run('startRunbookJob', { automationAccount: 'aa-prod', runbookName }), /"automationAccount"/);
    await assert.rejects(run('startRunbookJob', { automationAccount: account, runbookName, extra: 1 }), /Unknown argument "extra"/);
    const writes = (await sandbox.requests(mark)).filter((r) => r.area === 'arm' && r.method !== 'GET');
    assert.deepEqual(writes, [], 'no job was started');
    await assert.rejects(run('startRunbookJob', { automationAccount: account, runbookName: 'No-Such-Runbook' }), /Azure Resource Manager answered 404/);
  });
});
