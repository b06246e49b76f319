// Credential kinds of today: GitHub immutable subjects and customised subject templates, Azure DevOps
// service connections (both issuers), flexible credentials' expressions and their copy formats.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AZURE_CLOUD } from '../../../src/domain/clouds';
import { checkClaimsExpression, flexibleIssuer, parseClaimsExpression } from '../../../src/domain/claimsExpression';
import {
  buildGitHubActionsCredential,
  checkGitHubSubject,
  classifyCredential,
  describeGitHubSubject,
  gitHubSubject,
  parseAzureDevOpsCredential,
  parseGitHubSubject,
  type GitHubSubject,
} from '../../../src/domain/credentialKinds';
import { checkCredential } from '../../../src/domain/credentialRules';
import { toAzCliCommand, toBicep, toGraphBody } from '../../../src/domain/copyFormats';
import { ValidationError } from '../../../src/domain/validation';

const GITHUB = 'https://token.actions.githubusercontent.com';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP = '11111111-2222-3333-4444-555555555555';
const messages = (findings: ReadonlyArray<{ message: string }>) => findings.map((f) => f.message).join('\n');

describe('credential kinds of today', () => {
  describe('GitHub immutable subjects', () => {
    const immutable: GitHubSubject = {
      organization: 'contoso',
      repository: 'payments-api',
      entity: { type: 'branch', name: 'main' },
      ids: { ownerId: '5544123', repositoryId: '821093847' },
    };

    it('builds the documented form, repo:{owner}@{ownerId}/{repo}@{repoId}:…, for every entity', () => {
      assert.equal(gitHubSubject(immutable), 'repo:contoso@5544123/payments-api@821093847:ref:refs/heads/main');
      assert.equal(
        gitHubSubject({ ...immutable, entity: { type: 'environment', name: 'prod' } }),
        'repo:contoso@5544123/payments-api@821093847:environment:prod',
      );
      assert.equal(gitHubSubject({ ...immutable, entity: { type: 'pullRequest' } }), 'repo:contoso@5544123/payments-api@821093847:pull_request');
      assert.equal(gitHubSubject({ ...immutable, ids: undefined }), 'repo:contoso/payments-api:ref:refs/heads/main', 'the name-based form stays');
      const built = buildGitHubActionsCredential({ ...immutable, cloud: AZURE_CLOUD });
      assert.deepEqual(built, {
        issuer: GITHUB,
        subject: 'repo:contoso@5544123/payments-api@821093847:ref:refs/heads/main',
        audiences: ['api://AzureADTokenExchange'],
      });
    });

    it('validates both forms: ids are GitHub numbers', () => {
      assert.equal(checkGitHubSubject(immutable).ok, true);
      for (const [ownerId, repositoryId, says] of [
        ['', '1', /Owner id is required/],
        ['abc', '1', /Owner id must be GitHub's numeric id/],
        ['1', '01', /Repository id must be GitHub's numeric id/],
        ['1', '1 ', /Repository id must be/],
      ] as const) {
        const result = checkGitHubSubject({ ...immutable, ids: { ownerId, repositoryId } });
        assert.equal(result.ok, false);
        assert.match(messages(result.errors), says);
      }
      assert.throws(() => buildGitHubActionsCredential({ ...immutable, ids: { ownerId: 'x', repositoryId: '1' }, cloud: AZURE_CLOUD }), ValidationError);
    });

    it('reads both forms back, and shows them readably', () => {
      assert.deepEqual(parseGitHubSubject('repo:contoso@5544123/payments-api@821093847:ref:refs/heads/main'), immutable);
      assert.deepEqual(parseGitHubSubject('repo:contoso/payments-api:pull_request'), {
        organization: 'contoso',
        repository: 'payments-api',
        entity: { type: 'pullRequest' },
      });
      assert.equal(parseGitHubSubject('repo:contoso@1/payments-api:pull_request'), undefined, 'one id without the other is no GitHub form');
      assert.equal(
        describeGitHubSubject('repo:contoso@5544123/payments-api@821093847:ref:refs/heads/main'),
        'contoso/payments-api (immutable: owner 5544123, repo 821093847) · branch main',
      );
      assert.equal(describeGitHubSubject('repo:contoso/app:environment:prod'), 'contoso/app · environment prod');
      assert.equal(describeGitHubSubject('repository_owner_id:123:context:x'), 'custom subject template: repository_owner_id:123:context:x');
      const template = 'repo:o/r:ref:refs/heads/main:job_workflow_ref:o/w/.github/workflows/x.yml@refs/heads/main';
      assert.equal(parseGitHubSubject(template), undefined, 'more claims after the context: a template, not a branch');
      assert.equal(describeGitHubSubject(template), `custom subject template: ${template}`);
      assert.equal(classifyCredential({ issuer: GITHUB, subject: gitHubSubject(immutable) }).kind, 'githubActions');
    });

    it('round-trips any valid immutable subject (property)', () => {
      const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,10}[A-Za-z0-9]$/).filter((s) => !s.includes('--'));
      const id = fc.bigInt({ min: 1n, max: 10n ** 12n }).map(String);
      fc.assert(
        fc.property(name, name, id, id, fc.constantFrom('main', 'release/1.0', 'v1'), (organization, repository, ownerId, repositoryId, branch) => {
          const input: GitHubSubject = { organization, repository, entity: { type: 'branch', name: branch }, ids: { ownerId, repositoryId } };
          assert.deepEqual(parseGitHubSubject(gitHubSubject(input)), input);
        }),
      );
    });
  });

  describe('GitHub customised subject templates', () => {
    const base: GitHubSubject = { organization: 'octo-org', repository: 'octo-repo', entity: { type: 'environment', name: 'prod' } };

    it("joins each key and value with ':' in the template's order, as GitHub's examples show", () => {
      assert.equal(
        gitHubSubject({
          ...base,
          claimKeys: ['repo', 'context', 'job_workflow_ref'],
          claims: { job_workflow_ref: 'octo-org/automation/.github/workflows/oidc.yml@refs/heads/main' },
        }),
        'repo:octo-org/octo-repo:environment:prod:job_workflow_ref:octo-org/automation/.github/workflows/oidc.yml@refs/heads/main',
      );
      assert.equal(
        gitHubSubject({
          ...base,
          claimKeys: ['repository_owner', 'repository_visibility'],
          claims: { repository_owner: 'monalisa', repository_visibility: 'private' },
        }),
        'repository_owner:monalisa:repository_visibility:private',
      );
      assert.equal(
        gitHubSubject({ ...base, claimKeys: ['environment', 'repository_owner'], claims: { environment: 'production:eastus', repository_owner: 'octo-org' } }),
        'environment:production%3Aeastus:repository_owner:octo-org',
        'a ":" inside a value is written %3A',
      );
      // With immutable subjects the ids stay in the repo segment of a customised template.
      assert.equal(
        gitHubSubject({
          ...base,
          ids: { ownerId: '12', repositoryId: '34' },
          claimKeys: ['repo', 'context', 'repository_owner_id'],
          claims: { repository_owner_id: '12' },
        }),
        'repo:octo-org@12/octo-repo@34:environment:prod:repository_owner_id:12',
      );
    });

    it('checks the claim keys and that each has a value', () => {
      const check = (over: Partial<GitHubSubject>) => messages(checkGitHubSubject({ ...base, ...over }).errors);
      assert.match(check({ claimKeys: [] }), /Give the claim keys/);
      assert.match(check({ claimKeys: ['repo', 'colour'] }), /"colour" is not a claim of GitHub's OIDC token/);
      assert.match(check({ claimKeys: ['repo', 'repo'] }), /listed twice/);
      assert.match(check({ claimKeys: ['repo-x'] }), /only letters, digits and "_"/);
      assert.match(check({ claimKeys: ['repository_owner_id'], claims: {} }), /"repository_owner_id" needs a value/);
      assert.equal(checkGitHubSubject({ ...base, claimKeys: ['repo_property_workspace_id'], claims: { repo_property_workspace_id: 'ws-1' } }).ok, true);
      // Without repo/context in the template, names and the entity are not needed.
      assert.equal(
        checkGitHubSubject({
          organization: '',
          repository: '',
          entity: { type: 'branch', name: '' },
          claimKeys: ['repository_owner_id'],
          claims: { repository_owner_id: '7' },
        }).ok,
        true,
      );
    });
  });

  describe('Azure DevOps service connections', () => {
    const ORG = '16b3c013-d300-468d-ac64-7eda0820b6d3';
    const SC = 'ff882432-09b0-437b-bd22-ca13c0037ded';
    const entraSubject = `/eid1/c/pub/t/E8CzFgDTjUasZH7aCCC20w/a/rISbSSETf0KqFyZ8ppdXmA/sc/${ORG}/${SC}`;

    it('recognises the Entra issuer form as Azure DevOps, not a managed identity or "other"', () => {
      const c = classifyCredential({ issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`, subject: entraSubject });
      assert.deepEqual(c, { kind: 'azureDevOps', connection: { issuer: 'entra', organizationId: ORG, serviceConnectionId: SC } });
    });

    it('recognises the Azure DevOps issuer form with its sc:// subject', () => {
      const c = classifyCredential({ issuer: `https://vstoken.dev.azure.com/${ORG}`, subject: 'sc://contoso/web/prod-connection' });
      assert.deepEqual(c, {
        kind: 'azureDevOps',
        connection: { issuer: 'azureDevOps', organization: 'contoso', project: 'web', connection: 'prod-connection' },
      });
    });

    it('leaves look-alikes alone: a managed identity stays one, a broken subject is not Azure DevOps', () => {
      assert.equal(classifyCredential({ issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`, subject: SC }).kind, 'managedIdentity');
      assert.equal(parseAzureDevOpsCredential(`https://login.microsoftonline.com/${TENANT}/v2.0`, `${entraSubject}/x`), undefined);
      assert.equal(parseAzureDevOpsCredential(`https://vstoken.dev.azure.com/${ORG}`, 'repo:contoso/app:pull_request'), undefined);
      assert.equal(parseAzureDevOpsCredential('http://vstoken.dev.azure.com/x', 'sc://a/b/c'), undefined);
      assert.equal(
        classifyCredential({ issuer: 'https://evil.example.com', subject: entraSubject }).kind,
        'otherIssuer',
        'the Entra form needs an Entra issuer',
      );
    });
  });

  describe('flexible credentials: claims-matching expressions', () => {
    const ok = [
      "claims['sub'] matches 'repo:contoso/contoso-repo:ref:refs/heads/*' and claims['repository_id'] eq '456789'",
      "claims['sub'] matches 'repo:contoso/contoso-repo-*:ref:refs/heads/????' and claims['repository_owner_id'] eq '123456'",
      "claims['sub'] matches 'repo:contoso/contoso-repo:ref:refs/heads/*' and claims['repository_id'] eq '456789' and claims['job_workflow_ref'] matches 'contoso/contoso-prod/.github/workflows/*.yml@refs/heads/main'",
    ];
    const flexibleValues = () => ({
      name: 'flex-main',
      issuer: GITHUB,
      subject: '',
      audiences: ['api://AzureADTokenExchange'],
      claimsMatchingExpression: { value: ok[0] as string, languageVersion: 1 },
    });

    it("accepts the documentation's GitHub, GitLab and Terraform Cloud examples", () => {
      for (const value of ok) assert.deepEqual(checkClaimsExpression(GITHUB, value), [], value);
      assert.deepEqual(
        checkClaimsExpression(
          'https://gitlab.com',
          "claims['sub'] matches 'project_path:contoso/contoso-project:ref_type:branch:ref:main' and claims['project_id'] eq '57382910'",
        ),
        [],
      );
      assert.deepEqual(checkClaimsExpression('https://gitlab.example.com', "claims['sub'] matches 'project_id:57382910:*'"), []);
      assert.deepEqual(
        checkClaimsExpression('https://app.terraform.io', "claims['sub'] matches 'organization:contoso:project:contoso-proj:workspace:wrk-1:run_phase:*'"),
        [],
      );
    });

    it('reads clauses, with a doubled single quote inside a value', () => {
      assert.deepEqual(parseClaimsExpression("claims['sub'] eq 'it''s' and claims['repository_id'] eq '1'"), {
        clauses: [
          { claim: 'sub', operator: 'eq', comparand: "it's" },
          { claim: 'repository_id', operator: 'eq', comparand: '1' },
        ],
      });
    });

    for (const [issuer, value, says] of [
      [GITHUB, '', /is required/],
      [GITHUB, "claims['sub'] matches 'repo:contoso/*'", /must also test claims\['repository_id'\] or claims\['repository_owner_id'\]/],
      [GITHUB, "claims['repository_id'] eq '1'", /must test claims\['sub'\]/],
      [GITHUB, "claims['sub'] startswith 'repo:x' and claims['repository_id'] eq '1'", /must start with a clause/],
      [GITHUB, "claims['sub']  matches 'x' and claims['repository_id'] eq '1'", /must start with a clause/],
      [GITHUB, "claims['sub'] matches 'x' or claims['repository_id'] eq '1'", /joined with " and "/],
      [GITHUB, "claims['sub'] matches 'x' and claims['repository_id'] matches '1*'", /allows only eq for GitHub Actions, not matches/],
      [GITHUB, "claims['sub'] matches 'x' and claims['actor'] eq 'me'", /can test only sub, job_workflow_ref, repository_id, repository_owner_id; not "actor"/],
      [GITHUB, "claims['sub'] matches 'x' and claims['sub'] eq 'y' and claims['repository_id'] eq '1'", /tested twice/],
      [GITHUB, "claims['sub'] matches 'x and claims['repository_id'] eq '1'", /joined with " and "|not closed/],
      [GITHUB, "claims['sub'] matches '' and claims['repository_id'] eq '1'", /empty value/],
      [GITHUB, "claims['sub'] matches 'x\u200b' and claims['repository_id'] eq '1'", /contains/],
      ['https://token.example.com', "claims['sub'] eq 'x'", /accept only GitHub Actions .*, GitLab .* and Terraform Cloud/],
      ['https://app.terraform.io', "claims['sub'] eq 'x' and claims['project_id'] eq '1'", /Terraform Cloud flexible credentials can test only sub/],
      [GITHUB, `claims['sub'] eq '${'x'.repeat(600)}'`, /at most 600/],
    ] as const) {
      it(`refuses ${JSON.stringify(value).slice(0, 70)} for ${issuer}`, () => assert.match(messages(checkClaimsExpression(issuer, value)), says));
    }

    it('never throws and gives one-line findings on any text (property)', () => {
      fc.assert(
        fc.property(fc.string(), fc.constantFrom(GITHUB, 'https://gitlab.com', 'https://app.terraform.io', 'https://x.test'), (value, issuer) => {
          const findings = checkClaimsExpression(issuer, value);
          for (const f of findings) assert.doesNotMatch(f.message, /\n/);
        }),
      );
    });

    it('knows the issuers flexible credentials accept', () => {
      assert.equal(flexibleIssuer(GITHUB)?.name, 'GitHub Actions');
      assert.equal(flexibleIssuer('https://gitlab.contoso.com')?.name, 'GitLab');
      assert.equal(flexibleIssuer('https://app.eu.terraform.io')?.name, 'Terraform Cloud');
      for (const issuer of [
        'http://gitlab.com',
        'https://gitlab.com/group',
        'https://gitlab.com:8443',
        `https://login.microsoftonline.com/${TENANT}/v2.0`,
        'gitlab.com',
      ]) {
        assert.equal(flexibleIssuer(issuer), undefined, issuer);
      }
    });

    it('a flexible credential is checked by its expression, has no subject, and repeats only with the same expression', () => {
      const values = flexibleValues();
      assert.equal(checkCredential(values).ok, true);
      assert.match(messages(checkCredential({ ...values, subject: 'repo:x/y:pull_request' }).errors), /instead of a subject, not both/);
      assert.match(
        messages(checkCredential({ ...values, claimsMatchingExpression: { value: "claims['sub'] eq 'x'", languageVersion: 1 } }).errors),
        /repository_id/,
      );
      const existing = [{ name: 'other', issuer: GITHUB, subject: null, claimsMatchingExpression: { value: ok[0] as string, languageVersion: 1 } }];
      assert.match(messages(checkCredential(values, { existing }).errors), /already has this issuer and subject/);
      assert.equal(checkCredential({ ...values, claimsMatchingExpression: { value: ok[1] as string, languageVersion: 1 } }, { existing }).ok, true);
    });

    it('is copied as Graph beta JSON, az rest against beta, and a beta Bicep resource', () => {
      const values = { ...flexibleValues(), description: 'any branch' };
      assert.deepEqual(toGraphBody(values), {
        name: 'flex-main',
        issuer: GITHUB,
        claimsMatchingExpression: { value: ok[0], languageVersion: 1 },
        description: 'any branch',
        audiences: ['api://AzureADTokenExchange'],
      });
      const target = { graphUrl: 'https://graph.microsoft.com', appObjectId: APP };
      const bash = toAzCliCommand(APP, values, 'bash', target);
      assert.match(
        bash,
        new RegExp(
          `^# Flexible federated credential \\(preview\\).*\\naz rest --method POST --url 'https://graph\\.microsoft\\.com/beta/applications/${APP}/federatedIdentityCredentials'`,
        ),
      );
      assert.ok(bash.includes(`'\\''sub'\\''`), 'the single quotes of the expression survive bash quoting');
      assert.match(
        toAzCliCommand(APP, values, 'powershell', target),
        /az rest --method POST --url 'https:\/\/graph\.microsoft\.com\/beta\/applications\/.*--body "@\$\(\$body\.FullName\)"/,
      );
      assert.throws(() => toAzCliCommand(APP, values, 'bash'), /needs the app's object id/);
      const bicep = toBicep(values, { appUniqueName: 'my-app' });
      assert.match(bicep, /^extension microsoftGraphBeta\n/);
      assert.match(bicep, /'Microsoft\.Graph\/applications\/federatedIdentityCredentials@beta'/);
      assert.ok(bicep.includes("  claimsMatchingExpression: {\n    value: 'claims[\\'sub\\'] matches"), bicep);
      assert.doesNotMatch(bicep, /subject:/);
    });
  });
});
