// Opens the VS Code workbench served by code-server in headless Chromium, the way VS Code's own
// browser integration tests do: extension development/test paths go in the `payload` query.
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningCodeServer } from './codeServer';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function launchBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

export interface WorkbenchOptions {
  readonly server: RunningCodeServer;
  /** The extension under development (VS Code for the web loads one). */
  readonly extensionDevelopmentPath: string;
  /** Folder holding the in-host suites' index.js (exports run()). Omit for UI tests. */
  readonly extensionTestsPath?: string;
  /** Workspace folder to open. */
  readonly folder?: string;
  /** Receives the extension host's and workbench's log lines. */
  readonly onLog?: (type: string, text: string) => void;
}

export interface OpenWorkbench {
  readonly page: Page;
  /** Resolves with the extension test run's exit code (only when extensionTestsPath is given). */
  readonly exitCode: Promise<number>;
  close(): Promise<void>;
}

function remoteUri(server: RunningCodeServer, path: string): string {
  return `vscode-remote://${server.authority}${path}`;
}

export async function openWorkbench(browser: Browser, options: WorkbenchOptions): Promise<OpenWorkbench> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  let resolveExit!: (code: number) => void;
  const exitCode = new Promise<number>((resolve) => { resolveExit = resolve; });
  await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    const text = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    options.onLog?.(type, text);
  });

  const payload: Array<[string, string]> = [
    ['extensionDevelopmentPath', remoteUri(options.server, options.extensionDevelopmentPath)],
    ['skipWelcome', 'true'],
  ];
  if (options.extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(options.server, options.extensionTestsPath)]);
  const query = new URLSearchParams({ payload: JSON.stringify(payload) });
  if (options.folder) query.set('folder', remoteUri(options.server, options.folder));
  await page.goto(`${options.server.url}?${query.toString()}`);
  return { page, exitCode, close: () => context.close() };
}
