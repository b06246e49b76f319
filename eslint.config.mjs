// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering, enforced rather than documented: the pure core and the HTTP clients never see `vscode`,
// and nothing in src/ reaches into test/.
const noVscode = {
  paths: [{ name: 'vscode', message: 'This layer is plain Node: pass what it needs in from the caller.' }],
  patterns: [{ group: ['**/test/**'], message: 'src/ must not import test code.' }],
};

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
    files: ['src/domain/**', 'src/runbooks/**', 'src/graph/**', 'src/arm/**', 'src/services/**', 'test/sandbox/**', 'test/unit/**'],
    rules: { 'no-restricted-imports': ['error', noVscode] },
  },
  {
    files: ['src/domain/**', 'src/runbooks/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: noVscode.paths,
        patterns: [...noVscode.patterns, { group: ['node:*', 'fs', 'path', 'http', 'https', 'child_process'], message: 'The pure core does no I/O.' }],
      }],
    },
  },
  {
    files: ['src/**'],
    ignores: ['src/domain/**', 'src/runbooks/**', 'src/graph/**', 'src/arm/**', 'src/services/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: noVscode.patterns }] },
  },
);
