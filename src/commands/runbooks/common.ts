// What the runbook commands share, and how registerCommands builds it from the extension's deps.
import type * as vscode from 'vscode';
import type { ArmClient } from '../../arm/armClient';
import { AutomationClient } from '../../arm/automation';
import type { Cloud } from '../../domain/clouds';
import { readSettings } from '../../config/settings';
import type { CredentialCommandDeps } from '../credentials/common';

export interface RunbookCommandDeps extends CredentialCommandDeps {
  readonly automation: () => AutomationClient;
  /** The signed-in account's ARM client (Start Runbook Job builds its jobs client on it, in its own chunk). */
  readonly arm: () => ArmClient;
  /** The "Runbook Jobs" output channel: each job's streams as they arrive. */
  readonly jobOutput: () => vscode.OutputChannel;
  /** The `federatedCredentials.runbooks.folder` setting. */
  readonly runbooksFolder: () => string;
  /** Today as YYYY-MM-DD (injected so generated files are deterministic in tests). */
  readonly today?: () => string;
}

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

/**
 * A runbook handed over by another flow (Deploy's "Start Job"): the command runs interactively (progress,
 * notification) on it without asking which. A class instance, not an arguments object, so it is not programmatic.
 */
export class RunbookJobTarget {
  constructor(
    readonly accountId: string,
    readonly runbookName: string,
  ) {}
}
