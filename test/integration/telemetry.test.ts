// Telemetry inside the real extension: real commands against the sandbox, with a recording sender
// in place of the reporter (the test seam the extension exposes only under FC_RUNNING_TESTS).
// The wire format itself is covered by test/unit/telemetry/recordingSender.test.ts.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CommandEventMeasurements, CommandEventProperties } from '../../src/telemetry/events';
import type { CommandTelemetry, TelemetrySender } from '../../src/telemetry/telemetry';

const EXTENSION_ID = 'federated-credentials.federated-credentials';
const SENSITIVE = [
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i,
  /[a-z][a-z0-9+.-]*:\/\//i,
  /[^\s@"]+@[^\s@"]+\.[^\s@"]+/,
  /eyJ[\w-]*\.[\w-]*\.[\w-]*/,
];

interface Recorded {
  name: string;
  properties: CommandEventProperties;
  measurements: CommandEventMeasurements;
}

describe('Telemetry (in VS Code, sandbox)', function () {
  this.timeout(60_000);
  let telemetry: CommandTelemetry;
  let recorded: Recorded[];
  let undo: (() => void) | undefined;
  const recorder: TelemetrySender = {
    send: (name, properties, measurements) => {
      recorded.push({ name, properties, measurements });
    },
    dispose: () => undefined,
  };

  before(async () => {
    const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { testing?: { telemetry: CommandTelemetry } };
    assert.ok(api.testing, 'the extension exposes its test seam under FC_RUNNING_TESTS');
    telemetry = api.testing.telemetry;
    await vscode.commands.executeCommand('fcSandbox.signIn');
  });
  beforeEach(() => {
    recorded = [];
  });
  afterEach(function () {
    undo?.();
    undo = undefined;
    // The runner scans what was recorded for issued tokens along with every log and file (FC_CAPTURE_DIR).
    const dir = process.env.FC_CAPTURE_DIR;
    if (dir) writeFileSync(join(dir, `telemetry-${this.currentTest?.title.replace(/\W+/g, '-')}.json`), JSON.stringify(recorded, null, 1));
  });

  async function drive(): Promise<void> {
    await vscode.commands.executeCommand('federatedCredentials.signIn', {});
    // Fails: the message names the app id (a GUID) the caller passed.
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('federatedCredentials.copyConsentUrl', {
          app: '0badc0de-0000-4000-8000-000000000000',
          tenant: 'contoso.onmicrosoft.com',
        }),
      ),
    );
    // Cancelled: the person dismisses the tenant picker.
    const picking = Promise.resolve(vscode.commands.executeCommand('federatedCredentials.selectTenant'));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await picking, undefined);
  }

  it("sends nothing while VS Code's telemetry is off (as in this host)", async () => {
    assert.equal(vscode.env.isTelemetryEnabled, false);
    undo = telemetry.useSender(recorder);
    await drive();
    assert.deepEqual(recorded, []);
  });

  it('with telemetry on, records each run with allow-listed properties and no ids, URLs or tokens', async () => {
    undo = telemetry.useSender(recorder, { enabled: () => true });
    await drive();
    const runs = recorded.map((e) => [e.properties.command, e.properties.outcome, e.properties.errorKind]);
    assert.deepEqual(
      runs,
      [
        ['federatedCredentials.signIn', 'succeeded', undefined],
        ['federatedCredentials.copyConsentUrl', 'failed', 'Error'],
        ['federatedCredentials.selectTenant', 'cancelled', undefined],
      ],
      JSON.stringify(recorded),
    );
    for (const e of recorded) {
      assert.equal(e.name, 'command');
      assert.ok(Object.keys(e.properties).every((k) => ['command', 'outcome', 'errorKind'].includes(k)));
      assert.deepEqual(Object.keys(e.measurements), ['durationMs']);
      for (const pattern of SENSITIVE) assert.doesNotMatch(JSON.stringify(e), pattern);
    }
  });
});
