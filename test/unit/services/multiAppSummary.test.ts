// The message a multi-app add ends with: counts, the failed apps by name grouped by a short reason,
// and whether running it again may help.
import assert from 'node:assert/strict';
import type { AppRegistration, FederatedCredential } from '../../../src/domain/model';
import type { MultiAppFailure } from '../../../src/services/credentialService';
import { shortReason, summarizeMultiApp } from '../../../src/services/multiAppSummary';

const app = (name: string): AppRegistration => ({ id: `id-${name}`, appId: `app-${name}`, displayName: name, signInAudience: 'AzureADMultipleOrgs' });
const done = (name: string) => ({
  app: app(name),
  credential: { id: `c-${name}`, name: 'msi-x', issuer: 'i', subject: 's', audiences: ['a'] } as FederatedCredential,
});
const fail = (
  name: string,
  kind: MultiAppFailure['kind'],
  message = 'Something specific.',
  retryable = kind === 'throttled' || kind === 'unavailable' || kind === 'unconfirmed',
): MultiAppFailure => ({ app: app(name), message, kind, retryable });

describe('multi-app add summary', () => {
  it('all added: says so, with the count', () => {
    assert.equal(summarizeMultiApp('msi-x', { added: ['a', 'b', 'c'].map(done), failed: [] }, 3), 'Added the credential "msi-x" to all 3 apps.');
    assert.equal(summarizeMultiApp('msi-x', { added: [done('a')], failed: [] }, 1), 'Added the credential "msi-x" to the app.');
  });

  it('some failed: counts, then each failed app by name with its reason, same reasons together, and that trying again may help', () => {
    const added = Array.from({ length: 47 }, (_, i) => done(`ok-${i}`));
    const failed = [
      fail('app-a', 'throttled', 'Microsoft Graph is throttling requests; try again in 7 seconds.'),
      fail('app-b', undefined, 'App "app-b" already has 20 federated identity credentials, the most an app may have.', false),
      fail('app-c', 'throttled', 'Microsoft Graph is throttling requests; try again shortly.'),
    ];
    assert.equal(
      summarizeMultiApp('msi-x', { added, failed }, 50),
      'Added the credential "msi-x" to 47 of 50 apps. 3 failed: "app-a", "app-c" (throttled by Microsoft Graph; try again later); "app-b" (App "app-b" already has 20 federated identity credentials, the most an app may have). Running the command again for the failed apps may succeed.',
    );
  });

  it('none added: says so and why; no "try again" when no failure is passing', () => {
    const failed = [fail('a', 'forbidden', 'Access denied.', false), fail('b', 'forbidden', 'Access denied.', false)];
    assert.equal(
      summarizeMultiApp('msi-x', { added: [], failed }, 2),
      'The credential "msi-x" was added to none of the 2 apps: "a", "b" (access denied: you must own the app or hold the Application Administrator or Cloud Application Administrator role).',
    );
  });

  it('many failures: at most 5 names per reason and 5 reasons, the rest counted', () => {
    const failed = [
      ...Array.from({ length: 8 }, (_, i) => fail(`t${i}`, 'throttled')),
      ...Array.from({ length: 6 }, (_, i) => fail(`r${i}`, 'invalid', `Rule ${i} refused it.`, false)),
    ];
    const text = summarizeMultiApp('msi-x', { added: [done('ok')], failed }, 15);
    assert.match(
      text,
      /^Added the credential "msi-x" to 1 of 15 apps\. 14 failed: "t0", "t1", "t2", "t3", "t4" and 3 more \(throttled by Microsoft Graph; try again later\); "r0" \(Rule 0 refused it\);/,
    );
    assert.match(text, /"r3" \(Rule 3 refused it\); and 2 more reasons, in the log\. Running the command again/);
    assert.doesNotMatch(text, /r4|r5/);
  });

  it('a short reason per kind; rules and conflicts keep their own words', () => {
    assert.match(shortReason(fail('a', 'unconfirmed')), /not confirmed.*refresh the view/);
    assert.match(shortReason(fail('a', 'unavailable')), /try again/);
    assert.equal(shortReason(fail('a', 'notFound')), 'not found in this tenant');
    assert.equal(
      shortReason(fail('a', 'conflict', "A credential named 'msi-x' already exists on app 'a'.")),
      "A credential named 'msi-x' already exists on app 'a'",
    );
    assert.equal(shortReason({ app: app('a'), message: 'Name is too long. ' }), 'Name is too long');
  });
});
