// A workspace must never steer where tokens go: the settings that choose the cloud, its endpoints
// and the sign-in are application-scoped (user settings only), and an untrusted workspace cannot
// choose where generated runbooks are written.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
const properties = manifest.contributes.configuration.properties as Record<string, { scope?: string }>;

describe('Workspace trust and settings scope', () => {
  it('keeps every setting that decides where tokens go out of workspace settings', () => {
    const steering = Object.keys(properties).filter((key) => /^federatedCredentials\.(cloud|customCloud|authentication\.)/.test(key));
    assert.ok(steering.length >= 5, steering.join(', '));
    for (const key of steering) assert.equal(properties[key].scope, 'application', `${key} must be application-scoped`);
  });

  it('declares limited support in untrusted workspaces, restricting the runbook folder', () => {
    const untrusted = manifest.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, 'limited');
    assert.deepEqual(untrusted.restrictedConfigurations, ['federatedCredentials.runbooks.folder']);
    assert.equal(manifest.capabilities.virtualWorkspaces, true);
  });
});
