// Runbook templates: pure, no vscode, no Node built-ins. The scaffold and deploy commands use these.

export { commentText, psSingleQuoted, pyStringLiteral, unprintableReason } from './escape';
export { isGuid, isPlainHttpsUrl, isTenantDomain, resolveRunbookOptions, RunbookOptionsError, runbookScopeProblem, validateRunbookOptions } from './options';
export type { ResolvedRunbookOptions, RunbookCloudEndpoints, RunbookIdentity, RunbookOptions, RunbookOptionsResult, RunbookProvenance } from './options';
export { PYTHON_EXIT_CODES } from './python';
export { renderRunbook, SYSTEM_ASSIGNED_WARNING, TOKENMAGICIAN_CLOUD_WARNING } from './render';
export type { GeneratedRunbook } from './render';
export { deploymentFor, POWERSHELL_72_END_OF_SUPPORT, powerShellGalleryContentLink, RUNBOOK_RUNTIMES, RUNBOOK_TEMPLATES } from './runtimes';
export type {
  RequiredModule,
  RunbookDeployment,
  RunbookLanguage,
  RunbookRuntime,
  RunbookTemplateId,
  RunbookTemplateInfo,
  RuntimeEnvironmentSpec,
  RuntimeInfo,
} from './runtimes';
export { buildSnippets, escapeSnippetText, snippetFileText } from './snippets';
export type { SnippetFile, VsCodeSnippet } from './snippets';
