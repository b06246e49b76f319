// Graph /me, /me/ownedObjects, /organization, /users, /servicePrincipals (+ app-role assignments), $batch, and the
// SDK's RetryHandler against throttling from the fault knobs.
import assert from 'node:assert/strict';
import { BatchRequestContent, BatchResponseContent, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { ClientSecretCredential, UsernamePasswordCredential } from '@azure/identity';
import { GRAPH_APP_ID } from '../state';
import { useSandbox } from './helpers';
import { appToken, call, graphErrorOf, sdkClient, staticCredential, userToken, values } from './graph.support';

describe('sandbox graph: directory, service principals, batch', () => {
  const f = useSandbox({ seed: 47, size: { apps: 120, appsWithCredentials: 20, managedIdentities: 6 } });
  const users = () => f.sandbox.core.info.users;
  const tenant = () => f.sandbox.info.homeTenant.id;

  describe('/me, /me/ownedObjects, /organization, /users', () => {
    it('/me answers the signed-in user (default properties, $select); app-only tokens get the documented 400', async () => {
      const { info } = f.sandbox;
      const cred = new UsernamePasswordCredential(info.homeTenant.id, info.publicClientId, info.admins.home.username, info.admins.home.password, {
        authorityHost: info.loginUrl,
        disableInstanceDiscovery: true,
      });
      const me = (await sdkClient(f.sandbox, cred).api('/me').get()) as Record<string, unknown>;
      assert.equal(me.userPrincipalName, info.admins.home.username);
      assert.equal(me.accountEnabled, undefined, 'not a default property');
      const sel = await call(f.sandbox, 'GET', '/me?$select=id,accountEnabled', userToken(f.sandbox, users().homeUser.id, ['User.Read']));
      assert.deepEqual(
        Object.keys(sel.body).filter((k) => !k.startsWith('@')),
        ['id', 'accountEnabled'],
      );
      const e = graphErrorOf(await call(f.sandbox, 'GET', '/me', appToken(f.sandbox, ['User.Read.All'])), 400, 'BadRequest');
      assert.equal(e.message, '/me request is only valid with delegated authentication flow.');
    });

    it('/me/ownedObjects/microsoft.graph.application: only owned apps, $select, $top and paging (SDK PageIterator)', async () => {
      const dev = users().homeDeveloper;
      const owned = f.sandbox.core.state.applicationsOf(tenant()).filter((a) => a.owners.includes(dev.id));
      assert.ok(owned.length > 10);
      const client = sdkClient(f.sandbox, staticCredential(userToken(f.sandbox, dev.id, ['User.Read', 'Application.Read.All'])));
      const first = (await client.api('/me/ownedObjects/microsoft.graph.application').select(['id', 'appId', 'displayName']).top(4).get()) as PageCollection;
      assert.equal(first.value.length, 4);
      assert.ok(first['@odata.nextLink']);
      const ids: string[] = [];
      await new PageIterator(client, first, (o: { id: string; appId: string }) => {
        assert.ok(o.appId);
        ids.push(o.id);
        return true;
      }).iterate();
      assert.deepEqual(ids.sort(), owned.map((a) => a.id).sort());
      const plain = values<Record<string, unknown>>(await call(f.sandbox, 'GET', '/me/ownedObjects?$top=1', userToken(f.sandbox, dev.id, ['User.Read'])));
      assert.equal(plain[0]?.['@odata.type'], '#microsoft.graph.application');
      assert.deepEqual(
        values(await call(f.sandbox, 'GET', '/me/ownedObjects/microsoft.graph.application', userToken(f.sandbox, users().homeUser.id, ['User.Read']))),
        [],
      );
    });

    it('/organization answers the token tenant with verified domains', async () => {
      const home = values<{ id: string; displayName: string; verifiedDomains: { name: string; isDefault: boolean }[] }>(
        await call(f.sandbox, 'GET', '/organization?$select=id,displayName,verifiedDomains', userToken(f.sandbox, users().homeUser.id, ['User.Read'])),
      );
      assert.equal(home[0]?.id, tenant());
      assert.deepEqual(
        home[0]?.verifiedDomains.map((d) => [d.name, d.isDefault]),
        [
          ['contoso.onmicrosoft.com', true],
          ['contoso.example', false],
        ],
      );
      const customer = values<{ id: string }>(
        await call(f.sandbox, 'GET', '/organization', userToken(f.sandbox, users().customerUser.id, ['User.Read'], f.sandbox.info.customerTenant.id)),
      );
      assert.equal(customer[0]?.id, f.sandbox.info.customerTenant.id);
      graphErrorOf(await call(f.sandbox, 'GET', '/organization', appToken(f.sandbox, ['Application.Read.All'])), 403, 'Authorization_RequestDenied');
    });

    it('/users needs User.Read.All (role or scope); $top, $select, paging; only the token tenant', async () => {
      const { info } = f.sandbox;
      const cred = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, {
        authorityHost: info.loginUrl,
        disableInstanceDiscovery: true,
      });
      const page1 = (await sdkClient(f.sandbox, cred).api('/users').top(2).select('id,userPrincipalName').get()) as PageCollection;
      assert.equal(page1.value.length, 2);
      const all = values<{ userPrincipalName: string }>(
        await call(f.sandbox, 'GET', '/users?$select=userPrincipalName', appToken(f.sandbox, ['User.Read.All'])),
      );
      assert.deepEqual(
        all.map((u) => u.userPrincipalName).sort(),
        f.sandbox.core.state
          .usersOf(tenant())
          .map((u) => u.userPrincipalName)
          .sort(),
      );
      graphErrorOf(await call(f.sandbox, 'GET', '/users', appToken(f.sandbox, ['Application.Read.All'])), 403, 'Authorization_RequestDenied');
      graphErrorOf(await call(f.sandbox, 'GET', '/users', userToken(f.sandbox, users().homeUser.id, ['User.Read'])), 403, 'Authorization_RequestDenied');
      assert.equal(values(await call(f.sandbox, 'GET', '/users', userToken(f.sandbox, users().homeUser.id, ['User.Read.All']))).length, all.length);
      graphErrorOf(await call(f.sandbox, 'GET', '/users?$top=1000', appToken(f.sandbox, ['User.Read.All'])), 400, 'Request_UnsupportedQuery');
    });
  });

  describe('/servicePrincipals', () => {
    it("filters: servicePrincipalType eq 'ManagedIdentity' (alternativeNames), appId eq (Microsoft Graph with its appRoles); $top paging", async () => {
      const token = appToken(f.sandbox, ['Application.Read.All']);
      const mis = f.sandbox.core.state.servicePrincipalsOf(tenant()).filter((s) => s.servicePrincipalType === 'ManagedIdentity');
      const seen: { id: string; alternativeNames: string[]; servicePrincipalType: string }[] = [];
      let url: string | undefined =
        `/servicePrincipals?$filter=${encodeURIComponent("servicePrincipalType eq 'ManagedIdentity'")}&$select=id,appId,displayName,alternativeNames,servicePrincipalType&$top=3`;
      while (url) {
        const a = await call(f.sandbox, 'GET', url, token);
        seen.push(...values<{ id: string; alternativeNames: string[]; servicePrincipalType: string }>(a));
        url = a.body['@odata.nextLink'] as string | undefined;
      }
      assert.equal(seen.length, mis.length);
      assert.ok(seen.every((s) => s.servicePrincipalType === 'ManagedIdentity'));
      const uami = seen.find((s) => s.id === f.sandbox.info.automationAccount.userAssigned.principalId);
      assert.equal(uami?.alternativeNames[0], 'isExplicit=True');
      assert.ok(seen.some((s) => s.alternativeNames[0] === 'isExplicit=False'));
      const graph = values<{ appId: string; appRoles: { value: string; id: string }[] }>(
        await call(f.sandbox, 'GET', `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${GRAPH_APP_ID}'`)}&$select=id,appId,appRoles`, token),
      );
      assert.equal(graph.length, 1);
      assert.equal(graph[0]?.appRoles.find((r) => r.value === 'User.Read.All')?.id, 'df021288-bdef-4463-88db-98f22de89214');
      // Lambda filters on the collection properties work as in Graph; nothing has the alternative name 'y'.
      const none = await call(f.sandbox, 'GET', `/servicePrincipals?$filter=${encodeURIComponent("alternativeNames/any(x:x eq 'y')")}`, token);
      assert.equal(none.status, 200, none.text);
      assert.deepEqual(values(none), []);
      graphErrorOf(await call(f.sandbox, 'GET', `/servicePrincipals?$filter=${encodeURIComponent("tags eq 'y'")}`, token), 400, 'Request_UnsupportedQuery');
    });

    it('$search (ConsistencyLevel: eventual) narrows /servicePrincipals and /me/ownedObjects; without the header it is refused', async () => {
      const token = appToken(f.sandbox, ['Application.Read.All']);
      const eventual = { ConsistencyLevel: 'eventual' };
      const graph = values<{ appId: string }>(
        await call(f.sandbox, 'GET', `/servicePrincipals?$search=${encodeURIComponent('"displayName:Microsoft Graph"')}&$select=appId`, token, {
          headers: eventual,
        }),
      );
      assert.deepEqual(
        graph.map((s) => s.appId),
        [GRAPH_APP_ID],
      );
      graphErrorOf(
        await call(f.sandbox, 'GET', `/servicePrincipals?$search=${encodeURIComponent('"displayName:graph"')}`, token),
        400,
        'Request_UnsupportedQuery',
      );
      const dev = users().homeDeveloper;
      const owned = f.sandbox.core.state.applicationsOf(tenant()).filter((a) => a.owners.includes(dev.id));
      const word = (owned.find((a) => /^[a-z]+-.+-\d{5}$/.test(a.displayName))?.displayName ?? '').split('-')[1] as string;
      const expected = owned
        .filter((a) =>
          a.displayName
            .toLowerCase()
            .split(/[^a-z0-9]+/)
            .some((t) => t.startsWith(word.toLowerCase())),
        )
        .map((a) => a.id)
        .sort();
      assert.ok(expected.length > 0 && expected.length < owned.length, `search word ${word} should narrow ${owned.length} owned apps`);
      const found = values<{ id: string }>(
        await call(
          f.sandbox,
          'GET',
          `/me/ownedObjects/microsoft.graph.application?$search=${encodeURIComponent(`"displayName:${word}"`)}&$select=id&$top=999`,
          userToken(f.sandbox, dev.id, ['User.Read']),
          { headers: eventual },
        ),
      );
      assert.deepEqual(found.map((a) => a.id).sort(), expected);
    });

    it('get by id and (appId=…); 404 body when missing; 400 for a non-GUID', async () => {
      const token = appToken(f.sandbox, ['Application.Read.All']);
      const id = f.sandbox.info.spareIdentity.principalId;
      const got = await call(f.sandbox, 'GET', `/servicePrincipals/${id}?$select=id,appId,alternativeNames`, token);
      assert.equal(got.body.appId, f.sandbox.info.spareIdentity.clientId);
      assert.equal((await call(f.sandbox, 'GET', `/servicePrincipals(appId='${GRAPH_APP_ID}')`, token)).body.displayName, 'Microsoft Graph');
      const missing = '11111111-2222-3333-4444-555555555555';
      assert.equal(
        graphErrorOf(await call(f.sandbox, 'GET', `/servicePrincipals/${missing}`, token), 404, 'Request_ResourceNotFound').message,
        `Resource '${missing}' does not exist or one of its queried reference-property objects are not present.`,
      );
      graphErrorOf(await call(f.sandbox, 'GET', '/servicePrincipals/abc', token), 400, 'Request_BadRequest');
      graphErrorOf(
        await call(f.sandbox, 'GET', `/servicePrincipals/${id}`, userToken(f.sandbox, users().homeUser.id, ['User.Read'])),
        403,
        'Authorization_RequestDenied',
      );
    });

    it('appRoleAssignments / appRoleAssignedTo: list and POST (201), duplicate and unknown role refused, permission needed', async () => {
      const { info } = f.sandbox;
      const read = appToken(f.sandbox, ['Application.Read.All']);
      const granted = values<{ appRoleId: string; resourceId: string }>(
        await call(f.sandbox, 'GET', `/servicePrincipals/${info.confidentialClient.servicePrincipalId}/appRoleAssignments`, read),
      );
      assert.equal(granted.length, 3);
      const graphSp = f.sandbox.core.state.findServicePrincipal(tenant(), GRAPH_APP_ID);
      assert.ok(graphSp);
      assert.ok(granted.every((g) => g.resourceId === graphSp.id));
      const before = values(await call(f.sandbox, 'GET', `/servicePrincipals/${graphSp.id}/appRoleAssignedTo?$top=999`, read)).length;
      const writer = appToken(f.sandbox, ['AppRoleAssignment.ReadWrite.All']);
      const mi = info.spareIdentity.principalId;
      const assignment = { principalId: mi, resourceId: graphSp.id, appRoleId: 'df021288-bdef-4463-88db-98f22de89214' };
      const created = await call(f.sandbox, 'POST', `/servicePrincipals/${graphSp.id}/appRoleAssignedTo`, writer, { body: assignment });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.principalType, 'ServicePrincipal');
      assert.equal(created.body.resourceDisplayName, 'Microsoft Graph');
      assert.equal(values(await call(f.sandbox, 'GET', `/servicePrincipals/${graphSp.id}/appRoleAssignedTo?$top=999`, read)).length, before + 1);
      assert.deepEqual(
        values<{ appRoleId: string }>(await call(f.sandbox, 'GET', `/servicePrincipals/${mi}/appRoleAssignments`, read)).map((a) => a.appRoleId),
        [assignment.appRoleId],
      );
      graphErrorOf(await call(f.sandbox, 'POST', `/servicePrincipals/${mi}/appRoleAssignments`, writer, { body: assignment }), 400, 'Request_BadRequest');
      graphErrorOf(
        await call(f.sandbox, 'POST', `/servicePrincipals/${mi}/appRoleAssignments`, writer, {
          body: { ...assignment, appRoleId: '00000000-0000-0000-0000-00000000abcd' },
        }),
        400,
        'Request_BadRequest',
      );
      graphErrorOf(
        await call(f.sandbox, 'POST', `/servicePrincipals/${graphSp.id}/appRoleAssignedTo`, writer, { body: { ...assignment, resourceId: mi } }),
        400,
        'Request_BadRequest',
      );
      graphErrorOf(
        await call(f.sandbox, 'POST', `/servicePrincipals/${graphSp.id}/appRoleAssignedTo`, appToken(f.sandbox, ['Application.ReadWrite.All']), {
          body: assignment,
        }),
        403,
        'Authorization_RequestDenied',
      );
      // Delegated: a Global Administrator may grant Graph app roles, a developer may not.
      const second = { ...assignment, appRoleId: '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30' };
      graphErrorOf(
        await call(
          f.sandbox,
          'POST',
          `/servicePrincipals/${mi}/appRoleAssignments`,
          userToken(f.sandbox, users().homeDeveloper.id, ['AppRoleAssignment.ReadWrite.All']),
          { body: second },
        ),
        403,
        'Authorization_RequestDenied',
      );
      assert.equal(
        (
          await call(
            f.sandbox,
            'POST',
            `/servicePrincipals/${mi}/appRoleAssignments`,
            userToken(f.sandbox, users().homeAdmin.id, ['AppRoleAssignment.ReadWrite.All']),
            { body: second },
          )
        ).status,
        201,
      );
    });
  });

  describe('$batch', () => {
    it('runs sub-requests through the same routes (SDK BatchRequestContent), with per-item status; dependents of a failed request get 424', async () => {
      const token = userToken(f.sandbox, users().homeDeveloper.id);
      const client = sdkClient(f.sandbox, staticCredential(token));
      const base = f.sandbox.info.graphUrl;
      const content = new BatchRequestContent([
        { id: '1', request: new Request(`${base}/v1.0/organization?$select=id`, { method: 'GET' }) },
        {
          id: '2',
          request: new Request(`${base}/v1.0/applications`, {
            method: 'POST',
            body: JSON.stringify({ displayName: 'Batched' }),
            headers: { 'Content-Type': 'application/json' },
          }),
        },
        { id: '3', request: new Request(`${base}/v1.0/applications/00000000-0000-0000-0000-0000000000ff`, { method: 'GET' }) },
      ]);
      const raw = await client.api('/$batch').post(await content.getContent());
      const batch = new BatchResponseContent(raw);
      assert.equal(batch.getResponseById('1').status, 200);
      assert.equal(((await batch.getResponseById('1').json()) as { value: { id: string }[] }).value[0]?.id, tenant());
      assert.equal(batch.getResponseById('2').status, 201);
      const created = (await batch.getResponseById('2').json()) as { id: string };
      assert.deepEqual(f.sandbox.core.state.applications.get(created.id)?.owners, [users().homeDeveloper.id]);
      assert.equal(batch.getResponseById('3').status, 404);
      assert.equal(((await batch.getResponseById('3').json()) as { error: { code: string } }).error.code, 'Request_ResourceNotFound');
      const failed = await call(f.sandbox, 'POST', '/$batch', token, {
        body: {
          requests: [
            { id: 'x', method: 'GET', url: '/applications/00000000-0000-0000-0000-0000000000ff' },
            { id: 'y', method: 'GET', url: '/me', dependsOn: ['x'] },
            { id: 'z', method: 'GET', url: '/me', dependsOn: ['y'] },
          ],
        },
      });
      const statuses = new Map((failed.body.responses as { id: string; status: number }[]).map((r) => [r.id, r.status]));
      assert.deepEqual([statuses.get('x'), statuses.get('y'), statuses.get('z')], [404, 424, 424]);
      // A dependent of a request that succeeded runs after it.
      const chained = await call(f.sandbox, 'POST', '/$batch', token, {
        body: {
          requests: [
            { id: 'a', method: 'GET', url: '/me?$select=id' },
            { id: 'b', method: 'DELETE', url: `/applications/${created.id}`, dependsOn: ['a'] },
            { id: 'c', method: 'GET', url: `/applications/${created.id}`, dependsOn: ['b'] },
          ],
        },
      });
      assert.deepEqual(
        (chained.body.responses as { id: string; status: number }[]).map((r) => [r.id, r.status]),
        [
          ['a', 200],
          ['b', 204],
          ['c', 404],
        ],
      );
      // Sub-requests are in the request log, marked with their batch id.
      assert.ok(f.sandbox.requests().some((r) => r.path === '/graph/v1.0/applications' && r.method === 'POST' && r.headers['x-sandbox-batch-id'] === '2'));
    });

    it('limits: 20 requests at most, unique ids (case-insensitive), Content-Type with a body, known dependsOn, relative urls', async () => {
      const token = appToken(f.sandbox, ['Application.Read.All']);
      const req = (id: string, extra: Record<string, unknown> = {}) => ({ id, method: 'GET', url: '/organization', ...extra });
      const twenty = await call(f.sandbox, 'POST', '/$batch', appToken(f.sandbox, ['Directory.Read.All']), {
        body: { requests: Array.from({ length: 20 }, (_, i) => req(String(i + 1))) },
      });
      assert.equal(twenty.status, 200);
      assert.equal((twenty.body.responses as unknown[]).length, 20);
      graphErrorOf(
        await call(f.sandbox, 'POST', '/$batch', token, { body: { requests: Array.from({ length: 21 }, (_, i) => req(String(i + 1))) } }),
        400,
        'BadRequest',
      );
      const dup = graphErrorOf(await call(f.sandbox, 'POST', '/$batch', token, { body: { requests: [req('a'), req('A')] } }), 400, 'BadRequest');
      assert.equal(dup.message, 'Request Id A has to be unique in a batch.');
      const noType = graphErrorOf(
        await call(f.sandbox, 'POST', '/$batch', token, {
          body: { requests: [{ id: '1', method: 'POST', url: '/applications', body: { displayName: 'x' } }] },
        }),
        400,
        'BadRequest',
      );
      assert.equal(noType.message, 'Write request id : 1 does not contain Content-Type header or body.');
      graphErrorOf(await call(f.sandbox, 'POST', '/$batch', token, { body: { requests: [req('1', { dependsOn: ['9'] })] } }), 400, 'BadRequest');
      graphErrorOf(
        await call(f.sandbox, 'POST', '/$batch', token, { body: { requests: [req('1', { dependsOn: ['2'] }), req('2', { dependsOn: ['1'] })] } }),
        400,
        'BadRequest',
      );
      graphErrorOf(
        await call(f.sandbox, 'POST', '/$batch', token, { body: { requests: [req('1', { url: 'https://graph.microsoft.com/v1.0/organization' })] } }),
        400,
        'BadRequest',
      );
      graphErrorOf(await call(f.sandbox, 'POST', '/$batch', token, { body: { requests: 'x' } }), 400, 'BadRequest');
      // Relative urls without a leading slash and with ConsistencyLevel in the item headers.
      const ok = await call(f.sandbox, 'POST', '/$batch', token, {
        body: {
          requests: [
            {
              id: 's',
              method: 'GET',
              url: `applications?$search=${encodeURIComponent('"displayName:api"')}&$count=true&$top=1`,
              headers: { ConsistencyLevel: 'eventual' },
            },
            { id: 'n', method: 'GET', url: `applications?$search=${encodeURIComponent('"displayName:api"')}` },
          ],
        },
      });
      const byId = new Map((ok.body.responses as { id: string; status: number; body: Record<string, unknown> }[]).map((r) => [r.id, r]));
      assert.equal(byId.get('s')?.status, 200);
      assert.equal(typeof byId.get('s')?.body['@odata.count'], 'number');
      assert.equal(byId.get('n')?.status, 400);
    });

    it('each sub-request is throttled on its own (429 + Retry-After inside a 200 batch)', async () => {
      const token = appToken(f.sandbox, ['Application.Read.All', 'Directory.Read.All']);
      f.sandbox.setFaults([{ kind: 'throttle', pathPrefix: '/graph/v1.0/organization', retryAfterSeconds: 4 }]);
      try {
        const r = await call(f.sandbox, 'POST', '/$batch', token, {
          body: {
            requests: [
              { id: '1', method: 'GET', url: '/organization' },
              { id: '2', method: 'GET', url: '/applications?$top=1' },
            ],
          },
        });
        assert.equal(r.status, 200);
        const byId = new Map(
          (r.body.responses as { id: string; status: number; headers: Record<string, string>; body: { error?: { code: string } } }[]).map((x) => [x.id, x]),
        );
        assert.equal(byId.get('1')?.status, 429);
        assert.equal(byId.get('1')?.headers['Retry-After'], '4');
        assert.equal(byId.get('1')?.body.error?.code, 'TooManyRequests');
        assert.equal(byId.get('2')?.status, 200);
      } finally {
        f.sandbox.setFaults([]);
      }
    });
  });

  it("the SDK's RetryHandler honours 429 + Retry-After from the fault knobs and then succeeds", async function () {
    this.timeout(20000);
    const client = sdkClient(f.sandbox, staticCredential(appToken(f.sandbox, ['Directory.Read.All'])));
    const since = f.sandbox.core.log.last;
    f.sandbox.setFaults([{ kind: 'throttle', pathPrefix: '/graph/v1.0/organization', count: 2, retryAfterSeconds: 1 }]);
    try {
      const started = Date.now();
      const org = (await client.api('/organization').get()) as { value: { id: string }[] };
      assert.equal(org.value[0]?.id, tenant());
      assert.ok(Date.now() - started >= 1900, 'waited Retry-After twice');
      assert.deepEqual(
        f.sandbox
          .requests(since)
          .filter((r) => r.path === '/graph/v1.0/organization')
          .map((r) => r.status),
        [429, 429, 200],
      );
    } finally {
      f.sandbox.setFaults([]);
    }
  });
});
