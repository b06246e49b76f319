// Explain an Entra (AADSTS) or Microsoft Graph error that a user pastes: a token endpoint's JSON answer, a
// log line (escaped once or twice), an SDK exception's text. Pure: parse the text, say what the code means,
// and compare what the failed assertion presented (issuer, subject, audience) with an app's federated
// credentials. The service (src/services/errorExplanationService.ts) reads the app through Graph.
// Sources: entra-docs reference-error-codes.md; workload-identity-federation-considerations.md (70021 while a
// credential propagates); the breaking change "federated identity credentials now use case-sensitive
// matching" (Feb 2025); real payloads in Azure/login #482, #515, #517, azure-workload-identity #616, #1200,
// dotnet/maui #31978 (700213, 7002138, 70021, 700211), Microsoft Q&A 2139753 (700236). No token or secret
// that the text carries survives parsing: the text is redacted before anything is read from it.

import { classifyIssuer, type Cloud } from './clouds';
import type { AppRegistration, FederatedCredential } from './model';
import { isGuid, quote, redactSecrets } from './text';

/** What an error is about, whatever its code. */
export type ErrorCategory =
  | 'issuerMismatch'
  | 'subjectMismatch'
  | 'audienceMismatch'
  | 'noMatchingCredential'
  | 'appNotInTenant'
  | 'missingServicePrincipal'
  | 'crossTenantIssuer'
  | 'assertionExpired'
  | 'assertionSignature'
  | 'assertionInvalid'
  | 'userTokenAsAssertion'
  | 'badSecret'
  | 'missingClientCredential'
  | 'consentMissing'
  | 'resourceNotFound'
  | 'invalidScope'
  | 'tenantNotFound'
  | 'permissionMissing'
  | 'signInExpired'
  | 'notFound'
  | 'unknownCode'
  | 'noCode';

/** The failed assertion's claims, as the error's description gives them. */
export interface PresentedAssertion {
  readonly issuer?: string;
  readonly subject?: string;
  readonly audience?: string;
}

export interface ParsedErrorText {
  /** AADSTS codes in the order they appear, each once. */
  readonly aadsts: readonly number[];
  /** Microsoft Graph (or ARM) error codes such as `Authorization_RequestDenied`. */
  readonly graphCodes: readonly string[];
  /** The OAuth `error` (invalid_client, unauthorized_client, …) when present. */
  readonly oauthError?: string;
  readonly httpStatus?: number;
  readonly traceId?: string;
  readonly correlationId?: string;
  readonly timestamp?: string;
  readonly presented: PresentedAssertion;
  /** Tenant ids (GUIDs) the text names: the issuer's tenant, the token endpoint's, "the tenant {id}". */
  readonly tenantIds: readonly string[];
  /** Directory names the text names (`directory 'Fabrikam'`): Entra writes a display name there, not an id. */
  readonly tenantNames: readonly string[];
  /** Application (client) ids the text names. */
  readonly clientIds: readonly string[];
  /** The resource the request asked for (500011), when named. */
  readonly resource?: string;
  /** The first error description, one line, redacted and cut: for showing, never containing a token. */
  readonly description?: string;
  /** True when the text held something token- or secret-like (it was removed before parsing). */
  readonly hadSecret: boolean;
}

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const MAX_TEXT = 100_000;
const MAX_DESCRIPTION = 400;

/** Graph and ARM codes this module explains (exactly as the services write them). */
const GRAPH_CODES = [
  'Authorization_RequestDenied',
  'Authorization_IdentityNotFound',
  'InvalidAuthenticationToken',
  'Request_ResourceNotFound',
  'ResourceNotFound',
  'AuthorizationFailed',
  'accessDenied',
  'Forbidden',
] as const;
const WORD_CODES = ['ResourceNotFound', 'accessDenied', 'Forbidden'] as const;

/**
 * Undoes the escaping a log adds (JSON in a string in a log line: `\\r\\n`, `\\"`), up to three levels,
 * so the description reads as Entra wrote it. Backslashes in a value are rare enough in these texts.
 */
function unescapeLayers(text: string): string {
  let out = text;
  for (let i = 0; i < 3; i++) {
    const next = out
      .replace(/\\+r\\+n|\\+n|\\+r|\\+t/g, '\n')
      .replace(/\\+"/g, '"')
      .replace(/\\+'/g, "'")
      .replace(/\\+u0027/gi, "'")
      .replace(/\\+u0026/gi, '&');
    if (next === out) break;
    out = next;
  }
  return out;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function firstMatch(text: string, patterns: readonly RegExp[]): string | undefined {
  for (const p of patterns) {
    const m = p.exec(text);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}

/** `'***'` (a CI log's mask) or an empty value tells nothing. */
function usable(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/^\*+$/.test(value.trim()) || value === '[redacted token]') return undefined;
  return value;
}

/** Reads an error text. Never throws: anything that is not an error gives empty lists. */
export function parseErrorText(input: unknown): ParsedErrorText {
  const raw = typeof input === 'string' ? input.slice(0, MAX_TEXT) : '';
  const redacted = redactSecrets(raw);
  const hadSecret = redacted !== raw;
  const text = unescapeLayers(redacted);

  const aadsts = unique([...text.matchAll(/AADSTS(\d{5,8})\b/g)].map((m) => Number(m[1])));
  // error_codes: [70021] without the AADSTS prefix in the description (some SDKs print only the body's array).
  for (const m of text.matchAll(/"?error_codes"?\s*[:=]\s*\[\s*([\d,\s]+)\]/g)) {
    for (const n of (m[1] ?? '').split(/[,\s]+/).filter(Boolean)) if (!aadsts.includes(Number(n))) aadsts.push(Number(n));
  }
  // Codes that are also plain words (Forbidden) count only as a body's "code".
  const graphCodes = GRAPH_CODES.filter((c) =>
    (WORD_CODES as readonly string[]).includes(c) ? new RegExp(`"code"\\s*:\\s*"${c}"`).test(text) : new RegExp(`(^|[^A-Za-z_])${c}([^A-Za-z_]|$)`).test(text),
  );

  const oauthError = firstMatch(text, [
    /"error"\s*:\s*"([a-z_]+)"/,
    /\berror[=:]\s*'?([a-z]+_[a-z_]+)\b/,
    /\b(invalid_client|invalid_request|invalid_grant|unauthorized_client|invalid_scope|invalid_resource|interaction_required)\b/,
  ]);
  const status = firstMatch(text, [
    /\bstatus(?:\s*code)?(?: was)?["']?\s*[:=]?\s*(\d{3})\b/i,
    /\bHTTP(?:\/\d(?:\.\d)?)?\s+(\d{3})\b/,
    /\b(40[0-9]|50[0-9])\s+(?:Bad Request|Unauthorized|Forbidden|Not Found)/,
  ]);

  const traceId = firstMatch(text, [new RegExp(`Trace ID:\\s*(${GUID})`, 'i'), new RegExp(`"?trace_id"?\\s*[:=]\\s*"?(${GUID})`, 'i')]);
  const correlationId = firstMatch(text, [
    new RegExp(`Correlation ID:\\s*(${GUID})`, 'i'),
    new RegExp(`"?correlation_id"?\\s*[:=]\\s*"?(${GUID})`, 'i'),
    new RegExp(`"?client-request-id"?\\s*[:=]\\s*"?(${GUID})`, 'i'),
  ]);
  const requestId = firstMatch(text, [new RegExp(`"?request-id"?\\s*[:=]\\s*"?(${GUID})`, 'i')]);
  const timestamp = firstMatch(text, [/Timestamp:\s*(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}Z?)/i, /"date"\s*:\s*"(\d{4}-\d{2}-\d{2}T[\d:.]+Z?)"/]);

  const presented: PresentedAssertion = {
    ...pick(
      'issuer',
      firstMatch(text, [/presented assertion issuer '([^'\n]*)'/i, /Assertion Issuer:\s*'([^'\n]*)'/i, /tokens issued by issuer '([^'\n]*)'/i]),
    ),
    ...pick('subject', firstMatch(text, [/presented assertion subject '([^'\n]*)'/i, /Assertion Subject:\s*'([^'\n]*)'/i])),
    ...pick('audience', firstMatch(text, [/presented assertion audience '([^'\n]*)'/i, /Assertion Audience:\s*'([^'\n]*)'/i])),
  };

  const ids = new Set([traceId, correlationId, requestId].filter((v): v is string => v !== undefined).map((v) => v.toLowerCase()));
  const tenantIds = unique(
    [
      // The issuer's tenant, a login URL's tenant segment, and the wordings that name a tenant.
      ...[...text.matchAll(new RegExp(`https?://[^\\s'"/]+/(${GUID})(?=/|'|"|\\s|$)`, 'g'))].map((m) => m[1] as string),
      ...[...text.matchAll(new RegExp(`\\b(?:tenant|directory)(?: id| named)?\\s*[:=]?\\s*'?(${GUID})`, 'gi'))].map((m) => m[1] as string),
      ...[...text.matchAll(new RegExp(`\\btenant[-_]id"?\\s*[:=]\\s*"?(${GUID})`, 'gi'))].map((m) => m[1] as string),
    ]
      .map((v) => v.toLowerCase())
      .filter((v) => !ids.has(v)),
  );
  const tenantNames = unique(
    [...text.matchAll(/(?:not found in the directory|in the directory|tenant named)\s+'?([^'\n.]+?)'?(?:\.|\s+This|$)/gim)]
      .map((m) => (m[1] as string).trim())
      .filter((v) => v !== '' && !isGuid(v)),
  );
  const clientIds = unique(
    [
      ...[
        ...text.matchAll(
          new RegExp(
            `(?:Application with identifier|application with ID|client application|(?:to|for) app|client[-_ ]id"?\\s*[:=]|appid"?\\s*[:=]|AppId"?\\s*[:=])\\s*'?"?(${GUID})`,
            'gi',
          ),
        ),
      ].map((m) => m[1] as string),
    ]
      .map((v) => v.toLowerCase())
      .filter((v) => !ids.has(v) && !tenantIds.includes(v)),
  );
  const resource = firstMatch(text, [/resource principal named (\S+) was not found/i]);

  const descriptionStart = /AADSTS\d{5,8}:[^\n]*/.exec(text)?.[0] ?? firstMatch(text, [/"message"\s*:\s*"([^"]+)"/]);
  const description = descriptionStart ? oneLine(descriptionStart.split(/\s*Trace ID:/i)[0] as string) : undefined;

  return {
    aadsts,
    graphCodes,
    ...(oauthError ? { oauthError } : {}),
    ...(status ? { httpStatus: Number(status) } : {}),
    ...(traceId ? { traceId: traceId.toLowerCase() } : requestId ? { traceId: requestId.toLowerCase() } : {}),
    ...(correlationId ? { correlationId: correlationId.toLowerCase() } : {}),
    ...(timestamp ? { timestamp } : {}),
    presented,
    tenantIds,
    tenantNames,
    clientIds,
    ...(resource ? { resource } : {}),
    ...(description ? { description } : {}),
    hadSecret,
  };
}

function pick<K extends keyof PresentedAssertion>(key: K, value: string | undefined): Partial<PresentedAssertion> {
  const v = usable(value);
  return v === undefined ? {} : { [key]: v };
}

function oneLine(value: string): string {
  const clean = redactSecrets(value).replace(/\s+/g, ' ').trim();
  return clean.length > MAX_DESCRIPTION ? `${clean.slice(0, MAX_DESCRIPTION)}…` : clean;
}

// --- What each code means

interface CodeInfo {
  readonly category: ErrorCategory;
  readonly title: string;
  readonly summary: string;
}

const CASE_SENSITIVE =
  'Entra compares issuer, subject and audience exactly, case-sensitively (since February 2025), and accepts a token only when one credential matches all three.';

/** The codes this module explains. Those not listed get a general answer with their own description. */
export const AADSTS_CODES: Readonly<Record<number, CodeInfo>> = {
  700211: {
    category: 'issuerMismatch',
    title: 'No federated credential has the token’s issuer',
    summary: `No federated credential of the app has the issuer of the presented token. ${CASE_SENSITIVE}`,
  },
  700213: {
    category: 'subjectMismatch',
    title: 'No federated credential has the token’s subject',
    summary: `A federated credential of the app has the token's issuer, but none has its subject. ${CASE_SENSITIVE}`,
  },
  7002138: {
    category: 'subjectMismatch',
    title: 'The subject matches only when case is ignored',
    summary: `A federated credential has the token's issuer and its subject with other upper and lower case letters. ${CASE_SENSITIVE}`,
  },
  7002137: {
    category: 'subjectMismatch',
    title: 'No federated credential has the token’s subject',
    summary: `No federated credential of the app has the subject of the presented token. ${CASE_SENSITIVE}`,
  },
  700212: {
    category: 'audienceMismatch',
    title: 'No federated credential has the token’s audience',
    summary: `A federated credential of the app has the token's issuer and subject, but not its audience. For a managed identity the audience is the cloud's token-exchange audience (api://AzureADTokenExchange in the global cloud).`,
  },
  7002121: {
    category: 'audienceMismatch',
    title: 'No federated credential has the token’s audience',
    summary: "No federated credential of the app has the presented token's audience.",
  },
  70021: {
    category: 'noMatchingCredential',
    title: 'No federated credential matches the token',
    summary: `No federated credential of the app matches the presented token's issuer, subject and audience. A credential added or changed a few minutes ago may not be in use yet: Entra can take minutes to propagate it. ${CASE_SENSITIVE}`,
  },
  700016: {
    category: 'appNotInTenant',
    title: 'The app is not known in that tenant',
    summary:
      'The tenant the token was requested from has no service principal for the app: an administrator of that tenant has not granted consent (or the request went to the wrong tenant, or the client id is wrong). Right after consent, the service principal can take a minute to appear.',
  },
  7000229: {
    category: 'missingServicePrincipal',
    title: 'The app has no service principal in its own tenant',
    summary:
      'The app registration exists, but its tenant has no service principal (enterprise application) for it, so it cannot get tokens there. Granting admin consent in that tenant creates it (as does `az ad sp create --id <client id>`).',
  },
  700236: {
    category: 'crossTenantIssuer',
    title: 'A token of another tenant’s Entra ID',
    summary:
      "Entra accepts a managed identity's (or any Entra-issued) token as a federated credential only for apps registered in the same tenant as the identity. The credential must be on a multi-tenant app registered in the identity's tenant; other tenants get that app through admin consent.",
  },
  700024: {
    category: 'assertionExpired',
    title: 'The assertion has expired',
    summary:
      'The client assertion (the managed identity or workload token) is outside its lifetime. Get a fresh token right before the exchange; do not cache it beyond its expiry. Also check the clock of the machine that made it.',
  },
  700027: {
    category: 'assertionSignature',
    title: 'The assertion’s signature did not verify',
    summary:
      "Entra could not verify the assertion's signature with the issuer's published keys: the token was altered, or the issuer's keys (its OpenID configuration and JWKS) do not hold the signing key.",
  },
  50027: {
    category: 'assertionInvalid',
    title: 'The assertion is not a valid JWT',
    summary:
      "The client assertion is malformed, or Entra could not read the issuer's signing keys. Pass the token itself (not a file name or an empty variable) as client_assertion.",
  },
  700229: {
    category: 'userTokenAsAssertion',
    title: 'A user’s token was used as the assertion',
    summary: 'Only app-only tokens (client credentials, a managed identity) can be federated credentials for an Entra issuer.',
  },
  7000215: {
    category: 'badSecret',
    title: 'Wrong client secret',
    summary: "The client secret is wrong: send the secret's value, not its id. A federated credential needs no secret at all: use client_assertion instead.",
  },
  7000222: {
    category: 'badSecret',
    title: 'The client secret has expired',
    summary: 'The client secret has expired; prefer a federated credential, which needs no secret.',
  },
  7000218: {
    category: 'missingClientCredential',
    title: 'No client credential was sent',
    summary:
      'The token request carried neither a client_assertion nor a client_secret. For a federated credential, send the managed identity (or workload) token as client_assertion with client_assertion_type urn:ietf:params:oauth:client-assertion-type:jwt-bearer.',
  },
  65001: {
    category: 'consentMissing',
    title: 'Consent is missing',
    summary: 'The user or an administrator of that tenant has not consented to the app’s permissions. An administrator must grant admin consent.',
  },
  500011: {
    category: 'resourceNotFound',
    title: 'The resource is not in that tenant',
    summary:
      'The API the token was asked for has no service principal in that tenant. For your own API, an administrator must consent to it there; for Microsoft APIs, check the scope (for example https://graph.microsoft.com/.default).',
  },
  1002012: {
    category: 'invalidScope',
    title: 'Invalid scope for client credentials',
    summary: 'A client-credentials request must ask for exactly one resource with /.default, for example https://graph.microsoft.com/.default.',
  },
  90002: {
    category: 'tenantNotFound',
    title: 'The tenant was not found',
    summary: 'No tenant with that id or domain exists in this cloud: check the tenant id, and that the request goes to the right cloud’s login host.',
  },
};

const GRAPH_INFO: Readonly<Record<(typeof GRAPH_CODES)[number], CodeInfo>> = {
  Authorization_RequestDenied: {
    category: 'permissionMissing',
    title: 'Insufficient privileges (Microsoft Graph)',
    summary:
      "Microsoft Graph refused the call: the token has no permission for it. For an app-only token, the app needs the application permission (app role) the call requires, granted by admin consent in the tenant the token is for; after adding a permission, consent must be granted again. The token's roles claim shows what it has.",
  },
  Authorization_IdentityNotFound: {
    category: 'appNotInTenant',
    title: 'The app is not known in that tenant (Microsoft Graph)',
    summary: "The app calling Microsoft Graph has no service principal in the token's tenant: an administrator must grant admin consent there.",
  },
  InvalidAuthenticationToken: {
    category: 'signInExpired',
    title: 'Invalid or expired token (Microsoft Graph)',
    summary: 'The access token is expired, for another audience, or not valid for Microsoft Graph: get a new token for https://graph.microsoft.com/.default.',
  },
  Request_ResourceNotFound: {
    category: 'notFound',
    title: 'Not found (Microsoft Graph)',
    summary: 'The object does not exist in the tenant the token is for: check the id and the tenant.',
  },
  ResourceNotFound: { category: 'notFound', title: 'Not found', summary: 'The object does not exist in the tenant or subscription the token is for.' },
  AuthorizationFailed: {
    category: 'permissionMissing',
    title: 'Not authorized (Azure Resource Manager)',
    summary: 'The identity has no Azure role assignment that allows this action on that scope.',
  },
  accessDenied: {
    category: 'permissionMissing',
    title: 'Access denied (Microsoft Graph)',
    summary: 'The token has no permission for this call: check the application permissions granted in that tenant.',
  },
  Forbidden: {
    category: 'permissionMissing',
    title: 'Forbidden (Microsoft Graph)',
    summary: 'The token has no permission for this call: check the application permissions granted in that tenant.',
  },
};

/** The code an explanation is about: the most specific AADSTS code first, else the first Graph code. */
export function primaryCode(parsed: ParsedErrorText): { aadsts: number } | { graph: (typeof GRAPH_CODES)[number] } | undefined {
  const known = parsed.aadsts.find((c) => AADSTS_CODES[c] !== undefined);
  if (known !== undefined) return { aadsts: known };
  if (parsed.aadsts[0] !== undefined) return { aadsts: parsed.aadsts[0] };
  const graph = parsed.graphCodes[0] as (typeof GRAPH_CODES)[number] | undefined;
  return graph ? { graph } : undefined;
}

// --- The explanation

export type CredentialField = 'issuer' | 'subject' | 'audience';

/** How a credential's value differs from what was presented. */
export type DifferenceKind = 'case' | 'whitespace' | 'trailingSlash' | 'tenant' | 'cloud' | 'issuerVersion' | 'different';

export interface CredentialDifference {
  readonly credential: { readonly id: string; readonly name: string };
  readonly field: CredentialField;
  readonly configured: string;
  readonly presented: string;
  readonly kind: DifferenceKind;
  /** One sentence: which credential, which field, what it has, what the token had. */
  readonly message: string;
}

export interface ExplanationAction {
  readonly label: string;
  readonly command: 'federatedCredentials.editCredential' | 'federatedCredentials.copyConsentUrl';
  readonly arguments: Readonly<Record<string, string>>;
  /** Arguments the command still needs, asked for when the action is chosen (the tenant of a consent URL). */
  readonly missing?: readonly string[];
}

export interface ExplainedApp {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly signInAudience: string;
}

export interface ErrorExplanation {
  /** False when the text holds no AADSTS or Graph error code. */
  readonly found: boolean;
  /** `AADSTS700213`, `Authorization_RequestDenied`: every code found, the explained one first. */
  readonly codes: readonly string[];
  readonly category: ErrorCategory;
  readonly title: string;
  readonly summary: string;
  /** What the comparison with the app found, one sentence each. */
  readonly details: readonly string[];
  readonly differences: readonly CredentialDifference[];
  /** A credential that matches the presented token exactly (the error then is propagation, or a change since). */
  readonly matchingCredential?: { readonly id: string; readonly name: string };
  readonly app?: ExplainedApp;
  readonly tenant?: string;
  readonly presented: PresentedAssertion;
  readonly tenantIds: readonly string[];
  readonly clientIds: readonly string[];
  readonly traceId?: string;
  readonly correlationId?: string;
  readonly timestamp?: string;
  /** The service's own description, one line, redacted. */
  readonly description?: string;
  readonly actions: readonly ExplanationAction[];
}

/** The answer for a text without any code. */
export const NO_CODE_SUMMARY =
  'No AADSTS or Graph error code found in the text. Paste the whole error: the token endpoint’s answer (error_description with “AADSTS…”) or Microsoft Graph’s error (code such as Authorization_RequestDenied).';

/** What the text alone says: the code's meaning, the ids, the presented claims. No comparison with an app yet. */
export function explainParsed(parsed: ParsedErrorText): ErrorExplanation {
  const primary = primaryCode(parsed);
  const codes = [
    ...(primary && 'aadsts' in primary ? [`AADSTS${primary.aadsts}`] : []),
    ...parsed.aadsts.filter((c) => !(primary && 'aadsts' in primary && primary.aadsts === c)).map((c) => `AADSTS${c}`),
    ...parsed.graphCodes,
  ];
  const common = {
    codes,
    details: [] as string[],
    differences: [] as CredentialDifference[],
    presented: parsed.presented,
    tenantIds: parsed.tenantIds,
    clientIds: parsed.clientIds,
    ...(parsed.traceId ? { traceId: parsed.traceId } : {}),
    ...(parsed.correlationId ? { correlationId: parsed.correlationId } : {}),
    ...(parsed.timestamp ? { timestamp: parsed.timestamp } : {}),
    ...(parsed.description ? { description: parsed.description } : {}),
    actions: [] as ExplanationAction[],
  };
  if (!primary) return { ...common, found: false, category: 'noCode', title: 'No error code found', summary: NO_CODE_SUMMARY };
  if ('graph' in primary) {
    const info = GRAPH_INFO[primary.graph];
    return { ...common, found: true, category: info.category, title: info.title, summary: info.summary };
  }
  const info = AADSTS_CODES[primary.aadsts];
  if (!info) {
    return {
      ...common,
      found: true,
      category: 'unknownCode',
      title: `AADSTS${primary.aadsts}`,
      summary: `AADSTS${primary.aadsts} is not one of the federated-credential, consent and tenant errors this extension explains. Look it up at https://login.microsoftonline.com/error?code=${primary.aadsts}.${parsed.description ? ` Entra said: ${parsed.description}` : ''}`,
    };
  }
  return { ...common, found: true, category: info.category, title: info.title, summary: info.summary };
}

// --- Comparing the presented claims with an app's credentials

const show = (value: string, max = 120) => quote(value, max);

function issuerTenant(issuer: string, clouds: readonly Cloud[]): string | undefined {
  const c = classifyIssuer(issuer.trim(), clouds);
  return c.kind === 'entra' ? c.tenantId : undefined;
}

/** How `configured` differs from `presented` in `field`, or undefined when they are equal. */
export function differenceKind(field: CredentialField, configured: string, presented: string, clouds: readonly Cloud[] = []): DifferenceKind | undefined {
  if (configured === presented) return undefined;
  if (configured.trim() === presented.trim()) return 'whitespace';
  if (configured.toLowerCase() === presented.toLowerCase()) return 'case';
  if (field === 'issuer') {
    const strip = (v: string) => v.trim().replace(/\/+$/, '');
    if (strip(configured) === strip(presented)) return 'trailingSlash';
    const a = classifyIssuer(configured.trim(), clouds);
    const b = classifyIssuer(presented.trim(), clouds);
    if (a.kind === 'entra' && b.kind === 'entra') {
      if (a.tenantId !== b.tenantId) return 'tenant';
      if (a.cloud !== b.cloud) return 'cloud';
      if (a.version !== b.version) return 'issuerVersion';
    }
  }
  return 'different';
}

function describeDifference(
  credential: FederatedCredential,
  field: CredentialField,
  configured: string,
  presented: string,
  kind: DifferenceKind,
  clouds: readonly Cloud[],
): string {
  const head = `Credential ${quote(credential.name)} has ${field} ${show(configured)} but the token presented ${show(presented)}`;
  switch (kind) {
    case 'case':
      return `${head}: only upper and lower case differ, and Entra compares ${field}s case-sensitively since February 2025.`;
    case 'whitespace':
      return `${head}: they differ only by whitespace at the start or end, which Entra does not ignore.`;
    case 'trailingSlash':
      return `${head}: they differ only by a trailing slash, which Entra does not ignore.`;
    case 'tenant':
      return `${head}: the credential's issuer names tenant ${issuerTenant(configured, clouds)}, the token's names tenant ${issuerTenant(presented, clouds)}.`;
    case 'cloud':
      return `${head}: the two issuers belong to different clouds.`;
    case 'issuerVersion':
      return `${head}: one is a v1.0 (sts.windows.net) issuer, the other a v2.0 one; managed identity tokens carry the v2.0 issuer.`;
    default:
      return `${head}.`;
  }
}

/** The app's credentials that match by subject (flexible ones have an expression instead and are left out). */
function exact(credentials: readonly FederatedCredential[]): FederatedCredential[] {
  return credentials.filter((c) => !c.claimsMatchingExpression && c.subject !== '');
}

export interface CredentialComparison {
  readonly details: string[];
  readonly differences: CredentialDifference[];
  readonly matchingCredential?: { readonly id: string; readonly name: string };
  readonly actions: ExplanationAction[];
}

function editAction(app: ExplainedApp, credential: FederatedCredential, field: CredentialField, value: string): ExplanationAction {
  return {
    label: `Set the ${field} of ${quote(credential.name)} to ${show(value, 60)}`,
    command: 'federatedCredentials.editCredential',
    arguments: { app: app.id, credential: credential.id, [field]: value },
  };
}

/**
 * Which credential of the app differs in which field from what the token presented, in Entra's order
 * (issuer, then subject, then audience). `presented` may lack claims (each code names only the one that
 * failed): the comparison then uses what is there.
 */
export function compareWithCredentials(
  app: ExplainedApp,
  all: readonly FederatedCredential[],
  presented: PresentedAssertion,
  clouds: readonly Cloud[] = [],
): CredentialComparison {
  const details: string[] = [];
  const differences: CredentialDifference[] = [];
  const actions: ExplanationAction[] = [];
  const appName = quote(app.displayName);
  const credentials = exact(all);
  const flexibleCount = all.length - credentials.length;
  if (all.length === 0) {
    details.push(`App ${appName} has no federated credentials at all: add one that trusts the token's issuer and subject.`);
    return { details, differences, actions };
  }
  if (flexibleCount > 0) details.push(`${flexibleCount} flexible credential(s) of ${appName} match by expression and are not compared here.`);
  const { issuer, subject, audience } = presented;
  const difference = (c: FederatedCredential, field: CredentialField, configured: string, value: string): CredentialDifference | undefined => {
    const kind = differenceKind(field, configured, value, clouds);
    if (!kind) return undefined;
    return {
      credential: { id: c.id, name: c.name },
      field,
      configured,
      presented: value,
      kind,
      message: describeDifference(c, field, configured, value, kind, clouds),
    };
  };
  const hasAudience = (c: FederatedCredential) => audience === undefined || audience.split(',').some((a) => c.audiences.includes(a));

  // An exact match: nothing differs. Either the credential is still propagating, or it was fixed since.
  const match = credentials.find((c) => (issuer === undefined || c.issuer === issuer) && (subject === undefined || c.subject === subject) && hasAudience(c));
  if (match && issuer !== undefined && subject !== undefined) {
    details.push(
      `Credential ${quote(match.name)} of ${appName} matches the presented issuer, subject and audience exactly. A credential added or changed in the last few minutes can take that long to be used by Entra (Graph does not say when it was written): wait a few minutes and try again. If it still fails after about 10 minutes, the request went to another app or tenant.`,
    );
    return { details, differences, matchingCredential: { id: match.id, name: match.name }, actions };
  }

  // Issuer: no credential has it (700211).
  const byIssuer = issuer === undefined ? credentials : credentials.filter((c) => c.issuer === issuer);
  if (issuer !== undefined && byIssuer.length === 0) {
    const scored = credentials
      .map((c) => {
        const kind = differenceKind('issuer', c.issuer, issuer, clouds) as DifferenceKind;
        const subjectKind =
          subject === undefined ? undefined : c.subject === subject ? 'same' : c.subject.toLowerCase() === subject.toLowerCase() ? 'case' : 'other';
        const score = (subjectKind === 'same' ? 8 : subjectKind === 'case' ? 4 : 0) + (kind === 'different' ? 0 : 2) + (hasAudience(c) ? 1 : 0);
        return { c, kind, score, subjectKind };
      })
      .sort((a, b) => b.score - a.score);
    const best = scored[0];
    details.push(`No credential of ${appName} has the issuer ${show(issuer)}.`);
    if (best) {
      const d = difference(best.c, 'issuer', best.c.issuer, issuer) as CredentialDifference;
      differences.push(d);
      details.push(`The closest is ${quote(best.c.name)}: ${d.message.replace(/^Credential "[^"]*" has /, 'it has ')}`);
      // Offer the presented issuer only where the credential is plainly meant for this token.
      if (best.subjectKind === 'same' || best.subjectKind === 'case' || (subject === undefined && best.kind !== 'different')) {
        actions.push(editAction(app, best.c, 'issuer', issuer));
      }
    }
    return { details, differences, actions };
  }

  // Subject: the issuer is there, the subject is not (700213, 7002138).
  if (subject !== undefined) {
    const bySubject = byIssuer.filter((c) => c.subject === subject);
    if (bySubject.length === 0) {
      const near = byIssuer.filter((c) => differenceKind('subject', c.subject, subject) !== 'different');
      if (near.length > 0) {
        for (const c of near) {
          const d = difference(c, 'subject', c.subject, subject) as CredentialDifference;
          differences.push(d);
          details.push(d.message);
          actions.push(editAction(app, c, 'subject', subject));
        }
        return { details, differences, actions };
      }
      details.push(
        `No credential of ${appName}${issuer !== undefined ? ` with the issuer ${show(issuer)}` : ''} has the subject ${show(subject)}${
          byIssuer.length
            ? `; ${byIssuer.length === 1 ? 'it has' : 'they have'} ${byIssuer.map((c) => `${quote(c.name)}: ${show(c.subject, 80)}`).join(', ')}`
            : ''
        }.`,
      );
      for (const c of byIssuer) {
        const d = difference(c, 'subject', c.subject, subject);
        if (d) differences.push(d);
      }
      // One candidate: offering the presented subject is what the user most likely means.
      if (byIssuer.length === 1) actions.push(editAction(app, byIssuer[0] as FederatedCredential, 'subject', subject));
      return { details, differences, actions };
    }
    if (issuer === undefined && bySubject.length > 0) {
      // 700213 names only the subject: a credential that has it must have another issuer than the token.
      for (const c of bySubject) {
        details.push(
          `Credential ${quote(c.name)} has this subject, but Entra found a credential with the token's issuer and none with both: the issuer of ${quote(c.name)} (${show(c.issuer)}) is probably not the token's.`,
        );
      }
      return { details, differences, actions };
    }
    if (audience !== undefined) {
      for (const c of bySubject) {
        if (hasAudience(c)) continue;
        const d = difference(c, 'audience', c.audiences.join(','), audience) as CredentialDifference;
        differences.push(d);
        details.push(d.message);
        if (!audience.includes(',')) actions.push(editAction(app, c, 'audience', audience));
      }
      return { details, differences, actions };
    }
    return { details, differences, actions };
  }

  // Only the audience is known (700212): the credentials that lack it.
  if (audience === undefined) {
    // The text named no claim (an older 70021 wording): list what the app trusts, to compare with the token.
    details.push(
      `The error does not say what the token presented. ${appName} trusts: ${credentials
        .slice(0, 10)
        .map((c) => `${quote(c.name)} (issuer ${show(c.issuer, 80)}, subject ${show(c.subject, 80)}, audience ${show(c.audiences.join(','), 40)})`)
        .join('; ')}${credentials.length > 10 ? ` and ${credentials.length - 10} more` : ''}. Compare them with the token's iss, sub and aud claims.`,
    );
  } else {
    const without = byIssuer.filter((c) => !hasAudience(c));
    for (const c of without) {
      const d = difference(c, 'audience', c.audiences.join(','), audience) as CredentialDifference;
      differences.push(d);
      details.push(d.message);
    }
    if (without.length === 1 && !audience.includes(',')) actions.push(editAction(app, without[0] as FederatedCredential, 'audience', audience));
  }
  return { details, differences, actions };
}

/** The presented issuer's tenant (an Entra issuer), when any. */
export function presentedIssuerTenant(presented: PresentedAssertion, clouds: readonly Cloud[]): string | undefined {
  return presented.issuer === undefined ? undefined : issuerTenant(presented.issuer, clouds);
}

/** The credentials whose issuer is an Entra issuer of another tenant than `appTenantId` (700236: they can never match). */
export function credentialsOfOtherTenants(
  credentials: readonly FederatedCredential[],
  appTenantId: string,
  clouds: readonly Cloud[],
): Array<{ credential: FederatedCredential; tenantId: string }> {
  return credentials.flatMap((credential) => {
    const tenantId = issuerTenant(credential.issuer, clouds);
    return tenantId !== undefined && tenantId !== appTenantId.toLowerCase() ? [{ credential, tenantId }] : [];
  });
}

/** The app as an explanation names it. */
export function explainedApp(app: AppRegistration): ExplainedApp {
  return { id: app.id, appId: app.appId, displayName: app.displayName, signInAudience: app.signInAudience };
}

/** The explanation as a Markdown document, for reading (every value quoted, nothing token-like left). */
export function explanationMarkdown(e: ErrorExplanation): string {
  const esc = (v: string) => redactSecrets(v).replace(/([\\`*_{}[\]()#+!|<>])/g, '\\$1');
  const code = (v: string) => `\`${redactSecrets(v).replace(/`/g, "'").replace(/\s+/g, ' ')}\``;
  const lines: string[] = [`# ${esc(e.codes.length ? `${e.codes[0]}: ${e.title}` : e.title)}`, '', esc(e.summary), ''];
  if (e.details.length) {
    lines.push('## What differs', '');
    for (const d of e.details) lines.push(`- ${esc(d)}`);
    lines.push('');
  }
  const presented = (['issuer', 'subject', 'audience'] as const).filter((k) => e.presented[k] !== undefined);
  if (presented.length) {
    lines.push('## What the token presented', '', '| Claim | Value |', '| --- | --- |');
    for (const k of presented) lines.push(`| ${k} | ${code(e.presented[k] as string)} |`);
    lines.push('');
  }
  if (e.actions.length) {
    lines.push('## Fixes', '');
    for (const a of e.actions) lines.push(`- ${esc(a.label)}${a.missing?.length ? ` (asks for the ${a.missing.join(', ')})` : ''}`);
    lines.push('', 'Choose a fix from the notification next to this document.', '');
  }
  const facts: Array<[string, string | undefined]> = [
    ['App', e.app ? `${e.app.displayName} (${e.app.appId})` : undefined],
    ['Tenant', e.tenant],
    ['Tenants named', e.tenantIds.join(', ') || undefined],
    ['Client ids named', e.clientIds.join(', ') || undefined],
    ['Trace ID', e.traceId],
    ['Correlation ID', e.correlationId],
    ['Timestamp', e.timestamp],
    ['Other codes', e.codes.slice(1).join(', ') || undefined],
  ];
  const shown = facts.filter((f): f is [string, string] => f[1] !== undefined);
  if (shown.length) {
    lines.push('## Details', '');
    for (const [k, v] of shown) lines.push(`- ${k}: ${code(v)}`);
    lines.push('');
  }
  if (e.description) lines.push('## Entra’s message', '', `> ${esc(e.description)}`, '');
  return lines.join('\n');
}
