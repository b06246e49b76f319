// federatedCredentials.editCredential, deleteCredential and copyCredential.
// edit args:   { app, credential (id or name), description?, subject?, issuer?, audience?, claimsMatchingExpression? } — the name is
//              immutable; a flexible credential (preview) has claimsMatchingExpression instead of subject.
// delete args: { app, credential, confirm: true } — without confirm: true a programmatic call is refused.
// copy args:   { app, credential, format: 'json' | 'azureCli' | 'azureCliPowerShell' | 'bicep' }
import * as vscode from 'vscode';
import { checkAudiences, checkDescription, checkIssuer, checkSubject, type CredentialValues } from '../../domain/credentialRules';
import { toAzCliCommand, toBicep, toGraphJson } from '../../domain/copyFormats';
import { checkClaimsExpression } from '../../domain/claimsExpression';
import { quote } from '../../domain/text';
import type { Finding } from '../../domain/validation';
import type { AppRegistration, FederatedCredential } from '../../domain/model';
import { UserCancelledError } from '../../util/cancellation';
import type { CommandContext } from '../commandRunner';
import type { UserInput } from '../../wizard/userInput';
import { confirmWarnings } from './addManagedIdentityCredential';
import { cancellableWrite, credentialArgs, type CredentialCommandDeps } from './common';
import { pickApp } from '../steps';

const firstError = (findings: readonly Finding[]) => findings.find((f) => f.severity === 'error')?.message;

/** The credential the command acts on: the tree node it was run on, the arguments, or a pick. */
async function targetCredential(
  deps: CredentialCommandDeps,
  context: CommandContext,
  arg: unknown,
  args: { app?: string; credential?: string },
  title: string,
): Promise<{ app: AppRegistration; credential: FederatedCredential }> {
  const fromNode = deps.selectedCredential(arg);
  if (fromNode) return fromNode;
  const service = deps.credentials();
  const directory = deps.directory();
  if (context.programmatic && (!args.app || !args.credential)) throw new Error('Pass "app" (object or application id) and "credential" (its id or name).');
  const app = args.app ? await service.resolveApp(args.app) : (deps.selectedApp(arg) ?? (await pickApp(directory, context.ui, { title })));
  if (args.credential) {
    const found = await directory.apps.getCredential(app.id, args.credential);
    if (!found) throw new Error(`App ${quote(app.displayName)} has no federated credential with id or name ${quote(args.credential)}.`);
    return { app, credential: found };
  }
  const credentials = directory.apps.listCredentials(app.id);
  const credential = await context.ui.pick(
    credentials.then((list) => list.map((c) => ({ label: c.name, description: c.claimsMatchingExpression?.value ?? c.subject, detail: c.issuer, data: c }))),
    { title, placeholder: vscode.l10n.t('Select a credential of {0}', app.displayName), argument: 'credential' },
  );
  return { app, credential };
}

type EditableField = 'description' | 'subject' | 'issuer' | 'audience' | 'claimsMatchingExpression';

/** What an edit may be given, beside the credential it edits. */
export interface EditArguments {
  readonly name?: string;
  readonly description?: string;
  readonly subject?: string;
  readonly issuer?: string;
  readonly audience?: string;
  readonly claimsMatchingExpression?: string;
}

/**
 * The rules every edit follows, on an app or on an identity, and the edited values: a flexible credential needs the
 * preview setting and changes its expression, never a subject; an exact one cannot become flexible; the name never
 * changes (`nameIs` says why; on an identity, names that differ only in case are the same one).
 */
export function applyEditArguments(
  current: CredentialValues,
  args: EditArguments,
  rules: { flexibleAllowed: boolean; flexiblePreview: string; nameIs: string; namesIgnoreCase?: boolean },
): EditableValues {
  const flexible = current.claimsMatchingExpression ?? undefined;
  const name = quote(current.name);
  if (flexible && !rules.flexibleAllowed) {
    throw new Error(
      `${name} is a flexible credential (${rules.flexiblePreview}). Turn on the setting "federatedCredentials.preview.flexibleCredentials" to edit it.`,
    );
  }
  if (flexible && args.subject !== undefined) throw new Error(`${name} is a flexible credential: change "claimsMatchingExpression", not "subject".`);
  if (!flexible && args.claimsMatchingExpression !== undefined) {
    throw new Error(`${name} matches one exact subject; a credential cannot become flexible. Add a flexible credential instead.`);
  }
  const same = (a: string, b: string) => (rules.namesIgnoreCase ? a.toLowerCase() === b.toLowerCase() : a === b);
  if (args.name !== undefined && !same(args.name, current.name)) {
    throw new Error(`A federated credential's name cannot be changed (it is ${rules.nameIs}). To rename ${name}, add a new credential and delete this one.`);
  }
  return {
    name: current.name,
    issuer: args.issuer ?? current.issuer,
    subject: args.subject ?? current.subject,
    audiences: args.audience !== undefined ? [args.audience] : current.audiences,
    ...(current.description !== undefined || args.description !== undefined ? { description: args.description ?? current.description ?? null } : {}),
    ...(flexible ? { claimsMatchingExpression: { value: args.claimsMatchingExpression ?? flexible.value, languageVersion: flexible.languageVersion } } : {}),
  };
}

export async function editCredential(deps: CredentialCommandDeps, context: CommandContext, arg?: unknown): Promise<FederatedCredential> {
  const args = credentialArgs(arg, ['app', 'credential', 'name', 'description', 'subject', 'issuer', 'audience', 'claimsMatchingExpression']);
  const title = 'Edit Federated Credential';
  const { app, credential } = await targetCredential(deps, context, arg, args, title);
  const values = applyEditArguments({ ...credential, description: credential.description ?? null }, args, {
    flexibleAllowed: deps.flexibleCredentials?.() === true,
    flexiblePreview: 'preview, Microsoft Graph beta',
    nameIs: 'its key in Entra',
  });
  const flexible = values.claimsMatchingExpression ?? undefined;
  if (!context.programmatic) {
    await pickEdits(context.ui, values, {
      title,
      placeholder: vscode.l10n.t('Edit {0} on {1}', credential.name, app.displayName),
      flexible: flexible !== undefined,
      description: true,
      lockedName: `The name ${quote(credential.name)} is the credential's key in Entra and cannot be changed. To rename it, add a new credential and delete this one.`,
    });
  }
  const service = deps.credentials();
  const plan = await service.planUpdate(app, credential, values);
  await confirmWarnings(context, plan.warnings, deps);
  const updated = await cancellableWrite(
    deps,
    `Saving ${credential.name}`,
    `saving the credential ${credential.name} of ${app.displayName}`,
    (signal) => service.update(plan, credential, signal),
    () => deps.afterChange(app),
  );
  await deps.afterChange(app, updated);
  deps.log.info(`Updated federated credential ${credential.name} of app ${app.appId}.`);
  return updated;
}

/** The values an edit may change (the name never). */
export type EditableValues = { -readonly [K in keyof CredentialValues]: CredentialValues[K] };

/**
 * The edit prompt: pick a field, type its new value (checked as it is typed), until Save. The name is
 * shown but locked; `description` is offered only where credentials have one (not on an identity).
 */
export async function pickEdits(
  ui: UserInput,
  values: EditableValues,
  options: { title: string; placeholder: string; flexible: boolean; description: boolean; lockedName: string },
): Promise<void> {
  const { title, flexible } = options;
  for (;;) {
    const choice = await ui.pick<EditableField | 'done' | 'name'>(
      [
        { label: vscode.l10n.t('$(check) Save changes'), data: 'done' },
        ...(options.description ? [{ label: vscode.l10n.t('Description'), description: values.description ?? '(none)', data: 'description' as const }] : []),
        flexible
          ? { label: vscode.l10n.t('Claims-matching expression'), description: values.claimsMatchingExpression?.value ?? '', data: 'claimsMatchingExpression' }
          : { label: vscode.l10n.t('Subject'), description: values.subject, data: 'subject' },
        { label: vscode.l10n.t('Issuer'), description: values.issuer, data: 'issuer' },
        { label: vscode.l10n.t('Audience'), description: values.audiences.join(', '), data: 'audience' },
        { label: vscode.l10n.t('$(lock) Name: {0}', values.name), description: 'cannot be changed', data: 'name' },
      ],
      { title, placeholder: options.placeholder },
    );
    if (choice === 'done') return;
    if (choice === 'name') {
      await ui.confirm(options.lockedName, { modal: true });
      continue;
    }
    const current =
      choice === 'audience'
        ? values.audiences[0]
        : choice === 'description'
          ? (values.description ?? '')
          : choice === 'claimsMatchingExpression'
            ? (values.claimsMatchingExpression?.value ?? '')
            : values[choice];
    const checks: Record<EditableField, (v: string) => Finding[]> = {
      description: checkDescription,
      subject: checkSubject,
      issuer: checkIssuer,
      audience: (v) => checkAudiences([v]),
      claimsMatchingExpression: (v) => checkClaimsExpression(values.issuer, v),
    };
    const value = await ui.input({ title, prompt: vscode.l10n.t('New {0}', choice), value: current, validate: (v) => firstError(checks[choice](v)) });
    if (choice === 'audience') values.audiences = [value];
    else if (choice === 'description') values.description = value === '' ? null : value;
    else if (choice === 'claimsMatchingExpression')
      values.claimsMatchingExpression = { value, languageVersion: values.claimsMatchingExpression?.languageVersion ?? 1 };
    else values[choice] = value;
  }
}

export async function deleteCredential(
  deps: CredentialCommandDeps,
  context: CommandContext,
  arg?: unknown,
): Promise<{ deleted: true; app: string; credential: string }> {
  const args = credentialArgs(arg, ['app', 'credential', 'confirm'], { confirm: 'boolean' });
  const { app, credential } = await targetCredential(deps, context, arg, args, 'Delete Federated Credential');
  if (context.programmatic) {
    if ((args.confirm as unknown) !== true)
      throw new Error(`Deleting credential ${quote(credential.name)} of app ${quote(app.displayName)} needs "confirm": true.`);
  } else {
    const choice = await context.ui.confirm(
      `Delete the federated credential ${quote(credential.name)} of app ${quote(app.displayName)}?`,
      {
        modal: true,
        detail: vscode.l10n.t(
          'Workloads that use it ({0}) will no longer get tokens for this app. This cannot be undone.',
          credential.claimsMatchingExpression ? `claims ${credential.claimsMatchingExpression.value}` : `subject ${credential.subject}`,
        ),
      },
      'Delete',
    );
    if (choice !== 'Delete') throw UserCancelledError.atPrompt('delete');
  }
  await cancellableWrite(
    deps,
    `Deleting ${credential.name}`,
    `deleting the credential ${credential.name} of ${app.displayName}`,
    (signal) => deps.credentials().delete(app, credential, signal),
    () => deps.afterChange(app),
  );
  await deps.afterChange(app);
  deps.log.info(`Deleted federated credential ${credential.name} of app ${app.appId}.`);
  return { deleted: true, app: app.id, credential: credential.id };
}

const FORMATS = {
  json: 'JSON (Microsoft Graph request body)',
  azureCli: 'Azure CLI command (bash)',
  azureCliPowerShell: 'Azure CLI command (PowerShell)',
  bicep: 'Bicep resource (Microsoft Graph Bicep extension)',
} as const;
type Format = keyof typeof FORMATS;

export async function copyCredential(deps: CredentialCommandDeps, context: CommandContext, arg?: unknown): Promise<string> {
  const args = credentialArgs(arg, ['app', 'credential', 'format']);
  if (args.format !== undefined && !Object.hasOwn(FORMATS, args.format))
    throw new Error(`"format" must be one of ${Object.keys(FORMATS).join(', ')}; ${quote(args.format)} is not.`);
  const { app, credential } = await targetCredential(deps, context, arg, args, 'Copy Federated Credential');
  const format =
    (args.format as Format | undefined) ??
    (await context.ui.pick(
      Object.entries(FORMATS).map(([data, label]) => ({ label, data: data as Format })),
      { title: vscode.l10n.t('Copy Federated Credential'), placeholder: vscode.l10n.t('Copy as…'), argument: 'format' },
    ));
  const values: CredentialValues = {
    name: credential.name,
    issuer: credential.issuer,
    subject: credential.subject,
    audiences: credential.audiences,
    description: credential.description,
    ...(credential.claimsMatchingExpression ? { claimsMatchingExpression: credential.claimsMatchingExpression } : {}),
  };
  const flexible = { graphUrl: deps.cloud().graphUrl, appObjectId: app.id };
  const text =
    format === 'json'
      ? toGraphJson(values)
      : format === 'azureCli'
        ? toAzCliCommand(app.appId, values, 'bash', flexible)
        : format === 'azureCliPowerShell'
          ? toAzCliCommand(app.appId, values, 'powershell', flexible)
          : toBicep(values);
  await vscode.env.clipboard.writeText(text);
  if (!context.programmatic) void vscode.window.showInformationMessage(vscode.l10n.t('Copied {0} as {1}.', credential.name, FORMATS[format]));
  return text;
}
