// federatedCredentials.scaffoldRunbook
//   args { app, template, targetTenants, scope?, identity?, runtime?, outputPath?, overwrite? } -> the file's URI
// From a credential node (its app, and the managed identity the credential trusts), an app node, or
// the palette. Writes into the workspace folder (never outside it, never over a file without
// asking), or opens an untitled editor when no folder is open.
import { lstat, realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { renderRunbook, RUNBOOK_TEMPLATES, type GeneratedRunbook, type RunbookProvenance, type RunbookTemplateId } from '../../runbooks';
import { unprintableReason } from '../../runbooks/escape';
import type { AppRegistration } from '../../domain/model';
import { UserCancelledError } from '../../util/cancellation';
import { runPromptSteps } from '../../wizard/wizard';
import type { CommandContext } from '../commandRunner';
import { AppListStep } from '../steps';
import { parseScaffoldArgs, type ScaffoldArgs } from './args';
import type { RunbookCommandDeps } from './common';
import { writeFileAtomically } from './atomicWrite';
import { checkRealPathInside, resolveOutputPath } from './paths';
import {
  identityFromObjectId,
  IdentityStep,
  managedIdentityCredentials,
  provenanceText,
  RuntimeStep,
  TargetTenantsStep,
  TemplateStep,
  type ScaffoldContext,
} from './scaffoldSteps';

const TITLE = vscode.l10n.t('Scaffold Runbook');

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

async function startingContext(
  deps: RunbookCommandDeps,
  context: CommandContext,
  node: unknown,
  args: ScaffoldArgs,
): Promise<{ ctx: ScaffoldContext; appFrom: string }> {
  const ctx: ScaffoldContext = {};
  let appFrom = 'chosen in VS Code';
  if (args.app) {
    ctx.app = await deps.credentials().resolveApp(args.app);
    appFrom = "the command's arguments";
  } else {
    const selected = deps.selectedCredential(node);
    ctx.app = selected?.app ?? deps.selectedApp(node);
    if (ctx.app) appFrom = 'the tree node the command ran on';
    if (selected && !args.identity) {
      // A managed-identity credential names the identity by object id: look it up for its client id.
      if (managedIdentityCredentials([selected.credential], deps.cloud(), deps.tenantId()).length === 1) {
        const resolved = await identityFromObjectId(
          deps.directory(),
          selected.credential.subject,
          `trusted by the app through the credential ${selected.credential.name}`,
        );
        ctx.identity = resolved.identity;
        ctx.identityFrom = resolved.from;
      }
    }
  }
  if (context.programmatic && !ctx.app) throw new Error('Pass "app": the app registration\'s object id or application (client) id.');
  if (args.template) ctx.template = args.template;
  if (args.runtime) ctx.runtime = args.runtime;
  else if (context.programmatic && args.template) ctx.runtime = RUNBOOK_TEMPLATES[args.template].defaultRuntime;
  if (args.targetTenants) ctx.targetTenants = [...args.targetTenants];
  if (args.identity) {
    if (args.identity.kind === 'objectId') {
      const resolved = await identityFromObjectId(deps.directory(), args.identity.objectId, 'passed as the command\'s "identity"');
      ctx.identity = resolved.identity;
      ctx.identityFrom = resolved.from;
    } else {
      ctx.identity = args.identity;
      ctx.identityFrom = "the command's arguments";
    }
  }
  return { ctx, appFrom };
}

export function generate(deps: RunbookCommandDeps, app: AppRegistration, ctx: ScaffoldContext, args: ScaffoldArgs, appFrom: string): GeneratedRunbook {
  const cloud = deps.cloud();
  const provenance: RunbookProvenance = {
    app: provenanceText(`the app registration ${app.id}, ${appFrom}`),
    homeTenant: 'the tenant signed in to in VS Code',
    targetTenants: args.targetTenants ? "the command's arguments" : 'entered in VS Code',
    identity: ctx.identityFrom ?? 'chosen in VS Code',
    scope: args.scope ? "the command's arguments" : `the default for ${cloud.displayName}`,
    cloud: `the federatedCredentials.cloud setting (${cloud.name})`,
  };
  return renderRunbook({
    template: ctx.template!,
    appClientId: app.appId,
    // A display name that cannot go into a source line is left out rather than failing the command.
    ...(app.displayName && !unprintableReason(app.displayName) && app.displayName.length <= 400 ? { appDisplayName: app.displayName } : {}),
    homeTenantId: deps.tenantId(),
    targetTenants: ctx.targetTenants!,
    ...(args.scope ? { scope: args.scope } : {}),
    identity: ctx.identity!,
    cloud: { loginUrl: cloud.loginUrl, graphUrl: cloud.graphUrl, tokenExchangeAudience: cloud.tokenExchangeAudience },
    ...(ctx.runtime ? { runtime: ctx.runtime } : {}),
    provenance,
    generatedOn: (deps.today ?? today)(),
  });
}

async function exists(uri: vscode.Uri): Promise<vscode.FileStat | undefined> {
  try {
    return await vscode.workspace.fs.stat(uri);
  } catch (error) {
    if (error instanceof vscode.FileSystemError && error.code !== 'FileNotFound') throw error;
    return undefined;
  }
}

/** Refuses a target that a symbolic link takes outside the folder. */
async function checkLinks(folder: vscode.WorkspaceFolder, target: vscode.Uri): Promise<void> {
  if (folder.uri.scheme === 'file') {
    const problem = await checkRealPathInside(
      folder.uri.fsPath,
      target.fsPath,
      {
        realpath: (p) => realpath(p),
        isSymbolicLink: (p) =>
          lstat(p).then(
            (s) => s.isSymbolicLink(),
            () => false,
          ),
        parent: (p) => dirname(p),
      },
      process.platform === 'win32' || process.platform === 'darwin',
    );
    if (problem) throw new Error(problem);
    return;
  }
  // Other file systems: refuse any symbolic link between the folder and the file.
  let current = target;
  while (current.path.length > folder.uri.path.length) {
    const stat = await exists(current);
    if (stat && (stat.type & vscode.FileType.SymbolicLink) !== 0)
      throw new Error(`${current.toString(true)} is a symbolic link; runbooks are written inside the workspace folder only.`);
    current = vscode.Uri.joinPath(current, '..');
  }
}

function pickFolder(outputPath: string | undefined): vscode.WorkspaceFolder | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (outputPath && folders.length > 1) {
    const match = folders.find((f) => outputPath.replace(/\\/g, '/').startsWith(f.uri.path) || outputPath.startsWith(f.uri.fsPath));
    if (match) return match;
  }
  return folders[0];
}

interface Target {
  readonly folder: vscode.WorkspaceFolder;
  readonly uri: vscode.Uri;
  readonly relative: string;
  /** The file existed and replacing it was agreed (`overwrite: true`, or the user said Replace). */
  readonly replace: boolean;
}

/**
 * Where the runbook goes, checked: inside the workspace folder, through no escaping link, and not
 * over an existing file unless allowed (programmatic: `overwrite: true`; otherwise the user says so).
 * Undefined when no folder is open (the runbook then opens untitled).
 */
async function resolveTarget(context: CommandContext, template: RunbookTemplateId, args: ScaffoldArgs, folderSetting: string): Promise<Target | undefined> {
  const folder = pickFolder(args.outputPath);
  if (!folder) {
    if (args.outputPath) throw new Error('"outputPath" needs an open workspace folder; without one, leave it out and the runbook opens in an untitled editor.');
    return undefined;
  }
  const info = RUNBOOK_TEMPLATES[template];
  const resolved = resolveOutputPath({
    root: folder.uri.path,
    folder: folderSetting,
    fileName: info.suggestedRunbookName + info.fileExtension,
    ...(args.outputPath !== undefined ? { outputPath: args.outputPath } : {}),
    extension: info.fileExtension,
    caseInsensitive: process.platform === 'win32' || process.platform === 'darwin',
  });
  if (!resolved.ok) throw new Error(resolved.reason);
  const uri = folder.uri.with({ path: resolved.path });
  await checkLinks(folder, uri);
  const existing = await exists(uri);
  if (existing) {
    if ((existing.type & vscode.FileType.Directory) !== 0) throw new Error(`${resolved.relative} is a folder.`);
    if (args.overwrite !== true) {
      if (context.programmatic) throw new Error(`${resolved.relative} already exists in ${folder.name}; pass "overwrite": true to replace it.`);
      const choice = await context.ui.confirm(
        `${resolved.relative} already exists. Replace it?`,
        { modal: true, detail: vscode.l10n.t('The current file is overwritten with the generated runbook.') },
        'Replace',
      );
      if (choice !== 'Replace') throw UserCancelledError.atPrompt('overwrite');
    }
  }
  return { folder, uri, relative: resolved.relative, replace: existing !== undefined };
}

const workspaceFs = {
  writeFile: (uri: vscode.Uri, content: Uint8Array) => Promise.resolve(vscode.workspace.fs.writeFile(uri, content)),
  rename: (from: vscode.Uri, to: vscode.Uri, options: { overwrite: boolean }) => Promise.resolve(vscode.workspace.fs.rename(from, to, options)),
  delete: (uri: vscode.Uri) => Promise.resolve(vscode.workspace.fs.delete(uri)),
  readDirectory: async (folder: vscode.Uri) => (await vscode.workspace.fs.readDirectory(folder)).map(([name]) => name),
  join: (folder: vscode.Uri, name: string) => vscode.Uri.joinPath(folder, name),
};

/** Writes the generated runbook where resolveTarget says (or into an untitled editor) and opens it. */
export async function writeRunbook(context: CommandContext, generated: GeneratedRunbook, args: ScaffoldArgs, folderSetting: string): Promise<vscode.Uri> {
  const target = await resolveTarget(context, generated.template, args, folderSetting);
  if (!target) {
    const document = await vscode.workspace.openTextDocument({ language: generated.languageId, content: generated.content });
    await vscode.window.showTextDocument(document, { preview: false });
    return document.uri;
  }
  const folder = vscode.Uri.joinPath(target.uri, '..');
  await vscode.workspace.fs.createDirectory(folder);
  // All or nothing: a temporary file renamed over the target; an existing file only with consent.
  try {
    await writeFileAtomically(
      workspaceFs,
      { folder, name: target.uri.path.slice(target.uri.path.lastIndexOf('/') + 1) },
      new TextEncoder().encode(generated.content),
      { overwrite: target.replace },
    );
  } catch (error) {
    if (error instanceof vscode.FileSystemError && error.code === 'FileExists') {
      throw new Error(
        `${target.relative} was created in ${target.folder.name} while the runbook was being written; it was left as it is. Run Scaffold Runbook again to replace it or choose another name.`,
        { cause: error },
      );
    }
    throw error;
  }
  const document = await vscode.workspace.openTextDocument(target.uri);
  await vscode.window.showTextDocument(document, { preview: false });
  return target.uri;
}

export async function scaffoldRunbook(deps: RunbookCommandDeps, context: CommandContext, arg?: unknown): Promise<string> {
  const args = parseScaffoldArgs(arg);
  if (context.programmatic) {
    const missing = (['app', 'template', 'targetTenants'] as const).filter((k) => args[k] === undefined);
    if (missing.length > 0)
      throw new Error(
        `Pass ${missing.map((k) => `"${k}"`).join(', ')}: this command takes { app, template, targetTenants, scope?, identity?, runtime?, outputPath?, overwrite? }.`,
      );
    if (!args.identity)
      throw new Error("Pass \"identity\": { kind: 'userAssigned', clientId } (recommended), 'systemAssigned', or a managed identity's object id.");
  }
  // Local problems (a path outside the folder, an existing file) fail before any network call.
  if (context.programmatic && args.template) await resolveTarget(context, args.template, args, deps.runbooksFolder());
  const { ctx, appFrom } = await startingContext(deps, context, arg, args);
  await runPromptSteps(
    ctx,
    [
      new AppListStep<ScaffoldContext>(deps.directory(), TITLE),
      new TemplateStep(TITLE),
      new RuntimeStep(TITLE),
      new TargetTenantsStep(TITLE),
      new IdentityStep(TITLE, () => deps.directory(), deps.cloud(), deps.tenantId()),
    ],
    context.ui,
  );
  const generated = generate(deps, ctx.app!, ctx, args, appFrom);
  const uri = await writeRunbook(context, generated, args, deps.runbooksFolder());
  deps.log.info(`Scaffolded the ${generated.template} runbook (${generated.runtime}) for app ${ctx.app!.appId} at ${uri.toString(true)}.`);
  for (const w of generated.warnings) deps.log.warn(w);
  if (!context.programmatic) {
    const note = generated.warnings.length ? ` ${generated.warnings.join(' ')}` : '';
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t('Generated {0}. Review it, then deploy it to an Automation account.{1}', generated.fileName, note),
        'Deploy to Azure Automation',
      )
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('federatedCredentials.deployRunbook');
      });
  }
  return uri.toString();
}
