// Properties of the runbook input checks and escaping helpers that had none: validateRunbookOptions
// never throws and accepts only values that are safe to write into a script; the scope, tenant, URL
// and GUID predicates; comment text; the PowerShell Gallery link; snippet escaping. (psSingleQuoted
// and pyStringLiteral are checked against real parsers in escaping.test.ts.)
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  commentText,
  isGuid,
  isPlainHttpsUrl,
  isTenantDomain,
  powerShellGalleryContentLink,
  psSingleQuoted,
  pyStringLiteral,
  renderRunbook,
  runbookScopeProblem,
  unprintableReason,
  validateRunbookOptions,
  type RunbookOptions,
} from '../../../src/runbooks';
import { escapeSnippetText } from '../../../src/runbooks/snippets';
import { baseOptions } from './helpers';

const anyText = fc.string({ unit: 'binary', maxLength: 80 });
/** Characters that end, escape or interpolate a string literal in PowerShell or Python (quotes of every kind, $, `, \, whitespace). */
const SCRIPT_SPECIAL = /['"`$\\\s\u2018-\u201b]/;
const hostile = fc.oneof(anyText, fc.constantFrom("'", '"', '`', '$(x)', '${x}', "'@", "@'", '"""', "'''", '\n', '\\', '#>', ';', '|', '&&'));

describe('runbook options and escaping (properties)', () => {
  it('validateRunbookOptions never throws, whatever each option holds', () => {
    const value = fc.oneof(fc.anything(), hostile, fc.array(hostile, { maxLength: 3 }));
    fc.assert(
      fc.property(
        fc.record(
          {
            template: fc.oneof(value, fc.constantFrom('python', 'powershell-rest', 'powershell-tokenmagician')),
            appClientId: fc.oneof(value, fc.uuid()),
            homeTenantId: fc.oneof(value, fc.uuid()),
            targetTenants: value,
            scope: value,
            identity: value,
            cloud: fc.oneof(value, fc.record({ loginUrl: value, graphUrl: value, tokenExchangeAudience: value })),
            runtime: value,
            generatedOn: value,
            provenance: value,
            appDisplayName: value,
          },
          { requiredKeys: [] },
        ),
        (options) => {
          const result = validateRunbookOptions(options as unknown as RunbookOptions);
          if (!result.ok) {
            assert.ok(result.problems.length > 0);
            // eslint-disable-next-line no-control-regex
            for (const p of result.problems) assert.doesNotMatch(p, /[\u0000-\u001f]/, p);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every option value that is accepted is safe inside a script: GUIDs, plain domains, plain https URLs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(hostile, fc.uuid(), fc.domain()), { minLength: 1, maxLength: 4 }),
        fc.oneof(hostile, fc.constant(undefined)),
        fc.oneof(fc.uuid(), hostile),
        (targetTenants, scope, clientId) => {
          const result = validateRunbookOptions(
            baseOptions({ targetTenants, ...(scope === undefined ? {} : { scope }), identity: { kind: 'userAssigned', clientId } }),
          );
          if (!result.ok) return;
          for (const t of result.value.targetTenants) assert.ok(isGuid(t) || (isTenantDomain(t) && !SCRIPT_SPECIAL.test(t)), t);
          assert.doesNotMatch(result.value.scope, SCRIPT_SPECIAL);
          assert.ok(result.value.identity.kind === 'systemAssigned' || isGuid(result.value.identity.clientId));
        },
      ),
    );
  });

  it('runbookScopeProblem accepts only one "/.default" scope with nothing a script string could break on', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostile,
          fc.webUrl().map((u) => `${u.replace(/\/+$/, '')}/.default`),
          fc.uuid().map((g) => `${g}/.default`),
        ),
        (scope) => {
          if (runbookScopeProblem(scope) !== undefined) return;
          const s = scope.trim();
          assert.ok(s.endsWith('/.default'));
          assert.doesNotMatch(s, SCRIPT_SPECIAL);
        },
      ),
    );
  });

  it('isPlainHttpsUrl accepts only https URLs that parse to themselves, without query, fragment, quotes or spaces', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.webUrl({ withQueryParameters: true, withFragments: true })), (value) => {
        if (!isPlainHttpsUrl(value)) return;
        const url = new URL(value);
        assert.equal(url.protocol, 'https:');
        assert.equal(url.search + url.hash, '');
        assert.doesNotMatch(value, SCRIPT_SPECIAL);
      }),
    );
  });

  it('isTenantDomain accepts every generated domain and nothing with a script-special character; isGuid exactly GUIDs', () => {
    fc.assert(
      fc.property(fc.domain(), (d) => {
        fc.pre(/^[a-z][a-z0-9-]*$/i.test(d.split('.').pop() as string) && d.includes('.'));
        assert.equal(isTenantDomain(d), true);
      }),
    );
    fc.assert(
      fc.property(hostile, (v) => {
        if (isTenantDomain(v)) assert.doesNotMatch(v, SCRIPT_SPECIAL);
        assert.equal(isGuid(v), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v));
      }),
    );
  });

  it('commentText passes exactly the text unprintableReason finds nothing in, and names the code point otherwise', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const reason = unprintableReason(value);
        if (reason === undefined) assert.equal(commentText(value), value);
        else {
          assert.match(reason, /U\+[0-9A-F]{4}|surrogate/);
          assert.throws(() => commentText(value), /cannot be written into a runbook/);
          assert.throws(() => psSingleQuoted(value), /cannot be written into a runbook/);
        }
      }),
    );
  });

  it('a hostile app display name is accepted and written as one escaped literal, never as code', () => {
    fc.assert(
      fc.property(
        hostile.filter((s) => unprintableReason(s) === undefined && s.trim() !== '' && s.length <= 400),
        fc.constantFrom('powershell-rest' as const, 'powershell-tokenmagician' as const, 'python' as const),
        (name, template) => {
          const content = renderRunbook(baseOptions({ template, appDisplayName: name })).content;
          const literal = template === 'python' ? pyStringLiteral(name) : psSingleQuoted(name);
          assert.ok(content.includes(literal), literal);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('PowerShell Gallery links: valid module names give a gallery URL ending with the name; anything else is refused', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/), hostile),
        fc.option(fc.oneof(fc.stringMatching(/^[0-9]{1,3}(\.[0-9]{1,3}){1,3}$/), hostile), { nil: undefined }),
        (name, version) => {
          let link: string;
          try {
            link = powerShellGalleryContentLink(name, version);
          } catch (error) {
            assert.match(String(error), /Not a (PowerShell Gallery module name|module version)/);
            return;
          }
          const url = new URL(link);
          assert.equal(url.origin, 'https://www.powershellgallery.com');
          assert.equal(url.pathname, `/api/v2/package/${name}${version ? `/${version}` : ''}`);
          assert.equal(url.search + url.hash, '');
        },
      ),
    );
  });

  it('snippet text escaping round-trips: unescaping gives the text back, and no "$" or "\\" is left unescaped', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const escaped = escapeSnippetText(text);
        assert.equal(escaped.replace(/\\([\\$])/g, '$1'), text);
        assert.doesNotMatch(escaped.replace(/\\[\\$]/g, ''), /[\\$]/);
      }),
    );
  });
});
