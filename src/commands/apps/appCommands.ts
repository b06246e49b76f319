// App registration commands: copy the admin-consent URL, create a multi-tenant app, add Microsoft
// Graph application permissions.
//   copyConsentUrl         { app, tenant, redirectUri?, version?: 'v1' | 'v2' }  -> the URL
//   createAppRegistration  { displayName, multiTenant = true, permissions?: string[] } -> the app as Graph returns it
//   addApiPermission       { app, permissions: string[] } -> the app's requiredResourceAccess
import * as vscode from 'vscode';
import { openInBrowser } from '../../util/openInBrowser';
import { buildAdminConsentUrl, buildAdminConsentUrlV2 } from '../../domain/consentUrls';
import { mergeRequiredResourceAccess, pickAppRoles, type AppRole } from '../../domain/graphPermissions';
import { parseTenant } from '../../domain/tenants';
import { quote } from '../../domain/text';
import { assertValid, firstError } from '../../domain/validation';
import { isMultiTenant, type AppRegistration } from '../../domain/model';
import { displayNameProblem } from '../arguments';
import type { CommandContext } from '../commandRunner';
import { pickApp } from '../steps';
import { createAppOnce } from '../../services/apps';
import { cancellableWrite, credentialArgs, type CredentialCommandDeps } from '../credentials/common';

async function targetApp(
  deps: CredentialCommandDeps,
  context: CommandContext,
  arg: unknown,
  appArg: string | undefined,
  title: string,
): Promise<AppRegistration> {
  if (appArg) return deps.credentials().resolveApp(appArg);
  const selected = deps.selectedApp(arg);
  if (selected) return selected;
  if (context.programmatic) throw new Error('Pass "app": the app registration\'s object id or application (client) id.');
  return pickApp(deps.directory(), context.ui, { title });
}

export async function copyConsentUrl(deps: CredentialCommandDeps, context: CommandContext, arg?: unknown): Promise<string> {
  const args = credentialArgs(arg, ['app', 'tenant', 'redirectUri', 'version']);
  if (args.version !== undefined && args.version !== 'v1' && args.version !== 'v2')
    throw new Error(`"version" must be v1 or v2; ${quote(args.version)} is not.`);
  const title = vscode.l10n.t('Copy Admin-Consent URL');
  const app = await targetApp(deps, context, arg, args.app, title);
  const cloud = deps.cloud();
  const tenant =
    args.tenant ??
    (
      await context.ui.input({
        title,
        prompt: vscode.l10n.t('Customer tenant whose admin grants consent to {0}: its tenant id (GUID) or a verified domain', app.displayName),
        placeholder: 'fabrikam.onmicrosoft.com',
        argument: 'tenant',
        validate: (value) => firstError(parseTenant(value.trim()).result),
      })
    ).trim();
  const input = { cloud, clientId: app.appId, tenant, redirectUri: args.redirectUri };
  const built = args.version === 'v2' ? buildAdminConsentUrlV2(input) : buildAdminConsentUrl(input);
  for (const w of built.warnings) deps.log.warn(w.message);
  await vscode.env.clipboard.writeText(built.url);
  if (!context.programmatic) {
    if (!isMultiTenant(app))
      void vscode.window.showWarningMessage(vscode.l10n.t('{0} is single-tenant: an admin of another tenant cannot consent to it.', app.displayName));
    const openUrl = vscode.l10n.t('Open URL');
    const copied = vscode.l10n.t(
      "Copied the admin-consent URL for {0}. Send it to an admin of that tenant; consenting creates the app's service principal there with its permissions.",
      tenant,
    );
    const choice = await vscode.window.showInformationMessage(
      `${copied}${built.warnings.length ? ` ${built.warnings.map((w) => w.message).join(' ')}` : ''}`,
      openUrl,
    );
    if (choice === openUrl) await openInBrowser(built.url, deps.cloud());
  }
  return built.url;
}

async function pickGraphRoles(deps: CredentialCommandDeps, context: CommandContext, values: readonly string[] | undefined, title: string): Promise<AppRole[]> {
  const graph = await deps.directory().servicePrincipals.microsoftGraph();
  if (values) {
    const { roles, result } = pickAppRoles(graph.appRoles, values);
    assertValid(result);
    return roles;
  }
  const usable = graph.appRoles.filter((r) => r.value && (r.allowedMemberTypes ?? ['Application']).includes('Application') && r.isEnabled !== false);
  const chosen: AppRole[] = [];
  // One pick per permission keeps the prompt scriptable; "Done" ends the list.
  for (;;) {
    const role = await context.ui.pick<AppRole | null>(
      [
        ...(chosen.length ? [{ label: vscode.l10n.t('$(check) Done ({0})', chosen.map((r) => r.value).join(', ')), data: null }] : []),
        ...usable
          .filter((r) => !chosen.includes(r))
          .sort((a, b) => (a.value ?? '').localeCompare(b.value ?? ''))
          .map((r) => ({ label: r.value ?? r.id, description: r.displayName ?? undefined, detail: r.description ?? undefined, data: r })),
      ],
      { title, placeholder: vscode.l10n.t('Add a Microsoft Graph application permission (for example User.Read.All)'), argument: 'permissions' },
    );
    if (role === null) return chosen;
    chosen.push(role);
  }
}

export async function createAppRegistration(deps: CredentialCommandDeps, context: CommandContext, arg?: unknown): Promise<AppRegistration> {
  const args = credentialArgs(arg, ['displayName', 'multiTenant', 'permissions'], { multiTenant: 'boolean', permissions: 'array' });
  const title = vscode.l10n.t('Create App Registration');
  const typed =
    args.displayName ??
    (await context.ui.input({
      title,
      prompt: vscode.l10n.t('Display name of the new app registration'),
      argument: 'displayName',
      validate: displayNameProblem,
    }));
  const problem = displayNameProblem(typed);
  if (problem) throw new Error(`Argument "displayName": ${problem}`);
  const displayName = typed.trim();
  const multiTenant = (args.multiTenant as unknown as boolean | undefined) ?? true;
  const permissionValues = args.permissions as unknown as string[] | undefined;
  if (permissionValues?.some((p) => typeof p !== 'string')) throw new Error('"permissions" must be a list of permission names such as "User.Read.All".');
  const roles = await pickGraphRoles(deps, context, permissionValues ?? (context.programmatic ? [] : undefined), title);
  const graph = roles.length ? await deps.directory().servicePrincipals.microsoftGraph() : undefined;
  // One POST holds the app and its permissions: there is no half-made app. Its answer lost, the app
  // is looked for before anything else (createAppOnce); a cancel in flight says it may exist.
  const { app, recovered } = await cancellableWrite(
    deps,
    `Creating ${displayName}`,
    `creating the app registration ${displayName}`,
    (signal) =>
      createAppOnce(
        deps.directory(),
        {
          displayName,
          // "Accounts in any organizational directory": what the customer-tenant story needs.
          signInAudience: multiTenant ? 'AzureADMultipleOrgs' : 'AzureADMyOrg',
          ...(roles.length
            ? {
                requiredResourceAccess: mergeRequiredResourceAccess(
                  [],
                  roles.map((r) => r.id),
                  graph!.appId,
                ),
              }
            : {}),
        },
        signal,
      ),
    () => (deps.afterChanges ? deps.afterChanges([]) : Promise.resolve()),
  );
  if (recovered)
    deps.log.warn(`Microsoft Graph's answer to creating ${displayName} was lost, but the app registration ${app.appId} was created then; using it.`);
  deps.log.info(
    `Created app registration ${app.appId} (${multiTenant ? 'multi-tenant' : 'single tenant'}) with ${roles.length} Graph application permission(s).`,
  );
  await deps.afterChange(app);
  return app;
}

export async function addApiPermission(
  deps: CredentialCommandDeps,
  context: CommandContext,
  arg?: unknown,
): Promise<AppRegistration['requiredResourceAccess']> {
  const args = credentialArgs(arg, ['app', 'permissions'], { permissions: 'array' });
  const title = vscode.l10n.t('Add Microsoft Graph Application Permission');
  const app = await targetApp(deps, context, arg, args.app, title);
  const values = args.permissions as unknown as string[] | undefined;
  if (context.programmatic && (!values || values.length === 0)) throw new Error('Pass "permissions": a list such as ["User.Read.All"].');
  const roles = await pickGraphRoles(deps, context, values, title);
  const graph = await deps.directory().servicePrincipals.microsoftGraph();
  const current = await deps.credentials().resolveApp(app.id);
  const requiredResourceAccess = mergeRequiredResourceAccess(
    current.requiredResourceAccess,
    roles.map((r) => r.id),
    graph.appId,
  );
  await cancellableWrite(
    deps,
    `Adding permissions to ${app.displayName}`,
    `adding permissions to ${app.displayName}`,
    (signal) => deps.directory().apps.updateApp(app.id, { requiredResourceAccess }, { appName: app.displayName }, signal),
    () => deps.afterChange(current),
  );
  deps.log.info(`Added ${roles.map((r) => r.value).join(', ')} to app ${app.appId}. An admin must consent before they take effect.`);
  await deps.afterChange({ ...current, requiredResourceAccess });
  if (!context.programmatic)
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Added {0} to {1}. Admin consent is needed in each tenant before the runbook can use them: run "Copy Admin-Consent URL".',
        roles.map((r) => r.value).join(', '),
        app.displayName,
      ),
    );
  return requiredResourceAccess;
}
