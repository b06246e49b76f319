// A target tenant for admin consent, given the way an admin knows it: its id, one of its verified domains, or
// `organizations`. Rules: entra-docs v2-admin-consent.md ("Do not use common") and grant-admin-consent.md
// (`{organization}` = tenant id, any verified domain, or `organizations`).

import { describeCharacter, guidProblem, isGuid, quote } from './text';
import { error, Finding, toResult, ValidationResult, warning } from './validation';
import { tryParseUrl } from './web';

export type Tenant =
  | { readonly kind: 'id'; readonly value: string }
  | { readonly kind: 'domain'; readonly value: string }
  | { readonly kind: 'organizations'; readonly value: 'organizations' };

const MAX_DOMAIN = 253;
const MAX_LABEL = 63;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * Checks a DNS domain name the way a verified Entra domain must look: dot-separated labels of letters, digits
 * and inner hyphens, 1–63 characters each, 253 in all, a non-numeric top-level label. Unicode (IDN) names are
 * converted to their punycode form, which is what Entra stores. Returns the ASCII lower-case form.
 */
export function checkDomainName(field: string, input: string): { domain?: string; findings: Finding[] } {
  const label = field === 'tenant' ? 'Tenant' : field;
  const fail = (code: string, message: string) => ({ findings: [error(field, code, message)] });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    return fail(
      'domain.scheme',
      `${label} must be a tenant id or a domain name without a scheme; remove the "${input.split('://')[0]}://" from ${quote(input)}.`,
    );
  }
  if (input.includes('@')) {
    return fail('domain.email', `${label} must be a tenant id or a domain name, not an email address; use the part after "@" of ${quote(input)}.`);
  }
  const bad = Array.from(new Set(Array.from(input).filter((c) => /[\s/\\?#%:;,'"<>[\]{}|^`*=&+!$()~]/u.test(c) || c.charCodeAt(0) < 0x20)));
  if (bad.length > 0) {
    return fail(
      'domain.characters',
      `${label} must be a tenant id (GUID) or a domain name like contoso.com; ${quote(input)} contains ${bad.map((c) => describeCharacter(c)).join(', ')}.`,
    );
  }
  let ascii = input.toLowerCase().replace(/\.$/, '');
  if (/[^\x20-\x7e]/.test(ascii)) {
    // The WHATWG URL parser applies IDNA (UTS #46) to host names; that is the standard conversion to punycode.
    const url = tryParseUrl(`https://${ascii}/`);
    if (!url || url.hostname === '') return fail('domain.idn', `${label} ${quote(input)} is not a valid internationalised domain name.`);
    ascii = url.hostname;
  }
  if (ascii.length > MAX_DOMAIN) {
    return fail('domain.tooLong', `${label} must be at most ${MAX_DOMAIN} characters as a domain name; ${quote(input)} has ${ascii.length}.`);
  }
  const labels = ascii.split('.');
  if (labels.length < 2) {
    return fail('domain.singleLabel', `${label} must be a tenant id (GUID) or a full domain name such as contoso.onmicrosoft.com; ${quote(input)} has no dot.`);
  }
  for (const part of labels) {
    if (part === '') return fail('domain.emptyLabel', `${label} ${quote(input)} has an empty part between dots.`);
    if (part.length > MAX_LABEL) {
      return fail('domain.labelTooLong', `${label} ${quote(input)} has a part longer than ${MAX_LABEL} characters (${part.length}).`);
    }
    if (!LABEL.test(part)) {
      return fail(
        'domain.label',
        `${label} ${quote(input)}: each part between dots may hold only letters, digits and hyphens, and may not start or end with a hyphen (${quote(part)}).`,
      );
    }
  }
  if (/^\d+$/.test(labels[labels.length - 1])) {
    return fail('domain.numeric', `${label} must be a domain name, not an IP address; ${quote(input)} is one.`);
  }
  return { domain: ascii, findings: [] };
}

/**
 * Parses a tenant given for admin consent. GUIDs are lower-cased, domains converted to ASCII; `organizations`
 * passes with a warning; `common` and `consumers` are refused with the reason.
 */
export function parseTenant(input: string): { tenant?: Tenant; result: ValidationResult } {
  const field = 'tenant';
  const fail = (code: string, message: string) => ({ result: toResult([error(field, code, message)]) });
  if (input.trim() === '') return fail('tenant.required', "Tenant is required: the customer tenant's id (a GUID) or one of its verified domains.");
  if (input !== input.trim()) return fail('tenant.whitespace', `Tenant must not start or end with whitespace: ${quote(input)}.`);
  if (input.length > 300) return fail('tenant.tooLong', `Tenant is too long (${input.length} characters) to be a tenant id or a domain name.`);
  const lower = input.toLowerCase();
  if (isGuid(input)) return { tenant: { kind: 'id', value: lower }, result: toResult([]) };
  if (lower === 'common') {
    return fail(
      'tenant.common',
      'Tenant "common" cannot be used for admin consent: Microsoft says not to use it, because consent must be granted in one specific tenant. Give the customer tenant\'s id or domain.',
    );
  }
  if (lower === 'consumers') {
    return fail(
      'tenant.consumers',
      'Tenant "consumers" cannot be used for admin consent: it means personal Microsoft accounts, which have no administrator. Give the customer tenant\'s id or domain.',
    );
  }
  if (lower === 'organizations') {
    return {
      tenant: { kind: 'organizations', value: 'organizations' },
      result: toResult([
        warning(
          field,
          'tenant.organizations',
          'Tenant "organizations" grants consent in the home tenant of whichever admin signs in, which may not be the customer tenant you mean. Prefer its tenant id or domain.',
        ),
      ]),
    };
  }
  // GUID-shaped but not a GUID (braces, no hyphens, a stray letter or digit): say so rather than "not a domain".
  // A look-alike character (a full-width digit, a Cyrillic "а", a dash that is not "-") makes a GUID-shaped value
  // that the domain rules would convert or misread: say which character it is.
  const problem = guidProblem(input);
  if (
    /^[{(]?[0-9a-z]{8}-?[0-9a-z]{4}-?[0-9a-z]{4}-?[0-9a-z]{4}-?[0-9a-z]{12}[)}]?$/i.test(input) ||
    /^[0-9a-f-]{20,}$/i.test(input) ||
    problem?.includes('only looks like')
  ) {
    return fail(
      'tenant.badGuid',
      `Tenant ${quote(input)} looks like a tenant id but is not a GUID in the form 00000000-0000-0000-0000-000000000000${problem ? ` (${problem})` : ''}.`,
    );
  }
  const { domain, findings } = checkDomainName(field, input);
  if (!domain) return { result: toResult(findings) };
  return { tenant: { kind: 'domain', value: domain }, result: toResult([]) };
}

/** Typed text with several tenants (commas, semicolons, spaces or new lines between them) → the entries, unchecked. */
export function splitTenantList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}
