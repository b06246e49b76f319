// federatedCredentials.explainError: explains an AADSTS or Microsoft Graph error.
//   { text, app?, tenant? } -> the explanation as data (ErrorExplanation), no prompt, nothing shown
//   a string              -> that text, explained on screen (what a failed command's "Explain" button passes)
//   no argument           -> asks for the text (prefilled from the clipboard when it holds an error code) and,
//                            when the error does not name it, for the app; shows the explanation
// On screen: a rendered Markdown preview of the explanation, and a notification whose buttons are the fixes
// (edit the credential with the presented value, copy the admin-consent URL), run through those commands.
import * as vscode from 'vscode';
import { useVsCodeL10nBundle } from '../../util/l10nBundle';
import { hasExplainableCode } from '../../domain/errorCodes';
import { explanationMarkdown, parseErrorText, type ErrorExplanation, type ExplanationAction } from '../../domain/errorExplanations';
import { parseTenant } from '../../domain/tenants';
import { checkAudiences, checkIssuer, checkSubject } from '../../domain/credentialRules';
import { quote, redactSecrets } from '../../domain/text';
import { firstError } from '../../domain/validation';
import type { Cloud } from '../../domain/clouds';
import type { GraphDirectory } from '../../graph/directory';
import { ErrorExplanationService } from '../../services/errorExplanationService';
import { credentialArgs } from '../arguments';
import type { CommandContext } from '../commandRunner';
import { pickApp } from '../steps';
import { isUserCancelled } from '../../util/cancellation';

// Loaded as its own chunk on first use (scripts/bundles.mjs), with its own copy of @vscode/l10n.
useVsCodeL10nBundle();

export interface ExplainErrorDeps {
  /** The signed-in tenant's Graph, or undefined when nobody is signed in (the text is explained alone). */
  readonly directory: () => GraphDirectory | undefined;
  readonly tenantId: () => string | undefined;
  readonly cloud: () => Cloud;
  readonly log: vscode.LogOutputChannel;
}

/** The deps from what registerCommands has: the signed-in session if any, never "sign in first". */
export function explainErrorDeps(parts: {
  readonly auth: { readonly session?: { readonly directory: GraphDirectory }; readonly account?: { readonly tenantId: string }; readonly cloud: Cloud };
  readonly log: vscode.LogOutputChannel;
}): ExplainErrorDeps {
  return { directory: () => parts.auth.session?.directory, tenantId: () => parts.auth.account?.tenantId, cloud: () => parts.auth.cloud, log: parts.log };
}

/** Longer than any error a user pastes; a whole log is cut by the parser anyway, but an argument this long is a mistake. */
const MAX_TEXT = 100_000;
/** The categories where the app the token was requested for changes the answer. */
const NEEDS_APP = new Set([
  'issuerMismatch',
  'subjectMismatch',
  'audienceMismatch',
  'noMatchingCredential',
  'crossTenantIssuer',
  'appNotInTenant',
  'consentMissing',
]);

function readArgs(arg: Record<string, unknown>): { text: string; app?: string; tenant?: string } {
  const args = credentialArgs(arg, ['text', 'app', 'tenant']);
  if (args.text === undefined) throw new Error('Pass "text": the error to explain (an AADSTS or Microsoft Graph error, as the service or the log gave it).');
  if (args.text.trim() === '') throw new Error('Argument "text" is empty: pass the error to explain (an AADSTS or Microsoft Graph error).');
  if (args.text.length > MAX_TEXT)
    throw new Error(`Argument "text" has ${args.text.length} characters; pass the error itself (at most ${MAX_TEXT}), not a whole log.`);
  if (args.tenant !== undefined) {
    const problem = firstError(parseTenant(args.tenant).result);
    if (problem) throw new Error(`Argument "tenant": ${problem}`);
  }
  return { text: args.text, ...(args.app ? { app: args.app } : {}), ...(args.tenant ? { tenant: args.tenant } : {}) };
}

export async function explainError(deps: ExplainErrorDeps, context: CommandContext, arg?: unknown): Promise<ErrorExplanation | undefined> {
  const service = () => new ErrorExplanationService({ directory: deps.directory(), cloud: deps.cloud(), tenantId: deps.tenantId() });
  if (context.programmatic) {
    const input = readArgs(arg as Record<string, unknown>);
    const explanation = await service().explain(input);
    deps.log.info(`Explained ${explanation.codes.join(', ') || 'a text without an error code'}${explanation.app ? ` for app ${explanation.app.appId}` : ''}.`);
    return explanation;
  }
  const title = vscode.l10n.t('Explain Error');
  let text = typeof arg === 'string' ? arg : undefined;
  if (text === undefined) {
    const clipboard = await vscode.env.clipboard.readText().then(
      (t) => t,
      () => '',
    );
    text = await context.ui.input({
      title,
      prompt: vscode.l10n.t('Paste the error: an AADSTS error (token request, runbook output) or a Microsoft Graph error'),
      placeholder: vscode.l10n.t('AADSTS700213: No matching federated identity record found for presented assertion subject …'),
      argument: 'text',
      ...(hasExplainableCode(clipboard) && clipboard.length <= MAX_TEXT ? { value: clipboard } : {}),
      validate: (value) => (value.trim() === '' ? vscode.l10n.t('Paste the error text.') : undefined),
    });
  }
  let app: string | undefined;
  const directory = deps.directory();
  const parsed = parseErrorText(text);
  const first = await service().explain({ text });
  // The mismatch errors do not name the app: ask for it (a client id in the text was already looked up).
  if (directory && first.found && !first.app && NEEDS_APP.has(first.category)) {
    app = (await pickApp(directory, context.ui, { title: vscode.l10n.t('Explain Error: the app the token was requested for') })).id;
  }
  const explanation = app ? await service().explain({ text, app }) : first;
  deps.log.info(`Explained ${explanation.codes.join(', ') || 'a text without an error code'}${parsed.hadSecret ? ' (a token in the text was redacted)' : ''}.`);
  await show(explanation);
  // The fixes are offered without holding the command open: it has explained once the document shows.
  void offerActions(context, explanation).catch((error: unknown) => {
    if (isUserCancelled(error)) return;
    const message = redactSecrets(error instanceof Error ? error.message : String(error));
    deps.log.error(`The fix offered by Explain Error failed: ${message}`);
    void vscode.window.showErrorMessage(message);
  });
  return explanation;
}

// A read-only document per explanation, rendered by VS Code's Markdown preview: nothing to save, nothing left dirty.
const SCHEME = 'federated-credentials-explanation';
const documents = new Map<string, string>();
const MAX_DOCUMENTS = 20;
let shown = 0;
let provider: vscode.Disposable | undefined;

async function show(explanation: ErrorExplanation): Promise<void> {
  provider ??= vscode.workspace.registerTextDocumentContentProvider(SCHEME, { provideTextDocumentContent: (uri) => documents.get(uri.path) ?? '' });
  const name = `/${(explanation.codes[0] ?? 'Explanation').replace(/[^A-Za-z0-9_-]/g, '')}-${++shown}.md`;
  documents.set(name, explanationMarkdown(explanation));
  // The last explanations only: a long session does not keep every one it showed.
  for (const old of [...documents.keys()].slice(0, Math.max(0, documents.size - MAX_DOCUMENTS))) documents.delete(old);
  const uri = vscode.Uri.from({ scheme: SCHEME, path: name });
  const document = await vscode.workspace.openTextDocument(uri);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', document.uri);
  } catch {
    // No Markdown preview (the built-in extension disabled): the Markdown itself, which reads well too.
    await vscode.window.showTextDocument(document, { preview: true });
  }
}

async function offerActions(context: CommandContext, explanation: ErrorExplanation): Promise<void> {
  const headline = explanation.found ? `${explanation.codes[0]}: ${explanation.title}` : explanation.summary;
  const detail = explanation.details[0] ?? (explanation.found ? explanation.summary : '');
  const labels = explanation.actions.map((a) => a.label);
  const choice = await vscode.window.showInformationMessage(`${headline}${detail ? ` ${detail}` : ''}`, ...labels);
  const action = explanation.actions.find((a) => a.label === choice);
  if (action) await runAction(context, action);
}

/**
 * An edit offered by Explain writes with arguments (the edit command then only logs its warnings), and its value
 * comes from pasted text or a job's output, cut short in the button: the full value and the rules' warnings are
 * shown first, and nothing is written unless the user says so.
 */
async function confirmEdit(context: CommandContext, args: Record<string, string>): Promise<boolean> {
  const field = (['subject', 'issuer', 'audience'] as const).find((f) => args[f] !== undefined);
  if (!field) return true;
  const value = args[field];
  const findings = field === 'subject' ? checkSubject(value) : field === 'issuer' ? checkIssuer(value) : checkAudiences([value]);
  const problems = findings.map((f) => `• ${f.message}`);
  const save = vscode.l10n.t('Save');
  const choice = await context.ui.confirm(
    vscode.l10n.t('Set the {0} of the credential {1} to this value?', field, quote(args.credential ?? '')),
    {
      modal: true,
      detail: [value, '', vscode.l10n.t('Workloads that present the old value will no longer get tokens through this credential.'), ...problems].join('\n'),
    },
    save,
  );
  return choice === save;
}

async function runAction(context: CommandContext, action: ExplanationAction): Promise<void> {
  const args: Record<string, string> = { ...action.arguments };
  if (action.missing?.includes('tenant')) {
    args.tenant = (
      await context.ui.input({
        title: vscode.l10n.t('Copy Admin-Consent URL'),
        prompt: vscode.l10n.t('The tenant the token was requested from, whose admin grants consent: its tenant id (GUID) or a verified domain'),
        placeholder: 'fabrikam.onmicrosoft.com',
        argument: 'tenant',
        validate: (value) => firstError(parseTenant(value.trim()).result),
      })
    ).trim();
  }
  if (action.command === 'federatedCredentials.editCredential' && !(await confirmEdit(context, args))) return;
  const result = await vscode.commands.executeCommand<unknown>(action.command, args);
  if (action.command === 'federatedCredentials.copyConsentUrl') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Copied the admin-consent URL for tenant {0}. Send it to an admin of that tenant.', args.tenant ?? ''),
    );
  } else if (result && typeof result === 'object' && 'name' in result) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Updated the credential {0}. Entra can take a few minutes to use the new value.', quote(String(result.name))),
    );
  }
}
