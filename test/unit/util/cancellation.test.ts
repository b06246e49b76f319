// One cancellation error and one cancellable wait (src/util/cancellation.ts).
import * as assert from 'node:assert/strict';
import { isUserCancelled, raceAbort, sleep, sleepUnlessCancelled, throwIfCancelled, UserCancelledError } from '../../../src/util/cancellation';

describe('cancellation', () => {
  it('is one class, recognised by instanceof and not by its name', () => {
    for (const error of [UserCancelledError.atPrompt('x'), UserCancelledError.request(true), UserCancelledError.withOutcome('done 3 of 5', { n: 3 })]) {
      assert.ok(error instanceof UserCancelledError);
      assert.ok(isUserCancelled(error));
      assert.equal(error.name, 'UserCancelledError');
    }
    const lookalike = Object.assign(new Error('Cancelled'), { name: 'UserCancelledError' });
    assert.equal(isUserCancelled(lookalike), false);
  });

  it('says how far the work had got: in flight, an outcome to show, nothing', () => {
    assert.deepEqual([UserCancelledError.request(true).inFlight, UserCancelledError.request(false).inFlight], [true, false]);
    const outcome = UserCancelledError.withOutcome('Cancelled: 2 of 4 added.', ['a', 'b']);
    assert.equal(outcome.outcome, true);
    assert.deepEqual(outcome.partial, ['a', 'b']);
    const prompt = UserCancelledError.atPrompt('tenant');
    assert.equal(prompt.outcome, false);
    assert.equal(prompt.inFlight, false);
    assert.equal(prompt.message, 'Cancelled at: tenant');
  });

  it('throwIfCancelled throws only once the signal has fired, as nothing in flight', () => {
    const controller = new AbortController();
    throwIfCancelled(controller.signal);
    throwIfCancelled(undefined);
    controller.abort();
    assert.throws(
      () => throwIfCancelled(controller.signal),
      (e: unknown) => e instanceof UserCancelledError && !e.inFlight,
    );
  });

  it('sleep waits, and ends at once with a cancellation when the signal fires', async () => {
    const started = Date.now();
    await sleep(20);
    assert.ok(Date.now() - started >= 15);
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    setTimeout(() => controller.abort(), 10);
    const before = Date.now();
    await assert.rejects(waiting, (e: unknown) => e instanceof UserCancelledError && !e.inFlight);
    assert.ok(Date.now() - before < 1_000, 'a cancelled sleep must not wait its time out');
    await assert.rejects(sleep(10, controller.signal), (e: unknown) => e instanceof UserCancelledError);
  });

  it('sleepUnlessCancelled ends an injected wait that ignores the signal', async () => {
    const controller = new AbortController();
    const never = () => new Promise<void>(() => undefined);
    const waiting = sleepUnlessCancelled(1_000, controller.signal, never);
    controller.abort();
    await assert.rejects(waiting, (e: unknown) => e instanceof UserCancelledError && !e.inFlight);
  });

  it('raceAbort rejects as in flight when the signal fires while the work runs, and passes its result otherwise', async () => {
    assert.equal(await raceAbort(Promise.resolve(7), new AbortController().signal), 7);
    const controller = new AbortController();
    const running = raceAbort(new Promise(() => undefined), controller.signal);
    controller.abort();
    await assert.rejects(running, (e: unknown) => e instanceof UserCancelledError && e.inFlight);
  });
});
