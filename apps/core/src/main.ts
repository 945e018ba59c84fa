/**
 * The deployable CDK app: the production stack `Core` and a development stage `CoreDev` (API key,
 * introspection, disposable event stores), which is also what the local core boots. Both come from
 * one synth; their functions share bundles. `nx run core:synth` writes cdk.out; `nx run core:deploy`
 * deploys `Core`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CoreStack } from './core-stack';

const app = new App();
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
new CoreStack(app, 'Core', { env, stage: 'production' });
new CoreStack(app, 'CoreDev', { env, stage: 'development' });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
