// What each template needs from Azure Automation: the runbook type and runtime (environment) to
// create it with, and the PowerShell Gallery modules it imports, pinned by version. Data for the
// scaffold and the deploy command.
// Sources: azure-rest-api-specs Microsoft.Automation stable/2024-10-23 (runbook.json: runbookType enum
// with `Python`; common/v5/definitions.json: runtime environment names `^[a-zA-Z][a-zA-Z-_0-9]*$`);
// azure-docs automation runtime-environment-overview.md and automation-runtime-retirement-policy.md;
// PowerShell-Docs PowerShell-Support-Lifecycle.md (7.4 LTS ended 10 Nov 2026); PEP 619 (Python 3.10 EOL).

export type RunbookTemplateId = 'powershell-tokenmagician' | 'powershell-rest' | 'python';
/** Our ids for the runtimes a template can target (not runtime environment names). */
export type RunbookRuntime = 'PowerShell-7.6' | 'PowerShell-7.4' | 'PowerShell-7.2' | 'Python-3.10';
export type RunbookLanguage = 'powershell' | 'python';

/** ARM's rule for the name of a runtime environment (path parameter pattern, 2024-10-23): no dot. */
export const RUNTIME_ENVIRONMENT_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_-]*$/;

export interface RuntimeEnvironmentSpec {
  /** `properties.runtime` of the environment the runbook links to. */
  readonly language: 'PowerShell' | 'Python';
  readonly version: string;
  /**
   * Name of a new environment when the account has none of this language and version. Matches
   * RUNTIME_ENVIRONMENT_NAME_PATTERN; the deploy reuses an existing environment (system-generated ones
   * such as `Python-3.10` included) before it creates one.
   */
  readonly newName: string;
}

/** Where a runtime stands: `outOfSupport` still runs and is kept as a choice; `retired` only to update an existing runbook. */
export type RuntimeSupport = 'supported' | 'outOfSupport' | 'retired';

export interface RuntimeInfo {
  readonly id: RunbookRuntime;
  readonly language: RunbookLanguage;
  readonly label: string;
  /** `properties.runbookType` on `PUT …/runbooks/{name}`. */
  readonly runbookType: 'PowerShell72' | 'PowerShell' | 'Python';
  /** Absent for the legacy PowerShell 7.2 runbook type, which carries its version in the type. */
  readonly runtimeEnvironment?: RuntimeEnvironmentSpec;
  /** ARM api-version the runbook shape above belongs to. */
  readonly apiVersion: string;
  readonly support: RuntimeSupport;
  /** Set when the runtime is out of support or retired: a warning in the header and on deploy, shown where it is picked. */
  readonly supportNote?: string;
  /** Lifecycle facts worth knowing that are no reason to warn on every deploy (Python 3.10's own end of life). */
  readonly lifecycleNote?: string;
  readonly recommended: boolean;
}

export const POWERSHELL_74_OUT_OF_SUPPORT = 'PowerShell 7.4 reached end of support on 10 Nov 2026 and gets no more security fixes. Prefer PowerShell 7.6.';
export const POWERSHELL_72_RETIRED =
  'PowerShell 7.2 was retired in Azure Automation on 30 Sep 2026: its runbooks still run but get no updates. Use it only to update an existing PowerShell 7.2 runbook; prefer PowerShell 7.6.';
export const PYTHON_310_LIFECYCLE = 'Python 3.10 reached end of life in Oct 2026; it is still the newest Python runtime Azure Automation offers.';

export const RUNBOOK_RUNTIMES: Readonly<Record<RunbookRuntime, RuntimeInfo>> = {
  'PowerShell-7.6': {
    id: 'PowerShell-7.6',
    language: 'powershell',
    label: 'PowerShell 7.6 (runtime environment)',
    runbookType: 'PowerShell',
    runtimeEnvironment: { language: 'PowerShell', version: '7.6', newName: 'PowerShell-7_6' },
    apiVersion: '2024-10-23',
    support: 'supported',
    recommended: true,
  },
  'PowerShell-7.4': {
    id: 'PowerShell-7.4',
    language: 'powershell',
    label: 'PowerShell 7.4 (runtime environment, out of support)',
    runbookType: 'PowerShell',
    runtimeEnvironment: { language: 'PowerShell', version: '7.4', newName: 'PowerShell-7_4' },
    apiVersion: '2024-10-23',
    support: 'outOfSupport',
    supportNote: POWERSHELL_74_OUT_OF_SUPPORT,
    recommended: false,
  },
  'PowerShell-7.2': {
    id: 'PowerShell-7.2',
    language: 'powershell',
    label: 'PowerShell 7.2 (legacy runbook type PowerShell72, retired in Azure Automation)',
    runbookType: 'PowerShell72',
    apiVersion: '2023-11-01',
    support: 'retired',
    supportNote: POWERSHELL_72_RETIRED,
    recommended: false,
  },
  'Python-3.10': {
    id: 'Python-3.10',
    language: 'python',
    label: 'Python 3.10 (runtime environment)',
    runbookType: 'Python',
    runtimeEnvironment: { language: 'Python', version: '3.10', newName: 'Python-3_10' },
    apiVersion: '2024-10-23',
    support: 'supported',
    lifecycleNote: PYTHON_310_LIFECYCLE,
    recommended: true,
  },
};

/**
 * The runtime a header's "Runtime: …" line names, by language and version, so that files scaffolded
 * with an earlier label ("PowerShell 7.4 (runtime environment)") still deploy as what they say.
 */
/** A runtime's name without the bracket of its label: `PowerShell 7.6`. */
export function runtimeName(runtime: RuntimeInfo): string {
  return runtime.label.replace(/ \(.*$/, '');
}

export function runtimeFromLabel(label: string): RunbookRuntime | undefined {
  const m = /^(PowerShell|Python) (\d+\.\d+)\b/.exec(label.trim());
  if (!m) return undefined;
  const id = `${m[1]}-${m[2]}`;
  return Object.hasOwn(RUNBOOK_RUNTIMES, id) ? (id as RunbookRuntime) : undefined;
}

export interface RequiredModule {
  readonly name: string;
  /**
   * The version the template is written and tested against; an older one in the account counts as
   * missing. Undefined for a module a plain script imports without saying which version: any will do.
   */
  readonly version?: string;
  /** `contentLink.uri` for an ARM module import: the gallery package of exactly that version (the latest when none is pinned). */
  readonly contentLink: string;
  readonly why: string;
  /** Modules of one group must share one version in a session (the Microsoft Graph PowerShell SDK). */
  readonly versionGroup?: string;
}

/** Microsoft Graph PowerShell sub-modules must match Microsoft.Graph.Authentication's version in one session. */
export const GRAPH_POWERSHELL_VERSION = '2.28.0';
/** The TokenMagician release with Get-TmMsiToken the template is written against. */
export const TOKENMAGICIAN_VERSION = '0.1.1';
export const GRAPH_MODULE_GROUP = 'Microsoft.Graph';

const MODULE_VERSION = /^[0-9]+(\.[0-9]+){1,3}(-[A-Za-z0-9.-]+)?$/;

/** A version the PowerShell Gallery can be asked for (numeric parts, an optional prerelease tag). */
export function isModuleVersion(version: string): boolean {
  return MODULE_VERSION.test(version);
}

export function powerShellGalleryContentLink(name: string, version?: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`Not a PowerShell Gallery module name: ${JSON.stringify(name)}`);
  if (version !== undefined && !MODULE_VERSION.test(version)) {
    throw new Error(`Not a module version: ${JSON.stringify(version)}`);
  }
  return `https://www.powershellgallery.com/api/v2/package/${name}${version ? `/${version}` : ''}`;
}

/**
 * Compares PowerShell module versions (System.Version: up to four numeric parts, missing parts are 0;
 * a prerelease suffix sorts before the release). Negative, zero or positive, like a sort comparator.
 */
export function compareModuleVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const text = v.trim().replace(/\+.*$/, '');
    const dash = text.indexOf('-');
    const core = dash < 0 ? text : text.slice(0, dash);
    return { parts: core.split('.').map((p) => Number.parseInt(p, 10) || 0), pre: dash < 0 ? undefined : text.slice(dash + 1) };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 4; i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  // Prerelease identifiers compare part by part, numbers as numbers (SemVer 2.0.0 §11).
  const xs = x.pre.split(/[.-]/);
  const ys = y.pre.split(/[.-]/);
  for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
    const p = xs[i];
    const q = ys[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn && Number(p) !== Number(q)) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

function galleryModule(name: string, version: string, why: string, versionGroup?: string): RequiredModule {
  return { name, version, contentLink: powerShellGalleryContentLink(name, version), why, ...(versionGroup ? { versionGroup } : {}) };
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
    runtimes: ['PowerShell-7.6', 'PowerShell-7.4', 'PowerShell-7.2'],
    defaultRuntime: 'PowerShell-7.6',
    modules: [
      galleryModule('TokenMagician', TOKENMAGICIAN_VERSION, 'Get-TmMsiToken: managed identity token exchanged for an app token'),
      galleryModule('Microsoft.Graph.Authentication', GRAPH_POWERSHELL_VERSION, 'Connect-MgGraph', GRAPH_MODULE_GROUP),
      galleryModule('Microsoft.Graph.Users', GRAPH_POWERSHELL_VERSION, 'Get-MgUser (the example call)', GRAPH_MODULE_GROUP),
    ],
    fileExtension: '.ps1',
    suggestedRunbookName: 'Invoke-FederatedGraph-TokenMagician',
  },
  'powershell-rest': {
    id: 'powershell-rest',
    label: 'PowerShell 7.x, no extra module',
    description: 'Invoke-RestMethod only: managed identity endpoint, token endpoint, Microsoft Graph.',
    language: 'powershell',
    runtimes: ['PowerShell-7.6', 'PowerShell-7.4', 'PowerShell-7.2'],
    defaultRuntime: 'PowerShell-7.6',
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
  readonly lifecycleNote?: string;
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
    ...(rt.lifecycleNote ? { lifecycleNote: rt.lifecycleNote } : {}),
  };
}

/**
 * Why the account's cloud cannot run a runtime-environment runbook, or undefined when it can. Runtime
 * environments are "supported in all Public regions except Brazil Southeast and Gov clouds" (azure-docs
 * runtime-environment-overview.md); China is not documented either way and is treated as unavailable
 * until seen otherwise. The text says what the user can do instead.
 */
export function runtimeEnvironmentsUnavailable(cloud: { readonly name: string; readonly displayName: string }, runtime: RuntimeInfo): string | undefined {
  if (!runtime.runtimeEnvironment) return undefined;
  if (cloud.name !== 'AzureUSGovernment' && cloud.name !== 'AzureChinaCloud') return undefined;
  const why =
    cloud.name === 'AzureUSGovernment'
      ? `Azure Automation has no runtime environments in ${cloud.displayName}`
      : `Azure Automation runtime environments are not documented for ${cloud.displayName}`;
  return `${why}, so ${runtimeName(runtime)} cannot be set up there; nothing was changed. ${insteadOfRuntimeEnvironment(runtime)}`;
}

/** The same for an account's region: runtime environments are not offered in Brazil Southeast. */
export function runtimeEnvironmentsUnavailableIn(location: string): string | undefined {
  if (location.replace(/\s+/g, '').toLowerCase() !== 'brazilsoutheast') return undefined;
  return `Azure Automation has no runtime environments in the region Brazil Southeast, where this Automation account is; nothing was changed. Use an Automation account in another region, or create the runbook in the portal with a runtime that region offers.`;
}

function insteadOfRuntimeEnvironment(runtime: RuntimeInfo): string {
  return runtime.language === 'powershell'
    ? 'Instead, use an Automation account in the global Azure cloud. Only to update a runbook that already runs on PowerShell 7.2 there, scaffold it with the runtime PowerShell-7.2 (the legacy runbook type, retired in Azure Automation: it runs but gets no updates).'
    : 'Instead, use an Automation account in the global Azure cloud, or create the runbook in the portal with the Python runtime that cloud offers.';
}
