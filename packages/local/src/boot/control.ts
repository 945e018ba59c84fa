/**
 * The control endpoint of the local core (only with `faultEndpoint`): `GET /_local/faults` answers the
 * faults set and how often each was injected; `PUT /_local/faults` with a JSON fault configuration
 * replaces them (`{}` switches every fault off). It exists on the local core only: AWS has no such thing.
 */
import { LocalCoreError } from '../errors';
import type { FaultControl } from './faults';
import { sendJson, type Route } from './router';

export const FAULTS_PATH = '/_local/faults';

export function faultControlRoute(faults: FaultControl): Route {
  return {
    accepts: ({ path }) => path === FAULTS_PATH,
    maxBodyBytes: 64 * 1024,
    handle: async ({ req, res, body }) => {
      if (req.method === 'PUT' || req.method === 'POST') {
        try {
          faults.set(JSON.parse(body.toString('utf8') || '{}') as Parameters<FaultControl['set']>[0]);
        } catch (error) {
          const message =
            error instanceof LocalCoreError ? error.message : 'the body must be a JSON fault configuration';
          sendJson(res, 400, { __type: 'InvalidFault', message });
          return true;
        }
      } else if (req.method !== 'GET') {
        sendJson(res, 405, { __type: 'MethodNotAllowed', message: 'use GET or PUT' });
        return true;
      }
      sendJson(res, 200, { faults: faults.current(), injected: faults.injected() });
      return true;
    },
  };
}
