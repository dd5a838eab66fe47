// ESLint flat config: typescript-eslint's recommended rules (syntax only, NOT type-aware, so the
// lint takes seconds) and React's rules of hooks for the Ink console. Formatting is Prettier's job
// (.prettierrc.json); `npm run lint` runs both, and `npm test` runs `npm run lint` first.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'db/**',
      'exports/**',
      'logs/**',
      'project_state/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused names are errors, except `_`-prefixed ones kept on purpose (a skipped slot, a
      // parameter an implementation ignores).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Off: a terminal console strips and matches ANSI escapes (\x1b[...m) on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // The console's hooks: the classic rules of hooks. The React Compiler rules of
    // eslint-plugin-react-hooks 6+ (refs, purity, set-state-in-effect ...) are left out: they run
    // the compiler over every file (half the lint's time) and this code is not built with it.
    files: ['source/ui/**/*.{ts,tsx}', '**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    files: ['test/**/*.{ts,tsx}'],
    rules: {
      // Off in tests: they match column-aligned output, where literal spaces show the layout.
      'no-regex-spaces': 'off',
    },
  },
);
