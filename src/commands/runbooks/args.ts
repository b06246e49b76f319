// The argument objects of the runbook commands, checked before anything runs. Pure: no vscode, so
// the checks are unit-tested in Node.
//   scaffoldRunbook { app, template, targetTenants, scope?, identity?, runtime?, outputPath?, overwrite? }
//   deployRunbook   { file, automationAccount, runbookName?, publish?, importModules?, enableIdentity? }
import { splitTenantList } from '../../domain/tenants';
import { notAGuid, quote } from '../../domain/text';
import { isArgumentsObject } from '../arguments';
import { isGuid, isTenantDomain, RUNBOOK_RUNTIMES, RUNBOOK_TEMPLATES, runbookScopeProblem, type RunbookRuntime, type RunbookTemplateId } from '../../runbooks';

/** How the runbook's managed identity is named in arguments. */
export type IdentityArg =
  | { readonly kind: 'userAssigned'; readonly clientId: string }
  | { readonly kind: 'systemAssigned' }
  /** A managed identity's object (principal) id: looked up in Microsoft Graph. */
  | { readonly kind: 'objectId'; readonly objectId: string };

export interface ScaffoldArgs {
  readonly app?: string;
  readonly template?: RunbookTemplateId;
  readonly targetTenants?: readonly string[];
  readonly scope?: string;
  readonly identity?: IdentityArg;
  readonly runtime?: RunbookRuntime;
  readonly outputPath?: string;
  readonly overwrite?: boolean;
}

export interface DeployArgs {
  readonly file?: string;
  readonly automationAccount?: string;
  readonly runbookName?: string;
  readonly publish?: boolean;
  readonly importModules?: boolean;
  readonly enableIdentity?: boolean;
}

/** Tree nodes are class instances; argument objects are plain objects (the command runner's rule). */
const isPlainObject = isArgumentsObject;

function show(value: unknown): string {
  return quote(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
}

function checkKeys(arg: Record<string, unknown>, keys: readonly string[]): void {
  const unknown = Object.keys(arg).filter((k) => !keys.includes(k));
  if (unknown.length > 0)
    throw new Error(`Unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => quote(k)).join(', ')}; this command takes ${keys.join(', ')}.`);
}

function optionalString(arg: Record<string, unknown>, key: string): string | undefined {
  const value = arg[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`Argument "${key}" must be a non-empty string; got ${show(value)}.`);
  return value.trim();
}

function optionalBoolean(arg: Record<string, unknown>, key: string): boolean | undefined {
  const value = arg[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new Error(`Argument "${key}" must be true or false; got ${show(value)}.`);
  return value;
}

/** Why one target tenant entry is unusable, or undefined. */
export function checkTenantEntry(entry: string): string | undefined {
  const t = entry.trim();
  if (['common', 'organizations', 'consumers'].includes(t.toLowerCase())) return `${quote(t)} is not a tenant: name the customer tenant by its id or domain.`;
  if (!isGuid(t) && !isTenantDomain(t)) return `${quote(t)} is neither a tenant id (GUID) nor a domain such as fabrikam.onmicrosoft.com.`;
  return undefined;
}

/** Splits typed text (commas, semicolons, spaces) into tenants; the first problem, if any. */
export function parseTenantList(text: string): { tenants: string[]; error?: string } {
  const tenants = splitTenantList(text);
  if (tenants.length === 0) return { tenants, error: 'Enter at least one customer tenant: its tenant id (GUID) or a verified domain.' };
  for (const t of tenants) {
    const problem = checkTenantEntry(t);
    if (problem) return { tenants, error: problem };
  }
  const seen = new Set<string>();
  return { tenants: tenants.filter((t) => !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase())) };
}

export function parseIdentityArg(value: unknown): IdentityArg | undefined {
  if (value === undefined) return undefined;
  if (value === 'systemAssigned') return { kind: 'systemAssigned' };
  if (typeof value === 'string') {
    if (isGuid(value.trim())) return { kind: 'objectId', objectId: value.trim().toLowerCase() };
  } else if (isPlainObject(value)) {
    if (value.kind === 'systemAssigned' && Object.keys(value).length === 1) return { kind: 'systemAssigned' };
    if (value.kind === 'userAssigned' && typeof value.clientId === 'string' && isGuid(value.clientId.trim()) && Object.keys(value).length === 2) {
      return { kind: 'userAssigned', clientId: value.clientId.trim().toLowerCase() };
    }
  }
  throw new Error(
    `Argument "identity" must be { kind: 'userAssigned', clientId: '<GUID>' }, 'systemAssigned', or a managed identity's object id (GUID); got ${show(value)}.`,
  );
}

export const SCAFFOLD_KEYS = ['app', 'template', 'targetTenants', 'scope', 'identity', 'runtime', 'outputPath', 'overwrite'] as const;

/** Checks a scaffoldRunbook argument object; anything that is not a plain object gives `{}` (prompts fill in). */
export function parseScaffoldArgs(arg: unknown): ScaffoldArgs {
  if (!isPlainObject(arg)) return {};
  checkKeys(arg, SCAFFOLD_KEYS);
  const template = optionalString(arg, 'template');
  if (template !== undefined && !Object.hasOwn(RUNBOOK_TEMPLATES, template))
    throw new Error(`Argument "template" must be one of ${Object.keys(RUNBOOK_TEMPLATES).join(', ')}; got ${show(template)}.`);
  const runtime = optionalString(arg, 'runtime');
  if (runtime !== undefined && !Object.hasOwn(RUNBOOK_RUNTIMES, runtime))
    throw new Error(`Argument "runtime" must be one of ${Object.keys(RUNBOOK_RUNTIMES).join(', ')}; got ${show(runtime)}.`);
  if (template && runtime && !RUNBOOK_TEMPLATES[template as RunbookTemplateId].runtimes.includes(runtime as RunbookRuntime)) {
    throw new Error(`The ${template} template runs on ${RUNBOOK_TEMPLATES[template as RunbookTemplateId].runtimes.join(' or ')}, not ${runtime}.`);
  }
  let targetTenants: string[] | undefined;
  const rawTenants = arg.targetTenants;
  if (rawTenants !== undefined) {
    const list = typeof rawTenants === 'string' ? [rawTenants] : rawTenants;
    if (!Array.isArray(list) || list.length === 0 || list.some((t) => typeof t !== 'string')) {
      throw new Error(`Argument "targetTenants" must be a list of tenant ids or domains; got ${show(rawTenants)}.`);
    }
    const parsed = parseTenantList((list as string[]).join(','));
    if (parsed.error) throw new Error(`Argument "targetTenants": ${parsed.error}`);
    targetTenants = parsed.tenants;
  }
  const app = optionalString(arg, 'app');
  if (app !== undefined && !isGuid(app))
    throw new Error(`Argument "app" must be the app registration's object id or application (client) id, a GUID; ${notAGuid(app)}.`);
  const outputPath = arg.outputPath === undefined ? undefined : optionalString(arg, 'outputPath');
  // The scope becomes a string in the generated script: refuse what could not be one before any request.
  const scope = optionalString(arg, 'scope');
  const scopeProblem = scope === undefined ? undefined : runbookScopeProblem(scope);
  if (scopeProblem) throw new Error(`Argument "scope" ${scopeProblem}`);
  return {
    ...(app !== undefined ? { app } : {}),
    ...(template !== undefined ? { template: template as RunbookTemplateId } : {}),
    ...(targetTenants ? { targetTenants } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(arg.identity !== undefined ? { identity: parseIdentityArg(arg.identity) } : {}),
    ...(runtime !== undefined ? { runtime: runtime as RunbookRuntime } : {}),
    ...(outputPath !== undefined ? { outputPath } : {}),
    ...(arg.overwrite !== undefined ? { overwrite: optionalBoolean(arg, 'overwrite') } : {}),
  };
}

export const DEPLOY_KEYS = ['file', 'automationAccount', 'runbookName', 'publish', 'importModules', 'enableIdentity'] as const;

export function parseDeployArgs(arg: unknown): DeployArgs {
  if (!isPlainObject(arg)) return {};
  checkKeys(arg, DEPLOY_KEYS);
  const out: Record<string, unknown> = {};
  for (const key of ['file', 'automationAccount', 'runbookName'] as const) {
    const value = optionalString(arg, key);
    if (value !== undefined) out[key] = value;
  }
  for (const key of ['publish', 'importModules', 'enableIdentity'] as const) {
    const value = optionalBoolean(arg, key);
    if (value !== undefined) out[key] = value;
  }
  return out as DeployArgs;
}

export interface StartJobArgs {
  readonly automationAccount?: string;
  readonly runbookName?: string;
  readonly parameters?: Record<string, string>;
  readonly draft?: boolean;
  readonly wait?: boolean;
}

export const START_JOB_KEYS = ['automationAccount', 'runbookName', 'parameters', 'draft', 'wait'] as const;

/** Checks a startRunbookJob argument object; anything that is not a plain object gives `{}` (prompts fill in). */
export function parseStartJobArgs(arg: unknown): StartJobArgs {
  if (!isPlainObject(arg)) return {};
  checkKeys(arg, START_JOB_KEYS);
  const out: Record<string, unknown> = {};
  for (const key of ['automationAccount', 'runbookName'] as const) {
    const value = optionalString(arg, key);
    if (value !== undefined) out[key] = value;
  }
  for (const key of ['draft', 'wait'] as const) {
    const value = optionalBoolean(arg, key);
    if (value !== undefined) out[key] = value;
  }
  if (arg.parameters !== undefined) {
    const p = arg.parameters;
    if (!isPlainObject(p) || Object.values(p).some((v) => typeof v !== 'string'))
      throw new Error(`Argument "parameters" must be an object of parameter names and string values; got ${show(p)}.`);
    out.parameters = { ...p };
  }
  return out as StartJobArgs;
}
