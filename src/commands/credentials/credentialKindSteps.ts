// The kinds of federated credential a workload outside Azure uses (GitHub Actions, Kubernetes, any other
// issuer, flexible claims matching): their arguments, wizard steps, defaults and the values they build.
// Shared by the wizards that add a credential to an app registration (Microsoft Graph) and to a
// user-assigned managed identity (Azure Resource Manager), which differ only in their target and write.
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
import { checkClaimsExpression, flexibleIssuer, flexibleIssuerProblem } from '../../domain/claimsExpression';
import type { Cloud } from '../../domain/clouds';
import { checkAudiences, checkIssuer, checkSubject } from '../../domain/credentialRules';
import { quote } from '../../domain/text';
import type { Finding } from '../../domain/validation';
import type { PromptStep } from '../../wizard/wizard';
import type { InputOptions, UserInput } from '../../wizard/userInput';

/** The kinds whose values these steps build (a managed identity has its own wizard). */
export type WorkloadKind = 'githubActions' | 'kubernetes' | 'otherIssuer' | 'flexible';
type EntityType = GitHubEntity['type'];

/** What the kind steps fill in. `kind` may be another value the caller handles itself (e.g. managedIdentity). */
export interface KindContext {
  kind?: string;
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
}

/** The argument keys the kinds read, besides the target and the name. */
export const KIND_ARGUMENT_KEYS = [
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
  'subjectFormat',
  'ownerId',
  'repositoryId',
  'claimKeys',
  'claims',
  'claimsMatchingExpression',
] as const;
export const KIND_ARGUMENT_TYPES = { claimKeys: 'array', claims: 'object' } as const;

export interface KindChoice {
  readonly kind: string;
  readonly label: string;
  readonly detail: string;
}

/** A function, so the text is looked up after activation has configured the bundle. */
export const workloadKindChoices = (): ReadonlyArray<KindChoice & { kind: WorkloadKind }> => [
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
    detail: l10n.t('GitHub, GitLab or Terraform Cloud runs matched by a claims expression with wildcards'),
  },
];

const SUBJECT_FORMATS = ['nameBased', 'immutable', 'claimKeys'] as const;
const ENTITIES = ['environment', 'branch', 'tag', 'pullRequest'] as const;

/** The refusal when the preview setting is off; `api` is where the preview lives. */
export function flexibleCredentialsOff(api: string): string {
  return `Flexible federated credentials are a preview of ${api}. Turn on the setting "federatedCredentials.preview.flexibleCredentials" to create or edit them.`;
}

const firstError = (findings: readonly Finding[]) => findings.find((f) => f.severity === 'error')?.message;

/** An input step for one field of the context. */
function field<C extends KindContext, K extends keyof KindContext>(
  title: string,
  key: K,
  options: Omit<InputOptions, 'value'> & { when?: (c: C) => boolean; defaultValue?: (c: C) => string | undefined },
): PromptStep<C> {
  return {
    shouldPrompt: (c) => c[key] === undefined && (options.when?.(c) ?? true),
    prompt: async (c, ui: UserInput, position) => {
      (c as Record<string, unknown>)[key] = await ui.input({ ...options, argument: key, title, value: options.defaultValue?.(c), ...position });
    },
  };
}

/**
 * The kind arguments of a programmatic call, checked before anything is read or written: known values for
 * `kind`, `entity` and `subjectFormat` (`extraKinds` are the caller's own), the preview setting, and no
 * argument another kind or subject form would silently ignore.
 */
export function checkKindArguments(
  args: Record<string, unknown>,
  options: { extraKinds?: readonly string[]; flexibleAllowed: boolean; previewApi: string },
): void {
  const known = [...(options.extraKinds ?? []), ...workloadKindChoices().map((k) => k.kind)];
  if (args.kind !== undefined && !known.includes(args.kind as string))
    throw new Error(`"kind" must be one of ${known.join(', ')}; ${quote(String(args.kind))} is not.`);
  if (args.entity !== undefined && !(ENTITIES as readonly unknown[]).includes(args.entity)) {
    throw new Error(`"entity" must be environment, branch, tag or pullRequest; ${quote(String(args.entity))} is not.`);
  }
  if (args.subjectFormat !== undefined && !(SUBJECT_FORMATS as readonly unknown[]).includes(args.subjectFormat)) {
    throw new Error(`"subjectFormat" must be one of ${SUBJECT_FORMATS.join(', ')}; ${quote(String(args.subjectFormat))} is not.`);
  }
  if (args.kind === 'flexible' && !options.flexibleAllowed) throw new Error(flexibleCredentialsOff(options.previewApi));
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

/** A programmatic call prompts for nothing: the optional arguments get their defaults. */
export function applyProgrammaticDefaults(c: KindContext, cloud: Cloud): void {
  // A pull-request subject has no name.
  if (c.entity === 'pullRequest') c.value = '';
  if (c.kind === 'otherIssuer' || c.kind === 'flexible') c.audience ??= cloud.tokenExchangeAudience;
  // GitHub credentials: ids make the subject immutable, claim keys a customised template.
  if (c.kind === 'githubActions') c.subjectFormat ??= c.claimKeys ? 'claimKeys' : c.ownerId || c.repositoryId ? 'immutable' : 'nameBased';
  if (c.subjectFormat !== 'claimKeys') c.claimKeys = undefined;
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

/** Whether the GitHub subject uses this template key: the default template has `repo` and `context`. */
function usesKey(c: KindContext, key: string): boolean {
  return c.subjectFormat !== 'claimKeys' || (c.claimKeys ?? []).includes(key);
}

export interface KindStepOptions<C> {
  readonly title: string;
  /** The kinds offered when none was given. */
  readonly choices: readonly KindChoice[];
  readonly kindPlaceholder: string;
  readonly cloud: () => Cloud;
  /** Asked before the typed issuer of a Kubernetes credential, e.g. a pick of the subscription's AKS clusters. */
  readonly kubernetesIssuer?: PromptStep<C>;
}

/** The wizard steps from the kind to the last value of that kind (the name and target are the caller's). */
export function kindSteps<C extends KindContext>(options: KindStepOptions<C>): Array<PromptStep<C>> {
  const { title } = options;
  return [
    {
      shouldPrompt: (c) => c.kind === undefined,
      prompt: async (c, ui, position) => {
        c.kind = await ui.pick(
          options.choices.map((k) => ({ label: k.label, detail: k.detail, data: k.kind })),
          { title, placeholder: options.kindPlaceholder, argument: 'kind', ...position },
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
            title,
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
          title,
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
            title,
            prompt: l10n.t('Value of the claim {0}', key),
            argument: 'claims',
            ...position,
            validate: (v) => (v === '' ? l10n.t('The claim {0} needs a value.', key) : undefined),
          });
        }
      },
    },
    field(title, 'organization', {
      when: (c) => c.kind === 'githubActions' && usesKey(c, 'repo'),
      prompt: l10n.t('GitHub organization or user'),
      placeholder: 'contoso',
      validate: (v) => firstError(checkGitHubOwner(v)),
    }),
    field(title, 'repository', {
      when: (c) => c.kind === 'githubActions' && usesKey(c, 'repo'),
      prompt: l10n.t('Repository'),
      placeholder: 'deploy-scripts',
      validate: (v) => firstError(checkGitHubRepository(v)),
    }),
    field(title, 'ownerId', {
      when: (c) => c.kind === 'githubActions' && c.subjectFormat === 'immutable',
      prompt: l10n.t("The owner's numeric id (owner.id of GET /repos/{owner}/{repo}, or the repository_owner_id claim)"),
      placeholder: '5544123',
      validate: (v) => firstError(checkGitHubId('ownerId', v)),
    }),
    field(title, 'repositoryId', {
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
          { title, placeholder: l10n.t('Which workflow runs may use the credential?'), argument: 'entity', ...position },
        );
        if (c.entity === 'pullRequest') c.value = '';
      },
    },
    {
      shouldPrompt: (c) => c.kind === 'githubActions' && usesKey(c, 'context') && c.entity !== 'pullRequest' && c.value === undefined,
      prompt: async (c, ui, position) => {
        c.value = await ui.input({
          title,
          prompt: l10n.t('Name of the {0}', c.entity ?? ''),
          argument: 'value',
          ...position,
          validate: (v) => firstError(entityChecks(c.entity, v)),
        });
      },
    },
    // Kubernetes and other issuers
    field(title, 'issuer', {
      when: (c) => c.kind === 'flexible',
      prompt: l10n.t('Issuer: GitHub Actions, GitLab or Terraform Cloud'),
      defaultValue: () => 'https://token.actions.githubusercontent.com',
      validate: (v) => firstError(checkIssuer(v)) ?? flexibleIssuerProblem(v),
    }),
    {
      shouldPrompt: (c) => c.kind === 'flexible' && c.claimsMatchingExpression === undefined,
      prompt: async (c, ui, position) => {
        c.claimsMatchingExpression = await ui.input({
          title,
          prompt: l10n.t("Claims-matching expression: claims['sub'] matches '…' and claims['repository_id'] eq '…' (? one character, * any run)"),
          argument: 'claimsMatchingExpression',
          ...position,
          validate: (v) => firstError(checkClaimsExpression(c.issuer ?? '', v)),
        });
      },
    },
    ...(options.kubernetesIssuer ? [options.kubernetesIssuer] : []),
    field(title, 'issuer', {
      when: (c) => c.kind === 'kubernetes' || c.kind === 'otherIssuer',
      prompt: l10n.t('Issuer URL (for a cluster: its OIDC issuer URL, exactly as the cluster reports it)'),
      placeholder: 'https://…',
      validate: (v) => firstError(checkIssuer(v)),
    }),
    field(title, 'namespace', {
      when: (c) => c.kind === 'kubernetes',
      prompt: l10n.t('Namespace'),
      placeholder: 'default',
      validate: (v) => firstError(checkKubernetesNamespace(v)),
    }),
    field(title, 'serviceAccount', {
      when: (c) => c.kind === 'kubernetes',
      prompt: l10n.t('Service account'),
      placeholder: 'workload-sa',
      validate: (v) => firstError(checkKubernetesServiceAccount(v)),
    }),
    field(title, 'subject', {
      when: (c) => c.kind === 'otherIssuer',
      prompt: l10n.t('Subject (the sub claim of the external token, matched exactly)'),
      validate: (v) => firstError(checkSubject(v)),
    }),
    field(title, 'audience', {
      when: (c) => c.kind === 'otherIssuer',
      prompt: l10n.t('Audience (the aud claim of the external token)'),
      defaultValue: () => options.cloud().tokenExchangeAudience,
      validate: (v) => firstError(checkAudiences([v])),
    }),
  ];
}

/** What the wizard cannot check as the user types: the GitHub entity's name, a flexible credential's expression. */
export function checkKindAnswers(c: KindContext): void {
  if (c.kind === 'githubActions' && usesKey(c, 'context')) {
    const message = firstError(entityChecks(c.entity, c.value ?? ''));
    if (message) throw new Error(message);
  }
  if (c.kind === 'flexible' && c.claimsMatchingExpression === undefined)
    throw new Error('Pass "claimsMatchingExpression": the expression the tokens\' claims must match.');
}

/** The issuer, subject and audience the answers make (a flexible credential: issuer and audience; its expression is apart). */
export function buildKindCredential(c: KindContext, cloud: Cloud): BuiltCredential {
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

/** A name made from the answers (repository and entity, namespace and service account), or none. */
export function defaultKindCredentialName(c: KindContext): string | undefined {
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
