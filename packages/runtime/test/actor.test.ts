import { describe, expect, it } from '@jest/globals';
import { actorOf } from '../src/handlers';
import { actsFor, hasRole } from '../src/index';

const FRONT_END = 'arn:aws:sts::000000000000:assumed-role/FrontEnd/session';
const signed = (names: string) =>
  `AWS4-HMAC-SHA256 Credential=AKID/20261128/us-east-1/appsync/aws4_request, SignedHeaders=${names}, Signature=ab`;

describe('actorOf', () => {
  it('is the IAM principal, with the user and roles its signature covers', () => {
    const headers = {
      authorization: signed('host;x-amz-date;x-core-user;x-core-user-roles'),
      'x-core-user': 'guest-1',
      'x-core-user-roles': 'admin, concierge',
    };
    expect(actorOf({ identity: { userArn: FRONT_END }, request: { headers } })).toEqual({
      kind: 'iam',
      id: FRONT_END,
      userId: 'guest-1',
      roles: ['admin', 'concierge'],
    });
  });

  it('ignores user headers the signature does not cover, and any sent with the API key', () => {
    const headers = {
      authorization: signed('host;x-amz-date'),
      'x-core-user': 'guest-1',
      'x-core-user-roles': 'admin',
    };
    expect(actorOf({ identity: { userArn: FRONT_END }, request: { headers } })).toEqual({ kind: 'iam', id: FRONT_END });
    const withKey = { 'x-api-key': 'da2-x', 'x-core-user': 'guest-1', 'x-core-user-roles': 'admin' };
    expect(actorOf({ identity: null, request: { headers: withKey } })).toEqual({ kind: 'apiKey', id: 'api-key' });
  });

  it('is a Cognito user with its groups', () => {
    expect(actorOf({ identity: { sub: 'sub-1', groups: ['admin'] } })).toEqual({
      kind: 'cognito',
      id: 'sub-1',
      userId: 'sub-1',
      roles: ['admin'],
    });
  });

  it('refuses a signed user header that is not a user id, without echoing it', () => {
    const headers = { authorization: signed('host;x-core-user'), 'x-core-user': `a b${'x'.repeat(500)}` };
    expect(() => actorOf({ identity: { userArn: FRONT_END }, request: { headers } })).toThrow(
      expect.objectContaining({ code: 'INVALID_USER_HEADER', message: expect.not.stringContaining('xxxx') }),
    );
  });
});

describe('actsFor and hasRole', () => {
  it('hold only for the actor’s own user and roles', () => {
    const actor = { kind: 'iam', id: FRONT_END, userId: 'u-1', roles: ['admin'] } as const;
    expect(actsFor(actor, 'u-1')).toBe(true);
    expect(actsFor(actor, 'u-2')).toBe(false);
    expect(actsFor({ kind: 'apiKey', id: 'api-key' }, 'api-key')).toBe(false);
    expect(hasRole(actor, 'admin')).toBe(true);
    expect(hasRole({ kind: 'iam', id: FRONT_END }, 'admin')).toBe(false);
  });
});
