// Wizard steps that several commands share: pick an app, name a credential, describe it.
import { checkName, checkDescription, type ExistingCredential } from '../domain/credentialRules';
import { isGuid, notAGuid, quote } from '../domain/text';
import type { Finding } from '../domain/validation';
import type { AppRegistration, GraphDirectory } from '../graph/directory';
import type { PromptStep, StepPosition } from '../wizard/wizard';
import type { UserInput } from '../wizard/userInput';

export interface AppContext {
  app?: AppRegistration;
}

const ENTER_ID = Symbol('enter-id');

function firstMessage(findings: readonly Finding[]): string | undefined {
  return findings.find((f) => f.severity === 'error')?.message;
}

/** Pick an app registration from the tenant (server-side search as you narrow), or type its id. */
export class AppListStep<C extends AppContext> implements PromptStep<C> {
  constructor(private readonly directory: GraphDirectory, private readonly title: string, private readonly filter?: (app: AppRegistration) => boolean) {}

  shouldPrompt(context: C): boolean {
    return context.app === undefined;
  }

  async prompt(context: C, ui: UserInput, position: StepPosition): Promise<void> {
    const items = this.directory.listApps({ pageSize: 200 }).then((page) => [
      ...page.items.filter((app) => !this.filter || this.filter(app)).map((app) => ({
        label: app.displayName || app.appId,
        description: app.appId,
        detail: app.signInAudience === 'AzureADMultipleOrgs' ? 'Multi-tenant' : 'Single tenant',
        data: app as AppRegistration | typeof ENTER_ID,
      })),
      { label: '$(edit) Enter an application (client) id or object id…', data: ENTER_ID as AppRegistration | typeof ENTER_ID },
    ]);
    const picked = await ui.pick(items, { title: this.title, placeholder: 'Select the app registration', argument: 'app', ...position });
    if (picked !== ENTER_ID) {
      context.app = picked;
      return;
    }
    let found: AppRegistration | undefined;
    await ui.input({
      title: this.title,
      prompt: 'Application (client) id or object id of the app registration',
      argument: 'app',
      ...position,
      validate: async (value) => {
        const id = value.trim();
        if (!isGuid(id)) return `Enter the app's application (client) id or object id, a GUID; ${notAGuid(id)}.`;
        found = await this.directory.findApp(id);
        return found ? undefined : `No app registration with id ${id} in this tenant.`;
      },
    });
    context.app = found;
  }
}

export interface NameContext {
  name?: string;
  existing?: readonly ExistingCredential[];
}

export class CredentialNameStep<C extends NameContext> implements PromptStep<C> {
  constructor(
    private readonly title: string,
    private readonly defaultName: (context: C) => string | undefined,
    /** Loads the app's credentials once, so duplicates show as the user types. */
    private readonly loadExisting?: (context: C) => Promise<readonly ExistingCredential[]>,
  ) {}

  shouldPrompt(context: C): boolean {
    return context.name === undefined;
  }

  async prompt(context: C, ui: UserInput, position: StepPosition): Promise<void> {
    if (!context.existing && this.loadExisting) context.existing = await this.loadExisting(context);
    const taken = new Set((context.existing ?? []).map((c) => c.name));
    context.name = await ui.input({
      title: this.title,
      prompt: 'Credential name: 3 to 120 letters, digits, "-" or "_". It cannot be changed later.',
      argument: 'name',
      value: this.defaultName(context),
      ...position,
      validate: (value) => firstMessage(checkName(value)) ?? (taken.has(value) ? `A credential named ${quote(value)} already exists on this app.` : undefined),
    });
  }
}

export interface DescriptionContext {
  description?: string;
}

export class DescriptionStep<C extends DescriptionContext> implements PromptStep<C> {
  constructor(private readonly title: string, private readonly defaultDescription: (context: C) => string | undefined) {}

  shouldPrompt(context: C): boolean {
    return context.description === undefined;
  }

  async prompt(context: C, ui: UserInput, position: StepPosition): Promise<void> {
    context.description = await ui.input({
      title: this.title,
      prompt: 'Description (optional, up to 600 characters)',
      argument: 'description',
      value: this.defaultDescription(context),
      ...position,
      validate: (value) => firstMessage(checkDescription(value)),
    });
  }
}
