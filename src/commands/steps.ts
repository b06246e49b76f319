// Wizard steps that several commands share: pick an app, name a credential, describe it.
import * as l10n from '@vscode/l10n';
import { checkName, checkDescription, type ExistingCredential } from '../domain/credentialRules';
import { isGuid, notAGuid, quote } from '../domain/text';
import type { Finding } from '../domain/validation';
import type { GraphDirectory } from '../graph/directory';
import { isMultiTenant, type AppRegistration } from '../domain/model';
import type { PromptStep, StepPosition } from '../wizard/wizard';
import type { PickItem, UserInput } from '../wizard/userInput';

export interface AppContext {
  app?: AppRegistration;
}

const ENTER_ID = Symbol('enter-id');
/** Apps listed before the user types, and per search: the picker never lists the whole tenant. */
export const APP_PICKER_PAGE_SIZE = 100;

function firstMessage(findings: readonly Finding[]): string | undefined {
  return findings.find((f) => f.severity === 'error')?.message;
}

export interface PickAppOptions {
  readonly title: string;
  /** Apps that may not be picked here are left out of the list (and of search results). */
  readonly filter?: (app: AppRegistration) => boolean;
  readonly position?: StepPosition;
}

/**
 * The one app picker: the first page of the tenant's app registrations, server-side search as the
 * user types (display names through Graph's $search, an application id through $filter), or an id
 * typed in. Each app says whether it is multi-tenant, in the domain's one answer.
 */
export async function pickApp(directory: GraphDirectory, ui: UserInput, options: PickAppOptions): Promise<AppRegistration> {
  type Choice = AppRegistration | typeof ENTER_ID;
  const enterId: PickItem<Choice> = { label: l10n.t('$(edit) Enter an application (client) id or object id…'), data: ENTER_ID };
  const toItems = (apps: readonly AppRegistration[]): Array<PickItem<Choice>> => [
    ...apps
      .filter((app) => !options.filter || options.filter(app))
      .map((app) => ({
        label: app.displayName || app.appId,
        description: app.appId,
        detail: isMultiTenant(app) ? 'Multi-tenant' : 'Single tenant',
        data: app as Choice,
      })),
    enterId,
  ];
  const search = async (text: string) => {
    const term = text.trim();
    // An id of either kind finds the app itself; a name goes to Graph's $search.
    if (isGuid(term)) return toItems([await directory.apps.findApp(term)].filter((a): a is AppRegistration => a !== undefined));
    return toItems((await directory.apps.listApps({ search: term, pageSize: APP_PICKER_PAGE_SIZE })).items);
  };
  const first = directory.apps.listApps({ pageSize: APP_PICKER_PAGE_SIZE }).then((page) => toItems(page.items));
  const picked = await ui.pick(first, {
    title: options.title,
    placeholder: l10n.t('Select the app registration, or type to search every app in the tenant'),
    argument: 'app',
    search,
    ...options.position,
  });
  if (picked !== ENTER_ID) return picked;
  let found: AppRegistration | undefined;
  await ui.input({
    title: options.title,
    prompt: l10n.t('Application (client) id or object id of the app registration'),
    argument: 'app',
    ...options.position,
    validate: async (value) => {
      const id = value.trim();
      if (!isGuid(id)) return `Enter the app's application (client) id or object id, a GUID; ${notAGuid(id)}.`;
      found = await directory.apps.findApp(id);
      return found ? undefined : `No app registration with id ${id} in this tenant.`;
    },
  });
  return found!;
}

/** The app step of a wizard: the one picker, skipped when the app came in as an argument or a tree node. */
export class AppListStep<C extends AppContext> implements PromptStep<C> {
  constructor(
    private readonly directory: GraphDirectory,
    private readonly title: string,
    private readonly filter?: (app: AppRegistration) => boolean,
  ) {}

  shouldPrompt(context: C): boolean {
    return context.app === undefined;
  }

  async prompt(context: C, ui: UserInput, position: StepPosition): Promise<void> {
    context.app = await pickApp(this.directory, ui, { title: this.title, filter: this.filter, position });
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
    /** A managed identity's credentials are ARM resources, whose names ignore case. */
    private readonly owner: 'app' | 'managedIdentity' = 'app',
  ) {}

  shouldPrompt(context: C): boolean {
    return context.name === undefined;
  }

  async prompt(context: C, ui: UserInput, position: StepPosition): Promise<void> {
    if (!context.existing && this.loadExisting) context.existing = await this.loadExisting(context);
    const key = (name: string) => (this.owner === 'managedIdentity' ? name.toLowerCase() : name);
    const taken = new Set((context.existing ?? []).map((c) => key(c.name)));
    const where = this.owner === 'managedIdentity' ? 'this managed identity' : 'this app';
    context.name = await ui.input({
      title: this.title,
      prompt: l10n.t('Credential name: 3 to 120 letters, digits, "-" or "_". It cannot be changed later.'),
      argument: 'name',
      value: this.defaultName(context),
      ...position,
      validate: (value) =>
        firstMessage(checkName(value)) ?? (taken.has(key(value)) ? `A credential named ${quote(value)} already exists on ${where}.` : undefined),
    });
  }
}

export interface DescriptionContext {
  description?: string;
}

export class DescriptionStep<C extends DescriptionContext> implements PromptStep<C> {
  constructor(
    private readonly title: string,
    private readonly defaultDescription: (context: C) => string | undefined,
  ) {}

  shouldPrompt(context: C): boolean {
    return context.description === undefined;
  }

  async prompt(context: C, ui: UserInput, position: StepPosition): Promise<void> {
    context.description = await ui.input({
      title: this.title,
      prompt: l10n.t('Description (optional, up to 600 characters)'),
      argument: 'description',
      value: this.defaultDescription(context),
      ...position,
      validate: (value) => firstMessage(checkDescription(value)),
    });
  }
}
