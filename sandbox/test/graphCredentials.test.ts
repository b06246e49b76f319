// Graph federatedIdentityCredentials: CRUD by id and by name, upsert, and every validation rule with Graph's
// status, code and message shape (the Graph error-response docs).
import assert from 'node:assert/strict';
import { useSandbox } from './helpers';
import { appToken, call, graphErrorOf, userToken, values } from './graph.support';

describe('sandbox graph: federatedIdentityCredentials', () => {
  const f = useSandbox({ seed: 43, size: { apps: 20, appsWithCredentials: 5 } });
  let appId = '';
  let appClientId = '';
  const token = () => userToken(f.sandbox, f.sandbox.core.info.users.homeDeveloper.id);
  const base = () => `/applications/${appId}/federatedIdentityCredentials`;
  const issuer = () => f.sandbox.info.homeTenant.issuer;
  const body = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    issuer: issuer(),
    subject: `sub-${name}`,
    audiences: ['api://AzureADTokenExchange'],
    ...extra,
  });
  const invalid = async (b: unknown, param: string) => {
    const e = graphErrorOf(await call(f.sandbox, 'POST', base(), token(), { body: b }), 400, 'InvalidFederatedIdentityCredentialValue');
    assert.match(
      e.message,
      new RegExp(`paramName: FederatedIdentityCredential\\.${param}, paramValue: .*, objectType: Microsoft\\.Online\\.DirectoryServices\\.Application$`, 's'),
    );
    return e.message;
  };

  beforeEach(async () => {
    const created = await call(f.sandbox, 'POST', '/applications', token(), { body: { displayName: `fic-host-${Date.now()}` } });
    assert.equal(created.status, 201);
    appId = String(created.body.id);
    appClientId = String(created.body.appId);
  });

  it('create answers 201 with the entity (description null), list/get by id and by name, $select, $filter=subject eq', async () => {
    const c = await call(f.sandbox, 'POST', base(), token(), { body: body('main') });
    assert.equal(c.status, 201, c.text);
    assert.deepEqual(
      Object.keys(c.body)
        .filter((k) => !k.startsWith('@'))
        .sort(),
      ['audiences', 'description', 'id', 'issuer', 'name', 'subject'],
    );
    assert.equal(c.body.description, null);
    assert.match(String(c.body['@odata.context']), new RegExp(`applications\\('${appId}'\\)/federatedIdentityCredentials/\\$entity$`));
    await call(f.sandbox, 'POST', base(), token(), { body: body('second', { description: 'two' }) });
    const list = values<Record<string, unknown>>(await call(f.sandbox, 'GET', `${base()}?$select=name,subject`, token()));
    assert.deepEqual(list, [
      { name: 'main', subject: 'sub-main' },
      { name: 'second', subject: 'sub-second' },
    ]);
    const filtered = values<{ name: string }>(await call(f.sandbox, 'GET', `${base()}?$filter=${encodeURIComponent("subject eq 'sub-second'")}`, token()));
    assert.deepEqual(
      filtered.map((x) => x.name),
      ['second'],
    );
    graphErrorOf(await call(f.sandbox, 'GET', `${base()}?$filter=${encodeURIComponent("description eq 'two'")}`, token()), 400, 'Request_UnsupportedQuery');
    const byId = await call(f.sandbox, 'GET', `${base()}/${c.body.id}`, token());
    assert.equal(byId.body.name, 'main');
    const byName = await call(f.sandbox, 'GET', `${base()}/main?$select=id`, token());
    assert.deepEqual(
      Object.keys(byName.body).filter((k) => !k.startsWith('@')),
      ['id'],
    );
    const byAltKey = await call(f.sandbox, 'GET', `/applications(appId='${appClientId}')/federatedIdentityCredentials(name='second')`, token());
    assert.equal(byAltKey.body.description, 'two');
    graphErrorOf(await call(f.sandbox, 'GET', `${base()}/nope`, token()), 404, 'Request_ResourceNotFound');
  });

  it('name rules: required, 3–120 characters, URL-friendly (alphanumeric, dash, underscore; starts alphanumeric)', async () => {
    assert.match(
      await invalid(body('a/b'), 'Name'),
      /^The specified Name value is not a valid URI last segment\. paramName: FederatedIdentityCredential\.Name, paramValue: a\/b,/,
    );
    await invalid(body('-abc'), 'Name');
    await invalid(body('has space'), 'Name');
    await invalid(body('dot.ted'), 'Name');
    await invalid(body('ab'), 'Name');
    await invalid(body('x'.repeat(121)), 'Name');
    const { name: _omit, ...noName } = body('zzz');
    await invalid(noName, 'Name');
    for (const ok of ['abc', 'x'.repeat(120), 'A1_b-2']) assert.equal((await call(f.sandbox, 'POST', base(), token(), { body: body(ok) })).status, 201, ok);
  });

  it('exactly one audience; issuer, subject, audience and description at most 600 characters; issuer and subject required', async () => {
    await invalid(body('aud0', { audiences: [] }), 'Audiences');
    await invalid(body('aud2', { audiences: ['api://AzureADTokenExchange', 'api://other'] }), 'Audiences');
    await invalid(body('audlong', { audiences: ['a'.repeat(601)] }), 'Audiences');
    await invalid(body('isslong', { issuer: `https://${'i'.repeat(593)}` }), 'Issuer');
    await invalid(body('sublong', { subject: 's'.repeat(601) }), 'Subject');
    await invalid(body('desclong', { description: 'd'.repeat(601) }), 'Description');
    await invalid(body('noiss', { issuer: '' }), 'Issuer');
    await invalid(body('nosub', { subject: undefined }), 'Subject');
    assert.equal(
      (
        await call(f.sandbox, 'POST', base(), token(), {
          body: body('max600', { issuer: `https://${'i'.repeat(592)}`, subject: 's'.repeat(600), description: 'd'.repeat(600), audiences: ['a'.repeat(600)] }),
        })
      ).status,
      201,
    );
    // OData type checks and unknown properties.
    graphErrorOf(await call(f.sandbox, 'POST', base(), token(), { body: body('typed', { subject: 42 }) }), 400, 'BadRequest');
    graphErrorOf(await call(f.sandbox, 'POST', base(), token(), { body: body('typed', { audiences: 'api://AzureADTokenExchange' }) }), 400, 'BadRequest');
    const unknown = graphErrorOf(
      await call(f.sandbox, 'POST', base(), token(), { body: body('claims', { claimsMatchingExpression: { value: 'x', languageVersion: 1 } }) }),
      400,
      'BadRequest',
    );
    assert.match(unknown.message, /^Property 'claimsMatchingExpression' does not exist on type 'microsoft\.graph\.federatedIdentityCredential'/);
  });

  it('409 for a duplicate name; 400 for a duplicate issuer+subject (compared exactly)', async () => {
    assert.equal((await call(f.sandbox, 'POST', base(), token(), { body: body('main') })).status, 201);
    const dup = graphErrorOf(
      await call(f.sandbox, 'POST', base(), token(), { body: body('main', { subject: 'other' }) }),
      409,
      'Request_MultipleObjectsWithSameKeyValue',
    );
    assert.equal(dup.message, 'FederatedIdentityCredential with name main already exists.');
    graphErrorOf(await call(f.sandbox, 'POST', base(), token(), { body: body('MAIN', { subject: 'other2' }) }), 409, 'Request_MultipleObjectsWithSameKeyValue');
    const pair = await invalid(body('copy', { subject: 'sub-main' }), 'Subject');
    assert.equal(
      pair,
      `The combination of issuer and subject must be unique for the application. Issuer ${issuer()} and Subject: sub-main already exist. paramName: FederatedIdentityCredential.Subject, paramValue: sub-main, objectType: Microsoft.Online.DirectoryServices.Application`,
    );
    // Case-sensitive: a subject differing only in case is another credential.
    assert.equal((await call(f.sandbox, 'POST', base(), token(), { body: body('upper', { subject: 'SUB-MAIN' }) })).status, 201);
  });

  it('at most 20 credentials per application', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await call(f.sandbox, 'POST', base(), token(), { body: body(`fic-${i}`) })).status, 201);
    const e = graphErrorOf(await call(f.sandbox, 'POST', base(), token(), { body: body('fic-20') }), 400, 'InvalidFederatedIdentityCredentialValue');
    assert.match(e.message, /maximum number of federated identity credentials \(20\)/);
    assert.equal(f.sandbox.core.state.applications.get(appId)?.federatedIdentityCredentials.length, 20);
  });

  it('PATCH by id or name answers 204 and keeps the name immutable; rules apply to updates; DELETE by id or name', async () => {
    const a = await call(f.sandbox, 'POST', base(), token(), { body: body('one') });
    await call(f.sandbox, 'POST', base(), token(), { body: body('two') });
    const p = await call(f.sandbox, 'PATCH', `${base()}/${a.body.id}`, token(), { body: { subject: 'changed', description: 'd' } });
    assert.equal(p.status, 204);
    assert.equal(p.text, '');
    const got = await call(f.sandbox, 'GET', `${base()}/one`, token());
    assert.deepEqual([got.body.subject, got.body.description, got.body.issuer], ['changed', 'd', issuer()]);
    assert.equal((await call(f.sandbox, 'PATCH', `${base()}/one`, token(), { body: { name: 'one', subject: 'again' } })).status, 204);
    await (async () => {
      const e = graphErrorOf(
        await call(f.sandbox, 'PATCH', `${base()}/one`, token(), { body: { name: 'renamed' } }),
        400,
        'InvalidFederatedIdentityCredentialValue',
      );
      assert.match(e.message, /paramName: FederatedIdentityCredential\.Name/);
    })();
    graphErrorOf(await call(f.sandbox, 'PATCH', `${base()}/one`, token(), { body: { subject: 'sub-two' } }), 400, 'InvalidFederatedIdentityCredentialValue');
    graphErrorOf(await call(f.sandbox, 'PATCH', `${base()}/one`, token(), { body: { audiences: ['a', 'b'] } }), 400, 'InvalidFederatedIdentityCredentialValue');
    assert.equal((await call(f.sandbox, 'GET', `${base()}/one`, token())).body.subject, 'again');
    graphErrorOf(await call(f.sandbox, 'PATCH', `${base()}/missing`, token(), { body: { subject: 'x' } }), 404, 'Request_ResourceNotFound');
    assert.equal((await call(f.sandbox, 'DELETE', `${base()}/two`, token())).status, 204);
    assert.equal((await call(f.sandbox, 'DELETE', `${base()}/${a.body.id}`, token())).status, 204);
    assert.deepEqual(values(await call(f.sandbox, 'GET', base(), token())), []);
    graphErrorOf(await call(f.sandbox, 'DELETE', `${base()}/two`, token()), 404, 'Request_ResourceNotFound');
  });

  it("upsert: PATCH …(name='x') with Prefer: create-if-missing creates (201) or updates (204); without the header a missing one is 404", async () => {
    const url = `/applications(appId='${appClientId}')/federatedIdentityCredentials(name='ups')`;
    const { name: _n, ...values1 } = body('ups');
    graphErrorOf(await call(f.sandbox, 'PATCH', url, token(), { body: values1 }), 404, 'Request_ResourceNotFound');
    const created = await call(f.sandbox, 'PATCH', url, token(), { body: values1, headers: { Prefer: 'create-if-missing' } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.name, 'ups');
    const updated = await call(f.sandbox, 'PATCH', url, token(), { body: { ...values1, subject: 'new' }, headers: { Prefer: 'create-if-missing' } });
    assert.equal(updated.status, 204);
    assert.equal((await call(f.sandbox, 'PATCH', url, token(), { body: { description: 'plain update' } })).status, 204);
    const got = await call(f.sandbox, 'GET', url, token());
    assert.deepEqual([got.body.subject, got.body.description], ['new', 'plain update']);
    const bad = `/applications/${appId}/federatedIdentityCredentials(name='a%2Fb')`;
    graphErrorOf(
      await call(f.sandbox, 'PATCH', bad, token(), { body: values1, headers: { Prefer: 'create-if-missing' } }),
      400,
      'InvalidFederatedIdentityCredentialValue',
    );
  });

  it('writes need ownership or an admin role; reads need Application.Read.All', async () => {
    const users = f.sandbox.core.info.users;
    graphErrorOf(await call(f.sandbox, 'POST', base(), userToken(f.sandbox, users.homeUser.id), { body: body('nope') }), 403, 'Authorization_RequestDenied');
    assert.equal((await call(f.sandbox, 'POST', base(), userToken(f.sandbox, users.homeAdmin.id), { body: body('byadmin') })).status, 201);
    assert.equal((await call(f.sandbox, 'POST', base(), appToken(f.sandbox, ['Application.ReadWrite.All']), { body: body('byapp') })).status, 201);
    graphErrorOf(
      await call(f.sandbox, 'POST', base(), appToken(f.sandbox, ['Application.Read.All']), { body: body('ro') }),
      403,
      'Authorization_RequestDenied',
    );
    assert.equal(values(await call(f.sandbox, 'GET', base(), appToken(f.sandbox, ['Application.Read.All']))).length, 2);
    graphErrorOf(await call(f.sandbox, 'GET', base(), userToken(f.sandbox, users.homeUser.id, ['User.Read'])), 403, 'Authorization_RequestDenied');
  });
});
