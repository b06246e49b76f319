// The kinds of federated credential the portal offers, how to recognise each on an existing credential, and
// how to build each one's issuer, subject and audience.

import { Cloud, classifyIssuer, CloudName, BUILT_IN_CLOUDS, entraIssuer } from './clouds';
import { checkIssuer, FIC_LIMITS } from './credentialRules';
import { hasControlCharacter, isGuid, quote } from './text';
import { assertValid, error, Finding, toResult, ValidationResult } from './validation';
import { tryParseUrl } from './web';

export type CredentialKind = 'managedIdentity' | 'githubActions' | 'kubernetes' | 'azureDevOps' | 'otherIssuer';

const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
const K8S_SUBJECT_PREFIX = 'system:serviceaccount:';

export type CredentialClassification =
  | { readonly kind: 'managedIdentity'; readonly cloud: CloudName; readonly tenantId: string; readonly objectId?: string }
  | { readonly kind: 'githubActions'; readonly subject?: GitHubSubject }
  | { readonly kind: 'kubernetes'; readonly namespace?: string; readonly serviceAccount?: string }
  | { readonly kind: 'azureDevOps'; readonly connection: AzureDevOpsConnection }
  | { readonly kind: 'otherIssuer' };

/** Recognises a credential's kind from its issuer (and, for Kubernetes, its subject). */
export function classifyCredential(
  credential: { readonly issuer: string; readonly subject?: string | null },
  clouds: readonly Cloud[] = BUILT_IN_CLOUDS,
): CredentialClassification {
  const subject = credential.subject ?? '';
  const devOps = parseAzureDevOpsCredential(credential.issuer, subject, clouds);
  if (devOps) return { kind: 'azureDevOps', connection: devOps };
  const entra = classifyIssuer(credential.issuer, clouds);
  if (entra.kind === 'entra') {
    return { kind: 'managedIdentity', cloud: entra.cloud, tenantId: entra.tenantId, ...(isGuid(subject) ? { objectId: subject } : {}) };
  }
  const url = tryParseUrl(credential.issuer);
  // GitHub Enterprise Cloud can use a per-enterprise issuer under the same host.
  if (url && url.protocol === 'https:' && url.hostname.toLowerCase() === 'token.actions.githubusercontent.com') {
    const parsed = parseGitHubSubject(subject);
    return { kind: 'githubActions', ...(parsed ? { subject: parsed } : {}) };
  }
  const k8s = parseKubernetesSubject(subject);
  const aks = url !== undefined && url.protocol === 'https:' && /\.oic\.prod-aks\.azure\.(com|us|cn)$/i.test(url.hostname);
  if (aks || k8s) return { kind: 'kubernetes', ...(k8s ?? {}) };
  return { kind: 'otherIssuer' };
}

// --- GitHub Actions -------------------------------------------------------------------------------------------

export type GitHubEntity =
  | { readonly type: 'environment'; readonly name: string }
  | { readonly type: 'branch'; readonly name: string }
  | { readonly type: 'tag'; readonly name: string }
  | { readonly type: 'pullRequest' };

/**
 * A GitHub Actions subject. The default template is `repo:{repo}:{context}`; a repository or organisation
 * may customise it (`include_claim_keys`), and repositories created, renamed or transferred after
 * 15 Jul 2026 (or that opted in) use immutable subjects, with ids beside the names:
 * `repo:{owner}@{ownerId}/{repo}@{repoId}:{context}` (GitHub OIDC reference, "Immutable subject claims";
 * entra-docs workload-identities-github-immutable-subjects.md).
 */
export interface GitHubSubject {
  readonly organization: string;
  readonly repository: string;
  readonly entity: GitHubEntity;
  /** The owner's and the repository's numeric ids: the immutable form (GET /repos/{owner}/{repo}: `owner.id`, `id`). */
  readonly ids?: { readonly ownerId: string; readonly repositoryId: string };
  /** A customised template's claim keys, in order; absent means the default `repo`, `context`. */
  readonly claimKeys?: readonly string[];
  /** Values of the template's keys other than `repo` and `context`. */
  readonly claims?: Readonly<Record<string, string>>;
}

export type GitHubSubjectFormat = 'immutable' | 'nameBased' | 'claimKeys';

/** Whether a template's claim key takes its value from `claims`: every key but `repo` and `context`, which come from the repository and the entity. */
export function takesClaimValue(key: string): boolean {
  return key !== 'repo' && key !== 'context';
}

/** The day GitHub moved new, renamed and transferred repositories to immutable subjects. */
export const GITHUB_IMMUTABLE_SUBJECTS_SINCE = '15 Jul 2026';

// GitHub account names: letters, digits and single inner hyphens, at most 39 characters.
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
// GitHub repository names: letters, digits, '.', '-', '_', at most 100 characters, not '.' or '..'.
const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/;
const GITHUB_ID = /^[1-9][0-9]{0,19}$/;

/**
 * The claim keys GitHub's OIDC token carries that a subject template may include (GitHub OIDC reference:
 * the token's claims, `repo` and `context`; `repo_property_*` for custom repository properties).
 */
export const GITHUB_CLAIM_KEYS: readonly string[] = [
  'repo',
  'context',
  'actor',
  'actor_id',
  'base_ref',
  'check_run_id',
  'enterprise',
  'enterprise_id',
  'environment',
  'event_name',
  'head_ref',
  'job_workflow_ref',
  'job_workflow_sha',
  'ref',
  'ref_type',
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'repository_visibility',
  'run_attempt',
  'run_id',
  'run_number',
  'runner_environment',
  'workflow',
  'workflow_ref',
  'workflow_sha',
];

export function checkGitHubOwner(owner: string): Finding[] {
  const f = 'organization';
  if (owner === '') return [error(f, 'github.owner.required', 'Organization (or user) is required.')];
  return GITHUB_OWNER.test(owner)
    ? []
    : [
        error(
          f,
          'github.owner.invalid',
          `Organization must be a GitHub account name: up to 39 letters, digits or single hyphens, not starting or ending with a hyphen; ${quote(owner)} is not.`,
        ),
      ];
}

export function checkGitHubRepository(repository: string): Finding[] {
  const f = 'repository';
  if (repository === '') return [error(f, 'github.repo.required', 'Repository is required.')];
  if (repository === '.' || repository === '..' || !GITHUB_REPO.test(repository)) {
    return [
      error(f, 'github.repo.invalid', `Repository must be a GitHub repository name: up to 100 letters, digits, ".", "-" or "_"; ${quote(repository)} is not.`),
    ];
  }
  return [];
}

/** An owner or repository id: the number GitHub's API gives (`owner.id`, `id` of GET /repos/{owner}/{repo}). */
export function checkGitHubId(field: 'ownerId' | 'repositoryId', value: string): Finding[] {
  const label = field === 'ownerId' ? 'Owner id' : 'Repository id';
  if (value === '') return [error(field, `github.${field}.required`, `${label} is required for an immutable subject (GET /repos/{owner}/{repo} gives it).`)];
  return GITHUB_ID.test(value)
    ? []
    : [
        error(
          field,
          `github.${field}.invalid`,
          `${label} must be GitHub's numeric id (digits only, as GET /repos/{owner}/{repo} gives it); ${quote(value)} is not.`,
        ),
      ];
}

/** The claim keys of a customised subject template: known GitHub claims or `repo_property_*`, each once. */
export function checkGitHubClaimKeys(keys: readonly string[]): Finding[] {
  const f = 'claimKeys';
  if (keys.length === 0) return [error(f, 'github.claimKeys.required', 'Give the claim keys of the subject template, in order, such as repo, context.')];
  const seen = new Set<string>();
  for (const key of keys) {
    if (!/^[A-Za-z0-9_]+$/.test(key)) return [error(f, 'github.claimKeys.characters', `A claim key has only letters, digits and "_"; ${quote(key)} does not.`)];
    if (!GITHUB_CLAIM_KEYS.includes(key) && !/^repo_property_[A-Za-z0-9_]+$/.test(key)) {
      return [
        error(
          f,
          'github.claimKeys.unknown',
          `${quote(key)} is not a claim of GitHub's OIDC token (e.g. repo, context, repository_owner_id, job_workflow_ref).`,
        ),
      ];
    }
    if (seen.has(key)) return [error(f, 'github.claimKeys.repeated', `The claim key ${quote(key)} is listed twice.`)];
    seen.add(key);
  }
  return [];
}

/** Branch and tag names follow `git check-ref-format`. */
export function checkGitRefName(field: 'branch' | 'tag', name: string): Finding[] {
  const label = field === 'branch' ? 'Branch' : 'Tag';
  if (name === '') return [error(field, `github.${field}.required`, `${label} name is required.`)];
  const problems: string[] = [];
  if (hasControlCharacter(name) || /[ ~^:?*[\\]/.test(name)) problems.push('spaces, control characters or any of ~ ^ : ? * [ \\');
  if (name.includes('..')) problems.push('".."');
  if (name.includes('@{') || name === '@') problems.push('"@{" or a lone "@"');
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) problems.push('a leading, trailing or doubled "/"');
  if (name.endsWith('.')) problems.push('a trailing "."');
  if (name.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'))) problems.push('a part starting with "." or ending with ".lock"');
  if (name.startsWith('refs/')) problems.push('the "refs/" prefix (give the short name)');
  return problems.length === 0
    ? []
    : [error(field, `github.${field}.invalid`, `${label} name ${quote(name)} is not a valid git ref name: it has ${problems.join('; ')}.`)];
}

export function checkGitHubEnvironment(name: string): Finding[] {
  const f = 'environment';
  if (name === '') return [error(f, 'github.environment.required', 'Environment name is required.')];
  if (name !== name.trim()) return [error(f, 'github.environment.whitespace', `Environment name must not start or end with whitespace: ${quote(name)}.`)];
  if (name.length > 255) return [error(f, 'github.environment.tooLong', `Environment name must be at most 255 characters; it has ${name.length}.`)];
  if (hasControlCharacter(name) || name.includes(':')) {
    return [
      error(
        f,
        'github.environment.invalid',
        `Environment name ${quote(name)} must not contain control characters or ":" (the subject claim uses ":" as separator).`,
      ),
    ];
  }
  return [];
}

function usesKey(input: GitHubSubject, key: string): boolean {
  return (input.claimKeys ?? ['repo', 'context']).includes(key);
}

export function checkGitHubSubject(input: GitHubSubject): ValidationResult {
  const e = input.entity;
  const findings: Finding[] = [];
  if (input.claimKeys) findings.push(...checkGitHubClaimKeys(input.claimKeys));
  if (usesKey(input, 'repo')) findings.push(...checkGitHubOwner(input.organization), ...checkGitHubRepository(input.repository));
  if (input.ids) findings.push(...checkGitHubId('ownerId', input.ids.ownerId), ...checkGitHubId('repositoryId', input.ids.repositoryId));
  if (usesKey(input, 'context')) {
    findings.push(...(e.type === 'environment' ? checkGitHubEnvironment(e.name) : e.type === 'pullRequest' ? [] : checkGitRefName(e.type, e.name)));
  }
  for (const key of input.claimKeys ?? []) {
    if (!takesClaimValue(key)) continue;
    const value = input.claims?.[key];
    if (value === undefined || value === '') findings.push(error('claims', 'github.claims.required', `The template's claim ${quote(key)} needs a value.`));
    else if (hasControlCharacter(value)) findings.push(error('claims', 'github.claims.invalid', `The value of ${quote(key)} has a control character.`));
  }
  return toResult(findings);
}

/** The `context` part of the default template: what kind of run it is. */
function gitHubContext(e: GitHubEntity): string {
  switch (e.type) {
    case 'environment':
      return `environment:${e.name}`;
    case 'branch':
      return `ref:refs/heads/${e.name}`;
    case 'tag':
      return `ref:refs/tags/${e.name}`;
    case 'pullRequest':
      return 'pull_request';
  }
}

/**
 * The `sub` claim GitHub puts in the job's token (GitHub OIDC reference): each template key with its
 * value, joined by ":". `repo` carries the ids in the immutable form; `context` stands as it is; other
 * values have ":" written as %3A, as GitHub writes them.
 */
export function gitHubSubject(input: GitHubSubject): string {
  const repo = input.ids
    ? `${input.organization}@${input.ids.ownerId}/${input.repository}@${input.ids.repositoryId}`
    : `${input.organization}/${input.repository}`;
  return (input.claimKeys ?? ['repo', 'context'])
    .map((key) =>
      key === 'repo' ? `repo:${repo}` : key === 'context' ? gitHubContext(input.entity) : `${key}:${(input.claims?.[key] ?? '').replace(/:/g, '%3A')}`,
    )
    .join(':');
}

/** Reads a default-template subject (name-based or immutable) back into its parts, or undefined if it is neither. */
export function parseGitHubSubject(subject: string): GitHubSubject | undefined {
  const m = /^repo:([^/:@]+)(?:@([0-9]+))?\/([^/:@]+)(?:@([0-9]+))?:(.+)$/.exec(subject);
  if (!m) return undefined;
  const [, organization, ownerId, repository, repositoryId, rest] = m as unknown as [string, string, string | undefined, string, string | undefined, string];
  // Both ids or none: a half-immutable subject is no form GitHub issues.
  if ((ownerId === undefined) !== (repositoryId === undefined)) return undefined;
  let entity: GitHubEntity | undefined;
  if (rest === 'pull_request') entity = { type: 'pullRequest' };
  else if (rest.startsWith('environment:')) entity = { type: 'environment', name: rest.slice('environment:'.length) };
  else if (rest.startsWith('ref:refs/heads/')) entity = { type: 'branch', name: rest.slice('ref:refs/heads/'.length) };
  else if (rest.startsWith('ref:refs/tags/')) entity = { type: 'tag', name: rest.slice('ref:refs/tags/'.length) };
  // A ":" in a name means more claims follow: a customised template, not one of the default forms.
  if (!entity || (entity.type !== 'pullRequest' && entity.name.includes(':'))) return undefined;
  return { organization, repository, entity, ...(ownerId && repositoryId ? { ids: { ownerId, repositoryId } } : {}) };
}

/** A GitHub subject as a person reads it: "contoso/app (immutable: owner 123, repo 456) · branch main". */
export function describeGitHubSubject(subject: string): string {
  const parsed = parseGitHubSubject(subject);
  if (!parsed) return `custom subject template: ${subject}`;
  const e = parsed.entity;
  const what = e.type === 'pullRequest' ? 'pull requests' : `${e.type} ${e.name}`;
  const ids = parsed.ids ? ` (immutable: owner ${parsed.ids.ownerId}, repo ${parsed.ids.repositoryId})` : '';
  return `${parsed.organization}/${parsed.repository}${ids} · ${what}`;
}

// --- Azure DevOps ---------------------------------------------------------------------------------------------

/**
 * An Azure DevOps service connection with workload identity federation. Two issuers exist (azure-devops-docs
 * release notes sprint 253, "Workload identity federation uses Entra issuer"; convert-service-connections.md):
 * the Azure DevOps issuer `https://vstoken.dev.azure.com/{organizationId}` with `sc://{org}/{project}/{connection}`,
 * and, for newer connections, the Entra issuer `https://login.microsoftonline.com/{tenant}/v2.0` with
 * `/eid1/c/pub/t/{tenant}/a/{Azure DevOps app}/sc/{organizationId}/{serviceConnectionId}`.
 */
export type AzureDevOpsConnection =
  | { readonly issuer: 'azureDevOps'; readonly organization: string; readonly project: string; readonly connection: string }
  | { readonly issuer: 'entra'; readonly organizationId: string; readonly serviceConnectionId: string };

const ADO_ENTRA_SUBJECT = /^\/eid1\/c\/pub\/t\/[A-Za-z0-9_-]{22}\/a\/[A-Za-z0-9_-]{22}\/sc\/([0-9a-fA-F-]{36})\/([0-9a-fA-F-]{36})$/;

export function parseAzureDevOpsCredential(issuer: string, subject: string, clouds: readonly Cloud[] = BUILT_IN_CLOUDS): AzureDevOpsConnection | undefined {
  const url = tryParseUrl(issuer);
  if (!url || url.protocol !== 'https:') return undefined;
  const host = url.hostname.toLowerCase();
  if (host === 'vstoken.dev.azure.com' || host === 'app.vstoken.visualstudio.com') {
    const m = /^sc:\/\/([^/]+)\/([^/]+)\/(.+)$/.exec(subject);
    return m ? { issuer: 'azureDevOps', organization: m[1] as string, project: m[2] as string, connection: m[3] as string } : undefined;
  }
  // The Entra form only with an Entra issuer of a known cloud: the subject alone proves nothing.
  const m = classifyIssuer(issuer, clouds).kind === 'entra' ? ADO_ENTRA_SUBJECT.exec(subject) : null;
  if (m && isGuid(m[1] as string) && isGuid(m[2] as string)) {
    return { issuer: 'entra', organizationId: (m[1] as string).toLowerCase(), serviceConnectionId: (m[2] as string).toLowerCase() };
  }
  return undefined;
}

export function describeAzureDevOpsConnection(c: AzureDevOpsConnection): string {
  return c.issuer === 'azureDevOps'
    ? `${c.organization}/${c.project} · ${c.connection}`
    : `service connection ${c.serviceConnectionId} (organization ${c.organizationId}, Entra issuer)`;
}

// --- Kubernetes -----------------------------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

export function checkKubernetesNamespace(namespace: string): Finding[] {
  const f = 'namespace';
  if (namespace === '') return [error(f, 'k8s.namespace.required', 'Namespace is required.')];
  return namespace.length <= 63 && DNS1123_LABEL.test(namespace)
    ? []
    : [
        error(
          f,
          'k8s.namespace.invalid',
          `Namespace must be a DNS-1123 label: at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit; ${quote(namespace)} is not.`,
        ),
      ];
}

export function checkKubernetesServiceAccount(name: string): Finding[] {
  const f = 'serviceAccount';
  if (name === '') return [error(f, 'k8s.serviceAccount.required', 'Service account is required.')];
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name)
    ? []
    : [
        error(
          f,
          'k8s.serviceAccount.invalid',
          `Service account must be a DNS-1123 subdomain: at most 253 lower-case letters, digits, "-" or ".", each part starting and ending with a letter or digit; ${quote(name)} is not.`,
        ),
      ];
}

export function kubernetesSubject(namespace: string, serviceAccount: string): string {
  return `${K8S_SUBJECT_PREFIX}${namespace}:${serviceAccount}`;
}

export function parseKubernetesSubject(subject: string): { namespace: string; serviceAccount: string } | undefined {
  if (!subject.startsWith(K8S_SUBJECT_PREFIX)) return undefined;
  const [namespace, serviceAccount, ...rest] = subject.slice(K8S_SUBJECT_PREFIX.length).split(':');
  return rest.length === 0 && namespace && serviceAccount ? { namespace, serviceAccount } : undefined;
}

// --- Builders: each returns the values and throws one clear ValidationError when the input is wrong. ----------

export interface BuiltCredential {
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly [string];
}

export function buildGitHubActionsCredential(input: GitHubSubject & { readonly cloud: Cloud }): BuiltCredential {
  const subject = gitHubSubject(input);
  assertValid(checkGitHubSubject(input));
  assertValid(
    toResult(
      subject.length > FIC_LIMITS.subjectMax
        ? [error('subject', 'subject.tooLong', `The resulting subject must be at most ${FIC_LIMITS.subjectMax} characters; it has ${subject.length}.`)]
        : [],
    ),
  );
  return { issuer: GITHUB_ACTIONS_ISSUER, subject, audiences: [input.cloud.tokenExchangeAudience] };
}

export function buildKubernetesCredential(input: {
  readonly issuer: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly cloud: Cloud;
}): BuiltCredential {
  // The cluster's issuer is kept exactly as given: AKS issuers end with "/" and Entra compares exactly.
  assertValid(toResult([...checkIssuer(input.issuer), ...checkKubernetesNamespace(input.namespace), ...checkKubernetesServiceAccount(input.serviceAccount)]));
  return { issuer: input.issuer, subject: kubernetesSubject(input.namespace, input.serviceAccount), audiences: [input.cloud.tokenExchangeAudience] };
}

export function buildManagedIdentityCredential(input: { readonly cloud: Cloud; readonly tenantId: string; readonly objectId: string }): BuiltCredential {
  const findings: Finding[] = [];
  if (!isGuid(input.tenantId)) findings.push(error('tenantId', 'tenant.notGuid', `Tenant id must be a GUID; ${quote(input.tenantId)} is not.`));
  if (!isGuid(input.objectId)) {
    findings.push(error('subject', 'subject.notGuid', `Managed identity object id must be a GUID; ${quote(input.objectId)} is not.`));
  }
  assertValid(toResult(findings));
  return { issuer: entraIssuer(input.cloud, input.tenantId), subject: input.objectId.toLowerCase(), audiences: [input.cloud.tokenExchangeAudience] };
}

export function buildOtherIssuerCredential(input: { readonly issuer: string; readonly subject: string; readonly audience: string }): BuiltCredential {
  return { issuer: input.issuer, subject: input.subject, audiences: [input.audience] };
}

// --- Defaults for a managed-identity credential ---------------------------------------------------------------

/**
 * `msi-{resourceName}` made into a valid credential name: characters outside letters, digits, '-' and '_' become
 * '-', runs of '-' collapse, and it is cut to 120. The "msi-" prefix already guarantees an alphanumeric first
 * character and the minimum length.
 */
export function defaultManagedIdentityCredentialName(resourceName: string): string {
  const cleaned = Array.from(resourceName)
    .map((c) => (/[A-Za-z0-9_-]/.test(c) ? c : '-'))
    .join('')
    .replace(/-{2,}/g, '-')
    .replace(/^-+/, '');
  const name = `msi-${cleaned}`.slice(0, FIC_LIMITS.nameMax).replace(/-+$/, '');
  return name === 'msi' ? 'msi-identity' : name;
}

/** Appends -2, -3… until the name is free on the app (names are the credentials' keys). */
export function uniqueCredentialName(base: string, taken: readonly string[]): string {
  const used = new Set(taken.map((t) => t.toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const suffix = `-${i}`;
    const candidate = `${base.slice(0, FIC_LIMITS.nameMax - suffix.length)}${suffix}`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}

export function defaultManagedIdentityDescription(input: {
  readonly resourceName: string;
  readonly resourceGroup?: string;
  readonly subscription?: string;
}): string {
  const where = input.resourceGroup ? ` in ${input.resourceGroup}` : '';
  const sub = input.subscription ? ` (${input.subscription})` : '';
  const text = `Credential for ${input.resourceName}${where}${sub}`;
  return text.length > FIC_LIMITS.descriptionMax ? `${text.slice(0, FIC_LIMITS.descriptionMax - 1)}…` : text;
}
