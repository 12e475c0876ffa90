import pg from 'pg';

/** The login an HTTP request carries in its Neon-Connection-String header. */
export interface UpstreamLogin {
  user: string;
  password: string;
  database: string;
  applicationName: string | undefined;
}

// Neon's proxy keeps HTTP connections warm between requests; a short idle time keeps ours from
// outliving a test file by much.
const IDLE_TIMEOUT_MS = 5_000;
const MAX_PER_LOGIN = 10;

/** Upstream connections for the HTTP API, pooled per login, always to the configured upstream. */
export class UpstreamPools {
  private readonly pools = new Map<string, pg.Pool>();
  private closed = false;

  constructor(
    private readonly upstream: { host: string; port: number },
    private readonly connectTimeoutMs: number,
    private readonly log: (line: string) => void,
  ) {}

  /** A connected client; give it back with `release()`, or `release(true)` if it may be broken. */
  async acquire(login: UpstreamLogin): Promise<pg.PoolClient> {
    if (this.closed) throw new Error('the endpoint is closing');
    const key = JSON.stringify([login.user, login.password, login.database, login.applicationName]);
    let pool = this.pools.get(key);
    if (!pool) {
      pool = this.createPool(login);
      this.pools.set(key, pool);
    }
    try {
      return await pool.connect();
    } catch (error) {
      // A login that never worked (wrong password) should not keep an empty pool around.
      if (pool.totalCount === 0 && this.pools.get(key) === pool) this.pools.delete(key);
      throw error;
    }
  }

  /** Ends every pool; resolves once each pooled connection is closed. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.end().catch(() => {})));
  }

  private createPool(login: UpstreamLogin): pg.Pool {
    const pool = new pg.Pool({
      host: this.upstream.host,
      port: this.upstream.port,
      user: login.user,
      password: login.password,
      database: login.database,
      application_name: login.applicationName,
      max: MAX_PER_LOGIN,
      idleTimeoutMillis: IDLE_TIMEOUT_MS,
      connectionTimeoutMillis: this.connectTimeoutMs,
      allowExitOnIdle: true,
    });
    // An idle connection dropped by PostgreSQL (restart, pg_terminate_backend) must not crash us.
    pool.on('error', (error: NodeJS.ErrnoException) => {
      this.log(`http pool: idle connection lost (${error.code ?? error.message})`);
    });
    pool.on('connect', (client) => {
      client.on('error', () => {});
    });
    return pool;
  }
}
