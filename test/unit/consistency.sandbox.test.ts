// Azure's eventual consistency, on: the emulator delays what Azure delays (a new federated credential, a
// service principal that consent created, a new runbook, concurrent writes to an identity's credentials),
// answering as Azure does meanwhile, and the extension's flows still succeed: Deploy Runbook waits a new
// runbook out, bounded, and says so. (The in-host suites run with the knob on as well.)
import assert from 'node:assert/strict';
import { ClientSecretCredential } from '@azure/identity';
import { ArmClient } from '../../src/arm/armClient';
import { AutomationClient } from '../../src/arm/automation';
import { deployRunbookToAccount, type DeployHooks } from '../../src/commands/runbooks/deployer';
import { planRunbookFile } from '../../src/commands/runbooks/runbookFile';
import { resolveCloud } from '../../src/domain/clouds';
import { DEFAULT_RETRY_POLICY } from '../../src/http/retryPolicy';
import { renderRunbook } from '../../src/runbooks';
import { setArmSettings } from '../../sandbox/arm';
import { DEFAULT_ARM_SETTINGS } from '../../sandbox/arm/common';
import { grantAdminConsent } from '../../sandbox/entra/pages';
import { useSandbox } from '../support/sandboxSuite';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('eventual consistency on (sandbox): Azure answers, and the extension still succeeds', function () {
  this.timeout(60_000);
  const f = useSandbox({
    seed: 61,
    size: { apps: 10 },
    consistency: { ficPropagationSeconds: 1, servicePrincipalPropagationSeconds: 1, runbookPropagationMs: 700, identityCredentialWriteMs: 150 },
  });

  const miToken = async () => {
    const { info } = f.sandbox;
    const url = new URL(info.managedIdentityEndpoint);
    url.search = new URLSearchParams({
      'api-version': '2019-08-01',
      resource: info.tokenExchangeAudience,
      client_id: info.automationAccount.userAssigned.clientId,
    }).toString();
    const response = await fetch(url, { headers: { 'X-IDENTITY-HEADER': info.identityHeader, Metadata: 'true' } });
    return ((await response.json()) as { access_token: string }).access_token;
  };
  const exchange = async (tenant: string, clientId: string) => {
    const { info } = f.sandbox;
    const response = await fetch(`${info.loginUrl}/${tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        scope: `${info.graphUrl}/.default`,
        client_assertion_type: JWT_BEARER,
        client_assertion: await miToken(),
      }),
    });
    const body = (await response.json()) as { error_codes?: number[] };
    return { status: response.status, code: body.error_codes?.[0] };
  };

  it('a new federated credential answers AADSTS70021 while it propagates, then the exchange works', async () => {
    const { info, core } = f.sandbox;
    const app = core.state.applications.get(info.multiTenantApp.objectId)!;
    const fic = app.federatedIdentityCredentials.find((c) => c.subject === info.automationAccount.userAssigned.principalId)!;
    core.recordWrite(fic); // as if just written
    assert.deepEqual(await exchange(info.homeTenant.id, info.multiTenantApp.appId), { status: 400, code: 70021 });
    await sleep(1100);
    assert.equal((await exchange(info.homeTenant.id, info.multiTenantApp.appId)).status, 200);
  });

  it('a service principal that consent just created is not seen by the token endpoint for a moment (AADSTS700016), then is', async () => {
    const { info, core } = f.sandbox;
    const app = core.state.applications.get(info.multiTenantApp.objectId)!;
    const customer = core.state.findTenant(info.customerTenant.id)!;
    const before = core.state.findServicePrincipal(customer.id, app.appId);
    if (before) core.state.removeServicePrincipal(before.id);
    grantAdminConsent(core, customer, app);
    assert.deepEqual(await exchange(info.customerTenant.id, info.multiTenantApp.appId), { status: 400, code: 700016 });
    await sleep(1100);
    assert.equal((await exchange(info.customerTenant.id, info.multiTenantApp.appId)).status, 200);
  });

  it('Deploy Runbook creates a runbook that ARM answers 404 for at first: it waits, says so, and publishes', async () => {
    const { info } = f.sandbox;
    setArmSettings(f.sandbox.core, { ...DEFAULT_ARM_SETTINGS, retryAfterSeconds: 0 });
    const cloud = resolveCloud('Custom', info.customCloud);
    const credential = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, {
      authorityHost: info.loginUrl,
      disableInstanceDiscovery: true,
    });
    const automation = new AutomationClient(new ArmClient({ cloud, credential, retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 0 } }), cloud.armUrl, {
      pollIntervalMs: 100,
    });
    const generated = renderRunbook({
      template: 'python',
      runtime: 'Python-3.10',
      identity: { kind: 'userAssigned', clientId: info.automationAccount.userAssigned.clientId },
      appClientId: info.multiTenantApp.appId,
      homeTenantId: info.homeTenant.id,
      targetTenants: [info.customerTenant.id],
      cloud: { loginUrl: info.loginUrl, graphUrl: info.graphUrl, tokenExchangeAudience: info.tokenExchangeAudience },
      generatedOn: '2026-12-05',
    });
    const reports: string[] = [];
    const hooks: DeployHooks = { confirm: async () => false, report: (m) => reports.push(m), info: () => undefined, warn: () => undefined };
    const outcome = await deployRunbookToAccount(
      automation,
      {
        accountId: info.automationAccount.id,
        runbookName: 'Consistency-Runbook',
        content: generated.content,
        plan: planRunbookFile(generated.content, generated.fileName),
        publish: true,
        importModules: 'no',
        enableIdentity: 'no',
        cloud: { name: 'Custom', displayName: 'Sandbox' },
      },
      hooks,
    );
    assert.equal(outcome.state, 'Published');
    assert.ok(
      reports.some((m) => /has not finished creating the runbook yet; trying again \(this can take a minute or two\)/.test(m)),
      reports.join('\n'),
    );
    const refused = f.sandbox.requests().filter((r) => r.path.endsWith('/runbooks/Consistency-Runbook/draft/content') && r.status === 404);
    assert.ok(refused.length >= 1, 'ARM answered 404 first');
  });
});
