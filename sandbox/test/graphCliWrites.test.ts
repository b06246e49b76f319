// The Graph writes the Azure CLI sends for `az ad app create/update`, `az ad app credential reset` and
// `az ad sp create`: accepted as Graph accepts them, refused as Graph refuses them.
import assert from 'node:assert/strict';
import { postForm, tokenUrl, useSandbox } from './helpers';
import { appToken, call, graphErrorOf } from './graph.support';

describe('sandbox: Graph writes of the Azure CLI', () => {
  const f = useSandbox({ seed: 5 });
  const token = () => appToken(f.sandbox, ['Application.ReadWrite.All']);

  it('creates an app with keyCredentials: [] (what az ad app create always sends), app roles, optional claims and web settings, and keeps them', async () => {
    const created = await call(f.sandbox, 'POST', '/applications', token(), {
      body: {
        displayName: 'cli-app',
        keyCredentials: [],
        appRoles: [
          {
            id: '7d3f2f2e-8f7b-4b59-9f3c-5b0b8d4a6a11',
            value: 'Reports.Read',
            displayName: 'Read reports',
            description: 'd',
            allowedMemberTypes: ['Application'],
            isEnabled: true,
          },
        ],
        optionalClaims: { idToken: [{ name: 'email', essential: false }], accessToken: [], saml2Token: [] },
        web: { homePageUrl: 'https://app.example.com', redirectUris: ['https://app.example.com/cb'], implicitGrantSettings: { enableIdTokenIssuance: true } },
      },
    });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id as string;
    const app = await call(f.sandbox, 'GET', `/applications/${id}`, token());
    assert.deepEqual(
      (app.body.appRoles as Array<{ value: string }>).map((r) => r.value),
      ['Reports.Read'],
    );
    assert.deepEqual(
      (app.body.optionalClaims as { idToken: Array<{ name: string }> }).idToken.map((c) => c.name),
      ['email'],
    );
    assert.deepEqual(app.body.web, {
      homePageUrl: 'https://app.example.com',
      logoutUrl: null,
      redirectUris: ['https://app.example.com/cb'],
      implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: true },
    });
    // A PATCH of part of `web` keeps the rest.
    assert.equal((await call(f.sandbox, 'PATCH', `/applications/${id}`, token(), { body: { web: { logoutUrl: 'https://app.example.com/out' } } })).status, 204);
    const web = (await call(f.sandbox, 'GET', `/applications/${id}`, token())).body.web as Record<string, unknown>;
    assert.deepEqual([web.homePageUrl, web.logoutUrl], ['https://app.example.com', 'https://app.example.com/out']);
    // A certificate is kept without its key in answers.
    const cert = { type: 'AsymmetricX509Cert', usage: 'Verify', key: Buffer.from('not a real certificate').toString('base64'), displayName: 'CN=cli' };
    assert.equal((await call(f.sandbox, 'PATCH', `/applications/${id}`, token(), { body: { keyCredentials: [cert] } })).status, 204);
    const keys = (await call(f.sandbox, 'GET', `/applications/${id}`, token())).body.keyCredentials as Array<Record<string, unknown>>;
    assert.deepEqual([keys.length, keys[0]?.displayName, keys[0]?.key], [1, 'CN=cli', null]);
    // Refusals in Graph's words.
    graphErrorOf(
      await call(f.sandbox, 'PATCH', `/applications/${id}`, token(), { body: { appRoles: [{ id: 'x', allowedMemberTypes: ['Application'] }] } }),
      400,
      'Request_BadRequest',
    );
    graphErrorOf(
      await call(f.sandbox, 'PATCH', `/applications/${id}`, token(), { body: { keyCredentials: [{ type: 'Nope', usage: 'Verify', key: 'AA==' }] } }),
      400,
      'Request_BadRequest',
    );
    graphErrorOf(await call(f.sandbox, 'PATCH', `/applications/${id}`, token(), { body: { optionalClaims: { colour: [] } } }), 400, 'Request_BadRequest');
  });

  it('addPassword returns the secret once, and the token endpoint takes it; removePassword ends it', async () => {
    const { info } = f.sandbox;
    const created = await call(f.sandbox, 'POST', '/applications', token(), { body: { displayName: 'secret-app', signInAudience: 'AzureADMyOrg' } });
    const id = created.body.id as string;
    const appId = created.body.appId as string;
    assert.equal((await call(f.sandbox, 'POST', '/servicePrincipals', token(), { body: { appId } })).status, 201);
    const added = await call(f.sandbox, 'POST', `/applications/${id}/addPassword`, token(), { body: { passwordCredential: { displayName: 'rbac' } } });
    assert.equal(added.status, 200, added.text);
    const secret = added.body.secretText as string;
    assert.equal(added.body.hint, secret.slice(0, 3));
    const listed = (await call(f.sandbox, 'GET', `/applications/${id}`, token())).body.passwordCredentials as Array<Record<string, unknown>>;
    assert.deepEqual([listed.length, listed[0]?.secretText, listed[0]?.displayName], [1, null, 'rbac']);
    const signIn = () =>
      postForm(tokenUrl(f.sandbox, info.homeTenant.id), {
        grant_type: 'client_credentials',
        client_id: appId,
        client_secret: secret,
        scope: 'https://graph.microsoft.com/.default',
      });
    assert.equal((await signIn()).status, 200);
    assert.equal((await call(f.sandbox, 'POST', `/applications/${id}/removePassword`, token(), { body: { keyId: added.body.keyId } })).status, 204);
    assert.equal((await signIn()).status, 401);
    graphErrorOf(
      await call(f.sandbox, 'POST', `/applications/${id}/removePassword`, token(), { body: { keyId: added.body.keyId } }),
      400,
      'Request_BadRequest',
    );
  });

  it('POST /servicePrincipals {appId} creates the service principal once; 409 when it exists; 400 for an app it cannot have', async () => {
    const { info } = f.sandbox;
    const created = await call(f.sandbox, 'POST', '/applications', token(), { body: { displayName: 'sp-app', signInAudience: 'AzureADMyOrg' } });
    const appId = created.body.appId as string;
    const sp = await call(f.sandbox, 'POST', '/servicePrincipals', token(), { body: { appId } });
    assert.equal(sp.status, 201, sp.text);
    assert.equal(sp.body.appId, appId);
    assert.equal(sp.body.servicePrincipalType, 'Application');
    assert.deepEqual(sp.body.servicePrincipalNames, [appId]);
    const again = graphErrorOf(
      await call(f.sandbox, 'POST', '/servicePrincipals', token(), { body: { appId } }),
      409,
      'Request_MultipleObjectsWithSameKeyValue',
    );
    assert.match(again.message, /service principal name .* is already in use/);
    graphErrorOf(
      await call(f.sandbox, 'POST', '/servicePrincipals', token(), { body: { appId: '00000000-0000-4000-8000-00000000abcd' } }),
      400,
      'Request_BadRequest',
    );
    graphErrorOf(await call(f.sandbox, 'POST', '/servicePrincipals', token(), { body: {} }), 400, 'Request_BadRequest');
    // The lookup the CLI makes next: servicePrincipalNames/any(c:c eq '{appId}').
    const found = await call(f.sandbox, 'GET', `/servicePrincipals?$filter=${encodeURIComponent(`servicePrincipalNames/any(c:c eq '${appId}')`)}`, token());
    assert.deepEqual(
      (found.body.value as Array<{ id: string }>).map((s) => s.id),
      [sp.body.id],
    );
    assert.ok(info.homeTenant.id);
  });

  it('keeps a certificate sent back as GET gave it (key null, its keyId), as az ad app credential reset --append does; an enabled app role cannot be removed or changed', async () => {
    const role = (over: Record<string, unknown>) => ({
      id: '11111111-2222-4333-8444-555555555555',
      value: 'Jobs.Run',
      displayName: 'Run',
      description: 'd',
      allowedMemberTypes: ['Application'],
      isEnabled: true,
      ...over,
    });
    const created = await call(f.sandbox, 'POST', '/applications', token(), {
      body: {
        displayName: 'append-app',
        keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: Buffer.from('first').toString('base64'), displayName: 'CN=first' }],
        appRoles: [role({})],
      },
    });
    const id = created.body.id as string;
    const first = ((await call(f.sandbox, 'GET', `/applications/${id}`, token())).body.keyCredentials as Array<Record<string, unknown>>)[0]!;
    const appended = await call(f.sandbox, 'PATCH', `/applications/${id}`, token(), {
      body: {
        keyCredentials: [first, { type: 'AsymmetricX509Cert', usage: 'Verify', key: Buffer.from('second').toString('base64'), displayName: 'CN=second' }],
      },
    });
    assert.equal(appended.status, 204, appended.text);
    const names = ((await call(f.sandbox, 'GET', `/applications/${id}`, token())).body.keyCredentials as Array<{ displayName: string }>).map(
      (k) => k.displayName,
    );
    assert.deepEqual(names, ['CN=first', 'CN=second']);
    graphErrorOf(await call(f.sandbox, 'PATCH', `/applications/${id}`, token(), { body: { appRoles: [] } }), 400, 'CannotDeleteOrUpdateEnabledEntitlement');
    graphErrorOf(
      await call(f.sandbox, 'PATCH', `/applications/${id}`, token(), { body: { appRoles: [role({ value: 'Jobs.Other' })] } }),
      400,
      'CannotDeleteOrUpdateEnabledEntitlement',
    );
    assert.equal(
      (await call(f.sandbox, 'PATCH', `/applications/${id}`, token(), { body: { appRoles: [role({ isEnabled: false })] } })).status,
      204,
      'disabled first',
    );
    assert.equal((await call(f.sandbox, 'PATCH', `/applications/${id}`, token(), { body: { appRoles: [] } })).status, 204, 'then removed');
    graphErrorOf(
      await call(f.sandbox, 'POST', `/applications/${id}/addPassword`, token(), { body: { passwordCredential: { endDateTime: 'next year' } } }),
      400,
      'Request_BadRequest',
    );
  });
});
