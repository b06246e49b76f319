// What the runbook commands share (their deps, the runbook handed from Deploy to Start Runbook Job).
import type * as vscode from 'vscode';
import type { ArmClient } from '../../arm/armClient';
import type { AutomationClient } from '../../arm/automation';
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
