import { describe, expect, it } from 'vitest';
import { createStatementScanner } from './tripwire';

/** A typed frontend message: type byte, int32 length (counting itself), body. */
function message(type: string, body: number[] = []): number[] {
  const length = 4 + body.length;
  return [type.charCodeAt(0), 0, 0, length >> 8, length & 255, ...body];
}

/** An untyped startup message: int32 length, then the body. */
function startup(bodyLength: number): number[] {
  const length = 4 + bodyLength;
  return [0, 0, length >> 8, length & 255, ...new Array<number>(bodyLength).fill(0x50)];
}

describe('createStatementScanner', () => {
  it('lets startup, password, Flush and Sync through, even when their bodies hold P or Q', () => {
    const scan = createStatementScanner();
    expect(scan(Uint8Array.from(startup(40)))).toBe(false);
    expect(scan(Uint8Array.from(message('p', [0x51, 0x50, 0x45, 0])))).toBe(false);
    expect(scan(Uint8Array.from([...message('H'), ...message('S')]))).toBe(false);
  });

  it('finds Parse, Bind, Execute and Query, alone or after other messages in one write', () => {
    for (const type of ['P', 'B', 'E', 'Q']) {
      expect(createStatementScanner()(Uint8Array.from(message(type, [0])))).toBe(true);
      const batched = [...startup(8), ...message('p', [1, 2]), ...message(type)];
      expect(createStatementScanner()(Uint8Array.from(batched))).toBe(true);
    }
  });

  it('follows messages split across writes', () => {
    const scan = createStatementScanner();
    const bytes = [...startup(6), ...message('p', [0x50, 0x50]), ...message('Q', [0])];
    const split = bytes.indexOf(0x51);
    expect(scan(Uint8Array.from(bytes.slice(0, 3)))).toBe(false);
    expect(scan(Uint8Array.from(bytes.slice(3, split)))).toBe(false);
    expect(scan(Uint8Array.from(bytes.slice(split)))).toBe(true);
  });

  it('fails closed on a length that cannot be', () => {
    expect(createStatementScanner()(Uint8Array.from([0x70, 0, 0, 0, 2]))).toBe(true);
  });
});
