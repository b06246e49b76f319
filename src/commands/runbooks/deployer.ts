// The deploy sequence, free of vscode so that it runs in unit tests: check the account (runtime
// environment, modules, identity), then create or update the runbook, upload the draft and publish.
// Anything that changes the account beyond the runbook itself (importing modules, turning on the
// identity) happens only when the caller says yes or `decide` agrees.
// Interrupted (an error, a dropped connection, a cancel, the host closing: the same path) the account
// is left in the old or the new state, never in between: the published runbook changes only on
// publish. The message then says exactly which state it is in (read back from Azure after a failure;
// after a cancel nothing more is sent, so a step in flight is "may still complete").
import {
  compareModules,
  needsImport,
  findUserAssignedIdentity,
  hasSystemAssignedIdentity,
  type AutomationClient,
  type ModuleStatus,
  type ModuleTarget,
} from '../../arm/automation';
import type { AutomationAccount, Runbook } from '../../domain/model';
import { ArmRequestError } from '../../arm/armClient';
import { throwIfCancelled, UserCancelledError } from '../../util/cancellation';
import type { RunbookFilePlan } from './runbookFile';
import { RUNBOOK_RUNTIMES, runtimeEnvironmentsUnavailable, runtimeEnvironmentsUnavailableIn } from '../../runbooks/runtimes';

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
  /** The account's cloud: runtime environments do not exist in every cloud. */
  readonly cloud: { readonly name: string; readonly displayName: string };
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
  /** The runtime environment the runbook is linked to (reused or created); absent for the legacy PowerShell72 type. */
  readonly runtimeEnvironment?: string;
  readonly published: boolean;
  readonly warnings: readonly string[];
}

function moduleTargetFor(plan: RunbookFilePlan, environment: string | undefined): ModuleTarget | undefined {
  if (environment) return { kind: 'runtimeEnvironment', name: environment };
  if (plan.deployment.runbookType === 'PowerShell72') return { kind: 'powerShell72' };
  return undefined;
}

/** "Microsoft.Graph.Users 2.28.0", or the name alone when there is no version. */
function withVersion(name: string, version: string | undefined): string {
  return version ? `${name} ${version}` : name;
}

/** One module's state in words, versions included: "Microsoft.Graph.Users 2.25.0 found, 2.28.0 needed". */
function describeModule(s: ModuleStatus): string {
  const needed = s.requiredVersion ? ` ${s.requiredVersion}` : '';
  switch (s.status) {
    case 'present':
      return `${withVersion(s.name, s.version)} present`;
    case 'outdated':
      return `${s.name} ${s.version ?? '(no version)'} found,${needed} needed`;
    case 'missing':
      return `${withVersion(s.name, s.requiredVersion)} missing`;
    case 'importing':
      return `${s.name} still importing`;
    case 'failed':
      return `${s.name}: its last import failed${needed ? `;${needed} needed` : ''}`;
  }
}

function describeModules(statuses: readonly ModuleStatus[]): string {
  return statuses.map(describeModule).join('; ');
}

async function agreed(consent: Consent, ask: () => Promise<boolean>): Promise<boolean> {
  return consent === 'yes' || (consent === 'ask' && (await ask()));
}

/** A deploy refused before anything was written (the message says why and what to do instead). */
export class DeployRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployRefusedError';
  }
}

const LANGUAGE_OF_TYPE: Readonly<Record<string, 'PowerShell' | 'Python'>> = {
  PowerShell: 'PowerShell',
  PowerShell72: 'PowerShell',
  Python: 'Python',
  Python3: 'Python',
};

/**
 * The type to send for a runbook that may exist already: a runbook's type cannot change in Azure. A Python
 * runbook created as `Python3` (before runtime environments) keeps that type, which links to a runtime
 * environment as well; any other difference is refused before anything is written, with what to do.
 */
function runbookTypeFor(name: string, wanted: string, existing: string | undefined): string {
  if (!existing || existing.toLowerCase() === wanted.toLowerCase()) return wanted;
  if (existing === 'Python3' && wanted === 'Python') return existing;
  const language = LANGUAGE_OF_TYPE[existing];
  const advice =
    existing === 'PowerShell72'
      ? 'To update it, scaffold with the runtime PowerShell-7.2; to move it to PowerShell 7.6, deploy under a new name (or delete it in the portal first).'
      : language && language !== LANGUAGE_OF_TYPE[wanted]
        ? `It is a ${language} runbook: deploy this file under another name.`
        : 'Deploy under a new name, or delete it in the portal first.';
  throw new DeployRefusedError(
    `The runbook ${name} already exists as runbook type ${existing}, and Azure cannot change a runbook's type to ${wanted}; nothing was changed. ${advice}`,
  );
}

/** How far a deploy got: each write is 'sent' before its request and 'done' after; 'accepted' once Azure took a long-running one. */
export interface DeployProgress {
  step: 'account' | 'runtimeEnvironment' | 'modules' | 'identity' | 'readRunbook' | 'runbook' | 'draft' | 'publish' | 'final';
  /** What changed on the account so far (a runtime environment, module imports, the identity), in words. */
  readonly accountChanges: string[];
  /** The runbook before this deploy: null when there was none, undefined when not read yet. */
  runbookBefore?: Runbook | null;
  runbook: 'no' | 'sent' | 'done';
  draft: 'no' | 'sent' | 'accepted' | 'done';
  publish: 'no' | 'sent' | 'accepted' | 'done';
}

/** A deploy that failed half-way; the message names the state the account is in. */
export class DeployInterruptedError extends Error {
  constructor(
    message: string,
    readonly progress: DeployProgress,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeployInterruptedError';
  }
}

const STEP_TEXT: Record<DeployProgress['step'], string> = {
  account: 'reading the Automation account',
  runtimeEnvironment: 'looking for the runtime environment',
  modules: 'checking or importing modules',
  identity: 'turning on the system-assigned identity',
  readRunbook: 'reading the runbook',
  runbook: 'creating or updating the runbook',
  draft: 'uploading the draft',
  publish: 'publishing',
  final: 'reading the result',
};

export async function deployRunbookToAccount(automation: AutomationClient, request: DeployRequest, hooks: DeployHooks): Promise<DeployOutcome> {
  // Before anything is sent: a runtime the account's cloud cannot run is refused with what to do instead.
  const unavailable = runtimeEnvironmentsUnavailable(request.cloud, RUNBOOK_RUNTIMES[request.plan.runtime]);
  if (unavailable) throw new Error(unavailable);
  const progress: DeployProgress = { step: 'account', accountChanges: [], runbook: 'no', draft: 'no', publish: 'no' };
  try {
    return await deploySteps(automation, request, hooks, progress);
  } catch (error) {
    // Refused before any write: nothing to read back, and nothing to finish.
    if (error instanceof DeployRefusedError) throw error;
    const cancelled = hooks.signal?.aborted === true;
    // After a failure, Azure is asked what the runbook now is; after a cancel nothing more is sent.
    const found = cancelled ? {} : await readBack(automation, request, progress);
    const state = describeDeployState(request, progress, found, cancelled);
    if (cancelled) throw UserCancelledError.withOutcome(`Cancelled while ${STEP_TEXT[progress.step]}. ${state}`, progress);
    const reason = error instanceof Error ? error.message.replace(/\s*$/, '') : String(error);
    throw new DeployInterruptedError(`${reason}${/[.!?]$/.test(reason) ? '' : '.'} ${state}`, progress, { cause: error });
  }
}

async function deploySteps(automation: AutomationClient, request: DeployRequest, hooks: DeployHooks, progress: DeployProgress): Promise<DeployOutcome> {
  const { signal } = hooks;
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    hooks.warn(message);
  };
  const { deployment } = request.plan;
  // Each step: say it, then stop here if cancelled (nothing of this step has been sent yet).
  const step = (name: DeployProgress['step'], text: string) => {
    progress.step = name;
    hooks.report(text);
    throwIfCancelled(signal);
  };

  step('account', 'Reading the Automation account');
  let account = await automation.getAccount(request.accountId, signal);
  const regionProblem = deployment.runtimeEnvironment ? runtimeEnvironmentsUnavailableIn(account.location) : undefined;
  if (regionProblem) throw new DeployRefusedError(regionProblem);

  // The runbook as it was, read before anything is written: its type decides whether it can be updated at
  // all, its runtime environment is kept, and whether it has a published version decides what an
  // interruption leaves.
  step('readRunbook', `Reading the runbook ${request.runbookName}`);
  const before = (await automation.getRunbook(account.id, request.runbookName, deployment.apiVersion, signal)) ?? null;
  progress.runbookBefore = before;
  const runbookType = runbookTypeFor(request.runbookName, deployment.runbookType, before?.properties.runbookType);

  let runtimeEnvironmentCreated = false;
  let environment: string | undefined;
  if (deployment.runtimeEnvironment) {
    const spec = deployment.runtimeEnvironment;
    step('runtimeEnvironment', `Looking for a ${spec.language} ${spec.version} runtime environment`);
    const current = before?.properties.runtimeEnvironment;
    const ensured = await automation.ensureRuntimeEnvironment(account, spec, signal, {
      ...(current ? { current } : {}),
      needsPackages: deployment.modules.length > 0,
    });
    environment = ensured.environment.name;
    runtimeEnvironmentCreated = ensured.created;
    if (ensured.created) {
      progress.accountChanges.push(`created the runtime environment ${environment}`);
      hooks.info(`Created the runtime environment ${environment} (${spec.language} ${spec.version}) in ${account.name}.`);
    } else {
      hooks.info(`Using the runtime environment ${environment} (${spec.language} ${spec.version}) that ${account.name} already has.`);
    }
    if (current && current.toLowerCase() !== environment.toLowerCase()) {
      warn(`The runbook ${request.runbookName} moves from the runtime environment ${current} to ${environment} (${spec.language} ${spec.version}).`);
    }
  }
  if (deployment.supportNote) warn(deployment.supportNote);
  if (deployment.lifecycleNote) hooks.info(deployment.lifecycleNote);

  // Modules: what the runbook needs, at which version, and whether the account has them.
  let modules: ModuleStatus[] = [];
  const importedModules: string[] = [];
  const target = moduleTargetFor(request.plan, environment);
  if (deployment.modules.length > 0 && target) {
    step('modules', 'Checking modules');
    modules = compareModules(deployment.modules, await automation.listModules(account.id, target, signal));
    const where = target.kind === 'powerShell72' ? `${account.name} (PowerShell 7.2 modules)` : `the runtime environment ${target.name} of ${account.name}`;
    hooks.info(`Modules the runbook needs, in ${where}: ${describeModules(modules)}.`);
    const missing = modules.filter((m) => needsImport(m.status));
    if (missing.length > 0) {
      const list = missing.map((m) => withVersion(m.name, m.requiredVersion)).join(', ');
      const yes = await agreed(request.importModules, () =>
        hooks.confirm(
          `${missing.length} module${missing.length > 1 ? 's' : ''} the runbook needs ${missing.length > 1 ? 'are' : 'is'} missing or out of date in ${where}. Import ${list} from the PowerShell Gallery?`,
          `${describeModules(modules)}.\nImporting goes through Azure Resource Manager and can take several minutes per module.`,
          'Import',
        ),
      );
      if (yes) {
        for (const m of missing) {
          const moduleAtVersion = withVersion(m.name, m.requiredVersion);
          step('modules', `Importing ${moduleAtVersion} from the PowerShell Gallery`);
          await automation.importModule(
            account.id,
            target,
            { name: m.name, contentLink: m.contentLink, ...(m.requiredVersion ? { version: m.requiredVersion } : {}) },
            signal,
            (state) => hooks.report(`Importing ${moduleAtVersion}: ${state}`),
          );
          importedModules.push(m.name);
          progress.accountChanges.push(`imported the module ${moduleAtVersion}`);
          hooks.info(`Imported ${moduleAtVersion} into ${where}${m.status === 'outdated' && m.version ? ` (it had ${m.version})` : ''}.`);
        }
        modules = modules.map((m) =>
          importedModules.includes(m.name) ? { ...m, status: 'present' as const, ...(m.requiredVersion ? { version: m.requiredVersion } : {}) } : m,
        );
      } else {
        warn(
          `The runbook fails until ${missing.length > 1 ? 'these modules are' : 'this module is'} imported into ${where}: ${missing.map(describeModule).join('; ')}.`,
        );
      }
    }
    const importing = modules.filter((m) => m.status === 'importing');
    if (importing.length > 0) warn(`Still importing in Azure: ${importing.map((m) => m.name).join(', ')}. Wait for it before starting the runbook.`);
  }

  // Identity: the runbook signs in with the account's managed identity.
  let identityEnabled = false;
  const identity = request.plan.identity;
  if (identity?.kind === 'systemAssigned' && !hasSystemAssignedIdentity(account)) {
    const yes = await agreed(request.enableIdentity, () =>
      hooks.confirm(
        `The runbook uses the system-assigned identity of ${account.name}, which is off. Turn it on?`,
        "User-assigned identities attached to the account stay attached. Afterwards the app needs a federated credential whose subject is the new identity's object id.",
        'Turn On',
      ),
    );
    if (yes) {
      step('identity', 'Turning on the system-assigned identity');
      account = await automation.enableSystemAssignedIdentity(account, signal);
      identityEnabled = true;
      progress.accountChanges.push('turned on the system-assigned identity');
      hooks.info(
        `Turned on the system-assigned identity of ${account.name}${account.identity?.principalId ? ` (object id ${account.identity.principalId}); the app needs a federated credential with this subject` : ''}.`,
      );
    } else {
      warn(`The system-assigned identity of ${account.name} is off: the runbook cannot get a token until it is on.`);
    }
  } else if (identity?.kind === 'userAssigned' && !findUserAssignedIdentity(account, identity.clientId)) {
    warn(
      `No user-assigned identity with client id ${identity.clientId} is attached to ${account.name}: attach it (Identity › User assigned) before starting the runbook.`,
    );
  }

  step('runbook', `Creating or updating the runbook ${request.runbookName}`);
  progress.runbook = 'sent';
  const runbook = await automation.createOrUpdateRunbook(
    account.id,
    request.runbookName,
    account.location,
    {
      runbookType,
      ...(environment ? { runtimeEnvironment: environment } : {}),
      apiVersion: deployment.apiVersion,
      ...(request.description ? { description: request.description } : {}),
    },
    signal,
  );
  progress.runbook = 'done';

  step('draft', 'Uploading the draft');
  progress.draft = 'sent';
  // A runbook this deploy created can answer 404 for a moment: those requests wait for it, bounded.
  const justCreated = before
    ? undefined
    : { onWait: () => hooks.report('Azure has not finished creating the runbook yet; trying again (this can take a minute or two)') };
  await automation.uploadDraftContent(
    account.id,
    request.runbookName,
    request.content,
    deployment.apiVersion,
    signal,
    () => {
      progress.draft = 'accepted';
    },
    justCreated,
  );
  progress.draft = 'done';

  if (request.publish) {
    step('publish', 'Publishing');
    progress.publish = 'sent';
    await automation.publishRunbook(
      account.id,
      request.runbookName,
      deployment.apiVersion,
      signal,
      () => {
        progress.publish = 'accepted';
      },
      justCreated,
    );
    progress.publish = 'done';
  }
  // Everything is written: a failed or cancelled read of the result changes nothing of it.
  progress.step = 'final';
  const final = signal?.aborted
    ? undefined
    : await automation.getRunbook(account.id, request.runbookName, deployment.apiVersion, signal).catch(() => undefined);
  return {
    runbookId: final?.id ?? runbook.id,
    state: final?.properties.state ?? (request.publish ? 'Published' : 'Edit'),
    account,
    modules,
    importedModules,
    identityEnabled,
    runtimeEnvironmentCreated,
    ...(environment ? { runtimeEnvironment: environment } : {}),
    published: request.publish,
    warnings,
  };
}

/** What Azure holds after an interruption, read back; undefined where the read failed too. */
interface ReadBack {
  readonly exists?: boolean;
  readonly draftIsNew?: boolean;
  readonly published?: 'new' | 'old' | 'none';
}

const sameScript = (a: string, b: string) => a.replace(/\r\n/g, '\n').trimEnd() === b.replace(/\r\n/g, '\n').trimEnd();
const notFound = (error: unknown) => error instanceof ArmRequestError && error.status === 404;

async function readBack(automation: AutomationClient, request: DeployRequest, progress: DeployProgress): Promise<ReadBack> {
  if (progress.runbook === 'no') return {};
  const { apiVersion } = request.plan.deployment;
  // A runbook this deploy created may not show yet (ARM's eventual consistency): not found then says nothing.
  const justCreated = progress.runbookBefore === null;
  const exists = await automation.getRunbook(request.accountId, request.runbookName, apiVersion).then(
    (r) => (r !== undefined ? true : justCreated ? undefined : false),
    () => undefined,
  );
  if (exists === false) return { exists };
  const draftIsNew = await automation.getRunbookContent(request.accountId, request.runbookName, 'draft', apiVersion).then(
    (text) => sameScript(text, request.content),
    (error: unknown) => (notFound(error) ? false : undefined),
  );
  const published = await automation.getRunbookContent(request.accountId, request.runbookName, 'published', apiVersion).then(
    (text): ReadBack['published'] => (sameScript(text, request.content) ? 'new' : 'old'),
    (error: unknown): ReadBack['published'] => (notFound(error) ? 'none' : undefined),
  );
  return { exists, draftIsNew, published };
}

/**
 * The state an interrupted deploy left, in words: the runbook (created or not, the draft, the
 * published version) and what changed on the account. The published runbook changes only on publish,
 * so before publishing it is unchanged for certain; during publishing it is what Azure answers (after
 * a failure) or "the previous or the new one" (after a cancel).
 */
function describeDeployState(request: DeployRequest, progress: DeployProgress, found: ReadBack, cancelled: boolean): string {
  const name = request.runbookName;
  const before = progress.runbookBefore;
  const hadPublished = before?.properties.state === 'Published' || before?.properties.state === 'Edit';
  const unchanged = hadPublished ? 'the published runbook is unchanged (the previous version keeps running)' : 'the runbook has no published version';
  const parts: string[] = [];
  const finish = () => {
    if (progress.accountChanges.length > 0) parts.push(`Already done in the account: ${progress.accountChanges.join(', ')}.`);
    parts.push(`Run Deploy Runbook again to finish.`);
    return parts.join(' ');
  };

  if (progress.runbook === 'no') {
    parts.push(`Nothing was changed on the runbook ${name}${before ? `; ${unchanged}` : ''}.`);
    return finish();
  }
  if (progress.runbook === 'sent') {
    if (before) parts.push(`Only the runbook's settings may have been updated, not its content: ${unchanged}.`);
    else if (found.exists === false) parts.push(`The runbook ${name} was not created.`);
    else if (found.exists === true) parts.push(`The runbook ${name} was created, without content: it has no draft and no published version.`);
    else parts.push(`The runbook ${name} may have been created, without content: it has no published version.`);
    return finish();
  }
  if (progress.draft !== 'done') {
    // The publish request was never sent: the published version is what it was.
    const draft =
      found.draftIsNew === true
        ? 'The new draft was uploaded'
        : found.draftIsNew === false
          ? progress.draft === 'accepted'
            ? 'Azure accepted the new draft but had not stored it when checked (it may still do so)'
            : 'The new draft was not uploaded'
          : progress.draft === 'no'
            ? 'The new draft was not uploaded'
            : 'The upload of the new draft may still complete in Azure';
    parts.push(`The runbook ${name} ${before ? 'exists' : 'was created'}. ${draft}${request.publish ? ', and it was not published' : ''}; ${unchanged}.`);
    return finish();
  }
  // The draft is uploaded; publishing was requested and did not finish.
  if (progress.publish === 'no') {
    parts.push(`The draft was uploaded but not published; ${unchanged}.`);
  } else if (found.published === 'new') {
    parts.push("The draft was uploaded and published: the new version is live, although Azure's answer was lost.");
    parts.push(...(progress.accountChanges.length > 0 ? [`Also done in the account: ${progress.accountChanges.join(', ')}.`] : []));
    return parts.join(' ');
  } else if (found.published === 'old' || found.published === 'none') {
    const now = found.published === 'old' ? 'the published runbook is still the previous version' : 'the runbook has no published version yet';
    parts.push(
      progress.publish === 'accepted'
        ? `The draft was uploaded and Azure accepted the publish request, but had not finished when checked: ${now}, until Azure completes it.`
        : `The draft was uploaded but not published (checked); ${now}.`,
    );
  } else {
    parts.push(
      cancelled
        ? `The draft was uploaded; publishing had been requested when you cancelled and may still complete in Azure, so the published runbook is either the previous version or the new one. The Automation account in the portal shows which.`
        : `The draft was uploaded; whether it was published could not be checked: the published runbook is either the previous version or the new one. The Automation account in the portal shows which.`,
    );
  }
  return finish();
}
