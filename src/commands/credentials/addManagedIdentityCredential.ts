// federatedCredentials.addManagedIdentityCredential: the app trusts a managed identity of its own
// tenant (issuer = the tenant's Entra issuer, subject = the identity's object id, audience = the
// cloud's exchange audience). Args: { app, managedIdentity, name?, description? }.
import {
  buildManagedIdentityCredential,
  defaultManagedIdentityCredentialName,
  defaultManagedIdentityDescription,
  uniqueCredentialName,
} from '../../domain/credentialKinds';
import { parseAlternativeNames } from '../../domain/managedIdentities';
import { isGuid, quote } from '../../domain/text';
import type { Finding } from '../../domain/validation';
import type { AppRegistration, FederatedCredential, ServicePrincipalInfo } from '../../graph/directory';
import { runPromptSteps, type PromptStep, type StepPosition } from '../../wizard/wizard';
import type { UserInput } from '../../wizard/userInput';
import { UserCancelledError } from '../../wizard/userInput';
import type { CommandContext } from '../commandRunner';
import { AppListStep, CredentialNameStep, DescriptionStep } from '../steps';
import { credentialArgs, type CredentialCommandDeps } from './common';

export interface AddManagedIdentityCredentialContext {
  app?: AppRegistration;
  identity?: ServicePrincipalInfo;
  existing?: FederatedCredential[];
  name?: string;
  description?: string;
}

const TITLE = 'Add Managed Identity Credential';
const TYPE_ID = Symbol('type-id');

/** Pick the managed identity: user-assigned first (the documented kind), or type an object id. */
class IdentityListStep implements PromptStep<AddManagedIdentityCredentialContext> {
  constructor(private readonly deps: CredentialCommandDeps) {}

  shouldPrompt(context: AddManagedIdentityCredentialContext): boolean {
    return context.identity === undefined;
  }

  async prompt(context: AddManagedIdentityCredentialContext, ui: UserInput, position: StepPosition): Promise<void> {
    const directory = this.deps.directory();
    const items = directory.listManagedIdentities(999).then((page) => {
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
        { label: 'User-assigned (recommended)', kind: 'separator' as const, data: TYPE_ID as ServicePrincipalInfo | typeof TYPE_ID },
        ...user.map(toItem),
        { label: 'System-assigned (not documented as supported)', kind: 'separator' as const, data: TYPE_ID as ServicePrincipalInfo | typeof TYPE_ID },
        ...system.map(toItem),
        { label: '$(edit) Enter the object (principal) id of a managed identity…', data: TYPE_ID as ServicePrincipalInfo | typeof TYPE_ID },
      ];
    });
    const picked = await ui.pick(items, { title: TITLE, placeholder: 'Select the managed identity the app will trust', matchOnDetail: true, ...position });
    if (picked !== TYPE_ID) {
      context.identity = picked;
      return;
    }
    let found: ServicePrincipalInfo | undefined;
    await ui.input({
      title: TITLE,
      prompt: 'Object (principal) id of the managed identity, in this tenant',
      ...position,
      validate: async (value) => {
        const id = value.trim();
        if (!isGuid(id)) return `Enter the identity's object id, a GUID; ${quote(value)} is not one.`;
        found = await directory.findServicePrincipal(id.toLowerCase());
        if (!found) return `No managed identity with object id ${id} exists in this tenant. Entra accepts only identities of the app's own tenant (AADSTS700236).`;
        if (found.servicePrincipalType && found.servicePrincipalType !== 'ManagedIdentity') return `${id} is a service principal of type ${found.servicePrincipalType}, not a managed identity.`;
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
    if (!isGuid(args.managedIdentity)) throw new Error(`"managedIdentity" must be the identity's object (principal) id, a GUID; ${quote(args.managedIdentity)} is not.`);
    wizard.identity = await directory.findServicePrincipal(args.managedIdentity.toLowerCase());
    if (!wizard.identity) {
      throw new Error(`No managed identity with object id ${args.managedIdentity} exists in tenant ${deps.tenantId()}. The identity must live in the app's tenant: Entra refuses assertions from other tenants' identities (AADSTS700236).`);
    }
  } else {
    wizard.identity = deps.selectedIdentity(arg);
  }

  if (context.programmatic && wizard.app && wizard.identity) {
    // Name and description are optional arguments: their defaults, as the prompts would offer them.
    const r = resourceOf(wizard.identity);
    wizard.name ??= uniqueCredentialName(defaultManagedIdentityCredentialName(r.name), (await directory.listCredentials(wizard.app.id)).map((c) => c.name));
    wizard.description ??= defaultManagedIdentityDescription({ resourceName: r.name, resourceGroup: r.group, subscription: r.subscription });
  }

  await runPromptSteps(wizard, [
    new AppListStep(directory, TITLE),
    new IdentityListStep(deps),
    new CredentialNameStep<AddManagedIdentityCredentialContext>(
      TITLE,
      (c) => uniqueCredentialName(defaultManagedIdentityCredentialName(resourceOf(c.identity!).name), (c.existing ?? []).map((x) => x.name)),
      (c) => directory.listCredentials(c.app!.id),
    ),
    new DescriptionStep<AddManagedIdentityCredentialContext>(TITLE, (c) => {
      const r = resourceOf(c.identity!);
      return defaultManagedIdentityDescription({ resourceName: r.name, resourceGroup: r.group, subscription: r.subscription });
    }),
  ], context.ui);

  const app = wizard.app!;
  const identity = wizard.identity!;
  const built = buildManagedIdentityCredential({ cloud: deps.cloud(), tenantId: deps.tenantId(), objectId: identity.id });
  const values = { ...built, name: wizard.name!, ...(wizard.description ? { description: wizard.description } : {}) };
  const plan = await service.planCreate(app, values);
  await confirmWarnings(context, plan.warnings, deps);
  const credential = await deps.progress(`Adding credential ${values.name} to ${app.displayName}`, () => service.create(plan));
  await deps.afterChange(app, credential);
  deps.log.info(`Added federated credential ${credential.name} to app ${app.appId} (trusts managed identity ${identity.id}).`);
  if (!context.programmatic) void deps.offerNextSteps(app, credential);
  return credential;
}

/** Warnings (single-tenant app, system-assigned identity) are shown before the write; the user may go on. */
export async function confirmWarnings(context: CommandContext, warnings: readonly Finding[], deps: Pick<CredentialCommandDeps, 'log'>): Promise<void> {
  if (warnings.length === 0) return;
  for (const w of warnings) deps.log.warn(w.message);
  if (context.programmatic) return; // callers with arguments have decided; the warnings are in the log
  const choice = await context.ui.confirm(warnings.length === 1 ? warnings[0].message : 'Before you go on:', { modal: true, detail: warnings.length === 1 ? undefined : warnings.map((w) => `• ${w.message}`).join('\n') }, 'Continue');
  if (choice !== 'Continue') throw new UserCancelledError('warnings');
}
