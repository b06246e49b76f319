// Graph /applications: listing, $select/$top/$filter/$search/$count/$expand, paging (raw and with the SDK's
// PageIterator), get/create/patch/delete, and authorization (401/403, tenant isolation).
import assert from 'node:assert/strict';
import { PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { GRAPH_APP_ID } from '../state';
import { useSandbox } from './helpers';
import { appToken, call, graphErrorOf, mint, sdkClient, staticCredential, userToken, values } from './graph.support';

describe('sandbox graph: /applications', () => {
  const f = useSandbox({ seed: 41, size: { apps: 250, appsWithCredentials: 60 } });
  const homeApps = () => f.sandbox.core.state.applicationsOf(f.sandbox.info.homeTenant.id);
  const admin = () => userToken(f.sandbox, f.sandbox.core.info.users.homeAdmin.id);
  const reader = () => appToken(f.sandbox, ['Application.Read.All']);

  describe('list', () => {
    it('pages 100 at a time by default with an opaque $skiptoken that keeps the query; every app exactly once', async () => {
      const seen: string[] = [];
      let url: string | undefined = '/applications?$select=id,displayName';
      let pages = 0;
      while (url) {
        const a = await call(f.sandbox, 'GET', url, reader());
        const items = values<{ id: string; displayName: string }>(a);
        if (url.startsWith('/')) assert.equal(items.length, 100);
        for (const i of items) assert.deepEqual(Object.keys(i).sort(), ['displayName', 'id']);
        seen.push(...items.map((i) => i.id));
        url = a.body['@odata.nextLink'] as string | undefined;
        if (url) {
          const next = new URL(url);
          assert.equal(next.searchParams.get('$select'), 'id,displayName');
          assert.match(next.searchParams.get('$skiptoken') ?? '', /^[A-Za-z0-9_-]+$/);
        }
        pages++;
      }
      assert.equal(new Set(seen).size, seen.length);
      assert.deepEqual(
        [...seen].sort(),
        homeApps()
          .map((a) => a.id)
          .sort(),
      );
      assert.equal(pages, Math.ceil(homeApps().length / 100));
    });

    it("$top: 999 allowed, 1000 and 0 refused with Graph's message; a tampered $skiptoken is refused", async () => {
      assert.equal(values(await call(f.sandbox, 'GET', '/applications?$top=999&$select=id', reader())).length, homeApps().length);
      const e = graphErrorOf(await call(f.sandbox, 'GET', '/applications?$top=1000', reader()), 400, 'Request_UnsupportedQuery');
      assert.equal(e.message, "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
      graphErrorOf(await call(f.sandbox, 'GET', '/applications?$top=0', reader()), 400, 'Request_UnsupportedQuery');
      const first = await call(f.sandbox, 'GET', '/applications?$top=5', reader());
      const next = new URL(first.body['@odata.nextLink'] as string);
      next.searchParams.set('$top', '6'); // the token belongs to the $top=5 query
      graphErrorOf(await call(f.sandbox, 'GET', next.toString(), reader()), 400, 'Directory_ExpiredPageToken');
      graphErrorOf(await call(f.sandbox, 'GET', '/applications?$skiptoken=garbage', reader()), 400, 'Directory_ExpiredPageToken');
      graphErrorOf(await call(f.sandbox, 'GET', '/applications?$skip=5', reader()), 400, 'Request_BadRequest');
    });

    it('the SDK PageIterator walks every page', async () => {
      const client = sdkClient(f.sandbox, staticCredential(reader()));
      const first = (await client.api('/applications').select(['id', 'appId']).top(37).get()) as PageCollection;
      const ids: string[] = [];
      const it = new PageIterator(client, first, (app: { id: string }) => {
        ids.push(app.id);
        return true;
      });
      await it.iterate();
      assert.equal(ids.length, homeApps().length);
      assert.equal(new Set(ids).size, ids.length);
    });

    it('$filter: displayName eq (quotes doubled), appId eq, startswith, and/or; unsupported and malformed filters', async () => {
      const token = admin();
      const created = await call(f.sandbox, 'POST', '/applications', token, { body: { displayName: "O'Brien's App" } });
      assert.equal(created.status, 201, created.text);
      const byName = values<{ id: string }>(
        await call(f.sandbox, 'GET', `/applications?$filter=${encodeURIComponent("displayName eq 'o''brien''s app'")}`, token),
      );
      assert.deepEqual(
        byName.map((a) => a.id),
        [created.body.id],
      );
      const target = homeApps()[7];
      assert.ok(target);
      const byAppId = values<{ appId: string }>(
        await call(f.sandbox, 'GET', `/applications?$filter=${encodeURIComponent(`appId eq '${target.appId.toUpperCase()}'`)}`, token),
      );
      assert.deepEqual(
        byAppId.map((a) => a.appId),
        [target.appId],
      );
      const prefix = target.displayName.split('-')[0] as string;
      const starts = values<{ displayName: string }>(
        await call(f.sandbox, 'GET', `/applications?$top=999&$filter=${encodeURIComponent(`startswith(displayName,'${prefix.toUpperCase()}')`)}`, token),
      );
      assert.equal(starts.length, homeApps().filter((a) => a.displayName.toLowerCase().startsWith(prefix)).length);
      const either = values(
        await call(f.sandbox, 'GET', `/applications?$filter=${encodeURIComponent(`appId eq '${target.appId}' or displayName eq 'O''Brien''s App'`)}`, token),
      );
      assert.equal(either.length, 2);
      const unsupported = graphErrorOf(
        await call(f.sandbox, 'GET', `/applications?$filter=${encodeURIComponent("notes eq 'x'")}`, token),
        400,
        'Request_UnsupportedQuery',
      );
      assert.equal(unsupported.message, "Unsupported or invalid query filter clause specified for property 'notes' of resource 'Application'.");
      graphErrorOf(await call(f.sandbox, 'GET', `/applications?$filter=${encodeURIComponent("displayName ne 'x'")}`, token), 400, 'Request_UnsupportedQuery');
      assert.match(
        graphErrorOf(await call(f.sandbox, 'GET', `/applications?$filter=${encodeURIComponent("displayName eq 'open")}`, token), 400, 'BadRequest').message,
        /^Invalid filter clause/,
      );
      graphErrorOf(await call(f.sandbox, 'GET', `/applications?$filter=${encodeURIComponent('displayName eq abc')}`, token), 400, 'BadRequest');
    });

    it('$search needs ConsistencyLevel: eventual (documented 400 otherwise), also on next pages; $count only with the header and only on page 1', async () => {
      const token = reader();
      const q = `/applications?$search=${encodeURIComponent('"displayName:gateway"')}&$count=true&$top=3&$select=id,displayName`;
      const no = graphErrorOf(await call(f.sandbox, 'GET', q, token), 400, 'Request_UnsupportedQuery');
      assert.equal(no.message, "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");
      const eventual = { ConsistencyLevel: 'eventual' };
      const first = await call(f.sandbox, 'GET', q, token, { headers: eventual });
      const expected = homeApps().filter((a) => a.displayName.split('-').includes('gateway')).length;
      assert.ok(expected > 3, 'seed has enough gateway apps');
      assert.equal(first.body['@odata.count'], expected);
      for (const a of values<{ displayName: string }>(first)) assert.match(a.displayName, /-gateway-/);
      const nextLink = first.body['@odata.nextLink'] as string;
      graphErrorOf(await call(f.sandbox, 'GET', nextLink, token), 400, 'Request_UnsupportedQuery');
      const second = await call(f.sandbox, 'GET', nextLink, token, { headers: eventual });
      assert.equal(values(second).length, 3);
      assert.equal(second.body['@odata.count'], undefined);
      // Tokenised prefix match: "gate" finds "…-gateway-…"; words in any order must all match.
      assert.equal(
        (await call(f.sandbox, 'GET', `/applications?$search=${encodeURIComponent('"displayName:gate"')}&$count=true&$top=1`, token, { headers: eventual }))
          .body['@odata.count'],
        expected,
      );
      // $count=true without the header is ignored.
      const plain = await call(f.sandbox, 'GET', '/applications?$count=true&$top=1', token);
      assert.equal(plain.body['@odata.count'], undefined);
      // Unquoted search clause.
      graphErrorOf(await call(f.sandbox, 'GET', '/applications?$search=displayName:gateway', token, { headers: eventual }), 400, 'Request_UnsupportedQuery');
    });

    it('$expand=federatedIdentityCredentials($select=…) inlines credentials; not with advanced queries; unknown expand refused', async () => {
      const token = reader();
      const all = values<{ id: string; federatedIdentityCredentials: Record<string, unknown>[] }>(
        await call(
          f.sandbox,
          'GET',
          `/applications?$top=999&$select=id&$expand=${encodeURIComponent('federatedIdentityCredentials($select=id,name,subject)')}`,
          token,
        ),
      );
      const withCreds = all.filter((a) => a.federatedIdentityCredentials.length > 0);
      assert.equal(withCreds.length, homeApps().filter((a) => a.federatedIdentityCredentials.length > 0).length);
      for (const c of withCreds.flatMap((a) => a.federatedIdentityCredentials)) assert.deepEqual(Object.keys(c).sort(), ['id', 'name', 'subject']);
      graphErrorOf(
        await call(f.sandbox, 'GET', `/applications?$expand=federatedIdentityCredentials&$search=${encodeURIComponent('"displayName:api"')}`, token, {
          headers: { ConsistencyLevel: 'eventual' },
        }),
        400,
        'Request_UnsupportedQuery',
      );
      graphErrorOf(await call(f.sandbox, 'GET', '/applications?$expand=owners', token), 400, 'BadRequest');
      graphErrorOf(await call(f.sandbox, 'GET', '/applications?$select=id,bogus', token), 400, 'BadRequest');
    });

    it('/applications/$count needs ConsistencyLevel: eventual and answers text/plain', async () => {
      const token = reader();
      graphErrorOf(await call(f.sandbox, 'GET', '/applications/$count', token), 400, 'Request_BadRequest');
      const a = await call(f.sandbox, 'GET', '/applications/$count', token, { headers: { ConsistencyLevel: 'eventual' } });
      assert.equal(a.status, 200);
      assert.match(a.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(Number(a.text), homeApps().length);
    });
  });

  describe('single app', () => {
    it("get by object id and by (appId='…'); 400 for a non-GUID id; 404 body when missing", async () => {
      const token = reader();
      const app = homeApps()[3];
      assert.ok(app);
      const byId = await call(f.sandbox, 'GET', `/applications/${app.id}?$select=id,appId,displayName`, token);
      assert.equal(byId.status, 200);
      assert.deepEqual({ id: byId.body.id, appId: byId.body.appId }, { id: app.id, appId: app.appId });
      assert.match(String(byId.body['@odata.context']), /\$metadata#applications\(id,appId,displayName\)\/\$entity$/);
      const byAppId = await call(f.sandbox, 'GET', `/applications(appId='${app.appId}')`, token);
      assert.equal(byAppId.body.id, app.id);
      const encoded = await call(f.sandbox, 'GET', `/applications(appId=%27${app.appId}%27)`, token);
      assert.equal(encoded.body.id, app.id);
      assert.equal(
        graphErrorOf(await call(f.sandbox, 'GET', '/applications/not-a-guid', token), 400, 'Request_BadRequest').message,
        "Invalid object identifier 'not-a-guid'.",
      );
      const missing = '00000000-0000-0000-0000-000000000001';
      assert.equal(
        graphErrorOf(await call(f.sandbox, 'GET', `/applications/${missing}`, token), 404, 'Request_ResourceNotFound').message,
        `Resource '${missing}' does not exist or one of its queried reference-property objects are not present.`,
      );
      graphErrorOf(await call(f.sandbox, 'GET', `/applications(appId='${missing}')`, token), 404, 'Request_ResourceNotFound');
    });

    it('create (201, new ids, caller owns it), patch (204, requiredResourceAccess), delete (204, then 404)', async () => {
      const dev = f.sandbox.core.info.users.homeDeveloper;
      const token = userToken(f.sandbox, dev.id);
      const created = await call(f.sandbox, 'POST', '/applications', token, {
        body: { displayName: 'Created In Test', signInAudience: 'AzureADMultipleOrgs' },
      });
      assert.equal(created.status, 201, created.text);
      assert.match(String(created.body.id), /^[0-9a-f-]{36}$/);
      assert.match(String(created.body.appId), /^[0-9a-f-]{36}$/);
      assert.notEqual(created.body.id, created.body.appId);
      assert.equal(created.body.signInAudience, 'AzureADMultipleOrgs');
      assert.deepEqual(f.sandbox.core.state.applications.get(String(created.body.id))?.owners, [dev.id]);
      const rra = [{ resourceAppId: GRAPH_APP_ID, resourceAccess: [{ id: 'df021288-bdef-4463-88db-98f22de89214', type: 'Role' }] }];
      const patched = await call(f.sandbox, 'PATCH', `/applications/${created.body.id}`, token, {
        body: { requiredResourceAccess: rra, displayName: 'Renamed' },
      });
      assert.equal(patched.status, 204, patched.text);
      assert.equal(patched.text, '');
      const after = await call(f.sandbox, 'GET', `/applications/${created.body.id}?$select=displayName,requiredResourceAccess`, token);
      assert.deepEqual(after.body.requiredResourceAccess, rra);
      assert.equal(after.body.displayName, 'Renamed');
      graphErrorOf(
        await call(f.sandbox, 'PATCH', `/applications/${created.body.id}`, token, { body: { signInAudience: 'Everyone' } }),
        400,
        'Request_BadRequest',
      );
      graphErrorOf(
        await call(f.sandbox, 'PATCH', `/applications/${created.body.id}`, token, {
          body: { requiredResourceAccess: [{ resourceAppId: GRAPH_APP_ID, resourceAccess: [{ id: 'x', type: 'Role' }] }] },
        }),
        400,
        'Request_BadRequest',
      );
      graphErrorOf(await call(f.sandbox, 'PATCH', `/applications/${created.body.id}`, token, { body: { colour: 'blue' } }), 400, 'BadRequest');
      graphErrorOf(
        await call(f.sandbox, 'PATCH', `/applications/${created.body.id}`, token, { body: { appId: '00000000-0000-0000-0000-000000000001' } }),
        400,
        'Request_BadRequest',
      );
      graphErrorOf(await call(f.sandbox, 'POST', '/applications', token, { body: { signInAudience: 'AzureADMyOrg' } }), 400, 'Request_BadRequest');
      graphErrorOf(await call(f.sandbox, 'POST', '/applications', token, { body: '{not json' }), 400, 'BadRequest');
      assert.equal((await call(f.sandbox, 'DELETE', `/applications/${created.body.id}`, token)).status, 204);
      graphErrorOf(await call(f.sandbox, 'GET', `/applications/${created.body.id}`, token), 404, 'Request_ResourceNotFound');
    });
  });

  describe('authorization', () => {
    it('401 InvalidAuthenticationToken without a token, with a garbled one, with another audience, expired', async () => {
      const missing = graphErrorOf(await call(f.sandbox, 'GET', '/applications', undefined), 401, 'InvalidAuthenticationToken');
      assert.equal(missing.message, 'Access token is empty.');
      graphErrorOf(await call(f.sandbox, 'GET', '/applications', 'abc'), 401, 'InvalidAuthenticationToken');
      const arm = f.sandbox.core.issueAccessToken({
        tenantId: f.sandbox.info.homeTenant.id,
        audience: 'https://management.azure.com',
        clientAppId: f.sandbox.info.confidentialClient.clientId,
        azpacr: '1',
        servicePrincipalId: f.sandbox.info.confidentialClient.servicePrincipalId,
        roles: ['Application.Read.All'],
      }).token;
      graphErrorOf(await call(f.sandbox, 'GET', '/applications', arm), 401, 'InvalidAuthenticationToken');
      const expired = mint(f.sandbox, {
        servicePrincipalId: f.sandbox.info.confidentialClient.servicePrincipalId,
        roles: ['Application.Read.All'],
        lifetimeSeconds: -600,
      });
      graphErrorOf(await call(f.sandbox, 'GET', '/applications', expired), 401, 'InvalidAuthenticationToken');
      const batch = await call(f.sandbox, 'POST', '/$batch', undefined, { body: { requests: [{ id: '1', method: 'GET', url: '/applications' }] } });
      graphErrorOf(batch, 401, 'InvalidAuthenticationToken');
    });

    it('403 Authorization_RequestDenied: no read scope; writes need the write scope and ownership or an admin role', async () => {
      const users = f.sandbox.core.info.users;
      const onlyUserRead = userToken(f.sandbox, users.homeUser.id, ['User.Read']);
      const denied = graphErrorOf(await call(f.sandbox, 'GET', '/applications', onlyUserRead), 403, 'Authorization_RequestDenied');
      assert.equal(denied.message, 'Insufficient privileges to complete the operation.');
      const devOwned = homeApps().find((a) => a.owners.includes(users.homeDeveloper.id));
      const notDevOwned = homeApps().find((a) => !a.owners.includes(users.homeDeveloper.id) && a.owners.length === 0);
      assert.ok(devOwned && notDevOwned);
      // Read scope only: no write.
      graphErrorOf(
        await call(f.sandbox, 'PATCH', `/applications/${devOwned.id}`, userToken(f.sandbox, users.homeDeveloper.id, ['Application.Read.All']), {
          body: { description: 'x' },
        }),
        403,
        'Authorization_RequestDenied',
      );
      // Write scope, not an owner, no admin role.
      graphErrorOf(
        await call(f.sandbox, 'PATCH', `/applications/${notDevOwned.id}`, userToken(f.sandbox, users.homeDeveloper.id), { body: { description: 'x' } }),
        403,
        'Authorization_RequestDenied',
      );
      graphErrorOf(
        await call(f.sandbox, 'DELETE', `/applications/${notDevOwned.id}`, userToken(f.sandbox, users.homeUser.id)),
        403,
        'Authorization_RequestDenied',
      );
      // Owner may; Global Administrator may.
      assert.equal(
        (await call(f.sandbox, 'PATCH', `/applications/${devOwned.id}`, userToken(f.sandbox, users.homeDeveloper.id), { body: { description: 'mine' } }))
          .status,
        204,
      );
      assert.equal((await call(f.sandbox, 'PATCH', `/applications/${notDevOwned.id}`, admin(), { body: { description: 'admin' } })).status, 204);
      // App-only: Application.ReadWrite.OwnedBy only for apps the service principal owns.
      const sp = f.sandbox.info.confidentialClient.servicePrincipalId;
      graphErrorOf(
        await call(f.sandbox, 'PATCH', `/applications/${notDevOwned.id}`, appToken(f.sandbox, ['Application.ReadWrite.OwnedBy']), {
          body: { description: 'x' },
        }),
        403,
        'Authorization_RequestDenied',
      );
      const own = await call(f.sandbox, 'POST', '/applications', appToken(f.sandbox, ['Application.ReadWrite.OwnedBy']), {
        body: { displayName: 'Owned by SP' },
      });
      assert.equal(own.status, 201);
      assert.deepEqual(f.sandbox.core.state.applications.get(String(own.body.id))?.owners, [sp]);
      assert.equal(
        (await call(f.sandbox, 'PATCH', `/applications/${own.body.id}`, appToken(f.sandbox, ['Application.ReadWrite.OwnedBy']), { body: { description: 'x' } }))
          .status,
        204,
      );
      graphErrorOf(
        await call(f.sandbox, 'POST', '/applications', appToken(f.sandbox, ['Application.Read.All']), { body: { displayName: 'x' } }),
        403,
        'Authorization_RequestDenied',
      );
    });

    it("the token's tenant selects the data: the customer tenant sees only its own apps", async () => {
      const { info } = f.sandbox;
      const customerAdmin = f.sandbox.core.info.users.customerAdmin;
      const token = userToken(f.sandbox, customerAdmin.id, ['Application.Read.All'], info.customerTenant.id);
      const apps = values<{ id: string }>(await call(f.sandbox, 'GET', '/applications?$select=id', token));
      assert.deepEqual(
        apps.map((a) => a.id).sort(),
        f.sandbox.core.state
          .applicationsOf(info.customerTenant.id)
          .map((a) => a.id)
          .sort(),
      );
      graphErrorOf(await call(f.sandbox, 'GET', `/applications/${info.multiTenantApp.objectId}`, token), 404, 'Request_ResourceNotFound');
    });
  });
});
