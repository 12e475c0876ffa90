import { describe, expect, it } from 'vitest';
import { startTrace, timingMetrics } from './trace';

describe('timingMetrics', () => {
  it('reports nothing for a request that never touched the database', () => {
    expect(timingMetrics(startTrace())).toEqual([]);
  });

  it('reports connect, query and attempts once the database was tried', () => {
    const trace = { ...startTrace(), attempts: 2, connectMs: 30, queryMs: 5, waitMs: 40, runs: 2 };
    expect(timingMetrics(trace)).toEqual([
      ['db-connect', 30],
      ['db-query', 5],
      ['db-attempts', '2'],
      ['db-wait', 40],
      ['runs', '2'],
    ]);
  });

  it('reports query and commit time without attempts when only those were spent', () => {
    expect(timingMetrics({ ...startTrace(), queryMs: 3, commitMs: 4 })).toEqual([
      ['db-query', 3],
      ['db-commit', 4],
    ]);
  });
});
