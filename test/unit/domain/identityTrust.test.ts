// Whether a credential that names a managed identity makes Entra trust it, as the Managed Identities view says of
// each credential under an app that names the identity.
import assert from 'node:assert/strict';
import { AZURE_CLOUD, entraIssuer } from '../../../src/domain/clouds';
import { identityTrust } from '../../../src/domain/identityTrust';
import type { FederatedCredential } from '../../../src/domain/model';

const HOME = '3d1e2be9-a10a-4a0c-8380-7ce190f98ed9';
const OTHER = '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
const IDENTITY = 'a7d388c3-5e3f-4959-ac7d-786b3383006a';
const credential = (changes: Partial<FederatedCredential> = {}): FederatedCredential => ({
  id: 'c1',
  name: 'msi-aa-prod',
  issuer: entraIssuer(AZURE_CLOUD, HOME),
  subject: IDENTITY,
  audiences: ['api://AzureADTokenExchange'],
  ...changes,
});

describe('domain: does a credential make Entra trust the identity it names', () => {
  it('trusts with the exact issuer of the app tenant, the cloud audience and the object id', () => {
    assert.deepEqual(identityTrust(credential(), IDENTITY, AZURE_CLOUD, HOME), { trusts: true });
  });

  it("says why not: another tenant's issuer (when the app's tenant is known), the wrong audience or case, a foreign issuer", () => {
    const otherTenant = identityTrust(credential({ issuer: entraIssuer(AZURE_CLOUD, OTHER) }), IDENTITY, AZURE_CLOUD, HOME);
    assert.equal(otherTenant.trusts, false);
    assert.match(otherTenant.trusts ? '' : otherTenant.reason, new RegExp(OTHER));
    // Without the app's tenant only the issuer's form is checked: the same credential passes.
    assert.equal(identityTrust(credential({ issuer: entraIssuer(AZURE_CLOUD, OTHER) }), IDENTITY, AZURE_CLOUD).trusts, true);
    assert.equal(identityTrust(credential({ audiences: ['api://AzureADTokenExchangeX'] }), IDENTITY, AZURE_CLOUD, HOME).trusts, false);
    const upper = identityTrust(credential({ subject: IDENTITY.toUpperCase() }), IDENTITY, AZURE_CLOUD, HOME);
    assert.equal(upper.trusts, false);
    const foreign = identityTrust(credential({ issuer: 'https://token.actions.githubusercontent.com' }), IDENTITY, AZURE_CLOUD, HOME);
    assert.match(foreign.trusts ? '' : foreign.reason, /is not Azure.*Entra issuer/);
    const notThis = identityTrust(credential({ subject: OTHER }), IDENTITY, AZURE_CLOUD, HOME);
    assert.match(notThis.trusts ? '' : notThis.reason, /not this identity's object id/);
  });
});
