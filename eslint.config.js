import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'tests/bench/.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        NodeJS: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // The engine runs in plain Node (DESIGN.md §2); the renderer reaches the main process only through shared/.
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'only electron/app may import electron' }] },
      ],
    },
  },
  {
    files: ['electron/app/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
