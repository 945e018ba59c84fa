// Writes the merged schema (schema.graphql, deployed by apps/core) and the generated types (src/generated.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACTS_DIR, generateContracts } from '../src/generate';

generateContracts().then(
  ({ schema, types }) => {
    writeFileSync(join(CONTRACTS_DIR, 'schema.graphql'), schema);
    writeFileSync(join(CONTRACTS_DIR, 'src/generated.ts'), types);
    console.log('wrote schema.graphql and src/generated.ts');
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
