// The deploy sequence and its consent rules, against an in-memory fake of the Automation client's
// operations (logic only; ARM wire behaviour is not covered here).
import * as assert from 'node:assert/strict';
import { chooseRuntimeEnvironment, type AutomationClient, type EnvironmentChoiceOptions } from '../../../../src/arm/automation';
import type { AutomationAccount, AutomationModule, Runbook, RuntimeEnvironment } from '../../../../src/domain/model';
import { DeployRefusedError, deployRunbookToAccount, type Consent, type DeployHooks } from '../../../../src/commands/runbooks/deployer';
import { planRunbookFile } from '../../../../src/commands/runbooks/runbookFile';
import { renderRunbook, type RunbookIdentity, type RunbookRuntime, type RunbookTemplateId } from '../../../../src/runbooks';

const ACCOUNT = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/aa';
const UAMI = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';

class FakeAutomation {
  readonly log: string[] = [];
  account: AutomationAccount = { id: ACCOUNT, name: 'aa', location: 'westeurope', identity: { type: 'None' } };
  modules: AutomationModule[] = [{ name: 'Microsoft.Graph.Authentication', properties: { provisioningState: 'Succeeded', version: '2.25.0' } }];
  /** The account's runtime environments: the system-generated ones Automation makes, as in a new account. */
  environments: RuntimeEnvironment[] = [
    { name: 'PowerShell-7.2', properties: { runtime: { language: 'PowerShell', version: '7.2' }, description: 'System-generated Runtime Environment' } },
    { name: 'Python-3.10', properties: { runtime: { language: 'Python', version: '3.10' }, description: 'System-generated Runtime Environment' } },
  ];
  /** Every call, reads included: a refusal "before anything is sent" leaves it empty. */
  calls = 0;
  runbook?: Runbook;
  async getAccount() {
    this.calls++;
    return this.account;
  }
  async ensureRuntimeEnvironment(
    _a: AutomationAccount,
    spec: { language: string; version: string; newName: string },
    _signal?: AbortSignal,
    options?: EnvironmentChoiceOptions,
  ) {
    this.calls++;
    const choice = chooseRuntimeEnvironment(this.environments, spec, options);
    if ('reuse' in choice) return { environment: choice.reuse, created: false };
    const environment = { name: choice.create, properties: { runtime: { language: spec.language, version: spec.version } } };
    this.environments.push(environment);
    this.log.push(`create environment ${choice.create} (${spec.language} ${spec.version})`);
    return { environment, created: true };
  }
  async listModules(_id: string, target: { kind: string; name?: string }) {
    this.log.push(`list modules ${target.kind}${target.name ? ` ${target.name}` : ''}`);
    return this.modules;
  }
  async importModule(_id: string, _t: unknown, m: { name: string; version?: string }) {
    this.log.push(`import ${m.name} ${m.version}`);
    this.modules = this.modules.filter((x) => x.name !== m.name);
    this.modules.push({ name: m.name, properties: { provisioningState: 'Succeeded', version: m.version } });
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
  over: { publish?: boolean; importModules?: Consent; enableIdentity?: Consent; cloud?: { name: string; displayName: string } } = {},
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
    cloud: over.cloud ?? { name: 'AzureCloud', displayName: 'Azure (global)' },
  };
}

function hooks(answers: boolean[] = []) {
  const asked: string[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const h: DeployHooks = {
    confirm: async (message) => {
      asked.push(message);
      const a = answers.shift();
      if (a === undefined) throw new Error(`unexpected question: ${message}`);
      return a;
    },
    report: () => undefined,
    info: (m) => infos.push(m),
    warn: (m) => warnings.push(m),
  };
  return { h, asked, warnings, infos };
}

describe('runbook deployment sequence', () => {
  it('PowerShell 7.2 TokenMagician, system-assigned: shows modules with versions, imports the missing and outdated ones and turns the identity on when agreed, then publishes', async () => {
    const fake = new FakeAutomation();
    const { h, asked, infos } = hooks([true, true]);
    const out = await deployRunbookToAccount(
      fake as unknown as AutomationClient,
      request('powershell-tokenmagician', 'PowerShell-7.2', { kind: 'systemAssigned' }),
      h,
    );
    assert.match(
      asked[0]!,
      /3 modules the runbook needs are missing or out of date in aa \(PowerShell 7\.2 modules\)\. Import TokenMagician 0\.1\.1, Microsoft\.Graph\.Authentication 2\.28\.0, Microsoft\.Graph\.Users 2\.28\.0/,
    );
    assert.match(asked[1]!, /system-assigned identity of aa, which is off/);
    assert.deepEqual(fake.log, [
      'list modules powerShell72',
      'import TokenMagician 0.1.1',
      'import Microsoft.Graph.Authentication 2.28.0',
      'import Microsoft.Graph.Users 2.28.0',
      'enable identity',
      'put runbook Invoke-FederatedGraph-TokenMagician PowerShell72 @2023-11-01 in westeurope',
      'upload content',
      'publish',
    ]);
    assert.equal(out.state, 'Published');
    assert.equal(out.runbookId, `${ACCOUNT}/runbooks/Invoke-FederatedGraph-TokenMagician`);
    assert.deepEqual(out.importedModules, ['TokenMagician', 'Microsoft.Graph.Authentication', 'Microsoft.Graph.Users']);
    assert.deepEqual(
      out.modules.map((m) => [m.name, m.status, m.version]),
      [
        ['TokenMagician', 'present', '0.1.1'],
        ['Microsoft.Graph.Authentication', 'present', '2.28.0'],
        ['Microsoft.Graph.Users', 'present', '2.28.0'],
      ],
    );
    // Which version was found and which was imported, in words.
    assert.ok(
      infos.some((m) => /Microsoft\.Graph\.Authentication 2\.25\.0 found, 2\.28\.0 needed/.test(m)),
      infos.join('\n'),
    );
    assert.ok(
      infos.some((m) => /Imported Microsoft\.Graph\.Authentication 2\.28\.0 into aa \(PowerShell 7\.2 modules\) \(it had 2\.25\.0\)/.test(m)),
      infos.join('\n'),
    );
    assert.equal(out.identityEnabled, true);
    assert.equal(out.runtimeEnvironment, undefined, 'the legacy type has no runtime environment');
    assert.ok(out.warnings.some((w) => /retired in Azure Automation on 30 Sep 2026/.test(w)));
  });

  it('the default PowerShell runtime is 7.6: a runtime environment under a name ARM accepts is created once, then reused', async () => {
    const fake = new FakeAutomation();
    fake.modules = [];
    const { h, warnings, infos } = hooks();
    const first = await deployRunbookToAccount(
      fake as unknown as AutomationClient,
      request('powershell-rest', 'PowerShell-7.6', { kind: 'systemAssigned' }, { enableIdentity: 'no' }),
      h,
    );
    assert.equal(first.runtimeEnvironment, 'PowerShell-7_6');
    assert.equal(first.runtimeEnvironmentCreated, true);
    assert.match(first.runtimeEnvironment!, /^[a-zA-Z][a-zA-Z-_0-9]*$/);
    assert.deepEqual(fake.log.slice(0, 2), [
      'create environment PowerShell-7_6 (PowerShell 7.6)',
      'put runbook Invoke-FederatedGraph PowerShell PowerShell-7_6 @2024-10-23 in westeurope',
    ]);
    assert.ok(!warnings.some((w) => /support|retired/.test(w)), 'a supported runtime has no support warning');
    const again = await deployRunbookToAccount(
      fake as unknown as AutomationClient,
      request('powershell-rest', 'PowerShell-7.6', { kind: 'systemAssigned' }, { enableIdentity: 'no' }),
      hooks().h,
    );
    assert.deepEqual([again.runtimeEnvironment, again.runtimeEnvironmentCreated], ['PowerShell-7_6', false]);
    assert.equal(fake.log.filter((l) => l.startsWith('create environment')).length, 1);
    assert.ok(infos.some((m) => /Created the runtime environment PowerShell-7_6 \(PowerShell 7\.6\) in aa/.test(m)));
  });

  it('declining changes nothing on the account but still deploys, with warnings that name the versions', async () => {
    const fake = new FakeAutomation();
    const { h, warnings } = hooks([false, false]);
    const out = await deployRunbookToAccount(
      fake as unknown as AutomationClient,
      request('powershell-tokenmagician', 'PowerShell-7.4', { kind: 'systemAssigned' }, { publish: false }),
      h,
    );
    assert.deepEqual(fake.log, [
      'create environment PowerShell-7_4 (PowerShell 7.4)',
      'list modules runtimeEnvironment PowerShell-7_4',
      'put runbook Invoke-FederatedGraph-TokenMagician PowerShell PowerShell-7_4 @2024-10-23 in westeurope',
      'upload content',
    ]);
    assert.equal(out.state, 'Edit');
    assert.ok(
      warnings.some((w) =>
        /fails until these modules are imported into the runtime environment PowerShell-7_4 of aa: TokenMagician 0\.1\.1 missing; Microsoft\.Graph\.Authentication 2\.25\.0 found, 2\.28\.0 needed; Microsoft\.Graph\.Users 2\.28\.0 missing/.test(
          w,
        ),
      ),
      warnings.join('\n'),
    );
    assert.ok(warnings.some((w) => /PowerShell 7\.4 reached end of support on 10 Nov 2026/.test(w)));
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
    assert.ok(fake2.log.includes('import TokenMagician 0.1.1') && fake2.log.includes('enable identity'));
  });

  it('Python reuses the system-generated Python-3.10 as runbook type Python; no module; a user-assigned runbook warns when the identity is not attached', async () => {
    const fake = new FakeAutomation();
    const { h, asked, warnings, infos } = hooks();
    const out = await deployRunbookToAccount(
      fake as unknown as AutomationClient,
      request('python', 'Python-3.10', { kind: 'userAssigned', clientId: UAMI }),
      h,
    );
    assert.deepEqual(asked, []);
    assert.deepEqual(fake.log, ['put runbook Invoke-FederatedGraph-Python Python Python-3.10 @2024-10-23 in westeurope', 'upload content', 'publish']);
    assert.deepEqual([out.runtimeEnvironment, out.runtimeEnvironmentCreated], ['Python-3.10', false]);
    assert.ok(infos.some((m) => /Using the runtime environment Python-3\.10 \(Python 3\.10\) that aa already has/.test(m)));
    assert.ok(
      infos.some((m) => /Python 3\.10 reached end of life in Oct 2026/.test(m)),
      'the end of life is noted, not warned',
    );
    assert.ok(warnings.some((w) => w.includes(`No user-assigned identity with client id ${UAMI} is attached to aa`)));
    assert.ok(!warnings.some((w) => /end of life/.test(w)));
    const attached = new FakeAutomation();
    attached.account = { ...attached.account, identity: { type: 'UserAssigned', userAssignedIdentities: { '/x/id1': { clientId: UAMI.toUpperCase() } } } };
    attached.environments.push({ name: 'Team-PS76', properties: { runtime: { language: 'PowerShell', version: '7.6' } } });
    const second = hooks();
    const rest = await deployRunbookToAccount(
      attached as unknown as AutomationClient,
      request('powershell-rest', 'PowerShell-7.6', { kind: 'userAssigned', clientId: UAMI }),
      second.h,
    );
    assert.deepEqual(second.warnings, []);
    assert.equal(rest.runtimeEnvironment, 'Team-PS76', "the account's own 7.6 environment is reused, whatever its name");
    assert.ok(!attached.log.some((l) => l.startsWith('create environment')));
  });

  it('an existing runbook keeps what Azure cannot change: Python3 stays Python3, a PowerShell72 runbook is refused before any write', async () => {
    const python = new FakeAutomation();
    python.runbook = {
      id: `${ACCOUNT}/runbooks/Invoke-FederatedGraph-Python`,
      name: 'Invoke-FederatedGraph-Python',
      properties: { runbookType: 'Python3', state: 'Published' },
    };
    const { h, infos } = hooks();
    await deployRunbookToAccount(
      python as unknown as AutomationClient,
      request('python', 'Python-3.10', { kind: 'systemAssigned' }, { enableIdentity: 'no' }),
      h,
    );
    assert.equal(python.log[0], 'put runbook Invoke-FederatedGraph-Python Python3 Python-3.10 @2024-10-23 in westeurope');
    assert.ok(infos.length > 0);

    const legacy = new FakeAutomation();
    legacy.runbook = {
      id: `${ACCOUNT}/runbooks/Invoke-FederatedGraph`,
      name: 'Invoke-FederatedGraph',
      properties: { runbookType: 'PowerShell72', state: 'Published' },
    };
    await assert.rejects(
      deployRunbookToAccount(legacy as unknown as AutomationClient, request('powershell-rest', 'PowerShell-7.6', { kind: 'systemAssigned' }), hooks().h),
      (e: Error) =>
        e instanceof DeployRefusedError &&
        /already exists as runbook type PowerShell72, and Azure cannot change a runbook's type to PowerShell; nothing was changed\. To update it, scaffold with the runtime PowerShell-7\.2/.test(
          e.message,
        ),
    );
    assert.deepEqual(legacy.log, [], 'no environment, module, identity or runbook write');
  });

  it("keeps the runbook's own runtime environment, and says when a runbook moves to another one", async () => {
    const fake = new FakeAutomation();
    fake.environments.push(
      { name: 'PowerShell-7_6', properties: { runtime: { language: 'PowerShell', version: '7.6' } } },
      { name: 'Team-PS76', properties: { runtime: { language: 'PowerShell', version: '7.6' } } },
      { name: 'PowerShell-7_4', properties: { runtime: { language: 'PowerShell', version: '7.4' } } },
    );
    fake.runbook = {
      id: `${ACCOUNT}/runbooks/Invoke-FederatedGraph`,
      name: 'Invoke-FederatedGraph',
      properties: { runbookType: 'PowerShell', runtimeEnvironment: 'Team-PS76' },
    };
    const kept = await deployRunbookToAccount(
      fake as unknown as AutomationClient,
      request('powershell-rest', 'PowerShell-7.6', { kind: 'systemAssigned' }, { enableIdentity: 'no' }),
      hooks().h,
    );
    assert.equal(kept.runtimeEnvironment, 'Team-PS76');
    fake.runbook = { ...fake.runbook, properties: { runbookType: 'PowerShell', runtimeEnvironment: 'PowerShell-7_4' } };
    const { h, warnings } = hooks();
    const moved = await deployRunbookToAccount(
      fake as unknown as AutomationClient,
      request('powershell-rest', 'PowerShell-7.6', { kind: 'systemAssigned' }, { enableIdentity: 'no' }),
      h,
    );
    assert.equal(moved.runtimeEnvironment, 'PowerShell-7_6');
    assert.ok(
      warnings.some((w) => /moves from the runtime environment PowerShell-7_4 to PowerShell-7_6 \(PowerShell 7\.6\)/.test(w)),
      warnings.join('\n'),
    );
  });

  it('a runbook that needs modules never gets a system-generated environment (they cannot be edited): a custom one is created', async () => {
    const fake = new FakeAutomation();
    fake.environments.push({
      name: 'PowerShell-7.6',
      properties: { runtime: { language: 'PowerShell', version: '7.6' }, description: 'System-generated Runtime Environment' },
    });
    const tm = await deployRunbookToAccount(
      fake as unknown as AutomationClient,
      request('powershell-tokenmagician', 'PowerShell-7.6', { kind: 'systemAssigned' }, { importModules: 'no', enableIdentity: 'no' }),
      hooks().h,
    );
    assert.deepEqual([tm.runtimeEnvironment, tm.runtimeEnvironmentCreated], ['PowerShell-7_6', true]);
    const rest = await deployRunbookToAccount(
      fake as unknown as AutomationClient,
      request('powershell-rest', 'PowerShell-7.6', { kind: 'systemAssigned' }, { enableIdentity: 'no' }),
      hooks().h,
    );
    assert.equal(rest.runtimeEnvironment, 'PowerShell-7_6', 'ours is preferred once it exists');
  });

  it('an account in Brazil Southeast (no runtime environments there) is refused after reading it, before any write', async () => {
    const fake = new FakeAutomation();
    fake.account = { ...fake.account, location: 'Brazil Southeast' };
    await assert.rejects(
      deployRunbookToAccount(fake as unknown as AutomationClient, request('python', 'Python-3.10', { kind: 'systemAssigned' }), hooks().h),
      /no runtime environments in the region Brazil Southeast.*nothing was changed/,
    );
    assert.deepEqual(fake.log, []);
  });

  for (const cloud of [
    { name: 'AzureUSGovernment', displayName: 'Azure US Government', says: /no runtime environments in Azure US Government/ },
    { name: 'AzureChinaCloud', displayName: 'Azure operated by 21Vianet', says: /not documented for Azure operated by 21Vianet/ },
  ]) {
    it(`${cloud.displayName}: a runtime-environment runbook is refused before anything is sent, with what to do instead`, async () => {
      const fake = new FakeAutomation();
      for (const [template, runtime, instead] of [
        ['powershell-rest', 'PowerShell-7.6', /scaffold it with the runtime PowerShell-7\.2/],
        ['python', 'Python-3.10', /use an Automation account in the global Azure cloud/],
      ] as const) {
        await assert.rejects(
          deployRunbookToAccount(fake as unknown as AutomationClient, request(template, runtime, { kind: 'systemAssigned' }, { cloud }), hooks().h),
          (e: Error) => cloud.says.test(e.message) && /nothing was changed/.test(e.message) && instead.test(e.message),
        );
      }
      assert.equal(fake.calls, 0);
      assert.deepEqual(fake.log, []);
      // The legacy PowerShell72 type needs no runtime environment and deploys there.
      const legacy = await deployRunbookToAccount(
        fake as unknown as AutomationClient,
        request('powershell-rest', 'PowerShell-7.2', { kind: 'systemAssigned' }, { cloud, enableIdentity: 'no' }),
        hooks().h,
      );
      assert.equal(legacy.state, 'Published');
    });
  }
});
