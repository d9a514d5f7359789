// Lint for the whole tree (`npm run lint`, run by .ci/run): typescript-eslint's recommended rules and the
// workspace boundaries. A workspace is used only through its package entry points (package.json "exports"):
// no relative path into another workspace, no `@sem/<pkg>/src/...`, and no import cycles.
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'grafana/dashboards/**', 'deploy/secrets/**'] },
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver()],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-relative-packages': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@sem/*/src', '@sem/*/src/**', '@sem/*/test/**'], message: 'Import a workspace through its package entry points, not its files.' }] },
      ],
      // Kysely<any> and the JSON bodies are typed at their edges; `any` stays a reviewed choice.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
);
