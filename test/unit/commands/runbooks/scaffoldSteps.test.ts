import * as assert from 'node:assert/strict';
import {
  identityFromObjectId,
  IdentityStep,
  managedIdentityCredentials,
  provenanceText,
  RuntimeStep,
  TargetTenantsStep,
  TemplateStep,
  type IdentityDirectory,
  type ScaffoldContext,
} from '../../../../src/commands/runbooks/scaffoldSteps';
import { AZURE_CLOUD } from '../../../../src/domain/clouds';
import type { AppRegistration, FederatedCredential, ServicePrincipalInfo } from '../../../../src/domain/model';
import { runPromptSteps } from '../../../../src/wizard/wizard';
import { BACK, ScriptedUserInput } from '../../../support/scriptedUserInput';

const TENANT = '22222222-2222-2222-2222-222222222222';
const UAMI_OBJECT = '44444444-4444-4444-4444-444444444444';
const UAMI_CLIENT = '55555555-5555-5555-5555-555555555555';
const AA_OBJECT = '66666666-6666-6666-6666-666666666666';
const VM_OBJECT = '77777777-7777-7777-7777-777777777777';
const SUB = '/subscriptions/99999999-9999-9999-9999-999999999999/resourcegroups/rg-ops/providers';

const principals: Record<string, ServicePrincipalInfo> = {
  [UAMI_OBJECT]: {
    id: UAMI_OBJECT,
    appId: UAMI_CLIENT,
    displayName: 'id-runbooks',
    servicePrincipalType: 'ManagedIdentity',
    alternativeNames: ['isExplicit=True', `${SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-runbooks`],
  },
  [AA_OBJECT]: {
    id: AA_OBJECT,
    appId: '88888888-8888-8888-8888-888888888888',
    displayName: 'aa-prod',
    servicePrincipalType: 'ManagedIdentity',
    alternativeNames: ['isExplicit=False', `${SUB}/Microsoft.Automation/automationAccounts/aa-prod`],
  },
  [VM_OBJECT]: {
    id: VM_OBJECT,
    appId: '12121212-1212-1212-1212-121212121212',
    displayName: 'vm1',
    servicePrincipalType: 'ManagedIdentity',
    alternativeNames: ['isExplicit=False', `${SUB}/Microsoft.Compute/virtualMachines/vm1`],
  },
};

const credential = (name: string, subject: string, issuer = `https://login.microsoftonline.com/${TENANT}/v2.0`): FederatedCredential => ({
  id: name,
  name,
  subject,
  issuer,
  audiences: ['api://AzureADTokenExchange'],
});

const app: AppRegistration = {
  id: 'aaaaaaaa-0000-0000-0000-000000000000',
  appId: '11111111-1111-1111-1111-111111111111',
  displayName: 'Contoso Reporter',
  signInAudience: 'AzureADMultipleOrgs',
  federatedIdentityCredentials: [
    credential('uami', UAMI_OBJECT),
    credential('aa', AA_OBJECT),
    credential('vm', VM_OBJECT),
    credential('github', 'repo:contoso/x:ref:refs/heads/main', 'https://token.actions.githubusercontent.com'),
    credential('other-tenant', UAMI_OBJECT, 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0'),
  ],
};

const directory: IdentityDirectory = {
  servicePrincipals: { find: async (id) => principals[id] },
  apps: {
    listCredentials: async () => {
      throw new Error('the app node already carries its credentials');
    },
  },
};

const steps = () => [new TemplateStep('T'), new RuntimeStep('T'), new TargetTenantsStep('T'), new IdentityStep('T', () => directory, AZURE_CLOUD, TENANT)];

describe('scaffold runbook prompts', () => {
  it('asks template, runtime (7.6 first, 7.4 out of support, 7.2 retired), tenants and identity', async () => {
    const ui = new ScriptedUserInput([
      'PowerShell 7.x with TokenMagician',
      /^PowerShell 7\.6/,
      'fabrikam.onmicrosoft.com, 33333333-3333-3333-3333-333333333333',
      'id-runbooks',
    ]);
    const ctx: ScaffoldContext = { app };
    await runPromptSteps(ctx, steps(), ui);
    ui.assertDone();
    assert.deepEqual(
      { ...ctx, app: undefined },
      {
        app: undefined,
        template: 'powershell-tokenmagician',
        runtime: 'PowerShell-7.6',
        targetTenants: ['fabrikam.onmicrosoft.com', '33333333-3333-3333-3333-333333333333'],
        identity: { kind: 'userAssigned', clientId: UAMI_CLIENT },
        identityFrom: ctx.identityFrom,
      },
    );
    assert.match(ctx.identityFrom!, /User-assigned identity 'id-runbooks' in rg-ops .*client id of object id 4444.*credential uami/);
    const runtimePrompt = ui.prompts[1]!;
    assert.match(runtimePrompt.text, /PowerShell 7\.6 is the current one/);
    assert.deepEqual(runtimePrompt.items, [
      'PowerShell 7.6 (runtime environment)',
      'PowerShell 7.4 (runtime environment, out of support)',
      'PowerShell 7.2 (legacy runbook type PowerShell72, retired in Azure Automation)',
    ]);
    assert.match(ui.prompts[0]!.items!.join('|'), /Python 3\.10/);
  });

  it("lists only identities that can sign a runbook in: the app's user-assigned and Automation account identities", async () => {
    const ui = new ScriptedUserInput(['Python 3.10, standard library only', 'contoso.com', 'aa-prod']);
    const ctx: ScaffoldContext = { app };
    await runPromptSteps(ctx, steps(), ui);
    const identityPrompt = ui.prompts[2]!;
    assert.deepEqual(identityPrompt.items, [
      'id-runbooks',
      'aa-prod',
      "$(edit) Enter a user-assigned identity's client id…",
      "$(server) The Automation account's system-assigned identity",
    ]);
    assert.deepEqual(ctx.identity, { kind: 'systemAssigned' });
    assert.equal(ctx.runtime, undefined, 'Python has one runtime: no prompt');
  });

  it('validates tenants as the user types and takes a typed client id; Back returns to the tenants', async () => {
    const ui = new ScriptedUserInput([
      'PowerShell 7.x, no extra module',
      /7\.2/,
      'contoso.com',
      BACK,
      'contoso.com;fabrikam.com',
      /Enter a user-assigned/,
      '55555555-5555-5555-5555-555555555555',
    ]);
    const ctx: ScaffoldContext = { app };
    await runPromptSteps(ctx, steps(), ui);
    ui.assertDone();
    assert.deepEqual(ctx.targetTenants, ['contoso.com', 'fabrikam.com']);
    assert.deepEqual(ctx.identity, { kind: 'userAssigned', clientId: UAMI_CLIENT });
    assert.equal(ctx.identityFrom, 'entered in VS Code');
    await assert.rejects(runPromptSteps({ app, template: 'python' }, steps(), new ScriptedUserInput(['common'])), /"common" is not a tenant/);
    await assert.rejects(
      runPromptSteps(
        { app, template: 'python', targetTenants: ['a.com'] },
        steps(),
        new ScriptedUserInput([/Enter a user-assigned/, UAMI_OBJECT.slice(0, 10)]),
      ),
      /A client id is a GUID/,
    );
  });

  it('asks nothing when the arguments filled everything', async () => {
    const ui = new ScriptedUserInput([]);
    await runPromptSteps({ app, template: 'python', targetTenants: ['a.com'], identity: { kind: 'systemAssigned' } }, steps(), ui);
    assert.equal(ui.prompts.length, 0);
  });

  describe("identity from an object id (a managed-identity credential's subject)", () => {
    it('a user-assigned identity gives its client id', async () => {
      const r = await identityFromObjectId(directory, UAMI_OBJECT);
      assert.deepEqual(r.identity, { kind: 'userAssigned', clientId: UAMI_CLIENT });
    });
    it("an Automation account's system-assigned identity gives systemAssigned", async () => {
      assert.deepEqual((await identityFromObjectId(directory, AA_OBJECT)).identity, { kind: 'systemAssigned' });
    });
    it("refuses another resource's system-assigned identity, unknown ids and non-GUIDs", async () => {
      await assert.rejects(identityFromObjectId(directory, VM_OBJECT), /system-assigned identity of Virtual machine 'vm1'.*not of an Automation account/);
      await assert.rejects(identityFromObjectId(directory, '00000000-0000-0000-0000-00000000000f'), /No managed identity with object id/);
      await assert.rejects(identityFromObjectId(directory, 'nope'), /is a GUID/);
      await assert.rejects(
        identityFromObjectId(
          { ...directory, servicePrincipals: { find: async () => ({ ...principals[UAMI_OBJECT]!, servicePrincipalType: 'Application' }) } },
          UAMI_OBJECT,
        ),
        /is not a managed identity: its service principal type is Application/,
      );
    });
  });

  it('picks managed-identity credentials by issuer of this tenant and a GUID subject', () => {
    assert.deepEqual(
      managedIdentityCredentials(app.federatedIdentityCredentials!, AZURE_CLOUD, TENANT).map((c) => c.name),
      ['uami', 'aa', 'vm'],
    );
  });

  it('provenance text is one printable line', () => {
    assert.equal(provenanceText('a\nb\u2028c'), 'a b c');
    assert.equal(provenanceText('x'.repeat(500)).length, 300);
  });
});
