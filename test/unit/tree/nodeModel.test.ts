// Commands read the node they run on through one interface (src/tree/nodeModel.ts), not instanceof.
import * as assert from 'node:assert/strict';
import { appOf, credentialOf, identityOf, idsOf, modelOf, reloadOf, type ModelNode } from '../../../src/tree/nodeModel';

const app = { id: 'app-object', appId: 'app-client', displayName: 'Reporter', signInAudience: 'AzureADMultipleOrgs' };
const credential = {
  id: 'fic-id',
  name: 'msi',
  issuer: 'https://login.microsoftonline.com/t/v2.0',
  subject: 'mi-object',
  audiences: ['api://AzureADTokenExchange'],
};
const identity = { id: 'mi-object', appId: 'mi-client', displayName: 'uami', alternativeNames: [] };

describe('tree node models', () => {
  const appNode: ModelNode = { model: { kind: 'app', app }, reload: async () => undefined };
  const credentialNode: ModelNode = { model: { kind: 'credential', app, credential } };
  const identityNode: ModelNode = { model: { kind: 'identity', identity } };
  const trustingNode: ModelNode = { model: { kind: 'trustingApp', app } };

  it('gives each command what the node stands for', () => {
    assert.deepEqual([appOf(appNode), appOf(credentialNode), appOf(trustingNode), appOf(identityNode)], [app, app, app, undefined]);
    assert.deepEqual(credentialOf(credentialNode), { app, credential });
    assert.equal(credentialOf(appNode), undefined);
    assert.equal(identityOf(identityNode), identity);
    assert.equal(identityOf(trustingNode), undefined);
  });

  it('the ids Copy Object ID and Copy Application ID copy', () => {
    assert.deepEqual(idsOf(appNode), { objectId: 'app-object', appId: 'app-client' });
    assert.deepEqual(idsOf(credentialNode), { objectId: 'fic-id', appId: 'app-client' });
    assert.deepEqual(idsOf(identityNode), { objectId: 'mi-object', appId: 'mi-client' });
    assert.deepEqual(idsOf(trustingNode), { objectId: 'app-object', appId: 'app-client' });
  });

  it('ignores what is not a node: arguments objects, nulls, look-alikes', () => {
    for (const value of [undefined, null, 'app', { app: 'app-object' }, { model: 'app' }, { model: { app } }]) {
      assert.equal(modelOf(value), undefined, JSON.stringify(value));
      assert.deepEqual(idsOf(value), {});
      assert.equal(appOf(value), undefined);
    }
  });

  it('offers a reload only where the node has one', async () => {
    let reloaded = 0;
    const node = {
      model: { kind: 'app' as const, app },
      async reload() {
        reloaded++;
      },
    };
    await reloadOf(node)!();
    assert.equal(reloaded, 1);
    assert.equal(reloadOf(identityNode), undefined);
    assert.equal(reloadOf({ reload: async () => undefined }), undefined, 'not a model node');
  });
});
