import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatResourceId, parseResourceId, sameResourceId } from '../../../src/domain/azureResourceIds';
import { parseAlternativeNames } from '../../../src/domain/managedIdentities';

const SUB = '00000000-0000-0000-0000-000000000001';

describe('domain/azureResourceIds', () => {
  it('parses a nested resource id with any casing of the fixed segments', () => {
    assert.deepEqual(
      parseResourceId(`/SUBSCRIPTIONS/${SUB}/resourcegroups/rg-ops/PROVIDERS/Microsoft.Automation/automationAccounts/aa-prod/runbooks/Sync-Users`),
      {
        subscriptionId: SUB,
        resourceGroup: 'rg-ops',
        provider: 'Microsoft.Automation',
        type: 'Microsoft.Automation/automationAccounts/runbooks',
        types: ['automationAccounts', 'runbooks'],
        names: ['aa-prod', 'Sync-Users'],
        name: 'Sync-Users',
      },
    );
  });
  it('parses a subscription-level resource', () => {
    assert.deepEqual(parseResourceId(`/subscriptions/${SUB}/providers/Microsoft.Web/sites/app1/`), {
      subscriptionId: SUB,
      provider: 'Microsoft.Web',
      type: 'Microsoft.Web/sites',
      types: ['sites'],
      names: ['app1'],
      name: 'app1',
    });
  });
  const invalid = [
    '',
    'subscriptions/x/resourceGroups/rg/providers/A.B/t/n',
    `/subscriptions/${SUB}`,
    `/subscriptions/${SUB}/resourceGroups/rg`,
    `/subscriptions/${SUB}/resourceGroups/rg/providers/A.B/type`,
    `/subscriptions/${SUB}/resourceGroups/rg/providers/A.B/type/name/child`,
    `/subscriptions/${SUB}//resourceGroups/rg/providers/A.B/t/n`,
    '/tenants/x/providers/A.B/t/n',
    'isExplicit=True',
  ];
  for (const id of invalid) it(`refuses ${JSON.stringify(id)}`, () => assert.equal(parseResourceId(id), undefined));
  it('compares ids case-insensitively', () =>
    assert.equal(sameResourceId(`/subscriptions/${SUB}/resourceGroups/RG/`, `/SUBSCRIPTIONS/${SUB}/resourcegroups/rg`), true));
  it('round-trips formatted ids, hostile names included (property)', () => {
    const seg = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,10}$/);
    const name = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(fc.uuid(), fc.option(name, { nil: undefined }), seg, fc.array(fc.tuple(seg, name), { minLength: 1, maxLength: 3 }), (sub, rg, ns, pairs) => {
        const parts = {
          subscriptionId: sub,
          ...(rg === undefined ? {} : { resourceGroup: rg }),
          provider: `Microsoft.${ns}`,
          types: pairs.map((p) => p[0]),
          names: pairs.map((p) => p[1]),
        };
        const parsed = parseResourceId(formatResourceId(parts));
        assert.ok(parsed);
        assert.deepEqual({ ...parsed, type: undefined, name: undefined }, { ...parts, type: undefined, name: undefined });
      }),
    );
  });
});

describe('domain/managedIdentities', () => {
  const cases: [string, string[] | null, string, string][] = [
    [
      'user-assigned',
      ['isExplicit=True', `/subscriptions/${SUB}/resourcegroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-runbooks`],
      'userAssigned',
      `User-assigned identity 'id-runbooks' in rg-id (Production)`,
    ],
    [
      'system-assigned Automation account',
      ['isExplicit=False', `/subscriptions/${SUB}/resourcegroups/rg-ops/providers/Microsoft.Automation/automationAccounts/aa-prod`],
      'systemAssigned',
      `Automation account 'aa-prod' in rg-ops (Production)`,
    ],
    [
      'system-assigned without isExplicit',
      [`/subscriptions/${SUB}/resourcegroups/rg/providers/Microsoft.Web/sites/web1`],
      'systemAssigned',
      `App Service app 'web1' in rg (Production)`,
    ],
    [
      'unknown resource type',
      ['isExplicit=False', `/subscriptions/${SUB}/resourcegroups/rg/providers/Contoso.Widgets/gizmos/g1`],
      'systemAssigned',
      `gizmos 'g1' in rg (Production)`,
    ],
    [
      'unknown subscription name',
      ['isExplicit=True', '/subscriptions/abc/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id'],
      'userAssigned',
      `User-assigned identity 'id' in rg (abc)`,
    ],
    ['no names', null, 'systemAssigned', 'System-assigned identity'],
    ['only isExplicit', ['isExplicit=True'], 'userAssigned', 'User-assigned identity'],
  ];
  for (const [what, names, kind, display] of cases) {
    it(what, () => {
      const info = parseAlternativeNames(names, { [SUB]: 'Production' });
      assert.equal(info.kind, kind);
      assert.equal(info.display, display);
    });
  }
  it('exposes the resource id parts', () => {
    const info = parseAlternativeNames([
      'isExplicit=False',
      `/subscriptions/${SUB}/resourcegroups/rg-ops/providers/Microsoft.Automation/automationAccounts/aa-prod`,
    ]);
    assert.equal(info.resource?.resourceGroup, 'rg-ops');
    assert.equal(info.resource?.name, 'aa-prod');
    assert.equal(info.resource?.subscriptionId, SUB);
  });
});
