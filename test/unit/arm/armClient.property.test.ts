// Properties of the ARM URL builder and the Automation id and name checks: every request URL stays on
// the cloud's ARM endpoint (the bearer token goes with it), an accepted Automation account id can only
// address that account, and the runbook name helpers agree with Automation's rule.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { armRequestUrl } from '../../../src/arm/armClient';
import {
  AUTOMATION_ACCOUNT_NAME_PATTERN,
  checkAutomationAccountId,
  checkRunbookName,
  RUNBOOK_NAME_PATTERN,
  runbookNameFromFileName,
} from '../../../src/arm/automation';

const anyText = fc.string({ unit: 'binary', maxLength: 60 });
const armRoot = fc
  .tuple(fc.domain(), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), fc.constantFrom('', '/', '/arm', '/a/b/'))
  .map(([host, port, path]) => `https://${host}${port === undefined ? '' : `:${port}`}${path}`);
const pathPart = fc.oneof(
  fc.constantFrom('..', '.', '%2e%2e', '', 'subscriptions', '?x=1', '#f', '//evil.example', '\\..\\x', 'https://evil.example/'),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,10}$/),
  anyText,
);

describe('ARM URLs and Automation ids (properties)', () => {
  it('armRequestUrl: a path or absolute URL gives a URL on the ARM origin under its root path, or a refusal', () => {
    fc.assert(
      fc.property(
        armRoot,
        fc.oneof(
          fc.array(pathPart, { maxLength: 6 }).map((p) => p.join('/')),
          fc.webUrl({ withQueryParameters: true }),
          anyText,
        ),
        (root, pathOrUrl) => {
          const base = new URL(root);
          const rootPath = base.pathname.replace(/\/+$/, '');
          let url: URL;
          try {
            url = armRequestUrl(root, pathOrUrl);
          } catch (error) {
            // Refused with our message, or a path the URL parser itself cannot read (TypeError: Invalid URL).
            assert.ok(/^Refusing an Azure Resource Manager request/.test(String((error as Error).message)) || error instanceof TypeError, String(error));
            return;
          }
          assert.equal(url.origin, base.origin);
          assert.ok(url.pathname === rootPath || url.pathname.startsWith(`${rootPath}/`), `${url.pathname} under ${rootPath}`);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('armRequestUrl keeps ordinary resource paths exactly under the root', () => {
    fc.assert(
      fc.property(armRoot, fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), { minLength: 1, maxLength: 8 }), (root, parts) => {
        const url = armRequestUrl(root, `/${parts.join('/')}`);
        assert.equal(url.href, `${new URL(root).origin}${new URL(root).pathname.replace(/\/+$/, '')}/${parts.join('/')}`);
      }),
    );
  });

  it('an accepted Automation account id names exactly one account: a GUID subscription, a valid group and name, nothing after', () => {
    const part = fc.oneof(
      fc.uuid(),
      fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{4,12}[a-zA-Z0-9]$/),
      fc.constantFrom('..', '.', 'rg.', 'a?b', 'a#b', '%2F', 'x/y', ''),
      anyText,
    );
    fc.assert(
      fc.property(
        part,
        part,
        part,
        fc.constantFrom('Microsoft.Automation', 'microsoft.automation', 'Microsoft.Web'),
        fc.constantFrom('automationAccounts', 'AUTOMATIONACCOUNTS', 'sites'),
        fc.constantFrom('', '/', '/runbooks/x'),
        (sub, group, name, provider, type, tail) => {
          const id = `/subscriptions/${sub}/resourceGroups/${group}/providers/${provider}/${type}/${name}${tail}`;
          let account;
          try {
            account = checkAutomationAccountId(id);
          } catch (error) {
            assert.match((error as Error).message, /^"automationAccount"/);
            assert.ok((error as Error).message.length <= 400);
            return;
          }
          assert.match(account.subscriptionId, /^[0-9a-f-]{36}$/i);
          assert.match(account.name, AUTOMATION_ACCOUNT_NAME_PATTERN);
          assert.doesNotMatch(account.resourceGroup as string, /^\.+$|[/?#\\%]/);
          assert.equal(account.type.toLowerCase(), 'microsoft.automation/automationaccounts');
          // The runbook URL built from it stays under the account.
          const url = armRequestUrl('https://management.azure.com', `${id.trim().replace(/\/+$/, '')}/runbooks/Report`);
          assert.equal(
            decodeURIComponent(url.pathname).toLowerCase(),
            `/subscriptions/${account.subscriptionId}/resourcegroups/${account.resourceGroup}/providers/microsoft.automation/automationaccounts/${account.name}/runbooks/report`.toLowerCase(),
          );
          assert.equal(url.search, '');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('checkAutomationAccountId never throws anything but its own Error, whatever the value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), anyText), (value) => {
        try {
          checkAutomationAccountId(value);
        } catch (error) {
          assert.ok(error instanceof Error && /^"automationAccount"/.test(error.message), String(error));
        }
      }),
    );
  });

  it("checkRunbookName agrees with Automation's rule, and runbookNameFromFileName always yields a name it accepts", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,70}$/)), (value) => {
        assert.equal(checkRunbookName(value) === undefined, RUNBOOK_NAME_PATTERN.test(value) && value.length <= 63);
        const derived = runbookNameFromFileName(`${value}.ps1`);
        assert.equal(checkRunbookName(derived), undefined, derived);
      }),
    );
  });
});
