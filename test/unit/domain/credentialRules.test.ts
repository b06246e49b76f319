import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AZURE_CHINA_CLOUD, AZURE_CLOUD, AZURE_US_GOVERNMENT, entraIssuer } from '../../../src/domain/clouds';
import {
  checkAppIsMultiTenant,
  checkAudiences,
  checkCredential,
  checkDescription,
  checkIssuer,
  checkManagedIdentityTrust,
  checkName,
  checkSubject,
  CredentialValues,
  ExistingCredential,
  FIC_NAME_PATTERN,
} from '../../../src/domain/credentialRules';
import { assertValid, firstError, ValidationError } from '../../../src/domain/validation';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TENANT = '0d5a7f0e-8f1c-4a43-9f43-7d2f7c9c1d11';
const MI = 'a7d388c3-5e3f-4959-ac7d-786b3383006a';
const messages = (findings: readonly { message: string }[]) => findings.map((f) => f.message);

const good: CredentialValues = {
  name: 'msi-aa-prod',
  issuer: entraIssuer(AZURE_CLOUD, TENANT),
  subject: MI,
  audiences: ['api://AzureADTokenExchange'],
  description: 'Credential for aa-prod in rg-ops (Prod)',
};

describe('domain/credentialRules', () => {
  describe('name', () => {
    const cases: [string, string[]][] = [
      ['abc', []],
      ['A1_', []],
      ['0-x', []],
      ['a'.repeat(120), []],
      ['', ['Name is required (3 to 120 letters, digits, "-" or "_").']],
      ['ab', ['Name must be 3 to 120 characters; "ab" has 2.']],
      ['a'.repeat(121), [`Name must be 3 to 120 characters; "${'a'.repeat(60)}…" has 121.`]],
      ['-abc', ['Name must start with an ASCII letter or digit; "-abc" starts with "-".']],
      ['_abc', ['Name must start with an ASCII letter or digit; "_abc" starts with "_".']],
      [' abc', ['Name must start with an ASCII letter or digit; " abc" starts with " ".']],
      ['a b c', ['Name may contain only ASCII letters, digits, "-" and "_"; "a b c" contains " ".']],
      ['abc ', ['Name may contain only ASCII letters, digits, "-" and "_"; "abc " contains " ".']],
      ["o'brien", ['Name may contain only ASCII letters, digits, "-" and "_"; "o\'brien" contains "\'".']],
      ['a/b#c&d?e', ['Name may contain only ASCII letters, digits, "-" and "_"; "a/b#c&d?e" contains "/", "#", "&", "?".']],
      ['a"b"', ['Name may contain only ASCII letters, digits, "-" and "_"; "a\\"b\\"" contains "\\"".']],
      ['café', ['Name may contain only ASCII letters, digits, "-" and "_"; "café" contains "é" (U+00E9).']],
      ['ab\u0000c', ['Name may contain only ASCII letters, digits, "-" and "_"; "ab\\u0000c" contains "\\u0000" (U+0000).']],
      ['ab\nc', ['Name may contain only ASCII letters, digits, "-" and "_"; "ab\\nc" contains "\\n" (U+000A).']],
      ['a.b.c', ['Name may contain only ASCII letters, digits, "-" and "_"; "a.b.c" contains ".".']],
      ['😀😀😀', ['Name must start with an ASCII letter or digit; "😀😀😀" starts with "😀" (U+1F600).']],
    ];
    for (const [name, expected] of cases) {
      it(`${expected.length === 0 ? 'accepts' : 'refuses'} ${JSON.stringify(name.length > 30 ? `${name.slice(0, 30)}…` : name)}`, () => {
        assert.deepEqual(messages(checkName(name)), expected);
      });
    }
    it('agrees with the documented pattern on any string (property)', () => {
      const nameLike = fc.stringMatching(/^[A-Za-z0-9_-]{0,125}$/);
      fc.assert(
        fc.property(fc.oneof(nameLike, fc.string({ unit: 'binary', maxLength: 130 })), (name) => {
          assert.equal(checkName(name).length === 0, FIC_NAME_PATTERN.test(name));
        }),
      );
    });
  });

  describe('issuer, subject, audience, description', () => {
    const cases: [string, () => readonly { message: string }[], string[]][] = [
      ['issuer empty', () => checkIssuer(''), ['Issuer is required.']],
      ['issuer blank', () => checkIssuer('  '), ['Issuer must not be only whitespace.']],
      [
        'issuer leading space',
        () => checkIssuer(' https://a.example'),
        ['Issuer must not start or end with whitespace (Entra compares it exactly): " https://a.example".'],
      ],
      [
        'issuer trailing newline',
        () => checkIssuer('https://a.example\n'),
        ['Issuer must not start or end with whitespace (Entra compares it exactly): "https://a.example\\n".'],
      ],
      [
        'issuer too long',
        () => checkIssuer(`https://a.example/${'x'.repeat(583)}`),
        [`Issuer must be at most 600 characters; "https://a.example/${'x'.repeat(42)}…" has 601.`],
      ],
      ['issuer not URL', () => checkIssuer('contoso'), ['Issuer must be an https URL (the "iss" of the external token); "contoso" is not a URL.']],
      [
        'issuer no scheme',
        () => checkIssuer('token.actions.githubusercontent.com'),
        ['Issuer must be an https URL (the "iss" of the external token); "token.actions.githubusercontent.com" is not a URL.'],
      ],
      ['issuer http', () => checkIssuer('http://issuer.example'), ['Issuer must be an https URL; "http://issuer.example" uses http.']],
      ['issuer ftp', () => checkIssuer('ftp://issuer.example'), ['Issuer must be an https URL; "ftp://issuer.example" uses ftp.']],
      [
        'issuer query',
        () => checkIssuer('https://issuer.example/?a=1&b=2'),
        ['Issuer must not contain a query or fragment (OpenID Connect issuers have none); "https://issuer.example/?a=1&b=2" does.'],
      ],
      [
        'issuer fragment',
        () => checkIssuer('https://issuer.example/#x'),
        ['Issuer must not contain a query or fragment (OpenID Connect issuers have none); "https://issuer.example/#x" does.'],
      ],
      ['issuer userinfo', () => checkIssuer('https://u:p@issuer.example'), ['Issuer must not contain a user name or password: "https://u:p@issuer.example".']],
      ['issuer loopback http', () => checkIssuer('http://127.0.0.1:9000/tenant/v2.0'), []],
      ['issuer AKS with trailing slash', () => checkIssuer(`https://eastus.oic.prod-aks.azure.com/${TENANT}/${MI}/`), []],
      ['subject empty', () => checkSubject(''), ['Subject is required.']],
      ['subject spaces', () => checkSubject(`${MI} `), [`Subject must not start or end with whitespace (Entra compares it exactly): "${MI} ".`]],
      [
        'subject tab',
        () => checkSubject('\trepo:a/b:pull_request'),
        ['Subject must not start or end with whitespace (Entra compares it exactly): "\\trepo:a/b:pull_request".'],
      ],
      ['subject 601', () => checkSubject('s'.repeat(601)), [`Subject must be at most 600 characters; "${'s'.repeat(60)}…" has 601.`]],
      ['subject 600', () => checkSubject('s'.repeat(600)), []],
      [
        'subject wildcard',
        () => checkSubject('repo:org/*:ref:refs/heads/main'),
        ['Subject "repo:org/*:ref:refs/heads/main" contains "*": wildcards are not supported, so it only matches a literal "*".'],
      ],
      ['subject inner space is fine', () => checkSubject('repo:o/r:environment:My Env'), []],
      ['no audience', () => checkAudiences([]), ['Audience must be exactly one value (Entra accepts a single audience); 0 given.']],
      ['two audiences', () => checkAudiences(['a', 'b']), ['Audience must be exactly one value (Entra accepts a single audience); 2 given.']],
      ['empty audience', () => checkAudiences(['']), ['Audience is required.']],
      [
        'audience spaces',
        () => checkAudiences([' api://AzureADTokenExchange']),
        ['Audience must not start or end with whitespace (Entra compares it exactly): " api://AzureADTokenExchange".'],
      ],
      ['audience 601', () => checkAudiences(['a'.repeat(601)]), [`Audience must be at most 600 characters; "${'a'.repeat(60)}…" has 601.`]],
      ['description 601', () => checkDescription('d'.repeat(601)), ['Description must be at most 600 characters; it has 601.']],
      ['description 600', () => checkDescription('d'.repeat(600)), []],
      ['description null', () => checkDescription(null), []],
      ['description with quotes and newlines', () => checkDescription('it\'s "fine"\n#&?'), []],
    ];
    for (const [what, run, expected] of cases) {
      it(what, () => assert.deepEqual(messages(run()), expected));
    }
    it('refuses any value with surrounding whitespace (property)', () => {
      fc.assert(
        fc.property(fc.string({ minLength: 1, maxLength: 50 }), fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0'), fc.boolean(), (core, ws, before) => {
          const value = before ? ws + core : core + ws;
          assert.equal(
            checkSubject(value).some((f) => f.severity === 'error'),
            true,
          );
          assert.equal(
            checkAudiences([value]).some((f) => f.severity === 'error'),
            true,
          );
        }),
      );
    });
  });

  describe('whole credential and the per-app rules', () => {
    const existing = (n: number): ExistingCredential[] =>
      Array.from({ length: n }, (_, i) => ({
        name: `cred-${i}`,
        issuer: 'https://token.actions.githubusercontent.com',
        subject: `repo:o/r:environment:e${i}`,
      }));

    it('accepts a good credential', () => assert.deepEqual(checkCredential(good, { existing: existing(19) }), { ok: true, errors: [], warnings: [] }));
    it('reports every problem at once, in field order', () => {
      const result = checkCredential({ name: 'x', issuer: 'http://a.example', subject: '', audiences: [], description: 'd'.repeat(601) });
      assert.deepEqual(messages(result.errors), [
        'Name must be 3 to 120 characters; "x" has 1.',
        'Issuer must be an https URL; "http://a.example" uses http.',
        'Subject is required.',
        'Audience must be exactly one value (Entra accepts a single audience); 0 given.',
        'Description must be at most 600 characters; it has 601.',
      ]);
      assert.equal(firstError(result), 'Name must be 3 to 120 characters; "x" has 1.');
    });
    it('refuses the 21st credential', () => {
      assert.deepEqual(messages(checkCredential(good, { existing: existing(20), appName: 'Payroll' }).errors), [
        'An app can have at most 20 federated credentials and app "Payroll" already has 20; delete one first or use another app.',
      ]);
    });
    it('refuses a duplicate name', () => {
      assert.deepEqual(messages(checkCredential({ ...good, name: 'cred-3' }, { existing: existing(5) }).errors), [
        'A credential named "cred-3" already exists on this app.',
      ]);
    });
    it('warns about a name differing only in case', () => {
      const result = checkCredential({ ...good, name: 'CRED-3' }, { existing: existing(5) });
      assert.equal(result.ok, true);
      assert.deepEqual(messages(result.warnings), ['Name "CRED-3" differs only in letter case from the existing credential "cred-3" on this app.']);
    });
    it('refuses a repeated issuer and subject, compared case-sensitively', () => {
      const dup = { ...good, issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:o/r:environment:e2' };
      assert.deepEqual(messages(checkCredential(dup, { existing: existing(5), appName: 'A' }).errors), [
        'Credential "cred-2" on app "A" already has this issuer and subject; each issuer and subject pair may be used once per app.',
      ]);
      assert.equal(checkCredential({ ...dup, subject: 'repo:O/R:environment:e2' }, { existing: existing(5) }).ok, true);
    });
    it('when editing, keeps the name and ignores the credential itself', () => {
      const mine = {
        name: 'cred-2',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:o/r:environment:e2',
        audiences: ['api://AzureADTokenExchange'],
      };
      assert.equal(checkCredential({ ...mine, description: 'new' }, { existing: existing(20), editing: 'cred-2' }).ok, true);
      assert.deepEqual(messages(checkCredential({ ...mine, name: 'renamed' }, { existing: existing(20), editing: 'cred-2' }).errors), [
        'Name cannot be changed after the credential is created (it stays "cred-2"); delete the credential and add a new one to rename it.',
      ]);
      assert.deepEqual(messages(checkCredential({ ...mine, subject: 'repo:o/r:environment:e3' }, { existing: existing(20), editing: 'cred-2' }).errors), [
        'Credential "cred-3" on this app already has this issuer and subject; each issuer and subject pair may be used once per app.',
      ]);
    });
    it('assertValid throws one message naming every error', () => {
      assert.throws(
        () => assertValid(checkCredential({ ...good, name: 'a b', audiences: ['x', 'y'] })),
        (e: unknown) =>
          e instanceof ValidationError &&
          e.message ===
            'Name may contain only ASCII letters, digits, "-" and "_"; "a b" contains " ". Audience must be exactly one value (Entra accepts a single audience); 2 given.',
      );
    });
  });

  describe('managed-identity trust checks', () => {
    const ctx = { cloud: AZURE_CLOUD, tenantId: TENANT };
    const uami = {
      id: MI,
      servicePrincipalType: 'ManagedIdentity',
      alternativeNames: ['isExplicit=True', '/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aa'],
      displayName: 'id-aa',
    };
    it('accepts the exact values for each cloud', () => {
      for (const cloud of [AZURE_CLOUD, AZURE_US_GOVERNMENT, AZURE_CHINA_CLOUD]) {
        const values = { ...good, issuer: entraIssuer(cloud, TENANT), audiences: [cloud.tokenExchangeAudience] };
        assert.deepEqual(checkManagedIdentityTrust(values, { cloud, tenantId: TENANT, identity: uami }), { ok: true, errors: [], warnings: [] });
      }
    });
    const cases: [string, CredentialValues, Parameters<typeof checkManagedIdentityTrust>[1], string[], string[]][] = [
      [
        'identity in another tenant',
        { ...good, issuer: entraIssuer(AZURE_CLOUD, OTHER_TENANT) },
        ctx,
        [
          `Issuer "https://login.microsoftonline.com/${OTHER_TENANT}/v2.0" is tenant ${OTHER_TENANT}, but the managed identity must be in the app's tenant ${TENANT}: Entra refuses tokens from other tenants' identities (AADSTS700236). Expected "https://login.microsoftonline.com/${TENANT}/v2.0".`,
        ],
        [],
      ],
      [
        'issuer of another cloud',
        { ...good, issuer: entraIssuer(AZURE_US_GOVERNMENT, TENANT) },
        ctx,
        [
          `Issuer "https://login.microsoftonline.us/${TENANT}/v2.0" belongs to AzureUSGovernment, not AzureCloud; trust across clouds is not supported. Expected "https://login.microsoftonline.com/${TENANT}/v2.0".`,
        ],
        [],
      ],
      [
        'issuer with a trailing slash',
        { ...good, issuer: `${entraIssuer(AZURE_CLOUD, TENANT)}/` },
        ctx,
        [
          `Issuer for a managed identity must be exactly "https://login.microsoftonline.com/${TENANT}/v2.0"; "https://login.microsoftonline.com/${TENANT}/v2.0/" is not.`,
        ],
        [],
      ],
      [
        'GitHub issuer',
        { ...good, issuer: 'https://token.actions.githubusercontent.com' },
        ctx,
        [
          `Issuer for a managed identity must be exactly "https://login.microsoftonline.com/${TENANT}/v2.0"; "https://token.actions.githubusercontent.com" is not.`,
        ],
        [],
      ],
      [
        'global audience in US Gov',
        { ...good, issuer: entraIssuer(AZURE_US_GOVERNMENT, TENANT) },
        { cloud: AZURE_US_GOVERNMENT, tenantId: TENANT },
        ['Audience for a managed identity in Azure US Government must be "api://AzureADTokenExchangeUSGov"; got "api://AzureADTokenExchange".'],
        [],
      ],
      [
        'no audience',
        { ...good, audiences: [] },
        ctx,
        ['Audience for a managed identity in Azure (global) must be "api://AzureADTokenExchange"; got none.'],
        [],
      ],
      [
        'subject not a GUID',
        { ...good, subject: 'id-aa' },
        ctx,
        ['Subject for a managed identity must be its object (principal) id, a GUID; "id-aa" is not.'],
        [],
      ],
      [
        'subject in upper case',
        { ...good, subject: MI.toUpperCase() },
        ctx,
        [],
        [`Subject "${MI.toUpperCase()}" has upper-case letters; tokens carry the object id in lower case and Entra compares case-sensitively, so use "${MI}".`],
      ],
      ['identity not found', good, { ...ctx, identity: null }, [`No managed identity with object id ${MI} exists in tenant ${TENANT}.`], []],
      [
        'not a managed identity',
        good,
        { ...ctx, identity: { id: MI, servicePrincipalType: 'Application' } },
        [`Object ${MI} is a service principal of type "Application", not a managed identity.`],
        [],
      ],
      [
        'lookup of another object',
        good,
        { ...ctx, identity: { ...uami, id: OTHER_TENANT } },
        [`Subject "${MI}" is not the looked-up identity "${OTHER_TENANT}".`],
        [],
      ],
      [
        'system-assigned identity',
        good,
        {
          ...ctx,
          identity: {
            id: MI,
            servicePrincipalType: 'ManagedIdentity',
            alternativeNames: ['isExplicit=False', '/subscriptions/s/resourcegroups/rg/providers/Microsoft.Automation/automationAccounts/aa'],
            displayName: 'aa',
          },
        },
        [],
        [
          '"aa" is a system-assigned managed identity; Microsoft documents only user-assigned identities as supported for trusting an app, so this may stop working. You can go on.',
        ],
      ],
    ];
    for (const [what, values, context, errors, warnings] of cases) {
      it(what, () => {
        const result = checkManagedIdentityTrust(values, context);
        assert.deepEqual(messages(result.errors), errors);
        assert.deepEqual(messages(result.warnings), warnings);
      });
    }
  });

  describe('multi-tenant app check', () => {
    it('is silent for multi-tenant apps', () => {
      assert.deepEqual(checkAppIsMultiTenant('AzureADMultipleOrgs'), []);
      assert.deepEqual(checkAppIsMultiTenant('AzureADandPersonalMicrosoftAccount'), []);
    });
    it('warns for a single-tenant app and says why', () => {
      assert.deepEqual(messages(checkAppIsMultiTenant('AzureADMyOrg', 'Payroll')), [
        'App "Payroll" is not multi-tenant (sign-in audience "AzureADMyOrg"), so customer tenants cannot consent to it and the runbook can only get tokens for the app\'s own tenant. Set it to "Accounts in any organizational directory" to use it across tenants.',
      ]);
      assert.equal(checkAppIsMultiTenant(undefined)[0]?.severity, 'warning');
    });
  });
});
