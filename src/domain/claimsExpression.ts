// Flexible federated identity credentials (preview, Microsoft Graph beta): a claims-matching
// expression instead of a subject. Checked here against the documented grammar and the claims each
// issuer allows, so a wrong expression is refused before anything is sent.
// Source: entra-docs workload-identities-flexible-federated-identity-credentials.md and
// workload-identities-set-up-flexible-federated-identity-credential.md (2026): a clause is
// `claims['<claim>'] <operator> '<comparand>'`, separated by single spaces; operators `eq` (exact) and
// `matches` (`?` one character, `*` any run); clauses on different claims joined with `and`; a single
// quote inside a comparand is written twice. Graph beta federatedIdentityCredential:
// `claimsMatchingExpression: { value, languageVersion: 1 }`, exclusive with `subject`.

import { findUnsafeCharacter, describeUnsafeCharacter, quote } from './text';
import { error, type Finding } from './validation';
import { tryParseUrl } from './web';

export interface ClaimsMatchingExpression {
  readonly value: string;
  readonly languageVersion: number;
}

export const CLAIMS_EXPRESSION_LANGUAGE_VERSION = 1;
const EXPRESSION_MAX = 600;

export type ClaimsOperator = 'eq' | 'matches';

export interface ClaimsClause {
  readonly claim: string;
  readonly operator: ClaimsOperator;
  readonly comparand: string;
}

/** The issuers flexible credentials accept, and per issuer the claims with the operators each allows. */
export interface FlexibleIssuer {
  readonly name: 'GitHub Actions' | 'GitLab' | 'Terraform Cloud';
  readonly claims: Readonly<Record<string, readonly ClaimsOperator[]>>;
  /** Claims every expression must test, and groups of which at least one must be tested. */
  readonly required: readonly string[];
  readonly oneOf?: readonly string[];
}

const GITHUB: FlexibleIssuer = {
  name: 'GitHub Actions',
  claims: { sub: ['eq', 'matches'], job_workflow_ref: ['eq', 'matches'], repository_id: ['eq'], repository_owner_id: ['eq'] },
  required: ['sub'],
  // "must match the sub claim and one or both of the immutable claims repository_id, repository_owner_id".
  oneOf: ['repository_id', 'repository_owner_id'],
};
const GITLAB: FlexibleIssuer = { name: 'GitLab', claims: { sub: ['eq', 'matches'], project_id: ['eq'] }, required: ['sub'] };
const TERRAFORM: FlexibleIssuer = { name: 'Terraform Cloud', claims: { sub: ['eq', 'matches'] }, required: ['sub'] };

/** The flexible-credential rules for an issuer, or undefined when flexible credentials do not accept it. */
export function flexibleIssuer(issuer: string): FlexibleIssuer | undefined {
  const url = tryParseUrl(issuer);
  if (!url || url.protocol !== 'https:' || url.pathname.replace(/\/+$/, '') !== '' || url.search || url.port) return undefined;
  const host = url.hostname.toLowerCase();
  if (host === 'token.actions.githubusercontent.com') return GITHUB;
  // gitlab.com and self-managed GitLab hosts such as gitlab.example.com.
  if (host === 'gitlab.com' || /^gitlab\.[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) return GITLAB;
  if (host === 'app.terraform.io' || host === 'app.eu.terraform.io') return TERRAFORM;
  return undefined;
}

/** Why flexible credentials do not accept this issuer, or undefined when they do. */
export function flexibleIssuerProblem(issuer: string): string | undefined {
  return flexibleIssuer(issuer)
    ? undefined
    : `Flexible credentials accept only GitHub Actions (https://token.actions.githubusercontent.com), GitLab (https://gitlab.com or a self-managed GitLab host) and Terraform Cloud (https://app.terraform.io, https://app.eu.terraform.io) issuers; ${quote(issuer)} is none of them.`;
}

/** Reads an expression into its clauses, or says where it departs from the grammar. */
export function parseClaimsExpression(value: string): { clauses: ClaimsClause[] } | { problem: string } {
  const clauses: ClaimsClause[] = [];
  let i = 0;
  const rest = () => value.slice(i);
  for (;;) {
    const head = /^claims\['([A-Za-z0-9_]+)'\] (eq|matches) '/.exec(rest());
    if (!head) {
      const near = quote(rest().slice(0, 30));
      return {
        problem:
          clauses.length === 0
            ? `must start with a clause such as claims['sub'] eq '…' (claim in claims['…'], then eq or matches, then the value in single quotes, one space apart); it starts with ${near}.`
            : `has ${near} where a clause claims['…'] eq|matches '…' should follow "and".`,
      };
    }
    i += head[0].length;
    // The comparand runs to the next single quote that is not doubled.
    let comparand = '';
    for (;;) {
      if (i >= value.length) return { problem: `has a value that is not closed with a single quote (after claims['${head[1]}'] ${head[2]}).` };
      const c = value[i] as string;
      if (c === "'") {
        if (value[i + 1] === "'") {
          comparand += "'";
          i += 2;
          continue;
        }
        i += 1;
        break;
      }
      comparand += c;
      i += 1;
    }
    clauses.push({ claim: head[1] as string, operator: head[2] as ClaimsOperator, comparand });
    if (i === value.length) return { clauses };
    if (!rest().startsWith(' and ')) return { problem: `has ${quote(rest().slice(0, 30))} after a clause; clauses are joined with " and " (single spaces).` };
    i += ' and '.length;
  }
}

/** Why an expression cannot be sent for this issuer (empty when it can). */
export function checkClaimsExpression(issuer: string, value: string): Finding[] {
  const f = 'claimsMatchingExpression';
  const bad = (code: string, message: string) => [error(f, `claimsExpression.${code}`, message)];
  if (value.trim() === '') return bad('required', "The claims-matching expression is required, such as claims['sub'] matches 'repo:contoso/app:*'.");
  if (value.length > EXPRESSION_MAX)
    return bad('tooLong', `The claims-matching expression must be at most ${EXPRESSION_MAX} characters; it has ${value.length}.`);
  const unsafe = findUnsafeCharacter(value);
  if (unsafe) return bad('characters', `The claims-matching expression contains ${describeUnsafeCharacter(unsafe)}.`);
  const rules = flexibleIssuer(issuer);
  if (!rules) return bad('issuer', flexibleIssuerProblem(issuer) as string);
  const parsed = parseClaimsExpression(value);
  if ('problem' in parsed) return bad('syntax', `The claims-matching expression ${parsed.problem}`);
  const seen = new Set<string>();
  for (const clause of parsed.clauses) {
    const operators = rules.claims[clause.claim];
    if (!operators) {
      return bad('claim', `${rules.name} flexible credentials can test only ${Object.keys(rules.claims).join(', ')}; not ${quote(clause.claim)}.`);
    }
    if (!operators.includes(clause.operator)) {
      return bad('operator', `claims['${clause.claim}'] allows only ${operators.join(' or ')} for ${rules.name}, not ${clause.operator}.`);
    }
    if (seen.has(clause.claim)) return bad('repeated', `claims['${clause.claim}'] is tested twice; "and" joins clauses on different claims.`);
    seen.add(clause.claim);
    if (clause.comparand === '') return bad('empty', `claims['${clause.claim}'] is compared with an empty value.`);
  }
  for (const claim of rules.required) {
    if (!seen.has(claim)) return bad('missing', `A ${rules.name} flexible credential must test claims['${claim}'].`);
  }
  if (rules.oneOf && !rules.oneOf.some((c) => seen.has(c))) {
    return bad(
      'immutableClaim',
      `A ${rules.name} flexible credential must also test ${rules.oneOf.map((c) => `claims['${c}']`).join(' or ')} (the ids that do not change when a repository or owner is renamed).`,
    );
  }
  return [];
}
