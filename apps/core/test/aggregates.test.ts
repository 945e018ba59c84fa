/**
 * Guards over the synthesized app (apps/core/cdk.out, written by `nx run core:synth`), for both of its
 * stacks (production and the development stage): every aggregate present, derived from the
 * workspace and the template, is wired to itself only, its functions may do what they call and
 * nothing else, only its command handler may put its source on the bus, and its event store is
 * append-only and protected. A copied aggregate that keeps a name of the one it was copied from
 * fails here with the name to change. Each guard collects what is wrong as sentences and expects none.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  aggregatePackages,
  aggregatesIn,
  constructIdOf,
  grantsMutation,
  iamOnlyMutations,
  ownerOf,
  resolvedFields,
  type Aggregate,
} from './support/aggregates';
import {
  conditionText,
  grantsOf,
  idOf,
  pathOf,
  readStackResources,
  referencedIds,
  renderValue,
  roleOfFunction,
  statementsOfRole,
  type Resources,
  type Statement,
} from './support/template';

const assemblyDir = join(__dirname, '..', 'cdk.out');
let resources: Resources;
let aggregates: Aggregate[];
let stackName: string;

/** The app's stacks: what deploys, and the development stage (which the local core boots). */
const STACKS = [
  ['Core', 'production'],
  ['CoreDev', 'development'],
] as const;

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const environmentOf = (functionId: string): Record<string, unknown> =>
  resources[functionId]?.Properties.Environment?.Variables ?? {};
const eventSourceOf = (aggregate: Aggregate) =>
  String(environmentOf(aggregate.functions.CommandHandler ?? '').EVENT_SOURCE);
const HANDLERS = ['CommandHandler', 'EventHandler', 'QueryHandler'] as const;

describe.each(STACKS)('the stack %s (%s)', (name, stage) => {
  beforeAll(() => {
    stackName = name;
    resources = readStackResources(assemblyDir, name);
    aggregates = aggregatesIn(resources);
  });

  describe('the aggregates of the synthesized app', () => {
    it('are one construct per aggregate package, named after its folder', () => {
      const packages = aggregatePackages();
      expect(packages.length).toBeGreaterThan(0);
      expect(aggregates.map((a) => a.id)).toEqual(packages.map(constructIdOf).sort());
    });

    it('hold every function of the app, each aggregate a command, an event and a query handler on Node.js 24, arm64', () => {
      const problems: string[] = [];
      for (const aggregate of aggregates) {
        for (const handler of HANDLERS) {
          if (aggregate.functions[handler] === undefined) problems.push(`${aggregate.id} has no ${handler}`);
        }
      }
      for (const [id, fn] of ofType('AWS::Lambda::Function')) {
        if (ownerOf(aggregates, id) === undefined) problems.push(`${pathOf(fn)} belongs to no aggregate`);
        if (fn.Properties.Runtime !== 'nodejs24.x' || fn.Properties.Architectures?.[0] !== 'arm64') {
          problems.push(`${pathOf(fn)} runs ${fn.Properties.Runtime} on ${fn.Properties.Architectures}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('publish each under an event source of its own', () => {
      const bySource = new Map<string, string[]>();
      for (const a of aggregates) bySource.set(eventSourceOf(a), [...(bySource.get(eventSourceOf(a)) ?? []), a.id]);
      const shared = [...bySource].filter(([, ids]) => ids.length > 1);
      expect(shared.map(([source, ids]) => `${source} is the EVENT_SOURCE of ${ids.join(' and ')}`)).toEqual([]);
    });

    it('spell their names alike: event source, stored aggregate label, notification field, data sources', () => {
      const problems = aggregates.flatMap(nameProblems);
      expect(problems).toEqual([]);
    });

    it("deliver each aggregate's commits to its own handlers only, by rules matching exactly its source", () => {
      expect(commitRuleProblems()).toEqual([]);
    });

    it("grant each internal notification mutation to one role only: its aggregate's event handler", () => {
      const internal = internalMutations();
      expect(internal.length).toBeGreaterThan(0);
      const problems: string[] = [];
      const roles = ofType('AWS::IAM::Role').map(([id]) => id);
      for (const [field, dataSource] of internal) {
        const owner = aggregates.find((a) => dataSource === `${a.id}Notifications`);
        const expected = owner === undefined ? [] : [roleOfFunction(resources, owner.functions.EventHandler ?? '')];
        const granted = roles.filter((role) => statementsOfRole(resources, role).some((s) => grantsMutation(s, field)));
        if (granted.join() !== expected.join()) {
          const paths = granted.map((role) => pathOf(resources[role])).join(', ') || 'no role';
          problems.push(`Mutation.${field} (data source ${dataSource}) is granted to ${paths}`);
        }
      }
      expect(problems).toEqual([]);
    });
  });

  describe("each aggregate's functions (least privilege)", () => {
    it("touch only their own aggregate's resources and the shared bus and API", () => {
      const shared = Object.keys(resources).filter((id) => ownerOf(aggregates, id) === undefined);
      const problems: string[] = [];
      for (const a of aggregates) {
        for (const fnId of Object.values(a.functions)) {
          const statements = statementsOfRole(resources, roleOfFunction(resources, fnId));
          for (const id of referencedIds(statements.map((s) => s.Resource))) {
            if (!a.resources.includes(id) && !shared.includes(id)) {
              problems.push(`${pathOf(resources[fnId])} may touch ${pathOf(resources[id])}`);
            }
          }
          if (
            environmentOf(fnId).EVENTS_TABLE_NAME !== undefined &&
            idOf(environmentOf(fnId).EVENTS_TABLE_NAME) !== eventsTableOf(a)
          ) {
            problems.push(`${pathOf(resources[fnId])} reads EVENTS_TABLE_NAME of another table`);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('grant each handler exactly the actions it calls, each on a resource named (no *)', () => {
      for (const a of aggregates) {
        const expected = expectedGrants(a);
        for (const handler of [...HANDLERS, 'DeadLetterHandler']) {
          const actual = grantsOf(statementsOfRole(resources, roleOfFunction(resources, a.functions[handler] ?? '')));
          const normalized = actual.map((grant) => grant.replace(/:appsync:[a-z0-9-]+:/, ':appsync:<region>:'));
          expect({ handler: `${a.id}/${handler}`, grants: normalized.sort() }).toEqual({
            handler: `${a.id}/${handler}`,
            grants: (expected[handler] ?? []).sort(),
          });
          expect(actual.filter((grant) => grant.split(' ')[1]?.includes('*'))).toEqual([]);
        }
      }
    });

    it('configure each handler with the variables every aggregate needs, and with none its bundle does not read', () => {
      const problems: string[] = [];
      const needed: Record<string, string[]> = {
        CommandHandler: ['COMMAND_DEADLINE_MS', 'EVENTS_TABLE_NAME', 'EVENT_BUS_NAME', 'EVENT_SOURCE'],
        EventHandler: ['EVENTS_TABLE_NAME', 'GRAPHQL_URL'],
        QueryHandler: ['EVENTS_TABLE_NAME'],
      };
      for (const a of aggregates) {
        for (const [fn, names] of Object.entries(needed)) {
          const variables = Object.keys(environmentOf(a.functions[fn] ?? ''));
          const bundle = bundleOf(a.functions[fn] ?? '');
          for (const name of names.filter((n) => !variables.includes(n)))
            problems.push(`${a.id}'s ${fn} lacks ${name}`);
          for (const name of variables.filter((v) => !bundle.includes(`"${v}"`)))
            problems.push(`${a.id}'s ${fn} is given ${name}, which its bundle never reads`);
        }
      }
      expect(problems).toEqual([]);
    });
  });

  describe("each aggregate's store and delivery", () => {
    it('keep the event store as an on-demand table keyed by stream and version, with point-in-time recovery and the AWS owned key; retained and deletion-protected outside development', () => {
      for (const a of aggregates) {
        const table = resources[eventsTableOf(a) ?? ''];
        expect({ id: a.id, deletion: table?.DeletionPolicy, ...table?.Properties }).toMatchObject({
          id: a.id,
          deletion: stage === 'production' ? 'Retain' : 'Delete',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: 'streamId', KeyType: 'HASH' },
            { AttributeName: 'version', KeyType: 'RANGE' },
          ],
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: stage === 'production',
          SSESpecification: { SSEEnabled: false },
        });
      }
    });

    it('keep the event store append-only, with its event handler the only principal that may add to it', () => {
      for (const a of aggregates) {
        const policy = resources[eventsTableOf(a) ?? '']?.Properties.ResourcePolicy?.PolicyDocument;
        const eventHandlerRole = roleOfFunction(resources, a.functions.EventHandler ?? '');
        expect((policy?.Statement as Statement[]).map(policySentence)).toEqual([
          'Deny {"AWS":"*"} dynamodb:UpdateItem,dynamodb:DeleteItem,dynamodb:BatchWriteItem,dynamodb:PartiQLUpdate,dynamodb:PartiQLDelete *',
          `Deny {"AWS":"*"} dynamodb:PutItem,dynamodb:PartiQLInsert * if ArnNotEquals aws:PrincipalArn=<${eventHandlerRole}>`,
        ]);
      }
    });

    it('encrypt every queue (the dead letters hold commits)', () => {
      const unencrypted = ofType('AWS::SQS::Queue').filter(
        ([, q]) => q.Properties.SqsManagedSseEnabled !== true && q.Properties.KmsMasterKeyId === undefined,
      );
      expect(unencrypted.map(([, q]) => pathOf(q))).toEqual([]);
    });

    it("send a commit that is not delivered or handled within a minute to its own undelivered queue, whose handler settles it with the event handler's role", () => {
      for (const a of aggregates) {
        const queues = a.resources.filter((id) => resources[id]?.Type === 'AWS::SQS::Queue');
        const undelivered = queues.find((id) => resources[id]?.Properties.RedrivePolicy !== undefined) ?? '';
        const parked = (resources[undelivered]?.Properties.RedrivePolicy as { deadLetterTargetArn?: unknown })
          .deadLetterTargetArn;
        expect(queues).toContain(idOf(parked));
        for (const [, rule] of rulesDelivering(a)) {
          const target = (rule.Properties.Targets as { Arn: unknown }[]).find(
            (t) => idOf(t.Arn) === a.functions.EventHandler,
          );
          expect(target).toMatchObject({
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [undelivered, 'Arn'] } },
          });
        }
        const invokeConfig = ofType('AWS::Lambda::EventInvokeConfig').find(
          ([, r]) => idOf(r.Properties.FunctionName) === a.functions.EventHandler,
        );
        expect(invokeConfig?.[1].Properties).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
        expect(resources[a.functions.EventHandler ?? '']?.Properties.DeadLetterConfig).toEqual({
          TargetArn: { 'Fn::GetAtt': [undelivered, 'Arn'] },
        });
        const deadLetterHandler = a.functions.DeadLetterHandler ?? '';
        const mapping = ofType('AWS::Lambda::EventSourceMapping').find(
          ([, r]) => idOf(r.Properties.FunctionName) === deadLetterHandler,
        );
        expect(mapping?.[1].Properties).toMatchObject({
          EventSourceArn: { 'Fn::GetAtt': [undelivered, 'Arn'] },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        });
        expect(resources[deadLetterHandler]?.Properties.Role).toEqual(
          resources[a.functions.EventHandler ?? '']?.Properties.Role,
        );
      }
    });

    it('resolve commands and queries with direct Lambda resolvers (no mapping templates)', () => {
      for (const a of aggregates) {
        for (const dataSource of [`${a.id}Commands`, `${a.id}Queries`]) {
          const resolvers = ofType('AWS::AppSync::Resolver').filter(
            ([, r]) => r.Properties.DataSourceName === dataSource,
          );
          expect(resolvers.length).toBeGreaterThan(0);
          for (const [, r] of resolvers) expect(r.Properties.RequestMappingTemplate).toBeUndefined();
        }
      }
    });
  });

  describe('the bus', () => {
    it("refuses each aggregate's source to every principal but its command handler's role, and allows nothing by itself", () => {
      const statements = ofType('AWS::Events::EventBusPolicy').map(([, p]) => p.Properties.Statement as Statement);
      const expected = aggregates.map(
        (a) =>
          `Deny {"AWS":"*"} events:PutEvents <${busId()}> if StringEquals events:source=${eventSourceOf(a)} and ArnNotEquals aws:PrincipalArn=<${roleOfFunction(resources, a.functions.CommandHandler ?? '')}>`,
      );
      expect(statements.map(policySentence).sort()).toEqual(expected.sort());
      expect(resources[busId()]?.Properties.Policy).toBeUndefined();
    });
  });
});

/** What does not agree with the aggregate's name, as sentences. */
function nameProblems(a: Aggregate): string[] {
  const problems: string[] = [];
  const source = eventSourceOf(a);
  if (source !== `core.${a.name}`) problems.push(`${a.id}'s EVENT_SOURCE is ${source}, expected core.${a.name}`);
  // Its own label, and those of aggregates it publishes external events for (each must take them from its source).
  const labels = [...new Set(storedAggregateLabels(a))];
  if (!labels.includes(a.name)) {
    problems.push(`${a.id}'s command handler stores commits as aggregate [${labels.join(', ')}], expected '${a.name}'`);
  }
  for (const other of labels.filter((label) => label !== a.name)) {
    const receiver = aggregates.find((each) => each.name === other);
    if (receiver === undefined || !externalRuleDelivers(eventSourceOf(a), receiver))
      problems.push(
        `${a.id}'s command handler publishes events for '${other}', which no ExternalCommit rule takes from ${eventSourceOf(a)}`,
      );
  }
  for (const [suffix, handler] of [
    ['Commands', 'CommandHandler'],
    ['Queries', 'QueryHandler'],
  ] as const) {
    const dataSource = dataSourceNamed(`${a.id}${suffix}`);
    const arn = dataSource?.Properties.LambdaConfig?.LambdaFunctionArn;
    if (idOf(arn) !== a.functions[handler])
      problems.push(`data source ${a.id}${suffix} does not invoke ${a.id}'s ${handler}`);
  }
  const notifications = dataSourceNamed(`${a.id}Notifications`);
  const fields = resolvedFields(resources).get(`${a.id}Notifications`) ?? [];
  if (notifications?.Properties.Type !== 'NONE' || fields.join() !== `Mutation.${a.name}Saved`) {
    problems.push(
      `${a.id}Notifications (${notifications?.Properties.Type ?? 'missing'}) resolves [${fields.join(', ')}], expected a NONE data source resolving Mutation.${a.name}Saved`,
    );
  }
  if (!iamOnlyMutations(resources).includes(`${a.name}Saved`))
    problems.push(`Mutation.${a.name}Saved is not @aws_iam only`);
  return problems;
}

/** What is wrong with the rules that deliver commits (any rule that may match detail-type Commit), as sentences. */
function commitRuleProblems(): string[] {
  const problems: string[] = [];
  for (const [, rule] of ofType('AWS::Events::Rule')) {
    const pattern = parsePattern(rule.Properties.EventPattern);
    if (pattern['detail-type'] !== undefined && !pattern['detail-type'].includes('Commit')) continue;
    const sources = pattern.source ?? [];
    const owners = aggregates.filter((a) => sources.length === 1 && eventSourceOf(a) === sources[0]);
    if (owners.length !== 1) {
      const whose = owners.map((a) => a.id).join(' and ') || 'no aggregate';
      problems.push(`${pathOf(rule)} matches source [${sources.join(', ')}]: the EVENT_SOURCE of ${whose}`);
      continue;
    }
    const owner = owners[0] as Aggregate;
    for (const target of (rule.Properties.Targets ?? []) as { Arn: unknown }[]) {
      const targetId = idOf(target.Arn) ?? JSON.stringify(target.Arn);
      // A saga's state machine may start on an aggregate's commits: it stores nothing itself.
      const saga = resources[targetId]?.Type === 'AWS::StepFunctions::StateMachine';
      if (!saga && !Object.values(owner.functions).includes(targetId)) {
        const where = pathOf(resources[targetId]) || targetId;
        problems.push(`${pathOf(rule)} delivers ${owner.id}'s commits (${sources[0]}) to ${where}`);
      }
    }
  }
  for (const a of aggregates) {
    if (rulesDelivering(a).length === 0)
      problems.push(`no rule delivers ${eventSourceOf(a)} commits to ${a.id}'s EventHandler`);
  }
  return problems;
}

/** The `aggregate` labels in the command handler's bundle (`aggregate:"reservation"` in the minified code). */
function storedAggregateLabels(a: Aggregate): string[] {
  const bundle = bundleOf(a.functions.CommandHandler ?? '');
  return [...bundle.matchAll(/aggregate:"([^"]*)"/g)].map((match) => match[1] as string);
}

/** The Mutation fields that are IAM-only and resolved by a NONE data source, with that data source's name. */
function internalMutations(): [string, string][] {
  const iamOnly = iamOnlyMutations(resources);
  const noneSources = ofType('AWS::AppSync::DataSource')
    .filter(([, r]) => r.Properties.Type === 'NONE')
    .map(([, r]) => String(r.Properties.Name));
  return [...resolvedFields(resources)]
    .filter(([name]) => noneSources.includes(name))
    .flatMap(([name, fields]) =>
      fields
        .filter((f) => f.startsWith('Mutation.'))
        .map((f) => [f.slice('Mutation.'.length), name] as [string, string]),
    )
    .filter(([field]) => iamOnly.includes(field));
}

function rulesDelivering(a: Aggregate) {
  return ofType('AWS::Events::Rule').filter(([, rule]) => {
    const pattern = parsePattern(rule.Properties.EventPattern);
    const targets = (rule.Properties.Targets ?? []) as { Arn: unknown }[];
    return pattern.source?.join() === eventSourceOf(a) && targets.some((t) => idOf(t.Arn) === a.functions.EventHandler);
  });
}

function parsePattern(pattern: unknown): { source?: string[]; 'detail-type'?: string[] } {
  return typeof pattern === 'string' ? JSON.parse(pattern) : (pattern as object);
}

function dataSourceNamed(name: string) {
  return ofType('AWS::AppSync::DataSource').find(([, r]) => r.Properties.Name === name)?.[1];
}

function eventsTableOf(a: Aggregate): string | undefined {
  return a.resources.find((id) => resources[id]?.Type === 'AWS::DynamoDB::Table');
}

/** The logical id of a resource under the aggregate: `child` is its construct id (`Events`, `CommandHandlerLogs`). */
function childId(a: Aggregate, child: string): string {
  const id = a.resources.find((rid) => pathOf(resources[rid]) === `${stackName}/${a.id}/${child}/Resource`);
  if (id === undefined) throw new Error(`${a.id} has no ${child}`);
  return id;
}

function busId(): string {
  return ofType('AWS::Events::EventBus').map(([id]) => id)[0] ?? '';
}

/**
 * Every grant each of an aggregate's handlers needs, and nothing else: its own log group; Query and
 * GetItem on its store (and PutItem for the event handler, whose role the dead-letter handler
 * shares); the command handler PutEvents of its own source and detail types; the event handler its
 * notification mutation, and sending to and receiving from its undelivered queue.
 */
function expectedGrants(a: Aggregate): Record<string, string[]> {
  const logs = (fn: string) => [
    `logs:CreateLogStream <${childId(a, `${fn}Logs`)}>`,
    `logs:PutLogEvents <${childId(a, `${fn}Logs`)}>`,
  ];
  const table = `<${eventsTableOf(a)}>`;
  // Its other tables are read models: the event handler puts their items, the query handler queries them.
  const readModels = a.resources
    .filter((id) => resources[id]?.Type === 'AWS::DynamoDB::Table' && id !== eventsTableOf(a))
    .map((id) => `<${id}>`);
  // A command handler that publishes events for another aggregate puts ExternalCommit entries too.
  const external = storedAggregateLabels(a).some((label) => label !== a.name);
  const detailTypes = external ? 'Commit,Renotify,ExternalCommit' : 'Commit,Renotify';
  // A saga that commands this aggregate waits for its event handler's task reports.
  const reports = sagasCommanding(a).flatMap((saga) =>
    ['SendTaskFailure', 'SendTaskHeartbeat', 'SendTaskSuccess'].map((action) => `states:${action} <${saga}>`),
  );
  const read = [`dynamodb:Query ${table}`, `dynamodb:GetItem ${table}`];
  const undelivered = `<${childId(a, 'Undelivered')}>`;
  const api = ofType('AWS::AppSync::GraphQLApi').map(([id]) => id)[0];
  const eventHandler = [
    ...logs('EventHandler'),
    ...logs('DeadLetterHandler'),
    ...read,
    `dynamodb:PutItem ${table}`,
    ...readModels.map((model) => `dynamodb:PutItem ${model}`),
    ...reports,
    `appsync:GraphQL arn:<AWS::Partition>:appsync:<region>:<AWS::AccountId>:apis/<${api}.ApiId>/types/Mutation/fields/${a.name}Saved`,
    `sqs:SendMessage ${undelivered}`,
    ...['ReceiveMessage', 'ChangeMessageVisibility', 'GetQueueUrl', 'DeleteMessage', 'GetQueueAttributes'].map(
      (action) => `sqs:${action} ${undelivered}`,
    ),
  ];
  return {
    CommandHandler: [
      ...logs('CommandHandler'),
      ...read,
      `events:PutEvents <${busId()}> if StringEquals events:source=${eventSourceOf(a)} and StringEquals events:detail-type=${detailTypes}`,
    ],
    EventHandler: eventHandler,
    DeadLetterHandler: eventHandler,
    QueryHandler: [...logs('QueryHandler'), ...read, ...readModels.map((model) => `dynamodb:Query ${model}`)],
  };
}

/** A resource policy statement as one line: effect, principal, actions, resource and conditions. */
function policySentence(statement: Statement): string {
  const actions = Array.isArray(statement.Action) ? statement.Action.join(',') : statement.Action;
  return `${statement.Effect} ${JSON.stringify(statement.Principal)} ${actions} ${renderValue(statement.Resource)}${conditionText(statement.Condition)}`;
}

/** Whether a rule delivers ExternalCommit entries of `source` for `receiver` to the receiver's event handler. */
function externalRuleDelivers(source: string, receiver: Aggregate): boolean {
  return ofType('AWS::Events::Rule').some(([, rule]) => {
    const pattern = parsePattern(rule.Properties.EventPattern) as {
      source?: string[];
      'detail-type'?: string[];
      detail?: { aggregate?: string[] };
    };
    const targets = (rule.Properties.Targets ?? []) as { Arn: unknown }[];
    return (
      pattern['detail-type']?.join() === 'ExternalCommit' &&
      (pattern.source ?? []).includes(source) &&
      pattern.detail?.aggregate?.join() === receiver.name &&
      targets.some((t) => idOf(t.Arn) === receiver.functions.EventHandler)
    );
  });
}

/** A function's bundle, as synthesized. */
function bundleOf(functionId: string): string {
  const key = String(resources[functionId]?.Properties.Code.S3Key);
  return readFileSync(join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'), 'utf8');
}

/** The state machines whose role may invoke the aggregate's command handler (the sagas it takes part in). */
function sagasCommanding(a: Aggregate): string[] {
  return ofType('AWS::StepFunctions::StateMachine')
    .filter(([, machine]) => {
      const statements = statementsOfRole(resources, idOf(machine.Properties.RoleArn) ?? '');
      return referencedIds(statements.map((each) => each.Resource)).includes(a.functions.CommandHandler ?? '');
    })
    .map(([id]) => id);
}
