// What each template needs from Azure Automation: the runbook type and runtime (environment) to
// create it with, and the PowerShell Gallery modules it imports. Data for the deploy command.
// Sources: the Automation REST API specs (runbookType values, runtime environments, 2024-10-23), AZD
// automation/manage-runtime-environment.md and runtime-environment-overview.md.

export type RunbookTemplateId = 'powershell-tokenmagician' | 'powershell-rest' | 'python';
export type RunbookRuntime = 'PowerShell-7.2' | 'PowerShell-7.4' | 'Python-3.10';
export type RunbookLanguage = 'powershell' | 'python';

export interface RuntimeEnvironmentSpec {
  /** Runtime environment name the runbook links to (`properties.runtimeEnvironment`). */
  readonly name: string;
  /** For `PUT …/runtimeEnvironments/{name}` when the account does not have it yet. */
  readonly language: 'PowerShell' | 'Python';
  readonly version: string;
  /** True when Automation creates it itself (system-generated environments). */
  readonly systemGenerated: boolean;
}

export interface RuntimeInfo {
  readonly id: RunbookRuntime;
  readonly language: RunbookLanguage;
  readonly label: string;
  /** `properties.runbookType` on `PUT …/runbooks/{name}`. */
  readonly runbookType: 'PowerShell72' | 'PowerShell' | 'Python3';
  /** Absent for the legacy PowerShell 7.2 runbook type, which carries its version in the type. */
  readonly runtimeEnvironment?: RuntimeEnvironmentSpec;
  /** ARM api-version the runbook shape above belongs to. */
  readonly apiVersion: string;
  /** Set when the runtime is out of support; said in the header and shown where it is picked. */
  readonly supportNote?: string;
  readonly recommended: boolean;
}

export const POWERSHELL_72_END_OF_SUPPORT = 'PowerShell 7.2 has reached end of support. Prefer PowerShell 7.4 through an Automation runtime environment.';

export const RUNBOOK_RUNTIMES: Readonly<Record<RunbookRuntime, RuntimeInfo>> = {
  'PowerShell-7.2': {
    id: 'PowerShell-7.2',
    language: 'powershell',
    label: 'PowerShell 7.2 (legacy runbook type PowerShell72, end of support)',
    runbookType: 'PowerShell72',
    apiVersion: '2023-11-01',
    supportNote: POWERSHELL_72_END_OF_SUPPORT,
    recommended: false,
  },
  'PowerShell-7.4': {
    id: 'PowerShell-7.4',
    language: 'powershell',
    label: 'PowerShell 7.4 (runtime environment)',
    runbookType: 'PowerShell',
    runtimeEnvironment: { name: 'PowerShell-7.4', language: 'PowerShell', version: '7.4', systemGenerated: false },
    apiVersion: '2024-10-23',
    recommended: true,
  },
  'Python-3.10': {
    id: 'Python-3.10',
    language: 'python',
    label: 'Python 3.10 (runtime environment)',
    runbookType: 'Python3',
    runtimeEnvironment: { name: 'Python-3.10', language: 'Python', version: '3.10', systemGenerated: true },
    apiVersion: '2024-10-23',
    recommended: true,
  },
};

export interface RequiredModule {
  readonly name: string;
  /** Pinned version, or undefined for the gallery's latest. */
  readonly version?: string;
  /** `contentLink.uri` for an ARM module import. */
  readonly contentLink: string;
  readonly why: string;
}

export function powerShellGalleryContentLink(name: string, version?: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`Not a PowerShell Gallery module name: ${JSON.stringify(name)}`);
  if (version !== undefined && !/^[0-9]+(\.[0-9]+){1,3}(-[A-Za-z0-9.]+)?$/.test(version)) {
    throw new Error(`Not a module version: ${JSON.stringify(version)}`);
  }
  return `https://www.powershellgallery.com/api/v2/package/${name}${version ? `/${version}` : ''}`;
}

function galleryModule(name: string, why: string): RequiredModule {
  return { name, contentLink: powerShellGalleryContentLink(name), why };
}

export interface RunbookTemplateInfo {
  readonly id: RunbookTemplateId;
  readonly label: string;
  readonly description: string;
  readonly language: RunbookLanguage;
  readonly runtimes: readonly RunbookRuntime[];
  readonly defaultRuntime: RunbookRuntime;
  /** In import order: Microsoft.Graph.Users depends on Microsoft.Graph.Authentication. */
  readonly modules: readonly RequiredModule[];
  readonly fileExtension: '.ps1' | '.py';
  /** A runbook name matching Automation's `^[a-zA-Z][a-zA-Z-_0-9]*$`. */
  readonly suggestedRunbookName: string;
}

export const RUNBOOK_TEMPLATES: Readonly<Record<RunbookTemplateId, RunbookTemplateInfo>> = {
  'powershell-tokenmagician': {
    id: 'powershell-tokenmagician',
    label: 'PowerShell 7.x with TokenMagician',
    description: 'Get-TmMsiToken exchanges the managed identity token; Connect-MgGraph and Get-MgUser use the result.',
    language: 'powershell',
    runtimes: ['PowerShell-7.4', 'PowerShell-7.2'],
    defaultRuntime: 'PowerShell-7.4',
    modules: [
      galleryModule('TokenMagician', 'Get-TmMsiToken: managed identity token exchanged for an app token'),
      galleryModule('Microsoft.Graph.Authentication', 'Connect-MgGraph'),
      galleryModule('Microsoft.Graph.Users', 'Get-MgUser (the example call)'),
    ],
    fileExtension: '.ps1',
    suggestedRunbookName: 'Invoke-FederatedGraph-TokenMagician',
  },
  'powershell-rest': {
    id: 'powershell-rest',
    label: 'PowerShell 7.x, no extra module',
    description: 'Invoke-RestMethod only: managed identity endpoint, token endpoint, Microsoft Graph.',
    language: 'powershell',
    runtimes: ['PowerShell-7.4', 'PowerShell-7.2'],
    defaultRuntime: 'PowerShell-7.4',
    modules: [],
    fileExtension: '.ps1',
    suggestedRunbookName: 'Invoke-FederatedGraph',
  },
  python: {
    id: 'python',
    label: 'Python 3.10, standard library only',
    description: 'urllib only: managed identity endpoint, token endpoint, Microsoft Graph.',
    language: 'python',
    runtimes: ['Python-3.10'],
    defaultRuntime: 'Python-3.10',
    modules: [],
    fileExtension: '.py',
    suggestedRunbookName: 'Invoke-FederatedGraph-Python',
  },
};

/** What the deploy command needs to create the runbook and check the account. */
export interface RunbookDeployment {
  readonly runbookType: RuntimeInfo['runbookType'];
  readonly runtimeEnvironment?: RuntimeEnvironmentSpec;
  readonly apiVersion: string;
  readonly modules: readonly RequiredModule[];
  readonly supportNote?: string;
}

export function deploymentFor(template: RunbookTemplateId, runtime?: RunbookRuntime): RunbookDeployment {
  const info = RUNBOOK_TEMPLATES[template];
  const rt = RUNBOOK_RUNTIMES[runtime ?? info.defaultRuntime];
  if (!info.runtimes.includes(rt.id)) throw new Error(`${info.label} does not run on ${rt.label}.`);
  return {
    runbookType: rt.runbookType,
    ...(rt.runtimeEnvironment ? { runtimeEnvironment: rt.runtimeEnvironment } : {}),
    apiVersion: rt.apiVersion,
    modules: info.modules,
    ...(rt.supportNote ? { supportNote: rt.supportNote } : {}),
  };
}
