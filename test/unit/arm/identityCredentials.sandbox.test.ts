// The federated credentials of a user-assigned identity through the extension's ARM client (src/arm/identityCredentials.ts),
// unchanged, against the sandbox: list, get, put and delete; writes to one identity one at a time (Azure answers
// 409 to a concurrent write), a 409 from someone else's write sent again a bounded number of times; and an
// external token exchanged for the identity's own token (@azure/identity's ClientAssertionCredential, unchanged).
import assert from 'node:assert/strict';
import { ClientAssertionCredential, ClientSecretCredential } from '@azure/identity';
import { ArmClient, ArmRequestError } from '../../../src/arm/armClient';
import { IdentityCredentialsClient } from '../../../src/arm/identityCredentials';
import { listManagedClusters } from '../../../src/arm/managedClusters';
import { resolveCloud, type Cloud } from '../../../src/domain/clouds';
import { CONCURRENT_WRITES_CODE, parseUserAssignedIdentityId, type UserAssignedIdentityRef } from '../../../src/domain/identityCredentials';
import type { CredentialValues } from '../../../src/domain/credentialRules';
import { DEFAULT_RETRY_POLICY } from '../../../src/http/retryPolicy';
import { isUserCancelled } from '../../../src/util/cancellation';
import { Sandbox, startSandbox } from '../../../sandbox/index';
import { createSigningKey, decodeJwt, signJwt, type SigningKey } from '../../../sandbox/tokens';
import { trustSandboxCa } from '../../../sandbox/trust';

const GITHUB = 'https://token.actions.githubusercontent.com';
const values = (name: string, subject: string, extra: Partial<CredentialValues> = {}): CredentialValues => ({
  name,
  issuer: GITHUB,
  subject,
  audiences: ['api://AzureADTokenExchange'],
  ...extra,
});

describe('arm: federated credentials of a user-assigned identity, against the sandbox', () => {
  let sandbox: Sandbox;
  let untrust: (() => void) | undefined;
  let arm: ArmClient;
  let cloud: Cloud;
  let identity: UserAssignedIdentityRef;

  before(async () => {
    sandbox = await startSandbox({ seed: 18 });
    untrust = trustSandboxCa(sandbox.caCertPem);
    const { info } = sandbox;
    cloud = resolveCloud('Custom', info.customCloud);
    const credential = new ClientSecretCredential(info.homeTenant.id, info.confidentialClient.clientId, info.confidentialClient.clientSecret, {
      authorityHost: info.loginUrl,
      disableInstanceDiscovery: true,
    });
    arm = new ArmClient({ cloud, credential, retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 0 } });
    identity = parseUserAssignedIdentityId(info.automationAccount.userAssigned.id)!;
  });
  after(async () => {
    untrust?.();
    await sandbox?.stop();
  });
  afterEach(async () => {
    const client = new IdentityCredentialsClient(arm);
    for (const c of await client.list(identity)) await client.delete(identity, c.name);
  });

  it('puts, lists, gets (ignoring case), replaces and deletes a credential', async () => {
    const client = new IdentityCredentialsClient(arm);
    assert.deepEqual(await client.list(identity), []);
    const created = await client.put(identity, values('gh-main', 'repo:contoso/app:ref:refs/heads/main'));
    assert.equal(created.name, 'gh-main');
    assert.equal(created.subject, 'repo:contoso/app:ref:refs/heads/main');
    assert.match(created.id, /\/federatedIdentityCredentials\/gh-main$/);
    assert.equal((await client.get(identity, 'GH-MAIN'))?.name, 'gh-main');
    assert.equal(await client.get(identity, 'nothing-here'), undefined);
    await client.put(identity, values('gh-main', 'repo:contoso/app:environment:prod'));
    assert.deepEqual(
      (await client.list(identity)).map((c) => [c.name, c.subject]),
      [['gh-main', 'repo:contoso/app:environment:prod']],
    );
    assert.equal(await client.delete(identity, 'gh-main'), true);
    assert.equal(await client.delete(identity, 'gh-main'), false, 'a second delete finds nothing (204)');
  });

  it('lists a flexible credential with its expression (read again through the preview)', async () => {
    const client = new IdentityCredentialsClient(arm);
    await client.put(identity, values('flex', '', { claimsMatchingExpression: { value: "claims['sub'] matches 'repo:contoso/*'", languageVersion: 1 } }));
    await client.put(identity, values('exact', 'repo:contoso/app:pull_request'));
    const listed = await client.list(identity);
    assert.deepEqual(listed.find((c) => c.name === 'flex')?.claimsMatchingExpression?.value, "claims['sub'] matches 'repo:contoso/*'");
    assert.equal(listed.find((c) => c.name === 'flex')?.subject, null);
    assert.equal((await client.get(identity, 'flex'))?.claimsMatchingExpression?.value, "claims['sub'] matches 'repo:contoso/*'");
  });

  it('five concurrent adds to one identity all land, one after the other (no 409 reaches ARM)', async () => {
    const client = new IdentityCredentialsClient(arm);
    const since = sandbox.core.log.last;
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => client.put(identity, values(`gh-${n}`, `repo:contoso/app:environment:e${n}`))));
    assert.deepEqual(results.map((r) => r.name).sort(), ['gh-1', 'gh-2', 'gh-3', 'gh-4', 'gh-5']);
    assert.equal((await client.list(identity)).length, 5);
    const puts = sandbox.core.log.list(since).filter((e) => e.method === 'PUT' && /federatedIdentityCredentials/.test(e.path));
    assert.deepEqual(
      puts.map((e) => e.status),
      [201, 201, 201, 201, 201],
      'each write was sent once, after the one before it ended',
    );
  });

  it("sends a write again while someone else's write to the identity is under way, and gives up after its bound", async () => {
    // Two clients stand for two tools: each queues its own writes, not the other's.
    const ours = new IdentityCredentialsClient(arm, { firstRetryDelayMs: 40 });
    const theirs = new IdentityCredentialsClient(arm);
    const since = sandbox.core.log.last;
    const [a, b] = await Promise.all([
      theirs.put(identity, values('theirs', 'repo:x/y:pull_request')),
      ours.put(identity, values('ours', 'repo:x/z:pull_request')),
    ]);
    assert.deepEqual([a.name, b.name], ['theirs', 'ours']);
    const oursSent = sandbox.core.log.list(since).filter((e) => e.method === 'PUT' && e.path.endsWith('/ours'));
    // Refused while theirs was written (once or more, by timing), then sent again until it landed.
    const statuses = oursSent.map((e) => e.status);
    assert.equal(statuses.at(-1), 201);
    assert.ok(statuses.length >= 2 && statuses.slice(0, -1).every((s) => s === 409), `statuses ${statuses.join(', ')}`);

    const before = sandbox.core.consistency;
    sandbox.core.consistency = { ...before, identityCredentialWriteMs: 600 };
    try {
      const impatient = new IdentityCredentialsClient(arm, { maxAttempts: 2, firstRetryDelayMs: 20 });
      const slow = theirs.put(identity, values('slow', 'repo:x/slow:pull_request'));
      await new Promise((r) => setTimeout(r, 50));
      await assert.rejects(
        impatient.put(identity, values('late', 'repo:x/late:pull_request')),
        (error: unknown) => error instanceof ArmRequestError && error.status === 409 && error.code === CONCURRENT_WRITES_CODE,
      );
      await slow;
    } finally {
      sandbox.core.consistency = before;
    }
    assert.deepEqual((await ours.list(identity)).map((c) => c.name).sort(), ['ours', 'slow', 'theirs']);
  });

  it('a cancel while a write waits (behind our own write, or after a 409) ends as cancelled before sending', async () => {
    const before = sandbox.core.consistency;
    sandbox.core.consistency = { ...before, identityCredentialWriteMs: 500 };
    try {
      const ours = new IdentityCredentialsClient(arm, { firstRetryDelayMs: 300 });
      const since = sandbox.core.log.last;
      const first = ours.put(identity, values('first', 'repo:x/first:pull_request'));
      const queued = new AbortController();
      const second = ours.put(identity, values('second', 'repo:x/second:pull_request'), queued.signal);
      setTimeout(() => queued.abort(), 50);
      await assert.rejects(second, (error: unknown) => isUserCancelled(error) && error.inFlight === false);
      await first;
      assert.ok(!sandbox.core.log.list(since).some((e) => e.path.endsWith('/second')), 'the queued write was never sent');

      // Someone else's write makes ARM refuse ours (409); a cancel during the wait that follows.
      const theirs = new IdentityCredentialsClient(arm);
      const slow = theirs.put(identity, values('theirs', 'repo:x/theirs:pull_request'));
      await new Promise((r) => setTimeout(r, 50));
      const backingOff = new AbortController();
      const refused = ours.put(identity, values('refused', 'repo:x/refused:pull_request'), backingOff.signal);
      setTimeout(() => backingOff.abort(), 150);
      await assert.rejects(refused, (error: unknown) => isUserCancelled(error) && error.inFlight === false);
      await slow;
      assert.deepEqual(
        sandbox.core.log
          .list(since)
          .filter((e) => e.path.endsWith('/refused'))
          .map((e) => e.status),
        [409],
        'sent once, refused, not sent again',
      );
    } finally {
      sandbox.core.consistency = before;
    }
  });

  it("lists the subscription's AKS clusters with their OIDC issuer, when it is on", async () => {
    const clusters = await listManagedClusters(arm, identity.subscriptionId);
    assert.deepEqual(
      clusters.map((c) => [c.name, c.resourceGroup, c.issuerUrl !== undefined]),
      [
        ['aks-payments', 'rg-aks', true],
        ['aks-legacy', 'rg-aks', false],
      ],
    );
    assert.match(clusters[0].issuerUrl ?? '', new RegExp(`^https://westeurope\\.oic\\.prod-aks\\.azure\\.com/${sandbox.info.homeTenant.id}/[0-9a-f-]{36}/$`));
    assert.deepEqual(await listManagedClusters(arm, identity.subscriptionId), clusters, 'the same clusters on every call');
    await assert.rejects(
      listManagedClusters(arm, '99999999-9999-9999-9999-999999999999'),
      (error: unknown) => error instanceof ArmRequestError && error.status === 404,
    );
  });

  describe("an external token exchanged for the identity's token (workload identity federation with a managed identity)", () => {
    let key: SigningKey;
    const issuer = 'https://token.actions.githubusercontent.com';
    const subject = 'repo:contoso/deploy:environment:prod';
    const externalToken = (claims: Record<string, unknown> = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return signJwt({ iss: issuer, sub: subject, aud: 'api://AzureADTokenExchange', iat: now, nbf: now, exp: now + 300, ...claims }, key);
    };
    before(async () => {
      key = await createSigningKey();
      sandbox.core.state.externalIssuerKeys.set(issuer, [key.jwk]);
    });

    it('gives a token for the identity (its principal as oid, its client id as appid) through ClientAssertionCredential', async () => {
      await new IdentityCredentialsClient(arm).put(identity, { ...values('gh-prod', subject), issuer });
      const { info } = sandbox;
      const credential = new ClientAssertionCredential(info.homeTenant.id, info.automationAccount.userAssigned.clientId, async () => externalToken(), {
        authorityHost: info.loginUrl,
        disableInstanceDiscovery: true,
      });
      const token = await credential.getToken(`${cloud.armUrl}/.default`);
      const claims = decodeJwt(token.token)!.payload;
      assert.equal(claims.oid, info.automationAccount.userAssigned.principalId);
      assert.equal(claims.appid, info.automationAccount.userAssigned.clientId);
      assert.equal(claims.tid, info.homeTenant.id);
      assert.equal(claims.azpacr, '2', 'authenticated with a federated credential');
    });

    it("answers Entra's codes when the token does not match, and when no assertion is given", async () => {
      await new IdentityCredentialsClient(arm).put(identity, { ...values('gh-prod', subject), issuer });
      const { info } = sandbox;
      const exchange = async (form: Record<string, string>) => {
        const response = await fetch(`${info.loginUrl}/${info.homeTenant.id}/oauth2/v2.0/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: info.automationAccount.userAssigned.clientId,
            scope: `${cloud.armUrl}/.default`,
            ...form,
          }),
        });
        return { status: response.status, body: (await response.json()) as { error?: string; error_codes?: number[]; error_description?: string } };
      };
      const assertion = (claims?: Record<string, unknown>) => ({
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: externalToken(claims),
      });
      const wrongSubject = await exchange(assertion({ sub: 'repo:contoso/deploy:environment:dev' }));
      assert.equal(wrongSubject.status, 401);
      assert.deepEqual(wrongSubject.body.error_codes, [700213]);
      assert.match(wrongSubject.body.error_description ?? '', /repo:contoso\/deploy:environment:dev/);
      const caseOnly = await exchange(assertion({ sub: subject.toUpperCase() }));
      assert.deepEqual(caseOnly.body.error_codes, [7002138]);
      const wrongAudience = await exchange(assertion({ aud: 'api://other' }));
      assert.deepEqual(wrongAudience.body.error_codes, [700212]);
      const upperCaseClientId = await exchange({ ...assertion(), client_id: info.automationAccount.userAssigned.clientId.toUpperCase() });
      assert.equal(upperCaseClientId.status, 200, 'Entra ignores the case of a client id');
      const noAssertion = await exchange({ client_secret: 'not-a-thing' });
      assert.deepEqual(noAssertion.body.error_codes, [7000218]);
      const forged = await exchange({ ...assertion(), client_assertion: `${externalToken().slice(0, -4)}AAAA` });
      assert.deepEqual(forged.body.error_codes, [700027]);
    });
  });
});
