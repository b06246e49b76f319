// Shared state between the runner and the UI suites it runs in this process.
import type { Browser } from 'playwright-core';
import type { RunningCodeServer } from './codeServer';
import type { Sandbox } from '../../sandbox';
import { openWorkbench, type OpenWorkbench } from './workbench';

export interface HostFixture {
  readonly browser: Browser;
  readonly server: RunningCodeServer;
  readonly extensionPath: string;
  readonly workspacePath: string;
  /** The sandbox the workbench's extension signs in to (in this process: state and request log at hand). */
  readonly sandbox: Sandbox;
}

let current: HostFixture | undefined;

export function setHostFixture(fixture: HostFixture | undefined): void {
  current = fixture;
}

export function hostFixture(): HostFixture {
  if (!current) throw new Error('UI suites run through tools/test-host/runIntegration.ts, which starts VS Code and the browser.');
  return current;
}

/** A fresh workbench page with the extension under development loaded. */
export function openExtensionWorkbench(): Promise<OpenWorkbench> {
  const fixture = hostFixture();
  return openWorkbench(fixture.browser, {
    server: fixture.server,
    extensionDevelopmentPath: fixture.extensionPath,
    folder: fixture.workspacePath,
  });
}
