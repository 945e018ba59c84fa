/** The demo web app: `startDemoServer` serves the hotel journey in a browser, on @core/client. */
export { startDemoServer, type DemoServer, type DemoServerOptions } from './server';
export type { Hotel } from './hotel';
