import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTenant, splitTenantList } from '../../../src/domain/tenants';

const GUID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

describe('domain/tenants', () => {
  const accepted: [string, string, string][] = [
    [GUID, 'id', GUID],
    [GUID.toUpperCase(), 'id', GUID],
    ['contoso.onmicrosoft.com', 'domain', 'contoso.onmicrosoft.com'],
    ['Contoso.COM', 'domain', 'contoso.com'],
    ['contoso.com.', 'domain', 'contoso.com'],
    ['a-b.c-d.example', 'domain', 'a-b.c-d.example'],
    ['xn--bcher-kva.example', 'domain', 'xn--bcher-kva.example'],
    ['bücher.example', 'domain', 'xn--bcher-kva.example'],
    ['例え.テスト', 'domain', 'xn--r8jz45g.xn--zckzah'],
    [`${'a'.repeat(63)}.com`, 'domain', `${'a'.repeat(63)}.com`],
  ];
  for (const [input, kind, value] of accepted) {
    it(`accepts ${JSON.stringify(input)} as ${kind} ${value}`, () => {
      const { tenant, result } = parseTenant(input);
      assert.deepEqual(result, { ok: true, errors: [], warnings: [] });
      assert.deepEqual(tenant, { kind, value });
    });
  }

  it('accepts organizations with a warning that says why', () => {
    const { tenant, result } = parseTenant('Organizations');
    assert.deepEqual(tenant, { kind: 'organizations', value: 'organizations' });
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.warnings.map((w) => w.message),
      [
        'Tenant "organizations" grants consent in the home tenant of whichever admin signs in, which may not be the customer tenant you mean. Prefer its tenant id or domain.',
      ],
    );
  });

  const refused: [string, string][] = [
    ['', "Tenant is required: the customer tenant's id (a GUID) or one of its verified domains."],
    ['   ', "Tenant is required: the customer tenant's id (a GUID) or one of its verified domains."],
    [
      'common',
      'Tenant "common" cannot be used for admin consent: Microsoft says not to use it, because consent must be granted in one specific tenant. Give the customer tenant\'s id or domain.',
    ],
    [
      'COMMON',
      'Tenant "common" cannot be used for admin consent: Microsoft says not to use it, because consent must be granted in one specific tenant. Give the customer tenant\'s id or domain.',
    ],
    [
      'consumers',
      'Tenant "consumers" cannot be used for admin consent: it means personal Microsoft accounts, which have no administrator. Give the customer tenant\'s id or domain.',
    ],
    [` ${GUID}`, `Tenant must not start or end with whitespace: " ${GUID}".`],
    ['contoso.com\n', 'Tenant must not start or end with whitespace: "contoso.com\\n".'],
    [
      `{${GUID}}`,
      `Tenant "{${GUID}}" looks like a tenant id but is not a GUID in the form 00000000-0000-0000-0000-000000000000 (remove the braces around it).`,
    ],
    [
      GUID.replace(/-/g, ''),
      `Tenant "${GUID.replace(/-/g, '')}" looks like a tenant id but is not a GUID in the form 00000000-0000-0000-0000-000000000000 (it has no hyphens; write it as 8-4-4-4-12 digits).`,
    ],
    [
      `${GUID}0`,
      `Tenant "${GUID}0" looks like a tenant id but is not a GUID in the form 00000000-0000-0000-0000-000000000000 (it has 37 characters where a GUID has 36 in the form 8-4-4-4-12).`,
    ],
    [
      '72f988bf-86f1-41af-91ab-2d7cd011db4g',
      'Tenant "72f988bf-86f1-41af-91ab-2d7cd011db4g" looks like a tenant id but is not a GUID in the form 00000000-0000-0000-0000-000000000000 ("g" is not a hexadecimal digit, 0-9 or a-f).',
    ],
    ['https://contoso.com', 'Tenant must be a tenant id or a domain name without a scheme; remove the "https://" from "https://contoso.com".'],
    ['admin@contoso.com', 'Tenant must be a tenant id or a domain name, not an email address; use the part after "@" of "admin@contoso.com".'],
    ['contoso', 'Tenant must be a tenant id (GUID) or a full domain name such as contoso.onmicrosoft.com; "contoso" has no dot.'],
    ['contoso.com/path', 'Tenant must be a tenant id (GUID) or a domain name like contoso.com; "contoso.com/path" contains "/".'],
    ['contoso.com?x=1&y', 'Tenant must be a tenant id (GUID) or a domain name like contoso.com; "contoso.com?x=1&y" contains "?", "=", "&".'],
    ['contoso.com#frag', 'Tenant must be a tenant id (GUID) or a domain name like contoso.com; "contoso.com#frag" contains "#".'],
    ["contoso.com' or '1'='1", 'Tenant must be a tenant id (GUID) or a domain name like contoso.com; "contoso.com\' or \'1\'=\'1" contains "\'", " ", "=".'],
    ['con toso.com', 'Tenant must be a tenant id (GUID) or a domain name like contoso.com; "con toso.com" contains " ".'],
    ['contoso.com"', 'Tenant must be a tenant id (GUID) or a domain name like contoso.com; "contoso.com\\"" contains "\\"".'],
    ['conto\u0000so.com', 'Tenant must be a tenant id (GUID) or a domain name like contoso.com; "conto\\u0000so.com" contains "\\u0000" (U+0000).'],
    [
      '-contoso.com',
      'Tenant "-contoso.com": each part between dots may hold only letters, digits and hyphens, and may not start or end with a hyphen ("-contoso").',
    ],
    [
      'contoso-.com',
      'Tenant "contoso-.com": each part between dots may hold only letters, digits and hyphens, and may not start or end with a hyphen ("contoso-").',
    ],
    [
      'con_toso.com',
      'Tenant "con_toso.com": each part between dots may hold only letters, digits and hyphens, and may not start or end with a hyphen ("con_toso").',
    ],
    ['contoso..com', 'Tenant "contoso..com" has an empty part between dots.'],
    ['.contoso.com', 'Tenant ".contoso.com" has an empty part between dots.'],
    [`${'a'.repeat(64)}.com`, `Tenant "${'a'.repeat(60)}…" has a part longer than 63 characters (64).`],
    [`${'abcdefghi.'.repeat(26)}com`, `Tenant must be at most 253 characters as a domain name; "${'abcdefghi.'.repeat(6)}…" has 263.`],
    ['10.0.0.1', 'Tenant must be a domain name, not an IP address; "10.0.0.1" is one.'],
    ['a'.repeat(301), 'Tenant is too long (301 characters) to be a tenant id or a domain name.'],
  ];
  for (const [input, message] of refused) {
    it(`refuses ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`, () => {
      const { tenant, result } = parseTenant(input);
      assert.equal(tenant, undefined);
      assert.deepEqual(
        result.errors.map((e) => e.message),
        [message],
      );
    });
  }

  it('accepts every generated domain name, lower-cased (property)', () => {
    fc.assert(
      fc.property(fc.domain(), (domain) => {
        fc.pre(!/^\d+$/.test(domain.split('.').pop() ?? '') && domain.length <= 253);
        const { tenant } = parseTenant(domain);
        assert.deepEqual(tenant, { kind: 'domain', value: domain.toLowerCase() });
      }),
    );
  });

  it('accepts every GUID and returns it lower-cased (property)', () => {
    fc.assert(fc.property(fc.uuid(), fc.boolean(), (g, upper) => assert.deepEqual(parseTenant(upper ? g.toUpperCase() : g).tenant, { kind: 'id', value: g })));
  });

  it('never returns a tenant value that could change a URL path or query (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (input) => {
        const { tenant, result } = parseTenant(input);
        if (tenant) assert.match(tenant.value, /^[a-z0-9.-]+$/);
        assert.equal(result.ok, tenant !== undefined);
      }),
    );
  });
});

describe('domain: a typed list of tenants', () => {
  it('splits on commas, semicolons, spaces and new lines, dropping empty entries, without checking them', () => {
    assert.deepEqual(splitTenantList(' contoso.com, fabrikam.onmicrosoft.com;\n 0b8f3c1e-4d5a-4b6c-9d7e-8f9a0b1c2d3e ,, common'), [
      'contoso.com',
      'fabrikam.onmicrosoft.com',
      '0b8f3c1e-4d5a-4b6c-9d7e-8f9a0b1c2d3e',
      'common',
    ]);
    assert.deepEqual(splitTenantList(' ;, '), []);
  });
});
