// federatedCredentials.addCredential: the other kinds the portal offers. Args:
//   { app, kind: 'githubActions', organization, repository, entity: 'environment'|'branch'|'tag'|'pullRequest', value?, name, description?,
//     subjectFormat?: 'nameBased'|'immutable'|'claimKeys', ownerId?, repositoryId?, claimKeys?: string[], claims?: { key: value } }
//   { app, kind: 'flexible', issuer, claimsMatchingExpression, audience?, name, description? }  (preview: Graph beta, behind a setting)
//   { app, kind: 'kubernetes', issuer, namespace, serviceAccount, name, description? }
//   { app, kind: 'otherIssuer', issuer, subject, audience?, name, description? }
import * as l10n from '@vscode/l10n';
import { CLAIMS_EXPRESSION_LANGUAGE_VERSION } from '../../domain/claimsExpression';
import type { AppRegistration, FederatedCredential } from '../../domain/model';
import { onlyWhen, runPromptSteps } from '../../wizard/wizard';
import type { CommandContext } from '../commandRunner';
import { AppListStep, CredentialNameStep, DescriptionStep } from '../steps';
import { addManagedIdentityCredential, addOneCredential } from './addManagedIdentityCredential';
import { credentialArgs, type CredentialCommandDeps } from './common';
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
  type KindChoice,
  type KindContext,
} from './credentialKindSteps';

interface AddCredentialContext extends KindContext {
  app?: AppRegistration;
  existing?: FederatedCredential[];
  name?: string;
  description?: string;
}

/** A function, so the text is looked up after activation has configured the bundle. */
const title = () => l10n.t('Add Federated Credential');

/** The kinds an app offers: a managed identity of the tenant first, then the workloads outside Azure. */
function appKindChoices(flexible: boolean): KindChoice[] {
  return [
    {
      kind: 'managedIdentity',
      label: l10n.t('$(azure) Managed identity'),
      detail: l10n.t("A user-assigned (or system-assigned) managed identity of this tenant, e.g. an Automation account's"),
    },
    ...workloadKindChoices().filter((k) => k.kind !== 'flexible' || flexible),
  ];
}

/** Where an app's flexible credentials live. */
export const GRAPH_BETA = 'the Microsoft Graph beta API';

const notManagedIdentity = (c: AddCredentialContext) => c.kind !== 'managedIdentity';

/** The keys of `args` that are set. */
function pick<T extends object, K extends keyof T>(args: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => args[k] !== undefined).map((k) => [k, args[k]])) as Partial<Pick<T, K>>;
}

export async function addCredential(deps: CredentialCommandDeps, context: CommandContext, arg?: unknown): Promise<FederatedCredential> {
  const args = credentialArgs(arg, ['app', 'name', 'description', 'managedIdentity', ...KIND_ARGUMENT_KEYS] as const, KIND_ARGUMENT_TYPES);
  const flexibleAllowed = deps.flexibleCredentials?.() === true;
  if (args.kind === 'managedIdentity') {
    const { kind: _kind, ...rest } = args;
    return addManagedIdentityCredential(deps, context, rest);
  }
  checkKindArguments(args, { extraKinds: ['managedIdentity'], flexibleAllowed, previewApi: GRAPH_BETA });
  const directory = deps.directory();
  const service = deps.credentials();
  const wizard: AddCredentialContext = {
    ...(args as KindContext & { name?: string; description?: string }),
    app: args.app ? await service.resolveApp(args.app) : deps.selectedApp(arg),
  };
  if (context.programmatic) {
    // Optional arguments: no description.
    wizard.description ??= '';
    applyProgrammaticDefaults(wizard, deps.cloud());
  }

  await runPromptSteps(
    wizard,
    [
      new AppListStep(directory, title()),
      ...kindSteps<AddCredentialContext>({
        title: title(),
        choices: appKindChoices(flexibleAllowed),
        kindPlaceholder: l10n.t('Which workload will use this app?'),
        cloud: deps.cloud,
      }),
      // A managed identity's name and description have defaults from the identity: its own wizard asks for them.
      onlyWhen(
        new CredentialNameStep<AddCredentialContext>(title(), defaultKindCredentialName, (c) => directory.apps.listCredentials(c.app!.id)),
        notManagedIdentity,
      ),
      onlyWhen(new DescriptionStep<AddCredentialContext>(title(), () => undefined), notManagedIdentity),
    ],
    context.ui,
  );

  if (wizard.kind === 'managedIdentity') {
    // Chosen in this wizard: the managed-identity wizard goes on with the app and whatever else was given.
    const given = { app: wizard.app!.id, ...pick(args, ['managedIdentity', 'name', 'description']) };
    return addManagedIdentityCredential(deps, context, given);
  }
  checkKindAnswers(wizard);
  if (!wizard.name) throw new Error('"name" is required: 3 to 120 letters, digits, "-" or "_".');
  const app = wizard.app!;
  const values = {
    ...buildKindCredential(wizard, deps.cloud()),
    name: wizard.name,
    ...(wizard.description ? { description: wizard.description } : {}),
    ...(wizard.kind === 'flexible'
      ? { claimsMatchingExpression: { value: wizard.claimsMatchingExpression ?? '', languageVersion: CLAIMS_EXPRESSION_LANGUAGE_VERSION } }
      : {}),
  };
  const credential = await addOneCredential(deps, context, app, values);
  deps.log.info(`Added federated credential ${credential.name} (${wizard.kind}) to app ${app.appId}.`);
  return credential;
}
