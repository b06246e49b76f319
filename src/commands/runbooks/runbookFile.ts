// What deploying a runbook file needs, read from the header the scaffold writes (template, runtime,
// identity). A file without that header is deployed by its extension: .py as Python 3.10, .ps1 as
// PowerShell 7.6, with the modules its `Import-Module` / `#Requires -Modules` lines name (any version
// the account has will do: the script does not say which it needs). Pure.
import {
  deploymentFor,
  powerShellGalleryContentLink,
  RUNBOOK_RUNTIMES,
  RUNBOOK_TEMPLATES,
  runtimeFromLabel,
  type RequiredModule,
  type RunbookDeployment,
  type RunbookRuntime,
  type RunbookTemplateId,
} from '../../runbooks';

export interface RunbookFilePlan {
  readonly template?: RunbookTemplateId;
  readonly runtime: RunbookRuntime;
  readonly deployment: RunbookDeployment;
  /** From the header; undefined when the file does not say. */
  readonly identity?: { readonly kind: 'userAssigned'; readonly clientId: string } | { readonly kind: 'systemAssigned' };
  /** True when the values came from the scaffold's header. */
  readonly fromHeader: boolean;
  readonly notes: readonly string[];
}

/** The leading comment block (after a shebang and coding line), without the "# " prefix. */
function headerLines(content: string): string[] {
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: string[] = [];
  for (const line of lines) {
    if (!line.startsWith('#')) break;
    out.push(line.replace(/^# ?/, ''));
  }
  return out;
}

function templateFromHeader(lines: readonly string[]): RunbookTemplateId | undefined {
  const first = lines.find((l) => l.startsWith('Secretless multi-tenant runbook: '));
  if (!first) return undefined;
  const label = first.slice('Secretless multi-tenant runbook: '.length).replace(/\.$/, '');
  return Object.values(RUNBOOK_TEMPLATES).find((t) => t.label === label)?.id;
}

function runtimeFromHeader(lines: readonly string[]): RunbookRuntime | undefined {
  const line = lines.find((l) => l.startsWith('Runtime: '));
  if (!line) return undefined;
  return runtimeFromLabel(line.slice('Runtime: '.length));
}

const GUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;

function identityFromHeader(lines: readonly string[]): RunbookFilePlan['identity'] {
  const line = lines.find((l) => l.startsWith('  Managed identity: '));
  if (!line) return undefined;
  const value = line.slice('  Managed identity: '.length);
  if (value.startsWith('user-assigned, client id ')) {
    const id = GUID.exec(value.slice('user-assigned, client id '.length, 'user-assigned, client id '.length + 36))?.[0];
    return id ? { kind: 'userAssigned', clientId: id.toLowerCase() } : undefined;
  }
  if (value.startsWith("the Automation account's system-assigned identity")) return { kind: 'systemAssigned' };
  return undefined;
}

/** Modules a plain PowerShell script imports (`Import-Module X`, `#Requires -Modules X, Y`). */
export function modulesFromScript(content: string): RequiredModule[] {
  const names: string[] = [];
  for (const m of content.matchAll(/^\s*Import-Module\s+(?:-Name\s+)?['"]?([A-Za-z0-9][A-Za-z0-9._-]*)['"]?/gim)) names.push(m[1] as string);
  for (const m of content.matchAll(/^\s*#Requires\s+-Modules?\s+([^\r\n]+)/gim)) {
    for (const part of (m[1] as string).split(',')) {
      const name = /^\s*['"]?([A-Za-z0-9][A-Za-z0-9._-]*)['"]?\s*$/.exec(part)?.[1];
      if (name) names.push(name);
    }
  }
  const seen = new Set<string>();
  return names
    .filter((n) => !/^(Microsoft\.PowerShell\.|Az\.?$|Orchestrator\.)/i.test(n) && !seen.has(n.toLowerCase()) && seen.add(n.toLowerCase()))
    .map((name) => ({ name, contentLink: powerShellGalleryContentLink(name), why: 'imported by the script' }));
}

export function planRunbookFile(content: string, fileName: string): RunbookFilePlan {
  const lines = headerLines(content);
  const template = templateFromHeader(lines);
  const headerRuntime = runtimeFromHeader(lines);
  const identity = identityFromHeader(lines);
  const isPython = /\.py$/i.test(fileName);
  const isPowerShell = /\.ps1$/i.test(fileName);
  if (template && headerRuntime && RUNBOOK_TEMPLATES[template].runtimes.includes(headerRuntime)) {
    return {
      template,
      runtime: headerRuntime,
      deployment: deploymentFor(template, headerRuntime),
      ...(identity ? { identity } : {}),
      fromHeader: true,
      notes: [],
    };
  }
  if (!isPython && !isPowerShell) throw new Error(`Only PowerShell (.ps1) and Python (.py) runbooks can be deployed; ${JSON.stringify(fileName)} is neither.`);
  const runtime: RunbookRuntime = isPython ? 'Python-3.10' : 'PowerShell-7.6';
  const base = deploymentFor(isPython ? 'python' : 'powershell-rest', runtime);
  const modules = isPython ? [] : modulesFromScript(content);
  return {
    runtime,
    deployment: { ...base, modules },
    ...(identity ? { identity } : {}),
    fromHeader: false,
    notes: [
      `The file has no Federated Credentials header; deploying it as ${RUNBOOK_RUNTIMES[runtime].label}${modules.length ? ` with the modules it imports (${modules.map((m) => m.name).join(', ')})` : ''}.`,
    ],
  };
}
