// Federated identity credentials on a user-assigned managed identity, through ARM as `az identity
// federated-credential` and the portal use them: the documented rules and the 409 on concurrent writes.
import * as assert from 'node:assert/strict';
import { arm, armErrorOf } from './armHelpers';
import { useSandbox } from './helpers';

const V = '2024-11-30';
const body = (subject: string, extra: Record<string, unknown> = {}) => ({
  properties: { issuer: 'https://token.actions.githubusercontent.com', subject, audiences: ['api://AzureADTokenExchange'], ...extra },
});

describe('sandbox: federated credentials on user-assigned identities (ARM)', () => {
  const f = useSandbox();
  const base = () => `${f.sandbox.info.automationAccount.userAssigned.id}/federatedIdentityCredentials`;

  it('creates (201), reads, lists, updates (200) and deletes (200, then 204) a credential', async () => {
    const created = await arm(f.sandbox, 'PUT', `${base()}/gh-main`, { apiVersion: V, body: body('repo:contoso/app:ref:refs/heads/main') });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.type, 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials');
    assert.equal(created.body.id, `${f.sandbox.info.automationAccount.userAssigned.id}/federatedIdentityCredentials/gh-main`);
    assert.deepEqual(created.body.properties, {
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:contoso/app:ref:refs/heads/main',
      audiences: ['api://AzureADTokenExchange'],
    });
    assert.equal((await arm(f.sandbox, 'GET', `${base()}/gh-main`, { apiVersion: V })).status, 200);
    const list = await arm(f.sandbox, 'GET', base(), { apiVersion: V });
    assert.deepEqual(
      (list.body.value as Array<{ name: string }>).map((c) => c.name),
      ['gh-main'],
    );
    const updated = await arm(f.sandbox, 'PUT', `${base()}/gh-main`, { apiVersion: V, body: body('repo:contoso/app:environment:prod') });
    assert.equal(updated.status, 200);
    assert.equal((updated.body.properties as { subject: string }).subject, 'repo:contoso/app:environment:prod');
    assert.equal((await arm(f.sandbox, 'DELETE', `${base()}/gh-main`, { apiVersion: V })).status, 200);
    assert.equal((await arm(f.sandbox, 'DELETE', `${base()}/gh-main`, { apiVersion: V })).status, 204);
    assert.equal((await arm(f.sandbox, 'GET', `${base()}/gh-main`, { apiVersion: V })).status, 404);
  });

  it('refuses a bad name, two audiences, a missing subject, a repeated issuer and subject, and the 21st credential', async () => {
    // One write after the other here: no need for the write time that makes concurrent writes collide.
    const before = f.sandbox.core.consistency;
    f.sandbox.core.consistency = { ...before, identityCredentialWriteMs: 0 };
    try {
      await refusals();
    } finally {
      f.sandbox.core.consistency = before;
    }
  });

  async function refusals(): Promise<void> {
    const code = async (name: string, b: unknown) => {
      const r = await arm(f.sandbox, 'PUT', `${base()}/${name}`, { apiVersion: V, body: b });
      return [r.status, armErrorOf(r).code];
    };
    assert.deepEqual(await code('x', body('s')), [400, 'InvalidFederatedIdentityCredentialName']);
    assert.deepEqual(await code('-bad', body('s')), [400, 'InvalidFederatedIdentityCredentialName']);
    assert.deepEqual(await code('two-aud', { properties: { ...body('s').properties, audiences: ['a', 'b'] } }), [400, 'InvalidAudience']);
    assert.deepEqual(await code('no-subject', { properties: { issuer: 'https://i.example', audiences: ['a'] } }), [400, 'InvalidSubject']);
    assert.equal((await arm(f.sandbox, 'PUT', `${base()}/first`, { apiVersion: V, body: body('repo:x/y:pull_request') })).status, 201);
    assert.deepEqual(await code('second', body('repo:x/y:pull_request')), [409, 'FederatedIdentityCredentialAlreadyExists']);
    for (let i = 2; i <= 20; i++)
      assert.equal((await arm(f.sandbox, 'PUT', `${base()}/fic-${i}`, { apiVersion: V, body: body(`repo:x/y:environment:e${i}`) })).status, 201);
    assert.deepEqual(await code('fic-21', body('repo:x/y:environment:e21')), [400, 'FederatedIdentityCredentialsLimitExceeded']);
    for (let i = 2; i <= 20; i++) await arm(f.sandbox, 'DELETE', `${base()}/fic-${i}`, { apiVersion: V });
    await arm(f.sandbox, 'DELETE', `${base()}/first`, { apiVersion: V });
  }

  it('answers 409 to a write while another write to the same identity is under way; one after the other they all land', async () => {
    const names = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5'];
    const together = await Promise.all(names.map((n) => arm(f.sandbox, 'PUT', `${base()}/${n}`, { apiVersion: V, body: body(`repo:x/y:environment:${n}`) })));
    const conflicts = together.filter((r) => r.status === 409);
    assert.equal(together.filter((r) => r.status === 201).length, 1, together.map((r) => r.status).join(','));
    assert.equal(conflicts.length, 4);
    assert.equal(armErrorOf(conflicts[0]!).code, 'ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity');
    for (const n of names) {
      const r = await arm(f.sandbox, 'PUT', `${base()}/${n}`, { apiVersion: V, body: body(`repo:x/y:environment:${n}`) });
      assert.ok(r.status === 201 || r.status === 200, r.text);
    }
    assert.equal(((await arm(f.sandbox, 'GET', base(), { apiVersion: V })).body.value as unknown[]).length, 5);
  });

  it('a claims-matching expression only with the 2025-01-31-preview api-version, instead of a subject', async () => {
    const expression = { value: "claims['sub'] matches 'repo:contoso/*' and claims['repository_owner_id'] eq '1'", languageVersion: 1 };
    const flexible = await arm(f.sandbox, 'PUT', `${base()}/flex-1`, {
      apiVersion: '2025-01-31-preview',
      body: {
        properties: { issuer: 'https://token.actions.githubusercontent.com', audiences: ['api://AzureADTokenExchange'], claimsMatchingExpression: expression },
      },
    });
    assert.equal(flexible.status, 201, flexible.text);
    assert.deepEqual((flexible.body.properties as { claimsMatchingExpression: unknown }).claimsMatchingExpression, expression);
    const stable = await arm(f.sandbox, 'PUT', `${base()}/flex-2`, {
      apiVersion: V,
      body: { properties: { issuer: 'https://token.actions.githubusercontent.com', audiences: ['a'], claimsMatchingExpression: expression } },
    });
    assert.equal(stable.status, 400);
    const both = await arm(f.sandbox, 'PUT', `${base()}/flex-3`, {
      apiVersion: '2025-01-31-preview',
      body: { properties: { issuer: 'https://token.actions.githubusercontent.com', subject: 's', audiences: ['a'], claimsMatchingExpression: expression } },
    });
    assert.deepEqual([both.status, armErrorOf(both).code], [400, 'InvalidSubject']);
    const old = await arm(f.sandbox, 'GET', base(), { apiVersion: '2018-11-30' });
    assert.equal(armErrorOf(old).code, 'NoRegisteredProviderFound');
  });

  it('a delete while a write to the identity is under way is refused too (409), and the write lands', async () => {
    const [put, del] = await Promise.all([
      arm(f.sandbox, 'PUT', `${base()}/racing`, { apiVersion: V, body: body('repo:x/y:environment:race') }),
      new Promise((r) => setTimeout(r, 30)).then(() => arm(f.sandbox, 'DELETE', `${base()}/c-1`, { apiVersion: V })),
    ]);
    assert.equal(put.status, 201, put.text);
    assert.deepEqual([del.status, armErrorOf(del).code], [409, 'ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity']);
    assert.equal((await arm(f.sandbox, 'GET', `${base()}/racing`, { apiVersion: V })).status, 200);
  });
});
