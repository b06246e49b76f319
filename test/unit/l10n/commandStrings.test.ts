// Every user-facing string in src/commands goes through l10n.t (vscode.l10n.t, or @vscode/l10n's t in
// modules that run in plain Node too): the titles, prompts and placeholders of prompts and progress,
// the labels and details of pick items, and the messages shown with show…Message. A raw string
// literal (or template) in one of those places fails here, with the file and line.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

const repoRoot = join(__dirname, '..', '..', '..');
const USER_FACING_PROPERTIES = new Set(['title', 'prompt', 'placeholder', 'placeHolder', 'label', 'detail']);
const SHOW_MESSAGE = /^show(Information|Warning|Error)Message$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** A literal a person would read: words, not an id, a codicon alone, a path or a placeholder value like "contoso". */
function isProse(node: ts.Expression): boolean {
  const text = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : ts.isTemplateExpression(node) ? node.head.text + node.templateSpans.map((s) => s.literal.text).join(' ') : undefined;
  if (text === undefined) return false;
  const words = text.replace(/\$\([a-z-]+\)/g, '').trim();
  return /[A-Za-z]{2,}\s+[A-Za-z]{2,}/.test(words) || /^[A-Z][a-z]+/.test(words);
}

export function rawUserFacingStrings(source: string, fileName: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const report = (node: ts.Node, what: string) => found.push(`${fileName}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}: ${node.getText().slice(0, 80)}`);
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && USER_FACING_PROPERTIES.has(node.name.text) && isProse(node.initializer)) {
      report(node.initializer, node.name.text);
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && SHOW_MESSAGE.test(node.expression.name.text) && node.arguments[0] && isProse(node.arguments[0])) {
      report(node.arguments[0], node.expression.name.text);
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && /^[A-Z_]*TITLE$/.test(node.name.text) && node.initializer && isProse(node.initializer)) {
      report(node.initializer, node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('localisation of src/commands', () => {
  it('finds raw strings where a person reads them (the check itself)', () => {
    const planted = [
      "await ui.input({ title: 'Add Credential', prompt: `Name of the ${x}` });",
      "void vscode.window.showInformationMessage('Copied it.');",
      "const TITLE = 'Deploy Runbook';",
      "items.push({ label: 'Managed identity', detail: 'A user-assigned identity', data: 1 });",
    ].join('\n');
    assert.equal(rawUserFacingStrings(planted, 'planted.ts').length, 6);
    const fine = [
      "await ui.input({ title: l10n.t('Add Credential'), prompt: l10n.t('Name of the {0}', x), placeholder: 'contoso' });",
      "void vscode.window.showInformationMessage(vscode.l10n.t('Copied it.'));",
      "items.push({ label: app.displayName, description: app.appId, data: app });",
    ].join('\n');
    assert.deepEqual(rawUserFacingStrings(fine, 'fine.ts'), []);
  });

  it('has none in src/commands', () => {
    const found = files(join(repoRoot, 'src', 'commands')).flatMap((path) => rawUserFacingStrings(readFileSync(path, 'utf8'), relative(repoRoot, path)));
    assert.deepEqual(found, []);
  });
});
