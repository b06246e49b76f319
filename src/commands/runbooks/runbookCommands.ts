// The runbook commands (scaffold, deploy, run), loaded together as one chunk on first use (scripts/bundles.mjs):
// their templates, deployer and jobs client are not parsed when VS Code activates the extension.
import type * as vscode from 'vscode';
import type { ArmClient } from '../../arm/armClient';
import { AutomationClient } from '../../arm/automation';
import { readSettings } from '../../config/settings';
import type { Cloud } from '../../domain/clouds';
import type { CredentialCommandDeps } from '../credentials/common';
import type { RunbookCommandDeps } from './common';
import { useVsCodeL10nBundle } from '../../util/l10nBundle';

// Loaded as its own chunk, with its own copy of @vscode/l10n (the scaffold's prompts translate through it).
useVsCodeL10nBundle();

export { deployRunbook } from './deployRunbook';
export { scaffoldRunbook } from './scaffoldRunbook';
export { startRunbookJob } from './startRunbookJob';

export function runbookDepsFrom(deps: {
  credentialDeps: CredentialCommandDeps;
  arm: () => ArmClient;
  cloud: () => Cloud;
  jobOutput: () => vscode.OutputChannel;
}): RunbookCommandDeps {
  return {
    ...deps.credentialDeps,
    automation: () => new AutomationClient(deps.arm(), deps.cloud().armUrl),
    arm: deps.arm,
    jobOutput: deps.jobOutput,
    runbooksFolder: () => readSettings().runbooksFolder,
  };
}
