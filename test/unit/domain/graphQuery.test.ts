import assert from 'node:assert/strict';
import fc from 'fast-check';
import { appSearchQuery, encodeQuery, equalsFilter, odataString, searchClause, startsWithFilter } from '../../../src/domain/graphQuery';
import { ValidationError } from '../../../src/domain/validation';

/** Reads one OData string literal from the start of `text`; returns its value and where it ended. */
function readODataLiteral(text: string): { value: string; end: number } {
  assert.equal(text[0], "'");
  let value = '';
  for (let i = 1; i < text.length; i++) {
    if (text[i] !== "'") value += text[i];
    else if (text[i + 1] === "'") value += text[++i];
    else return { value, end: i + 1 };
  }
  assert.fail('unterminated literal');
}

/** Reads one double-quoted $search clause with backslash escapes. */
function readSearchClause(text: string): { value: string; end: number } {
  assert.equal(text[0], '"');
  let value = '';
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') value += text[++i];
    else if (text[i] === '"') return { value, end: i + 1 };
    else value += text[i];
  }
  assert.fail('unterminated clause');
}

describe('domain/graphQuery', () => {
  const filters: [string, string][] = [
    ['web', "startswith(displayName,'web')"],
    ["O'Brien", "startswith(displayName,'O''Brien')"],
    ["') or true or ('", "startswith(displayName,''') or true or (''')"],
    ['', "startswith(displayName,'')"],
    ['a&b#c?d=e f', "startswith(displayName,'a&b#c?d=e f')"],
  ];
  for (const [input, expected] of filters) it(`startswith ${JSON.stringify(input)}`, () => assert.equal(startsWithFilter('displayName', input), expected));

  it('builds eq filters', () => {
    assert.equal(equalsFilter('appId', "x' or 'a'='a"), "appId eq 'x'' or ''a''=''a'");
    assert.equal(equalsFilter('servicePrincipalType', 'ManagedIdentity'), "servicePrincipalType eq 'ManagedIdentity'");
  });

  const searches: [string, string][] = [
    ['Web', '"displayName:Web"'],
    ['say "hi"', '"displayName:say \\"hi\\""'],
    ['back\\slash', '"displayName:back\\\\slash"'],
    ['" OR "displayName:', '"displayName:\\" OR \\"displayName:"'],
    ["it's", '"displayName:it\'s"'],
  ];
  for (const [input, expected] of searches) it(`search ${JSON.stringify(input)}`, () => assert.equal(searchClause('displayName', input), expected));

  it('refuses a property that could inject', () => {
    for (const bad of ['displayName)', "x'", 'a b', '', 'a,b']) {
      assert.throws(
        () => startsWithFilter(bad, 'x'),
        (e: unknown) => e instanceof ValidationError && e.message === `Property must be a Graph property name; ${JSON.stringify(bad)} is not.`,
      );
    }
  });

  it('an escaped filter value never closes the quote early (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (s) => {
        const literal = odataString(s);
        const { value, end } = readODataLiteral(literal);
        assert.equal(end, literal.length);
        assert.equal(value, s);
        const filter = startsWithFilter('displayName', s);
        assert.equal(readODataLiteral(filter.slice('startswith(displayName,'.length)).end, filter.length - 'startswith(displayName,'.length - 1);
      }),
    );
  });

  it('an escaped search term never closes the clause early (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (s) => {
        const clause = searchClause('displayName', s);
        const { value, end } = readSearchClause(clause);
        assert.equal(end, clause.length);
        assert.equal(value, `displayName:${s}`);
      }),
    );
  });

  it('percent-encodes values so they round-trip through URLSearchParams (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 50 }).filter((s) => !/[\uD800-\uDFFF]/.test(s)),
        fc.integer({ min: 1, max: 999 }),
        (s, top) => {
          const query = encodeQuery({ $search: searchClause('displayName', s), $top: top, $count: true, skip: undefined });
          assert.doesNotMatch(query, /[ #+]/);
          const parsed = new URLSearchParams(query);
          assert.deepEqual([...parsed.keys()], ['$search', '$top', '$count']);
          assert.equal(parsed.get('$search'), searchClause('displayName', s));
          assert.equal(parsed.get('$top'), String(top));
        },
      ),
    );
  });

  it('refuses a bad query key', () => assert.throws(() => encodeQuery({ 'a&b': 'x' }), /Query key "a&b" is not a valid Graph query option\./));

  describe('appSearchQuery', () => {
    it('searches display names with ConsistencyLevel: eventual', () => {
      assert.deepEqual(appSearchQuery(' web app ', { top: 100, select: ['id', 'appId'] }), {
        params: { $search: '"displayName:web app"', $count: true, $top: 100, $select: 'id,appId' },
        headers: { ConsistencyLevel: 'eventual' },
      });
      assert.equal(encodeQuery(appSearchQuery('web app', { top: 100 }).params), '$search=%22displayName%3Aweb%20app%22&$count=true&$top=100');
    });
    it('looks a GUID up by appId', () => {
      assert.deepEqual(appSearchQuery('11111111-2222-3333-4444-55555555555A'), {
        params: { $filter: "appId eq '11111111-2222-3333-4444-55555555555a'" },
        headers: {},
      });
    });
    it('sends no filter for an empty search', () => assert.deepEqual(appSearchQuery('  ', { top: 5 }), { params: { $top: 5 }, headers: {} }));
  });
});
