// What ships: src/graph/directory.ts GraphDirectory over src/graph/graphClient.ts createGraphClient, unchanged,
// against the sandbox (custom cloud: Graph root = the sandbox's Graph URL). Also the seeded size knob: listing
// 10,000 apps with credentials expanded stays fast.
import assert from 'node:assert/strict';
import { ClientSecretCredential, UsernamePasswordCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { GraphDirectory } from '../../../src/graph/directory';
import { createGraphClient } from '../../../src/graph/graphClient';
import type { Sandbox } from '../../../sandbox/index';
import { useSandbox } from '../../../sandbox/test/helpers';
import { call, staticCredential, appToken } from '../../../sandbox/test/graph.support';
import { DEFAULT_RETRY_POLICY } from '../../../src/http/retryPolicy';

function directory(sandbox: Sandbox, credential: TokenCredential): GraphDirectory {
  const make = () =>
    Promise.resolve(
      createGraphClient({
        credential,
        baseUrl: sandbox.info.graphUrl,
        scopes: [`${sandbox.info.graphUrl}/.default`],
        retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, baseDelayMs: 1000, maxRetryAfterMs: 5000 },
      }),
    );
  return new GraphDirectory({ read: make, write: make });
}

describe("sandbox graph: the extension's GraphDirectory over createGraphClient", () => {
  const f = useSandbox({ seed: 53, size: { apps: 60, appsWithCredentials: 15 } });
  const developer = () => {
    const { info } = f.sandbox;
    const dev = f.sandbox.core.info.users.homeDeveloper;
    return new UsernamePasswordCredential(info.homeTenant.id, info.publicClientId, dev.username, dev.password, {
      authorityHost: info.loginUrl,
      disableInstanceDiscovery: true,
    });
  };

  it('lists apps (credentials expanded), pages with nextPage, searches, lists only mine', async () => {
    const dir = directory(f.sandbox, developer());
    const first = await dir.apps.listApps({ pageSize: 25 });
    assert.equal(first.items.length, 25);
    assert.ok(first.nextLink);
    assert.ok(first.items.every((a) => Array.isArray(a.federatedIdentityCredentials)));
    const second = await dir.nextPage<{ id: string }>(first.nextLink);
    assert.equal(second.items.length, 25);
    assert.equal(new Set([...first.items, ...second.items].map((a) => a.id)).size, 50);
    const name = f.sandbox.core.state.applicationsOf(f.sandbox.info.homeTenant.id)[10]?.displayName ?? '';
    const word = name.split('-')[1] ?? '';
    const found = await dir.apps.listApps({ pageSize: 10, search: word });
    assert.ok(found.items.length > 0 && found.items.every((a) => a.displayName.includes(word)), word);
    assert.equal(typeof found.count, 'number');
    const mine = await dir.apps.listApps({ pageSize: 999, onlyMine: true });
    const dev = f.sandbox.core.info.users.homeDeveloper.id;
    assert.deepEqual(
      mine.items.map((a) => a.id).sort(),
      f.sandbox.core.state
        .applicationsOf(f.sandbox.info.homeTenant.id)
        .filter((a) => a.owners.includes(dev))
        .map((a) => a.id)
        .sort(),
    );
  });

  it('finds an app by object id or app id, and manages its credentials; Graph errors come back explained', async () => {
    const dir = directory(f.sandbox, developer());
    const app = await dir.apps.createApp({ displayName: 'Extension Test App', signInAudience: 'AzureADMyOrg' });
    assert.equal((await dir.apps.findApp(app.id))?.appId, app.appId);
    assert.equal((await dir.apps.findApp(app.appId))?.id, app.id);
    assert.equal(await dir.apps.findApp('00000000-0000-0000-0000-00000000beef'), undefined);
    const values = {
      name: 'deploy',
      issuer: f.sandbox.info.homeTenant.issuer,
      subject: f.sandbox.info.spareIdentity.principalId,
      audiences: ['api://AzureADTokenExchange'],
    };
    const cred = await dir.apps.createCredential(app.id, values);
    assert.equal(cred.name, 'deploy');
    await assert.rejects(dir.apps.createCredential(app.id, values), (e: { status?: number }) => e.status === 409);
    await assert.rejects(dir.apps.createCredential(app.id, { ...values, name: 'copy' }), (e: { status?: number }) => e.status === 400);
    await dir.apps.updateCredential(app.id, cred.id, { description: 'updated' });
    assert.equal((await dir.apps.getCredential(app.id, 'deploy'))?.description, 'updated');
    assert.deepEqual(
      (await dir.apps.listCredentials(app.id)).map((c) => c.name),
      ['deploy'],
    );
    await dir.apps.deleteCredential(app.id, cred.id);
    assert.equal(await dir.apps.getCredential(app.id, 'deploy'), undefined);
    await dir.apps.updateApp(app.id, {
      requiredResourceAccess: [
        { resourceAppId: '00000003-0000-0000-c000-000000000000', resourceAccess: [{ id: 'df021288-bdef-4463-88db-98f22de89214', type: 'Role' }] },
      ],
    });
    assert.equal(f.sandbox.core.state.applications.get(app.id)?.requiredResourceAccess.length, 1);
  });

  it('service principals, managed identities, Graph permissions, organization', async () => {
    const dir = directory(f.sandbox, developer());
    const mi = await dir.servicePrincipals.find(f.sandbox.info.spareIdentity.principalId);
    assert.equal(mi?.appId, f.sandbox.info.spareIdentity.clientId);
    assert.equal(await dir.servicePrincipals.find('00000000-0000-0000-0000-00000000beef'), undefined);
    assert.equal(await dir.servicePrincipals.find('not-a-guid'), undefined);
    const graph = await dir.servicePrincipals.microsoftGraph();
    assert.ok(graph.appRoles.some((r) => r.value === 'Application.ReadWrite.All'));
    const org = await dir.organization.get();
    assert.equal(org.id, f.sandbox.info.homeTenant.id);
    const mis = await dir.servicePrincipals.listManagedIdentities(2);
    assert.equal(mis.items.length, 2);
    assert.ok(mis.nextLink);
  });

  it('app-only: the apps whose credentials name an identity, in one advanced query (ConsistencyLevel: eventual, $count=true); 403 is explained', async () => {
    const { info } = f.sandbox;
    const dir = directory(
      f.sandbox,
      new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, {
        authorityHost: info.loginUrl,
        disableInstanceDiscovery: true,
      }),
    );
    const subject = info.automationAccount.userAssigned.principalId;
    await dir.organization.get(); // the token first: its request is not Graph's
    const since = f.sandbox.requests().at(-1)?.seq ?? 0;
    const found = await dir.apps.listAppsWithCredentialSubject(subject);
    const expected = f.sandbox.core.state
      .applicationsOf(info.homeTenant.id)
      .filter((a) => a.federatedIdentityCredentials.some((c) => c.subject === subject))
      .map((a) => a.id)
      .sort();
    assert.ok(expected.includes(info.multiTenantApp.objectId));
    assert.deepEqual(found.apps.map((a) => a.id).sort(), expected);
    assert.equal(found.count, expected.length);
    const graph = f.sandbox.requests(since).filter((r) => r.area === 'graph');
    assert.equal(graph.length, 1, 'one request');
    assert.equal(graph[0].headers.consistencylevel, 'eventual');
    assert.equal(graph[0].query.$count, 'true');
    assert.equal(graph[0].query.$filter, `federatedIdentityCredentials/any(f:f/subject eq '${subject}')`);
    const denied = directory(f.sandbox, staticCredential(appToken(f.sandbox, ['User.Read.All'])));
    await assert.rejects(
      denied.apps.listAppsWithCredentialSubject(subject),
      (e: { status?: number; explained?: { kind: string } }) => e.status === 403 && e.explained?.kind === 'forbidden',
    );
  });
});

describe('sandbox graph: more than 999 apps naming one identity', () => {
  // Every app has credentials and the only identities are the two named ones: about 1,500 apps name the Automation account's.
  const f = useSandbox({ seed: 54, size: { apps: 2_500, appsWithCredentials: 2_500, managedIdentities: 0 } });

  it("pages with the SDK PageIterator, sending ConsistencyLevel again with each page; @odata.count is the first page's", async () => {
    const { info } = f.sandbox;
    const dir = directory(f.sandbox, staticCredential(appToken(f.sandbox, ['Application.Read.All'])));
    const subject = info.automationAccount.userAssigned.principalId;
    const expected = f.sandbox.core.state
      .applicationsOf(info.homeTenant.id)
      .filter((a) => a.federatedIdentityCredentials.some((c) => c.subject === subject))
      .map((a) => a.id)
      .sort();
    assert.ok(expected.length > 999 && expected.length <= 1998, `${expected.length} apps name it`);
    const since = f.sandbox.requests().at(-1)?.seq ?? 0;
    const found = await dir.apps.listAppsWithCredentialSubject(subject);
    assert.deepEqual(found.apps.map((a) => a.id).sort(), expected, 'each app once');
    assert.equal(found.count, expected.length);
    const graph = f.sandbox.requests(since).filter((r) => r.area === 'graph');
    assert.equal(graph.length, 2, 'ceil(apps / 999) requests');
    assert.ok(graph[1].query.$skiptoken);
    assert.ok(graph.every((r) => r.headers.consistencylevel === 'eventual' && r.status === 200));
  });
});

describe('sandbox graph: 10,000 apps (2,000 with credentials)', () => {
  const f = useSandbox({ seed: 59, size: { apps: 10_000, appsWithCredentials: 2_000 } });

  it('pages through every app with credentials expanded at $top=999 quickly, and filters/searches stay fast', async function () {
    this.timeout(60000);
    const token = appToken(f.sandbox, ['Application.Read.All']);
    const started = Date.now();
    let url: string | undefined =
      `/applications?$top=999&$select=id,appId,displayName&$expand=${encodeURIComponent('federatedIdentityCredentials($select=id,name,subject)')}`;
    let apps = 0;
    let withCreds = 0;
    while (url) {
      const a = await call(f.sandbox, 'GET', url, token);
      assert.equal(a.status, 200, a.text.slice(0, 300));
      const items = a.body.value as { federatedIdentityCredentials: unknown[] }[];
      apps += items.length;
      withCreds += items.filter((i) => i.federatedIdentityCredentials.length > 0).length;
      url = a.body['@odata.nextLink'] as string | undefined;
    }
    const elapsed = Date.now() - started;
    assert.equal(apps, f.sandbox.core.state.applicationsOf(f.sandbox.info.homeTenant.id).length);
    assert.equal(withCreds, 2001);
    assert.ok(elapsed < 15000, `paging took ${elapsed} ms`);
    const t = Date.now();
    const s = await call(f.sandbox, 'GET', `/applications?$search=${encodeURIComponent('"displayName:ledger"')}&$count=true&$top=5`, token, {
      headers: { ConsistencyLevel: 'eventual' },
    });
    assert.ok((s.body['@odata.count'] as number) > 100);
    const names = f.sandbox.core.state
      .applicationsOf(f.sandbox.info.homeTenant.id)
      .slice(0, 20)
      .map((a) => a.displayName);
    for (const n of names)
      assert.equal(
        (await call(f.sandbox, 'GET', `/applications?$filter=${encodeURIComponent(`displayName eq '${n}'`)}&$select=id`, token)).body.value instanceof Array,
        true,
      );
    assert.ok(Date.now() - t < 5000, `search took ${Date.now() - t} ms`);
  });
});
