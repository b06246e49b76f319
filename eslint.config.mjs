// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering, enforced rather than documented (README, "Layout"):
// - src/ is the extension: it never imports the emulator (sandbox/), the sandbox sign-in provider,
//   the test host (tools/) or tests;
// - the plain-Node layers of src/ never see `vscode`, and the pure core does no I/O either;
// - the emulator (sandbox/) is a product of its own: it never imports the extension (src/).
const vscodeBanned = { name: 'vscode', message: 'This layer is plain Node: pass what it needs in from the caller.' };
const notFromSrc = [
  { group: ['**/test/**', '**/test'], message: 'src/ must not import test code.' },
  { group: ['**/sandbox/**', '**/sandbox'], message: 'src/ must not import the emulator: it reaches it through a cloud setting, like Azure.' },
  { group: ['**/sandbox-sign-in/**', '**/sandbox-sign-in'], message: 'src/ must not import the sandbox sign-in provider.' },
  { group: ['**/tools/**'], message: 'src/ must not import the test host or other tools.' },
];
const noIo = { group: ['node:*', 'fs', 'path', 'http', 'https', 'child_process'], message: 'The pure core does no I/O.' };

/** Modules of src/ that run in plain Node (unit-tested without VS Code). */
const plainNode = [
  'src/domain/**',
  'src/runbooks/**',
  'src/graph/**',
  'src/arm/**',
  'src/http/**',
  'src/services/**',
  'src/util/cancellation.ts',
  'src/util/lifecycle.ts',
  'src/wizard/wizard.ts',
  'src/wizard/userInput.ts',
  'src/wizard/noPromptUserInput.ts',
  'src/commands/arguments.ts',
  'src/commands/runbooks/args.ts',
  'src/commands/runbooks/atomicWrite.ts',
  'src/commands/runbooks/deployer.ts',
  'src/commands/runbooks/paths.ts',
  'src/commands/runbooks/runbookFile.ts',
  'src/commands/runbooks/scaffoldSteps.ts',
];
const pureCore = ['src/domain/**', 'src/runbooks/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**'],
    ignores: [...plainNode],
    rules: { 'no-restricted-imports': ['error', { patterns: notFromSrc }] },
  },
  {
    files: plainNode,
    ignores: pureCore,
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeBanned], patterns: notFromSrc }] },
  },
  {
    files: pureCore,
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeBanned], patterns: [...notFromSrc, noIo] }] },
  },
  {
    files: ['sandbox/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [vscodeBanned],
          patterns: [
            { group: ['**/src/**', '**/src'], message: 'The emulator is built to the Azure documentation, not to the extension: it never imports src/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/unit/**', 'tools/test-host/test/secretScan.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeBanned] }] },
  },
);
