// Federated credentials of a user-assigned managed identity (ARM), in VS Code against the sandbox: listed under
// the identity in the Managed Identities view, added (each kind), edited, copied and deleted through the
// commands with arguments; ARM's rules refused before any write; five concurrent adds to one identity all land.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FederatedCredentialsApi } from '../../src/api';
import type { IdentityCredential } from '../../src/domain/identityCredentials';
import type { RenderedNode } from '../../src/tree/render';
import type { UserInput } from '../../src/wizard/userInput';
import { CANCEL, ScriptedUserInput } from '../support/scriptedUserInput';
import { sandbox } from './support/sandbox';

const EXTENSION_ID = 'federated-credentials.federated-credentials';
const run = <T>(command: string, args: Record<string, unknown>) => Promise.resolve(vscode.commands.executeCommand<T>(`federatedCredentials.${command}`, args));
const credentialWrites = async (mark: number) =>
  (await sandbox.requests(mark)).filter((r) => r.area === 'arm' && r.method !== 'GET' && r.path.includes('/federatedIdentityCredentials'));

describe('Federated credentials of a user-assigned identity (sandbox, in VS Code)', function () {
  this.timeout(90_000);
  let api: FederatedCredentialsApi & { testing?: { useUserInput: (ui: UserInput | undefined) => void } };
  let identityId: string;
  let principalId: string;
  const config = () => vscode.workspace.getConfiguration('federatedCredentials');

  /** The identity's "Federated credentials" group in the Managed Identities view, rendered with its children. */
  async function credentialsGroup(): Promise<RenderedNode> {
    const { automationAccount } = sandbox.info();
    await vscode.commands.executeCommand('federatedCredentials.refresh');
    // The first render expands the group (one ARM request); the group's count shows from the second, as VS Code redraws it.
    await api.views.managedIdentities.render(2);
    const identity = (await api.views.managedIdentities.render(2)).find((n) => n.label === automationAccount.userAssigned.name);
    assert.ok(identity, 'the identity is listed');
    const group = identity.children?.find((c) => c.contextValue === 'identityCredentials');
    assert.ok(group, `a group of its own credentials: ${JSON.stringify(identity.children?.map((c) => c.label))}`);
    return group;
  }

  async function removeAll(): Promise<void> {
    const group = await credentialsGroup();
    for (const child of group.children ?? []) {
      if (child.contextValue?.includes('identityCredential'))
        await run('deleteIdentityCredential', { identity: identityId, credential: child.label, confirm: true });
    }
  }

  before(async () => {
    api = await vscode.extensions.getExtension<FederatedCredentialsApi>(EXTENSION_ID)!.activate();
    await vscode.commands.executeCommand('fcSandbox.signIn');
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
    ({ id: identityId, principalId } = sandbox.info().automationAccount.userAssigned);
    await removeAll();
  });
  afterEach(async () => {
    api.testing?.useUserInput(undefined);
    await removeAll();
  });
  after(() => config().update('preview.flexibleCredentials', undefined, vscode.ConfigurationTarget.Global));

  it('adds a GitHub Actions, a Kubernetes and an other-issuer credential (by ARM id and by object id) and lists them under the identity', async () => {
    const mark = await sandbox.mark();
    const github = await run<IdentityCredential>('addIdentityCredential', {
      identity: identityId,
      kind: 'githubActions',
      organization: 'contoso',
      repository: 'deploy',
      ownerId: '5544123',
      repositoryId: '821093847',
      entity: 'environment',
      value: 'prod',
      name: 'gh-deploy-prod',
    });
    assert.equal(github.subject, 'repo:contoso@5544123/deploy@821093847:environment:prod');
    assert.deepEqual(github.audiences, ['api://AzureADTokenExchange']);
    const aks = await run<IdentityCredential>('addIdentityCredential', {
      identity: principalId,
      kind: 'kubernetes',
      issuer: 'https://westeurope.oic.prod-aks.azure.com/11111111-2222-3333-4444-555555555555/66666666-7777-8888-9999-000000000000/',
      namespace: 'payments',
      serviceAccount: 'api',
      name: 'aks-payments-api',
    });
    assert.equal(aks.subject, 'system:serviceaccount:payments:api');
    await run('addIdentityCredential', {
      identity: identityId,
      kind: 'otherIssuer',
      issuer: 'https://issuer.example.com',
      subject: 'job-42',
      name: 'other-job',
    });
    const writes = await credentialWrites(mark);
    assert.deepEqual(
      writes.map((w) => [w.method, w.path.split('/').pop(), w.query['api-version']]),
      [
        ['PUT', 'gh-deploy-prod', '2026-05-31'],
        ['PUT', 'aks-payments-api', '2026-05-31'],
        ['PUT', 'other-job', '2026-05-31'],
      ],
    );

    const group = await credentialsGroup();
    assert.equal(group.description, '3 of 20');
    const byName = new Map((group.children ?? []).map((c) => [c.label, c]));
    assert.equal(byName.get('gh-deploy-prod')?.icon, 'github');
    assert.match(byName.get('gh-deploy-prod')?.description ?? '', /^GitHub Actions: contoso\/deploy/);
    assert.equal(byName.get('aks-payments-api')?.icon, 'server-environment');
    assert.equal(byName.get('other-job')?.icon, 'key');
    assert.match(
      byName.get('other-job')?.tooltip ?? '',
      /Issuer: `https:\/\/issuer\.example\.com`[\s\S]*Subject: `job-42`[\s\S]*Audience: `api:\/\/AzureADTokenExchange`/,
    );
    assert.equal(byName.get('other-job')?.contextValue, 'identityCredential');
  });

  it('a system-assigned identity says why it has none, and the commands refuse it', async () => {
    const { automationAccount } = sandbox.info();
    const nodes = await api.views.managedIdentities.render(1);
    const system = nodes.find((n) => n.contextValue?.includes('systemAssigned') && n.description?.includes(automationAccount.name));
    assert.ok(system);
    assert.match(system.children?.[0]?.label ?? '', /only user-assigned identities can have them/);
    const systemPrincipal = system.tooltip?.match(/Object \(principal\) ID: `([0-9a-f-]{36})`/)?.[1];
    assert.ok(systemPrincipal);
    await assert.rejects(
      run('addIdentityCredential', { identity: systemPrincipal, kind: 'otherIssuer', issuer: 'https://i.example', subject: 's', name: 'nope' }),
      /is a system-assigned identity .* Only user-assigned managed identities can have federated credentials/,
    );
  });

  it('edits the subject (name immutable), copies as az, Bicep and JSON, and deletes only with confirm', async () => {
    await run('addIdentityCredential', { identity: identityId, kind: 'otherIssuer', issuer: 'https://issuer.example.com', subject: 'job-1', name: 'job' });
    const edited = await run<IdentityCredential>('editIdentityCredential', { identity: identityId, credential: 'job', subject: 'job-2' });
    assert.equal(edited.subject, 'job-2');
    await assert.rejects(run('editIdentityCredential', { identity: identityId, credential: 'job', name: 'renamed' }), /name cannot be changed/);

    const az = await run<string>('copyIdentityCredential', { identity: identityId, credential: 'job', format: 'azureCli' });
    assert.match(az, /^az identity federated-credential create \\\n {2}--name 'job' \\\n {2}--identity-name '/);
    assert.match(az, /--subject 'job-2'/);
    assert.equal(await vscode.env.clipboard.readText(), az);
    const bicep = await run<string>('copyIdentityCredential', { identity: identityId, credential: 'job', format: 'bicep' });
    assert.match(bicep, /Microsoft\.ManagedIdentity\/userAssignedIdentities\/federatedIdentityCredentials@2026-05-31/);
    const json = JSON.parse(await run<string>('copyIdentityCredential', { identity: identityId, credential: 'job', format: 'json' }));
    assert.deepEqual(json, { properties: { issuer: 'https://issuer.example.com', subject: 'job-2', audiences: ['api://AzureADTokenExchange'] } });

    const mark = await sandbox.mark();
    await assert.rejects(run('deleteIdentityCredential', { identity: identityId, credential: 'job' }), /needs "confirm": true/);
    assert.deepEqual(await credentialWrites(mark), [], 'nothing deleted without confirm');
    assert.deepEqual(await run('deleteIdentityCredential', { identity: identityId, credential: 'job', confirm: true }), {
      deleted: true,
      identity: identityId.replace('/resourcegroups/', '/resourceGroups/'),
      credential: 'job',
    });
    assert.equal((await credentialsGroup()).children?.[0]?.contextValue, 'message', 'none left: the group says how to add one');
  });

  it('refuses a bad name, a second use of an issuer and subject, a name taken in another case and the 21st credential before any write', async () => {
    const add = (name: string, subject: string) =>
      run('addIdentityCredential', { identity: identityId, kind: 'otherIssuer', issuer: 'https://issuer.example.com', subject, name });
    await add('first', 'job-1');
    const mark = await sandbox.mark();
    await assert.rejects(add('-bad', 'job-x'), /Name must start with an ASCII letter or digit/);
    await assert.rejects(add('x', 'job-x'), /Name must be 3 to 120 characters/);
    await assert.rejects(add('second', 'job-1'), /already has this issuer and subject; each issuer and subject pair may be used once per managed identity/);
    await assert.rejects(add('FIRST', 'job-y'), /already exists on managed identity .* \(Azure Resource Manager names ignore case: "first"\)/);
    assert.deepEqual(await credentialWrites(mark), [], 'no request was sent for a refused credential');

    for (let i = 2; i <= 20; i++) await add(`cred-${i}`, `job-${i}`);
    const before21 = await sandbox.mark();
    await assert.rejects(add('cred-21', 'job-21'), /A managed identity can have at most 20 federated credentials/);
    assert.deepEqual(await credentialWrites(before21), []);
  });

  it('five concurrent adds to one identity all land, in sequence; a list of identities adds to each', async () => {
    const mark = await sandbox.mark();
    const added = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        run<IdentityCredential>('addIdentityCredential', {
          identity: identityId,
          kind: 'otherIssuer',
          issuer: 'https://issuer.example.com',
          subject: `par-${n}`,
          name: `par-${n}`,
        }),
      ),
    );
    assert.deepEqual(added.map((c) => c.name).sort(), ['par-1', 'par-2', 'par-3', 'par-4', 'par-5']);
    const puts = (await credentialWrites(mark)).filter((w) => w.method === 'PUT');
    assert.deepEqual(
      puts.map((p) => p.status),
      [201, 201, 201, 201, 201],
      'one write at a time: ARM never answered 409',
    );
    assert.equal((await credentialsGroup()).description, '5 of 20');

    const result = await run<{ added: unknown[]; failed: Array<{ identity: string; message: string }> }>('addIdentityCredential', {
      identity: [identityId, '00000000-0000-0000-0000-000000000000'],
      kind: 'otherIssuer',
      issuer: 'https://issuer.example.com',
      subject: 'many',
      name: 'many',
    });
    assert.equal(result.added.length, 1);
    assert.match(result.failed[0]?.message ?? '', /No managed identity with object id 00000000-0000-0000-0000-000000000000/);
  });

  it('a flexible credential needs the preview setting, then is written through the preview and shows its expression', async () => {
    const args = {
      identity: identityId,
      kind: 'flexible',
      issuer: 'https://token.actions.githubusercontent.com',
      claimsMatchingExpression: "claims['sub'] matches 'repo:contoso/deploy:*' and claims['repository_id'] eq '821093847'",
      name: 'flex-deploy',
    };
    await assert.rejects(run('addIdentityCredential', args), /Turn on the setting "federatedCredentials\.preview\.flexibleCredentials"/);
    await config().update('preview.flexibleCredentials', true, vscode.ConfigurationTarget.Global);
    const mark = await sandbox.mark();
    const flexible = await run<IdentityCredential>('addIdentityCredential', args);
    assert.equal(flexible.claimsMatchingExpression?.value, args.claimsMatchingExpression);
    assert.deepEqual(
      (await credentialWrites(mark)).map((w) => w.query['api-version']),
      ['2025-05-31-preview'],
    );
    const node = (await credentialsGroup()).children?.find((c) => c.label === 'flex-deploy');
    assert.match(node?.description ?? '', /flexible: claims\['sub'\] matches 'repo:contoso\/deploy:\*' and/);
    assert.match(node?.contextValue ?? '', /\bflexible\b/);
  });

  it('from the palette: picks the identity and the kind, checks the name as it is typed, edits and deletes with confirmation', async () => {
    const { automationAccount } = sandbox.info();
    await run('addIdentityCredential', { identity: identityId, kind: 'otherIssuer', issuer: 'https://issuer.example.com', subject: 'job-1', name: 'first' });
    const add = new ScriptedUserInput([
      automationAccount.userAssigned.name,
      /Other issuer/,
      'https://ci.example.com',
      'build-7',
      'api://AzureADTokenExchange',
      'ci-build',
    ]);
    api.testing!.useUserInput(add);
    const created = await vscode.commands.executeCommand<IdentityCredential>('federatedCredentials.addIdentityCredential');
    add.assertDone();
    assert.equal(created.name, 'ci-build');
    assert.equal(created.subject, 'build-7');
    const [identityPick, kindPick] = add.prompts;
    assert.equal(identityPick.text, 'Select a user-assigned managed identity');
    assert.ok(!identityPick.items?.some((label) => label === automationAccount.name), 'no system-assigned identity is offered');
    assert.equal(kindPick.text, 'Which workload will get tokens as this identity?');
    assert.ok(!kindPick.items?.some((label) => /Managed identity/.test(label)));
    const name = add.prompts.find((p) => p.kind === 'input' && /^Credential name/.test(p.text))!;
    assert.equal(await name.check!('FIRST'), 'A credential named "FIRST" already exists on this managed identity.');

    const edit = new ScriptedUserInput([automationAccount.userAssigned.name, 'ci-build', 'Subject', 'build-8', /Save changes/]);
    api.testing!.useUserInput(edit);
    const edited = await vscode.commands.executeCommand<IdentityCredential>('federatedCredentials.editIdentityCredential');
    edit.assertDone();
    assert.equal(edited.subject, 'build-8');
    assert.ok(!edit.prompts[2].items?.includes('Description'), 'an identity credential has no description');

    const mark = await sandbox.mark();
    const keep = new ScriptedUserInput([automationAccount.userAssigned.name, 'ci-build', CANCEL]);
    api.testing!.useUserInput(keep);
    await vscode.commands.executeCommand('federatedCredentials.deleteIdentityCredential');
    assert.deepEqual(await credentialWrites(mark), [], 'dismissing the confirmation deletes nothing');
    const remove = new ScriptedUserInput([automationAccount.userAssigned.name, 'ci-build', 'Delete']);
    api.testing!.useUserInput(remove);
    await vscode.commands.executeCommand('federatedCredentials.deleteIdentityCredential');
    remove.assertDone();
    assert.match(remove.prompts[2].text, /^Delete the federated credential "ci-build" of the managed identity/);
    assert.deepEqual(
      (await credentialWrites(mark)).map((w) => w.method),
      ['DELETE'],
    );
  });

  it('an ARM failure shows under the group with Retry; once ARM answers, the credentials show', async () => {
    await run('addIdentityCredential', { identity: identityId, kind: 'otherIssuer', issuer: 'https://issuer.example.com', subject: 'job-1', name: 'kept' });
    await sandbox.setFaults([{ kind: 'error', status: 503, pathPrefix: `/arm${identityId}/federatedIdentityCredentials`, method: 'GET' }]);
    try {
      const failed = await credentialsGroup();
      const error = failed.children?.[0];
      assert.equal(error?.contextValue, 'error', JSON.stringify(failed.children));
      assert.match(error?.label ?? '', /503/);
      assert.equal(error?.command, 'federatedCredentials.retry');
    } finally {
      await sandbox.clearFaults();
    }
    // Once ARM answers again, a refresh shows the credentials.
    assert.deepEqual(
      (await credentialsGroup()).children?.map((c) => c.label),
      ['kept'],
    );
  });

  it("a Kubernetes credential from the palette takes its issuer from an AKS cluster of the identity's subscription", async () => {
    const { automationAccount } = sandbox.info();
    const ui = new ScriptedUserInput([
      automationAccount.userAssigned.name,
      /Kubernetes/,
      /aks-legacy/,
      /dismiss/,
      /aks-payments/,
      'payments',
      'api',
      'aks-payments-api',
    ]);
    api.testing!.useUserInput(ui);
    const created = await vscode.commands.executeCommand<IdentityCredential>('federatedCredentials.addIdentityCredential');
    ui.assertDone();
    const clusterPick = ui.prompts.find((p) => p.kind === 'pick' && /AKS cluster/.test(p.text))!;
    assert.deepEqual(clusterPick.items?.slice(0, 2), ['$(server-environment) aks-payments', '$(server-environment) aks-legacy']);
    assert.match(clusterPick.details?.[1] ?? '', /OIDC issuer not enabled: az aks update -g rg-aks -n aks-legacy --enable-oidc-issuer/);
    assert.ok(
      ui.prompts.some((p) => p.kind === 'confirm' && /aks-legacy has no OIDC issuer yet/.test(p.text)),
      'a cluster without an issuer is explained, not taken',
    );
    assert.match(created.issuer, /^https:\/\/westeurope\.oic\.prod-aks\.azure\.com\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/$/);
    assert.equal(created.subject, 'system:serviceaccount:payments:api');
    assert.ok(!ui.prompts.some((p) => p.kind === 'input' && /^Issuer URL/.test(p.text)), 'the issuer was not typed');
  });

  it('refuses bad arguments with clear messages', async () => {
    await assert.rejects(run('addIdentityCredential', { kind: 'otherIssuer', issuer: 'https://i.example', subject: 's', name: 'abc' }), /Pass "identity"/);
    await assert.rejects(
      run('addIdentityCredential', { identity: 'id-deploy', kind: 'otherIssuer', issuer: 'https://i.example', subject: 's', name: 'abc' }),
      /"identity" must be a user-assigned managed identity's ARM id or object \(principal\) id; "id-deploy" is neither/,
    );
    await assert.rejects(
      run('addIdentityCredential', { identity: identityId, kind: 'managedIdentity', name: 'abc' }),
      /"kind" must be one of githubActions, kubernetes, otherIssuer, flexible/,
    );
    await assert.rejects(
      run('copyIdentityCredential', { identity: identityId, credential: 'nothing', format: 'json' }),
      /has no federated credential named "nothing"/,
    );
  });
});
