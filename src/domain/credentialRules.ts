// Client-side mirror of Entra's rules for federated identity credentials, so the user sees a problem before the
// request. Sources: Graph v1.0 federatedIdentityCredential resource (limits, single audience, issuer+subject
// unique, name immutable), entra-docs federated-credential-configuration-considerations.md (name 3–120 of
// letters, digits, '-' and '_', starting alphanumeric; 20 per app; no wildcards), and the Feb 2025 change to
// case-sensitive matching.

import { Cloud, classifyIssuer, entraIssuer } from './clouds';
import { describeCharacter, describeUnsafeCharacter, findUnsafeCharacter, hasSurroundingWhitespace, isGuid, quote } from './text';
import { error, Finding, toResult, ValidationResult, warning } from './validation';
import { isLoopbackHost, tryParseUrl } from './web';
import { isMultiTenant } from './model';
import { checkClaimsExpression, type ClaimsMatchingExpression } from './claimsExpression';

export const FIC_LIMITS = {
  nameMin: 3,
  nameMax: 120,
  issuerMax: 600,
  subjectMax: 600,
  audienceMax: 600,
  descriptionMax: 600,
  perApp: 20,
  /** A user-assigned managed identity holds at most as many (entra-docs workload-identity-federation-considerations.md). */
  perIdentity: 20,
} as const;

export const FIC_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;

/** The writable values of a credential, as Graph's POST body takes them. */
export interface CredentialValues {
  readonly name: string;
  readonly issuer: string;
  /** '' for a flexible credential, which matches claims with `claimsMatchingExpression` instead. */
  readonly subject: string;
  readonly audiences: readonly string[];
  readonly description?: string | null;
  /** A flexible credential's expression (preview, Graph beta); exclusive with a subject. */
  readonly claimsMatchingExpression?: ClaimsMatchingExpression | null;
}

/** A credential already on the app, as Graph lists it (subject is null for flexible credentials in beta). */
export interface ExistingCredential {
  readonly id?: string;
  readonly name: string;
  readonly issuer: string;
  readonly subject?: string | null;
  readonly audiences?: readonly string[];
  readonly description?: string | null;
  readonly claimsMatchingExpression?: ClaimsMatchingExpression | null;
}

export function checkName(name: string): Finding[] {
  const f = 'name';
  if (name === '') return [error(f, 'name.required', 'Name is required (3 to 120 letters, digits, "-" or "_").')];
  const length = name.length;
  if (length < FIC_LIMITS.nameMin || length > FIC_LIMITS.nameMax) {
    return [error(f, 'name.length', `Name must be ${FIC_LIMITS.nameMin} to ${FIC_LIMITS.nameMax} characters; ${quote(name)} has ${length}.`)];
  }
  if (!/^[A-Za-z0-9]/.test(name)) {
    return [
      error(
        f,
        'name.firstChar',
        `Name must start with an ASCII letter or digit; ${quote(name)} starts with ${describeCharacter(Array.from(name)[0] as string)}.`,
      ),
    ];
  }
  // Non-ASCII characters show their code point: a Cyrillic "а" or a zero-width space looks like nothing is wrong.
  const bad = Array.from(new Set(Array.from(name).filter((c) => !/[A-Za-z0-9_-]/.test(c))));
  if (bad.length > 0) {
    return [
      error(
        f,
        'name.characters',
        `Name may contain only ASCII letters, digits, "-" and "_"; ${quote(name)} contains ${bad.slice(0, 5).map(describeCharacter).join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}.`,
      ),
    ];
  }
  return [];
}

/** The name is the credential's key in Graph and cannot change; editing it means delete and re-create. */
function checkNameUnchanged(originalName: string, name: string): Finding[] {
  return originalName === name
    ? []
    : [
        error(
          'name',
          'name.immutable',
          `Name cannot be changed after the credential is created (it stays ${quote(originalName)}); delete the credential and add a new one to rename it.`,
        ),
      ];
}

function checkRequiredValue(field: string, label: string, value: string, max: number): Finding[] {
  if (value === '') return [error(field, `${field}.required`, `${label} is required.`)];
  if (value.trim() === '') return [error(field, `${field}.blank`, `${label} must not be only whitespace.`)];
  if (hasSurroundingWhitespace(value)) {
    return [error(field, `${field}.whitespace`, `${label} must not start or end with whitespace (Entra compares it exactly): ${quote(value)}.`)];
  }
  if (value.length > max) return [error(field, `${field}.tooLong`, `${label} must be at most ${max} characters; ${quote(value)} has ${value.length}.`)];
  // Entra compares these values exactly: a line break, a tab or an invisible character makes a value that
  // looks right and never matches (and a line break could forge a line in a message or a log).
  const unsafe = findUnsafeCharacter(value);
  if (unsafe) {
    return [
      error(
        field,
        `${field}.characters`,
        `${label} must not contain control or invisible characters (Entra compares it exactly); ${quote(value)} contains ${describeUnsafeCharacter(unsafe)}.`,
      ),
    ];
  }
  const findings: Finding[] = [];
  if (value.includes('*')) {
    findings.push(warning(field, `${field}.wildcard`, `${label} ${quote(value)} contains "*": wildcards are not supported, so it only matches a literal "*".`));
  }
  return findings;
}

export function checkIssuer(issuer: string): Finding[] {
  const f = 'issuer';
  const basic = checkRequiredValue(f, 'Issuer', issuer, FIC_LIMITS.issuerMax);
  if (basic.some((x) => x.severity === 'error')) return basic;
  const url = tryParseUrl(issuer);
  if (!url || !/^[a-z][a-z0-9+.-]*:\/\//i.test(issuer)) {
    return [error(f, 'issuer.notUrl', `Issuer must be an https URL (the "iss" of the external token); ${quote(issuer)} is not a URL.`)];
  }
  // The URL parser forgives what a token's "iss" never holds: "https:///x" (it takes x for the host) and
  // backslashes (it reads them as "/"). Entra compares the string, so such an issuer would never match.
  if (/^[a-z][a-z0-9+.-]*:\/\/[/\\?#]/i.test(issuer) || issuer.includes('\\')) {
    return [
      error(
        f,
        'issuer.host',
        `Issuer must be an https URL with a host name right after "https://", and no backslashes, like https://token.actions.githubusercontent.com; ${quote(issuer)} is not.`,
      ),
    ];
  }
  // The test emulator issues tokens from a loopback http URL; real identity providers use https (OpenID Connect).
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return [error(f, 'issuer.notHttps', `Issuer must be an https URL; ${quote(issuer)} uses ${url.protocol.replace(/:$/, '')}.`)];
  }
  if (url.username !== '' || url.password !== '') {
    return [error(f, 'issuer.userinfo', `Issuer must not contain a user name or password: ${quote(issuer)}.`)];
  }
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(issuer)) {
    return [error(f, 'issuer.queryOrFragment', `Issuer must not contain a query or fragment (OpenID Connect issuers have none); ${quote(issuer)} does.`)];
  }
  return basic;
}

export function checkSubject(subject: string): Finding[] {
  return checkRequiredValue('subject', 'Subject', subject, FIC_LIMITS.subjectMax);
}

export function checkAudiences(audiences: readonly string[]): Finding[] {
  const f = 'audiences';
  if (audiences.length !== 1) {
    return [error(f, 'audiences.count', `Audience must be exactly one value (Entra accepts a single audience); ${audiences.length} given.`)];
  }
  return checkRequiredValue(f, 'Audience', audiences[0], FIC_LIMITS.audienceMax);
}

export function checkDescription(description: string | null | undefined): Finding[] {
  if (description === undefined || description === null) return [];
  return description.length > FIC_LIMITS.descriptionMax
    ? [error('description', 'description.tooLong', `Description must be at most ${FIC_LIMITS.descriptionMax} characters; it has ${description.length}.`)]
    : [];
}

export interface CredentialContext {
  /** The app's current credentials; enables the per-app checks. */
  readonly existing?: readonly ExistingCredential[];
  /** For an edit: the name of the credential being changed (it is excluded from the uniqueness checks). */
  readonly editing?: string;
  /** For messages: the app's display name (or the identity's name). */
  readonly appName?: string;
  /**
   * Where the credential lives: an app registration (Graph) or a user-assigned managed identity (ARM, where the
   * name is the resource name: names that differ only in case are the same credential, and a PUT would replace it).
   */
  readonly owner?: 'app' | 'managedIdentity';
}

/** All the rules for one credential, plus the per-app rules when the existing credentials are given. */
export function checkCredential(values: CredentialValues, context: CredentialContext = {}): ValidationResult {
  const findings: Finding[] = [
    ...(context.editing === undefined ? checkName(values.name) : checkNameUnchanged(context.editing, values.name)),
    ...checkIssuer(values.issuer),
    ...(values.claimsMatchingExpression
      ? [
          ...(values.subject !== ''
            ? [error('subject', 'subject.withExpression', 'A flexible credential has a claims-matching expression instead of a subject, not both.')]
            : []),
          ...checkClaimsExpression(values.issuer, values.claimsMatchingExpression.value),
        ]
      : checkSubject(values.subject)),
    ...checkAudiences(values.audiences),
    ...checkDescription(values.description),
  ];
  const identity = context.owner === 'managedIdentity';
  const kind = identity ? 'managed identity' : 'app';
  const app = context.appName === undefined ? `this ${kind}` : `${kind} ${quote(context.appName)}`;
  const others = (context.existing ?? []).filter((c) => c.name !== context.editing);
  if (context.existing) {
    const limit = identity ? FIC_LIMITS.perIdentity : FIC_LIMITS.perApp;
    if (context.editing === undefined && context.existing.length >= limit) {
      findings.push(
        error(
          identity ? 'identity' : 'app',
          identity ? 'identity.limit' : 'app.limit',
          `${identity ? 'A managed identity' : 'An app'} can have at most ${limit} federated credentials and ${app} already has ${context.existing.length}; delete one first or use another ${kind}.`,
        ),
      );
    }
    if (context.editing === undefined) {
      const same = others.find((c) => c.name === values.name || (identity && c.name.toLowerCase() === values.name.toLowerCase()));
      const caseOnly = others.find((c) => c.name !== values.name && c.name.toLowerCase() === values.name.toLowerCase());
      if (same) {
        const existing = same.name === values.name ? '' : ` (Azure Resource Manager names ignore case: ${quote(same.name)})`;
        findings.push(error('name', 'name.duplicate', `A credential named ${quote(values.name)} already exists on ${app}${existing}.`));
      } else if (caseOnly) {
        findings.push(
          warning(
            'name',
            'name.caseDuplicate',
            `Name ${quote(values.name)} differs only in letter case from the existing credential ${quote(caseOnly.name)} on ${app}.`,
          ),
        );
      }
    }
    // Entra matches issuer and subject case-sensitively, so only an exact repeat is a duplicate. A flexible
    // credential repeats one with the same issuer and expression.
    const expression = values.claimsMatchingExpression?.value;
    const pair = others.find((c) =>
      expression !== undefined
        ? c.issuer === values.issuer && c.claimsMatchingExpression?.value === expression
        : c.issuer === values.issuer && c.subject === values.subject && !c.claimsMatchingExpression,
    );
    if (pair) {
      findings.push(
        error(
          'subject',
          'subject.duplicate',
          `Credential ${quote(pair.name)} on ${app} already has this issuer and subject; each issuer and subject pair may be used once per ${kind}.`,
        ),
      );
    }
  }
  return toResult(findings);
}

/** What the caller looked up in the tenant for the subject (Graph `servicePrincipals/{id}`), or null if none. */
export interface IdentityLookup {
  readonly id: string;
  readonly servicePrincipalType?: string | null;
  readonly alternativeNames?: readonly string[] | null;
  readonly displayName?: string | null;
}

export interface ManagedIdentityTrustContext {
  readonly cloud: Cloud;
  /** The app's (home) tenant: the managed identity must live there. */
  readonly tenantId: string;
  /** The looked-up identity; `null` = looked up and not found; `undefined` = not looked up (skip). */
  readonly identity?: IdentityLookup | null;
}

/**
 * Graph accepts a wrong issuer, subject or audience silently and the failure only shows at token exchange, so
 * for a managed-identity credential we check what we can: the issuer is this cloud's issuer for the app's
 * tenant, the audience is this cloud's exchange audience, the subject is the identity's object id.
 */
export function checkManagedIdentityTrust(values: CredentialValues, context: ManagedIdentityTrustContext): ValidationResult {
  const { cloud, tenantId } = context;
  // Issuers are shown up to 120 characters: the tenant id that tells them apart sits past the first 60.
  const findings: Finding[] = [];
  const expectedIssuer = entraIssuer(cloud, tenantId);
  if (values.issuer !== expectedIssuer) {
    const seen = classifyIssuer(values.issuer);
    if (seen.kind === 'entra' && seen.tenantId !== tenantId.toLowerCase()) {
      findings.push(
        error(
          'issuer',
          'issuer.otherTenant',
          `Issuer ${quote(values.issuer, 120)} is tenant ${seen.tenantId}, but the managed identity must be in the app's tenant ${tenantId.toLowerCase()}: Entra refuses tokens from other tenants' identities (AADSTS700236). Expected ${quote(expectedIssuer, 120)}.`,
        ),
      );
    } else if (seen.kind === 'entra' && seen.cloud !== cloud.name) {
      findings.push(
        error(
          'issuer',
          'issuer.otherCloud',
          `Issuer ${quote(values.issuer, 120)} belongs to ${seen.cloud}, not ${cloud.name}; trust across clouds is not supported. Expected ${quote(expectedIssuer, 120)}.`,
        ),
      );
    } else {
      findings.push(
        error('issuer', 'issuer.mismatch', `Issuer for a managed identity must be exactly ${quote(expectedIssuer, 120)}; ${quote(values.issuer, 120)} is not.`),
      );
    }
  }
  if (values.audiences.length !== 1 || values.audiences[0] !== cloud.tokenExchangeAudience) {
    findings.push(
      error(
        'audiences',
        'audience.mismatch',
        `Audience for a managed identity in ${cloud.displayName} must be ${quote(cloud.tokenExchangeAudience)}; got ${values.audiences.map((a) => quote(a)).join(', ') || 'none'}.`,
      ),
    );
  }
  if (!isGuid(values.subject)) {
    findings.push(
      error('subject', 'subject.notGuid', `Subject for a managed identity must be its object (principal) id, a GUID; ${quote(values.subject)} is not.`),
    );
  } else if (values.subject !== values.subject.toLowerCase()) {
    findings.push(
      warning(
        'subject',
        'subject.uppercase',
        `Subject ${quote(values.subject)} has upper-case letters; tokens carry the object id in lower case and Entra compares case-sensitively, so use ${quote(values.subject.toLowerCase())}.`,
      ),
    );
  }
  const identity = context.identity;
  if (identity === null && isGuid(values.subject)) {
    findings.push(error('subject', 'subject.notFound', `No managed identity with object id ${values.subject} exists in tenant ${tenantId.toLowerCase()}.`));
  } else if (identity) {
    if (identity.id.toLowerCase() !== values.subject.toLowerCase()) {
      findings.push(error('subject', 'subject.lookupMismatch', `Subject ${quote(values.subject)} is not the looked-up identity ${quote(identity.id)}.`));
    }
    if (identity.servicePrincipalType && identity.servicePrincipalType !== 'ManagedIdentity') {
      findings.push(
        error(
          'subject',
          'subject.notManagedIdentity',
          `Object ${values.subject} is a service principal of type ${quote(identity.servicePrincipalType)}, not a managed identity.`,
        ),
      );
    } else if (!(identity.alternativeNames ?? []).some((n) => n.toLowerCase() === 'isexplicit=true')) {
      findings.push(
        warning(
          'subject',
          'subject.systemAssigned',
          `${identity.displayName ? quote(identity.displayName) : 'This identity'} is a system-assigned managed identity; Microsoft documents only user-assigned identities as supported for trusting an app, so this may stop working. You can go on.`,
        ),
      );
    }
  }
  return toResult(findings);
}

/**
 * A managed identity of another tenant can use the app only if the app is multi-tenant (and consented there).
 * Returns a warning for a single-tenant app, saying why.
 */
export function checkAppIsMultiTenant(signInAudience: string | null | undefined, appName?: string): Finding[] {
  const multi = isMultiTenant(signInAudience ?? '');
  const app = appName === undefined ? 'This app' : `App ${quote(appName)}`;
  return multi
    ? []
    : [
        warning(
          'app',
          'app.singleTenant',
          `${app} is not multi-tenant (sign-in audience ${quote(signInAudience ?? 'unknown')}), so customer tenants cannot consent to it and the runbook can only get tokens for the app's own tenant. Set it to "Accounts in any organizational directory" to use it across tenants.`,
        ),
      ];
}
