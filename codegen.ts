import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * `npm run codegen`: typed documents for the tests, from the committed schema.graphql and the
 * graphql(`...`) calls in test/. Run it after changing the schema or a test's operations.
 */
const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["test/**/*.ts", "!test/generated/**"],
  ignoreNoDocuments: true,
  generates: {
    "test/generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: {
          DateTime: "string",
          Date: "string",
          JSONObject: "Record<string, unknown>",
          _Any: "unknown",
          FieldSet: "string",
        },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
