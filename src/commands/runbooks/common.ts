// What the runbook commands share, and how registerCommands builds it from the extension's deps.
import type { ArmClient } from '../../arm/armClient';
import { AutomationClient } from '../../arm/automation';
import type { Cloud } from '../../domain/clouds';
import { readSettings } from '../../config/settings';
import type { CredentialCommandDeps } from '../credentials/common';

export interface RunbookCommandDeps extends CredentialCommandDeps {
  readonly automation: () => AutomationClient;
  /** The `federatedCredentials.runbooks.folder` setting. */
  readonly runbooksFolder: () => string;
  /** Today as YYYY-MM-DD (injected so generated files are deterministic in tests). */
  readonly today?: () => string;
}

export function runbookDepsFrom(deps: { credentialDeps: CredentialCommandDeps; arm: () => ArmClient; cloud: () => Cloud }): RunbookCommandDeps {
  return {
    ...deps.credentialDeps,
    automation: () => new AutomationClient(deps.arm(), deps.cloud().armUrl),
    runbooksFolder: () => readSettings().runbooksFolder,
  };
}
