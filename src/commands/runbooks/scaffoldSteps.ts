// The prompts of "Scaffold Runbook" and the identity look-ups behind them. No vscode import: the
// flow runs in unit tests with a scripted UserInput and a fake directory.
import * as l10n from '@vscode/l10n';
import { entraIssuer, type Cloud } from '../../domain/clouds';
import { parseAlternativeNames } from '../../domain/managedIdentities';
import { isGuid, notAGuid, quote } from '../../domain/text';
import type { AppRegistration, FederatedCredential } from '../../domain/model';
import {
  RUNBOOK_RUNTIMES,
  RUNBOOK_TEMPLATES,
  runtimeName,
  SYSTEM_ASSIGNED_WARNING,
  type RunbookIdentity,
  type RunbookRuntime,
  type RunbookTemplateId,
} from '../../runbooks';
import type { PickItem, UserInput } from '../../wizard/userInput';
import type { PromptStep, StepPosition } from '../../wizard/wizard';
import type { AppContext } from '../steps';
import { parseTenantList } from './args';
import type { ApplicationsApi } from '../../graph/applications';
import type { ServicePrincipalsApi } from '../../graph/servicePrincipals';

/** The Graph reads the identity step needs (GraphDirectory has them). */
/** What the runbook steps read from Graph: a principal by object id, an app's credentials. */
export interface IdentityDirectory {
  readonly servicePrincipals: Pick<ServicePrincipalsApi, 'find'>;
  readonly apps: Pick<ApplicationsApi, 'listCredentials'>;
}

export interface ScaffoldContext extends AppContext {
  template?: RunbookTemplateId;
  runtime?: RunbookRuntime;
  targetTenants?: string[];
  identity?: RunbookIdentity;
  /** Where the identity came from, for the header. */
  identityFrom?: string;
}

/** One printable header line: control characters become spaces, long text is cut. */
export function provenanceText(value: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g, ' ').replace(/[\ud800-\udfff]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

export interface ResolvedIdentity {
  readonly identity: RunbookIdentity;
  readonly from: string;
}

/**
 * A managed identity by object id (what a managed-identity credential's subject holds): a
 * user-assigned one gives its client id (the service principal's appId); the system-assigned
 * identity of an Automation account gives `systemAssigned`. Anything else cannot sign a runbook in.
 */
export async function identityFromObjectId(directory: IdentityDirectory, objectId: string, via?: string): Promise<ResolvedIdentity> {
  if (!isGuid(objectId)) throw new Error(`A managed identity's object id is a GUID; ${quote(objectId)} is not.`);
  const sp = await directory.servicePrincipals.find(objectId);
  if (!sp)
    throw new Error(
      `No managed identity with object id ${objectId} was found in this tenant (or you may not read it). Pass "identity": { kind: 'userAssigned', clientId } instead.`,
    );
  if (sp.servicePrincipalType && sp.servicePrincipalType !== 'ManagedIdentity') {
    throw new Error(`${quote(sp.displayName)} (${objectId}) is not a managed identity: its service principal type is ${sp.servicePrincipalType}.`);
  }
  const info = parseAlternativeNames(sp.alternativeNames);
  const suffix = via ? `, ${via}` : '';
  if (info.kind === 'userAssigned') {
    return {
      identity: { kind: 'userAssigned', clientId: sp.appId.toLowerCase() },
      from: provenanceText(`${info.display}: client id of object id ${objectId}, read from Microsoft Graph${suffix}`),
    };
  }
  if (info.resource && info.resource.type.toLowerCase() !== 'microsoft.automation/automationaccounts') {
    throw new Error(
      `${quote(sp.displayName)} is the system-assigned identity of ${info.display}, not of an Automation account: a runbook cannot sign in with it. Use a user-assigned identity attached to the Automation account.`,
    );
  }
  return { identity: { kind: 'systemAssigned' }, from: provenanceText(`${info.display}, object id ${objectId}${suffix}`) };
}

/** The app's credentials that trust a managed identity of this tenant (issuer = the tenant's Entra issuer, subject = an object id). */
export function managedIdentityCredentials(credentials: readonly FederatedCredential[], cloud: Cloud, tenantId: string): FederatedCredential[] {
  const issuer = entraIssuer(cloud, tenantId).toLowerCase();
  return credentials.filter((c) => isGuid(c.subject) && c.issuer.replace(/\/+$/, '').toLowerCase() === issuer);
}

export class TemplateStep implements PromptStep<ScaffoldContext> {
  constructor(private readonly title: string) {}
  shouldPrompt(c: ScaffoldContext): boolean {
    return c.template === undefined;
  }
  async prompt(c: ScaffoldContext, ui: UserInput, position: StepPosition): Promise<void> {
    const items: PickItem<RunbookTemplateId>[] = Object.values(RUNBOOK_TEMPLATES).map((t) => ({
      label: t.label,
      description: t.description,
      detail: l10n.t(
        'Runs on {0}.{1}{2}',
        t.runtimes.map((r) => RUNBOOK_RUNTIMES[r].label).join(' or '),
        t.runtimes.length > 1 ? ` ${runtimeName(RUNBOOK_RUNTIMES[t.defaultRuntime])} is the default.` : '',
        t.modules.length ? ` Modules: ${t.modules.map((m) => m.name).join(', ')}.` : '',
      ),
      data: t.id,
    }));
    c.template = await ui.pick(items, {
      title: this.title,
      placeholder: l10n.t('Select the runbook template'),
      argument: 'template',
      matchOnDescription: true,
      ...position,
    });
  }
}

export class RuntimeStep implements PromptStep<ScaffoldContext> {
  constructor(private readonly title: string) {}
  shouldPrompt(c: ScaffoldContext): boolean {
    return c.runtime === undefined && c.template !== undefined && RUNBOOK_TEMPLATES[c.template].runtimes.length > 1;
  }
  async prompt(c: ScaffoldContext, ui: UserInput, position: StepPosition): Promise<void> {
    const info = RUNBOOK_TEMPLATES[c.template!];
    const items = info.runtimes.map((id) => {
      const r = RUNBOOK_RUNTIMES[id];
      const environment = r.runtimeEnvironment
        ? l10n.t(
            'Deployed with a {0} {1} runtime environment: one the Automation account has, or a new one named {2}.',
            r.runtimeEnvironment.language,
            r.runtimeEnvironment.version,
            r.runtimeEnvironment.newName,
          )
        : l10n.t('Deployed as the legacy runbook type {0}, without a runtime environment.', r.runbookType);
      return {
        label: r.label,
        description: r.recommended ? l10n.t('Recommended') : r.support === 'retired' ? l10n.t('Retired in Azure Automation') : l10n.t('Out of support'),
        detail: r.supportNote ? `${r.supportNote} ${environment}` : environment,
        data: id,
      };
    });
    c.runtime = await ui.pick(items, {
      title: this.title,
      placeholder: l10n.t('Runtime ({0} is the current one)', runtimeName(RUNBOOK_RUNTIMES[info.defaultRuntime])),
      argument: 'runtime',
      ...position,
    });
  }
}

export class TargetTenantsStep implements PromptStep<ScaffoldContext> {
  constructor(private readonly title: string) {}
  shouldPrompt(c: ScaffoldContext): boolean {
    return c.targetTenants === undefined;
  }
  async prompt(c: ScaffoldContext, ui: UserInput, position: StepPosition): Promise<void> {
    const text = await ui.input({
      title: this.title,
      prompt: l10n.t('Customer tenants the runbook signs in to: tenant ids (GUID) or verified domains, separated by commas'),
      placeholder: 'fabrikam.onmicrosoft.com, 00000000-0000-0000-0000-000000000000',
      argument: 'targetTenants',
      ...position,
      validate: (value) => parseTenantList(value).error,
    });
    const parsed = parseTenantList(text);
    if (parsed.error) throw new Error(parsed.error);
    c.targetTenants = parsed.tenants;
  }
}

const ENTER_CLIENT_ID = Symbol('enter-client-id');
type IdentityChoice = ResolvedIdentity | typeof ENTER_CLIENT_ID;

export class IdentityStep implements PromptStep<ScaffoldContext> {
  constructor(
    private readonly title: string,
    private readonly directory: () => IdentityDirectory,
    private readonly cloud: Cloud,
    private readonly tenantId: string,
  ) {}
  shouldPrompt(c: ScaffoldContext): boolean {
    return c.identity === undefined;
  }

  private async items(app: AppRegistration): Promise<PickItem<IdentityChoice>[]> {
    const directory = this.directory();
    const credentials = app.federatedIdentityCredentials ?? (await directory.apps.listCredentials(app.id));
    const trusted = managedIdentityCredentials(credentials, this.cloud, this.tenantId);
    const found = await Promise.all(
      trusted.map(async (credential) => ({ credential, sp: await directory.servicePrincipals.find(credential.subject).catch(() => undefined) })),
    );
    const items: PickItem<IdentityChoice>[] = [];
    for (const { credential, sp } of found) {
      if (!sp) continue;
      const info = parseAlternativeNames(sp.alternativeNames);
      const via = `trusted by the app through the credential ${credential.name}`;
      if (info.kind === 'userAssigned') {
        items.push({
          label: sp.displayName || sp.appId,
          description: `user-assigned · client id ${sp.appId}`,
          detail: `${info.display}; credential ${credential.name}. Recommended.`,
          data: {
            identity: { kind: 'userAssigned', clientId: sp.appId.toLowerCase() },
            from: provenanceText(`${info.display}: client id of object id ${sp.id}, ${via}`),
          },
        });
      } else if (!info.resource || info.resource.type.toLowerCase() === 'microsoft.automation/automationaccounts') {
        items.push({
          label: sp.displayName || sp.id,
          description: 'system-assigned',
          detail: `${info.display}; credential ${credential.name}. ${SYSTEM_ASSIGNED_WARNING}`,
          data: { identity: { kind: 'systemAssigned' }, from: provenanceText(`${info.display}, object id ${sp.id}, ${via}`) },
        });
      }
    }
    if (items.length > 0) items.unshift({ label: l10n.t('Identities this app trusts'), kind: 'separator', data: ENTER_CLIENT_ID });
    items.push(
      { label: l10n.t('Other'), kind: 'separator', data: ENTER_CLIENT_ID },
      {
        label: l10n.t("$(edit) Enter a user-assigned identity's client id…"),
        detail: l10n.t('The identity attached to the Automation account (its client id, not its object id).'),
        data: ENTER_CLIENT_ID,
      },
      {
        label: l10n.t("$(server) The Automation account's system-assigned identity"),
        detail: SYSTEM_ASSIGNED_WARNING,
        data: { identity: { kind: 'systemAssigned' }, from: 'chosen in VS Code' },
      },
    );
    return items;
  }

  async prompt(c: ScaffoldContext, ui: UserInput, position: StepPosition): Promise<void> {
    const choice = await ui.pick(this.items(c.app!), {
      title: this.title,
      placeholder: l10n.t('Which managed identity signs the app in? (the app must trust it through a federated credential)'),
      argument: 'identity',
      ...position,
    });
    if (choice !== ENTER_CLIENT_ID) {
      c.identity = choice.identity;
      c.identityFrom = choice.from;
      return;
    }
    const clientId = await ui.input({
      title: this.title,
      prompt: l10n.t('Client id of the user-assigned identity attached to the Automation account'),
      placeholder: '00000000-0000-0000-0000-000000000000',
      argument: 'identity',
      ...position,
      validate: (v) => (isGuid(v.trim()) ? undefined : `A client id is a GUID; ${notAGuid(v.trim())}.`),
    });
    c.identity = { kind: 'userAssigned', clientId: clientId.trim().toLowerCase() };
    c.identityFrom = 'entered in VS Code';
  }
}
