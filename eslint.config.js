import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

// The architecture's "never" rules (docs/architecture.md, "Allowed arrows"): each zone forbids
// `target` to import from `from`. Composition (main.ts, compose/, app.ts, cli.ts, cli/) may import anything.
const ALL = ["config", "domain", "store", "intake", "providers", "builders", "pipeline", "metrics", "web", "logs", "cli"];
const except = (...allowed) => ALL.filter((d) => !allowed.includes(d)).map((d) => `./src/${d}`);
const COMPOSITION = ["./src/main.ts", "./src/compose", "./src/app.ts", "./src/cli.ts"];
const fence = (layer, message, ...allowed) => ({ target: `./src/${layer}`, from: [...except(layer, ...allowed), ...COMPOSITION], message });

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
    files: ["src/**/*.ts"],
    plugins: { "import-x": importX },
    settings: { "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })] },
    rules: {
      "import-x/no-restricted-paths": ["error", {
        zones: [
          fence("domain", "domain/ is the pure core: it imports nothing else of buildgate"),
          fence("config", "config/ parses the file into domain types only", "domain"),
          fence("store", "store/ knows the domain and nothing that uses it (no web, pipeline, adapters)", "domain", "config"),
          fence("intake", "intake/ stores deliveries: it never imports the pipeline, builders or the board", "domain", "config", "store", "providers"),
          fence("providers", "providers/ are source-host adapters: no web, no intake, no builders", "domain", "config", "store", "pipeline"),
          fence("builders", "builders/ are builder adapters: domain and config only", "domain", "config"),
          fence("pipeline", "pipeline/ asks ports (SourceHost, Builder): it never imports an adapter, intake or web", "domain", "config", "store"),
          fence("metrics", "metrics/ is the registry: it never imports web", "domain", "config", "store", "pipeline", "intake"),
          fence("web", "web/ does not reach into the pipeline, builders, intake or providers", "domain", "config", "store", "metrics"),
          fence("logs", "logs/ reads build logs through LogSource ports: it never imports a builder, web or the pipeline", "domain", "config", "store"),
        ],
      }],
    },
  },
  {
    // domain/ is pure: no SDKs, no I/O.
    files: ["src/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: ["@aws-sdk/*", "@octokit/*", "express", "kysely", "better-sqlite3", "pg", "pino", "node:fs", "node:http", "node:net", "node:child_process", "fs", "http"], message: "domain/ is pure: no SDKs or I/O" },
        ],
      }],
    },
  },
);
