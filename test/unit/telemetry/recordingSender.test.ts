// What would go over the wire: the real command runner, our telemetry module and
// @vscode/extension-telemetry's real reporter (Application Insights client), with a recording
// `customFetcher` in place of HTTPS. The `vscode` API the reporter needs is a stub whose telemetry
// logger forwards events unchanged (VS Code's own logger would also scrub them; this proves we need
// no scrubbing). Commands succeed, are cancelled, and fail with messages full of ids, URLs and tokens.
import * as assert from 'node:assert/strict';
import Module from 'node:module';
import { SENSITIVE } from './sensitive';

// --- a minimal `vscode` for the command runner and the telemetry reporter -----------------------
const registered = new Map<string, (...args: unknown[]) => Promise<unknown>>();
const shownErrors: string[] = [];
let telemetryOn = true;
class EventEmitter<T> {
  private listeners: Array<(e: T) => void> = [];
  event = (listener: (e: T) => void) => {
    this.listeners.push(listener);
    return { dispose: () => undefined };
  };
  fire(e: T) {
    for (const l of this.listeners) l(e);
  }
  dispose() {
    this.listeners = [];
  }
}
const MACHINE_ID = 'c0ffee'.repeat(10) + 'abcd'; // VS Code's machine id: a SHA-256 hex, not the user's
const SESSION_ID = '3f1c2b7e-0d4a-4f7e-9a55-2c1e8b6d9f01' + '1718000000000'; // VS Code's session id: uuid + time
const fakeVscode = {
  EventEmitter,
  TelemetryTrustedValue: class {
    constructor(readonly value: unknown) {}
  },
  env: {
    machineId: MACHINE_ID,
    sessionId: SESSION_ID,
    get isTelemetryEnabled() {
      return telemetryOn;
    },
    createTelemetryLogger(sender: { sendEventData(name: string, data: unknown): void }, options?: { additionalCommonProperties?: Record<string, unknown> }) {
      return {
        get isUsageEnabled() {
          return telemetryOn;
        },
        get isErrorsEnabled() {
          return telemetryOn;
        },
        onDidChangeEnableStates: () => ({ dispose: () => undefined }),
        logUsage(name: string, data: { properties?: Record<string, unknown> }) {
          if (telemetryOn)
            sender.sendEventData(`federated-credentials.federated-credentials/${name}`, {
              ...data,
              properties: { ...options?.additionalCommonProperties, ...data.properties },
            });
        },
        logError: () => undefined,
        dispose: () => undefined,
      };
    },
  },
  workspace: { getConfiguration: () => ({ get: () => undefined }) },
  commands: {
    registerCommand: (id: string, handler: (...args: unknown[]) => Promise<unknown>) => {
      registered.set(id, handler);
      return { dispose: () => registered.delete(id) };
    },
    executeCommand: async () => undefined,
  },
  window: {
    showErrorMessage: async (message: string) => {
      shownErrors.push(message);
      return undefined;
    },
  },
  l10n: { t: (message: string, ...args: unknown[]) => message.replace(/\{(\d+)\}/g, (_m, i: string) => String(args[Number(i)])) },
};
const moduleInternals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string; _cache: Record<string, unknown> };
const originalResolve = moduleInternals._resolveFilename;

// --- the secrets a careless implementation would leak -------------------------------------------
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP_ID = 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiI3MmY5ODhiZiJ9.c2lnbmF0dXJl';
const URL_ = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const UPN = 'admin@contoso.onmicrosoft.com';
const IKEY = '00000000-1111-4222-8333-444444444444';

interface Sent {
  url: string;
  body: string;
}

describe('Telemetry with a recording sender (real runner and reporter, fake transport)', function () {
  this.timeout(20_000);
  let sent: Sent[];
  let runner: typeof import('../../../src/commands/commandRunner');
  let telemetryModule: typeof import('../../../src/telemetry/telemetry');
  let cancellation: typeof import('../../../src/util/cancellation');

  before(() => {
    moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? 'vscode' : originalResolve.call(this, request, ...rest);
    };
    moduleInternals._cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: fakeVscode };
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded after the `vscode` stub is in place */
    runner = require('../../../src/commands/commandRunner');
    telemetryModule = require('../../../src/telemetry/telemetry');
    cancellation = require('../../../src/util/cancellation');
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  after(() => {
    moduleInternals._resolveFilename = originalResolve;
    delete moduleInternals._cache.vscode;
  });
  beforeEach(() => {
    sent = [];
    registered.clear();
    shownErrors.length = 0;
    telemetryOn = true;
  });

  /** Registers commands through the real runner, hooked to telemetry as extension.ts does; runs `drive`; flushes. */
  async function record(
    drive: (run: (id: string, ...args: unknown[]) => Promise<unknown>) => Promise<void>,
    options: { connectionString?: string } = {},
  ): Promise<Sent[]> {
    const fetcher = async (url: string, init?: { body?: string }) => {
      sent.push({ url, body: init?.body ?? '' });
      return { status: 200, headers: [] as Array<[string, string]>, text: async () => '{"itemsReceived":1,"itemsAccepted":1,"errors":[]}' };
    };
    const connectionString = options.connectionString ?? `InstrumentationKey=${IKEY};IngestionEndpoint=https://telemetry.test/`;
    const telemetry = new telemetryModule.CommandTelemetry(connectionString ? telemetryModule.reporterSender(connectionString, fetcher) : undefined);
    const log = { error: () => undefined, show: () => undefined } as never;
    const deps = { log, ui: () => ({}) as never, onDidRun: telemetry.record };
    const commands: Record<string, (context: unknown, ...args: unknown[]) => Promise<unknown>> = {
      signIn: async () => ({ tenantId: TENANT, username: UPN }),
      selectTenant: async () => {
        throw cancellation.UserCancelledError.atPrompt(`tenant ${TENANT}`);
      },
      addManagedIdentityCredential: async () => {
        throw Object.assign(new Error(`Forbidden: app ${APP_ID} in ${URL_} for ${UPN} with Bearer ${TOKEN}`), {
          name: 'GraphRequestError',
          explained: { kind: 'forbidden' },
        });
      },
      copyConsentUrl: async () => {
        throw new Error(`${URL_}/adminconsent?client_id=${APP_ID}`);
      },
      deployRunbook: async () => {
        throw `raw string ${TOKEN}`;
      },
    };
    for (const [name, handler] of Object.entries(commands)) runner.registerCommand(`federatedCredentials.${name}`, handler, deps);
    await drive((id, ...args) => registered.get(`federatedCredentials.${id}`)!(...args));
    telemetry.dispose();
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the client unloads (flushes) asynchronously
    return sent;
  }

  const driveAll = async (run: (id: string, ...args: unknown[]) => Promise<unknown>) => {
    await run('signIn'); // from the palette: succeeds
    await run('selectTenant'); // the person dismisses the picker
    await run('addManagedIdentityCredential'); // fails with ids, a URL, a UPN and a token in the message
    await run('copyConsentUrl');
    await run('deployRunbook'); // something that is not even an Error
    await assert.rejects(run('signIn', { tenant: TENANT }).then(() => registered.get('federatedCredentials.addManagedIdentityCredential')!({ app: APP_ID })));
  };

  function events(payloads: Sent[]): Array<{ name: string; properties: Record<string, string>; measurements: Record<string, number> }> {
    return payloads
      .flatMap(
        (p) => JSON.parse(p.body) as Array<{ data: { baseData: { name: string; properties: Record<string, string>; measurements: Record<string, number> } } }>,
      )
      .map((envelope) => envelope.data.baseData);
  }

  it('sends one event per run: command, outcome, error kind and duration, nothing else of ours', async () => {
    const payloads = await record(driveAll);
    assert.ok(payloads.length > 0, 'nothing was sent');
    assert.ok(payloads.every((p) => p.url.startsWith('https://telemetry.test/')));
    const got = events(payloads);
    const ours = got.map((e) => ({ name: e.name, ...Object.fromEntries(Object.entries(e.properties).filter(([k]) => !k.startsWith('common.'))) }));
    const name = 'federated-credentials.federated-credentials/command';
    assert.deepEqual(ours, [
      { name, command: 'federatedCredentials.signIn', outcome: 'succeeded' },
      { name, command: 'federatedCredentials.selectTenant', outcome: 'cancelled' },
      { name, command: 'federatedCredentials.addManagedIdentityCredential', outcome: 'failed', errorKind: 'GraphRequestError.forbidden' },
      { name, command: 'federatedCredentials.copyConsentUrl', outcome: 'failed', errorKind: 'Error' },
      { name, command: 'federatedCredentials.deployRunbook', outcome: 'failed', errorKind: 'other' },
      { name, command: 'federatedCredentials.signIn', outcome: 'succeeded' },
      { name, command: 'federatedCredentials.addManagedIdentityCredential', outcome: 'failed', errorKind: 'GraphRequestError.forbidden' },
    ]);
    for (const e of got) {
      assert.deepEqual(Object.keys(e.measurements), ['durationMs']);
      // The reporter's own common properties (OS, architecture, its version); in VS Code the telemetry
      // logger adds its standard ones (extension and VS Code version, anonymous machine and session ids).
      assert.deepEqual(
        Object.keys(e.properties)
          .filter((k) => k.startsWith('common.'))
          .sort(),
        ['common.nodeArch', 'common.os', 'common.platformversion', 'common.telemetryclientversion'],
      );
    }
    assert.ok(
      shownErrors.some((m) => m.includes('[redacted token]')),
      'the person still sees the error (with tokens redacted)',
    );
  });

  it('puts no id, URL, e-mail or token anywhere in the bytes sent', async () => {
    const payloads = await record(driveAll);
    const raw = payloads.map((p) => p.body).join('\n');
    for (const secret of [TENANT, APP_ID, TOKEN, UPN, 'login.microsoftonline.com', 'adminconsent', 'Forbidden', 'raw string'])
      assert.ok(!raw.includes(secret), `${secret} was sent`);
    // Generic patterns, after removing the envelope's known values: our instrumentation key (also in
    // the envelope's name, without dashes) and VS Code's anonymous machine and session ids.
    const rest = [IKEY, IKEY.replace(/-/g, ''), SESSION_ID, MACHINE_ID].reduce((text, known) => text.split(known).join(''), raw);
    for (const pattern of SENSITIVE) assert.doesNotMatch(rest, pattern);
  });

  it("sends nothing when VS Code's telemetry is off", async () => {
    telemetryOn = false;
    const payloads = await record(driveAll);
    assert.deepEqual(payloads, []);
  });

  it('sends nothing, and creates no reporter, when the connection string is empty (the default)', async () => {
    assert.equal(telemetryModule.telemetryConnectionString({ telemetryConnectionString: '' }, {}), '');
    assert.equal(telemetryModule.telemetryConnectionString({}, { FC_TELEMETRY_CONNECTION_STRING: 'x' }), '', 'the env only counts in tests');
    assert.equal(telemetryModule.telemetryConnectionString({}, { FC_RUNNING_TESTS: '1', FC_TELEMETRY_CONNECTION_STRING: 'x' }), 'x');
    const payloads = await record(driveAll, { connectionString: '' });
    assert.deepEqual(payloads, []);
  });
});
