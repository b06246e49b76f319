import * as assert from 'node:assert/strict';
import { checkTenantEntry, parseDeployArgs, parseIdentityArg, parseScaffoldArgs, parseTenantList } from '../../../../src/commands/runbooks/args';

const APP = '11111111-1111-1111-1111-111111111111';
const MI = '22222222-2222-2222-2222-222222222222';

describe('runbook command arguments', () => {
  describe('scaffoldRunbook', () => {
    it('gives {} for a tree node or no argument, so the prompts fill in', () => {
      class Node {
        app = APP;
      }
      assert.deepEqual(parseScaffoldArgs(undefined), {});
      assert.deepEqual(parseScaffoldArgs(new Node()), {});
    });

    it('reads a full argument object and normalises tenants and identity', () => {
      const args = parseScaffoldArgs({
        app: APP,
        template: 'powershell-tokenmagician',
        targetTenants: ['Fabrikam.onmicrosoft.com', 'fabrikam.onmicrosoft.com', ' 33333333-3333-3333-3333-333333333333 '],
        identity: { kind: 'userAssigned', clientId: 'AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA' },
        runtime: 'PowerShell-7.2',
        outputPath: 'rb/x.ps1',
        overwrite: true,
        scope: 'https://graph.microsoft.com/.default',
      });
      assert.deepEqual(args, {
        app: APP,
        template: 'powershell-tokenmagician',
        targetTenants: ['Fabrikam.onmicrosoft.com', '33333333-3333-3333-3333-333333333333'],
        identity: { kind: 'userAssigned', clientId: 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa' },
        runtime: 'PowerShell-7.2',
        outputPath: 'rb/x.ps1',
        overwrite: true,
        scope: 'https://graph.microsoft.com/.default',
      });
    });

    it('refuses unknown keys, wrong types and impossible combinations with a message naming the argument', () => {
      assert.throws(() => parseScaffoldArgs({ app: APP, tenant: 'x' }), /Unknown argument "tenant"/);
      assert.throws(() => parseScaffoldArgs({ template: 'bash' }), /"template" must be one of powershell-tokenmagician, powershell-rest, python/);
      assert.throws(() => parseScaffoldArgs({ template: 'python', runtime: 'PowerShell-7.4' }), /python template runs on Python-3.10, not PowerShell-7.4/);
      assert.throws(() => parseScaffoldArgs({ runtime: 'PowerShell-5.1' }), /"runtime" must be one of/);
      assert.throws(() => parseScaffoldArgs({ targetTenants: [] }), /"targetTenants" must be a list/);
      assert.throws(() => parseScaffoldArgs({ targetTenants: [42] }), /"targetTenants" must be a list/);
      assert.throws(() => parseScaffoldArgs({ targetTenants: ['common'] }), /"common" is not a tenant/);
      assert.throws(() => parseScaffoldArgs({ targetTenants: ["x'; rm -rf /"] }), /neither a tenant id/);
      assert.throws(() => parseScaffoldArgs({ app: 'my app' }), /"app" must be the app registration's object id/);
      assert.throws(() => parseScaffoldArgs({ overwrite: 'yes' }), /"overwrite" must be true or false/);
      assert.throws(() => parseScaffoldArgs({ outputPath: '' }), /"outputPath" must be a non-empty string/);
    });

    it('accepts one tenant as a string', () => {
      assert.deepEqual(parseScaffoldArgs({ targetTenants: 'contoso.com' }).targetTenants, ['contoso.com']);
    });
  });

  describe('identity', () => {
    it('takes a user-assigned client id, systemAssigned, or an object id to look up', () => {
      assert.deepEqual(parseIdentityArg({ kind: 'userAssigned', clientId: MI }), { kind: 'userAssigned', clientId: MI });
      assert.deepEqual(parseIdentityArg('systemAssigned'), { kind: 'systemAssigned' });
      assert.deepEqual(parseIdentityArg({ kind: 'systemAssigned' }), { kind: 'systemAssigned' });
      assert.deepEqual(parseIdentityArg(MI.toUpperCase()), { kind: 'objectId', objectId: MI });
      assert.equal(parseIdentityArg(undefined), undefined);
    });

    it('refuses anything else', () => {
      for (const bad of [
        'userAssigned',
        { kind: 'userAssigned' },
        { kind: 'userAssigned', clientId: 'abc' },
        { kind: 'userAssigned', clientId: MI, extra: 1 },
        42,
        { kind: 'other' },
      ]) {
        assert.throws(() => parseIdentityArg(bad), /"identity" must be/, JSON.stringify(bad));
      }
    });
  });

  describe('target tenant list (validated as the user types)', () => {
    it('splits on commas, semicolons and spaces, drops duplicates', () => {
      assert.deepEqual(parseTenantList('a.onmicrosoft.com; b.com ,A.onmicrosoft.com'), { tenants: ['a.onmicrosoft.com', 'b.com'] });
    });
    it('names the first bad entry', () => {
      assert.match(parseTenantList('a.com, organizations').error!, /"organizations" is not a tenant/);
      assert.match(parseTenantList('a.com, not a tenant').error!, /"not" is neither/);
      assert.match(parseTenantList('  ').error!, /at least one/);
      assert.equal(checkTenantEntry('33333333-3333-3333-3333-333333333333'), undefined);
    });
  });

  describe('deployRunbook', () => {
    it('reads strings and booleans', () => {
      assert.deepEqual(parseDeployArgs({ file: 'runbooks/a.ps1', automationAccount: '/subscriptions/x', publish: true, importModules: false }), {
        file: 'runbooks/a.ps1',
        automationAccount: '/subscriptions/x',
        publish: true,
        importModules: false,
      });
      assert.deepEqual(parseDeployArgs(undefined), {});
    });
    it('refuses unknown keys and wrong types', () => {
      assert.throws(() => parseDeployArgs({ file: 'a', account: 'b' }), /Unknown argument "account"/);
      assert.throws(() => parseDeployArgs({ publish: 'true' }), /"publish" must be true or false/);
      assert.throws(() => parseDeployArgs({ file: 3 }), /"file" must be a non-empty string/);
    });
  });

  it('refuses a template, runtime or format named like an Object property', () => {
    assert.throws(() => parseScaffoldArgs({ template: 'constructor' }), /Argument "template" must be one of/);
    assert.throws(() => parseScaffoldArgs({ runtime: 'hasOwnProperty' }), /Argument "runtime" must be one of/);
  });
});
