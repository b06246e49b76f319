// Opens the VS Code workbench served by code-server in headless Chromium, the way VS Code's own
// browser integration tests do: extension development/test paths go in the `payload` query.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
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
  /** A browser context to open the page in (its storage is shared); default: a fresh one. */
  readonly context?: BrowserContext;
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

let capture: ((source: string, text: string) => void) | undefined;

/**
 * From now on, every console message and page error of the workbench pages (contexts made here) and every
 * extension host log line they forward also go to `sink`: the integration runner scans them for leaked
 * secrets. `undefined` ends it.
 */
export function captureWorkbenchLogs(sink: ((source: string, text: string) => void) | undefined): void {
  capture = sink;
}

export async function newWorkbenchContext(browser: Browser): Promise<BrowserContext> {
  // ignoreHTTPSErrors: pages the extension opens in the browser (the sandbox's admin-consent and device-login pages)
  // are served with the sandbox's own CA, which this headless browser has no store to trust it in.
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ignoreHTTPSErrors: true });
  context.on('console', (message) => capture?.('browser console', `${message.type()}: ${message.text()}`));
  context.on('weberror', (error) => capture?.('browser page error', String(error.error()?.stack ?? error.error())));
  return context;
}

/**
 * Everything in the page origin's IndexedDB databases (VS Code for the web keeps its state there: the
 * extensions' globalState and workspaceState among it) as one JSON text, for the leak check.
 */
export async function browserStorageSnapshot(page: Page): Promise<string> {
  // Runs in the page (no DOM types here).
  return (await page.evaluate(`(async () => {
    const out = {};
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      out[name] = await new Promise((resolve) => {
        const open = indexedDB.open(name);
        open.onerror = () => resolve({ error: String(open.error) });
        open.onsuccess = () => {
          const db = open.result;
          const stores = {};
          const names = [...db.objectStoreNames];
          if (names.length === 0) { db.close(); resolve(stores); return; }
          const tx = db.transaction(names, 'readonly');
          const reads = names.map((store) => [store, tx.objectStore(store).getAllKeys(), tx.objectStore(store).getAll()]);
          tx.oncomplete = () => {
            for (const [store, keys, values] of reads) {
              const text = (v) => typeof v === 'string' ? v : v instanceof Uint8Array || v instanceof ArrayBuffer ? new TextDecoder().decode(v) : JSON.stringify(v);
              stores[store] = keys.result.map((k, i) => [String(k), text(values.result[i])]);
            }
            db.close();
            resolve(stores);
          };
          tx.onerror = () => { db.close(); resolve({ error: String(tx.error) }); };
        };
      });
    }
    return JSON.stringify(out, null, 1);
  })()`)) as string;
}

export async function openWorkbench(browser: Browser, options: WorkbenchOptions): Promise<OpenWorkbench> {
  const ownContext = options.context === undefined;
  const context = options.context ?? (await newWorkbenchContext(browser));
  const page = await context.newPage();
  let resolveExit!: (code: number) => void;
  const exitCode = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    const text = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    capture?.('extension host log', `${type}: ${text}`);
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
  return { page, exitCode, close: () => (ownContext ? context.close() : page.close()) };
}

/**
 * Records, in the browser profile's VS Code storage, that the user allowed the extension to use an
 * account of a provider: what clicking "Allow" on VS Code's sign-in prompt stores. Extension tests
 * may not show that dialog (VS Code refuses dialogs in test mode), so the runner grants it first.
 */
export async function grantAccountAccess(
  context: BrowserContext,
  server: RunningCodeServer,
  grant: { providerId: string; accountLabel: string; extensionId: string; extensionName: string },
): Promise<void> {
  const page = await context.newPage();
  try {
    await page.goto(server.url);
    await page.getByRole('tab').first().waitFor({ timeout: 60_000 });
    const key = `${grant.providerId}-${grant.accountLabel}`;
    const value = JSON.stringify([{ id: grant.extensionId, name: grant.extensionName, allowed: true }]);
    // Runs in the page (no DOM types here): put one item into VS Code's application storage.
    await page.evaluate(`new Promise((resolve, reject) => {
      const open = indexedDB.open('vscode-web-state-db-global');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction('ItemTable', 'readwrite');
        tx.objectStore('ItemTable').put(${JSON.stringify(value)}, ${JSON.stringify(key)});
        tx.oncomplete = () => { db.close(); resolve(true); };
        tx.onerror = () => reject(tx.error);
      };
    })`);
  } finally {
    await page.close();
  }
}
