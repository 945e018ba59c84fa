/** The deployable CDK app. `nx run core:synth` writes cdk.out; `nx run core:deploy` deploys it. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CoreStack } from './core-stack';

const app = new App();
new CoreStack(app, 'Core', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
