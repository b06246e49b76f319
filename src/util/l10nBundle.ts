// The plain-Node modules (wizard steps, credential kinds) translate through @vscode/l10n, which must be given VS Code's
// bundle for this extension. activate() does it for dist/extension.js; a command that loads as its own chunk
// (scripts/bundles.mjs) carries its own copy of @vscode/l10n and does it again when it loads.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';

export function useVsCodeL10nBundle(): void {
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
}
