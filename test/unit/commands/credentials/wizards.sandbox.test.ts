// The credential wizards driven by scripted input, in plain Node: the real commands (addCredential,
// addManagedIdentityCredential) over the extension's GraphDirectory and CredentialService
// against an in-process sandbox. What they ask, in which order, what they send, and what they write.
import assert from 'node:assert/strict';
import { addCredential } from '../../../../src/commands/credentials/addCredential';
import { addManagedIdentityCredential } from '../../../../src/commands/credentials/addManagedIdentityCredential';
import type { CredentialCommandDeps } from '../../../../src/commands/credentials/common';
import type { CommandContext } from '../../../../src/commands/commandRunner';
import { APP_PICKER_PAGE_SIZE } from '../../../../src/commands/steps';
import { resolveCloud } from '../../../../src/domain/clouds';
import type { FederatedCredential } from '../../../../src/domain/model';
import { GraphDirectory } from '../../../../src/graph/directory';
import { CredentialService } from '../../../../src/services/credentialService';
import { isUserCancelled } from '../../../../src/util/cancellation';
import { NoPromptUserInput } from '../../../../src/wizard/noPromptUserInput';
import { BACK, CANCEL, ScriptedUserInput, typeAndPick } from '../../../support/scriptedUserInput';
import { sandboxGraph, useSandbox } from '../../../support/sandboxSuite';

const noop = () => undefined;
const log = { info: noop, warn: noop, error: noop, debug: noop, trace: noop, show: noop } as unknown as CredentialCommandDeps['log'];

describe('credential wizards with scripted input (sandbox)', function () {
  this.timeout(30_000);
  // More apps than the picker lists before the user types: the last ones are found by search only.
  const f = useSandbox({ seed: 71, size: { apps: APP_PICKER_PAGE_SIZE + 40, appsWithCredentials: 0, managedIdentities: 2 } });
  let deps: CredentialCommandDeps;
  let directory: GraphDirectory;
  let appName: string;
  let identityName: string;
  let otherIdentityName: string;

  before(() => {
    const { info } = f.sandbox;
    ({ directory } = sandboxGraph(f.sandbox));
    const cloud = resolveCloud('Custom', info.customCloud);
    deps = {
      directory: () => directory,
      credentials: () => new CredentialService(directory, cloud, () => info.homeTenant.id),
      cloud: () => cloud,
      tenantId: () => info.homeTenant.id,
      log,
      selectedApp: () => undefined,
      selectedCredential: () => undefined,
      selectedIdentity: () => undefined,
      progress: (_title, work) => work(new AbortController().signal),
      afterChange: async () => undefined,
      offerNextSteps: async () => undefined,
    };
    appName = f.sandbox.core.state.applications.get(info.multiTenantApp.objectId)!.displayName;
    identityName = f.sandbox.core.state.servicePrincipals.get(info.spareIdentity.principalId)!.displayName;
    // Another user-assigned identity of the home tenant that the app does not trust yet.
    const trusted = new Set(f.sandbox.core.state.applications.get(info.multiTenantApp.objectId)!.federatedIdentityCredentials.map((c) => c.subject));
    otherIdentityName = [...f.sandbox.core.state.servicePrincipals.values()].find(
      (sp) =>
        sp.servicePrincipalType === 'ManagedIdentity' &&
        sp.tenantId === info.homeTenant.id &&
        sp.id !== info.spareIdentity.principalId &&
        !trusted.has(sp.id) &&
        sp.alternativeNames.some((n) => /userAssignedIdentities/i.test(n)),
    )!.displayName;
  });

  const interactive = (ui: ScriptedUserInput): CommandContext => ({ commandId: 'test', ui, programmatic: false });
  const stored = (name: string) =>
    f.sandbox.core.state.applications.get(f.sandbox.info.multiTenantApp.objectId)!.federatedIdentityCredentials.find((c) => c.name === name);
  const writes = (since: number) => f.sandbox.requests(since).filter((r) => r.method !== 'GET' && !/\$batch$/.test(r.path) && r.area === 'graph');

  it('Add Federated Credential… with the kind "Managed identity" asks for the name and the description once, and keeps them', async () => {
    const ui = new ScriptedUserInput([typeAndPick(appName, appName), /Managed identity/, identityName, 'msi-from-add', 'Runbooks of the spare identity']);
    const credential = (await addCredential(deps, interactive(ui))) as FederatedCredential;
    ui.assertDone();
    const inputs = ui.prompts.filter((p) => p.kind === 'input').map((p) => p.text);
    assert.equal(inputs.filter((t) => /^Credential name/.test(t)).length, 1, `the name was asked ${JSON.stringify(inputs)}`);
    assert.equal(inputs.filter((t) => /^Description/.test(t)).length, 1, `the description was asked ${JSON.stringify(inputs)}`);
    assert.equal(credential.name, 'msi-from-add');
    assert.equal(credential.description, 'Runbooks of the spare identity');
    assert.equal(credential.subject, f.sandbox.info.spareIdentity.principalId);
    assert.equal(stored('msi-from-add')?.description, 'Runbooks of the spare identity');
  });

  it("offers the identity's default name and description; Back from the identity returns to the app", async () => {
    const ui = new ScriptedUserInput([typeAndPick(appName, appName), BACK, typeAndPick(appName, appName), otherIdentityName, 'msi-defaults', 'd']);
    await addManagedIdentityCredential(deps, interactive(ui));
    ui.assertDone();
    const name = ui.prompts.find((p) => p.kind === 'input' && /^Credential name/.test(p.text))!;
    assert.match(name.value ?? '', /^[A-Za-z0-9][A-Za-z0-9_-]{2,}$/, 'a default name is offered');
    const description = ui.prompts.find((p) => p.kind === 'input' && /^Description/.test(p.text))!;
    assert.ok((description.value ?? '').includes(otherIdentityName), `the default description names the identity: ${description.value}`);
    // Back from the identity step returned to the app step.
    assert.deepEqual(
      ui.prompts.slice(0, 3).map((p) => p.kind),
      ['pick', 'pick', 'pick'],
    );
  });

  it('the identity picker searches the tenant by the start of the name as the user types (one Graph request)', async () => {
    const since = f.sandbox.requests().length;
    const prefix = identityName.slice(0, Math.max(3, identityName.length - 2));
    const ui = new ScriptedUserInput([typeAndPick(appName, appName), typeAndPick(prefix, identityName), CANCEL]);
    await assert.rejects(addManagedIdentityCredential(deps, interactive(ui)), (e: unknown) => isUserCancelled(e));
    const identityPick = ui.prompts[1];
    assert.equal(identityPick.searched, prefix);
    assert.ok(identityPick.found!.includes(identityName), `found ${JSON.stringify(identityPick.found)}`);
    const named = identityPick.found!.filter((label) => !label.startsWith('$(edit)'));
    assert.ok(
      named.every((label) => label.startsWith(prefix)),
      `only names that start with ${prefix}: ${JSON.stringify(named)}`,
    );
    const searches = f.sandbox
      .requests(since)
      .filter((r) => r.path.endsWith('/servicePrincipals') && (r.query.$filter ?? '').includes(`startswith(displayName,'${prefix}')`));
    assert.equal(searches.length, 1, 'one Graph request for the search');
  });

  it('the app picker lists one page and finds the rest by server-side search as the user types', async () => {
    const all = [...f.sandbox.core.state.applications.values()].filter((a) => a.tenantId === f.sandbox.info.homeTenant.id);
    assert.ok(all.length > APP_PICKER_PAGE_SIZE);
    const firstPage = (await directory.apps.listApps({ pageSize: APP_PICKER_PAGE_SIZE })).items.map((a) => a.displayName);
    const beyond = all.find((a) => !firstPage.includes(a.displayName) && all.filter((b) => b.displayName === a.displayName).length === 1)!;
    assert.ok(beyond, 'an app beyond the first page');
    const since = f.sandbox.requests().length;
    const ui = new ScriptedUserInput([typeAndPick(beyond.displayName, beyond.displayName), CANCEL]);
    await assert.rejects(addCredential(deps, interactive(ui)), (e: unknown) => isUserCancelled(e));
    const [appPick, kindPick] = ui.prompts;
    assert.ok(!appPick.items!.includes(beyond.displayName), 'not in the first list');
    assert.equal(appPick.items!.length, APP_PICKER_PAGE_SIZE + 1, 'one page and "Enter an id…"');
    assert.equal(appPick.searched, beyond.displayName);
    assert.ok(appPick.found!.includes(beyond.displayName));
    assert.equal(kindPick.text, 'Which workload will use this app?', 'the found app was taken: the wizard went on');
    const searches = f.sandbox.requests(since).filter((r) => r.area === 'graph' && r.query.$search !== undefined);
    assert.equal(searches.length, 1, 'one $search request for the typed text');
    assert.equal(writes(since).length, 0);
  });

  it('GitHub Actions, name-based: asks the subject form, owner, repository, entity, branch, name (a default from them) and description', async () => {
    const ui = new ScriptedUserInput([
      typeAndPick(appName, appName),
      /GitHub Actions/,
      /Name-based/,
      'contoso',
      'deploy-scripts',
      'Branch',
      'main',
      'gh-deploy-main',
      '',
    ]);
    const credential = (await addCredential(deps, interactive(ui))) as FederatedCredential;
    ui.assertDone();
    assert.deepEqual(
      ui.prompts.map((p) => p.step),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    const formats = ui.prompts[2]!;
    assert.deepEqual(formats.items, ['Immutable subject (owner and repository ids)', 'Name-based subject', 'Customised subject template']);
    assert.equal(ui.prompts[7].value, 'deploy-scripts-main');
    assert.equal(credential.subject, 'repo:contoso/deploy-scripts:ref:refs/heads/main');
    assert.equal(credential.issuer, 'https://token.actions.githubusercontent.com');
    assert.ok(stored('gh-deploy-main'));
  });

  it('GitHub Actions, immutable: asks the owner and repository ids, refuses one that is not a number while typing, builds the immutable subject', async () => {
    const ui = new ScriptedUserInput([
      typeAndPick(appName, appName),
      /GitHub Actions/,
      /Immutable/,
      'contoso',
      'payments-api',
      '5544123',
      '821093847',
      'Environment',
      'production',
      'gh-payments-prod',
      '',
    ]);
    const credential = (await addCredential(deps, interactive(ui))) as FederatedCredential;
    ui.assertDone();
    assert.equal(credential.subject, 'repo:contoso@5544123/payments-api@821093847:environment:production');
    const ownerId = ui.prompts.find((p) => /owner's numeric id/.test(p.text))!;
    assert.match((await ownerId.check!('octo')) ?? '', /Owner id must be GitHub's numeric id/);
    assert.equal(await ownerId.check!('42'), undefined);
    assert.match(ui.prompts[2]!.details!.join('\n'), /created, renamed or transferred after 15 Jul 2026/);
  });

  it('GitHub Actions, customised template: asks the claim keys and the value of each key that is not repo or context', async () => {
    const ui = new ScriptedUserInput([
      typeAndPick(appName, appName),
      /GitHub Actions/,
      /Customised/,
      'repository_owner_id, context',
      '1234567',
      'Environment',
      'prod',
      'gh-owner-prod',
      '',
    ]);
    const credential = (await addCredential(deps, interactive(ui))) as FederatedCredential;
    ui.assertDone();
    assert.equal(credential.subject, 'repository_owner_id:1234567:environment:prod');
    assert.ok(!ui.prompts.some((p) => /^GitHub organization/.test(p.text)), 'no owner or repository asked: the template does not use repo');
    const keys = ui.prompts.find((p) => /claim keys/.test(p.text))!;
    assert.match((await keys.check!('repo, colour')) ?? '', /"colour" is not a claim/);
  });

  it('GitHub Actions with arguments: ids make the subject immutable, claimKeys a template; bad ids are refused before any write', async () => {
    const since = f.sandbox.requests().length;
    const programmatic: CommandContext = { commandId: 'test', ui: new NoPromptUserInput(), programmatic: true };
    const base = { app: f.sandbox.info.multiTenantApp.objectId, kind: 'githubActions', organization: 'contoso', repository: 'web', entity: 'pullRequest' };
    const immutable = (await addCredential(deps, programmatic, { ...base, ownerId: '11', repositoryId: '22', name: 'gh-web-pr-ids' })) as FederatedCredential;
    assert.equal(immutable.subject, 'repo:contoso@11/web@22:pull_request');
    const template = (await addCredential(deps, programmatic, {
      ...base,
      claimKeys: ['repo', 'context', 'job_workflow_ref'],
      claims: { job_workflow_ref: 'contoso/wf/.github/workflows/deploy.yml@refs/heads/main' },
      name: 'gh-web-pr-wf',
    })) as FederatedCredential;
    assert.equal(template.subject, 'repo:contoso/web:pull_request:job_workflow_ref:contoso/wf/.github/workflows/deploy.yml@refs/heads/main');
    const writesBefore = writes(since).length;
    await assert.rejects(
      addCredential(deps, programmatic, { ...base, ownerId: 'x1', repositoryId: '22', name: 'gh-bad' }),
      /Owner id must be GitHub's numeric id/,
    );
    await assert.rejects(addCredential(deps, programmatic, { ...base, subjectFormat: 'immutable', name: 'gh-bad' }), /Pass "ownerId" in the arguments object/);
    await assert.rejects(
      addCredential(deps, programmatic, { ...base, subjectFormat: 'mutable', name: 'gh-bad' }),
      /"subjectFormat" must be one of nameBased, immutable, claimKeys/,
    );
    await assert.rejects(addCredential(deps, programmatic, { ...base, claimKeys: 'repo', name: 'gh-bad' }), /"claimKeys" must be a list of strings/);
    // Arguments another form or kind would ignore are refused, not dropped.
    await assert.rejects(
      addCredential(deps, programmatic, { ...base, subjectFormat: 'nameBased', ownerId: '1', repositoryId: '2', name: 'gh-bad' }),
      /"ownerId", "repositoryId" do not apply to a name-based subject/,
    );
    await assert.rejects(
      addCredential(deps, programmatic, { ...base, subjectFormat: 'immutable', ownerId: '1', repositoryId: '2', claimKeys: ['repo'], name: 'gh-bad' }),
      /"claimKeys" does not apply to the immutable subject form/,
    );
    await assert.rejects(
      addCredential(deps, programmatic, { ...base, claimKeys: ['repo', 'context'], claims: { actor: 'me' }, name: 'gh-bad' }),
      /"actor" does not apply as "claims"/,
    );
    await assert.rejects(
      addCredential(deps, programmatic, { app: base.app, kind: 'otherIssuer', issuer: 'https://i.test', subject: 's', ownerId: '1', name: 'gh-bad' }),
      /"ownerId" does not apply to this kind/,
    );
    assert.equal(writes(since).length, writesBefore, 'the refused ones sent nothing');
  });

  it('Flexible (preview): refused while the setting is off; with it on, the expression is checked while typing and written through beta', async () => {
    const since = f.sandbox.requests().length;
    const programmatic: CommandContext = { commandId: 'test', ui: new NoPromptUserInput(), programmatic: true };
    const args = {
      app: f.sandbox.info.multiTenantApp.objectId,
      kind: 'flexible',
      issuer: 'https://token.actions.githubusercontent.com',
      claimsMatchingExpression: "claims['sub'] matches 'repo:contoso/web:ref:refs/heads/*' and claims['repository_id'] eq '22'",
      name: 'flex-web-branches',
    };
    await assert.rejects(
      addCredential(deps, programmatic, args),
      /preview of the Microsoft Graph beta API\. Turn on the setting "federatedCredentials\.preview\.flexibleCredentials"/,
    );
    const offUi = new ScriptedUserInput([typeAndPick(appName, appName), CANCEL]);
    await assert.rejects(addCredential(deps, interactive(offUi)), (e: unknown) => isUserCancelled(e));
    assert.ok(!offUi.prompts[1]!.items!.some((i) => /Flexible/.test(i)), 'not offered while the setting is off');
    assert.equal(writes(since).length, 0);

    const on = { ...deps, flexibleCredentials: () => true };
    await assert.rejects(
      addCredential(on, programmatic, { ...args, claimsMatchingExpression: "claims['sub'] matches 'repo:contoso/web:*'" }),
      /must also test claims\['repository_id'\] or claims\['repository_owner_id'\]/,
    );
    assert.equal(writes(since).length, 0, 'a wrong expression is refused before any write');
    const ui = new ScriptedUserInput([
      typeAndPick(appName, appName),
      /Flexible/,
      'https://token.actions.githubusercontent.com',
      args.claimsMatchingExpression,
      args.name,
      '',
    ]);
    const credential = (await addCredential(on, interactive(ui))) as FederatedCredential;
    ui.assertDone();
    const expression = ui.prompts.find((p) => /Claims-matching expression/.test(p.text))!;
    assert.match((await expression.check!("claims['sub'] like 'x'")) ?? '', /must start with a clause/);
    assert.deepEqual(credential.claimsMatchingExpression, { value: args.claimsMatchingExpression, languageVersion: 1 });
    assert.equal(stored(args.name)?.subject, null, 'stored without a subject');
    assert.ok(writes(since).some((r) => r.method === 'POST' && r.path.includes('/beta/applications/')));
  });

  it('a dismissed prompt ends the wizard as a cancellation, and nothing is written', async () => {
    const since = f.sandbox.requests().length;
    const ui = new ScriptedUserInput([typeAndPick(appName, appName), /Kubernetes/, 'https://oidc.example.com/cluster', 'default', CANCEL]);
    await assert.rejects(addCredential(deps, interactive(ui)), (e: unknown) => isUserCancelled(e));
    assert.equal(writes(since).length, 0);
  });

  it('a name the app already has is refused while typing, before anything is sent', async () => {
    const since = f.sandbox.requests().length;
    const ui = new ScriptedUserInput([
      typeAndPick(appName, appName),
      /Other issuer/,
      'https://issuer.example.com',
      'workload-1',
      'api://AzureADTokenExchange',
      'msi-from-add',
    ]);
    await assert.rejects(addCredential(deps, interactive(ui)), /refused "msi-from-add": A credential named "msi-from-add" already exists on this app/);
    assert.equal(writes(since).length, 0);
  });
});
