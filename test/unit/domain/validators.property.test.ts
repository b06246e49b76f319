// Properties of every validator in src/domain: on any string (or any value, where the input is a
// setting or an argument) they return findings and never throw; their messages are one bounded line;
// what they accept has the shape the rule promises; and the hostile characters they exist to stop
// are refused wherever they are put.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkCustomCloud, classifyIssuer, normaliseEndpoint } from '../../../src/domain/clouds';
import { checkClientId, checkRedirectUri } from '../../../src/domain/consentUrls';
import {
  checkGitHubEnvironment,
  checkGitHubOwner,
  checkGitHubRepository,
  checkGitRefName,
  checkKubernetesNamespace,
  checkKubernetesServiceAccount,
  classifyCredential,
  kubernetesSubject,
  parseGitHubSubject,
  parseKubernetesSubject,
  uniqueCredentialName,
} from '../../../src/domain/credentialKinds';
import { checkAudiences, checkCredential, checkDescription, checkIssuer, checkName, checkSubject, FIC_NAME_PATTERN } from '../../../src/domain/credentialRules';
import { pickAppRoles } from '../../../src/domain/graphPermissions';
import { parseAlternativeNames } from '../../../src/domain/managedIdentities';
import { formatResourceId, parseResourceId } from '../../../src/domain/azureResourceIds';
import { checkDomainName, parseTenant } from '../../../src/domain/tenants';
import { describeCharacter, findUnsafeCharacter, guidProblem, isGuid, notAGuid, quote } from '../../../src/domain/text';
import type { Finding, ValidationResult } from '../../../src/domain/validation';

/** Any text, including lone surrogates, control characters and astral characters. */
const anyText = fc.string({ unit: 'binary', maxLength: 120 });
/** Text a user could paste: mostly URL-ish or id-ish, with hostile characters mixed in. */
const hostileChar = fc.constantFrom(
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u007f',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u200b',
  '\u200e',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\ud800',
);
const unsafeInserted = (base: fc.Arbitrary<string>) =>
  fc.tuple(base, hostileChar, fc.nat()).map(([value, c, at]) => {
    const i = value.length === 0 ? 0 : at % (value.length + 1);
    return value.slice(0, i) + c + value.slice(i);
  });

const findingsOf = (found: readonly Finding[] | ValidationResult): readonly Finding[] => ('errors' in found ? [...found.errors, ...found.warnings] : found);
const errorsOf = (found: readonly Finding[] | ValidationResult) => findingsOf(found).filter((f) => f.severity === 'error');

/** A finding a UI can show: field and code set, a one-line sentence of reasonable length. */
function assertWellFormed(found: readonly Finding[] | ValidationResult): void {
  for (const f of findingsOf(found)) {
    assert.ok(f.field !== '' && /^[a-z][A-Za-z0-9.]*$/.test(f.code), JSON.stringify(f));
    assert.ok(f.message.length > 0 && f.message.length <= 700, `${f.message.length}: ${f.message.slice(0, 100)}`);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(f.message, /[\u0000-\u001f\u007f\u2028\u2029]/, `one line: ${JSON.stringify(f.message)}`);
  }
}

const GUID_LOOKALIKES = ['\u0430', '\u0435', '\u0441', '\u0412', '\uff10', '\uff11', '\uff41', '\u2013', '\u2212', '\u2010'];

describe('domain validators (properties)', () => {
  it('string validators never throw and always return well-formed findings', () => {
    const validators: Array<[string, (v: string) => readonly Finding[] | ValidationResult]> = [
      ['checkName', checkName],
      ['checkIssuer', checkIssuer],
      ['checkSubject', checkSubject],
      ['checkAudiences', (v) => checkAudiences([v])],
      ['checkDescription', checkDescription],
      ['checkClientId', checkClientId],
      ['checkRedirectUri', checkRedirectUri],
      ['parseTenant', (v) => parseTenant(v).result],
      ['checkDomainName', (v) => checkDomainName('tenant', v).findings],
      ['checkGitHubOwner', checkGitHubOwner],
      ['checkGitHubRepository', checkGitHubRepository],
      ['checkGitRefName', (v) => checkGitRefName('branch', v)],
      ['checkGitHubEnvironment', checkGitHubEnvironment],
      ['checkKubernetesNamespace', checkKubernetesNamespace],
      ['checkKubernetesServiceAccount', checkKubernetesServiceAccount],
      ['normaliseEndpoint', (v) => normaliseEndpoint('graphUrl', v).findings],
    ];
    fc.assert(
      fc.property(fc.oneof(anyText, unsafeInserted(fc.webUrl()), fc.webUrl(), fc.uuid()), (value) => {
        for (const [name, validate] of validators) {
          let found: readonly Finding[] | ValidationResult;
          try {
            found = validate(value);
          } catch (error) {
            assert.fail(`${name}(${JSON.stringify(value)}) threw ${String(error)}`);
          }
          assertWellFormed(found);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a whole credential is checked without throwing, whatever its values and the app's credentials", () => {
    fc.assert(
      fc.property(
        anyText,
        anyText,
        anyText,
        fc.array(anyText, { maxLength: 3 }),
        fc.option(anyText, { nil: undefined }),
        fc.array(fc.record({ name: anyText, issuer: anyText, subject: fc.option(anyText) }), { maxLength: 25 }),
        (name, issuer, subject, audiences, description, existing) => {
          const result = checkCredential({ name, issuer, subject, audiences, description }, { existing });
          assertWellFormed(result);
          assert.equal(result.ok, result.errors.length === 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the custom-cloud setting is checked, not trusted: any value gives findings, never an exception', () => {
    fc.assert(
      fc.property(
        fc.option(
          fc.record(
            {
              loginUrl: fc.anything(),
              graphUrl: fc.oneof(fc.webUrl(), anyText),
              armUrl: fc.anything(),
              tokenExchangeAudience: fc.anything(),
              portalUrl: fc.anything(),
            },
            { requiredKeys: [] },
          ),
          { nil: undefined },
        ),
        (settings) => {
          const { cloud, result } = checkCustomCloud(settings);
          assertWellFormed(result);
          assert.equal(cloud !== undefined, result.ok);
        },
      ),
    );
  });

  it('an accepted issuer is an https (or loopback http) URL with its host right after "//", no query, fragment, user info or hidden character', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.webUrl({ validSchemes: ['https', 'http'], withQueryParameters: true, withFragments: true }), anyText, unsafeInserted(fc.webUrl())),
        (issuer) => {
          if (errorsOf(checkIssuer(issuer)).length > 0) return;
          const url = new URL(issuer);
          assert.ok(url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname), issuer);
          assert.equal(url.search + url.hash + url.username + url.password, '');
          assert.match(issuer, /^https?:\/\/[^/\\?#\s]/i);
          assert.equal(findUnsafeCharacter(issuer), undefined);
          assert.ok(issuer.length <= 600 && issuer === issuer.trim());
        },
      ),
    );
  });

  it('accepts every plain https issuer URL (no query, fragment or user info) up to 600 characters', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['https'], withQueryParameters: false, withFragments: false }), (issuer) => {
        fc.pre(issuer.length <= 600);
        assert.deepEqual(errorsOf(checkIssuer(issuer)), []);
      }),
    );
  });

  it('a control, invisible or bidi character anywhere in an issuer, subject or audience is refused', () => {
    fc.assert(
      fc.property(unsafeInserted(fc.oneof(fc.webUrl(), fc.stringMatching(/^[a-z0-9:/_.-]{1,60}$/))), (value) => {
        assert.ok(findUnsafeCharacter(value) !== undefined);
        for (const found of [checkIssuer(value), checkSubject(value), checkAudiences([value])]) assert.ok(errorsOf(found).length > 0, JSON.stringify(value));
      }),
    );
  });

  it('an accepted subject or audience is exactly one trimmed value of at most 600 characters with no hidden characters', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.string({ minLength: 590, maxLength: 610 })), fc.integer({ min: 0, max: 3 }), (value, count) => {
        if (errorsOf(checkSubject(value)).length === 0) {
          assert.ok(value === value.trim() && value !== '' && value.length <= 600 && findUnsafeCharacter(value) === undefined);
        }
        const audiences = Array.from({ length: count }, () => value);
        if (errorsOf(checkAudiences(audiences)).length === 0) assert.equal(audiences.length, 1);
      }),
    );
  });

  it('an accepted redirect URI or endpoint has a literal host; endpoints normalise idempotently and keep their host', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
          anyText,
          fc.constantFrom('https:///x', 'https:\\\\evil.example', 'https:graph.microsoft.com', 'http://localhost:1/cb'),
        ),
        (value) => {
          if (errorsOf(checkRedirectUri(value)).length === 0) {
            assert.match(value, /^https?:\/\/[^/\\?#]/i);
            assert.equal(new URL(value).hash, '');
          }
          const { url } = normaliseEndpoint('graphUrl', value);
          if (url !== undefined) {
            assert.match(value, /^https?:\/\/[^/\\?#]/i);
            assert.equal(new URL(url).host, new URL(value).host);
            assert.equal(normaliseEndpoint('graphUrl', url).url, url, 'idempotent');
            assert.doesNotMatch(url, /\/$/);
          }
        },
      ),
    );
  });

  it('a client id is accepted exactly when it is a GUID', () => {
    fc.assert(fc.property(fc.oneof(fc.uuid(), anyText), (value) => assert.equal(checkClientId(value).length === 0, isGuid(value))));
  });

  it('credential names: every accepted name matches the documented pattern, and a look-alike letter is shown by its code point', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{2,40}$/),
        fc.constantFrom('\u0430', '\u0435', '\u200b', '\u00e9', '\u{1f680}'),
        fc.nat(),
        (name, lookAlike, at) => {
          assert.deepEqual(checkName(name), []);
          const i = 1 + (at % name.length);
          const bad = name.slice(0, i) + lookAlike + name.slice(i);
          const [finding] = checkName(bad);
          assert.ok(finding && !FIC_NAME_PATTERN.test(bad));
          assert.ok(finding.message.includes(describeCharacter(lookAlike)), finding.message);
        },
      ),
    );
  });

  it('uniqueCredentialName always gives a valid name no credential of the app uses (case-insensitively)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/),
        fc.array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{2,20}$/), { maxLength: 20 }),
        fc.boolean(),
        (base, others, takeBase) => {
          const taken = takeBase
            ? [base.toUpperCase(), ...others, ...Array.from({ length: 5 }, (_, i) => `${base.slice(0, 118 - String(i + 2).length)}-${i + 2}`)]
            : others;
          const name = uniqueCredentialName(base, taken);
          assert.deepEqual(checkName(name), []);
          assert.ok(!taken.some((t) => t.toLowerCase() === name.toLowerCase()), name);
        },
      ),
    );
  });

  it('GUID hints: a GUID has none; braces, whitespace, missing hyphens and look-alikes are each named', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.constantFrom(...GUID_LOOKALIKES), fc.nat(), (guid, lookAlike, at) => {
        assert.equal(guidProblem(guid), undefined);
        assert.equal(guidProblem(`{${guid}}`), 'remove the braces around it');
        assert.equal(guidProblem(` ${guid}\t`), 'remove the whitespace around it');
        assert.match(guidProblem(guid.replace(/-/g, '')) ?? '', /no hyphens/);
        const i = at % guid.length;
        const spoofed = guid.slice(0, i) + lookAlike + guid.slice(i + 1);
        assert.match(
          guidProblem(spoofed) ?? '',
          new RegExp(`^${JSON.stringify(lookAlike).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} \\(U\\+[0-9A-F]{4}\\) only looks like a`),
        );
      }),
    );
  });

  it('GUID hints and quote() never throw, stay short and on one line, whatever the value', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.string({ minLength: 1000, maxLength: 3000 })), (value) => {
        const text = notAGuid(value);
        assert.ok(text.length <= 300, `${text.length}`);
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(text, /[\u0000-\u001f\u007f\u2028\u2029]/);
        const quoted = quote(value);
        assert.ok(Array.from(JSON.parse(quoted) as string).length <= 61);
      }),
    );
  });

  it('findUnsafeCharacter finds nothing in printable text and the first hidden character wherever it is put', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 60 }), hostileChar, fc.nat(), (text, c, at) => {
        fc.pre(findUnsafeCharacter(text) === undefined);
        const i = at % (text.length + 1);
        assert.equal(findUnsafeCharacter(text.slice(0, i) + c + text.slice(i))?.char, c);
      }),
    );
  });

  it('GitHub and Kubernetes parts: what is accepted matches the documented patterns, and subjects round-trip', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        if (checkGitHubOwner(value).length === 0) assert.match(value, /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/);
        if (checkGitHubRepository(value).length === 0) assert.match(value, /^[A-Za-z0-9._-]{1,100}$/);
        if (checkGitHubEnvironment(value).length === 0)
          assert.ok(value === value.trim() && !value.includes(':') && findUnsafeCharacter(value)?.kind !== 'control');
        if (checkGitRefName('tag', value).length === 0) assert.ok(!/[\s~^:?*[\\]|\.\.|@\{/.test(value) && !value.startsWith('/'));
        if (checkKubernetesNamespace(value).length === 0) assert.match(value, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      }),
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/),
        fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,30}[a-z0-9])?$/),
        (namespace, account) => {
          fc.pre(checkKubernetesServiceAccount(account).length === 0);
          assert.deepEqual(parseKubernetesSubject(kubernetesSubject(namespace, account)), { namespace, serviceAccount: account });
        },
      ),
    );
  });

  it('parsers and classifiers of values read from Graph never throw on any input', () => {
    fc.assert(
      fc.property(anyText, fc.option(anyText, { nil: null }), fc.array(anyText, { maxLength: 4 }), (issuer, subject, names) => {
        classifyIssuer(issuer);
        classifyCredential({ issuer, subject });
        parseGitHubSubject(subject ?? '');
        parseKubernetesSubject(subject ?? '');
        const info = parseAlternativeNames(names);
        assert.ok(info.display.length > 0);
        pickAppRoles([{ id: '1', value: 'User.Read.All', allowedMemberTypes: ['Application'] }], [issuer]);
      }),
    );
  });

  it('parseResourceId never throws, and what it parses formats back to an id that parses the same', () => {
    const segment = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._()-]{1,12}$/), anyText);
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          fc.array(segment, { minLength: 1, maxLength: 10 }).map((parts) => `/${parts.join('/')}`),
          fc.array(segment, { minLength: 4, maxLength: 8 }).map((p) => `/subscriptions/${p[0]}/resourceGroups/${p[1]}/providers/${p.slice(2).join('/')}`),
        ),
        (id) => {
          const parsed = parseResourceId(id);
          if (!parsed) return;
          const again = parseResourceId(formatResourceId(parsed));
          assert.deepEqual(again, parsed);
        },
      ),
    );
  });
});
