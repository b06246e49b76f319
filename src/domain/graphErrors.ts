// Graph and Entra errors in plain words. Graph bodies are `{error:{code,message,innerError}}`; the token endpoint
// answers `{error, error_description:"AADSTS…", error_codes:[…]}`. Payload shapes: the Graph error-response and Microsoft identity platform error docs (real
// payloads from public issues). Every message passes through redactSecrets, so a token echoed back by a
// service never reaches the user or a log.

import { quote, redactSecrets } from './text';

export type GraphOperation =
  | 'listApps'
  | 'readApp'
  | 'createApp'
  | 'writeCredential'
  | 'listCredentials'
  | 'listManagedIdentities'
  | 'addPermission'
  | 'readGraphPermissions'
  | 'listTenants';

export interface ErrorContext {
  readonly operation?: GraphOperation;
  readonly appName?: string;
  readonly credentialName?: string;
}

export type ErrorKind = 'conflict' | 'invalid' | 'forbidden' | 'unauthorized' | 'notFound' | 'throttled' | 'unavailable' | 'signIn' | 'unknown';

export interface ExplainedError {
  readonly kind: ErrorKind;
  /** One or two sentences for the user; never contains a token. */
  readonly message: string;
  readonly status?: number;
  readonly code?: string;
  /** For AADSTS errors, the number, e.g. 700236. */
  readonly aadsts?: number;
  readonly retryAfterSeconds?: number;
  /** Whether trying the same request again may succeed. */
  readonly retryable: boolean;
}

// What each operation needs, for a 403. Sources: the Graph permission tables of each API.
const REQUIRED_ACCESS: Record<GraphOperation, string> = {
  listApps: 'the Application.Read.All permission',
  readApp: 'the Application.Read.All permission',
  listCredentials: 'the Application.Read.All permission',
  createApp:
    'the Application.ReadWrite.All permission, and a role that may register apps (Application Developer or above) if users cannot register apps in this tenant',
  writeCredential:
    'the Application.ReadWrite.All permission, and to be an owner of the app or hold the Application Administrator or Cloud Application Administrator role',
  addPermission:
    'the Application.ReadWrite.All permission, and to be an owner of the app or hold the Application Administrator or Cloud Application Administrator role',
  listManagedIdentities: 'the Application.Read.All permission (managed identities are service principals)',
  readGraphPermissions: 'the Application.Read.All permission',
  listTenants: 'access to Azure Resource Manager',
};

interface AadstsInfo {
  readonly kind: ErrorKind;
  readonly text: string;
}

const AADSTS: Record<number, AadstsInfo> = {
  700236: {
    kind: 'invalid',
    text: "Entra refused the managed identity's token because it was issued by another tenant: the managed identity must be in the same tenant as the app registration.",
  },
  70021: {
    kind: 'invalid',
    text: 'No federated credential on the app matches the token (issuer, subject and audience must match exactly). If the credential was just added, wait a few minutes: it takes time to propagate.',
  },
  700211: { kind: 'invalid', text: "No federated credential on the app has the token's issuer; check the credential's issuer for the exact tenant and cloud." },
  700212: {
    kind: 'invalid',
    text: "No federated credential on the app has the token's audience; for a managed identity the audience is the cloud's token-exchange audience.",
  },
  700213: { kind: 'invalid', text: "No federated credential on the app has the token's subject; subjects are compared case-sensitively." },
  7002138: { kind: 'invalid', text: "No federated credential on the app has the token's subject; subjects are compared case-sensitively." },
  700016: {
    kind: 'notFound',
    text: 'The app is not known in that tenant: an administrator of the tenant must first grant admin consent (open the consent URL), or the client id or tenant is wrong.',
  },
  65001: { kind: 'forbidden', text: 'Consent is missing: an administrator of the tenant must grant admin consent for the app (open the consent URL).' },
  65002: {
    kind: 'signIn',
    text: "VS Code's own sign-in client is not allowed these Microsoft Graph permissions in this tenant or cloud. Set federatedCredentials.authentication.clientId to your organisation's client, or use the azureCli sign-in method.",
  },
  650057: { kind: 'invalid', text: 'The requested resource is not among the permissions the app asks for; add the API permission to the app first.' },
  7000215: { kind: 'unauthorized', text: 'The client secret is wrong or expired.' },
  700024: { kind: 'invalid', text: 'The client assertion has expired or is not yet valid; get a fresh managed-identity token and try again.' },
  50020: {
    kind: 'signIn',
    text: 'The signed-in account does not exist in that tenant; sign in with an account of the tenant (or invite it as a guest first).',
  },
  90002: { kind: 'notFound', text: 'The tenant was not found; check the tenant id or domain, and that it is in the selected cloud.' },
  90072: { kind: 'signIn', text: 'The signed-in account does not exist in that tenant; sign in with an account of the tenant.' },
  500011: { kind: 'notFound', text: 'The resource (API) is not present in that tenant; an administrator must consent to it first.' },
  7000112: { kind: 'forbidden', text: 'The app is disabled in that tenant.' },
  50076: { kind: 'signIn', text: 'Multi-factor authentication is required; sign in again interactively.' },
  50079: { kind: 'signIn', text: 'Multi-factor authentication registration is required; sign in again interactively.' },
  53003: { kind: 'forbidden', text: 'A Conditional Access policy blocked the sign-in.' },
  50126: { kind: 'signIn', text: 'The user name or password is wrong.' },
};

const MAX_SERVICE_TEXT = 200;

function serviceText(text: string): string {
  const clean = redactSecrets(text).replace(/\s+/g, ' ').trim();
  return clean.length > MAX_SERVICE_TEXT ? `${clean.slice(0, MAX_SERVICE_TEXT)}…` : clean;
}

/** Explains the first AADSTS code in a text, or returns undefined when there is none. */
export function explainAadsts(text: string): ExplainedError | undefined {
  const m = /AADSTS(\d{5,8})/.exec(text);
  if (!m) return undefined;
  const code = Number(m[1]);
  const info = AADSTS[code];
  const message = info ? `AADSTS${code}: ${info.text}` : `Sign-in failed with AADSTS${code}: ${serviceText(text)}`;
  return { kind: info?.kind ?? 'unknown', message, aadsts: code, code: `AADSTS${code}`, retryable: code === 70021 };
}

interface ParsedBody {
  code?: string;
  message?: string;
}

function parseBody(body: unknown): ParsedBody {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { message: value as string };
    }
  }
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  if (typeof v.error === 'object' && v.error !== null) {
    const e = v.error as Record<string, unknown>;
    return { code: typeof e.code === 'string' ? e.code : undefined, message: typeof e.message === 'string' ? e.message : undefined };
  }
  // Token endpoint shape.
  return {
    code: typeof v.error === 'string' ? v.error : undefined,
    message: typeof v.error_description === 'string' ? v.error_description : typeof v.message === 'string' ? v.message : undefined,
  };
}

export interface GraphErrorInput {
  readonly status?: number;
  /** The response body: a parsed object or its text. */
  readonly body?: unknown;
  /** Value of the Retry-After header, in seconds. */
  readonly retryAfter?: string | number | null;
}

/** Maps a failed Graph (or token) response to a short message for the user. */
export function explainGraphError(input: GraphErrorInput, context: ErrorContext = {}): ExplainedError {
  const { code, message: rawMessage } = parseBody(input.body);
  const status = input.status;
  const serviceMessage = rawMessage ? serviceText(rawMessage) : '';
  const app = context.appName ? `app ${quote(context.appName)}` : 'the app';
  const base = { ...(status === undefined ? {} : { status }), ...(code === undefined ? {} : { code }) };

  const aadsts = explainAadsts(rawMessage ?? '') ?? explainAadsts(code ?? '');
  if (aadsts) return { ...aadsts, ...base, code: aadsts.code };

  if (status === 429 || code === 'TooManyRequests' || code === 'throttledRequest') {
    const seconds = Number(input.retryAfter);
    const wait = Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : undefined;
    return {
      ...base,
      kind: 'throttled',
      message: `Microsoft Graph is throttling requests${wait ? `; try again in ${wait} seconds` : '; try again shortly'}.`,
      ...(wait === undefined ? {} : { retryAfterSeconds: wait }),
      retryable: true,
    };
  }
  if (code === 'Request_MultipleObjectsWithSameKeyValue' || (status === 409 && /already exists/i.test(serviceMessage))) {
    const named = context.credentialName ?? /with name (.+?) already exists/i.exec(rawMessage ?? '')?.[1];
    return {
      ...base,
      kind: 'conflict',
      message: named ? `A credential named ${quote(named)} already exists on ${app}.` : `An object with the same name already exists on ${app}.`,
      retryable: false,
    };
  }
  if (code === 'InvalidFederatedIdentityCredentialValue') {
    const param = /paramName:\s*FederatedIdentityCredential\.(\w+)/i.exec(rawMessage ?? '')?.[1];
    if (/combination of issuer and subject must be unique/i.test(rawMessage ?? '')) {
      return {
        ...base,
        kind: 'conflict',
        message: `Another credential on ${app} already has this issuer and subject; each pair may be used once per app.`,
        retryable: false,
      };
    }
    const field = param ? param.toLowerCase() : 'a value';
    const detail = (rawMessage ?? '').split(/\s*paramName:/i)[0];
    return { ...base, kind: 'invalid', message: `Entra did not accept the credential's ${field}: ${serviceText(detail)}`, retryable: false };
  }
  if (status === 403 || code === 'Authorization_RequestDenied' || code === 'Forbidden') {
    const need = context.operation ? REQUIRED_ACCESS[context.operation] : 'a permission or directory role that the signed-in account lacks';
    return { ...base, kind: 'forbidden', message: `Access denied${serviceMessage ? ` (${serviceMessage})` : ''}. This needs ${need}.`, retryable: false };
  }
  if (status === 401 || code === 'InvalidAuthenticationToken') {
    return { ...base, kind: 'unauthorized', message: 'The sign-in has expired or is not valid for Microsoft Graph; sign in again.', retryable: false };
  }
  if (status === 404 || code === 'Request_ResourceNotFound' || code === 'ResourceNotFound') {
    const what = context.credentialName ? `Credential ${quote(context.credentialName)}` : context.appName ? `App ${quote(context.appName)}` : 'The object';
    return { ...base, kind: 'notFound', message: `${what} was not found; it may have been deleted. Refresh the view.`, retryable: false };
  }
  if (status !== undefined && status >= 500) {
    return {
      ...base,
      kind: 'unavailable',
      message: `Microsoft Graph had a temporary problem (HTTP ${status}); try again.${serviceMessage ? ` Details: ${serviceMessage}` : ''}`,
      retryable: true,
    };
  }
  if (status === 400 || code === 'Request_BadRequest' || code === 'BadRequest' || code === 'Request_UnsupportedQuery') {
    return { ...base, kind: 'invalid', message: `Microsoft Graph did not accept the request${serviceMessage ? `: ${serviceMessage}` : '.'}`, retryable: false };
  }
  return {
    ...base,
    kind: 'unknown',
    message: `The request failed${status ? ` (HTTP ${status}${code ? `, ${code}` : ''})` : code ? ` (${code})` : ''}${serviceMessage ? `: ${serviceMessage}` : '.'}`,
    retryable: false,
  };
}
