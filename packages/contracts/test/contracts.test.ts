import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, isObjectType } from 'graphql';
import { APPSYNC_BUILTINS_FILE, CONTRACTS_DIR, generateContracts } from '../src/generate';

const committed = (file: string) => readFileSync(join(CONTRACTS_DIR, file), 'utf8');

describe('contracts', () => {
  it('are fresh: schema.graphql and src/generated.ts match what codegen makes now (run `pnpm codegen` if not)', async () => {
    const generated = await generateContracts();
    expect(committed('schema.graphql')).toBe(generated.schema);
    expect(committed('src/generated.ts')).toBe(generated.types);
  });

  it('deploy a schema that is valid with the AppSync built-ins and declares none of them itself', () => {
    const deployed = committed('schema.graphql');
    expect(deployed).not.toMatch(/scalar AWS|directive @aws_/);
    const schema = buildSchema(readFileSync(APPSYNC_BUILTINS_FILE, 'utf8') + deployed);
    expect(Object.keys(schema.getMutationType()?.getFields() ?? {})).toEqual(
      expect.arrayContaining(['createReservation', 'cancelReservation', 'reservationSaved']),
    );
  });

  it('keep internal notification mutations IAM-only', () => {
    const schema = buildSchema(readFileSync(APPSYNC_BUILTINS_FILE, 'utf8') + committed('schema.graphql'));
    const mutation = schema.getMutationType();
    const directives = (field: string) => mutation?.getFields()[field]?.astNode?.directives?.map((d) => d.name.value);
    expect(directives('reservationSaved')).toEqual(['aws_iam']);
    expect(directives('createReservation')).toEqual(['aws_iam', 'aws_api_key']);
  });

  it('let API-key clients read every object type an operation returns', () => {
    const schema = buildSchema(readFileSync(APPSYNC_BUILTINS_FILE, 'utf8') + committed('schema.graphql'));
    const reachable = ['CommandAccepted', 'Reservation', 'ReservationNotification', 'NotificationError'];
    for (const name of reachable) {
      const type = schema.getType(name);
      expect(isObjectType(type) && type.astNode?.directives?.map((d) => d.name.value)).toEqual([
        'aws_iam',
        'aws_api_key',
      ]);
    }
  });
});
