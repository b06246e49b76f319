// The deploy sequence and its consent rules, against an in-memory fake of the Automation client's
// operations (logic only; ARM wire behaviour is not covered here).
import * as assert from 'node:assert/strict';
import type { AutomationClient } from '../../../../src/arm/automation';
import type { AutomationAccount, AutomationModule, Runbook } from '../../../../src/domain/model';
import { deployRunbookToAccount, type Consent, type DeployHooks } from '../../../../src/commands/runbooks/deployer';
import { planRunbookFile } from '../../../../src/commands/runbooks/runbookFile';
import { renderRunbook, type RunbookIdentity, type RunbookRuntime, type RunbookTemplateId } from '../../../../src/runbooks';

const ACCOUNT = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/aa';
const UAMI = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';

class FakeAutomation {
  readonly log: string[] = [];
  account: AutomationAccount = { id: ACCOUNT, name: 'aa', location: 'westeurope', identity: { type: 'None' } };
  modules: AutomationModule[] = [{ name: 'Microsoft.Graph.Authentication', properties: { provisioningState: 'Succeeded', version: '2.25.0' } }];
  environments = new Set<string>();
  runbook?: Runbook;
  async getAccount() {
    return this.account;
  }
  async ensureRuntimeEnvironment(_a: AutomationAccount, spec: { name: string }) {
    const created = !this.environments.has(spec.name);
    if (created) {
      this.environments.add(spec.name);
      this.log.push(`create environment ${spec.name}`);
    }
    return { environment: { name: spec.name }, created };
  }
  async listModules(_id: string, target: { kind: string; name?: string }) {
    this.log.push(`list modules ${target.kind}${target.name ? ` ${target.name}` : ''}`);
    return this.modules;
  }
  async importModule(_id: string, _t: unknown, m: { name: string }) {
    this.log.push(`import ${m.name}`);
    this.modules.push({ name: m.name, properties: { provisioningState: 'Succeeded' } });
    return this.modules.at(-1)!;
  }
  async enableSystemAssignedIdentity(a: AutomationAccount) {
    this.log.push('enable identity');
    this.account = { ...a, identity: { type: 'SystemAssigned', principalId: 'p1' } };
    return this.account;
  }
  async createOrUpdateRunbook(_id: string, name: string, location: string, d: { runbookType: string; runtimeEnvironment?: string; apiVersion: string }) {
    this.log.push(`put runbook ${name} ${d.runbookType}${d.runtimeEnvironment ? ` ${d.runtimeEnvironment}` : ''} @${d.apiVersion} in ${location}`);
    this.runbook = { id: `${ACCOUNT}/runbooks/${name}`, name, properties: { state: 'New', runbookType: d.runbookType } };
    return this.runbook;
  }
  async uploadDraftContent(_id: string, _n: string, content: string) {
    this.log.push(`upload ${content.length > 0 ? 'content' : 'empty'}`);
    this.runbook = { ...this.runbook!, properties: { ...this.runbook!.properties, state: 'Edit' } };
  }
  async publishRunbook() {
    this.log.push('publish');
    this.runbook = { ...this.runbook!, properties: { ...this.runbook!.properties, state: 'Published' } };
  }
  async getRunbook() {
    return this.runbook;
  }
}

function request(
  template: RunbookTemplateId,
  runtime: RunbookRuntime,
  identity: RunbookIdentity,
  over: { publish?: boolean; importModules?: Consent; enableIdentity?: Consent } = {},
) {
  const generated = renderRunbook({
    template,
    runtime,
    identity,
    appClientId: '11111111-1111-1111-1111-111111111111',
    homeTenantId: '22222222-2222-2222-2222-222222222222',
    targetTenants: ['contoso.com'],
    cloud: { loginUrl: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com', tokenExchangeAudience: 'api://AzureADTokenExchange' },
    generatedOn: '2025-06-01',
  });
  return {
    accountId: ACCOUNT,
    runbookName: generated.runbookName,
    content: generated.content,
    plan: planRunbookFile(generated.content, generated.fileName),
    publish: over.publish ?? true,
    importModules: over.importModules ?? 'ask',
    enableIdentity: over.enableIdentity ?? 'ask',
  };
}

function hooks(answers: boolean[] = []) {
  const asked: string[] = [];
  const warnings: string[] = [];
  const h: DeployHooks = {
    confirm: async (message) => {
      asked.push(message);
      const a = answers.shift();
      if (a === undefined) throw new Error(`unexpected question: ${message}`);
      return a;
    },
    report: () => undefined,
    info: () => undefined,
    warn: (m) => warnings.push(m),
  };
  return { h, asked, warnings };
}

describe('runbook deployment sequence', () => {
  it('PowerShell 7.2 TokenMagician, system-assigned: shows modules, imports the missing ones and turns the identity on when agreed, then publishes', async () => {
    const fake = new FakeAutomation();
    const { h, asked } = hooks([true, true]);
    const out = await deployRunbookToAccount(
      fake as unknown as AutomationClient,
      request('powershell-tokenmagician', 'PowerShell-7.2', { kind: 'systemAssigned' }),
      h,
    );
    assert.match(asked[0]!, /2 modules the runbook needs are missing from aa \(PowerShell 7\.2 modules\): TokenMagician, Microsoft\.Graph\.Users/);
    assert.match(asked[1]!, /system-assigned identity of aa, which is off/);
    assert.deepEqual(fake.log, [
      'list modules powerShell72',
      'import TokenMagician',
      'import Microsoft.Graph.Users',
      'enable identity',
      'put runbook Invoke-FederatedGraph-TokenMagician PowerShell72 @2023-11-01 in westeurope',
      'upload content',
      'publish',
    ]);
    assert.equal(out.state, 'Published');
    assert.equal(out.runbookId, `${ACCOUNT}/runbooks/Invoke-FederatedGraph-TokenMagician`);
    assert.deepEqual(out.importedModules, ['TokenMagician', 'Microsoft.Graph.Users']);
    assert.equal(out.identityEnabled, true);
    assert.ok(out.warnings.some((w) => /end of support/.test(w)));
  });

  it('declining changes nothing on the account but still deploys, with warnings', async () => {
    const fake = new FakeAutomation();
    const { h, warnings } = hooks([false, false]);
    const out = await deployRunbookToAccount(
      fake as unknown as AutomationClient,
      request('powershell-tokenmagician', 'PowerShell-7.4', { kind: 'systemAssigned' }, { publish: false }),
      h,
    );
    assert.deepEqual(fake.log, [
      'create environment PowerShell-7.4',
      'list modules runtimeEnvironment PowerShell-7.4',
      'put runbook Invoke-FederatedGraph-TokenMagician PowerShell PowerShell-7.4 @2024-10-23 in westeurope',
      'upload content',
    ]);
    assert.equal(out.state, 'Edit');
    assert.ok(warnings.some((w) => /fails until TokenMagician, Microsoft\.Graph\.Users are imported/.test(w)));
    assert.ok(warnings.some((w) => /system-assigned identity of aa is off/.test(w)));
  });

  it('programmatic "no" never asks and never changes the account; "yes" does both without asking', async () => {
    const fake = new FakeAutomation();
    await deployRunbookToAccount(
      fake as unknown as AutomationClient,
      request('powershell-tokenmagician', 'PowerShell-7.2', { kind: 'systemAssigned' }, { importModules: 'no', enableIdentity: 'no' }),
      hooks().h,
    );
    assert.ok(!fake.log.some((l) => /import|enable/.test(l)));
    const fake2 = new FakeAutomation();
    await deployRunbookToAccount(
      fake2 as unknown as AutomationClient,
      request('powershell-tokenmagician', 'PowerShell-7.2', { kind: 'systemAssigned' }, { importModules: 'yes', enableIdentity: 'yes' }),
      hooks().h,
    );
    assert.ok(fake2.log.includes('import TokenMagician') && fake2.log.includes('enable identity'));
  });

  it('Python and the REST template need no module; a user-assigned runbook never touches the system identity but warns when the identity is not attached', async () => {
    const fake = new FakeAutomation();
    const { h, asked, warnings } = hooks();
    await deployRunbookToAccount(fake as unknown as AutomationClient, request('python', 'Python-3.10', { kind: 'userAssigned', clientId: UAMI }), h);
    assert.deepEqual(asked, []);
    assert.deepEqual(fake.log, [
      'create environment Python-3.10',
      'put runbook Invoke-FederatedGraph-Python Python3 Python-3.10 @2024-10-23 in westeurope',
      'upload content',
      'publish',
    ]);
    assert.ok(warnings.some((w) => w.includes(`No user-assigned identity with client id ${UAMI} is attached to aa`)));
    const attached = new FakeAutomation();
    attached.account = { ...attached.account, identity: { type: 'UserAssigned', userAssignedIdentities: { '/x/id1': { clientId: UAMI.toUpperCase() } } } };
    attached.environments.add('PowerShell-7.4');
    const second = hooks();
    await deployRunbookToAccount(
      attached as unknown as AutomationClient,
      request('powershell-rest', 'PowerShell-7.4', { kind: 'userAssigned', clientId: UAMI }),
      second.h,
    );
    assert.deepEqual(second.warnings, []);
    assert.ok(!attached.log.includes('create environment PowerShell-7.4'));
  });
});
