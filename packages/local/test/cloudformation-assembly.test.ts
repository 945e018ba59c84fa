// The fixture under fixtures/cloud-assembly is the output of `cdk synth` (aws-cdk-lib 2.276) for a small app
// with a table, a NodejsFunction, a bus and rule, an SQS queue, an AppSync API, a state machine, and a
// second stack in a Stage. Files the loader does not read (tree.json, metadata) were removed, and the
// esbuild bundle was replaced by a readable hand-written handler.
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  createStackContext,
  functionAssetPath,
  loadCloudAssembly,
  type AssemblyStack,
  type CloudAssembly,
  type TemplateResource,
} from '../src/cloudformation';

const FIXTURE = join(__dirname, 'fixtures/cloud-assembly');
const HASH = '2d2188de9bfe24ef89906d8f158fc514dc2f1580007c97bcdd5534aecc9f532e';
const tmpDirs: string[] = [];

/** The fixture's two stacks: [Core, prod-edge]. */
function byName(assembly: CloudAssembly): [AssemblyStack | undefined, AssemblyStack | undefined] {
  return [
    assembly.stacks.find((s) => s.stackName === 'Core'),
    assembly.stacks.find((s) => s.stackName === 'prod-edge'),
  ];
}

afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

describe('loadCloudAssembly', () => {
  const assembly = loadCloudAssembly(FIXTURE);

  it('finds the stacks of the root assembly and of nested stage assemblies', () => {
    // Manifest order: the CDK lists the stage's nested assembly before the root stack here.
    expect(assembly.stacks.map((s) => [s.artifactId, s.stackName, s.displayName])).toEqual([
      ['ProdEdge216B1454', 'prod-edge', 'Prod/Edge'],
      ['Core', 'Core', 'Core'],
    ]);
    const [core, edge] = byName(assembly);
    expect(core!.templatePath).toBe(join(FIXTURE, 'Core.template.json'));
    expect(core!.assemblyDir).toBe(FIXTURE);
    expect(edge!.assemblyDir).toBe(join(FIXTURE, 'assembly-Prod'));
    expect(core!.template.Resources?.['EventsD32975C2']?.Type).toBe('AWS::DynamoDB::Table');
    expect(core!.environment).toEqual({});
    expect(core!.dependencies).toEqual([]);
  });

  it('finds asset folders by hash, by S3 object key and by asset path, nested assemblies included', () => {
    const [core, edge] = byName(assembly);
    const folder = join(FIXTURE, `asset.${HASH}`);
    expect(core!.assetDir(HASH)).toBe(folder);
    expect(core!.assetDir(`${HASH}.zip`)).toBe(folder);
    expect(core!.assetDir(`asset.${HASH}`)).toBe(folder);
    expect(edge!.assetDir(HASH)).toBe(folder);
    expect(() => core!.assetDir('0000')).toThrow(expect.objectContaining({ code: 'ASSET_NOT_FOUND' }));
  });

  it('says when there is no manifest', () => {
    expect(() => loadCloudAssembly(join(FIXTURE, 'nope'))).toThrow(
      expect.objectContaining({ name: 'CloudAssemblyError', code: 'MANIFEST_NOT_FOUND' }),
    );
  });

  it('says when a template is missing or malformed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assembly-'));
    tmpDirs.push(dir);
    cpSync(FIXTURE, dir, { recursive: true });
    writeFileSync(join(dir, 'Core.template.json'), '{"Resources": {"X": {"Properties": {}}}}');
    expect(() => loadCloudAssembly(dir)).toThrow(
      expect.objectContaining({ code: 'INVALID_ASSEMBLY', message: expect.stringContaining('resource X has no Type') }),
    );
    rmSync(join(dir, 'Core.template.json'));
    expect(() => loadCloudAssembly(dir)).toThrow(expect.objectContaining({ code: 'TEMPLATE_NOT_FOUND' }));
  });
});

describe('functionAssetPath', () => {
  const [core, edge] = byName(loadCloudAssembly(FIXTURE));
  const handler = core!.template.Resources!['Handler886CB40B']!;

  it("uses the function's aws:asset:path metadata", () => {
    const dir = functionAssetPath(core!.assemblyDir, handler, 'Handler886CB40B');
    expect(dir).toBe(join(FIXTURE, `asset.${HASH}`));
    expect(existsSync(join(dir, 'index.js'))).toBe(true);
  });

  it('resolves ../asset.<hash> paths of nested assemblies', () => {
    const edgeFn = Object.values(edge!.template.Resources!).find((r) => r.Type === 'AWS::Lambda::Function')!;
    expect(functionAssetPath(edge!.assemblyDir, edgeFn)).toBe(join(FIXTURE, `asset.${HASH}`));
  });

  it('falls back to Code.S3Key when the metadata is absent', () => {
    const withoutMetadata: TemplateResource = { Type: handler.Type, Properties: handler.Properties! };
    expect(functionAssetPath(core!.assemblyDir, withoutMetadata)).toBe(join(FIXTURE, `asset.${HASH}`));
  });

  it('refuses inline code and unknown S3 objects', () => {
    const inline: TemplateResource = {
      Type: 'AWS::Lambda::Function',
      Properties: { Code: { ZipFile: 'exports.handler = 1' } },
    };
    expect(() => functionAssetPath(FIXTURE, inline, 'Inline')).toThrow(
      expect.objectContaining({
        code: 'FUNCTION_CODE_NOT_LOCAL',
        message: expect.stringContaining('Inline has inline ZipFile code'),
      }),
    );
    const foreign: TemplateResource = {
      Type: 'AWS::Lambda::Function',
      Properties: { Code: { S3Bucket: 'b', S3Key: 'other.zip' } },
    };
    expect(() => functionAssetPath(FIXTURE, foreign)).toThrow(
      expect.objectContaining({ code: 'FUNCTION_CODE_NOT_LOCAL' }),
    );
  });
});

describe('a synthesized stack through a stack context', () => {
  it('resolves the NodejsFunction environment and the outputs', () => {
    const [core] = byName(loadCloudAssembly(FIXTURE));
    const stack = createStackContext({
      template: core!.template,
      stackName: core!.stackName,
      region: 'eu-west-1',
      accountId: '000000000000',
      endpoints: { appSync: 'http://127.0.0.1:4000' },
    });
    const props = stack.resolveProperties('Handler886CB40B');
    const tableName = stack.ref('EventsD32975C2');
    expect(tableName).toMatch(/^Core-EventsD32975C2-[A-Z0-9]{8}$/);
    expect(props['Environment']).toEqual({
      Variables: {
        TABLE_NAME: tableName,
        BUS: 'core-bus',
        TABLE_ARN: `arn:aws:dynamodb:eu-west-1:000000000000:table/${tableName}`,
      },
    });
    expect(props['Code']).toEqual({ S3Bucket: 'cdk-hnb659fds-assets-000000000000-eu-west-1', S3Key: `${HASH}.zip` });
    expect(stack.resolve(core!.template.Outputs?.['Url'])).toEqual({ Value: 'http://127.0.0.1:4000/graphql' });
    expect(stack.resolve({ Ref: 'OnCreated021FF202' })).toMatch(/^core-bus\|Core-OnCreated021FF202-[A-Z0-9]{12}$/);
    const definition = String(stack.resolveProperties('FlowA74D6E88')['DefinitionString']);
    expect(JSON.parse(definition).States.Call.Parameters.FunctionName).toBe(
      stack.resolve({ 'Fn::GetAtt': ['Handler886CB40B', 'Arn'] }),
    );
    for (const logicalId of stack.resourcesOfType('AWS::AppSync::ApiKey')) {
      expect(stack.resolve({ 'Fn::GetAtt': [logicalId, 'ApiKey'] })).toMatch(/^da2-/);
    }
  });
});
