// federatedCredentials.addCredential: the other kinds the portal offers. Args:
//   { app, kind: 'githubActions', organization, repository, entity: 'environment'|'branch'|'tag'|'pullRequest', value?, name, description? }
//   { app, kind: 'kubernetes', issuer, namespace, serviceAccount, name, description? }
//   { app, kind: 'otherIssuer', issuer, subject, audience?, name, description? }
//   { app, kind: 'managedIdentity', managedIdentity, ... } is forwarded to addManagedIdentityCredential.
import * as l10n from '@vscode/l10n';
import {
  buildGitHubActionsCredential,
  buildKubernetesCredential,
  buildOtherIssuerCredential,
  checkGitHubEnvironment,
  checkGitHubOwner,
  checkGitHubRepository,
  checkGitRefName,
  checkKubernetesNamespace,
  checkKubernetesServiceAccount,
  type BuiltCredential,
  type GitHubEntity,
} from '../../domain/credentialKinds';
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

type Kind = 'githubActions' | 'kubernetes' | 'otherIssuer';
type EntityType = GitHubEntity['type'];

interface AddCredentialContext {
  app?: AppRegistration;
  kind?: Kind | 'managedIdentity';
  organization?: string;
  repository?: string;
  entity?: EntityType;
  value?: string;
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
];

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
      return buildGitHubActionsCredential({ organization: c.organization ?? '', repository: c.repository ?? '', entity, cloud });
    }
    case 'kubernetes':
      return buildKubernetesCredential({ issuer: c.issuer ?? '', namespace: c.namespace ?? '', serviceAccount: c.serviceAccount ?? '', cloud });
    default:
      return buildOtherIssuerCredential({ issuer: c.issuer ?? '', subject: c.subject ?? '', audience: c.audience ?? cloud.tokenExchangeAudience });
  }
}

function defaultName(c: AddCredentialContext): string | undefined {
  const raw =
    c.kind === 'githubActions'
      ? `${c.repository ?? 'github'}-${c.entity === 'pullRequest' ? 'pr' : (c.value ?? c.entity)}`
      : c.kind === 'kubernetes'
        ? `${c.namespace}-${c.serviceAccount}`
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
  ] as const;
  const args = credentialArgs(arg, keys);
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
  const directory = deps.directory();
  const service = deps.credentials();
  const wizard: AddCredentialContext = {
    ...args,
    kind: args.kind as Kind | undefined,
    entity: args.entity as EntityType | undefined,
    app: args.app ? await service.resolveApp(args.app) : deps.selectedApp(arg),
  };
  if (context.programmatic) {
    // Optional arguments: no description, and a pull-request subject has no name.
    wizard.description ??= '';
    if (wizard.entity === 'pullRequest') wizard.value = '';
    if (wizard.kind === 'otherIssuer') wizard.audience ??= deps.cloud().tokenExchangeAudience;
  }

  await runPromptSteps(
    wizard,
    [
      new AppListStep(directory, title()),
      {
        shouldPrompt: (c) => c.kind === undefined,
        prompt: async (c, ui, position) => {
          c.kind = await ui.pick(
            kinds().map((k) => ({ label: k.label, detail: k.detail, data: k.kind })),
            { title: title(), placeholder: l10n.t('Which workload will use this app?'), argument: 'kind', ...position },
          );
        },
      },
      // GitHub Actions
      field('organization', {
        when: (c) => c.kind === 'githubActions',
        prompt: l10n.t('GitHub organization or user'),
        placeholder: 'contoso',
        validate: (v) => firstError(checkGitHubOwner(v)),
      }),
      field('repository', {
        when: (c) => c.kind === 'githubActions',
        prompt: l10n.t('Repository'),
        placeholder: 'deploy-scripts',
        validate: (v) => firstError(checkGitHubRepository(v)),
      }),
      {
        shouldPrompt: (c) => c.kind === 'githubActions' && c.entity === undefined,
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
        shouldPrompt: (c) => c.kind === 'githubActions' && c.entity !== 'pullRequest' && c.value === undefined,
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
  if (wizard.kind === 'githubActions') {
    const message = firstError(entityChecks(wizard.entity, wizard.value ?? ''));
    if (message) throw new Error(message);
  }
  if (!wizard.name) throw new Error('"name" is required: 3 to 120 letters, digits, "-" or "_".');
  const app = wizard.app!;
  const values = { ...build(wizard, deps), name: wizard.name, ...(wizard.description ? { description: wizard.description } : {}) };
  const credential = await addOneCredential(deps, context, app, values);
  deps.log.info(`Added federated credential ${credential.name} (${wizard.kind}) to app ${app.appId}.`);
  return credential;
}
