// armRequestUrl: ARM paths stay under the cloud's ARM root, path included (custom clouds, the sandbox's /arm).
import assert from 'node:assert/strict';
import { armRequestUrl } from '../../../src/arm/armClient';

describe('arm: armRequestUrl', () => {
  it('puts resource ids under the ARM root of the public cloud', () => {
    assert.equal(armRequestUrl('https://management.azure.com', '/subscriptions/1').toString(), 'https://management.azure.com/subscriptions/1');
  });

  it("keeps a custom cloud's ARM root path", () => {
    assert.equal(
      armRequestUrl('https://127.0.0.1:8443/arm', '/subscriptions/1/providers/Microsoft.Automation/automationAccounts').toString(),
      'https://127.0.0.1:8443/arm/subscriptions/1/providers/Microsoft.Automation/automationAccounts',
    );
    assert.equal(armRequestUrl('https://127.0.0.1:8443/arm/', 'tenants').toString(), 'https://127.0.0.1:8443/arm/tenants');
  });

  it('takes absolute URLs (nextLink, operation URLs) as they are', () => {
    const next = 'https://127.0.0.1:8443/arm/subscriptions?api-version=2022-12-01&%24skiptoken=abc';
    assert.equal(armRequestUrl('https://127.0.0.1:8443/arm', next).toString(), next);
  });
});
