import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "data/**", ".bench/**", ".scratch/**", "test-artifacts/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setImmediate: "readonly", setInterval: "readonly", clearInterval: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The import fence: domain/ is pure. No adapters, no SDKs, no I/O.
    files: ["src/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: ["**/intake/**", "**/providers/**", "**/builders/**", "**/store/**", "**/web/**", "**/pipeline/**", "**/config/**"], message: "domain/ must not depend on adapters" },
          { group: ["@aws-sdk/*", "@octokit/*", "express", "kysely", "better-sqlite3", "pg", "pino", "node:fs", "node:http", "node:net", "node:child_process", "fs", "http"], message: "domain/ is pure: no SDKs or I/O" },
        ],
      }],
    },
  },
);
