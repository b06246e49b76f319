// federatedCredentials.addManagedIdentityCredential: the app trusts a managed identity of its own
// tenant (issuer = the tenant's Entra issuer, subject = the identity's object id, audience = the
// cloud's exchange audience). Args: { app, managedIdentity, name?, description? }.
// With `app` as a list of ids, or run on several selected apps, the same identity is trusted by every
// app in `$batch` writes of 20 (addManagedIdentityCredentialToApps); each app's outcome is reported.
import * as l10n from '@vscode/l10n';
import {
  buildManagedIdentityCredential,
  defaultManagedIdentityCredentialName,
  defaultManagedIdentityDescription,
  uniqueCredentialName,
} from '../../domain/credentialKinds';
import { parseAlternativeNames } from '../../domain/managedIdentities';
import { isGuid, notAGuid, quote } from '../../domain/text';
import type { Finding } from '../../domain/validation';
import type { CredentialValues } from '../../domain/credentialRules';
import type { AppRegistration, FederatedCredential, ManagedIdentityPrincipal, Page, ServicePrincipalInfo } from '../../domain/model';
import type { MultiAppFailure, MultiAppResult } from '../../services/credentialService';
import { runPromptSteps, type PromptStep, type StepPosition } from '../../wizard/wizard';
import type { UserInput } from '../../wizard/userInput';
import { isArgumentsObject } from '../arguments';
import type { CommandContext } from '../commandRunner';
import { AppListStep, CredentialNameStep, DescriptionStep } from '../steps';
import { summarizeMultiApp } from '../../services/multiAppSummary';
import { describeCancelledMultiApp } from '../../services/outcomes';
import { UserCancelledError } from '../../util/cancellation';
import { cancellableWrite, credentialArgs, type CredentialCommandDeps } from './common';

export interface AddManagedIdentityCredentialContext {
  app?: AppRegistration;
  identity?: ServicePrincipalInfo;
  existing?: FederatedCredential[];
  name?: string;
  description?: string;
}

/** A function, so the text is looked up after activation has configured the bundle. */
const wizardTitle = () => l10n.t('Add Managed Identity Credential');
const TYPE_ID = Symbol('type-id');

/** Pick the managed identity: user-assigned first (the documented kind), or type an object id. */
class IdentityListStep implements PromptStep<AddManagedIdentityCredentialContext> {
  constructor(private readonly deps: CredentialCommandDeps) {}

  shouldPrompt(context: AddManagedIdentityCredentialContext): boolean {
    return context.identity === undefined;
  }

  async prompt(context: AddManagedIdentityCredentialContext, ui: UserInput, position: StepPosition): Promise<void> {
    const directory = this.deps.directory();
    // One page (999) before the user types; then Graph's search by the start of the name, so an identity beyond the
    // first page is found by name too, at one request per search.
    const toItems = (page: Page<ManagedIdentityPrincipal>) => {
      const withInfo = page.items.map((identity) => ({ identity, info: parseAlternativeNames(identity.alternativeNames) }));
      const toItem = ({ identity, info }: (typeof withInfo)[number]) => ({
        label: identity.displayName,
        description: identity.id,
        detail: info.display,
        data: identity as ServicePrincipalInfo | typeof TYPE_ID,
      });
      const user = withInfo.filter((x) => x.info.kind === 'userAssigned');
      const system = withInfo.filter((x) => x.info.kind !== 'userAssigned');
      return [
        { label: l10n.t('User-assigned (recommended)'), kind: 'separator' as const, data: TYPE_ID as ServicePrincipalInfo | typeof TYPE_ID },
        ...user.map(toItem),
        { label: l10n.t('System-assigned (not documented as supported)'), kind: 'separator' as const, data: TYPE_ID as ServicePrincipalInfo | typeof TYPE_ID },
        ...system.map(toItem),
        { label: l10n.t('$(edit) Enter the object (principal) id of a managed identity…'), data: TYPE_ID as ServicePrincipalInfo | typeof TYPE_ID },
      ];
    };
    const items = directory.servicePrincipals.listManagedIdentities(999).then(toItems);
    const picked = await ui.pick(items, {
      title: wizardTitle(),
      placeholder: l10n.t('Select the managed identity the app will trust, or type the start of its name to search the tenant'),
      argument: 'managedIdentity',
      matchOnDetail: true,
      search: async (text) => (text.trim() === '' ? items : toItems(await directory.servicePrincipals.listManagedIdentities(999, text.trim()))),
      ...position,
    });
    if (picked !== TYPE_ID) {
      context.identity = picked;
      return;
    }
    let found: ServicePrincipalInfo | undefined;
    await ui.input({
      title: wizardTitle(),
      prompt: l10n.t('Object (principal) id of the managed identity, in this tenant'),
      argument: 'managedIdentity',
      ...position,
      validate: async (value) => {
        const id = value.trim();
        if (!isGuid(id)) return `Enter the identity's object id, a GUID; ${notAGuid(id)}.`;
        found = await directory.servicePrincipals.find(id.toLowerCase());
        if (!found)
          return `No managed identity with object id ${id} exists in this tenant. Entra accepts only identities of the app's own tenant (AADSTS700236).`;
        if (found.servicePrincipalType && found.servicePrincipalType !== 'ManagedIdentity')
          return `${id} is a service principal of type ${found.servicePrincipalType}, not a managed identity.`;
        return undefined;
      },
    });
    context.identity = found;
  }
}

function resourceOf(identity: ServicePrincipalInfo): { name: string; group?: string; subscription?: string } {
  const info = parseAlternativeNames(identity.alternativeNames);
  return { name: info.resource?.name ?? identity.displayName, group: info.resource?.resourceGroup, subscription: info.resource?.subscriptionId };
}

export async function addManagedIdentityCredential(deps: CredentialCommandDeps, context: CommandContext, arg?: unknown): Promise<FederatedCredential> {
  const directory = deps.directory();
  const service = deps.credentials();
  const args = credentialArgs(arg, ['app', 'managedIdentity', 'name', 'description']);
  const wizard: AddManagedIdentityCredentialContext = {
    app: args.app ? await service.resolveApp(args.app) : deps.selectedApp(arg),
    name: args.name,
    description: args.description,
  };
  if (args.managedIdentity !== undefined) {
    if (!isGuid(args.managedIdentity))
      throw new Error(`"managedIdentity" must be the identity's object (principal) id, a GUID; ${quote(args.managedIdentity)} is not.`);
    wizard.identity = await directory.servicePrincipals.find(args.managedIdentity.toLowerCase());
    if (!wizard.identity) {
      throw new Error(
        `No managed identity with object id ${args.managedIdentity} exists in tenant ${deps.tenantId()}. The identity must live in the app's tenant: Entra refuses assertions from other tenants' identities (AADSTS700236).`,
      );
    }
  } else {
    wizard.identity = deps.selectedIdentity(arg);
  }

  if (context.programmatic && wizard.app && wizard.identity) {
    // Name and description are optional arguments: their defaults, as the prompts would offer them.
    const r = resourceOf(wizard.identity);
    wizard.name ??= uniqueCredentialName(
      defaultManagedIdentityCredentialName(r.name),
      (await directory.apps.listCredentials(wizard.app.id)).map((c) => c.name),
    );
    wizard.description ??= defaultManagedIdentityDescription({ resourceName: r.name, resourceGroup: r.group, subscription: r.subscription });
  }

  await runPromptSteps(
    wizard,
    [
      new AppListStep(directory, wizardTitle()),
      new IdentityListStep(deps),
      new CredentialNameStep<AddManagedIdentityCredentialContext>(
        wizardTitle(),
        (c) =>
          uniqueCredentialName(
            defaultManagedIdentityCredentialName(resourceOf(c.identity!).name),
            (c.existing ?? []).map((x) => x.name),
          ),
        (c) => directory.apps.listCredentials(c.app!.id),
      ),
      new DescriptionStep<AddManagedIdentityCredentialContext>(wizardTitle(), (c) => {
        const r = resourceOf(c.identity!);
        return defaultManagedIdentityDescription({ resourceName: r.name, resourceGroup: r.group, subscription: r.subscription });
      }),
    ],
    context.ui,
  );

  const app = wizard.app!;
  const identity = wizard.identity!;
  const built = buildManagedIdentityCredential({ cloud: deps.cloud(), tenantId: deps.tenantId(), objectId: identity.id });
  const values = { ...built, name: wizard.name!, ...(wizard.description ? { description: wizard.description } : {}) };
  const credential = await addOneCredential(deps, context, app, values);
  deps.log.info(`Added federated credential ${credential.name} to app ${app.appId} (trusts managed identity ${identity.id}).`);
  if (!context.programmatic) void deps.offerNextSteps(app, credential);
  return credential;
}

/** The apps of a multi-app run: `app` as a list in the arguments, or two or more selected app nodes. */
function multiAppTarget(
  deps: Pick<CredentialCommandDeps, 'selectedApp'>,
  arg: unknown,
  selection: unknown,
): { ids: unknown[] } | { apps: AppRegistration[] } | undefined {
  if (isArgumentsObject(arg) && Array.isArray(arg.app)) return { ids: arg.app };
  if (!Array.isArray(selection)) return undefined;
  const apps = [
    ...new Map(
      selection
        .map((node) => deps.selectedApp(node))
        .filter((a): a is AppRegistration => a !== undefined)
        .map((a) => [a.id, a]),
    ).values(),
  ];
  return apps.length > 1 ? { apps } : undefined;
}

/** The command's entry: several apps go the batched way, one app the single-app way. */
export function addManagedIdentityCredentialCommand(
  deps: CredentialCommandDeps,
  context: CommandContext,
  arg?: unknown,
  selection?: unknown,
): Promise<FederatedCredential | MultiAppResult> {
  const target = multiAppTarget(deps, arg, selection);
  return target
    ? addManagedIdentityCredentialToApps(deps, context, isArgumentsObject(arg) ? arg : undefined, target)
    : addManagedIdentityCredential(deps, context, arg);
}

interface MultiContext {
  identity?: ServicePrincipalInfo;
  existing?: FederatedCredential[];
  name?: string;
  description?: string;
}

/**
 * Adds the same managed-identity credential to many apps. Reads: the apps' credentials come expanded
 * from the view (or 20 apps per `$batch` for ids), the identity is looked up once; writes: one
 * `$batch` per 20 apps. Apps refused by the rules or by Graph are reported, the others are written.
 */
async function addManagedIdentityCredentialToApps(
  deps: CredentialCommandDeps,
  context: CommandContext,
  arg: Record<string, unknown> | undefined,
  target: { ids: unknown[] } | { apps: AppRegistration[] },
): Promise<MultiAppResult> {
  const directory = deps.directory();
  const service = deps.credentials();
  const args = arg ? credentialArgs({ ...arg, app: undefined }, ['app', 'managedIdentity', 'name', 'description']) : {};
  const failed: MultiAppFailure[] = [];
  let apps: AppRegistration[];
  if ('ids' in target) {
    if (target.ids.length === 0) throw new Error('"app" is an empty list; give the object ids or application (client) ids of the apps.');
    const bad = target.ids.filter((id) => typeof id !== 'string' || !isGuid(id));
    if (bad.length > 0)
      throw new Error(
        `"app" must list app registrations' object ids or application (client) ids, GUIDs; ${bad.map((b) => quote(String(b))).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not.`,
      );
    const ids = [...new Set((target.ids as string[]).map((id) => id.toLowerCase()))];
    const found = await directory.apps.getAppsWithCredentials(ids);
    apps = found.apps;
    const unknownApp = (id: string): AppRegistration => ({ id, appId: id, displayName: id, signInAudience: '' });
    // Apps Graph could not read (after retrying) are reported with the reason, not silently left out.
    for (const { id, error } of found.failed)
      failed.push({
        app: unknownApp(id),
        message: `Could not read app registration ${id}: ${error.message}`,
        status: error.status,
        kind: error.explained.kind,
        retryable: error.explained.retryable,
      });
    // Ids Graph does not know as object ids may be application ids: those are looked up one by one.
    for (const id of found.missing) {
      try {
        apps.push(await service.resolveApp(id));
      } catch (error) {
        failed.push({ app: unknownApp(id), message: error instanceof Error ? error.message : String(error), status: 404, kind: 'notFound', retryable: false });
      }
    }
  } else {
    apps = target.apps;
  }
  if (apps.length === 0) throw new Error(failed.map((f) => f.message).join(' '));

  const wizard: MultiContext = { name: args.name, description: args.description };
  if (args.managedIdentity !== undefined) {
    if (!isGuid(args.managedIdentity))
      throw new Error(`"managedIdentity" must be the identity's object (principal) id, a GUID; ${quote(args.managedIdentity)} is not.`);
    wizard.identity = await directory.servicePrincipals.find(args.managedIdentity.toLowerCase());
    if (!wizard.identity)
      throw new Error(
        `No managed identity with object id ${args.managedIdentity} exists in tenant ${deps.tenantId()}. The identity must live in the apps' tenant: Entra refuses assertions from other tenants' identities (AADSTS700236).`,
      );
  }
  const title = l10n.t('{0} ({1} apps)', wizardTitle(), apps.length);
  const explicitName = wizard.name !== undefined;
  if (!context.programmatic) {
    await runPromptSteps(
      wizard,
      [
        new IdentityListStep(deps),
        new CredentialNameStep<MultiContext>(title, (c) => defaultManagedIdentityCredentialName(resourceOf(c.identity!).name)),
        new DescriptionStep<MultiContext>(title, (c) => {
          const r = resourceOf(c.identity!);
          return defaultManagedIdentityDescription({ resourceName: r.name, resourceGroup: r.group, subscription: r.subscription });
        }),
      ],
      context.ui,
    );
  }
  if (!wizard.identity) throw new Error('"managedIdentity" is required: the object (principal) id of the managed identity the apps will trust.');
  const identity = wizard.identity;
  const r = resourceOf(identity);
  const name = wizard.name ?? defaultManagedIdentityCredentialName(r.name);
  const description =
    wizard.description ??
    (context.programmatic ? defaultManagedIdentityDescription({ resourceName: r.name, resourceGroup: r.group, subscription: r.subscription }) : undefined);
  const built = buildManagedIdentityCredential({ cloud: deps.cloud(), tenantId: deps.tenantId(), objectId: identity.id });
  const plan = await service.planCreateForApps(
    apps,
    (_app, existing) => ({
      ...built,
      // A default name steps aside for one an app already uses; a name given by the caller is kept (and refused where taken).
      name: explicitName
        ? name
        : uniqueCredentialName(
            name,
            existing.map((c) => c.name),
          ),
      ...(description ? { description } : {}),
    }),
    identity,
  );
  await confirmWarnings(context, plan.warnings, deps);
  // Cancel stops before the next $batch; the result says which apps were in flight and which were not attempted.
  const written: MultiAppResult =
    plan.items.length === 0
      ? { added: [], failed: [...plan.rejected] }
      : await deps.progress(`Adding credential ${name} to ${plan.items.length} apps`, (signal) => service.createForApps(plan, signal));
  const result: MultiAppResult = {
    added: written.added,
    failed: [...failed, ...written.failed],
    ...(written.cancelled ? { cancelled: written.cancelled } : {}),
  };
  for (const f of result.failed) deps.log.warn(`Could not add the credential to app ${f.app.displayName || f.app.id}: ${f.message}`);
  deps.log.info(
    `Added federated credential ${name} (trusts managed identity ${identity.id}) to ${result.added.length} of ${apps.length + failed.length} apps.`,
  );
  // Apps whose write was in flight when a cancel came are refreshed too: the view then shows whether it was applied.
  const changed = [...result.added.map((a) => a.app), ...(result.cancelled?.inFlight ?? [])];
  if (changed.length > 0) await (deps.afterChanges ? deps.afterChanges(changed) : Promise.all(result.added.map((a) => deps.afterChange(a.app, a.credential))));
  if (result.cancelled) {
    const message = describeCancelledMultiApp(name, result, apps.length + failed.length);
    deps.log.warn(message);
    throw UserCancelledError.withOutcome(message, result);
  }
  // One message with the outcome: how many apps got it, which did not and why (the log has each app's full reason).
  const summary = summarizeMultiApp(name, result, apps.length + failed.length);
  if (result.added.length === 0) throw new MultiAppAddFailedError(summary, { ...result, summary });
  if (!context.programmatic) deps.notify?.(summary, result.failed.length > 0 ? 'warning' : 'info');
  return { ...result, summary };
}

/** A multi-app add that added the credential to no app: the message is the summary, `result` has each app's outcome. */
export class MultiAppAddFailedError extends Error {
  constructor(
    message: string,
    readonly result: MultiAppResult,
  ) {
    super(message);
    this.name = 'MultiAppAddFailedError';
  }
}

/** Warnings (single-tenant app, system-assigned identity) are shown before the write; the user may go on. */
/**
 * What every single add shares: the credential checked against the rules and the app's credentials,
 * its warnings confirmed, the write under a cancellable progress, and the app refreshed in the views.
 */
export async function addOneCredential(
  deps: CredentialCommandDeps,
  context: CommandContext,
  app: AppRegistration,
  values: CredentialValues,
): Promise<FederatedCredential> {
  const service = deps.credentials();
  const plan = await service.planCreate(app, values);
  await confirmWarnings(context, plan.warnings, deps);
  const credential = await cancellableWrite(
    deps,
    l10n.t('Adding credential {0} to {1}', values.name, app.displayName),
    `adding the credential ${values.name} to ${app.displayName}`,
    (signal) => service.create(plan, signal),
    () => deps.afterChange(app),
  );
  await deps.afterChange(app, credential);
  return credential;
}

export async function confirmWarnings(context: CommandContext, warnings: readonly Finding[], deps: Pick<CredentialCommandDeps, 'log'>): Promise<void> {
  if (warnings.length === 0) return;
  for (const w of warnings) deps.log.warn(w.message);
  if (context.programmatic) return; // callers with arguments have decided; the warnings are in the log
  const choice = await context.ui.confirm(
    warnings.length === 1 ? warnings[0].message : 'Before you go on:',
    { modal: true, detail: warnings.length === 1 ? undefined : warnings.map((w) => `• ${w.message}`).join('\n') },
    'Continue',
  );
  if (choice !== 'Continue') throw UserCancelledError.atPrompt('warnings');
}
