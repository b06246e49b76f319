// Commands of the two views: refresh, paging, retry, search, "only mine", copy ids, open in portal.
import * as vscode from 'vscode';
import { isLoopbackCloud, openInBrowser } from '../util/openInBrowser';
import { appCredentialsPortalUrl, appRegistrationPortalUrl, enterpriseAppPortalUrl, type Cloud } from '../domain/clouds';
import type { AppRegistrationsView } from '../tree/appRegistrationsView';
import type { ManagedIdentitiesView } from '../tree/managedIdentitiesView';
import { idsOf, modelOf, reloadOf } from '../tree/nodeModel';
import type { RenderedNode } from '../tree/render';
import { isArgumentsObject, searchArgument, searchQueryProblem } from './arguments';
import type { CommandContext } from './commandRunner';

export interface ViewDeps {
  readonly apps: AppRegistrationsView;
  readonly identities: ManagedIdentitiesView;
  readonly cloud: () => Cloud;
}

export async function refresh(deps: ViewDeps, _context: CommandContext, node?: unknown): Promise<void> {
  const reload = reloadOf(node);
  if (reload) return reload();
  await Promise.all([deps.apps.reload(), deps.identities.reload()]);
}

/** After writes to many apps: the App Registrations list reloads (one request, credentials expanded) rather than each app. */
export async function refreshAfterManyChanges(deps: ViewDeps): Promise<void> {
  deps.identities.trust.invalidate();
  deps.identities.refresh();
  await deps.apps.reload();
}

/** "Load more…" and the retry of a failed page both load the owner's next page. */
export async function loadMore(deps: ViewDeps, _context: CommandContext, owner?: unknown): Promise<number> {
  if (owner === deps.identities || (isArgumentsObject(owner) && owner.view === 'managedIdentities')) {
    await deps.identities.loadMore();
    return deps.identities.loadedIdentities.length;
  }
  await deps.apps.loadMore();
  return deps.apps.loadedApps.length;
}

export async function retry(deps: ViewDeps, context: CommandContext, node?: unknown): Promise<void> {
  const reload = reloadOf(node);
  if (reload) return reload();
  await loadMore(deps, context, node);
}

export async function searchApps(deps: ViewDeps, context: CommandContext, args?: unknown): Promise<RenderedNode[]> {
  // The term goes into $search escaped (domain/graphQuery.ts): quotes, & or # in it cannot change the query.
  const query =
    searchArgument(args) ??
    (await context.ui.input({
      title: vscode.l10n.t('Search App Registrations'),
      prompt: vscode.l10n.t('Name (or the start of it), or an application (client) id'),
      value: deps.apps.currentFilter.search,
      validate: searchQueryProblem,
    }));
  await deps.apps.setFilter({ ...deps.apps.currentFilter, search: query });
  return deps.apps.render(0);
}

export async function clearSearch(deps: ViewDeps): Promise<void> {
  await deps.apps.setFilter({ ...deps.apps.currentFilter, search: undefined });
}

export async function setOnlyMine(deps: ViewDeps, onlyMine: boolean): Promise<RenderedNode[]> {
  await deps.apps.setFilter({ ...deps.apps.currentFilter, onlyMine });
  return deps.apps.render(0);
}

export async function copyId(kind: 'objectId' | 'appId', _context: CommandContext, node?: unknown): Promise<string | undefined> {
  const value = idsOf(node)[kind];
  if (!value) throw new Error('Select an app registration, credential or managed identity in the Federated Credentials views first.');
  await vscode.env.clipboard.writeText(value);
  vscode.window.setStatusBarMessage(`Copied ${value}`, 3000);
  return value;
}

export async function openInPortal(deps: ViewDeps, _context: CommandContext, node?: unknown): Promise<string | undefined> {
  const cloud = deps.cloud();
  const model = modelOf(node);
  let url: string | undefined;
  if (model?.kind === 'app' || model?.kind === 'trustingApp') url = appRegistrationPortalUrl(cloud, model.app.appId);
  else if (model?.kind === 'credential') url = appCredentialsPortalUrl(cloud, model.app.appId);
  else if (model?.kind === 'identity') url = enterpriseAppPortalUrl(cloud, model.identity.id, model.identity.appId);
  if (!url) {
    throw new Error(
      isLoopbackCloud(cloud)
        ? 'The built-in sandbox has no portal: its tenant and apps exist only here, in VS Code.'
        : `The ${cloud.displayName} has no portal configured; set "portalUrl" in federatedCredentials.customCloud.`,
    );
  }
  return (await openInBrowser(url, cloud)) ? url : undefined;
}
