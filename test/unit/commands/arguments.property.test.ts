// Properties of the commands' argument parsers (src/commands/arguments.ts): whatever object a caller
// passes, the parser returns only known keys with values of the right type and shape, or refuses with
// an Error that names the argument; it never throws anything else and never echoes a huge value.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { credentialArgs, displayNameProblem, searchArgument, searchQueryProblem, tenantIdArgument } from '../../../src/commands/arguments';
import { findUnsafeCharacter, isGuid } from '../../../src/domain/text';

const KEYS = ['app', 'credential', 'managedIdentity', 'tenant', 'name', 'description', 'confirm', 'permissions'] as const;
const value = fc.oneof(
  fc.anything(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uuid(),
  fc.uuid().map((g) => `{${g}}`),
  fc.string({ minLength: 5000, maxLength: 6000 }),
);
const argObject = fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), value, { maxKeys: 5 });

function refusal(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof Error && !(error instanceof TypeError), `a plain Error, not ${String(error)}`);
    assert.ok(error.message.length <= 400, `${error.message.length}: ${error.message.slice(0, 80)}`);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(error.message, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, 'one line');
    return error.message;
  }
}

describe('command argument parsers (properties)', () => {
  it('credentialArgs: accepted objects hold only known keys, typed as declared, with GUID ids and usable credential references', () => {
    fc.assert(
      fc.property(argObject, (arg) => {
        const message = refusal(() => credentialArgs(arg, KEYS, { confirm: 'boolean', permissions: 'array' }));
        if (message !== undefined) {
          assert.match(message, /^(Argument "\w+"|"\w+" must be|Unknown argument)/, message);
          return;
        }
        for (const [key, v] of Object.entries(arg)) {
          assert.ok((KEYS as readonly string[]).includes(key), key);
          if (v === undefined) continue;
          if (key === 'confirm') assert.equal(typeof v, 'boolean');
          else if (key === 'permissions') assert.ok(Array.isArray(v));
          else assert.equal(typeof v, 'string');
          if (key === 'app' || key === 'managedIdentity') assert.ok(isGuid(v as string), v as string);
          if (key === 'credential')
            assert.ok((v as string).trim() !== '' && findUnsafeCharacter(v as string) === undefined && ((v as string).length <= 120 || isGuid(v as string)));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('credentialArgs ignores what is not an arguments object (tree nodes, lists, nothing)', () => {
    class Node {
      app = 'x';
    }
    fc.assert(
      fc.property(fc.oneof(fc.constant(undefined), fc.constant(null), fc.array(fc.anything()), fc.string(), fc.integer(), fc.constant(new Node())), (arg) => {
        assert.deepEqual(credentialArgs(arg, KEYS), {});
      }),
    );
  });

  it('tenantIdArgument returns a lower-case GUID, nothing, or a refusal', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record(
            {
              tenant: fc.oneof(
                value,
                fc.uuid().map((g) => g.toUpperCase()),
                fc.constantFrom('common', 'contoso.com'),
              ),
            },
            { requiredKeys: [] },
          ),
          argObject,
        ),
        (arg) => {
          let tenant: string | undefined;
          const message = refusal(() => {
            tenant = tenantIdArgument(arg);
          });
          if (message !== undefined) return assert.match(message, /^(Argument "tenant"|Unknown argument)/);
          if (tenant !== undefined) assert.match(tenant, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
          else assert.equal(arg.tenant, undefined);
        },
      ),
    );
  });

  it('searchArgument returns the query exactly when it is a searchable string', () => {
    fc.assert(
      fc.property(fc.record({ query: value }, { requiredKeys: [] }), (arg) => {
        let query: string | undefined;
        const message = refusal(() => {
          query = searchArgument(arg);
        });
        if (message !== undefined) {
          assert.match(message, /^(Argument "query"|Pass "query")/);
          assert.ok(typeof arg.query !== 'string' || searchQueryProblem(arg.query) !== undefined);
          return;
        }
        assert.equal(query, arg.query);
        assert.ok(typeof query === 'string' && query.length <= 256 && findUnsafeCharacter(query) === undefined);
      }),
    );
  });

  it('displayNameProblem accepts exactly the names that are 1 to 256 characters once trimmed and hold no hidden character', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ minLength: 250, maxLength: 260 })), (name) => {
        const ok = name.trim() !== '' && name.trim().length <= 256 && findUnsafeCharacter(name) === undefined;
        assert.equal(displayNameProblem(name) === undefined, ok);
      }),
    );
  });
});
