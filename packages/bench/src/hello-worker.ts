import { Hono } from 'hono';

// The floor: Hono with no middleware and no database, to show what the template itself adds.
const app = new Hono();

app.get('/health', (c) => c.json({ status: 'ok' }));

export default app;
