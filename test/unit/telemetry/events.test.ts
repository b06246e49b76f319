// The telemetry event of a command run holds only allow-listed properties, and none of them can
// carry an id, a name, a URL, an e-mail address or a token, whatever the command or error was.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { SENSITIVE } from './sensitive';
import { ALLOWED_MEASUREMENTS, ALLOWED_PROPERTIES, commandEvent, errorKindOf } from '../../../src/telemetry/events';

describe('Telemetry events (allow-list)', () => {
  it('reports command, outcome, duration, and the error kind of a failure', () => {
    assert.deepEqual(commandEvent({ commandId: 'federatedCredentials.signIn', durationMs: 12.4, outcome: 'succeeded' }), {
      name: 'command',
      properties: { command: 'federatedCredentials.signIn', outcome: 'succeeded' },
      measurements: { durationMs: 12 },
    });
    assert.deepEqual(
      commandEvent({ commandId: 'federatedCredentials.addCredential', durationMs: 5, outcome: 'failed', errorKind: 'GraphRequestError.forbidden' })?.properties,
      {
        command: 'federatedCredentials.addCredential',
        outcome: 'failed',
        errorKind: 'GraphRequestError.forbidden',
      },
    );
    assert.deepEqual(commandEvent({ commandId: 'federatedCredentials.signIn', durationMs: 5, outcome: 'cancelled', errorKind: 'X' })?.properties, {
      command: 'federatedCredentials.signIn',
      outcome: 'cancelled',
    });
  });

  it('drops commands that are not ours and error kinds that are not identifiers', () => {
    assert.equal(commandEvent({ commandId: 'workbench.action.files.save', durationMs: 1, outcome: 'succeeded' }), undefined);
    assert.equal(commandEvent({ commandId: 'federatedCredentials.x/https://evil', durationMs: 1, outcome: 'succeeded' }), undefined);
    for (const kind of [
      'Error: tenant 72f988bf-86f1-41af-91ab-2d7cd011db47',
      'https://graph.microsoft.com',
      'a@b.com',
      'eyJhbGciOi.eyJzdWIiOi.sig',
      '',
      undefined,
    ]) {
      assert.equal(
        commandEvent({ commandId: 'federatedCredentials.signIn', durationMs: 1, outcome: 'failed', errorKind: kind })?.properties.errorKind,
        'other',
      );
    }
    assert.equal(commandEvent({ commandId: 'federatedCredentials.signIn', durationMs: Number.NaN, outcome: 'succeeded' })?.measurements.durationMs, 0);
  });

  it('takes the error kind from the class name and the explained Graph kind, never the message', () => {
    const graph = Object.assign(new Error('Forbidden for app 11111111-2222-3333-4444-555555555555'), {
      name: 'GraphRequestError',
      explained: { kind: 'forbidden' },
    });
    assert.equal(errorKindOf(graph), 'GraphRequestError.forbidden');
    assert.equal(errorKindOf(new TypeError('https://x')), 'TypeError');
    assert.equal(errorKindOf(Object.assign(new Error('x'), { name: 'user@contoso.com' })), 'other');
    assert.equal(errorKindOf('a string thrown'), 'other');
    assert.equal(errorKindOf(undefined), 'other');
  });

  it('never lets anything but the allow-list through, whatever the run looked like (property)', () => {
    const anyError = fc.record({
      name: fc.oneof(fc.string(), fc.constantFrom('Error', 'GraphRequestError', 'x@y.io', 'eyJa.eyJb.c')),
      message: fc.string(),
      explained: fc.option(fc.record({ kind: fc.string() })),
    });
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('succeeded', 'cancelled', 'failed') as fc.Arbitrary<'succeeded' | 'cancelled' | 'failed'>,
        fc.double(),
        anyError,
        (suffix, outcome, durationMs, error) => {
          const event = commandEvent({ commandId: `federatedCredentials.${suffix}`, durationMs, outcome, errorKind: errorKindOf(error) });
          if (!event) return;
          assert.ok(Object.keys(event.properties).every((k) => (ALLOWED_PROPERTIES as string[]).includes(k)));
          assert.ok(Object.keys(event.measurements).every((k) => (ALLOWED_MEASUREMENTS as string[]).includes(k)));
          const text = JSON.stringify(event);
          for (const pattern of SENSITIVE) assert.doesNotMatch(text, pattern);
        },
      ),
      { numRuns: 500 },
    );
  });
});
