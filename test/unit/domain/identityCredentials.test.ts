// Credentials of user-assigned managed identities: ARM ids, the rules checked before a write, the ARM shapes,
// and the Copy As formats (az identity federated-credential, Bicep, JSON).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { toAzIdentityCommand, toIdentityBicep, toIdentityCredentialJson } from '../../../src/domain/copyFormats';
import type { CredentialValues } from '../../../src/domain/credentialRules';
import {
  checkIdentityCredential,
  fromArmCredential,
  IDENTITY_CREDENTIALS_API_VERSION,
  IDENTITY_FLEXIBLE_API_VERSION,
  identityApiVersion,
  identityReferenceProblem,
  isConcurrentWriteRefusal,
  parseUserAssignedIdentityId,
  toIdentityCredentialBody,
  type IdentityCredential,
} from '../../../src/domain/identityCredentials';

const SUB = '00000000-1111-2222-3333-444444444444';
const ID = `/subscriptions/${SUB}/resourcegroups/rg-ops/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-deploy`;
const identity = parseUserAssignedIdentityId(ID)!;
const gh: CredentialValues = {
  name: 'gh-prod',
  issuer: 'https://token.actions.githubusercontent.com',
  subject: "repo:contoso/it's:environment:prod",
  audiences: ['api://AzureADTokenExchange'],
};
const existing = (n: number): IdentityCredential[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${ID}/federatedIdentityCredentials/c${i}`,
    name: `cred-${i}`,
    issuer: gh.issuer,
    subject: `repo:o/r:environment:e${i}`,
    audiences: gh.audiences,
  }));

describe('domain: federated credentials of user-assigned identities', () => {
  it('reads an identity ARM id in any case, and refuses other resources and object ids are left to Graph', () => {
    assert.deepEqual(identity, {
      id: `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-deploy`,
      subscriptionId: SUB,
      resourceGroup: 'rg-ops',
      name: 'id-deploy',
    });
    assert.equal(
      parseUserAssignedIdentityId(ID.replace('Microsoft.ManagedIdentity/userAssignedIdentities', 'microsoft.managedidentity/USERASSIGNEDIDENTITIES'))?.name,
      'id-deploy',
    );
    assert.equal(parseUserAssignedIdentityId(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/aa`), undefined);
    assert.equal(parseUserAssignedIdentityId(`${ID}/federatedIdentityCredentials/x`), undefined);
    assert.equal(identityReferenceProblem(ID), undefined);
    assert.equal(identityReferenceProblem('a7d388c3-5e3f-4959-ac7d-786b3383006a'), undefined);
    assert.match(
      identityReferenceProblem(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/aa`)!,
      /another kind of resource/,
    );
    assert.match(identityReferenceProblem('id-deploy')!, /neither an ARM id .* nor an object id/);
  });

  it("checks ARM's rules before a write: name, one audience, 20 per identity, issuer and subject once, names ignoring case", () => {
    const ok = checkIdentityCredential(gh, { existing: existing(3), identityName: 'id-deploy' });
    assert.equal(ok.ok, true);
    const errors = (values: CredentialValues, n = 0, editing?: string) =>
      checkIdentityCredential(values, { existing: existing(n), identityName: 'id-deploy', ...(editing ? { editing } : {}) }).errors.map((e) => e.code);
    assert.deepEqual(errors({ ...gh, name: 'x' }), ['name.length']);
    assert.deepEqual(errors({ ...gh, name: '-gh' }), ['name.firstChar']);
    assert.deepEqual(errors({ ...gh, audiences: ['a', 'b'] }), ['audiences.count']);
    assert.deepEqual(errors(gh, 20), ['identity.limit']);
    assert.match(
      checkIdentityCredential(gh, { existing: existing(20), identityName: 'id-deploy' }).errors[0].message,
      /A managed identity can have at most 20 .* "id-deploy" already has 20/,
    );
    assert.deepEqual(errors({ ...gh, name: 'CRED-1' }, 3), ['name.duplicate'], 'ARM names ignore case: a PUT would replace cred-1');
    assert.deepEqual(errors({ ...gh, subject: 'repo:o/r:environment:e1' }, 3), ['subject.duplicate']);
    // An edit keeps its own name and may keep its own issuer and subject; the limit does not apply.
    assert.deepEqual(errors({ ...gh, name: 'cred-1', subject: 'repo:o/r:environment:e1' }, 20, 'cred-1'), []);
    // A description has no place on an identity: it is ignored rather than checked.
    assert.equal(checkIdentityCredential({ ...gh, description: 'x'.repeat(700) }, { existing: [], identityName: 'i' }).ok, true);
  });

  it('writes the stable shape, or the preview with an expression instead of a subject, and reads ARM answers back', () => {
    assert.deepEqual(toIdentityCredentialBody(gh), { properties: { issuer: gh.issuer, subject: gh.subject, audiences: gh.audiences } });
    const flexible = { ...gh, subject: '', claimsMatchingExpression: { value: "claims['sub'] matches 'repo:contoso/*'", languageVersion: 1 } };
    assert.deepEqual(toIdentityCredentialBody(flexible), {
      properties: { issuer: gh.issuer, claimsMatchingExpression: flexible.claimsMatchingExpression, audiences: gh.audiences },
    });
    assert.equal(identityApiVersion(gh), IDENTITY_CREDENTIALS_API_VERSION);
    assert.equal(identityApiVersion(flexible), IDENTITY_FLEXIBLE_API_VERSION);
    assert.deepEqual(fromArmCredential({ id: 'i', name: 'n', properties: { issuer: 'https://x', subject: null, audiences: ['a', 3] } }), {
      id: 'i',
      name: 'n',
      issuer: 'https://x',
      subject: null,
      audiences: ['a'],
    });
    assert.deepEqual(fromArmCredential(undefined), { id: '', name: '', issuer: '', subject: null, audiences: [] });
    assert.equal(isConcurrentWriteRefusal(409, 'ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity'), true);
    assert.equal(isConcurrentWriteRefusal(409, 'FederatedIdentityCredentialAlreadyExists'), false);
  });

  it('copies as an az identity command that bash runs with every value intact', () => {
    const command = toAzIdentityCommand(identity, gh, 'bash', 'https://management.azure.com');
    const args = execFileSync('bash', ['-c', `az() { printf '%s\\0' "$@"; }; ${command}`], { encoding: 'utf8' })
      .split('\0')
      .slice(0, -1);
    assert.deepEqual(args, [
      'identity',
      'federated-credential',
      'create',
      '--name',
      'gh-prod',
      '--identity-name',
      'id-deploy',
      '--resource-group',
      'rg-ops',
      '--subscription',
      SUB,
      '--issuer',
      gh.issuer,
      '--subject',
      gh.subject,
      '--audiences',
      'api://AzureADTokenExchange',
    ]);
    const ps = toAzIdentityCommand(identity, gh, 'powershell', 'https://management.azure.com');
    assert.match(ps, /--subject 'repo:contoso\/it''s:environment:prod' `/);
  });

  it('copies a flexible credential as az rest PUT against the preview, and as Bicep with the preview version', () => {
    const flexible = { ...gh, subject: '', claimsMatchingExpression: { value: "claims['sub'] matches 'repo:contoso/*'", languageVersion: 1 } };
    const command = toAzIdentityCommand(identity, flexible, 'bash', 'https://management.azure.com/');
    const args = execFileSync('bash', ['-c', `az() { printf '%s\\0' "$@"; }; ${command}`], { encoding: 'utf8' })
      .split('\0')
      .slice(0, -1);
    assert.deepEqual(args.slice(0, 4), ['rest', '--method', 'PUT', '--url']);
    assert.equal(args[4], `https://management.azure.com${identity.id}/federatedIdentityCredentials/gh-prod?api-version=${IDENTITY_FLEXIBLE_API_VERSION}`);
    assert.deepEqual(JSON.parse(args[args.indexOf('--body') + 1]), toIdentityCredentialBody(flexible));
    const bicep = toIdentityBicep(identity, flexible);
    assert.match(bicep, new RegExp(`'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@${IDENTITY_FLEXIBLE_API_VERSION}'`));
    assert.match(bicep, /claimsMatchingExpression: \{\n {6}value: 'claims\[\\'sub\\'\] matches \\'repo:contoso\/\*\\''/);
    assert.doesNotMatch(bicep, /subject:/);
  });

  it('copies as Bicep on the existing identity (deployed to its resource group) and as the ARM JSON body', () => {
    const bicep = toIdentityBicep(identity, gh);
    assert.match(bicep, /^\/\/ az deployment group create --resource-group rg-ops/);
    assert.match(
      bicep,
      new RegExp(
        `resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@${IDENTITY_CREDENTIALS_API_VERSION}' existing = \\{\\n  name: 'id-deploy'`,
      ),
    );
    assert.match(bicep, /parent: identity\n {2}name: 'gh-prod'/);
    assert.match(bicep, /subject: 'repo:contoso\/it\\'s:environment:prod'/);
    assert.deepEqual(JSON.parse(toIdentityCredentialJson(gh)), toIdentityCredentialBody(gh));
  });
});
