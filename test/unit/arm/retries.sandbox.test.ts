// ARM retries (issue 9): idempotent requests (GET, PUT, PATCH, DELETE) are sent again after a 5xx or a
// dropped connection; a POST is sent again only when throttled (ARM did not process it), never after a
// failure that may have been applied. The extension's ArmClient against the sandbox with fault rules.
import assert from 'node:assert/strict';
import { ClientSecretCredential } from '@azure/identity';
import { ArmClient } from '../../../src/arm/armClient';
import { resolveCloud } from '../../../src/domain/clouds';
import { startSandbox, type Sandbox } from '../../../sandbox/index';
import { trustSandboxCa } from '../../../sandbox/trust';
import { DEFAULT_RETRY_POLICY } from '../../../src/http/retryPolicy';

const IDENTITY_API = '2023-01-31';
const AUTOMATION_API = '2023-11-01';

describe('arm: which requests are sent again (sandbox faults)', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let untrust: () => void;
  let client: ArmClient;

  before(async () => {
    sandbox = await startSandbox({ seed: 93 });
    untrust = trustSandboxCa(sandbox.caCertPem);
    const { info } = sandbox;
    const credential = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, {
      authorityHost: info.loginUrl,
      disableInstanceDiscovery: true,
    });
    client = new ArmClient({ cloud: resolveCloud('Custom', info.customCloud), credential, retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 0 } });
    await client.request('GET', '/subscriptions', { apiVersion: '2022-12-01' }); // token cached
  });
  after(async () => {
    untrust?.();
    await sandbox?.stop();
  });
  afterEach(() => sandbox.setFaults([]));

  const armLog = (since: number) =>
    sandbox
      .requests(since)
      .filter((r) => r.area === 'arm')
      .map((r) => `${r.method} ${r.status}`);
  const identityPath = (name: string) =>
    `${sandbox.info.automationAccount.id.split('/providers/')[0]}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  const publishPath = () => `${sandbox.info.automationAccount.id}/runbooks/does-not-matter/publish`;

  it('a PUT whose connection dropped after it was applied is sent again and succeeds (PUT is idempotent)', async () => {
    const path = identityPath('id-dropped-put');
    sandbox.setFaults([{ kind: 'drop', method: 'PUT', pathPrefix: `/arm${path}`, count: 1, after: true }]);
    const mark = sandbox.core.log.last;
    const created = await client.request<{ name: string }>('PUT', path, { apiVersion: IDENTITY_API, body: { location: 'westeurope' } });
    assert.equal(created.body.name, 'id-dropped-put');
    assert.equal(armLog(mark).length, 2, armLog(mark).join(', '));
  });

  it('a GET answered 500 is sent again', async () => {
    sandbox.setFaults([{ kind: 'error', status: 500, method: 'GET', pathPrefix: '/arm/subscriptions', count: 1 }]);
    const mark = sandbox.core.log.last;
    await client.request('GET', '/subscriptions', { apiVersion: '2022-12-01' });
    assert.deepEqual(armLog(mark), ['GET 500', 'GET 200']);
  });

  it('a POST whose connection dropped is not sent again: it fails once and the caller decides', async () => {
    sandbox.setFaults([{ kind: 'drop', method: 'POST', pathPrefix: `/arm${sandbox.info.automationAccount.id}`, after: true }]);
    const mark = sandbox.core.log.last;
    await assert.rejects(client.request('POST', publishPath(), { apiVersion: AUTOMATION_API }));
    assert.equal(sandbox.requests(mark).filter((r) => r.area === 'arm' && r.method === 'POST').length, 1);
  });

  it('a POST answered 500 is not sent again', async () => {
    sandbox.setFaults([{ kind: 'error', status: 500, method: 'POST', pathPrefix: `/arm${sandbox.info.automationAccount.id}` }]);
    const mark = sandbox.core.log.last;
    await assert.rejects(client.request('POST', publishPath(), { apiVersion: AUTOMATION_API }), /500/);
    assert.deepEqual(armLog(mark), ['POST 500']);
  });

  it('a throttled POST (429 + Retry-After: not processed) is sent again', async () => {
    sandbox.setFaults([{ kind: 'throttle', retryAfterSeconds: 0, method: 'POST', pathPrefix: `/arm${sandbox.info.automationAccount.id}`, count: 1 }]);
    const mark = sandbox.core.log.last;
    await client.request('POST', publishPath(), { apiVersion: AUTOMATION_API }).catch(() => undefined); // the runbook does not exist: 404 after the retry
    assert.deepEqual(
      armLog(mark).map((l) => l.split(' ')[1]),
      ['429', '404'],
    );
  });
});
