// Lint and format, one configuration: typescript-eslint's recommended rules for correctness, and the house
// style as it is written (double quotes, semicolons, two-space indents, long lines allowed) kept by
// @stylistic's rules, which `npm run lint -- --fix` applies. `npm test` runs `npm run lint` first.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import stylistic from "@stylistic/eslint-plugin";

export default tseslint.config(
  { ignores: ["dist/**", "build/**", "node_modules/**", "assembly/**", "src/panel/script.generated.ts", "src/**/*.generated.ts", "test-output/**", "bench/peer/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.js", "**/*.mjs", "**/*.cjs"],
    plugins: { "@stylistic": stylistic },
    rules: {
      "@stylistic/quotes": ["error", "double", { avoidEscape: true, allowTemplateLiterals: "always" }],
      "@stylistic/semi": ["error", "always"],
      // statements and blocks by two spaces; a list broken over lines (parameters, arguments, elements) either
      // aligns with its first item or indents, as reads best, so those are not checked
      "@stylistic/indent": ["error", 2, {
        SwitchCase: 1, FunctionDeclaration: { parameters: "off" }, FunctionExpression: { parameters: "off" }, CallExpression: { arguments: "off" },
        ArrayExpression: "off", ObjectExpression: "off", ignoredNodes: ["ConditionalExpression *", "TemplateLiteral *", "TSMethodSignature *", "TSFunctionType *", "TSDeclareFunction *"],
        offsetTernaryExpressions: true, flatTernaryExpressions: true,
      }],
      "@stylistic/no-trailing-spaces": "error",
      "@stylistic/eol-last": "error",
      "@stylistic/no-multiple-empty-lines": ["error", { max: 1, maxBOF: 0, maxEOF: 0 }],
      "@stylistic/comma-dangle": ["error", "always-multiline"],
      "@stylistic/brace-style": ["error", "1tbs", { allowSingleLine: true }],
      "@stylistic/keyword-spacing": "error",
      "@stylistic/space-infix-ops": "error",
      "@stylistic/comma-spacing": "error",
      "@stylistic/arrow-parens": ["error", "always"],
      "@stylistic/max-len": ["error", { code: 280, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true }],
      // `_` names a value deliberately left out (a destructured slot, a rest's siblings)
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    // chai's property assertions (`expect(x).to.be.true`) are expressions by design
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unused-expressions": "off" },
  },
  {
    files: ["**/*.mjs", "**/*.cjs"],
    languageOptions: { globals: { URL: "readonly", process: "readonly", console: "readonly", module: "writable", require: "readonly", __dirname: "readonly" } },
  },
);
