// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The lint rules that catch what the type checker does not: promises nobody awaits (a floating activity call in a
// workflow, a rejected promise in an Express handler), and imports that would make workflow code
// nondeterministic or drag Node into the workflow sandbox. `npm run lint`; .ci/run runs it with the tests.

/** What workflow code must never import: Node built-ins, the database, the provider SDKs and our adapters. */
const forbiddenInWorkflows = [
  { group: ['node:*'], message: 'Workflow code runs in a deterministic sandbox: no Node built-ins.' },
  { group: ['@prisma/*', 'pg', '**/db/*', '**/generated/**'], message: 'Workflows reach the database only through activities.' },
  {
    group: ['@circle-fin/*', '@alpacahq/*', 'openai', '**/providers/*/**', '**/providers/index.js', '**/providers/recorded.js'],
    message: 'Workflows reach providers only through activities.',
  },
  { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Workflows import @temporalio/workflow only.' },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'src/generated/', 'client/src/schema.d.ts', '.tools/', '.data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Express 5 forwards a rejected handler promise to the error handler, so handlers may be async; everything
      // else that returns a promise into a callback expecting void loses its rejection.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      // A variable a closure reads before its one assignment (the sandbox wires two simulators to each other).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `declare global { namespace Express … }` is how Express's request type is extended.
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
    },
  },
  {
    // Tests and tools read JSON answers whose shape the assertion itself checks.
    files: ['test/**/*.ts', 'chaos/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: forbiddenInWorkflows }] },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
