// The runbook flows as VS Code snippets (`contributes.snippets`), rendered by the same template
// code as the files. Values become tab stops; everything else is escaped for the snippet syntax.

import { Literals, powerShellRestBody, tokenMagicianBody } from './powershell';
import { pythonBody } from './python';
import { RUNBOOK_TEMPLATES } from './runtimes';

export interface VsCodeSnippet {
  readonly prefix: readonly string[];
  readonly description: string;
  readonly body: readonly string[];
}

export type SnippetFile = Readonly<Record<string, VsCodeSnippet>>;

/** The global cloud's endpoints: snippets have no cloud to ask, users edit them for others. */
const GLOBAL = {
  loginUrl: 'https://login.microsoftonline.com',
  graphUrl: 'https://graph.microsoft.com',
  tokenExchangeAudience: 'api://AzureADTokenExchange',
};

interface TabStop {
  readonly index: number;
  readonly placeholder: string;
}

const TAB_STOPS = {
  appClientId: { index: 1, placeholder: 'app-client-id' },
  tenant: { index: 2, placeholder: 'customer-tenant-id-or-domain' },
  managedIdentityClientId: { index: 4, placeholder: 'user-assigned-identity-client-id' },
  scope: { index: 3, placeholder: `${GLOBAL.graphUrl}/.default` },
} as const satisfies Record<string, TabStop>;

const OPEN = '\uE000';
const CLOSE = '\uE001';
const sentinel = (stop: TabStop): string => `${OPEN}${stop.index}${CLOSE}`;

/** Escape text for a snippet body: `\` and `$` are special; `}` only inside placeholders. */
export function escapeSnippetText(text: string): string {
  return text.replace(/[\\$]/g, (c) => '\\' + c);
}

function toSnippetBody(lines: readonly string[]): string[] {
  const stops = Object.values(TAB_STOPS) as TabStop[];
  return lines.map((line) => {
    if (/[\uE000\uE001]/.test(line.replace(new RegExp(`${OPEN}\\d+${CLOSE}`, 'g'), ''))) {
      throw new Error('A template line contains a private-use character reserved for snippet tab stops.');
    }
    let out = escapeSnippetText(line);
    for (const stop of stops) out = out.split(sentinel(stop)).join(`\${${stop.index}:${stop.placeholder}}`);
    return out;
  });
}

function literals(quote: string): Literals {
  const q = (s: string): string => quote + s + quote;
  return {
    appClientId: q(sentinel(TAB_STOPS.appClientId)),
    appDisplayName: q(''),
    targetTenants: [q(sentinel(TAB_STOPS.tenant))],
    scope: q(sentinel(TAB_STOPS.scope)),
    tokenExchangeAudience: q(GLOBAL.tokenExchangeAudience),
    loginUrl: q(GLOBAL.loginUrl),
    graphUrl: q(GLOBAL.graphUrl),
    managedIdentityClientId: q(sentinel(TAB_STOPS.managedIdentityClientId)),
  };
}

function snippetHeader(label: string): string[] {
  return [
    `# Secretless multi-tenant runbook (Federated Credentials for VS Code): ${label}.`,
    "# The managed identity's token is the app's client assertion at each target tenant: no secret is stored here.",
    '# Fill in the app client id, the target tenants (add more lines to loop over several) and the',
    "# user-assigned identity's client id (leave it empty for the system-assigned identity).",
    '# Endpoints are the global cloud; change the login, Graph and audience values for other clouds.',
  ];
}

const VALUES_COMMENT = 'Fill in these values';

export function buildSnippets(): { readonly powershell: SnippetFile; readonly python: SnippetFile } {
  const tm = RUNBOOK_TEMPLATES['powershell-tokenmagician'];
  const rest = RUNBOOK_TEMPLATES['powershell-rest'];
  const py = RUNBOOK_TEMPLATES.python;
  const ps = literals("'");
  return {
    powershell: {
      'Federated credential runbook (TokenMagician)': {
        prefix: ['fic-runbook-tokenmagician', 'runbook-federated-tokenmagician'],
        description: `${tm.label}: ${tm.description} Needs the modules ${tm.modules.map((m) => m.name).join(', ')}.`,
        body: toSnippetBody([
          ...snippetHeader(tm.label),
          '',
          ...tokenMagicianBody(ps, VALUES_COMMENT, { environment: "''", register: false, setAuthorityHost: false }),
        ]),
      },
      'Federated credential runbook (Invoke-RestMethod)': {
        prefix: ['fic-runbook-rest', 'runbook-federated-rest'],
        description: `${rest.label}: ${rest.description}`,
        body: toSnippetBody([...snippetHeader(rest.label), '', ...powerShellRestBody(ps, VALUES_COMMENT)]),
      },
    },
    python: {
      'Federated credential runbook (Python)': {
        prefix: ['fic-runbook-python', 'runbook-federated-python'],
        description: `${py.label}: ${py.description}`,
        body: toSnippetBody([
          '#!/usr/bin/env python3',
          '# -*- coding: utf-8 -*-',
          ...snippetHeader(py.label),
          '',
          ...pythonBody(literals('"'), VALUES_COMMENT),
        ]),
      },
    },
  };
}

/** The text of a snippet file as committed under snippets/: 2-space JSON and a final newline. */
export function snippetFileText(file: SnippetFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}
