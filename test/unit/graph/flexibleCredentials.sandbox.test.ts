// Flexible federated credentials (preview) through the extension's Graph client against the sandbox:
// written through beta, and every read still works when Graph v1.0 breaks off on one (a 200 whose JSON
// ends in an error object, as real Graph answers: msgraph-sdk-python#1359).
import * as assert from 'node:assert/strict';
import { isBrokenV1Answer } from '../../../src/graph/errors';
import type { AppRegistration, FederatedCredential } from '../../../src/domain/model';
import { sandboxGraph, useSandbox } from '../../support/sandboxSuite';

const GITHUB = 'https://token.actions.githubusercontent.com';
const EXPRESSION = "claims['sub'] matches 'repo:contoso/app:ref:refs/heads/*' and claims['repository_id'] eq '456789'";

describe('flexible credentials through Graph beta, and reads that survive them (sandbox)', () => {
  const f = useSandbox({});
  let app: string;
  let flexible: FederatedCredential;

  before(async () => {
    app = f.sandbox.info.multiTenantApp.objectId;
    const { directory } = sandboxGraph(f.sandbox);
    flexible = await directory.apps.createCredential(app, {
      name: 'flex-branches',
      issuer: GITHUB,
      subject: '',
      audiences: ['api://AzureADTokenExchange'],
      claimsMatchingExpression: { value: EXPRESSION, languageVersion: 1 },
    });
  });

  it('creates it through beta: no subject, the expression kept', () => {
    assert.equal(flexible.subject, '');
    assert.deepEqual(flexible.claimsMatchingExpression, { value: EXPRESSION, languageVersion: 1 });
    const post = f.sandbox.requests().find((r) => r.method === 'POST' && /federatedIdentityCredentials$/.test(r.path));
    assert.match(post?.path ?? '', /\/beta\/applications\//);
    assert.equal((post?.body as Record<string, unknown>).subject, undefined);
  });

  it('v1.0 breaks off on that app: a 200 with broken JSON, recognised as such', async () => {
    const { client } = sandboxGraph(f.sandbox);
    const error = await client
      .api(`/applications/${app}/federatedIdentityCredentials`)
      .get()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error, 'the v1.0 read fails');
    assert.equal(isBrokenV1Answer(error), true, String(error));
    assert.equal(isBrokenV1Answer(new Error('fetch failed')), false);
  });

  it('lists, reads one and lists the apps through beta when v1.0 breaks; every other credential is unchanged', async () => {
    const { directory } = sandboxGraph(f.sandbox);
    const list = await directory.apps.listCredentials(app);
    const found = list.find((c) => c.name === 'flex-branches');
    assert.deepEqual(found?.claimsMatchingExpression, { value: EXPRESSION, languageVersion: 1 });
    assert.equal(found?.subject, '');
    assert.ok(
      list.some((c) => c.subject !== '' && !c.claimsMatchingExpression),
      'the ordinary credentials are there too',
    );
    assert.deepEqual((await directory.apps.getCredential(app, 'flex-branches'))?.claimsMatchingExpression?.value, EXPRESSION);

    const page = await directory.apps.listApps({ pageSize: 100 });
    const listed = page.items.find((a) => a.id === app);
    assert.equal(listed?.federatedIdentityCredentials?.find((c) => c.name === 'flex-branches')?.claimsMatchingExpression?.value, EXPRESSION);
    const others = page.items.filter((a) => a.id !== app && (a.federatedIdentityCredentials?.length ?? 0) > 0);
    assert.ok(others.length > 0 && others.every((a) => a.federatedIdentityCredentials!.every((c) => typeof c.subject === 'string' && c.subject !== '')));

    // The Managed Identities view's query selects no credentials (advanced queries take no $expand): v1.0 does not break.
    const since = f.sandbox.requests().length;
    const trusting = await directory.apps.listAppsWithCredentialSubject(f.sandbox.info.automationAccount.userAssigned.principalId);
    assert.ok(trusting.apps.some((a) => a.id === app));
    const reads = f.sandbox.requests(since).filter((r) => r.method === 'GET' && r.area === 'graph');
    assert.deepEqual(
      reads.map((r) => [r.path, r.status]),
      [['/graph/v1.0/applications', 200]],
    );
  });

  it('later pages that break are read through beta too, with the expressions, page after page', async () => {
    const { directory } = sandboxGraph(f.sandbox);
    // A second app with a flexible credential, so that a beta page's nextLink is followed too.
    const second = [...f.sandbox.core.state.applications.values()]
      .filter((a) => a.tenantId === f.sandbox.info.homeTenant.id && a.id !== app)
      .sort((a, b) => b.id.localeCompare(a.id))[0]!;
    await directory.apps.createCredential(second.id, {
      name: 'flex-second',
      issuer: GITHUB,
      subject: '',
      audiences: ['api://AzureADTokenExchange'],
      claimsMatchingExpression: { value: EXPRESSION, languageVersion: 1 },
    });
    const seen: AppRegistration[] = [];
    let page = await directory.apps.listApps({ pageSize: 1 });
    seen.push(...page.items);
    while (page.nextLink) {
      page = await directory.apps.nextAppsPage(page.nextLink, {}, { operation: 'listApps' });
      seen.push(...page.items);
    }
    const mine = seen.find((a) => a.id === app);
    assert.equal(mine?.federatedIdentityCredentials?.find((c) => c.name === 'flex-branches')?.claimsMatchingExpression?.value, EXPRESSION);
    const theirs = seen.find((a) => a.id === second.id);
    assert.equal(theirs?.federatedIdentityCredentials?.find((c) => c.name === 'flex-second')?.claimsMatchingExpression?.value, EXPRESSION);
    assert.ok(
      seen.every((a) => (a.federatedIdentityCredentials ?? []).every((c) => c.subject !== '' || c.claimsMatchingExpression)),
      'no credential without a subject and without an expression',
    );
    // Batched reads (20 apps per $batch) come back whole as well.
    const batched = await directory.apps.getAppsWithCredentials([app, second.id]);
    assert.deepEqual(batched.failed, []);
    assert.equal(batched.apps.length, 2);
    assert.ok(batched.apps.every((a) => a.federatedIdentityCredentials!.some((c) => c.claimsMatchingExpression?.value === EXPRESSION)));
    const found = await directory.apps.findCredentials([{ appObjectId: app, name: 'flex-branches' }]);
    assert.equal((found[0] as FederatedCredential | null)?.claimsMatchingExpression?.value, EXPRESSION);
    assert.equal(new Set(seen.map((a) => a.id)).size, seen.length, 'no app twice');
    assert.notEqual(seen[0]?.id, app, 'the app with the flexible credential is on a later page');
    assert.ok(
      f.sandbox.requests().some((r) => r.path.includes('/beta/applications') && r.query.$skiptoken !== undefined),
      'that page was read again through beta',
    );
  });

  it('changes the expression through beta; an ordinary credential is still written through v1.0', async () => {
    const { directory } = sandboxGraph(f.sandbox);
    // Any change to a flexible credential goes through beta (v1.0 cannot hold it and refuses the PATCH).
    await directory.apps.updateCredential(app, flexible.id, { description: 'only the description' }, {}, undefined, true);
    assert.match(
      f.sandbox
        .requests()
        .filter((r) => r.method === 'PATCH')
        .at(-1)?.path ?? '',
      /\/beta\//,
    );
    await assert.rejects(directory.apps.updateCredential(app, flexible.id, { description: 'through v1.0' }), /Subject/);
    const next = "claims['sub'] eq 'repo:contoso/app:environment:prod' and claims['repository_owner_id'] eq '42'";
    await directory.apps.updateCredential(app, flexible.id, { claimsMatchingExpression: { value: next, languageVersion: 1 } });
    assert.equal((await directory.apps.getCredential(app, flexible.id))?.claimsMatchingExpression?.value, next);
    const patch = f.sandbox
      .requests()
      .filter((r) => r.method === 'PATCH')
      .at(-1);
    assert.match(patch?.path ?? '', /\/beta\//);
    const plain = await directory.apps.createCredential(app, {
      name: 'plain-one',
      issuer: GITHUB,
      subject: 'repo:contoso/app:pull_request',
      audiences: ['api://AzureADTokenExchange'],
    });
    assert.equal(plain.subject, 'repo:contoso/app:pull_request');
    const post = f.sandbox
      .requests()
      .filter((r) => r.method === 'POST')
      .at(-1);
    assert.match(post?.path ?? '', /\/v1\.0\//);
  });

  it("the sandbox answers Graph's refusals: the property on v1.0, subject with expression, another issuer, a broken expression", async () => {
    const { client } = sandboxGraph(f.sandbox);
    const post = (version: 'v1.0' | 'beta', body: Record<string, unknown>) =>
      client
        .api(`/applications/${app}/federatedIdentityCredentials`)
        .version(version)
        .post(body)
        .then(
          () => undefined,
          (e: { statusCode?: number; message?: string }) => `${e.statusCode} ${e.message}`,
        );
    const base = {
      name: 'refused-1',
      issuer: GITHUB,
      audiences: ['api://AzureADTokenExchange'],
      claimsMatchingExpression: { value: EXPRESSION, languageVersion: 1 },
    };
    assert.match((await post('v1.0', base)) ?? '', /^400 Property 'claimsMatchingExpression' does not exist/);
    assert.match((await post('beta', { ...base, subject: 'repo:x/y:pull_request' })) ?? '', /^400 .*mutually exclusive/);
    assert.match((await post('beta', { ...base, issuer: 'https://issuer.example.com' })) ?? '', /^400 .*only GitHub, GitLab and Terraform Cloud/);
    assert.match(
      (await post('beta', { ...base, claimsMatchingExpression: { value: "claims['sub'] like 'x'", languageVersion: 1 } })) ?? '',
      /^400 .*not a valid expression/,
    );
    assert.match((await post('beta', { ...base, claimsMatchingExpression: { value: EXPRESSION, languageVersion: 2 } })) ?? '', /^400 .*languageVersion/);
  });
});
