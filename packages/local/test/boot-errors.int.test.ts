/**
 * `bootLocalCore` refusing assemblies it cannot serve: each failure has its `LocalCoreError` code and
 * a message that says what to change, and a refused boot leaves nothing listening. The assemblies are
 * written to a temporary folder: a manifest and one template each.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootLocalCore } from '../src';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A cloud assembly with one stack `App` whose template has these resources. */
function assemblyWith(resources: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'boot-errors-'));
  folders.push(dir);
  const stack = {
    type: 'aws:cloudformation:stack',
    environment: 'aws://unknown-account/unknown-region',
    properties: { templateFile: 'App.template.json' },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts: { App: stack } }));
  writeFileSync(join(dir, 'App.template.json'), JSON.stringify({ Resources: resources }));
  return dir;
}

async function bootError(assemblyDir: string, port = 0): Promise<unknown> {
  return bootLocalCore({ assemblyDir, port, log: () => undefined }).then(
    async (core) => {
      await core.stop();
      return 'booted';
    },
    (error: unknown) => error,
  );
}

const bus = { Type: 'AWS::Events::EventBus', Properties: { Name: 'app' } };

describe('bootLocalCore refuses, saying what to change', () => {
  it('an assembly without a stack: run the synth first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boot-errors-'));
    folders.push(dir);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts: {} }));

    expect(await bootError(dir)).toMatchObject({
      name: 'LocalCoreError',
      code: 'NO_STACK',
      message: expect.stringContaining('run the synth first'),
    });
  });

  it('a port in use: set another one, and nothing it started stays up', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const listening = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
    const before = listening();
    try {
      expect(await bootError(assemblyWith({ Bus: bus }), port)).toMatchObject({
        code: 'PORT_IN_USE',
        message: `port ${port} is in use: set PORT to another one`,
      });
      // DynamoDB (dynalite) started before the port was tried; the refused boot closed it (handles
      // go away a few ticks after close; one an earlier test closed may go too).
      for (let i = 0; i < 50 && listening() > before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(listening()).toBeLessThanOrEqual(before);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('a function whose role is not in its template', async () => {
    const fn = {
      Type: 'AWS::Lambda::Function',
      Properties: { Handler: 'index.handler', Runtime: 'nodejs24.x', Role: 'arn:aws:iam::000000000000:role/elsewhere' },
      Metadata: { 'aws:cdk:path': 'App/Orders/Resource' },
    };

    expect(await bootError(assemblyWith({ Fn: fn }))).toMatchObject({
      code: 'FUNCTION_WITHOUT_ROLE',
      message: 'function Orders has no role of this template; cannot give it credentials',
    });
  });

  it('a rule whose EventPattern is text that is not JSON', async () => {
    const rule = {
      Type: 'AWS::Events::Rule',
      Properties: { EventBusName: { Ref: 'Bus' }, EventPattern: '{"source": [', State: 'ENABLED' },
    };

    expect(await bootError(assemblyWith({ Bus: bus, Rule: rule }))).toMatchObject({
      code: 'EVENT_PATTERN_NOT_JSON',
      message: expect.stringMatching(/^rule Rule: EventPattern is a string that is not JSON/),
    });
  });

  it('an API whose schema is not inline', async () => {
    const api = { Type: 'AWS::AppSync::GraphQLApi', Properties: { Name: 'api', AuthenticationType: 'API_KEY' } };

    expect(await bootError(assemblyWith({ Api: api }))).toMatchObject({
      code: 'SCHEMA_NOT_INLINE',
      message: expect.stringContaining('DefinitionS3Location is not read locally'),
    });
  });
});
