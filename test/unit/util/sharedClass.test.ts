// `instanceof` across the copies of a module that lazily loaded chunks carry: an error thrown by one copy of the
// class is recognised by another, and nothing else is.
import assert from 'node:assert/strict';
import { ArmRequestError } from '../../../src/arm/armClient';
import { GraphRequestError } from '../../../src/graph/errors';
import { UserCancelledError } from '../../../src/util/cancellation';
import { GoBackError } from '../../../src/wizard/userInput';

/** A second, independent copy of a module, as a chunk bundles its own (a fresh evaluation with new classes). */
function secondCopy<T>(path: string): T {
  const resolved = require.resolve(path);
  const kept = require.cache[resolved];
  delete require.cache[resolved];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a second evaluation of the module is the point
    return require(resolved) as T;
  } finally {
    require.cache[resolved] = kept;
  }
}

describe('util: classes shared across chunks', () => {
  it('an instance of another copy of the class passes instanceof; the copies really are different classes', () => {
    const other = secondCopy<typeof import('../../../src/arm/armClient')>('../../../src/arm/armClient');
    assert.notEqual(other.ArmRequestError, ArmRequestError, 'a second copy');
    const fromOtherCopy = new other.ArmRequestError(404, 'ResourceNotFound', 'not found');
    assert.ok(fromOtherCopy instanceof ArmRequestError);
    assert.ok(new ArmRequestError(409, 'Conflict', 'x') instanceof other.ArmRequestError);
    const cancellation = secondCopy<typeof import('../../../src/util/cancellation')>('../../../src/util/cancellation');
    assert.ok(cancellation.UserCancelledError.atPrompt('x') instanceof UserCancelledError);
    const wizard = secondCopy<typeof import('../../../src/wizard/userInput')>('../../../src/wizard/userInput');
    assert.ok(new wizard.GoBackError() instanceof GoBackError);
    const graph = secondCopy<typeof import('../../../src/graph/errors')>('../../../src/graph/errors');
    assert.notEqual(graph.GraphRequestError, GraphRequestError);
  });

  it('nothing else passes: plain errors, look-alikes by name, other marked classes, and a base instance for a subclass', () => {
    assert.equal(new Error('x') instanceof ArmRequestError, false);
    assert.equal(Object.assign(new Error('x'), { name: 'ArmRequestError', status: 404 }) instanceof ArmRequestError, false);
    assert.equal(new ArmRequestError(404, undefined, 'x') instanceof UserCancelledError, false);
    assert.equal(new GoBackError() instanceof ArmRequestError, false);
    class Narrower extends ArmRequestError {}
    assert.equal(new ArmRequestError(404, undefined, 'x') instanceof Narrower, false, 'a subclass keeps its own, strict instanceof');
    assert.ok(new Narrower(404, undefined, 'x') instanceof ArmRequestError);
    assert.equal((null as unknown as object) instanceof ArmRequestError, false);
  });
});
