// The deploy sequence, free of vscode so that it runs in unit tests: check the account (runtime
// environment, modules, identity), then create or update the runbook, upload the draft and publish.
// Anything that changes the account beyond the runbook itself (importing modules, turning on the
// identity) happens only when the caller says yes or `decide` agrees.
import {
  compareModules, findUserAssignedIdentity, hasSystemAssignedIdentity, type AutomationAccount, type AutomationClient, type ModuleStatus,
  type ModuleTarget,
} from '../../arm/automation';
import type { RunbookFilePlan } from './runbookFile';

export type Consent = 'ask' | 'yes' | 'no';

export interface DeployRequest {
  readonly accountId: string;
  readonly runbookName: string;
  readonly content: string;
  readonly plan: RunbookFilePlan;
  readonly publish: boolean;
  readonly importModules: Consent;
  readonly enableIdentity: Consent;
  readonly description?: string;
}

export interface DeployHooks {
  /** Asks the user; only called for `ask`. Resolves true when they agree. */
  confirm(message: string, detail: string, action: string): Promise<boolean>;
  report(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  readonly signal?: AbortSignal;
}

export interface DeployOutcome {
  readonly runbookId: string;
  readonly state: string;
  readonly account: AutomationAccount;
  readonly modules: readonly ModuleStatus[];
  readonly importedModules: readonly string[];
  readonly identityEnabled: boolean;
  readonly runtimeEnvironmentCreated: boolean;
  readonly published: boolean;
  readonly warnings: readonly string[];
}

export function moduleTargetFor(plan: RunbookFilePlan): ModuleTarget | undefined {
  if (plan.deployment.runtimeEnvironment) return { kind: 'runtimeEnvironment', name: plan.deployment.runtimeEnvironment.name };
  if (plan.deployment.runbookType === 'PowerShell72') return { kind: 'powerShell72' };
  return undefined;
}

export function describeModules(statuses: readonly ModuleStatus[]): string {
  return statuses.map((s) => `${s.name}: ${s.status === 'present' ? `present${s.version ? ` (${s.version})` : ''}` : s.status}`).join('; ');
}

async function agreed(consent: Consent, ask: () => Promise<boolean>): Promise<boolean> {
  return consent === 'yes' || (consent === 'ask' && (await ask()));
}

export async function deployRunbookToAccount(automation: AutomationClient, request: DeployRequest, hooks: DeployHooks): Promise<DeployOutcome> {
  const { signal } = hooks;
  const warnings: string[] = [];
  const warn = (message: string) => { warnings.push(message); hooks.warn(message); };
  const { deployment } = request.plan;

  hooks.report('Reading the Automation account');
  let account = await automation.getAccount(request.accountId, signal);

  let runtimeEnvironmentCreated = false;
  if (deployment.runtimeEnvironment) {
    hooks.report(`Checking the runtime environment ${deployment.runtimeEnvironment.name}`);
    const ensured = await automation.ensureRuntimeEnvironment(account, deployment.runtimeEnvironment, signal);
    runtimeEnvironmentCreated = ensured.created;
    if (ensured.created) hooks.info(`Created the runtime environment ${deployment.runtimeEnvironment.name} (${deployment.runtimeEnvironment.language} ${deployment.runtimeEnvironment.version}) in ${account.name}.`);
  }
  if (deployment.supportNote) warn(deployment.supportNote);

  // Modules: what the runbook needs and whether the account has them.
  let modules: ModuleStatus[] = [];
  const importedModules: string[] = [];
  const target = moduleTargetFor(request.plan);
  if (deployment.modules.length > 0 && target) {
    hooks.report('Checking modules');
    modules = compareModules(deployment.modules, await automation.listModules(account.id, target, signal));
    const where = target.kind === 'powerShell72' ? `${account.name} (PowerShell 7.2 modules)` : `the runtime environment ${target.name} of ${account.name}`;
    hooks.info(`Modules the runbook needs, in ${where}: ${describeModules(modules)}.`);
    const missing = modules.filter((m) => m.status === 'missing' || m.status === 'failed');
    if (missing.length > 0) {
      const yes = await agreed(request.importModules, () => hooks.confirm(
        `${missing.length} module${missing.length > 1 ? 's' : ''} the runbook needs ${missing.length > 1 ? 'are' : 'is'} missing from ${where}: ${missing.map((m) => m.name).join(', ')}. Import ${missing.length > 1 ? 'them' : 'it'} from the PowerShell Gallery?`,
        `${describeModules(modules)}.\nImporting goes through Azure Resource Manager and can take several minutes per module.`,
        'Import',
      ));
      if (yes) {
        for (const m of missing) {
          hooks.report(`Importing ${m.name} from the PowerShell Gallery`);
          await automation.importModule(account.id, target, { name: m.name, contentLink: m.contentLink }, signal, (state) => hooks.report(`Importing ${m.name}: ${state}`));
          importedModules.push(m.name);
        }
        modules = modules.map((m) => (importedModules.includes(m.name) ? { ...m, status: 'present' as const } : m));
      } else {
        warn(`The runbook fails until ${missing.map((m) => m.name).join(', ')} ${missing.length > 1 ? 'are' : 'is'} imported into ${where}.`);
      }
    }
    const importing = modules.filter((m) => m.status === 'importing');
    if (importing.length > 0) warn(`Still importing in Azure: ${importing.map((m) => m.name).join(', ')}. Wait for it before starting the runbook.`);
  }

  // Identity: the runbook signs in with the account's managed identity.
  let identityEnabled = false;
  const identity = request.plan.identity;
  if (identity?.kind === 'systemAssigned' && !hasSystemAssignedIdentity(account)) {
    const yes = await agreed(request.enableIdentity, () => hooks.confirm(
      `The runbook uses the system-assigned identity of ${account.name}, which is off. Turn it on?`,
      'User-assigned identities attached to the account stay attached. Afterwards the app needs a federated credential whose subject is the new identity\'s object id.',
      'Turn On',
    ));
    if (yes) {
      hooks.report('Turning on the system-assigned identity');
      account = await automation.enableSystemAssignedIdentity(account, signal);
      identityEnabled = true;
      hooks.info(`Turned on the system-assigned identity of ${account.name}${account.identity?.principalId ? ` (object id ${account.identity.principalId}); the app needs a federated credential with this subject` : ''}.`);
    } else {
      warn(`The system-assigned identity of ${account.name} is off: the runbook cannot get a token until it is on.`);
    }
  } else if (identity?.kind === 'userAssigned' && !findUserAssignedIdentity(account, identity.clientId)) {
    warn(`No user-assigned identity with client id ${identity.clientId} is attached to ${account.name}: attach it (Identity › User assigned) before starting the runbook.`);
  }

  hooks.report(`Creating or updating the runbook ${request.runbookName}`);
  const runbook = await automation.createOrUpdateRunbook(account.id, request.runbookName, account.location, {
    runbookType: deployment.runbookType,
    ...(deployment.runtimeEnvironment ? { runtimeEnvironment: deployment.runtimeEnvironment.name } : {}),
    apiVersion: deployment.apiVersion,
    ...(request.description ? { description: request.description } : {}),
  }, signal);

  hooks.report('Uploading the draft');
  await automation.uploadDraftContent(account.id, request.runbookName, request.content, deployment.apiVersion, signal);

  if (request.publish) {
    hooks.report('Publishing');
    await automation.publishRunbook(account.id, request.runbookName, deployment.apiVersion, signal);
  }
  const final = await automation.getRunbook(account.id, request.runbookName, deployment.apiVersion, signal);
  return {
    runbookId: final?.id ?? runbook.id,
    state: final?.properties.state ?? (request.publish ? 'Published' : 'Edit'),
    account,
    modules,
    importedModules,
    identityEnabled,
    runtimeEnvironmentCreated,
    published: request.publish,
    warnings,
  };
}
