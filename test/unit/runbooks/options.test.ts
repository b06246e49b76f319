// Validation of RunbookOptions: clear messages for each wrong input, normalisation of the right ones.
import * as assert from 'node:assert/strict';
import {
  deploymentFor,
  isTenantDomain,
  powerShellGalleryContentLink,
  renderRunbook,
  resolveRunbookOptions,
  RUNBOOK_RUNTIMES,
  RunbookOptions,
  RUNTIME_ENVIRONMENT_NAME_PATTERN,
  RunbookOptionsError,
  validateRunbookOptions,
} from '../../../src/runbooks';
import { APP, baseOptions, HOME, UAMI } from './helpers';

function problems(overrides: Partial<RunbookOptions> | Record<string, unknown>): readonly string[] {
  const result = validateRunbookOptions({ ...baseOptions(), ...overrides } as RunbookOptions);
  assert.equal(result.ok, false, 'expected a validation failure');
  return result.ok ? [] : result.problems;
}

describe('runbook options', () => {
  it('accepts a complete set and normalises it (trimmed, GUIDs lower-cased, no trailing slash, default scope, deduplicated tenants)', () => {
    const o = resolveRunbookOptions(
      baseOptions({
        appClientId: ` ${APP.toUpperCase()} `,
        targetTenants: ['Contoso.onmicrosoft.com', 'contoso.onmicrosoft.com', HOME.toUpperCase(), HOME],
        cloud: {
          loginUrl: 'https://login.microsoftonline.com/',
          graphUrl: 'https://graph.microsoft.com//',
          tokenExchangeAudience: ' api://AzureADTokenExchange ',
        },
      }),
    );
    assert.equal(o.appClientId, APP);
    assert.deepEqual(o.targetTenants, ['Contoso.onmicrosoft.com', HOME]);
    assert.equal(o.cloud.loginUrl, 'https://login.microsoftonline.com');
    assert.equal(o.cloud.graphUrl, 'https://graph.microsoft.com');
    assert.equal(o.cloud.tokenExchangeAudience, 'api://AzureADTokenExchange');
    assert.equal(o.scope, 'https://graph.microsoft.com/.default');
    assert.equal(o.runtime, 'PowerShell-7.6');
  });

  it('accepts loopback https endpoints with a port and path (the local emulator)', () => {
    const o = resolveRunbookOptions(
      baseOptions({
        cloud: { loginUrl: 'https://127.0.0.1:8443/login', graphUrl: 'https://localhost:8443/graph', tokenExchangeAudience: 'api://AzureADTokenExchange' },
      }),
    );
    assert.equal(o.scope, 'https://localhost:8443/graph/.default');
  });

  it('names each wrong id', () => {
    assert.match(problems({ appClientId: 'not-a-guid' }).join('\n'), /appClientId must be the app's application \(client\) id, a GUID; got "not-a-guid"/);
    assert.match(problems({ homeTenantId: 'contoso.com' }).join('\n'), /homeTenantId must be the tenant id \(GUID\)/);
    assert.match(
      problems({ identity: { kind: 'userAssigned', clientId: '/subscriptions/x' } }).join('\n'),
      /identity\.clientId must be the user-assigned identity's client id/,
    );
    assert.match(
      problems({ identity: { kind: 'managed' } }).join('\n'),
      /identity must be \{ kind: 'userAssigned', clientId \} or \{ kind: 'systemAssigned' \}/,
    );
  });

  it('refuses tenants that are not a GUID or a domain, and the multi-tenant aliases', () => {
    assert.match(problems({ targetTenants: [] }).join('\n'), /at least one customer tenant/);
    assert.match(problems({ targetTenants: ['common'] }).join('\n'), /"common" is not a tenant/);
    assert.match(problems({ targetTenants: ['organizations'] }).join('\n'), /is not a tenant/);
    for (const bad of ["contoso'.com", 'contoso', 'a b.com', '$(x).com', '-bad.com', 'x.123']) {
      assert.match(problems({ targetTenants: ['contoso.com', bad] }).join('\n'), /is neither a tenant id \(GUID\) nor a domain/, bad);
    }
    assert.ok(isTenantDomain('contoso.onmicrosoft.com') && isTenantDomain('sub.fabrikam.co.uk') && isTenantDomain('xn--bcher-kva.example'));
  });

  it('refuses endpoints that are not plain https URLs', () => {
    for (const bad of [
      'http://login.microsoftonline.com',
      'https://login.microsoftonline.com?x=1',
      "https://evil.com/'+$(x)+'",
      'https://a b',
      'https://host:99999',
      'login.microsoftonline.com',
      'https://x.com/#frag',
      'https://x.com/`whoami`',
    ]) {
      assert.match(problems({ cloud: { ...baseOptions().cloud, loginUrl: bad } }).join('\n'), /cloud\.loginUrl must be an https URL/, bad);
      assert.match(problems({ cloud: { ...baseOptions().cloud, graphUrl: bad } }).join('\n'), /cloud\.graphUrl must be an https URL/, bad);
    }
    assert.match(
      problems({ cloud: { ...baseOptions().cloud, tokenExchangeAudience: "api://x'y" } }).join('\n'),
      /tokenExchangeAudience must look like api:\/\/AzureADTokenExchange/,
    );
  });

  it("wants one resource's /.default scope", () => {
    for (const bad of [
      'User.Read',
      'https://graph.microsoft.com/User.Read.All',
      'https://graph.microsoft.com/.default https://x/.default',
      "https://x.com/'/.default",
      'openid',
    ]) {
      assert.match(problems({ scope: bad }).join('\n'), /scope/, bad);
    }
    for (const good of ['https://graph.microsoft.com/.default', 'api://contoso-api/.default', `${APP}/.default`, 'https://management.azure.com/.default']) {
      assert.equal(resolveRunbookOptions(baseOptions({ scope: good })).scope, good);
    }
  });

  it('checks that the runtime fits the template, and the date format', () => {
    assert.match(
      problems({ template: 'python', runtime: 'PowerShell-7.4' }).join('\n'),
      /Python 3\.10, standard library only runs on Python-3\.10, not PowerShell-7\.4/,
    );
    assert.match(
      problems({ template: 'powershell-rest', runtime: 'Python-3.10' }).join('\n'),
      /runs on PowerShell-7\.6 or PowerShell-7\.4 or PowerShell-7\.2, not Python-3\.10/,
    );
    assert.match(problems({ runtime: 'PowerShell-5.1' }).join('\n'), /runtime must be one of/);
    assert.match(problems({ template: 'bash' }).join('\n'), /template must be one of powershell-tokenmagician, powershell-rest, python/);
    assert.match(problems({ generatedOn: '2025-6-1' }).join('\n'), /generatedOn must be a date YYYY-MM-DD/);
    assert.match(problems({ generatedOn: undefined }).join('\n'), /generatedOn/);
  });

  it('refuses unknown or multi-line provenance entries and lists every problem at once', () => {
    const all = problems({ appClientId: 'x', homeTenantId: 'y', targetTenants: ['common'], provenance: { who: 'me' } });
    assert.equal(all.length, 4);
    assert.throws(
      () => renderRunbook({ ...baseOptions(), appClientId: 'x' }),
      (e: unknown) => e instanceof RunbookOptionsError && e.problems.length === 1 && /^The runbook cannot be generated:\n- appClientId/.test(e.message),
    );
  });

  it('exposes the deployment data for each runtime', () => {
    assert.deepEqual(deploymentFor('powershell-rest', 'PowerShell-7.2'), {
      runbookType: 'PowerShell72',
      apiVersion: '2023-11-01',
      modules: [],
      supportNote:
        'PowerShell 7.2 was retired in Azure Automation on 30 Sep 2026: its runbooks still run but get no updates. Use it only to update an existing PowerShell 7.2 runbook; prefer PowerShell 7.6.',
    });
    assert.deepEqual(deploymentFor('python'), {
      runbookType: 'Python',
      apiVersion: '2024-10-23',
      modules: [],
      runtimeEnvironment: { language: 'Python', version: '3.10', newName: 'Python-3_10' },
      lifecycleNote: 'Python 3.10 reached end of life in Oct 2026; it is still the newest Python runtime Azure Automation offers.',
    });
    // Every runtime environment a deploy may create has a name ARM accepts (no dot).
    for (const runtime of Object.values(RUNBOOK_RUNTIMES)) {
      if (runtime.runtimeEnvironment) assert.match(runtime.runtimeEnvironment.newName, RUNTIME_ENVIRONMENT_NAME_PATTERN, runtime.id);
    }
    assert.doesNotMatch('PowerShell-7.4', RUNTIME_ENVIRONMENT_NAME_PATTERN);
    assert.throws(() => deploymentFor('python', 'PowerShell-7.4'), /does not run on/);
    assert.equal(powerShellGalleryContentLink('TokenMagician', '0.2.1'), 'https://www.powershellgallery.com/api/v2/package/TokenMagician/0.2.1');
    assert.throws(() => powerShellGalleryContentLink('../x'), /Not a PowerShell Gallery module name/);
    assert.equal(renderRunbook(baseOptions({ identity: { kind: 'userAssigned', clientId: UAMI.toUpperCase() } })).content.includes(`'${UAMI}'`), true);
  });

  it('refuses a template or runtime named like an Object property, or given as an object, in words (never a TypeError)', () => {
    // Found by the property test: `{ toString: false } in RUNBOOK_RUNTIMES` threw while converting the key.
    assert.match(problems({ template: 'python', runtime: { toString: false } }).join(' '), /^runtime must be one of /);
    assert.match(problems({ runtime: 'constructor' }).join(' '), /runtime must be one of .*; got "constructor"/);
    assert.match(problems({ template: 'toString' }).join(' '), /template must be one of .*; got "toString"/);
    assert.match(problems({ template: { valueOf: 1 } }).join(' '), /template must be one of /);
  });
});
