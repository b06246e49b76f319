// Hostile values: escaped so that the parsed literal is exactly the value, or refused with a clear message.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { commentText, psSingleQuoted, pyStringLiteral, renderRunbook, RunbookOptionsError, RunbookTemplateId, unprintableReason } from '../../../src/runbooks';
import { baseOptions, descendants, parsePowerShell, psVerbatimValue, python, syntaxProblems } from './helpers';

const HOSTILE = [
  "O'Brien's app",
  "'; Remove-Item -Recurse C:\\ ; '",
  '$(Invoke-Expression "calc")',
  '`$env:IDENTITY_HEADER` and `n backticks',
  '" + __import__("os").system("id") + "',
  '\\"; import os; os.system("id") #',
  '# not a comment',
  '\u2019) ; Stop-Computer ; (\u2018',
  "\u201A\u201B mixed \u2018quotes\u2019 '",
  'trailing backslash \\',
  'ünïcödé 名前 😀 \u200B zero-width',
  '${x} @(1) @{a=1} $null',
  "'''",
  '\\N{BULLET} \\x41 \\u0041',
];

/** Python reads every literal back, in order, as JSON. */
function pythonValues(literals: string[]): string[] {
  return JSON.parse(
    python('import ast, json, sys\nprint(json.dumps([ast.literal_eval(l) for l in sys.stdin.read().split("\\n")]))', literals.join('\n')),
  ) as string[];
}

describe('runbook escaping', () => {
  describe('psSingleQuoted', () => {
    it('parses back to the exact value as one verbatim string, for hostile values', async () => {
      for (const value of HOSTILE) {
        const tree = await parsePowerShell(`$v = ${psSingleQuoted(value)}\n`);
        assert.deepEqual(syntaxProblems(tree), [], value);
        const strings = descendants(tree, 'verbatim_string_characters');
        assert.equal(strings.length, 1, `one string literal for ${value}`);
        assert.equal(psVerbatimValue(strings[0]?.text ?? ''), value);
        assert.equal(descendants(tree, 'sub_expression').length, 0);
        assert.equal(descendants(tree, 'command').length, 0, `no command injected by ${value}`);
      }
    });

    it('doubles every quote PowerShell treats as a single quote, including the typographic ones', () => {
      assert.equal(psSingleQuoted("a'b"), "'a''b'");
      assert.equal(psSingleQuoted('a\u2019b\u2018c\u201Ad\u201Be'), "'a\u2019\u2019b\u2018\u2018c\u201A\u201Ad\u201B\u201Be'");
      assert.equal(psSingleQuoted('$x `y` $(z) "q"'), '\'$x `y` $(z) "q"\'');
    });

    it('refuses line breaks and other control characters', () => {
      for (const bad of ['a\nb', 'a\rb', 'a\u2028b', 'a\u0085b', 'a\u0000b', 'a\u001bb'])
        assert.throws(() => psSingleQuoted(bad), /control character|line separator/);
    });

    it('round-trips arbitrary printable strings (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => unprintableReason(s) === undefined),
          async (value) => {
            const tree = await parsePowerShell(`$v = ${psSingleQuoted(value)}\n`);
            const strings = descendants(tree, 'verbatim_string_characters');
            return syntaxProblems(tree).length === 0 && strings.length === 1 && psVerbatimValue(strings[0]?.text ?? '') === value;
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe('pyStringLiteral', () => {
    it('is read back by Python as the exact value, including newlines, quotes, backslashes and astral characters', () => {
      const values = [...HOSTILE, 'line1\nline2\r\n\ttab', '\u0000\u007f\u0085\u2028', 'a"b\'c\\d'];
      const literals = values.map(pyStringLiteral);
      for (const l of literals) assert.match(l, /^"[\x20-\x7e]*"$/, 'pure printable ASCII, one line');
      assert.deepEqual(pythonValues(literals), values);
    });

    it('round-trips arbitrary strings (property, checked by Python)', () => {
      const samples = fc.sample(
        fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))),
        300,
      );
      assert.deepEqual(pythonValues(samples.map(pyStringLiteral)), samples);
    });

    it('refuses lone surrogates', () => {
      assert.throws(() => pyStringLiteral('a\ud800b'), /surrogate/);
    });
  });

  describe('commentText', () => {
    it('lets any printable text through and refuses anything that would start a new line', () => {
      assert.equal(commentText('#> $(x) """ \' `'), '#> $(x) """ \' `');
      for (const bad of ['a\nrm -rf /', 'a\rb', 'a\u2029b', 'a\u000bb', 'a\u000cb']) assert.throws(() => commentText(bad), /cannot be written/);
    });
  });

  describe('hostile app display name in a whole runbook', () => {
    for (const template of ['powershell-rest', 'powershell-tokenmagician'] as RunbookTemplateId[]) {
      it(`${template}: every hostile value stays inside the $AppDisplayName literal, and the program is unchanged otherwise`, async () => {
        const baseline = await parsePowerShell(renderRunbook(baseOptions({ template, appDisplayName: 'benign' })).content);
        const baseCommands = descendants(baseline, 'command').length;
        const baseSubExpressions = descendants(baseline, 'sub_expression').length;
        for (const value of HOSTILE) {
          const content = renderRunbook(baseOptions({ template, appDisplayName: value })).content;
          const tree = await parsePowerShell(content);
          assert.deepEqual(syntaxProblems(tree), [], value);
          const assignment = descendants(tree, 'assignment_expression').find((n) => n.text.startsWith('$AppDisplayName ='));
          assert.ok(assignment, 'the assignment is there');
          const literal = assignment.descendantsOfType('verbatim_string_characters');
          assert.equal(literal.length, 1);
          assert.equal(psVerbatimValue(literal[0]?.text ?? ''), value);
          assert.equal(descendants(tree, 'command').length, baseCommands, `no extra command from ${value}`);
          assert.equal(descendants(tree, 'sub_expression').length, baseSubExpressions, `no extra $(...) from ${value}`);
        }
      });
    }

    it('naive escaping would have broken out: the test can tell', async () => {
      const value = "x'; Remove-Item important.txt; '";
      const naive = await parsePowerShell(`$AppDisplayName = '${value}'\n`);
      assert.ok(
        descendants(naive, 'command').some((c) => c.text.startsWith('Remove-Item')),
        'naive quoting runs the command',
      );
      const safe = await parsePowerShell(`$AppDisplayName = ${psSingleQuoted(value)}\n`);
      assert.equal(descendants(safe, 'command').length, 0);
    });

    it('python: the APP_DISPLAY_NAME literal evaluates to the value, and the module has the same statements as with a benign name', () => {
      const inspect = [
        'import ast, json, sys',
        'tree = ast.parse(sys.stdin.read(), feature_version=(3, 10))',
        'value = [ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "APP_DISPLAY_NAME"]',
        'shape = [type(n).__name__ + ":" + (n.targets[0].id if isinstance(n, ast.Assign) else getattr(n, "name", "")) for n in tree.body]',
        'calls = sum(isinstance(n, ast.Call) for n in ast.walk(tree))',
        'print(json.dumps({"value": value, "shape": shape, "calls": calls}))',
      ].join('\n');
      const baseline = JSON.parse(python(inspect, renderRunbook(baseOptions({ template: 'python', appDisplayName: 'benign' })).content));
      for (const value of HOSTILE) {
        const got = JSON.parse(python(inspect, renderRunbook(baseOptions({ template: 'python', appDisplayName: value })).content));
        assert.deepEqual(got.value, [value]);
        assert.deepEqual(got.shape, baseline.shape);
        assert.equal(got.calls, baseline.calls, `no extra call from ${value}`);
      }
    });

    it('refuses a display name or provenance note with a line break, for every template', () => {
      for (const template of ['powershell-rest', 'powershell-tokenmagician', 'python'] as RunbookTemplateId[]) {
        assert.throws(
          () => renderRunbook(baseOptions({ template, appDisplayName: 'ok\nWrite-Output pwned' })),
          (e: unknown) => e instanceof RunbookOptionsError && /appDisplayName contains the control character U\+000A/.test(e.message),
        );
        assert.throws(
          () => renderRunbook(baseOptions({ template, provenance: { app: 'x\r\nimport os' } })),
          /provenance\.app contains the control character U\+000D/,
        );
      }
    });
  });
});
