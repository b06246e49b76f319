// Runbook templates: pure, no vscode, no Node built-ins. The scaffold and deploy commands use these.

export { commentText, psSingleQuoted, pyStringLiteral, unprintableReason } from './escape';
export { isGuid, isPlainHttpsUrl, isTenantDomain, resolveRunbookOptions, RunbookOptionsError, runbookScopeProblem, validateRunbookOptions } from './options';
export type { ResolvedRunbookOptions, RunbookCloudEndpoints, RunbookIdentity, RunbookOptions, RunbookOptionsResult, RunbookProvenance } from './options';
export { PYTHON_EXIT_CODES } from './python';
export { renderRunbook, SYSTEM_ASSIGNED_WARNING, TOKENMAGICIAN_CLOUD_WARNING } from './render';
export type { GeneratedRunbook } from './render';
export {
  compareModuleVersions,
  deploymentFor,
  GRAPH_POWERSHELL_VERSION,
  POWERSHELL_72_RETIRED,
  POWERSHELL_74_OUT_OF_SUPPORT,
  powerShellGalleryContentLink,
  PYTHON_310_LIFECYCLE,
  RUNBOOK_RUNTIMES,
  RUNBOOK_TEMPLATES,
  RUNTIME_ENVIRONMENT_NAME_PATTERN,
  runtimeEnvironmentsUnavailable,
  runtimeFromLabel,
  runtimeName,
  TOKENMAGICIAN_VERSION,
} from './runtimes';
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
