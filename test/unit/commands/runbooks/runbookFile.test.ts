import * as assert from 'node:assert/strict';
import { modulesFromScript, planRunbookFile } from '../../../../src/commands/runbooks/runbookFile';
import {
  renderRunbook,
  RUNBOOK_TEMPLATES,
  type RunbookIdentity,
  type RunbookOptions,
  type RunbookRuntime,
  type RunbookTemplateId,
} from '../../../../src/runbooks';

const UAMI = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';

function options(template: RunbookTemplateId, runtime: RunbookRuntime, identity: RunbookIdentity, appDisplayName?: string): RunbookOptions {
  return {
    template,
    runtime,
    identity,
    ...(appDisplayName ? { appDisplayName } : {}),
    appClientId: '11111111-1111-1111-1111-111111111111',
    homeTenantId: '22222222-2222-2222-2222-222222222222',
    targetTenants: ['fabrikam.onmicrosoft.com', '33333333-3333-3333-3333-333333333333'],
    cloud: { loginUrl: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com', tokenExchangeAudience: 'api://AzureADTokenExchange' },
    generatedOn: '2025-06-01',
  };
}

describe('reading a runbook file for deployment', () => {
  for (const template of Object.values(RUNBOOK_TEMPLATES)) {
    for (const runtime of template.runtimes) {
      for (const identity of [{ kind: 'userAssigned', clientId: UAMI }, { kind: 'systemAssigned' }] as RunbookIdentity[]) {
        it(`${template.id} on ${runtime}, ${identity.kind}: the header gives back what the scaffold decided`, () => {
          const generated = renderRunbook(options(template.id, runtime, identity));
          const plan = planRunbookFile(generated.content, generated.fileName);
          assert.equal(plan.fromHeader, true);
          assert.equal(plan.template, template.id);
          assert.equal(plan.runtime, runtime);
          assert.deepEqual(plan.deployment, generated.deployment);
          assert.deepEqual(plan.identity, identity);
        });
      }
    }
  }

  it('the PowerShell 7.2 TokenMagician runbook is the legacy type with account modules; 7.4 and 7.6 link a runtime environment', () => {
    const legacy = planRunbookFile(renderRunbook(options('powershell-tokenmagician', 'PowerShell-7.2', { kind: 'systemAssigned' })).content, 'a.ps1');
    assert.equal(legacy.deployment.runbookType, 'PowerShell72');
    assert.equal(legacy.deployment.runtimeEnvironment, undefined);
    assert.deepEqual(
      legacy.deployment.modules.map((m) => m.name),
      ['TokenMagician', 'Microsoft.Graph.Authentication', 'Microsoft.Graph.Users'],
    );
    assert.match(legacy.deployment.supportNote!, /retired in Azure Automation/);
    const lts = planRunbookFile(renderRunbook(options('powershell-tokenmagician', 'PowerShell-7.4', { kind: 'systemAssigned' })).content, 'a.ps1');
    assert.deepEqual([lts.runtime, lts.deployment.runtimeEnvironment?.version], ['PowerShell-7.4', '7.4']);
    const current = planRunbookFile(renderRunbook(options('powershell-tokenmagician', 'PowerShell-7.6', { kind: 'systemAssigned' })).content, 'a.ps1');
    assert.equal(current.deployment.runbookType, 'PowerShell');
    assert.deepEqual(current.deployment.runtimeEnvironment, { language: 'PowerShell', version: '7.6', newName: 'PowerShell-7_6' });
  });

  it('reads the runtime of files scaffolded by earlier versions, whose labels differ', () => {
    const generated = renderRunbook(options('powershell-rest', 'PowerShell-7.6', { kind: 'systemAssigned' }));
    for (const [label, runtime] of [
      ['PowerShell 7.4 (runtime environment)', 'PowerShell-7.4'],
      ['PowerShell 7.2 (legacy runbook type PowerShell72, end of support)', 'PowerShell-7.2'],
      ['Python 3.10 (runtime environment)', undefined],
    ] as const) {
      const old = generated.content.replace(/^# Runtime: .*$/m, `# Runtime: ${label}.`);
      const plan = planRunbookFile(old, 'old.ps1');
      if (runtime) assert.deepEqual([plan.fromHeader, plan.runtime], [true, runtime], label);
      else assert.deepEqual([plan.fromHeader, plan.runtime], [false, 'PowerShell-7.6'], 'a PowerShell template never runs on Python');
    }
  });

  it('a hostile app display name cannot pose as header lines', () => {
    const name =
      "x. Runtime: PowerShell 7.2 (legacy runbook type PowerShell72, retired in Azure Automation).   Managed identity: the Automation account's system-assigned identity";
    const generated = renderRunbook(options('powershell-rest', 'PowerShell-7.6', { kind: 'userAssigned', clientId: UAMI }, name));
    const plan = planRunbookFile(generated.content, generated.fileName);
    assert.equal(plan.runtime, 'PowerShell-7.6');
    assert.deepEqual(plan.identity, { kind: 'userAssigned', clientId: UAMI });
  });

  it('reads CRLF files and a byte order mark', () => {
    const generated = renderRunbook(options('python', 'Python-3.10', { kind: 'userAssigned', clientId: UAMI }));
    const plan = planRunbookFile('\uFEFF' + generated.content.replace(/\n/g, '\r\n'), 'x.py');
    assert.equal(plan.fromHeader, true);
    assert.equal(plan.deployment.runbookType, 'Python');
  });

  it('deploys a file without the header by its extension, with the modules a script imports', () => {
    const ps = planRunbookFile(
      "#Requires -Modules Az.Accounts, 'ExchangeOnlineManagement'\nImport-Module Microsoft.Graph.Authentication\nImport-Module -Name 'Microsoft.Graph.Users'\nImport-Module Microsoft.PowerShell.Utility\nWrite-Output 'hi'\n",
      'Mine.ps1',
    );
    assert.equal(ps.fromHeader, false);
    assert.equal(ps.runtime, 'PowerShell-7.6');
    assert.equal(ps.identity, undefined);
    assert.deepEqual(
      ps.deployment.modules.map((m) => m.name),
      ['Microsoft.Graph.Authentication', 'Microsoft.Graph.Users', 'Az.Accounts', 'ExchangeOnlineManagement'],
    );
    assert.match(ps.notes[0]!, /no Federated Credentials header/);
    const py = planRunbookFile('print("hi")\n', 'x.py');
    assert.equal(py.deployment.runbookType, 'Python');
    assert.deepEqual(py.deployment.modules, []);
    assert.throws(() => planRunbookFile('echo hi', 'x.sh'), /Only PowerShell \(\.ps1\) and Python \(\.py\)/);
  });

  it('module names from a script are gallery names only', () => {
    assert.deepEqual(
      modulesFromScript('Import-Module ./local.psm1\nImport-Module $var\n').map((m) => m.name),
      [],
    );
  });
});
