// Shared by the runbook tests: a PowerShell grammar (tree-sitter, wasm) and Python's own compiler.
import { execFileSync } from 'node:child_process';
import { Language, Node, Parser, Tree } from 'web-tree-sitter';
import type { RunbookOptions } from '../../../src/runbooks';

let parserPromise: Promise<Parser> | undefined;

/** A tree-sitter parser for PowerShell (tree-sitter-powershell's wasm build, ABI 15). */
export function powerShellParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

export async function parsePowerShell(source: string): Promise<Tree> {
  const tree = (await powerShellParser()).parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** ERROR and MISSING nodes, with their position, for assertion messages. */
export function syntaxProblems(tree: Tree): string[] {
  const problems: string[] = [];
  const walk = (node: Node): void => {
    if (node.isError || node.isMissing) {
      problems.push(
        `${node.isMissing ? 'MISSING' : 'ERROR'} ${node.type} at ${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${JSON.stringify(node.text.slice(0, 80))}`,
      );
    }
    for (const child of node.children) if (child) walk(child);
  };
  walk(tree.rootNode);
  if (tree.rootNode.hasError && problems.length === 0) problems.push('root reports an error');
  return problems;
}

export function descendants(tree: Tree, type: string): Node[] {
  return tree.rootNode.descendantsOfType(type).filter((n): n is Node => n !== null);
}

/** The value of a PowerShell verbatim string node's text ('…' with quote characters doubled). */
export function psVerbatimValue(text: string): string {
  const quotes = "'\u2018\u2019\u201A\u201B";
  if (!quotes.includes(text[0] ?? '') || !quotes.includes(text[text.length - 1] ?? '')) throw new Error(`not a verbatim string: ${text}`);
  const inner = [...text.slice(1, -1)];
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i] as string;
    if (quotes.includes(ch)) {
      const next = inner[i + 1];
      if (next === undefined || !quotes.includes(next)) throw new Error(`lone quote inside a verbatim string: ${text}`);
      out += next;
      i++;
    } else out += ch;
  }
  return out;
}

/** Runs python3 with a script, giving it `input` on stdin; returns stdout. Throws on a non-zero exit. */
export function python(script: string, input: string): string {
  return execFileSync('python3', ['-c', script], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Compiles Python source with the 3.10 grammar; returns '' or the SyntaxError. */
export function pythonCompileError(source: string): string {
  return python(
    'import ast, sys\nsrc = sys.stdin.read()\ntry:\n    ast.parse(src, feature_version=(3, 10))\n    compile(src, "runbook.py", "exec")\n    print("")\nexcept SyntaxError as e:\n    print("%s at line %s: %s" % (e.msg, e.lineno, e.text))',
    source,
  ).trim();
}

export const APP = '11111111-2222-3333-4444-555555555555';
export const HOME = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
export const UAMI = '99999999-8888-7777-6666-555555555555';
export const TENANT_B = 'ffffffff-0000-1111-2222-333333333333';

export function baseOptions(overrides: Partial<RunbookOptions> = {}): RunbookOptions {
  return {
    template: 'powershell-rest',
    appClientId: APP,
    appDisplayName: 'Contoso Sync',
    homeTenantId: HOME,
    targetTenants: ['contoso.onmicrosoft.com'],
    identity: { kind: 'userAssigned', clientId: UAMI },
    cloud: { loginUrl: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com', tokenExchangeAudience: 'api://AzureADTokenExchange' },
    generatedOn: '2025-06-01',
    provenance: { app: "app 'Contoso Sync' (object id 0a0a0a0a-0000-0000-0000-000000000000) selected in VS Code on 2025-06-01" },
    ...overrides,
  };
}
