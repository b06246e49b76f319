import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AZURE_CHINA_CLOUD, AZURE_CLOUD, AZURE_US_GOVERNMENT, resolveCloud } from '../../../src/domain/clouds';
import {
  buildGitHubActionsCredential,
  buildKubernetesCredential,
  buildManagedIdentityCredential,
  buildOtherIssuerCredential,
  checkGitHubSubject,
  classifyCredential,
  defaultManagedIdentityCredentialName,
  defaultManagedIdentityDescription,
  GitHubSubject,
  gitHubSubject,
  parseGitHubSubject,
  parseKubernetesSubject,
  uniqueCredentialName,
} from '../../../src/domain/credentialKinds';
import { checkName } from '../../../src/domain/credentialRules';
import { ValidationError } from '../../../src/domain/validation';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const MI = 'a7d388c3-5e3f-4959-ac7d-786b3383006a';
const AKS = `https://eastus.oic.prod-aks.azure.com/${TENANT}/0f3c7a2e-5d6b-4c1a-9e8f-7a6b5c4d3e2f/`;

function throwsWith(run: () => unknown, message: string): void {
  assert.throws(run, (e: unknown) => e instanceof ValidationError && e.message === message);
}

describe('domain/credentialKinds', () => {
  describe('classifyCredential', () => {
    const custom = resolveCloud('Custom', {
      loginUrl: 'http://127.0.0.1:5000',
      graphUrl: 'http://127.0.0.1:5000/graph',
      armUrl: 'http://127.0.0.1:5000/arm',
      tokenExchangeAudience: 'api://X',
    });
    const cases: [string, { issuer: string; subject?: string | null }, ReturnType<typeof classifyCredential>][] = [
      [
        'global MI',
        { issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`, subject: MI },
        { kind: 'managedIdentity', cloud: 'AzureCloud', tenantId: TENANT, objectId: MI },
      ],
      [
        'US Gov MI',
        { issuer: `https://login.microsoftonline.us/${TENANT}/v2.0`, subject: MI },
        { kind: 'managedIdentity', cloud: 'AzureUSGovernment', tenantId: TENANT, objectId: MI },
      ],
      [
        'China MI (partner host)',
        { issuer: `https://login.partner.microsoftonline.cn/${TENANT}/v2.0`, subject: MI },
        { kind: 'managedIdentity', cloud: 'AzureChinaCloud', tenantId: TENANT, objectId: MI },
      ],
      [
        'Entra issuer with a non-GUID subject',
        { issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`, subject: 'x' },
        { kind: 'managedIdentity', cloud: 'AzureCloud', tenantId: TENANT },
      ],
      [
        'GitHub branch',
        { issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:octo-org/app:ref:refs/heads/main' },
        { kind: 'githubActions', subject: { organization: 'octo-org', repository: 'app', entity: { type: 'branch', name: 'main' } } },
      ],
      [
        'GitHub enterprise issuer with custom subject',
        { issuer: 'https://token.actions.githubusercontent.com/octo-ent', subject: 'repo:o/r:job_workflow_ref:x' },
        { kind: 'githubActions' },
      ],
      ['AKS', { issuer: AKS, subject: 'system:serviceaccount:default:workload' }, { kind: 'kubernetes', namespace: 'default', serviceAccount: 'workload' }],
      ['AKS issuer, other subject', { issuer: AKS, subject: 'x' }, { kind: 'kubernetes' }],
      [
        'self-hosted cluster by subject',
        { issuer: 'https://oidc.cluster.example', subject: 'system:serviceaccount:ns:sa' },
        { kind: 'kubernetes', namespace: 'ns', serviceAccount: 'sa' },
      ],
      ['other issuer', { issuer: 'https://accounts.google.com', subject: '1234' }, { kind: 'otherIssuer' }],
      ['flexible credential with null subject', { issuer: 'https://accounts.google.com', subject: null }, { kind: 'otherIssuer' }],
      [
        'lookalike GitHub host',
        { issuer: 'https://token.actions.githubusercontent.com.evil.example', subject: 'repo:o/r:pull_request' },
        { kind: 'otherIssuer' },
      ],
      ['lookalike AKS host', { issuer: 'https://oic.prod-aks.azure.com.evil.example/', subject: 'x' }, { kind: 'otherIssuer' }],
    ];
    for (const [what, credential, expected] of cases) {
      it(what, () => assert.deepEqual(classifyCredential(credential), expected));
    }
    it('recognises the custom cloud only when given it', () => {
      const fic = { issuer: `http://127.0.0.1:5000/${TENANT}/v2.0`, subject: MI };
      assert.deepEqual(classifyCredential(fic), { kind: 'otherIssuer' });
      assert.deepEqual(classifyCredential(fic, [custom]), { kind: 'managedIdentity', cloud: 'Custom', tenantId: TENANT, objectId: MI });
    });
  });

  describe('GitHub Actions', () => {
    const base = { organization: 'octo-org', repository: 'octo-repo' };
    const subjects: [GitHubSubject['entity'], string][] = [
      [{ type: 'environment', name: 'Production' }, 'repo:octo-org/octo-repo:environment:Production'],
      [{ type: 'branch', name: 'release/v1.2' }, 'repo:octo-org/octo-repo:ref:refs/heads/release/v1.2'],
      [{ type: 'tag', name: 'v1.2.3' }, 'repo:octo-org/octo-repo:ref:refs/tags/v1.2.3'],
      [{ type: 'pullRequest' }, 'repo:octo-org/octo-repo:pull_request'],
    ];
    for (const [entity, subject] of subjects) {
      it(`builds the ${entity.type} subject for each cloud`, () => {
        for (const cloud of [AZURE_CLOUD, AZURE_US_GOVERNMENT, AZURE_CHINA_CLOUD]) {
          assert.deepEqual(buildGitHubActionsCredential({ ...base, entity, cloud }), {
            issuer: 'https://token.actions.githubusercontent.com',
            subject,
            audiences: [cloud.tokenExchangeAudience],
          });
        }
        assert.deepEqual(parseGitHubSubject(subject), { ...base, entity });
      });
    }
    const bad: [GitHubSubject, string][] = [
      [{ organization: '', repository: 'r', entity: { type: 'pullRequest' } }, 'Organization (or user) is required.'],
      [
        { organization: '-org', repository: 'r', entity: { type: 'pullRequest' } },
        'Organization must be a GitHub account name: up to 39 letters, digits or single hyphens, not starting or ending with a hyphen; "-org" is not.',
      ],
      [
        { organization: 'a--b', repository: 'r', entity: { type: 'pullRequest' } },
        'Organization must be a GitHub account name: up to 39 letters, digits or single hyphens, not starting or ending with a hyphen; "a--b" is not.',
      ],
      [
        { organization: 'o'.repeat(40), repository: 'r', entity: { type: 'pullRequest' } },
        `Organization must be a GitHub account name: up to 39 letters, digits or single hyphens, not starting or ending with a hyphen; "${'o'.repeat(40)}" is not.`,
      ],
      [
        { organization: 'org/x', repository: 'r', entity: { type: 'pullRequest' } },
        'Organization must be a GitHub account name: up to 39 letters, digits or single hyphens, not starting or ending with a hyphen; "org/x" is not.',
      ],
      [{ organization: 'o', repository: '', entity: { type: 'pullRequest' } }, 'Repository is required.'],
      [
        { organization: 'o', repository: '..', entity: { type: 'pullRequest' } },
        'Repository must be a GitHub repository name: up to 100 letters, digits, ".", "-" or "_"; ".." is not.',
      ],
      [
        { organization: 'o', repository: 'my repo', entity: { type: 'pullRequest' } },
        'Repository must be a GitHub repository name: up to 100 letters, digits, ".", "-" or "_"; "my repo" is not.',
      ],
      [
        { organization: 'o', repository: 'r:x', entity: { type: 'pullRequest' } },
        'Repository must be a GitHub repository name: up to 100 letters, digits, ".", "-" or "_"; "r:x" is not.',
      ],
      [{ organization: 'o', repository: 'r', entity: { type: 'branch', name: '' } }, 'Branch name is required.'],
      [
        { organization: 'o', repository: 'r', entity: { type: 'branch', name: 'feature x' } },
        'Branch name "feature x" is not a valid git ref name: it has spaces, control characters or any of ~ ^ : ? * [ \\.',
      ],
      [{ organization: 'o', repository: 'r', entity: { type: 'branch', name: 'a..b' } }, 'Branch name "a..b" is not a valid git ref name: it has "..".'],
      [
        { organization: 'o', repository: 'r', entity: { type: 'branch', name: '/main/' } },
        'Branch name "/main/" is not a valid git ref name: it has a leading, trailing or doubled "/".',
      ],
      [
        { organization: 'o', repository: 'r', entity: { type: 'branch', name: 'main.lock' } },
        'Branch name "main.lock" is not a valid git ref name: it has a part starting with "." or ending with ".lock".',
      ],
      [
        { organization: 'o', repository: 'r', entity: { type: 'branch', name: 'refs/heads/main' } },
        'Branch name "refs/heads/main" is not a valid git ref name: it has the "refs/" prefix (give the short name).',
      ],
      [{ organization: 'o', repository: 'r', entity: { type: 'tag', name: 'v1.' } }, 'Tag name "v1." is not a valid git ref name: it has a trailing ".".'],
      [
        { organization: 'o', repository: 'r', entity: { type: 'tag', name: 'a@{b' } },
        'Tag name "a@{b" is not a valid git ref name: it has "@{" or a lone "@".',
      ],
      [
        { organization: 'o', repository: 'r', entity: { type: 'tag', name: '*' } },
        'Tag name "*" is not a valid git ref name: it has spaces, control characters or any of ~ ^ : ? * [ \\.',
      ],
      [{ organization: 'o', repository: 'r', entity: { type: 'environment', name: '' } }, 'Environment name is required.'],
      [
        { organization: 'o', repository: 'r', entity: { type: 'environment', name: ' prod' } },
        'Environment name must not start or end with whitespace: " prod".',
      ],
      [
        { organization: 'o', repository: 'r', entity: { type: 'environment', name: 'a:b' } },
        'Environment name "a:b" must not contain control characters or ":" (the subject claim uses ":" as separator).',
      ],
      [
        { organization: 'o', repository: 'r', entity: { type: 'environment', name: 'e'.repeat(256) } },
        'Environment name must be at most 255 characters; it has 256.',
      ],
    ];
    for (const [input, message] of bad) {
      it(`refuses ${JSON.stringify(input).slice(0, 90)}`, () => {
        assert.deepEqual(
          checkGitHubSubject(input).errors.map((e) => e.message),
          [message],
        );
        throwsWith(() => buildGitHubActionsCredential({ ...input, cloud: AZURE_CLOUD }), message);
      });
    }
    it('round-trips any valid subject (property)', () => {
      const owner = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,15}$/);
      const repo = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,30}$/);
      const ref = fc.stringMatching(/^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+){0,3}$/);
      const entity = fc.oneof(
        ref.map((name) => ({ type: 'branch' as const, name })),
        ref.map((name) => ({ type: 'tag' as const, name })),
        fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9 _.-]{0,20}[A-Za-z0-9]$/).map((name) => ({ type: 'environment' as const, name })),
        fc.constant({ type: 'pullRequest' as const }),
      );
      fc.assert(
        fc.property(owner, repo, entity, (organization, repository, e) => {
          const input = { organization, repository, entity: e };
          assert.equal(checkGitHubSubject(input).ok, true);
          assert.deepEqual(parseGitHubSubject(gitHubSubject(input)), input);
        }),
      );
    });
  });

  describe('Kubernetes', () => {
    it('builds the subject and keeps the AKS issuer exactly (trailing slash included)', () => {
      assert.deepEqual(buildKubernetesCredential({ issuer: AKS, namespace: 'payments', serviceAccount: 'api.worker-1', cloud: AZURE_US_GOVERNMENT }), {
        issuer: AKS,
        subject: 'system:serviceaccount:payments:api.worker-1',
        audiences: ['api://AzureADTokenExchangeUSGov'],
      });
      assert.deepEqual(parseKubernetesSubject('system:serviceaccount:payments:api.worker-1'), { namespace: 'payments', serviceAccount: 'api.worker-1' });
      assert.equal(parseKubernetesSubject('system:serviceaccount:a:b:c'), undefined);
    });
    const bad: [string, string, string, string][] = [
      [
        AKS,
        'Default',
        'sa',
        'Namespace must be a DNS-1123 label: at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit; "Default" is not.',
      ],
      [
        AKS,
        'a.b',
        'sa',
        'Namespace must be a DNS-1123 label: at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit; "a.b" is not.',
      ],
      [
        AKS,
        'n'.repeat(64),
        'sa',
        `Namespace must be a DNS-1123 label: at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit; "${'n'.repeat(60)}…" is not.`,
      ],
      [AKS, '', 'sa', 'Namespace is required.'],
      [
        AKS,
        'ns',
        'sa:admin',
        'Service account must be a DNS-1123 subdomain: at most 253 lower-case letters, digits, "-" or ".", each part starting and ending with a letter or digit; "sa:admin" is not.',
      ],
      [
        AKS,
        'ns',
        '-sa',
        'Service account must be a DNS-1123 subdomain: at most 253 lower-case letters, digits, "-" or ".", each part starting and ending with a letter or digit; "-sa" is not.',
      ],
      [AKS, 'ns', '', 'Service account is required.'],
      ['http://oidc.example', 'ns', 'sa', 'Issuer must be an https URL; "http://oidc.example" uses http.'],
    ];
    for (const [issuer, namespace, serviceAccount, message] of bad) {
      it(`refuses ${JSON.stringify([issuer === AKS ? 'AKS' : issuer, namespace.slice(0, 20), serviceAccount])}`, () =>
        throwsWith(() => buildKubernetesCredential({ issuer, namespace, serviceAccount, cloud: AZURE_CLOUD }), message));
    }
  });

  describe('managed identity and other issuer', () => {
    it('builds the MI values for each cloud', () => {
      assert.deepEqual(buildManagedIdentityCredential({ cloud: AZURE_CHINA_CLOUD, tenantId: TENANT.toUpperCase(), objectId: MI.toUpperCase() }), {
        issuer: `https://login.chinacloudapi.cn/${TENANT}/v2.0`,
        subject: MI,
        audiences: ['api://AzureADTokenExchangeChina'],
      });
    });
    it('refuses non-GUID tenant and object ids together', () => {
      throwsWith(
        () => buildManagedIdentityCredential({ cloud: AZURE_CLOUD, tenantId: 'contoso.com', objectId: "'; drop" }),
        'Tenant id must be a GUID; "contoso.com" is not. Managed identity object id must be a GUID; "\'; drop" is not.',
      );
    });
    it('passes other-issuer values through unchanged', () => {
      assert.deepEqual(buildOtherIssuerCredential({ issuer: 'https://i.example', subject: 's', audience: 'a' }), {
        issuer: 'https://i.example',
        subject: 's',
        audiences: ['a'],
      });
    });
  });

  describe('default name and description', () => {
    const names: [string, string][] = [
      ['aa-prod', 'msi-aa-prod'],
      ['My Automation Account', 'msi-My-Automation-Account'],
      ['a..b//c', 'msi-a-b-c'],
      ['--x--', 'msi-x'],
      ['', 'msi-identity'],
      ['???', 'msi-identity'],
      ['ünïcödé', 'msi-n-c-d'],
      ['x'.repeat(200), `msi-${'x'.repeat(116)}`],
    ];
    for (const [resource, expected] of names) {
      it(`names ${JSON.stringify(resource.slice(0, 20))} ${expected.slice(0, 30)}`, () =>
        assert.equal(defaultManagedIdentityCredentialName(resource), expected));
    }
    it('always yields a valid credential name (property)', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (resource) =>
          assert.deepEqual(checkName(defaultManagedIdentityCredentialName(resource)), []),
        ),
      );
    });
    it('finds a free name, case-insensitively, within 120 characters', () => {
      assert.equal(uniqueCredentialName('msi-aa', ['other']), 'msi-aa');
      assert.equal(uniqueCredentialName('msi-aa', ['MSI-AA', 'msi-aa-2']), 'msi-aa-3');
      const long = `msi-${'x'.repeat(116)}`;
      assert.equal(uniqueCredentialName(long, [long]), `${long.slice(0, 118)}-2`);
    });
    it('describes the resource', () => {
      assert.equal(
        defaultManagedIdentityDescription({ resourceName: 'aa-prod', resourceGroup: 'rg-ops', subscription: 'Production' }),
        'Credential for aa-prod in rg-ops (Production)',
      );
      assert.equal(defaultManagedIdentityDescription({ resourceName: 'aa-prod' }), 'Credential for aa-prod');
      assert.equal(defaultManagedIdentityDescription({ resourceName: 'x'.repeat(700) }).length, 600);
    });
  });
});
