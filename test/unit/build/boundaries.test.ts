// The layering rules of eslint.config.mjs, checked with ESLint itself on planted imports: a rule that
// silently stopped matching (a moved folder, a changed glob) would let the layers mix without a sound.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const repoRoot = join(__dirname, '..', '..', '..');

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot });
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries (eslint.config.mjs)', function () {
  this.timeout(60_000);

  const refused: Array<[file: string, code: string, reason: RegExp]> = [
    ['src/commands/viewCommands.ts', "import { startSandbox } from '../../sandbox';", /must not import the emulator/],
    ['src/tree/render.ts', "import { x } from '../../sandbox/graph/odata';", /must not import the emulator/],
    ['src/extension.ts', "import { hostFixture } from '../tools/test-host/fixture';", /test host/],
    ['src/extension.ts', "import { ScriptedUserInput } from '../test/support/scriptedUserInput';", /test code/],
    ['src/extension.ts', "import x from '../sandbox-sign-in/extension';", /sandbox sign-in provider/],
    ['src/domain/text.ts', "import * as vscode from 'vscode';", /plain Node/],
    ['src/domain/text.ts', "import { readFileSync } from 'node:fs';", /no I\/O/],
    ['src/runbooks/render.ts', "import { join } from 'path';", /no I\/O/],
    ['src/graph/applications.ts', "import * as vscode from 'vscode';", /plain Node/],
    ['src/services/credentialService.ts', "import * as vscode from 'vscode';", /plain Node/],
    ['src/commands/runbooks/deployer.ts', "import * as vscode from 'vscode';", /plain Node/],
    ['src/commands/runbooks/paths.ts', "import * as vscode from 'vscode';", /plain Node/],
    ['src/commands/runbooks/atomicWrite.ts', "import * as vscode from 'vscode';", /plain Node/],
    ['src/commands/runbooks/args.ts', "import * as vscode from 'vscode';", /plain Node/],
    ['src/wizard/wizard.ts', "import * as vscode from 'vscode';", /plain Node/],
    ['sandbox/graph/applications.ts', "import { quote } from '../../src/domain/text';", /never imports src/],
    ['sandbox/index.ts', "import * as vscode from 'vscode';", /plain Node/],
    ['test/unit/domain/text.test.ts', "import * as vscode from 'vscode';", /plain Node/],
  ];
  for (const [file, code, reason] of refused) {
    it(`refuses in ${file}: ${code}`, async () => {
      const messages = await restrictedImports(file, `${code}\nexport {};\n`);
      assert.ok(
        messages.some((m) => reason.test(m)),
        `expected ${reason} for ${file}, got ${JSON.stringify(messages)}`,
      );
    });
  }

  const allowed: Array<[file: string, code: string]> = [
    ['src/commands/viewCommands.ts', "import * as vscode from 'vscode';"],
    ['src/graph/applications.ts', "import { quote } from '../domain/text';"],
    ['test/unit/graph/x.sandbox.test.ts', "import { startSandbox } from '../../../sandbox';"],
    ['scripts/start.ts', "import { startSandbox } from '../sandbox';"],
  ];
  for (const [file, code] of allowed) {
    it(`allows in ${file}: ${code}`, async () => {
      assert.deepEqual(await restrictedImports(file, `${code}\nexport {};\n`), []);
    });
  }
});
