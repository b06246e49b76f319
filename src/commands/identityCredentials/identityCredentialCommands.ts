// Federated credentials of user-assigned managed identities (Azure Resource Manager): add, edit, delete, copy.
// add args:    { identity, kind: 'githubActions'|'kubernetes'|'otherIssuer'|'flexible', …the kind's arguments as for
//                addCredential…, name } — `identity` is the identity's ARM id or object (principal) id, or a list
//                of them: the same credential is then added to each, one identity after the other.
// edit args:   { identity, credential (its name), issuer?, subject?, audience?, claimsMatchingExpression? } — the name is immutable.
// delete args: { identity, credential, confirm: true } — without confirm: true a programmatic call is refused.
// copy args:   { identity, credential, format: 'json' | 'azureCli' | 'azureCliPowerShell' | 'bicep' }
import * as vscode from 'vscode';
import { useVsCodeL10nBundle } from '../../util/l10nBundle';
import type { IdentityCredentialsClient } from '../../arm/identityCredentials';
import type { AksCluster } from '../../arm/managedClusters';
import { CLAIMS_EXPRESSION_LANGUAGE_VERSION } from '../../domain/claimsExpression';
import type { Cloud } from '../../domain/clouds';
import { toAzIdentityCommand, toIdentityBicep, toIdentityCredentialJson } from '../../domain/copyFormats';
import type { CredentialValues } from '../../domain/credentialRules';
import {
  checkIdentityCredential,
  identityCredentialValues,
  identityReferenceProblem,
  parseUserAssignedIdentityId,
  userAssignedRef,
  type IdentityCredential,
  type UserAssignedIdentityRef,
} from '../../domain/identityCredentials';
import { parseAlternativeNames } from '../../domain/managedIdentities';
import type { ManagedIdentityPrincipal, Page } from '../../domain/model';
import { quote } from '../../domain/text';
import { ValidationError } from '../../domain/validation';
import type { GraphDirectory } from '../../graph/directory';
import { UserCancelledError } from '../../util/cancellation';
import type { PromptStep } from '../../wizard/wizard';
import { runPromptSteps } from '../../wizard/wizard';
import { isArgumentsObject } from '../arguments';
import type { CommandContext } from '../commandRunner';
import { CredentialNameStep } from '../steps';
import { confirmWarnings } from '../credentials/addManagedIdentityCredential';
import { cancellableWrite, credentialArgs, type CredentialCommandDeps } from '../credentials/common';
import {
  applyProgrammaticDefaults,
  buildKindCredential,
  checkKindAnswers,
  checkKindArguments,
  defaultKindCredentialName,
  KIND_ARGUMENT_KEYS,
  KIND_ARGUMENT_TYPES,
  kindSteps,
  workloadKindChoices,
  type KindContext,
} from '../credentials/credentialKindSteps';
import { applyEditArguments, pickEdits } from '../credentials/editCredential';

// Loaded as its own chunk on first use (scripts/bundles.mjs), with its own copy of @vscode/l10n.
useVsCodeL10nBundle();

export interface IdentityCredentialCommandDeps extends Pick<CredentialCommandDeps, 'log' | 'progress' | 'notify'> {
  readonly directory: () => GraphDirectory;
  readonly identityCredentials: () => IdentityCredentialsClient;
  readonly cloud: () => Cloud;
  readonly flexibleCredentials?: () => boolean;
  /** The identity (and credential) of the tree node the command was run on, if any. */
  readonly selectedIdentity: (node: unknown) => { identity: ManagedIdentityPrincipal; identityRef: UserAssignedIdentityRef } | undefined;
  readonly selectedCredential: (node: unknown) => { identityRef: UserAssignedIdentityRef; credential: IdentityCredential } | undefined;
  /** The AKS clusters of a subscription, for a Kubernetes credential's issuer (optional: without it the issuer is typed). */
  readonly clusters?: (subscriptionId: string) => Promise<readonly AksCluster[]>;
  /** The identity's credentials changed: its node in the Managed Identities view loads them again. */
  readonly afterChange: (identity: UserAssignedIdentityRef) => Promise<void>;
}

/** Where an identity's flexible credentials live. */
const ARM_PREVIEW = 'the Azure Resource Manager API (Microsoft.ManagedIdentity 2025-05-31-preview)';
const ADD_TITLE = () => vscode.l10n.t('Add Federated Credential to Managed Identity');

/** The user-assigned identity an argument names: its ARM id, or its object id (looked up in Graph). */
export async function resolveIdentity(deps: Pick<IdentityCredentialCommandDeps, 'directory'>, value: string): Promise<UserAssignedIdentityRef> {
  const problem = identityReferenceProblem(value);
  if (problem) throw new Error(`"identity" must be a user-assigned managed identity's ARM id or object (principal) id; ${problem}.`);
  const byId = parseUserAssignedIdentityId(value);
  if (byId) return byId;
  const principal = await deps.directory().servicePrincipals.find(value.trim());
  if (!principal) throw new Error(`No managed identity with object id ${value.trim()} in this tenant.`);
  if (principal.servicePrincipalType !== undefined && principal.servicePrincipalType !== 'ManagedIdentity') {
    throw new Error(
      `${quote(principal.displayName)} (${principal.id}) is not a managed identity but a service principal of type ${principal.servicePrincipalType}.`,
    );
  }
  return userAssignedRef(principal);
}

/** The identity picker: the first page of the tenant's managed identities, user-assigned only, or an id typed in. */
async function pickIdentity(deps: IdentityCredentialCommandDeps, context: CommandContext, title: string): Promise<UserAssignedIdentityRef> {
  const ENTER = Symbol('enter');
  const directory = deps.directory();
  const toItems = (page: Page<ManagedIdentityPrincipal>) => [
    ...page.items
      .map((principal) => ({ principal, info: parseAlternativeNames(principal.alternativeNames) }))
      .filter(({ info }) => info.kind === 'userAssigned' && info.resourceId !== undefined)
      .map(({ principal, info }) => ({
        label: principal.displayName,
        description: principal.id,
        detail: info.display,
        data: principal as ManagedIdentityPrincipal | typeof ENTER,
      })),
    { label: vscode.l10n.t('$(edit) Enter an ARM id or object id…'), data: ENTER as ManagedIdentityPrincipal | typeof ENTER },
  ];
  // The first page before the user types, then Graph's search by the start of the name (one request each).
  const items = directory.servicePrincipals.listManagedIdentities(100).then(toItems);
  const picked = await context.ui.pick(items, {
    title,
    placeholder: vscode.l10n.t('Select a user-assigned managed identity'),
    argument: 'identity',
    search: async (text) => (text.trim() === '' ? items : toItems(await directory.servicePrincipals.listManagedIdentities(100, text.trim()))),
  });
  if (picked !== ENTER) return userAssignedRef(picked);
  let found: UserAssignedIdentityRef | undefined;
  await context.ui.input({
    title,
    prompt: vscode.l10n.t("The identity's ARM id (/subscriptions/…/userAssignedIdentities/{name}) or object (principal) id"),
    argument: 'identity',
    validate: async (value) => {
      try {
        found = await resolveIdentity(deps, value);
        return undefined;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
  });
  return found!;
}

/** The `identity` argument: one id, or a list of them (add only). */
function identityArgument(arg: unknown, allowList: boolean): string[] | undefined {
  if (!isArgumentsObject(arg) || arg.identity === undefined) return undefined;
  const value = arg.identity;
  if (typeof value === 'string') return [value];
  if (allowList && Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return [...new Set(value as string[])];
  throw new Error(
    `Argument "identity" must be ${allowList ? 'a string or a non-empty list of strings' : 'a string'}: the identity's ARM id or object (principal) id.`,
  );
}

/** Arguments with `identity` read apart (it may be a list). */
function argsWithoutIdentity<K extends string>(arg: unknown, keys: readonly K[], types: Parameters<typeof credentialArgs<K>>[2] = {}) {
  return credentialArgs(isArgumentsObject(arg) ? { ...arg, identity: undefined } : arg, keys, types);
}

interface AddContext extends KindContext {
  identity?: UserAssignedIdentityRef;
  existing?: IdentityCredential[];
  name?: string;
}

export interface IdentityAddResult {
  readonly added: Array<{ identity: string; credential: IdentityCredential }>;
  readonly failed: Array<{ identity: string; message: string }>;
}

export async function addIdentityCredential(
  deps: IdentityCredentialCommandDeps,
  context: CommandContext,
  arg?: unknown,
): Promise<IdentityCredential | IdentityAddResult> {
  const identities = identityArgument(arg, true);
  const args = argsWithoutIdentity(arg, ['identity', 'name', ...KIND_ARGUMENT_KEYS] as const, KIND_ARGUMENT_TYPES);
  const flexibleAllowed = deps.flexibleCredentials?.() === true;
  checkKindArguments(args, { flexibleAllowed, previewApi: ARM_PREVIEW });
  if (context.programmatic && !identities)
    throw new Error('Pass "identity": the user-assigned identity\'s ARM id or object (principal) id, or a list of them.');
  if (identities && identities.length > 1) return addToMany(deps, context, identities, args);

  const client = deps.identityCredentials();
  const wizard: AddContext = {
    ...(args as KindContext & { name?: string }),
    identity: identities ? await resolveIdentity(deps, identities[0]) : deps.selectedIdentity(arg)?.identityRef,
  };
  if (context.programmatic) applyProgrammaticDefaults(wizard, deps.cloud());
  const title = ADD_TITLE();
  const identityStep: PromptStep<AddContext> = {
    shouldPrompt: (c) => c.identity === undefined,
    prompt: async (c) => {
      c.identity = await pickIdentity(deps, context, title);
    },
  };
  await runPromptSteps(
    wizard,
    [
      identityStep,
      ...kindSteps<AddContext>({
        title,
        choices: workloadKindChoices().filter((k) => k.kind !== 'flexible' || flexibleAllowed),
        kindPlaceholder: vscode.l10n.t('Which workload will get tokens as this identity?'),
        cloud: deps.cloud,
        kubernetesIssuer: clusterIssuerStep(deps, title),
      }),
      new CredentialNameStep<AddContext>(title, defaultKindCredentialName, async (c) => (c.existing ??= await client.list(c.identity!)), 'managedIdentity'),
    ],
    context.ui,
  );
  checkKindAnswers(wizard);
  if (!wizard.name) throw new Error('"name" is required: 3 to 120 letters, digits, "-" or "_".');
  const identity = wizard.identity!;
  const values = valuesOf(wizard, deps.cloud());
  const existing = wizard.existing ?? (await client.list(identity));
  const check = checkIdentityCredential(values, { existing, identityName: identity.name });
  if (!check.ok) throw new ValidationError(check.errors);
  await confirmWarnings(context, check.warnings, deps);
  const credential = await cancellableWrite(
    deps,
    vscode.l10n.t('Adding credential {0} to {1}', values.name, identity.name),
    `adding the credential ${values.name} to the managed identity ${identity.name}`,
    (signal) => client.put(identity, values, signal),
    () => deps.afterChange(identity),
  );
  await deps.afterChange(identity);
  deps.log.info(`Added federated credential ${credential.name} (${wizard.kind}) to managed identity ${identity.id}.`);
  if (!context.programmatic) deps.notify?.(vscode.l10n.t('Added {0} to {1}.', credential.name, identity.name), 'info');
  return credential;
}

/**
 * A Kubernetes credential's issuer from the identity's subscription: its AKS clusters with the OIDC issuer on, or
 * "Enter the issuer URL" (then the typed-issuer step asks). Clusters without the issuer say how to turn it on.
 */
function clusterIssuerStep(deps: IdentityCredentialCommandDeps, title: string): PromptStep<AddContext> | undefined {
  const clusters = deps.clusters;
  if (!clusters) return undefined;
  return {
    shouldPrompt: (c) => c.kind === 'kubernetes' && c.issuer === undefined && c.identity !== undefined,
    prompt: async (c, ui, position) => {
      const TYPE_IT = Symbol('type');
      const items = clusters(c.identity!.subscriptionId).then((list) => [
        ...list.map((cluster) => ({
          label: `$(server-environment) ${cluster.name}`,
          description: cluster.resourceGroup,
          detail:
            cluster.issuerUrl ??
            vscode.l10n.t(
              'OIDC issuer not enabled: az aks update -g {0} -n {1} --enable-oidc-issuer --enable-workload-identity',
              cluster.resourceGroup,
              cluster.name,
            ),
          data: cluster as AksCluster | typeof TYPE_IT,
        })),
        { label: vscode.l10n.t('$(edit) Enter the issuer URL (another cluster or subscription)…'), data: TYPE_IT as AksCluster | typeof TYPE_IT },
      ]);
      for (;;) {
        const picked = await ui.pick(items, {
          title,
          placeholder: vscode.l10n.t("Which AKS cluster's service account? (clusters of the identity's subscription)"),
          argument: 'issuer',
          ...position,
        });
        if (picked === TYPE_IT) return; // the typed-issuer step follows
        if (picked.issuerUrl) {
          c.issuer = picked.issuerUrl;
          return;
        }
        await ui.confirm(vscode.l10n.t('The cluster {0} has no OIDC issuer yet, so it cannot issue tokens Entra accepts.', picked.name), {
          modal: true,
          detail: vscode.l10n.t(
            'Turn it on with: {0}',
            `az aks update -g ${picked.resourceGroup} -n ${picked.name} --enable-oidc-issuer --enable-workload-identity`,
          ),
        });
      }
    },
  };
}

function valuesOf(c: KindContext & { name?: string }, cloud: Cloud): CredentialValues {
  return {
    ...buildKindCredential(c, cloud),
    name: c.name ?? '',
    ...(c.kind === 'flexible'
      ? { claimsMatchingExpression: { value: c.claimsMatchingExpression ?? '', languageVersion: CLAIMS_EXPRESSION_LANGUAGE_VERSION } }
      : {}),
  };
}

/**
 * The same credential on several identities (arguments only): every identity is resolved and checked first, so
 * a bad name or a full identity is refused before any write; then the writes go one identity after another.
 */
async function addToMany(
  deps: IdentityCredentialCommandDeps,
  context: CommandContext,
  ids: readonly string[],
  args: Record<string, unknown>,
): Promise<IdentityAddResult> {
  const wizard: KindContext & { name?: string } = { ...(args as KindContext & { name?: string }) };
  applyProgrammaticDefaults(wizard, deps.cloud());
  checkKindAnswers(wizard);
  if (!wizard.name) throw new Error('"name" is required: 3 to 120 letters, digits, "-" or "_".');
  const values = valuesOf(wizard, deps.cloud());
  const client = deps.identityCredentials();
  const planned: UserAssignedIdentityRef[] = [];
  const failed: Array<{ identity: string; message: string }> = [];
  for (const id of ids) {
    try {
      const identity = await resolveIdentity(deps, id);
      const check = checkIdentityCredential(values, { existing: await client.list(identity), identityName: identity.name });
      if (!check.ok) throw new ValidationError(check.errors);
      for (const w of check.warnings) deps.log.warn(`${identity.name}: ${w.message}`);
      planned.push(identity);
    } catch (error) {
      failed.push({ identity: id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  if (planned.length === 0) throw new Error(`The credential ${quote(values.name)} was added to no identity: ${failed.map((f) => f.message).join(' ')}`);
  const added: IdentityAddResult['added'] = [];
  await deps.progress(vscode.l10n.t('Adding credential {0} to {1} identities', values.name, planned.length), async (signal) => {
    for (const identity of planned) {
      if (signal.aborted) {
        failed.push({ identity: identity.id, message: 'Not attempted: cancelled.' });
        continue;
      }
      try {
        added.push({ identity: identity.id, credential: await client.put(identity, values, signal) });
      } catch (error) {
        failed.push({ identity: identity.id, message: error instanceof Error ? error.message : String(error) });
      }
    }
  });
  await Promise.all([...new Map(planned.map((p) => [p.id, p])).values()].map((identity) => deps.afterChange(identity)));
  for (const f of failed) deps.log.warn(`Could not add the credential ${values.name} to ${f.identity}: ${f.message}`);
  deps.log.info(`Added federated credential ${values.name} to ${added.length} of ${ids.length} managed identities.`);
  if (!context.programmatic)
    deps.notify?.(vscode.l10n.t('Added {0} to {1} of {2} identities.', values.name, added.length, ids.length), failed.length ? 'warning' : 'info');
  return { added, failed };
}

/** The credential a command acts on: the tree node, the arguments, or a pick. */
async function targetCredential(
  deps: IdentityCredentialCommandDeps,
  context: CommandContext,
  arg: unknown,
  args: { credential?: string },
  title: string,
): Promise<{ identity: UserAssignedIdentityRef; credential: IdentityCredential }> {
  const fromNode = deps.selectedCredential(arg);
  if (fromNode) return { identity: fromNode.identityRef, credential: fromNode.credential };
  const ids = identityArgument(arg, false);
  if (context.programmatic && (!ids || !args.credential)) throw new Error('Pass "identity" (ARM id or object id) and "credential" (its name).');
  const identity = ids ? await resolveIdentity(deps, ids[0]) : (deps.selectedIdentity(arg)?.identityRef ?? (await pickIdentity(deps, context, title)));
  const client = deps.identityCredentials();
  if (args.credential) {
    const found = await client.get(identity, args.credential);
    if (!found) throw new Error(`The managed identity ${quote(identity.name)} has no federated credential named ${quote(args.credential)}.`);
    return { identity, credential: found };
  }
  const credential = await context.ui.pick(
    client
      .list(identity)
      .then((list) => list.map((c) => ({ label: c.name, description: c.claimsMatchingExpression?.value ?? c.subject ?? '', detail: c.issuer, data: c }))),
    { title, placeholder: vscode.l10n.t('Select a credential of {0}', identity.name), argument: 'credential' },
  );
  return { identity, credential };
}

export async function editIdentityCredential(deps: IdentityCredentialCommandDeps, context: CommandContext, arg?: unknown): Promise<IdentityCredential> {
  const args = argsWithoutIdentity(arg, ['identity', 'credential', 'name', 'subject', 'issuer', 'audience', 'claimsMatchingExpression']);
  const title = vscode.l10n.t('Edit Federated Credential of Managed Identity');
  const { identity, credential } = await targetCredential(deps, context, arg, args, title);
  const values = applyEditArguments(identityCredentialValues(credential), args, {
    flexibleAllowed: deps.flexibleCredentials?.() === true,
    flexiblePreview: 'preview',
    nameIs: 'the name of its Azure resource',
    namesIgnoreCase: true,
  });
  const flexible = values.claimsMatchingExpression ?? undefined;
  if (!context.programmatic) {
    await pickEdits(context.ui, values, {
      title,
      placeholder: vscode.l10n.t('Edit {0} on {1}', credential.name, identity.name),
      flexible: flexible !== undefined,
      description: false,
      lockedName: `The name ${quote(credential.name)} is the name of the credential's Azure resource and cannot be changed. To rename it, add a new credential and delete this one.`,
    });
  }
  const client = deps.identityCredentials();
  const check = checkIdentityCredential(values, { existing: await client.list(identity), identityName: identity.name, editing: credential.name });
  if (!check.ok) throw new ValidationError(check.errors);
  await confirmWarnings(context, check.warnings, deps);
  const updated = await cancellableWrite(
    deps,
    vscode.l10n.t('Saving {0}', credential.name),
    `saving the credential ${credential.name} of the managed identity ${identity.name}`,
    (signal) => client.put(identity, { ...values, name: credential.name }, signal),
    () => deps.afterChange(identity),
  );
  await deps.afterChange(identity);
  deps.log.info(`Updated federated credential ${credential.name} of managed identity ${identity.id}.`);
  return updated;
}

export async function deleteIdentityCredential(
  deps: IdentityCredentialCommandDeps,
  context: CommandContext,
  arg?: unknown,
): Promise<{ deleted: boolean; identity: string; credential: string }> {
  const args = argsWithoutIdentity(arg, ['identity', 'credential', 'confirm'], { confirm: 'boolean' });
  const { identity, credential } = await targetCredential(deps, context, arg, args, vscode.l10n.t('Delete Federated Credential of Managed Identity'));
  if (context.programmatic) {
    if ((args.confirm as unknown) !== true)
      throw new Error(`Deleting credential ${quote(credential.name)} of the managed identity ${quote(identity.name)} needs "confirm": true.`);
  } else {
    const choice = await context.ui.confirm(
      vscode.l10n.t('Delete the federated credential {0} of the managed identity {1}?', quote(credential.name), quote(identity.name)),
      {
        modal: true,
        detail: vscode.l10n.t(
          'Workloads that use it ({0}) will no longer get tokens as this identity. This cannot be undone.',
          credential.claimsMatchingExpression ? `claims ${credential.claimsMatchingExpression.value}` : `subject ${credential.subject ?? ''}`,
        ),
      },
      'Delete',
    );
    if (choice !== 'Delete') throw UserCancelledError.atPrompt('delete');
  }
  const client = deps.identityCredentials();
  const existed = await cancellableWrite(
    deps,
    vscode.l10n.t('Deleting {0}', credential.name),
    `deleting the credential ${credential.name} of the managed identity ${identity.name}`,
    (signal) => client.delete(identity, credential.name, signal),
    () => deps.afterChange(identity),
  );
  await deps.afterChange(identity);
  deps.log.info(`Deleted federated credential ${credential.name} of managed identity ${identity.id}.`);
  return { deleted: existed, identity: identity.id, credential: credential.name };
}

const FORMATS = {
  json: 'JSON (Azure Resource Manager request body)',
  azureCli: 'Azure CLI command (bash)',
  azureCliPowerShell: 'Azure CLI command (PowerShell)',
  bicep: 'Bicep resource',
} as const;
type Format = keyof typeof FORMATS;

export async function copyIdentityCredential(deps: IdentityCredentialCommandDeps, context: CommandContext, arg?: unknown): Promise<string> {
  const args = argsWithoutIdentity(arg, ['identity', 'credential', 'format']);
  if (args.format !== undefined && !Object.hasOwn(FORMATS, args.format))
    throw new Error(`"format" must be one of ${Object.keys(FORMATS).join(', ')}; ${quote(args.format)} is not.`);
  const title = vscode.l10n.t('Copy Federated Credential of Managed Identity');
  const { identity, credential } = await targetCredential(deps, context, arg, args, title);
  const format =
    (args.format as Format | undefined) ??
    (await context.ui.pick(
      Object.entries(FORMATS).map(([data, label]) => ({ label, data: data as Format })),
      { title, placeholder: vscode.l10n.t('Copy as…'), argument: 'format' },
    ));
  const values = identityCredentialValues(credential);
  const armUrl = deps.cloud().armUrl;
  const text =
    format === 'json'
      ? toIdentityCredentialJson(values)
      : format === 'bicep'
        ? toIdentityBicep(identity, values)
        : toAzIdentityCommand(identity, values, format === 'azureCli' ? 'bash' : 'powershell', armUrl);
  await vscode.env.clipboard.writeText(text);
  if (!context.programmatic) void vscode.window.showInformationMessage(vscode.l10n.t('Copied {0} as {1}.', credential.name, FORMATS[format]));
  return text;
}
