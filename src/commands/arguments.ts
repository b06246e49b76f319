// The argument objects of the commands, read before anything runs: only known keys, each of the
// right type, ids that are GUIDs, and text that fits its field. A wrong value is refused with a
// message that names the argument, says what is wrong with it and what is expected. Pure (no
// vscode), so the parsers are unit-tested in Node with the same hostile values the in-host suite
// sends through the commands.
import { describeUnsafeCharacter, findUnsafeCharacter, isGuid, notAGuid, quote } from '../domain/text';

/**
 * Tree nodes arrive as class instances; argument objects are plain objects (a `{…}` literal, JSON, or
 * `Object.create(null)`: without this last, such an object would be taken for a node and ignored).
 */
export function isArgumentsObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A value as a message shows it: strings quoted once, anything else as JSON; cut and escaped by quote(). */
function showValue(value: unknown): string {
  return quote(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
}

/** Refuses keys the command does not take: a misspelt key would otherwise be ignored silently. */
function checkArgumentKeys(arg: Record<string, unknown>, keys: readonly string[]): void {
  const unknown = Object.keys(arg).filter((k) => !keys.includes(k));
  if (unknown.length > 0)
    throw new Error(`Unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => quote(k)).join(', ')}; this command takes ${keys.join(', ')}.`);
}

/** Arguments that name an object by its GUID, and how the message describes each. */
const GUID_ARGUMENTS: Readonly<Record<string, string>> = {
  app: "the app registration's object id or application (client) id",
  managedIdentity: "the identity's object (principal) id",
};

/** Why a credential reference (its id, or its name) cannot be one, or undefined. */
function credentialReferenceProblem(value: string): string | undefined {
  if (value.trim() === '') return 'is empty';
  const unsafe = findUnsafeCharacter(value);
  if (unsafe) return `contains ${describeUnsafeCharacter(unsafe)}`;
  if (!isGuid(value) && value.length > 120) return `has ${value.length} characters; a credential name has at most 120`;
  return undefined;
}

/**
 * Reads a command's argument object: only the named keys, each a string when present (or the type
 * `optionalTypes` gives). `app` and `managedIdentity` must be GUIDs, `credential` an id or a name,
 * `tenant` not empty. Tree nodes and no argument give an empty object (the prompts fill in).
 */
export function credentialArgs<K extends string>(
  arg: unknown,
  keys: readonly K[],
  optionalTypes: Partial<Record<K, 'boolean' | 'array' | 'object'>> = {},
): Partial<Record<K, string>> & Record<string, unknown> {
  if (!isArgumentsObject(arg)) return {};
  checkArgumentKeys(arg, keys);
  for (const key of keys) {
    const value = arg[key];
    if (value === undefined) continue;
    const type = optionalTypes[key];
    const wrongType =
      type === 'boolean'
        ? typeof value !== 'boolean'
        : type === 'array'
          ? !Array.isArray(value) || value.some((v) => typeof v !== 'string')
          : type === 'object'
            ? !isArgumentsObject(value) || Object.values(value).some((v) => typeof v !== 'string')
            : typeof value !== 'string';
    if (wrongType) {
      const expected = type === 'boolean' ? 'true or false' : type === 'array' ? 'a list of strings' : type === 'object' ? 'an object of strings' : 'a string';
      throw new Error(`Argument "${key}" must be ${expected}; got ${showValue(value)}.`);
    }
    if (typeof value !== 'string') continue;
    const guidOf = GUID_ARGUMENTS[key];
    if (guidOf !== undefined && !isGuid(value)) throw new Error(`"${key}" must be ${guidOf}, a GUID; ${notAGuid(value)}.`);
    if (key === 'credential') {
      const problem = credentialReferenceProblem(value);
      if (problem) throw new Error(`Argument "credential" must be the credential's id (a GUID) or its name; ${quote(value)} ${problem}.`);
    }
    if (key === 'tenant' && value.trim() === '') throw new Error('Argument "tenant" is empty: give the tenant id (a GUID) or one of its verified domains.');
  }
  return arg as Partial<Record<K, string>>;
}

const AUDIENCES = new Set(['common', 'organizations', 'consumers']);

/**
 * The `tenant` of signIn and selectTenant: a tenant id. Undefined when the caller gave none (or ran the
 * command from the palette). Domains and the multi-tenant audiences are refused with the reason.
 */
export function tenantIdArgument(arg: unknown): string | undefined {
  if (!isArgumentsObject(arg)) return undefined;
  checkArgumentKeys(arg, ['tenant']);
  const tenant = arg.tenant;
  if (tenant === undefined) return undefined;
  if (typeof tenant !== 'string') throw new Error(`Argument "tenant" must be a tenant id, a GUID string; got ${showValue(tenant)}.`);
  const value = tenant.trim();
  if (isGuid(value)) return value.toLowerCase();
  if (AUDIENCES.has(value.toLowerCase())) {
    throw new Error(
      `Argument "tenant" must be one tenant's id (a GUID); ${quote(value.toLowerCase())} is not a tenant but a sign-in audience that covers many.`,
    );
  }
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(value)) {
    throw new Error(
      `Argument "tenant" must be the tenant's id (a GUID), not a domain; for ${quote(value)}, use the tenant id shown in the Entra admin center (Overview) or by Select Tenant….`,
    );
  }
  throw new Error(`Argument "tenant" must be a tenant id, a GUID; ${notAGuid(tenant)}.`);
}

/** The longest search term the App Registrations view sends (Graph's $search is meant for words, not text). */
const SEARCH_MAX = 256;

/** Why a search term cannot be searched for, or undefined. */
export function searchQueryProblem(value: string): string | undefined {
  if (value.length > SEARCH_MAX) return `A search term has at most ${SEARCH_MAX} characters; this one has ${value.length}.`;
  const unsafe = findUnsafeCharacter(value);
  if (unsafe) return `A search term cannot contain ${describeUnsafeCharacter(unsafe)}.`;
  return undefined;
}

/**
 * The `query` of searchAppRegistrations: `{ query }` with a string (`""` clears the search). Undefined
 * when the command was not called with an arguments object (it then asks).
 */
export function searchArgument(arg: unknown): string | undefined {
  if (!isArgumentsObject(arg)) return undefined;
  checkArgumentKeys(arg, ['query']);
  const query = arg.query;
  if (query === undefined) throw new Error('Pass "query": a name (or the start of one) or an application (client) id; "" clears the search.');
  if (typeof query !== 'string') throw new Error(`Argument "query" must be a string; got ${showValue(query)}.`);
  const problem = searchQueryProblem(query);
  if (problem) throw new Error(`Argument "query": ${problem}`);
  return query;
}

/** Entra's limit on an app registration's display name. */
const DISPLAY_NAME_MAX = 256;

/** Why a new app registration cannot have this display name, or undefined. */
export function displayNameProblem(value: string): string | undefined {
  if (value.trim() === '') return 'Enter a display name for the app registration.';
  if (value.trim().length > DISPLAY_NAME_MAX) return `A display name has at most ${DISPLAY_NAME_MAX} characters; this one has ${value.trim().length}.`;
  const unsafe = findUnsafeCharacter(value);
  if (unsafe) return `A display name cannot contain ${describeUnsafeCharacter(unsafe)}.`;
  return undefined;
}
