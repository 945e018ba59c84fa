/** Checks of the monorepo's wiring that the team relies on: stale contracts and `nx affected`, for every aggregate present. */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AGGREGATE_FRAGMENTS, CONTRACTS_DIR, generateContracts } from '@core/contracts/generate';
import { aggregatePackages, WORKSPACE_ROOT } from './support/aggregates';

const nx = (...args: string[]) =>
  JSON.parse(
    execFileSync(join(WORKSPACE_ROOT, 'node_modules', '.bin', 'nx'), [...args, '--json'], {
      cwd: WORKSPACE_ROOT,
      encoding: 'utf8',
    }),
  ) as string[];
const affectedBy = (file: string) => nx('show', 'projects', '--affected', `--files=${file}`).sort();
/** The Nx project name of a workspace folder (`packages/reservation` → `reservation`). */
const projectOf = (folder: string) =>
  (JSON.parse(readFileSync(join(WORKSPACE_ROOT, folder, 'package.json'), 'utf8')) as { nx: { name: string } }).nx.name;

const CORE = projectOf('apps/core');
const AGGREGATES = aggregatePackages();

describe('workspace', () => {
  it("deploys fresh contracts: the committed merged schema matches the aggregates' fragments (run `pnpm codegen` if not)", async () => {
    const generated = await generateContracts();
    expect(readFileSync(join(CONTRACTS_DIR, 'schema.graphql'), 'utf8')).toBe(generated.schema);
    expect(readFileSync(join(CONTRACTS_DIR, 'src', 'generated.ts'), 'utf8')).toBe(generated.types);
  });

  it("merges every aggregate package's fragment into the contracts, and no other", () => {
    const merged = AGGREGATE_FRAGMENTS.map((fragment) => resolve(CONTRACTS_DIR, fragment)).sort();
    expect(merged).toEqual(AGGREGATES.map((dir) => join(WORKSPACE_ROOT, 'packages', dir, 'schema.graphql')));
  });

  it.each(AGGREGATES)('affects only the aggregate %s and core after a change inside its package', (dir) => {
    const file = `packages/${dir}/src/index.ts`;
    expect(affectedBy(file)).toEqual([projectOf(`packages/${dir}`), CORE].sort());
    expect(nx('show', 'projects', '--affected', '--withTarget=deploy', `--files=${file}`)).toEqual([CORE]);
  });

  it.each([
    ['runtime', 'packages/runtime/src/decider.ts'],
    ['infra', 'packages/infra/src/index.ts'],
  ])('affects %s, every aggregate and core, but not the contracts, after a change inside it', (project, file) => {
    const affected = affectedBy(file);
    expect(affected).toEqual(
      expect.arrayContaining([project, CORE, ...AGGREGATES.map((dir) => projectOf(`packages/${dir}`))]),
    );
    expect(affected).not.toContain(projectOf('packages/contracts'));
  });
});
