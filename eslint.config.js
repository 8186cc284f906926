// One flat config for every package. Type-aware rules use each package's tsconfig.json.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "**/.turbo/**",
      "**/.rendered/**",
      "**/coverage/**",
      "bench/results/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "no-console": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // One type-import style: types come in their own `import type { ... }` line, never inline `{ a, type B }`.
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { prefer: "type-imports", fixStyle: "separate-type-imports" },
      ],
    },
  },
  {
    // Inline `type` specifiers are the second style; the packages below use the first one only. (infra/, bootstrap/
    // and tests/delivery can join by adding their globs here.)
    files: [
      "apps/**",
      "packages/**",
      "tests/e2e/**",
      "tests/reliability/**",
      "tests/load/**",
      "tests/cluster/**",
      "bench/**",
    ],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportDeclaration[importKind='value'] > ImportSpecifier[importKind='type']",
          message: "Import types in a separate `import type { ... }` declaration (one type-import style).",
        },
      ],
    },
  },
  {
    // The style guide: each service's src/env.ts is the only service code that reads the environment, and shared
    // never does (it takes explicit options). Tests, devkit, bench and scripts are tooling and may.
    files: ["apps/*/src/**", "packages/shared/src/**"],
    ignores: ["apps/*/src/env.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "Read configuration in the service's src/env.ts and pass it in (STYLE: env.ts only).",
        },
      ],
    },
  },
  {
    // Tests and scripts talk to the terminal and poke at loosely typed JSON responses.
    files: ["**/test/**", "**/*.test.ts", "scripts/**", "bench/**", "**/vitest.config.ts"],
    rules: {
      "no-console": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
    },
  },
  prettier,
);
