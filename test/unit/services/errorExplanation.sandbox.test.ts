// The error explanation service over the extension's real GraphDirectory against an in-process sandbox: real
// AADSTS answers of the emulator's token endpoint (a subject in the wrong case, a foreign issuer, a credential still
// propagating, a token request before consent, a token of another tenant) and a real Graph 403, each explained
// against the app's credentials as Graph returns them.
import assert from 'node:assert/strict';
import { resolveCloud } from '../../../src/domain/clouds';
import type { GraphDirectory } from '../../../src/graph/directory';
import { ErrorExplanationService } from '../../../src/services/errorExplanationService';
import { sandboxGraph, useSandbox } from '../../support/sandboxSuite';
import { postForm, tokenUrl } from '../../../sandbox/test/helpers';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** An unsigned JWT: the emulator reads iss, sub and aud (and answers the mismatch) before it checks a signature. */
function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ nbf: now - 10, exp: now + 600, ...claims })}.c2lnbmF0dXJl`;
}

describe('error explanations against the sandbox (service)', function () {
  this.timeout(30_000);
  const f = useSandbox({ seed: 16, size: { apps: 5, appsWithCredentials: 0, managedIdentities: 1 } });
  let directory: GraphDirectory;
  let service: ErrorExplanationService;

  before(() => {
    const { info } = f.sandbox;
    ({ directory } = sandboxGraph(f.sandbox));
    service = new ErrorExplanationService({ directory, cloud: resolveCloud('Custom', info.customCloud), tenantId: info.homeTenant.id });
  });

  /** The token request a runbook makes: client credentials for the multi-tenant app with `assertion`; the error body's text. */
  async function exchange(assertion: string, tenant = f.sandbox.info.homeTenant.id, clientId = f.sandbox.info.multiTenantApp.appId): Promise<string> {
    const r = await postForm(tokenUrl(f.sandbox, tenant), {
      grant_type: 'client_credentials',
      client_id: clientId,
      scope: 'https://graph.microsoft.com/.default',
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
    });
    assert.ok(r.status >= 400, `the exchange should fail: ${JSON.stringify(r.body)}`);
    return JSON.stringify(r.body);
  }
  const identityToken = (servicePrincipalId: string, tenantId = f.sandbox.info.homeTenant.id) =>
    f.sandbox.core.issueAccessToken({ tenantId, audience: 'api://AzureADTokenExchange', clientAppId: 'x', azpacr: '2', servicePrincipalId }).token;
  const ficOf = (name: string) =>
    f.sandbox.core.state.applications.get(f.sandbox.info.multiTenantApp.objectId)!.federatedIdentityCredentials.find((c) => c.name === name)!;

  it('AADSTS7002138: names the credential, the field, both values, and offers the edit with the presented subject', async () => {
    const { info } = f.sandbox;
    const principal = info.automationAccount.userAssigned.principalId;
    const fic = ficOf(info.multiTenantApp.ficName);
    // The credential was written with the identity's id in upper case; the identity's token carries it in lower case.
    await directory.apps.updateCredential(info.multiTenantApp.objectId, fic.id, { subject: principal.toUpperCase() });
    try {
      const text = await exchange(identityToken(principal));
      assert.match(text, /AADSTS7002138/);
      const e = await service.explain({ text, app: info.multiTenantApp.appId });
      assert.equal(e.category, 'subjectMismatch');
      assert.equal(e.app?.id, info.multiTenantApp.objectId);
      assert.deepEqual(
        e.differences.map((d) => [d.credential.name, d.field, d.configured, d.presented, d.kind]),
        [[info.multiTenantApp.ficName, 'subject', principal.toUpperCase(), principal, 'case']],
      );
      assert.ok(
        e.details.some(
          (d) =>
            d.includes(`Credential "${info.multiTenantApp.ficName}" has subject "${principal.toUpperCase()}" but the token presented "${principal}"`) &&
            /case-sensitively since February 2025/.test(d),
        ),
        JSON.stringify(e.details),
      );
      assert.ok(
        e.details.some((d) => /is the object id of the managed identity "uami-automation"/.test(d)),
        JSON.stringify(e.details),
      );
      assert.deepEqual(e.actions, [
        {
          label: `Set the subject of "${info.multiTenantApp.ficName}" to "${principal}"`,
          command: 'federatedCredentials.editCredential',
          arguments: { app: info.multiTenantApp.objectId, credential: fic.id, subject: principal },
        },
      ]);
      assert.match(e.traceId ?? '', /^[0-9a-f-]{36}$/);
    } finally {
      await directory.apps.updateCredential(info.multiTenantApp.objectId, fic.id, { subject: principal });
    }
  });

  it("AADSTS700211: no credential has the token's issuer; the closest credential is named, and nothing is edited blindly", async () => {
    const { info } = f.sandbox;
    const text = await exchange(
      unsignedJwt({ iss: 'https://token.actions.githubusercontent.com', sub: 'repo:contoso/deploy:ref:refs/heads/main', aud: 'api://AzureADTokenExchange' }),
    );
    assert.match(text, /AADSTS700211/);
    const e = await service.explain({ text, app: info.multiTenantApp.objectId });
    assert.equal(e.category, 'issuerMismatch');
    assert.match(e.details[0] ?? '', /^No credential of ".*" has the issuer "https:\/\/token\.actions\.githubusercontent\.com"\./);
    assert.match(e.details[1] ?? '', new RegExp(`^The closest is "${info.multiTenantApp.ficName}"`));
    assert.deepEqual(e.actions, [], 'the closest credential trusts another subject: replacing its issuer would not be a fix');
  });

  it('AADSTS70021 while a new credential propagates: the matching credential is named and the wait explained', async () => {
    const { info, core } = f.sandbox;
    const before = core.consistency;
    core.consistency = { ...before, ficPropagationSeconds: 60 };
    const spare = info.spareIdentity.principalId;
    const created = await directory.apps.createCredential(info.multiTenantApp.objectId, {
      name: 'spare-identity',
      issuer: `${info.loginUrl}/${info.homeTenant.id}/v2.0`,
      subject: spare,
      audiences: ['api://AzureADTokenExchange'],
      description: null,
    });
    try {
      const text = await exchange(identityToken(spare));
      assert.match(text, /AADSTS70021/);
      const e = await service.explain({ text, app: info.multiTenantApp.appId });
      assert.equal(e.category, 'noMatchingCredential');
      assert.deepEqual(e.matchingCredential, { id: created.id, name: 'spare-identity' });
      assert.deepEqual(e.differences, []);
      assert.ok(e.details.some((d) => /"spare-identity" of .* matches the presented issuer, subject and audience exactly.*few minutes/.test(d)));
      assert.deepEqual(e.presented, { issuer: `${info.loginUrl}/${info.homeTenant.id}/v2.0`, subject: spare, audience: 'api://AzureADTokenExchange' });
    } finally {
      core.consistency = before;
      await directory.apps.deleteCredential(info.multiTenantApp.objectId, created.id);
    }
  });

  it('AADSTS700016 before consent: the app found by the client id in the text, and the consent URL for the tenant as the fix', async () => {
    const { info } = f.sandbox;
    const text = await exchange(identityToken(info.automationAccount.userAssigned.principalId), info.customerTenant.id);
    assert.match(text, /AADSTS700016/);
    const withTenant = await service.explain({ text, tenant: info.customerTenant.id });
    assert.equal(withTenant.category, 'appNotInTenant');
    assert.equal(withTenant.app?.appId, info.multiTenantApp.appId, 'found through the client id the error names');
    assert.ok(withTenant.details.some((d) => d.includes(`The request went to the directory "${info.customerTenant.displayName}"`)));
    assert.ok(withTenant.details.some((d) => /Consent for .* is missing in tenant/.test(d)));
    assert.deepEqual(
      withTenant.actions.map((a) => [a.command, a.arguments, a.missing]),
      [['federatedCredentials.copyConsentUrl', { app: info.multiTenantApp.objectId, tenant: info.customerTenant.id }, undefined]],
    );
    // The text names the directory by display name only: without the hint, the action asks for the tenant.
    const withoutTenant = await service.explain({ text });
    assert.deepEqual(withoutTenant.actions[0]?.missing, ['tenant']);
    assert.deepEqual(withoutTenant.actions[0]?.arguments, { app: info.multiTenantApp.objectId });
  });

  it("AADSTS700236: the identity's token from another tenant; the app's tenant and the identity's are named", async () => {
    const { info } = f.sandbox;
    const text = await exchange(identityToken(info.automationAccount.userAssigned.principalId, info.customerTenant.id));
    assert.match(text, /AADSTS700236/);
    const e = await service.explain({ text, app: info.multiTenantApp.appId });
    assert.equal(e.category, 'crossTenantIssuer');
    assert.ok(e.details.some((d) => d.includes(`issued by Entra ID of tenant ${info.customerTenant.id}`)));
    assert.ok(e.details.some((d) => d.includes(`is registered in tenant ${info.homeTenant.id}, not in the identity's tenant ${info.customerTenant.id}`)));
    assert.deepEqual(e.actions, []);
  });

  it('a Graph 403 (Authorization_RequestDenied) for a token without the app role: the permission and the consent URL', async () => {
    const { info } = f.sandbox;
    const token = f.sandbox.core.issueAccessToken({
      tenantId: info.homeTenant.id,
      audience: 'https://graph.microsoft.com',
      clientAppId: info.multiTenantApp.appId,
      azpacr: '2',
      servicePrincipalId: info.confidentialClient.servicePrincipalId,
      roles: [],
    }).token;
    const response = await fetch(`${info.graphUrl}/v1.0/users`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 403);
    const text = `GET /v1.0/users failed: 403 ${await response.text()}`;
    const e = await service.explain({ text, app: info.multiTenantApp.appId, tenant: info.customerTenant.id });
    assert.deepEqual(e.codes, ['Authorization_RequestDenied']);
    assert.equal(e.category, 'permissionMissing');
    assert.ok(e.details.some((d) => /add it \(Add Microsoft Graph Application Permission…\)/.test(d)));
    assert.equal(e.actions[0]?.command, 'federatedCredentials.copyConsentUrl');
  });

  it("a client id that is a user-assigned identity's (its own credentials, ARM) is named as that identity, not as an app of another tenant", async () => {
    const { info } = f.sandbox;
    const uami = info.automationAccount.userAssigned;
    const text = await exchange(identityToken(uami.principalId), info.customerTenant.id, uami.clientId);
    assert.match(text, /AADSTS700016/);
    const e = await service.explain({ text });
    assert.ok(
      e.details.some((d) => d.includes(`${uami.clientId} is the client id of the managed identity "${uami.name}"`) && /Managed Identities view/.test(d)),
      JSON.stringify(e.details),
    );
    assert.ok(!e.details.some((d) => /registered in another tenant/.test(d)));
  });

  it('failure paths: no code, an app the tenant does not have, no sign-in, a JWT in the text', async () => {
    const { info } = f.sandbox;
    const none = await service.explain({ text: 'The runbook finished with exit code 1.' });
    assert.equal(none.found, false);
    assert.match(none.summary, /No AADSTS or Graph error code found/);
    const missingApp = await service.explain({
      text: `AADSTS700213: No matching federated identity record found for presented assertion subject '${info.spareIdentity.principalId}'.`,
      app: '00000000-0000-4000-8000-000000000001',
    });
    assert.ok(missingApp.details.some((d) => /No app registration with object id or application id 00000000-0000-4000-8000-000000000001/.test(d)));
    assert.equal(missingApp.app, undefined);
    const offline = await new ErrorExplanationService({ cloud: resolveCloud('AzureCloud') }).explain({
      text: 'AADSTS700024: Client assertion is not within its valid time range.',
    });
    assert.equal(offline.category, 'assertionExpired');
    assert.ok(offline.details.some((d) => /Sign in to compare/.test(d)));
    const assertion = identityToken(info.automationAccount.userAssigned.principalId);
    const presented = unsignedJwt({
      iss: `${info.loginUrl}/${info.homeTenant.id}/v2.0`,
      sub: info.automationAccount.userAssigned.principalId.toUpperCase(),
      aud: 'api://AzureADTokenExchange',
    });
    const text = `client_assertion=${assertion}\n${await exchange(presented)}`;
    const secretFree = await service.explain({ text, app: info.multiTenantApp.appId });
    assert.equal(secretFree.category, 'subjectMismatch');
    assert.equal(JSON.stringify(secretFree).includes(assertion.split('.')[1] as string), false, 'no part of the token');
    assert.equal(JSON.stringify(secretFree).includes('eyJ'), false);
  });
});
