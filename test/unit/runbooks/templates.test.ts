// Every template × runtime × identity kind × one or several tenants: the output parses (PowerShell,
// tree-sitter) or compiles (Python 3.10 grammar), carries the flow it promises, and never a secret.
import * as assert from 'node:assert/strict';
import {
  deploymentFor,
  GRAPH_POWERSHELL_VERSION,
  POWERSHELL_72_RETIRED,
  POWERSHELL_74_OUT_OF_SUPPORT,
  PYTHON_310_LIFECYCLE,
  renderRunbook,
  RUNBOOK_TEMPLATES,
  RunbookIdentity,
  RunbookOptions,
  RunbookRuntime,
  RunbookTemplateId,
  SYSTEM_ASSIGNED_WARNING,
  TOKENMAGICIAN_CLOUD_WARNING,
  TOKENMAGICIAN_VERSION,
} from '../../../src/runbooks';
import { APP, baseOptions, HOME, parsePowerShell, pythonCompileError, syntaxProblems, TENANT_B, UAMI } from './helpers';

const identities: Record<string, RunbookIdentity> = {
  'user-assigned': { kind: 'userAssigned', clientId: UAMI },
  'system-assigned': { kind: 'systemAssigned' },
};
const tenantSets: Record<string, string[]> = {
  'one tenant': ['contoso.onmicrosoft.com'],
  'several tenants': ['contoso.onmicrosoft.com', TENANT_B, 'fabrikam.com'],
};

describe('runbook templates', () => {
  for (const template of Object.keys(RUNBOOK_TEMPLATES) as RunbookTemplateId[]) {
    for (const runtime of RUNBOOK_TEMPLATES[template].runtimes) {
      for (const [identityName, identity] of Object.entries(identities)) {
        for (const [tenantsName, targetTenants] of Object.entries(tenantSets)) {
          it(`${template} on ${runtime}, ${identityName}, ${tenantsName}: valid source with the whole flow`, async () => {
            const options = baseOptions({ template, runtime, identity, targetTenants });
            const rb = renderRunbook(options);
            assert.equal(rb.template, template);
            assert.equal(rb.runtime, runtime);
            assert.ok(rb.content.endsWith('\n') && !rb.content.includes('\r'));
            if (rb.language === 'powershell') {
              assert.deepEqual(syntaxProblems(await parsePowerShell(rb.content)), []);
              for (const t of targetTenants) assert.ok(rb.content.includes(`    '${t}'\n`), `tenant ${t} listed`);
              assert.ok(rb.content.includes('$ManagedIdentityClientId = ' + (identity.kind === 'userAssigned' ? `'${UAMI}'` : "''")));
            } else {
              assert.equal(pythonCompileError(rb.content), '');
              for (const t of targetTenants) assert.ok(rb.content.includes(`    "${t}",\n`), `tenant ${t} listed`);
              assert.ok(rb.content.includes('MANAGED_IDENTITY_CLIENT_ID = ' + (identity.kind === 'userAssigned' ? `"${UAMI}"` : '""')));
            }
            assertFlow(template, rb.content);
            assertHeader(options, rb.content, runtime, identity);
            assertNoSecrets(rb.content);
            assert.deepEqual(rb.deployment, deploymentFor(template, runtime));
            assert.equal(rb.warnings.includes(SYSTEM_ASSIGNED_WARNING), identity.kind === 'systemAssigned');
            assert.equal(rb.warnings.includes(POWERSHELL_72_RETIRED), runtime === 'PowerShell-7.2');
            assert.equal(rb.warnings.includes(POWERSHELL_74_OUT_OF_SUPPORT), runtime === 'PowerShell-7.4');
          });
        }
      }
    }
  }

  it('is deterministic: the same options give the same bytes, and the date comes from the options', () => {
    for (const template of Object.keys(RUNBOOK_TEMPLATES) as RunbookTemplateId[]) {
      const a = renderRunbook(baseOptions({ template }));
      const b = renderRunbook(baseOptions({ template }));
      assert.equal(a.content, b.content);
      const c = renderRunbook(baseOptions({ template, generatedOn: '2031-12-24' }));
      assert.ok(c.content.includes('on 2031-12-24.'));
      assert.equal(c.content.replace('2031-12-24', '2025-06-01'), a.content);
    }
  });

  it('says PowerShell 7.2 is retired and 7.4 out of support in the header and in the deployment data, and nothing for 7.6', () => {
    const old = renderRunbook(baseOptions({ runtime: 'PowerShell-7.2' }));
    assert.match(old.content, /^# {3}WARNING: PowerShell 7\.2 was retired in Azure Automation on 30 Sep 2026/m);
    assert.equal(old.deployment.runbookType, 'PowerShell72');
    assert.equal(old.deployment.runtimeEnvironment, undefined);
    assert.equal(old.deployment.supportNote, POWERSHELL_72_RETIRED);
    const lts = renderRunbook(baseOptions({ runtime: 'PowerShell-7.4' }));
    assert.match(lts.content, /^# {3}WARNING: PowerShell 7\.4 reached end of support on 10 Nov 2026/m);
    assert.equal(lts.deployment.supportNote, POWERSHELL_74_OUT_OF_SUPPORT);
    const current = renderRunbook(baseOptions({ runtime: 'PowerShell-7.6' }));
    assert.doesNotMatch(current.content, /end of support|retired|WARNING: PowerShell/);
    assert.equal(current.deployment.runbookType, 'PowerShell');
    assert.deepEqual(current.deployment.runtimeEnvironment, { language: 'PowerShell', version: '7.6', newName: 'PowerShell-7_6' });
    assert.match(
      current.content,
      /linked to a PowerShell 7\.6 runtime environment\n#\s+\(one the Automation account already has, or a new one named 'PowerShell-7_6'\)/,
    );
  });

  it('names the modules with their pinned versions in the header; the Graph modules share one version', () => {
    const rb = renderRunbook(baseOptions({ template: 'powershell-tokenmagician' }));
    const versions = rb.deployment.modules.map((m) => [m.name, m.version]);
    assert.deepEqual(versions, [
      ['TokenMagician', TOKENMAGICIAN_VERSION],
      ['Microsoft.Graph.Authentication', GRAPH_POWERSHELL_VERSION],
      ['Microsoft.Graph.Users', GRAPH_POWERSHELL_VERSION],
    ]);
    for (const m of rb.deployment.modules) {
      assert.equal(m.contentLink, `https://www.powershellgallery.com/api/v2/package/${m.name}/${m.version}`);
      assert.ok(rb.content.includes(`#       ${m.name} ${m.version}  ${m.contentLink}\n`), m.name);
    }
  });

  it("notes Python 3.10's end of life without warning about it", () => {
    const py = renderRunbook(baseOptions({ template: 'python' }));
    assert.ok(py.content.includes(`#   Note: ${PYTHON_310_LIFECYCLE}`));
    assert.doesNotMatch(py.content, /WARNING: Python/);
    assert.equal(py.deployment.supportNote, undefined);
  });

  it('defaults to PowerShell 7.6 and Python 3.10, and to the Graph /.default scope of the given cloud', () => {
    assert.equal(renderRunbook(baseOptions()).runtime, 'PowerShell-7.6');
    assert.equal(renderRunbook(baseOptions({ template: 'powershell-tokenmagician' })).runtime, 'PowerShell-7.6');
    const py = renderRunbook(baseOptions({ template: 'python' }));
    assert.equal(py.runtime, 'Python-3.10');
    // The 2024-10-23 runbookType enum has `Python` for runbooks linked to a runtime environment.
    assert.deepEqual(
      { type: py.deployment.runbookType, env: py.deployment.runtimeEnvironment },
      { type: 'Python', env: { language: 'Python', version: '3.10', newName: 'Python-3_10' } },
    );
    const gov = renderRunbook(
      baseOptions({
        cloud: {
          loginUrl: 'https://login.microsoftonline.us/',
          graphUrl: 'https://graph.microsoft.us/',
          tokenExchangeAudience: 'api://AzureADTokenExchangeUSGov',
        },
      }),
    );
    assert.ok(gov.content.includes("$Scope = 'https://graph.microsoft.us/.default'"));
    assert.ok(gov.content.includes("$LoginUrl = 'https://login.microsoftonline.us'"), 'trailing slash dropped');
    assert.ok(gov.content.includes('issuer https://login.microsoftonline.us/' + HOME + '/v2.0'));
  });

  it('lists the modules the TokenMagician runbook needs, in import order, with versioned gallery links, in the data and the header', () => {
    const rb = renderRunbook(baseOptions({ template: 'powershell-tokenmagician', runtime: 'PowerShell-7.2' }));
    assert.deepEqual(
      rb.deployment.modules.map((m) => [m.name, m.contentLink]),
      [
        ['TokenMagician', 'https://www.powershellgallery.com/api/v2/package/TokenMagician/0.1.1'],
        ['Microsoft.Graph.Authentication', 'https://www.powershellgallery.com/api/v2/package/Microsoft.Graph.Authentication/2.28.0'],
        ['Microsoft.Graph.Users', 'https://www.powershellgallery.com/api/v2/package/Microsoft.Graph.Users/2.28.0'],
      ],
    );
    for (const m of rb.deployment.modules) assert.ok(rb.content.includes(`#       ${m.name} ${m.version}  ${m.contentLink}\n`));
    assert.ok(rb.content.includes('TokenMagician needs PowerShell 7.2 or later'));
    assert.deepEqual(renderRunbook(baseOptions({ template: 'powershell-rest' })).deployment.modules, []);
    assert.deepEqual(renderRunbook(baseOptions({ template: 'python' })).deployment.modules, []);
  });

  it('TokenMagician: passes the exchange audience as -MsiScope and the identity as -UserAssignedIdentity; knows the sovereign clouds', () => {
    const global = renderRunbook(baseOptions({ template: 'powershell-tokenmagician' })).content;
    assert.ok(global.includes("$MgEnvironment = ''"));
    assert.ok(!global.includes('AZURE_AUTHORITY_HOST'));
    assert.ok(!global.includes('Add-MgEnvironment'));
    const china = renderRunbook(
      baseOptions({
        template: 'powershell-tokenmagician',
        cloud: {
          loginUrl: 'https://login.chinacloudapi.cn',
          graphUrl: 'https://microsoftgraph.chinacloudapi.cn',
          tokenExchangeAudience: 'api://AzureADTokenExchangeChina',
        },
      }),
    );
    assert.ok(china.content.includes("$MgEnvironment = 'China'"));
    assert.ok(china.content.includes('$env:AZURE_AUTHORITY_HOST = $LoginUrl'));
    assert.ok(!china.warnings.includes(TOKENMAGICIAN_CLOUD_WARNING));
    const custom = renderRunbook(
      baseOptions({
        template: 'powershell-tokenmagician',
        cloud: { loginUrl: 'https://127.0.0.1:8443/login', graphUrl: 'https://127.0.0.1:8443/graph', tokenExchangeAudience: 'api://AzureADTokenExchange' },
      }),
    );
    assert.ok(custom.content.includes('Add-MgEnvironment -Name $MgEnvironment -AzureADEndpoint $LoginUrl -GraphEndpoint $GraphUrl'));
    assert.ok(custom.warnings.includes(TOKENMAGICIAN_CLOUD_WARNING));
  });

  it('writes the provenance notes into the header, one line each', () => {
    const rb = renderRunbook(
      baseOptions({
        provenance: {
          app: "app 'Contoso Sync' (object id 0a0a) selected in VS Code on 2025-06-01",
          homeTenant: 'signed-in account tenant',
          targetTenants: 'typed in by the user',
          identity: "user-assigned identity 'uami-sync' in rg-automation",
          scope: 'default',
          cloud: 'setting federatedCredentials.cloud = AzureCloud',
        },
      }),
    );
    for (const line of [
      `#   App: 'Contoso Sync' (client id ${APP}), from app 'Contoso Sync' (object id 0a0a) selected in VS Code on 2025-06-01`,
      `#   Home tenant (app and identity): ${HOME}, from signed-in account tenant`,
      `#   Managed identity: user-assigned, client id ${UAMI}, from user-assigned identity 'uami-sync' in rg-automation`,
      '#   Target tenants: contoso.onmicrosoft.com, from typed in by the user',
      '#   Scope: https://graph.microsoft.com/.default, from default',
    ])
      assert.ok(rb.content.includes(line + '\n'), line);
  });

  it('the Python file starts with a fixed shebang and coding line, so no value can change its encoding', () => {
    const rb = renderRunbook(baseOptions({ template: 'python', appDisplayName: 'x -*- coding: latin-1 -*-' }));
    assert.deepEqual(rb.content.split('\n').slice(0, 2), ['#!/usr/bin/env python3', '# -*- coding: utf-8 -*-']);
  });

  it('TokenMagician disconnects from Graph in a finally for each tenant, so a failed call never leaves the next tenant on its connection', async () => {
    const { content } = renderRunbook(baseOptions({ template: 'powershell-tokenmagician', targetTenants: [HOME, TENANT_B] }));
    const loop = content.slice(content.indexOf('foreach ($tenant in $TargetTenants)'));
    assert.match(loop, /^foreach \(\$tenant in \$TargetTenants\) \{\n {4}\$connected = \$false\n {4}try \{/);
    assert.match(loop, /Connect-MgGraph @connectParameters\n\s+\$connected = \$true/);
    assert.match(loop, /\n {4}catch \{[\s\S]*?\n {4}\}\n {4}finally \{\n {8}if \(\$connected\) \{\n {12}Disconnect-MgGraph \| Out-Null\n {8}\}\n {4}\}\n\}/);
    assert.equal(content.split('Disconnect-MgGraph').length - 1, 1, 'only in the finally');
    assert.deepEqual(syntaxProblems(await parsePowerShell(content)), []);
  });

  it('says that the token flow needs a cloud job, not a Hybrid Runbook Worker, where IDENTITY_ENDPOINT is absent', () => {
    for (const template of ['powershell-tokenmagician', 'powershell-rest', 'python'] as const) {
      const { content } = renderRunbook(baseOptions({ template, ...(template === 'python' ? { runtime: 'Python-3.10' as const } : {}) }));
      const joined = content.replace(/"\s*\n\s*"/g, '').replace(/''/g, "'");
      assert.match(
        joined,
        /IDENTITY_ENDPOINT and IDENTITY_HEADER are not set: the token comes from the Automation account's managed identity, which only a cloud job has\. Start the runbook in Azure, not on a Hybrid Runbook Worker/,
        template,
      );
    }
  });
});

function assertFlow(template: RunbookTemplateId, content: string): void {
  const body = content
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
  if (template === 'powershell-tokenmagician') {
    for (const s of [
      'Import-Module TokenMagician',
      'Import-Module Microsoft.Graph.Authentication',
      'Import-Module Microsoft.Graph.Users',
      'Get-TmMsiToken @tokenParameters',
      'TenantId = $tenant',
      'ClientId = $AppClientId',
      'Scope    = $Scope',
      "MsiScope = $TokenExchangeAudience + '/.default'",
      "$tokenParameters['UserAssignedIdentity'] = $ManagedIdentityClientId",
      'ConvertTo-SecureString -String $token -AsPlainText -Force',
      'AccessToken = $secureToken',
      'Connect-MgGraph @connectParameters',
      'Get-MgUser -Top 2',
      'foreach ($tenant in $TargetTenants)',
    ]) {
      assert.ok(body.includes(s), `TokenMagician runbook lacks ${s}`);
    }
  } else if (template === 'powershell-rest') {
    for (const s of [
      '$env:IDENTITY_ENDPOINT',
      "'X-IDENTITY-HEADER' = $env:IDENTITY_HEADER",
      "'Metadata' = 'true'",
      'api-version=2019-08-01&resource=',
      '[uri]::EscapeDataString($TokenExchangeAudience)',
      "'&client_id='",
      "'/oauth2/v2.0/token'",
      "client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'",
      "grant_type            = 'client_credentials'",
      "'/v1.0/users?$top=2",
      'foreach ($tenant in $TargetTenants)',
      'Get-ErrorSummary $_',
    ]) {
      assert.ok(body.includes(s), `REST runbook lacks ${s}`);
    }
    assert.doesNotMatch(body, /Import-Module/);
  } else {
    for (const s of [
      'os.environ.get("IDENTITY_ENDPOINT")',
      'os.environ.get("IDENTITY_HEADER")',
      '"X-IDENTITY-HEADER": header',
      '"Metadata": "true"',
      '"api-version": "2019-08-01"',
      'query["client_id"] = MANAGED_IDENTITY_CLIENT_ID',
      '"/oauth2/v2.0/token"',
      '"client_assertion": assertion',
      '"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"',
      '"/v1.0/users?$top=2',
      'for tenant in TARGET_TENANTS:',
      'sys.exit(main())',
    ]) {
      assert.ok(body.includes(s), `Python runbook lacks ${s}`);
    }
    const imports = [...body.matchAll(/^import (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(imports, ['json', 'os', 're', 'sys', 'urllib.error', 'urllib.parse', 'urllib.request'], 'standard library only');
  }
}

function assertHeader(options: RunbookOptions, content: string, runtime: RunbookRuntime, identity: RunbookIdentity): void {
  const header = content.split('\n\n')[0] as string;
  assert.ok(
    header.split('\n').every((l) => l.startsWith('#')),
    'the header is comment lines only',
  );
  assert.ok(header.includes(`Generated by Federated Credentials for VS Code on ${options.generatedOn}.`));
  assert.ok(header.includes(`issuer ${options.cloud.loginUrl}/${HOME}/v2.0`));
  assert.ok(header.includes(`Target tenants: ${options.targetTenants.join(', ')}`));
  assert.equal(header.includes('WARNING: PowerShell 7.2 was retired in Azure Automation'), runtime === 'PowerShell-7.2');
  assert.equal(header.includes(SYSTEM_ASSIGNED_WARNING), identity.kind === 'systemAssigned');
  const d = deploymentFor(options.template, runtime);
  assert.ok(header.includes(`runbook type '${d.runbookType}'`));
  if (d.runtimeEnvironment) assert.ok(header.includes(`a new one named '${d.runtimeEnvironment.newName}'`));
}

/** No literal secret: no JWT-looking text, no client_secret, no hard-coded bearer value, no token printed. */
function assertNoSecrets(content: string): void {
  assert.doesNotMatch(content, /eyJ[A-Za-z0-9_-]{10,}/, 'a JWT in the file');
  assert.doesNotMatch(content, /client_secret|ClientSecret|password/i);
  assert.doesNotMatch(content, /Bearer [A-Za-z0-9]/, 'a literal bearer token');
  for (const line of content.split('\n')) {
    if (/Write-Output|Write-Host|Write-Warning|print\(/.test(line)) {
      assert.doesNotMatch(line, /\$(accessToken|assertion|token|secureToken)\b|\baccess_token\b|\bassertion\b(?!\s*=)/i, `prints a token: ${line}`);
    }
  }
}
