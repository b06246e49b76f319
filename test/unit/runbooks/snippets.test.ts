// The snippet files under snippets/ are generated from the runbook templates, and expand to valid code.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSnippets, escapeSnippetText, snippetFileText, SnippetFile } from '../../../src/runbooks';
import { parsePowerShell, pythonCompileError, syntaxProblems } from './helpers';

const repoRoot = join(__dirname, '..', '..', '..');

/**
 * Expands a snippet body the way VS Code would with every placeholder left at its default.
 * Fails on any `$` that is neither escaped nor one of `${n:default}` (a TextMate variable or
 * tab stop the generator did not mean), and on a stray backslash escape.
 */
function expand(body: readonly string[]): { text: string; tabStops: Map<number, string> } {
  const source = body.join('\n');
  const tabStops = new Map<number, string>();
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      if (next === '$' || next === '\\' || next === '}') {
        out += next;
        i++;
        continue;
      }
      out += ch;
      continue;
    }
    if (ch === '$') {
      const m = /^\$\{(\d+):([^}$\\]*)\}/.exec(source.slice(i));
      if (!m) throw new Error(`unescaped $ at ${JSON.stringify(source.slice(Math.max(0, i - 30), i + 30))}`);
      const index = Number(m[1]);
      const previous = tabStops.get(index);
      assert.ok(previous === undefined || previous === m[2], `tab stop ${index} has two defaults`);
      tabStops.set(index, m[2] as string);
      out += m[2];
      i += m[0].length - 1;
      continue;
    }
    out += ch;
  }
  return { text: out, tabStops };
}

describe('runbook snippets', () => {
  const generated = buildSnippets();

  for (const language of ['powershell', 'python'] as const) {
    it(`snippets/${language}.json is what scripts/generate-snippets.ts writes (run it after changing a template)`, () => {
      const committed = readFileSync(join(repoRoot, 'snippets', `${language}.json`), 'utf8');
      assert.equal(committed, snippetFileText(generated[language]));
    });
  }

  it('has the VS Code snippet shape: prefix, description, body lines', () => {
    for (const file of Object.values(generated) as SnippetFile[]) {
      for (const [name, snippet] of Object.entries(file)) {
        assert.ok(name.length > 0);
        assert.ok(snippet.prefix.length > 0 && snippet.prefix.every((p) => /^[a-z][a-z-]+$/.test(p)));
        assert.ok(snippet.description.length > 0);
        assert.ok(snippet.body.length > 20 && snippet.body.every((l) => typeof l === 'string' && !l.includes('\n')));
        assert.doesNotMatch(JSON.stringify(snippet), /[\uE000\uE001]/, 'no tab-stop sentinel left');
      }
    }
    assert.deepEqual(Object.keys(generated.powershell), ['Federated credential runbook (TokenMagician)', 'Federated credential runbook (Invoke-RestMethod)']);
    assert.deepEqual(Object.keys(generated.python), ['Federated credential runbook (Python)']);
  });

  it('PowerShell snippets expand to code that parses, with the tab stops in the value block', async () => {
    for (const snippet of Object.values(generated.powershell)) {
      const { text, tabStops } = expand(snippet.body);
      assert.deepEqual(syntaxProblems(await parsePowerShell(text + '\n')), []);
      assert.deepEqual([...tabStops.keys()].sort(), [1, 2, 3, 4]);
      assert.ok(text.includes("$AppClientId = 'app-client-id'"));
      assert.ok(text.includes("$ManagedIdentityClientId = 'user-assigned-identity-client-id'"));
      assert.ok(text.includes("$TargetTenants = @(\n    'customer-tenant-id-or-domain'\n)"));
      assert.ok(text.includes("'/v1.0/users?$top=2") || text.includes('Get-MgUser -Top 2'));
    }
  });

  it('the Python snippet expands to code that compiles', () => {
    const { text, tabStops } = expand(generated.python['Federated credential runbook (Python)']?.body ?? []);
    assert.equal(pythonCompileError(text + '\n'), '');
    assert.deepEqual([...tabStops.keys()].sort(), [1, 2, 3, 4]);
    assert.ok(text.includes('APP_CLIENT_ID = "app-client-id"'));
    assert.ok(text.includes('"/v1.0/users?$top=2'));
  });

  it('escapes $ and backslashes, which snippets treat as syntax', () => {
    assert.equal(escapeSnippetText('$x \\ ${1:y}'), '\\$x \\\\ \\${1:y}');
    assert.ok(generated.python['Federated credential runbook (Python)']?.body.some((l) => l.includes('r"AADSTS[0-9]+"')));
  });
});
