// renderRunbook: validated options → the file's text, plus what deploying it needs.

import { commentText, psSingleQuoted, pyStringLiteral } from './escape';
import { resolveRunbookOptions, ResolvedRunbookOptions, RunbookOptions } from './options';
import { Literals, MgGraphCloud, powerShellRestBody, tokenMagicianBody } from './powershell';
import { PYTHON_EXIT_CODES, pythonBody } from './python';
import { deploymentFor, RUNBOOK_RUNTIMES, RUNBOOK_TEMPLATES, RunbookDeployment, RunbookLanguage, RunbookRuntime, RunbookTemplateId } from './runtimes';

export interface GeneratedRunbook {
  readonly template: RunbookTemplateId;
  readonly runtime: RunbookRuntime;
  readonly language: RunbookLanguage;
  /** VS Code language id of the file. */
  readonly languageId: 'powershell' | 'python';
  /** Suggested file name (`{suggestedRunbookName}{ext}`). */
  readonly fileName: string;
  /** Suggested Automation runbook name. */
  readonly runbookName: string;
  /** The file's text, LF line endings, ending with a newline. */
  readonly content: string;
  readonly deployment: RunbookDeployment;
  /** Things the user should hear before using it (also written in the header). */
  readonly warnings: readonly string[];
}

export const SYSTEM_ASSIGNED_WARNING =
  'Microsoft documents only user-assigned managed identities as federated credentials for apps; ' +
  'the system-assigned identity of the Automation account may be refused at the token exchange. Prefer a user-assigned identity.';

export const TOKENMAGICIAN_CLOUD_WARNING = 'This cloud is not one Connect-MgGraph knows by name: the runbook registers it with Add-MgEnvironment for the job.';

const PUBLIC_LOGIN_URL = 'https://login.microsoftonline.com';

/** Connect-MgGraph's built-in environments, by Graph host (Microsoft Graph PowerShell Get-MgEnvironment). */
const MG_ENVIRONMENTS: Readonly<Record<string, string>> = {
  'graph.microsoft.com': '',
  'graph.microsoft.us': 'USGov',
  'dod-graph.microsoft.us': 'USGovDoD',
  'microsoftgraph.chinacloudapi.cn': 'China',
};

export function renderRunbook(options: RunbookOptions): GeneratedRunbook {
  const o = resolveRunbookOptions(options);
  const info = RUNBOOK_TEMPLATES[o.template];
  const runtime = RUNBOOK_RUNTIMES[o.runtime];
  const deployment = deploymentFor(o.template, o.runtime);
  const warnings: string[] = [];
  if (runtime.supportNote) warnings.push(runtime.supportNote);
  if (o.identity.kind === 'systemAssigned') warnings.push(SYSTEM_ASSIGNED_WARNING);

  const quote = info.language === 'python' ? pyStringLiteral : psSingleQuoted;
  const literals: Literals = {
    appClientId: quote(o.appClientId),
    appDisplayName: quote(o.appDisplayName ?? ''),
    targetTenants: o.targetTenants.map(quote),
    scope: quote(o.scope),
    tokenExchangeAudience: quote(o.cloud.tokenExchangeAudience),
    loginUrl: quote(o.cloud.loginUrl),
    graphUrl: quote(o.cloud.graphUrl),
    managedIdentityClientId: quote(o.identity.kind === 'userAssigned' ? o.identity.clientId : ''),
  };
  const valuesComment = 'Values chosen in VS Code; the header says where each came from';

  let body: string[];
  if (o.template === 'python') body = pythonBody(literals, valuesComment);
  else if (o.template === 'powershell-rest') body = powerShellRestBody(literals, valuesComment);
  else {
    const graphHost =
      o.cloud.graphUrl
        .replace(/^https:\/\//, '')
        .split('/')[0]
        ?.toLowerCase() ?? '';
    const known = MG_ENVIRONMENTS[graphHost];
    const cloud: MgGraphCloud = {
      environment: psSingleQuoted(known ?? 'FederatedCredentialsCloud'),
      register: known === undefined,
      setAuthorityHost: o.cloud.loginUrl.toLowerCase() !== PUBLIC_LOGIN_URL,
    };
    if (cloud.register) warnings.push(TOKENMAGICIAN_CLOUD_WARNING);
    body = tokenMagicianBody(literals, valuesComment, cloud);
  }

  const header = headerLines(o, warnings).map((line) => (line === '' ? '#' : `# ${commentText(line, 'header line')}`));
  const preamble = info.language === 'python' ? ['#!/usr/bin/env python3', '# -*- coding: utf-8 -*-'] : [];
  const content = [...preamble, ...header, '', ...body].join('\n') + '\n';

  return {
    template: o.template,
    runtime: o.runtime,
    language: info.language,
    languageId: info.language,
    fileName: info.suggestedRunbookName + info.fileExtension,
    runbookName: info.suggestedRunbookName,
    content,
    deployment,
    warnings,
  };
}

function headerLines(o: ResolvedRunbookOptions, warnings: readonly string[]): string[] {
  const info = RUNBOOK_TEMPLATES[o.template];
  const runtime = RUNBOOK_RUNTIMES[o.runtime];
  const deployment = deploymentFor(o.template, o.runtime);
  const p = o.provenance;
  const from = (note: string | undefined): string => (note ? `, from ${note}` : '');
  const app = o.appDisplayName ? `'${o.appDisplayName}' (client id ${o.appClientId})` : `client id ${o.appClientId}`;
  const identity = o.identity.kind === 'userAssigned' ? `user-assigned, client id ${o.identity.clientId}` : "the Automation account's system-assigned identity";

  const deployLines = deployment.runtimeEnvironment
    ? [
        `Deploy as runbook type '${deployment.runbookType}' linked to a ${deployment.runtimeEnvironment.language} ${deployment.runtimeEnvironment.version} runtime environment`,
        `  (one the Automation account already has, or a new one named '${deployment.runtimeEnvironment.newName}').`,
      ]
    : [`Deploy as runbook type '${deployment.runbookType}' (legacy, no runtime environment).`];

  const lines = [
    `Secretless multi-tenant runbook: ${info.label}.`,
    `Generated by Federated Credentials for VS Code on ${o.generatedOn}. Review it before you run it.`,
    'No secret, certificate or token is stored in this file: the managed identity signs the app in.',
    '',
    `Runtime: ${runtime.label}.`,
    ...deployLines.map((l) => `  ${l}`),
    ...(runtime.supportNote ? [`  WARNING: ${runtime.supportNote}`] : []),
    ...(runtime.lifecycleNote ? [`  Note: ${runtime.lifecycleNote}`] : []),
    '',
    'How it works:',
    `  1. The Automation account's managed identity gets a token for ${o.cloud.tokenExchangeAudience}`,
    `     (IDENTITY_ENDPOINT with the IDENTITY_HEADER secret the sandbox provides).`,
    `  2. That token is the client assertion of the app at each target tenant's token endpoint,`,
    `     ${o.cloud.loginUrl}/{tenant}/oauth2/v2.0/token, which returns an app token for ${o.scope}.`,
    `  3. The app token calls Microsoft Graph, ${o.cloud.graphUrl}/v1.0/users?$top=2, as a harmless example.`,
    ...(o.template === 'powershell-tokenmagician' ? ['  Get-TmMsiToken (TokenMagician) does steps 1 and 2; Connect-MgGraph and Get-MgUser do step 3.'] : []),
    '',
    'Values and where they came from:',
    `  App: ${app}${from(p.app)}`,
    `  Home tenant (app and identity): ${o.homeTenantId}${from(p.homeTenant)}`,
    `  Managed identity: ${identity}${from(p.identity)}`,
    `  Target tenants: ${o.targetTenants.join(', ')}${from(p.targetTenants)}`,
    `  Scope: ${o.scope}${from(p.scope)}`,
    `  Cloud: login ${o.cloud.loginUrl}, Graph ${o.cloud.graphUrl}, token exchange audience ${o.cloud.tokenExchangeAudience}${from(p.cloud)}`,
    '',
    'Prerequisites:',
    '  - The app trusts the managed identity through a federated credential:',
    `    issuer ${o.cloud.loginUrl}/${o.homeTenantId}/v2.0,`,
    `    subject the managed identity's object (principal) id, audience ${o.cloud.tokenExchangeAudience}.`,
    '  - The app is multi-tenant, has the Microsoft Graph application permission User.Read.All',
    '    (for the example call), and an admin of each target tenant has consented to it.',
    ...(o.identity.kind === 'userAssigned'
      ? ['  - The user-assigned identity is attached to the Automation account.']
      : ['  - The system-assigned identity is turned on for the Automation account.']),
    ...(info.modules.length > 0
      ? [
          `  - Modules in the Automation account${deployment.runtimeEnvironment ? " (the runtime environment's packages)" : ''}, from the PowerShell Gallery, in this order,`,
          '    at these versions (an older one fails; the Microsoft.Graph modules must all have the same version):',
          ...info.modules.map((m) => `      ${m.name} ${m.version ?? '(latest)'}  ${m.contentLink}`),
          '  - TokenMagician needs PowerShell 7.2 or later.',
        ]
      : [`  - No module: ${info.language === 'python' ? 'the Python standard library only' : 'Invoke-RestMethod only'}.`]),
    '',
    'Output: one line per target tenant, then a summary. A tenant that fails (no consent yet, say)',
    'does not stop the others; its AADSTS code and description are printed.',
    ...(info.language === 'python'
      ? [
          `Exit code: ${PYTHON_EXIT_CODES.allSucceeded} when every tenant succeeded, ${PYTHON_EXIT_CODES.someFailed} when some failed, ${PYTHON_EXIT_CODES.allFailed} when all failed.`,
        ]
      : ['The job fails when every tenant failed, and warns when some did.']),
  ];
  const extra = warnings.filter((w) => w !== runtime.supportNote);
  if (extra.length > 0) lines.push('', ...extra.map((w) => `WARNING: ${w}`));
  return lines;
}
