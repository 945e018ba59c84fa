/** Checks of the monorepo's wiring that the team relies on: stale contracts and `nx affected`. */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACTS_DIR, generateContracts } from '@core/contracts/generate';

const root = join(__dirname, '..', '..', '..');
const nx = (...args: string[]) =>
  JSON.parse(
    execFileSync(join(root, 'node_modules', '.bin', 'nx'), [...args, '--json'], { cwd: root, encoding: 'utf8' }),
  ) as string[];

describe('workspace', () => {
  it("deploys fresh contracts: the committed merged schema matches the aggregates' fragments (run `pnpm codegen` if not)", async () => {
    const generated = await generateContracts();
    expect(readFileSync(join(CONTRACTS_DIR, 'schema.graphql'), 'utf8')).toBe(generated.schema);
    expect(readFileSync(join(CONTRACTS_DIR, 'src', 'generated.ts'), 'utf8')).toBe(generated.types);
  });

  it('affects only the reservation package and core after a change inside packages/reservation', () => {
    const files = '--files=packages/reservation/src/domain/reservation.ts';
    expect(nx('show', 'projects', '--affected', files).sort()).toEqual(['core', 'reservation']);
    expect(nx('show', 'projects', '--affected', '--withTarget=deploy', files)).toEqual(['core']);
  });

  it('affects everything that builds on the runtime after a change inside packages/runtime', () => {
    expect(nx('show', 'projects', '--affected', '--files=packages/runtime/src/decider.ts').sort()).toEqual([
      'core',
      'local',
      'reservation',
      'runtime',
    ]);
  });
});
