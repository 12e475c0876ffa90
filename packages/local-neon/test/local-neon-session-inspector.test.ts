import { describe, expect, it } from 'vitest';
import { SessionInspector } from '../src/session-inspector.ts';

function typed(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function startup(): Buffer {
  const params = Buffer.from('user\0app\0database\0main\0\0', 'utf8');
  const body = Buffer.alloc(4 + params.length);
  body.writeInt32BE(3 << 16, 0);
  params.copy(body, 4);
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4, 0);
  return Buffer.concat([length, body]);
}

const int32 = (n: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(n, 0);
  return bytes;
};

const LOGIN = Buffer.concat([startup(), typed('p', Buffer.from('secret\0'))]);
const STATEMENTS = Buffer.concat([
  typed('P', Buffer.from('\0SELECT 1\0\0\0')),
  typed('S', Buffer.alloc(0)),
]);

describe('SessionInspector.inspectClient', () => {
  it('counts the login bytes of a pipelined burst, wherever the chunks are cut', () => {
    const stream = Buffer.concat([LOGIN, STATEMENTS]);
    for (let cut = 1; cut < stream.length; cut++) {
      const inspector = new SessionInspector();
      const first = inspector.inspectClient(stream.subarray(0, cut));
      const second = inspector.inspectClient(stream.subarray(cut));
      // The login ends at LOGIN.length: everything before it is login, nothing after.
      expect(first + second, `cut at ${cut}`).toBe(LOGIN.length);
      expect(first, `cut at ${cut}`).toBe(Math.min(cut, LOGIN.length));
      expect(inspector.login).toEqual({ user: 'app', database: 'main', password: 'secret' });
    }
  });

  it('never answers a negative count when a non-password message began in an earlier chunk', () => {
    const query = typed('Q', Buffer.from('SELECT 1\0'));
    const inspector = new SessionInspector();
    expect(inspector.inspectClient(Buffer.concat([startup(), query.subarray(0, 3)]))).toBe(
      startup().length + 3,
    );
    expect(inspector.inspectClient(query.subarray(3))).toBe(0);
  });

  it('knows a SCRAM login from the server asking for SASL', () => {
    const inspector = new SessionInspector();
    inspector.inspectServer(
      typed('R', Buffer.concat([int32(10), Buffer.from('SCRAM-SHA-256\0\0')])),
    );
    expect(inspector.saslLogin).toBe(true);
    expect(inspector.helloDone).toBe(false);
    inspector.inspectServer(typed('K', Buffer.concat([int32(4242), int32(1)])));
    expect(inspector).toMatchObject({ backendPid: 4242, helloDone: true });
  });
});
