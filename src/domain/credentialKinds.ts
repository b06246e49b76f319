// The kinds of federated credential the portal offers, how to recognise each on an existing credential, and
// how to build each one's issuer, subject and audience.

import { Cloud, classifyIssuer, CloudName, BUILT_IN_CLOUDS, entraIssuer } from './clouds';
import { checkIssuer, FIC_LIMITS } from './credentialRules';
import { hasControlCharacter, isGuid, quote } from './text';
import { assertValid, error, Finding, toResult, ValidationResult } from './validation';
import { tryParseUrl } from './web';

export type CredentialKind = 'managedIdentity' | 'githubActions' | 'kubernetes' | 'otherIssuer';

const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
const K8S_SUBJECT_PREFIX = 'system:serviceaccount:';

export type CredentialClassification =
  | { readonly kind: 'managedIdentity'; readonly cloud: CloudName; readonly tenantId: string; readonly objectId?: string }
  | { readonly kind: 'githubActions'; readonly subject?: GitHubSubject }
  | { readonly kind: 'kubernetes'; readonly namespace?: string; readonly serviceAccount?: string }
  | { readonly kind: 'otherIssuer' };

/** Recognises a credential's kind from its issuer (and, for Kubernetes, its subject). */
export function classifyCredential(
  credential: { readonly issuer: string; readonly subject?: string | null },
  clouds: readonly Cloud[] = BUILT_IN_CLOUDS,
): CredentialClassification {
  const subject = credential.subject ?? '';
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

export interface GitHubSubject {
  readonly organization: string;
  readonly repository: string;
  readonly entity: GitHubEntity;
}

// GitHub account names: letters, digits and single inner hyphens, at most 39 characters.
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
// GitHub repository names: letters, digits, '.', '-', '_', at most 100 characters, not '.' or '..'.
const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/;

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

export function checkGitHubSubject(input: GitHubSubject): ValidationResult {
  const e = input.entity;
  return toResult([
    ...checkGitHubOwner(input.organization),
    ...checkGitHubRepository(input.repository),
    ...(e.type === 'environment' ? checkGitHubEnvironment(e.name) : e.type === 'pullRequest' ? [] : checkGitRefName(e.type, e.name)),
  ]);
}

/** The `sub` claim GitHub puts in the job's token, documented in GitHub's OIDC reference. */
export function gitHubSubject(input: GitHubSubject): string {
  const repo = `repo:${input.organization}/${input.repository}`;
  const e = input.entity;
  switch (e.type) {
    case 'environment':
      return `${repo}:environment:${e.name}`;
    case 'branch':
      return `${repo}:ref:refs/heads/${e.name}`;
    case 'tag':
      return `${repo}:ref:refs/tags/${e.name}`;
    case 'pullRequest':
      return `${repo}:pull_request`;
  }
}

/** Reads a GitHub subject back into its parts, or undefined if it is not one of the four portal forms. */
export function parseGitHubSubject(subject: string): GitHubSubject | undefined {
  const m = /^repo:([^/:]+)\/([^/:]+):(.+)$/.exec(subject);
  if (!m) return undefined;
  const [, organization, repository, rest] = m;
  let entity: GitHubEntity | undefined;
  if (rest === 'pull_request') entity = { type: 'pullRequest' };
  else if (rest.startsWith('environment:')) entity = { type: 'environment', name: rest.slice('environment:'.length) };
  else if (rest.startsWith('ref:refs/heads/')) entity = { type: 'branch', name: rest.slice('ref:refs/heads/'.length) };
  else if (rest.startsWith('ref:refs/tags/')) entity = { type: 'tag', name: rest.slice('ref:refs/tags/'.length) };
  return entity && { organization, repository, entity };
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
