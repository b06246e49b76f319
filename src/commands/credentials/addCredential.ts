// federatedCredentials.addCredential: the other kinds the portal offers. Args:
//   { app, kind: 'githubActions', organization, repository, entity: 'environment'|'branch'|'tag'|'pullRequest', value?, name, description?,
//     subjectFormat?: 'nameBased'|'immutable'|'claimKeys', ownerId?, repositoryId?, claimKeys?: string[], claims?: { key: value } }
//   { app, kind: 'flexible', issuer, claimsMatchingExpression, audience?, name, description? }  (preview: Graph beta, behind a setting)
//   { app, kind: 'kubernetes', issuer, namespace, serviceAccount, name, description? }
//   { app, kind: 'otherIssuer', issuer, subject, audience?, name, description? }
//   { app, kind: 'managedIdentity', managedIdentity, ... } is forwarded to addManagedIdentityCredential.
import * as l10n from '@vscode/l10n';
import {
  buildGitHubActionsCredential,
  buildKubernetesCredential,
  buildOtherIssuerCredential,
  checkGitHubClaimKeys,
  checkGitHubEnvironment,
  checkGitHubId,
  checkGitHubOwner,
  checkGitHubRepository,
  checkGitRefName,
  checkKubernetesNamespace,
  checkKubernetesServiceAccount,
  GITHUB_IMMUTABLE_SUBJECTS_SINCE,
  type BuiltCredential,
  type GitHubEntity,
  type GitHubSubjectFormat,
  takesClaimValue,
} from '../../domain/credentialKinds';
import { CLAIMS_EXPRESSION_LANGUAGE_VERSION, checkClaimsExpression, flexibleIssuer, flexibleIssuerProblem } from '../../domain/claimsExpression';
import { checkAudiences, checkIssuer, checkSubject } from '../../domain/credentialRules';
import { quote } from '../../domain/text';
import type { Finding } from '../../domain/validation';
import type { AppRegistration, FederatedCredential } from '../../domain/model';
import { onlyWhen, runPromptSteps, type PromptStep } from '../../wizard/wizard';
import type { InputOptions, UserInput } from '../../wizard/userInput';
import type { CommandContext } from '../commandRunner';
import { AppListStep, CredentialNameStep, DescriptionStep } from '../steps';
import { addManagedIdentityCredential, addOneCredential } from './addManagedIdentityCredential';
import { credentialArgs, type CredentialCommandDeps } from './common';

type Kind = 'githubActions' | 'kubernetes' | 'otherIssuer' | 'flexible';
type EntityType = GitHubEntity['type'];

interface AddCredentialContext {
  app?: AppRegistration;
  kind?: Kind | 'managedIdentity';
  organization?: string;
  repository?: string;
  entity?: EntityType;
  value?: string;
  subjectFormat?: GitHubSubjectFormat;
  ownerId?: string;
  repositoryId?: string;
  claimKeys?: string[];
  claims?: Record<string, string>;
  claimsMatchingExpression?: string;
  issuer?: string;
  namespace?: string;
  serviceAccount?: string;
  subject?: string;
  audience?: string;
  existing?: FederatedCredential[];
  name?: string;
  description?: string;
}

/** A function, so the text is looked up after activation has configured the bundle. */
const title = () => l10n.t('Add Federated Credential');
const kinds = (): ReadonlyArray<{ kind: Kind | 'managedIdentity'; label: string; detail: string }> => [
  {
    kind: 'managedIdentity',
    label: l10n.t('$(azure) Managed identity'),
    detail: l10n.t("A user-assigned (or system-assigned) managed identity of this tenant, e.g. an Automation account's"),
  },
  {
    kind: 'githubActions',
    label: l10n.t('$(github) GitHub Actions'),
    detail: l10n.t('Workflows of a repository: an environment, branch, tag or pull requests'),
  },
  {
    kind: 'kubernetes',
    label: l10n.t('$(server-environment) Kubernetes'),
    detail: l10n.t('A service account of a cluster with an OIDC issuer (AKS workload identity and others)'),
  },
  { kind: 'otherIssuer', label: l10n.t('$(key) Other issuer'), detail: l10n.t('Any OpenID Connect issuer: issuer, subject and audience as it issues them') },
  {
    kind: 'flexible',
    label: l10n.t('$(filter) Flexible (preview)'),
    detail: l10n.t('GitHub, GitLab or Terraform Cloud runs matched by a claims expression with wildcards (Microsoft Graph beta)'),
  },
];

const SUBJECT_FORMATS = ['nameBased', 'immutable', 'claimKeys'] as const;
const FLEXIBLE_OFF =
  'Flexible federated credentials are a preview of the Microsoft Graph beta API. Turn on the setting "federatedCredentials.preview.flexibleCredentials" to create or edit them.';

const firstError = (findings: readonly Finding[]) => findings.find((f) => f.severity === 'error')?.message;

/** An input step for one field of the context. */
function field<K extends keyof AddCredentialContext>(
  key: K,
  options: Omit<InputOptions, 'value'> & { when?: (c: AddCredentialContext) => boolean; defaultValue?: (c: AddCredentialContext) => string | undefined },
): PromptStep<AddCredentialContext> {
  return {
    shouldPrompt: (c) => c[key] === undefined && (options.when?.(c) ?? true),
    prompt: async (c, ui: UserInput, position) => {
      (c as Record<string, unknown>)[key] = await ui.input({ ...options, argument: key, title: title(), value: options.defaultValue?.(c), ...position });
    },
  };
}

/** Arguments that another kind or subject form would ignore are refused, naming them: nothing is silently dropped. */
function checkArgumentsFitKind(args: Record<string, unknown>): void {
  const given = (keys: readonly string[]) => keys.filter((k) => args[k] !== undefined);
  const refuse = (keys: readonly string[], why: string) => {
    if (keys.length > 0) throw new Error(`${keys.map((k) => `"${k}"`).join(', ')} ${keys.length > 1 ? 'do' : 'does'} not apply ${why}.`);
  };
  if (args.kind !== undefined && args.kind !== 'githubActions') {
    refuse(given(['subjectFormat', 'ownerId', 'repositoryId', 'claimKeys', 'claims']), 'to this kind: they are for "kind": "githubActions"');
  }
  if (args.kind !== undefined && args.kind !== 'flexible') refuse(given(['claimsMatchingExpression']), 'to this kind: it is for "kind": "flexible"');
  if (args.kind === 'flexible') refuse(given(['subject']), 'to a flexible credential, which matches claims with "claimsMatchingExpression" instead');
  if (args.subjectFormat === 'nameBased') refuse(given(['ownerId', 'repositoryId']), 'to a name-based subject (use "subjectFormat": "immutable")');
  if (args.subjectFormat === 'nameBased' || args.subjectFormat === 'immutable') {
    refuse(given(['claimKeys', 'claims']), `to the ${String(args.subjectFormat)} subject form (use "subjectFormat": "claimKeys")`);
  }
  const keys = Array.isArray(args.claimKeys) ? (args.claimKeys as string[]) : [];
  const claims = args.claims && typeof args.claims === 'object' ? Object.keys(args.claims as object) : [];
  refuse(
    claims.filter((k) => !keys.includes(k) || !takesClaimValue(k)),
    'as "claims": give a value only for each key of "claimKeys" other than repo and context',
  );
}

/** "a, b ,c" → ["a", "b", "c"]. */
function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function entityChecks(entity: EntityType | undefined, value: string): Finding[] {
  if (entity === 'pullRequest') return [];
  if (entity === 'environment') return checkGitHubEnvironment(value);
  return checkGitRefName(entity === 'tag' ? 'tag' : 'branch', value);
}

const notManagedIdentity = (c: AddCredentialContext) => c.kind !== 'managedIdentity';

/** The keys of `args` that are set. */
function pick<T extends object, K extends keyof T>(args: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => args[k] !== undefined).map((k) => [k, args[k]])) as Partial<Pick<T, K>>;
}

function isKind(value: string | undefined): value is Kind | 'managedIdentity' {
  return kinds().some((k) => k.kind === value);
}

function build(c: AddCredentialContext, deps: CredentialCommandDeps): BuiltCredential {
  const cloud = deps.cloud();
  switch (c.kind) {
    case 'githubActions': {
      const entity: GitHubEntity =
        c.entity === 'pullRequest' ? { type: 'pullRequest' } : { type: c.entity as 'environment' | 'branch' | 'tag', name: c.value ?? '' };
      const ids = c.ownerId || c.repositoryId ? { ownerId: c.ownerId ?? '', repositoryId: c.repositoryId ?? '' } : undefined;
      if (c.subjectFormat === 'immutable' && !ids)
        throw new Error('An immutable GitHub subject needs "ownerId" and "repositoryId" (GET /repos/{owner}/{repo} gives owner.id and id).');
      return buildGitHubActionsCredential({
        organization: c.organization ?? '',
        repository: c.repository ?? '',
        entity,
        cloud,
        ...(ids && c.subjectFormat !== 'nameBased' ? { ids } : {}),
        ...(c.subjectFormat === 'claimKeys' ? { claimKeys: c.claimKeys ?? [], claims: c.claims ?? {} } : {}),
      });
    }
    case 'flexible':
      return { issuer: c.issuer ?? '', subject: '', audiences: [c.audience ?? cloud.tokenExchangeAudience] };
    case 'kubernetes':
      return buildKubernetesCredential({ issuer: c.issuer ?? '', namespace: c.namespace ?? '', serviceAccount: c.serviceAccount ?? '', cloud });
    default:
      return buildOtherIssuerCredential({ issuer: c.issuer ?? '', subject: c.subject ?? '', audience: c.audience ?? cloud.tokenExchangeAudience });
  }
}

/** Whether the GitHub subject uses this template key: the default template has `repo` and `context`. */
function usesKey(c: AddCredentialContext, key: string): boolean {
  return c.subjectFormat !== 'claimKeys' || (c.claimKeys ?? []).includes(key);
}

function defaultName(c: AddCredentialContext): string | undefined {
  const raw =
    c.kind === 'githubActions'
      ? `${c.repository ?? Object.values(c.claims ?? {})[0] ?? 'github'}-${!usesKey(c, 'context') ? 'template' : c.entity === 'pullRequest' ? 'pr' : (c.value ?? c.entity)}`
      : c.kind === 'kubernetes'
        ? `${c.namespace}-${c.serviceAccount}`
        : c.kind === 'flexible'
          ? `flexible-${flexibleIssuer(c.issuer ?? '')?.name ?? 'issuer'}`
          : undefined;
  if (!raw) return undefined;
  const cleaned = raw
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120);
  return /^[A-Za-z0-9]/.test(cleaned) && cleaned.length >= 3 ? cleaned : undefined;
}

export async function addCredential(deps: CredentialCommandDeps, context: CommandContext, arg?: unknown): Promise<FederatedCredential> {
  const keys = [
    'app',
    'kind',
    'organization',
    'repository',
    'entity',
    'value',
    'issuer',
    'namespace',
    'serviceAccount',
    'subject',
    'audience',
    'name',
    'description',
    'managedIdentity',
    'subjectFormat',
    'ownerId',
    'repositoryId',
    'claimKeys',
    'claims',
    'claimsMatchingExpression',
  ] as const;
  const args = credentialArgs(arg, keys, { claimKeys: 'array', claims: 'object' });
  if (args.kind !== undefined && !isKind(args.kind))
    throw new Error(
      `"kind" must be one of ${kinds()
        .map((k) => k.kind)
        .join(', ')}; ${quote(args.kind)} is not.`,
    );
  if (args.kind === 'managedIdentity') {
    const { kind: _kind, ...rest } = args;
    return addManagedIdentityCredential(deps, context, rest);
  }
  if (args.entity !== undefined && !['environment', 'branch', 'tag', 'pullRequest'].includes(args.entity)) {
    throw new Error(`"entity" must be environment, branch, tag or pullRequest; ${quote(args.entity)} is not.`);
  }
  if (args.subjectFormat !== undefined && !(SUBJECT_FORMATS as readonly string[]).includes(args.subjectFormat)) {
    throw new Error(`"subjectFormat" must be one of ${SUBJECT_FORMATS.join(', ')}; ${quote(args.subjectFormat)} is not.`);
  }
  if (args.kind === 'flexible' && deps.flexibleCredentials?.() !== true) throw new Error(FLEXIBLE_OFF);
  checkArgumentsFitKind(args);
  const directory = deps.directory();
  const service = deps.credentials();
  const wizard: AddCredentialContext = {
    ...args,
    kind: args.kind as Kind | undefined,
    entity: args.entity as EntityType | undefined,
    subjectFormat: args.subjectFormat as GitHubSubjectFormat | undefined,
    claimKeys: args.claimKeys as string[] | undefined,
    claims: args.claims as Record<string, string> | undefined,
    app: args.app ? await service.resolveApp(args.app) : deps.selectedApp(arg),
  };
  if (context.programmatic) {
    // Optional arguments: no description, and a pull-request subject has no name.
    wizard.description ??= '';
    if (wizard.entity === 'pullRequest') wizard.value = '';
    if (wizard.kind === 'otherIssuer' || wizard.kind === 'flexible') wizard.audience ??= deps.cloud().tokenExchangeAudience;
    // Programmatic GitHub credentials: ids make the subject immutable, claim keys a customised template.
    if (wizard.kind === 'githubActions')
      wizard.subjectFormat ??= wizard.claimKeys ? 'claimKeys' : wizard.ownerId || wizard.repositoryId ? 'immutable' : 'nameBased';
    if (wizard.subjectFormat !== 'claimKeys') wizard.claimKeys = undefined;
  }

  await runPromptSteps(
    wizard,
    [
      new AppListStep(directory, title()),
      {
        shouldPrompt: (c) => c.kind === undefined,
        prompt: async (c, ui, position) => {
          c.kind = await ui.pick(
            kinds()
              .filter((k) => k.kind !== 'flexible' || deps.flexibleCredentials?.() === true)
              .map((k) => ({ label: k.label, detail: k.detail, data: k.kind })),
            { title: title(), placeholder: l10n.t('Which workload will use this app?'), argument: 'kind', ...position },
          );
        },
      },
      // GitHub Actions: which subject form the repository's tokens carry.
      {
        shouldPrompt: (c) => c.kind === 'githubActions' && c.subjectFormat === undefined,
        prompt: async (c, ui, position) => {
          c.subjectFormat = await ui.pick<GitHubSubjectFormat>(
            [
              {
                label: l10n.t('Immutable subject (owner and repository ids)'),
                description: 'repo:{owner}@{ownerId}/{repo}@{repoId}:…',
                detail: l10n.t(
                  'The default for repositories created, renamed or transferred after {0}, and for those that opted in. Survives renames.',
                  GITHUB_IMMUTABLE_SUBJECTS_SINCE,
                ),
                data: 'immutable',
              },
              {
                label: l10n.t('Name-based subject'),
                description: 'repo:{owner}/{repo}:…',
                detail: l10n.t('Repositories created before {0} that have not opted in to immutable subjects.', GITHUB_IMMUTABLE_SUBJECTS_SINCE),
                data: 'nameBased',
              },
              {
                label: l10n.t('Customised subject template'),
                description: 'include_claim_keys',
                detail: l10n.t('The repository or organisation set its own OIDC subject claim keys (for example repository_owner_id, context).'),
                data: 'claimKeys',
              },
            ],
            {
              title: title(),
              placeholder: l10n.t("Which subject do the repository's tokens carry? (GET /repos/{owner}/{repo}/actions/oidc/customization/sub tells)"),
              argument: 'subjectFormat',
              ...position,
            },
          );
        },
      },
      {
        shouldPrompt: (c) => c.kind === 'githubActions' && c.subjectFormat === 'claimKeys' && c.claimKeys === undefined,
        prompt: async (c, ui, position) => {
          const text = await ui.input({
            title: title(),
            prompt: l10n.t("The template's claim keys, in order, separated by commas (repo and context stand for the default parts)"),
            value: 'repo, context',
            argument: 'claimKeys',
            ...position,
            validate: (v) => firstError(checkGitHubClaimKeys(splitList(v))),
          });
          c.claimKeys = splitList(text);
        },
      },
      {
        shouldPrompt: (c) =>
          c.kind === 'githubActions' && c.subjectFormat === 'claimKeys' && (c.claimKeys ?? []).some((k) => takesClaimValue(k) && c.claims?.[k] === undefined),
        prompt: async (c, ui, position) => {
          c.claims ??= {};
          for (const key of (c.claimKeys ?? []).filter(takesClaimValue)) {
            if (c.claims[key] !== undefined) continue;
            c.claims[key] = await ui.input({
              title: title(),
              prompt: l10n.t('Value of the claim {0}', key),
              argument: 'claims',
              ...position,
              validate: (v) => (v === '' ? l10n.t('The claim {0} needs a value.', key) : undefined),
            });
          }
        },
      },
      field('organization', {
        when: (c) => c.kind === 'githubActions' && usesKey(c, 'repo'),
        prompt: l10n.t('GitHub organization or user'),
        placeholder: 'contoso',
        validate: (v) => firstError(checkGitHubOwner(v)),
      }),
      field('repository', {
        when: (c) => c.kind === 'githubActions' && usesKey(c, 'repo'),
        prompt: l10n.t('Repository'),
        placeholder: 'deploy-scripts',
        validate: (v) => firstError(checkGitHubRepository(v)),
      }),
      field('ownerId', {
        when: (c) => c.kind === 'githubActions' && c.subjectFormat === 'immutable',
        prompt: l10n.t("The owner's numeric id (owner.id of GET /repos/{owner}/{repo}, or the repository_owner_id claim)"),
        placeholder: '5544123',
        validate: (v) => firstError(checkGitHubId('ownerId', v)),
      }),
      field('repositoryId', {
        when: (c) => c.kind === 'githubActions' && c.subjectFormat === 'immutable',
        prompt: l10n.t("The repository's numeric id (id of GET /repos/{owner}/{repo}, or the repository_id claim)"),
        placeholder: '821093847',
        validate: (v) => firstError(checkGitHubId('repositoryId', v)),
      }),
      {
        shouldPrompt: (c) => c.kind === 'githubActions' && usesKey(c, 'context') && c.entity === undefined,
        prompt: async (c, ui, position) => {
          c.entity = await ui.pick<EntityType>(
            [
              { label: l10n.t('Environment'), description: 'repo:{org}/{repo}:environment:{name}', data: 'environment' },
              { label: l10n.t('Branch'), description: 'repo:{org}/{repo}:ref:refs/heads/{branch}', data: 'branch' },
              { label: l10n.t('Tag'), description: 'repo:{org}/{repo}:ref:refs/tags/{tag}', data: 'tag' },
              { label: l10n.t('Pull request'), description: 'repo:{org}/{repo}:pull_request', data: 'pullRequest' },
            ],
            { title: title(), placeholder: l10n.t('Which workflow runs may use the credential?'), argument: 'entity', ...position },
          );
          if (c.entity === 'pullRequest') c.value = '';
        },
      },
      {
        shouldPrompt: (c) => c.kind === 'githubActions' && usesKey(c, 'context') && c.entity !== 'pullRequest' && c.value === undefined,
        prompt: async (c, ui, position) => {
          c.value = await ui.input({
            title: title(),
            prompt: l10n.t('Name of the {0}', c.entity ?? ''),
            argument: 'value',
            ...position,
            validate: (v) => firstError(entityChecks(c.entity, v)),
          });
        },
      },
      // Kubernetes and other issuers
      field('issuer', {
        when: (c) => c.kind === 'flexible',
        prompt: l10n.t('Issuer: GitHub Actions, GitLab or Terraform Cloud'),
        defaultValue: () => 'https://token.actions.githubusercontent.com',
        validate: (v) => firstError(checkIssuer(v)) ?? flexibleIssuerProblem(v),
      }),
      {
        shouldPrompt: (c) => c.kind === 'flexible' && c.claimsMatchingExpression === undefined,
        prompt: async (c, ui, position) => {
          c.claimsMatchingExpression = await ui.input({
            title: title(),
            prompt: l10n.t("Claims-matching expression: claims['sub'] matches '…' and claims['repository_id'] eq '…' (? one character, * any run)"),
            argument: 'claimsMatchingExpression',
            ...position,
            validate: (v) => firstError(checkClaimsExpression(c.issuer ?? '', v)),
          });
        },
      },
      field('issuer', {
        when: (c) => c.kind === 'kubernetes' || c.kind === 'otherIssuer',
        prompt: l10n.t('Issuer URL (for a cluster: its OIDC issuer URL, exactly as the cluster reports it)'),
        placeholder: 'https://…',
        validate: (v) => firstError(checkIssuer(v)),
      }),
      field('namespace', {
        when: (c) => c.kind === 'kubernetes',
        prompt: l10n.t('Namespace'),
        placeholder: 'default',
        validate: (v) => firstError(checkKubernetesNamespace(v)),
      }),
      field('serviceAccount', {
        when: (c) => c.kind === 'kubernetes',
        prompt: l10n.t('Service account'),
        placeholder: 'workload-sa',
        validate: (v) => firstError(checkKubernetesServiceAccount(v)),
      }),
      field('subject', {
        when: (c) => c.kind === 'otherIssuer',
        prompt: l10n.t('Subject (the sub claim of the external token, matched exactly)'),
        validate: (v) => firstError(checkSubject(v)),
      }),
      field('audience', {
        when: (c) => c.kind === 'otherIssuer',
        prompt: l10n.t('Audience (the aud claim of the external token)'),
        defaultValue: () => deps.cloud().tokenExchangeAudience,
        validate: (v) => firstError(checkAudiences([v])),
      }),
      // A managed identity's name and description have defaults from the identity: its own wizard asks for them.
      onlyWhen(new CredentialNameStep<AddCredentialContext>(title(), defaultName, (c) => directory.apps.listCredentials(c.app!.id)), notManagedIdentity),
      onlyWhen(new DescriptionStep<AddCredentialContext>(title(), () => undefined), notManagedIdentity),
    ],
    context.ui,
  );

  if (wizard.kind === 'managedIdentity') {
    // Chosen in this wizard: the managed-identity wizard goes on with the app and whatever else was given.
    const given = { app: wizard.app!.id, ...pick(args, ['managedIdentity', 'name', 'description']) };
    return addManagedIdentityCredential(deps, context, given);
  }
  if (wizard.kind === 'githubActions' && usesKey(wizard, 'context')) {
    const message = firstError(entityChecks(wizard.entity, wizard.value ?? ''));
    if (message) throw new Error(message);
  }
  if (wizard.kind === 'flexible' && wizard.claimsMatchingExpression === undefined)
    throw new Error('Pass "claimsMatchingExpression": the expression the tokens\' claims must match.');
  if (!wizard.name) throw new Error('"name" is required: 3 to 120 letters, digits, "-" or "_".');
  const app = wizard.app!;
  const values = {
    ...build(wizard, deps),
    name: wizard.name,
    ...(wizard.description ? { description: wizard.description } : {}),
    ...(wizard.kind === 'flexible'
      ? { claimsMatchingExpression: { value: wizard.claimsMatchingExpression ?? '', languageVersion: CLAIMS_EXPRESSION_LANGUAGE_VERSION } }
      : {}),
  };
  const credential = await addOneCredential(deps, context, app, values);
  deps.log.info(`Added federated credential ${credential.name} (${wizard.kind}) to app ${app.appId}.`);
  return credential;
}
