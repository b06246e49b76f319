import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AppRole, describePermissions, mergeRequiredResourceAccess, MICROSOFT_GRAPH_APP_ID, pickAppRoles } from '../../../src/domain/graphPermissions';

const roles: AppRole[] = [
  { id: 'df021288-bdef-4463-88db-98f22de89214', value: 'User.Read.All', allowedMemberTypes: ['Application'], isEnabled: true },
  { id: '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', value: 'Application.ReadWrite.All', allowedMemberTypes: ['Application'], isEnabled: true },
  { id: '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30', value: 'Application.Read.All', allowedMemberTypes: ['Application'], isEnabled: true },
  { id: 'aaaaaaaa-0000-0000-0000-000000000001', value: 'User.Legacy', allowedMemberTypes: ['Application'], isEnabled: false },
  { id: 'aaaaaaaa-0000-0000-0000-000000000002', value: 'User.Delegated', allowedMemberTypes: ['User'], isEnabled: true },
  { id: 'aaaaaaaa-0000-0000-0000-000000000003', value: null },
];

describe('domain/graphPermissions', () => {
  it('picks roles by value, case-insensitively, without duplicates', () => {
    const { roles: picked, result } = pickAppRoles(roles, ['User.Read.All', 'user.read.all', 'APPLICATION.READ.ALL']);
    assert.deepEqual(
      picked.map((r) => r.value),
      ['User.Read.All', 'Application.Read.All'],
    );
    assert.equal(result.ok, true);
  });
  const bad: [string, string][] = [
    ['Users.Read.All', 'Microsoft Graph has no application permission "Users.Read.All".'],
    ['User.Read.Al', 'Microsoft Graph has no application permission "User.Read.Al"; did you mean User.Read.All, User.Legacy, User.Delegated?'],
    ['User.Legacy', '"User.Legacy" is disabled on Microsoft Graph.'],
    ['User.Delegated', '"User.Delegated" is not an application permission.'],
    ["'; DROP", 'Microsoft Graph has no application permission "\'; DROP".'],
  ];
  for (const [value, message] of bad) {
    it(`refuses ${JSON.stringify(value)}`, () =>
      assert.deepEqual(
        pickAppRoles(roles, [value]).result.errors.map((e) => e.message),
        [message],
      ));
  }
  it('merges into requiredResourceAccess without duplicates and keeps other entries', () => {
    const existing = [
      { resourceAppId: 'other-api', resourceAccess: [{ id: 'x', type: 'Scope' }] },
      {
        resourceAppId: MICROSOFT_GRAPH_APP_ID.toUpperCase(),
        resourceAccess: [
          { id: 'DF021288-BDEF-4463-88DB-98F22DE89214', type: 'Role' },
          { id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' },
        ],
      },
    ];
    const merged = mergeRequiredResourceAccess(existing, ['df021288-bdef-4463-88db-98f22de89214', '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30']);
    assert.deepEqual(merged, [
      { resourceAppId: 'other-api', resourceAccess: [{ id: 'x', type: 'Scope' }] },
      {
        resourceAppId: MICROSOFT_GRAPH_APP_ID.toUpperCase(),
        resourceAccess: [
          { id: 'DF021288-BDEF-4463-88DB-98F22DE89214', type: 'Role' },
          { id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' },
          { id: '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30', type: 'Role' },
        ],
      },
    ]);
    assert.equal(existing[1].resourceAccess.length, 2, 'the input is not mutated');
  });
  it('adds a Graph entry when there is none', () => {
    assert.deepEqual(mergeRequiredResourceAccess(null, ['df021288-bdef-4463-88db-98f22de89214']), [
      { resourceAppId: '00000003-0000-0000-c000-000000000000', resourceAccess: [{ id: 'df021288-bdef-4463-88db-98f22de89214', type: 'Role' }] },
    ]);
  });
  it('merging is idempotent and never duplicates (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...roles.map((r) => r.id)), { maxLength: 8 }),
        fc.array(fc.constantFrom(...roles.map((r) => r.id)), { maxLength: 8 }),
        (a, b) => {
          const once = mergeRequiredResourceAccess(mergeRequiredResourceAccess([], a), b);
          const ids = once[0].resourceAccess.map((x) => x.id);
          assert.equal(new Set(ids).size, ids.length);
          assert.deepEqual(new Set(ids), new Set([...a, ...b]));
          assert.deepEqual(mergeRequiredResourceAccess(once, [...a, ...b]), once);
        },
      ),
    );
  });
  it('describes permissions for display', () => {
    const described = describePermissions(
      [
        {
          resourceAppId: MICROSOFT_GRAPH_APP_ID,
          resourceAccess: [
            { id: 'df021288-bdef-4463-88db-98f22de89214', type: 'Role' },
            { id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' },
          ],
        },
        { resourceAppId: 'unknown-api', resourceAccess: [{ id: 'r1', type: 'Role' }] },
      ],
      {
        [MICROSOFT_GRAPH_APP_ID]: {
          displayName: 'Microsoft Graph',
          appRoles: roles,
          oauth2PermissionScopes: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', value: 'User.Read' }],
        },
      },
    );
    assert.deepEqual(
      described.map((d) => `${d.resourceName}: ${d.value} (${d.kind})`),
      ['Microsoft Graph: User.Read.All (application)', 'Microsoft Graph: User.Read (delegated)', 'unknown-api: r1 (application)'],
    );
  });
});
