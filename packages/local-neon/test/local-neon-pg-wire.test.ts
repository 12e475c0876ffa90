import { describe, expect, it } from 'vitest';
import { CommandCompleteScanner } from '../src/pg-wire.ts';

function message(type: string, body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(bytes.length + 4, 1);
  return Buffer.concat([header, bytes]);
}

const ROW = message('D', '\0\x01\0\0\0\x04COMMIT');
const INSERT = message('C', 'INSERT 0 1\0');
const COMMIT = message('C', 'COMMIT\0');
const READY = message('Z', 'I');
const PARSE_COMPLETE = message('1', '');

describe('CommandCompleteScanner', () => {
  it('finds where the COMMIT CommandComplete starts, not a row that says COMMIT', () => {
    const stream = Buffer.concat([PARSE_COMPLETE, ROW, INSERT, COMMIT, READY]);
    expect(new CommandCompleteScanner('COMMIT').scan(stream)).toBe(
      PARSE_COMPLETE.length + ROW.length + INSERT.length,
    );
  });

  it('stays aligned across chunks split anywhere, and answers 0 for a message begun earlier', () => {
    const stream = Buffer.concat([INSERT, READY, COMMIT, READY]);
    const commitAt = INSERT.length + READY.length;
    for (let cut = 1; cut < stream.length; cut++) {
      const scanner = new CommandCompleteScanner('COMMIT');
      const first = scanner.scan(stream.subarray(0, cut));
      const second = scanner.scan(stream.subarray(cut));
      if (cut < commitAt + COMMIT.length) {
        expect(first).toBe(-1);
        expect(second).toBe(cut <= commitAt ? commitAt - cut : 0);
      } else {
        expect([first, second]).toEqual([commitAt, -1]);
      }
    }
  });

  it('ignores other tags and long CommandComplete bodies', () => {
    const scanner = new CommandCompleteScanner('COMMIT');
    expect(scanner.scan(Buffer.concat([message('C', 'ROLLBACK\0'), INSERT]))).toBe(-1);
    expect(scanner.scan(message('C', `COMMIT${' '.repeat(100)}\0`))).toBe(-1);
    expect(scanner.scan(COMMIT)).toBe(0);
  });

  it('throws on a length no message can have', () => {
    const broken = Buffer.from([0x43, 0, 0, 0, 1]);
    expect(() => new CommandCompleteScanner('COMMIT').scan(broken)).toThrow(/length/);
  });
});
