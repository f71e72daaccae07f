import http from 'node:http';
import express from 'express';

// The API phase's yardsticks, each alone in its own process: GET /healthz answering the same JSON as the app's,
// on bare node:http (YARDSTICK=node-http) or on a bare Express app with no middleware (YARDSTICK=express). With
// the app's own /healthz they show what each layer costs: Node's HTTP, Express's routing, our middleware.

const port = Number(process.env.HTTP_PORT);
const body = JSON.stringify({ status: 'ok' });

if (process.env.YARDSTICK === 'express') {
  const app = express();
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.listen(port, '127.0.0.1');
} else {
  http
    .createServer((req, res) => {
      if (req.url === '/healthz') res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
      else res.writeHead(404).end();
    })
    .listen(port, '127.0.0.1');
}

// Exits on SIGTERM rather than being killed by it, so that --cpu-prof (CPU_PROFILE_DIR) writes its profile.
process.once('SIGTERM', () => process.exit(0));
