import { Hono } from 'hono';
import { refuseWebPages } from './loopback-only.ts';

// The floor: Hono with no middleware and no database, to show what the template itself adds.
const app = new Hono();

app.get('/health', (c) => c.json({ status: 'ok' }));

export default {
  fetch: (request: Request) => refuseWebPages(request) ?? app.fetch(request),
};
