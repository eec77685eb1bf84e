// ESLint (flat config): typescript-eslint's recommended type-checked rules and no explicit `any`,
// over every TypeScript source of the project. Generated code (imports/) and build output are not
// linted. Run by `npm test`; `npm run lint` alone.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/', 'dist/', 'imports/', 'node_modules/', 'cdk8s.out/', 'coverage/', 'bench/cdk8s-default/', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // `const { omitted, ...rest } = o` is how a field is left out of a copy.
      // An argument named `_x` is unused on purpose (as TypeScript's noUnusedParameters reads it).
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
    },
  },
  // Small rooms: a source file past 600 lines or a function past 60 is split along its
  // responsibilities (tests and benchmarks excepted: a table of cases is long by nature).
  {
    files: ['src/**/*.ts', 'charts/**/*.ts', 'bin/**/*.ts', 'scripts/**/*.js'],
    rules: {
      'max-lines': ['error', { max: 600, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  // Plain JavaScript (the command launcher, which runs before anything is built): the recommended
  // rules without type information.
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, sourceType: 'commonjs', globals: globals.node },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
);
