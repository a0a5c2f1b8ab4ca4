/**
 * The headless host: the API and the built renderer over HTTP on 127.0.0.1, events over a
 * WebSocket. Every /api/ request needs the per-start token (checked before any routing), every
 * request must name this host, and browsers' requests must come from this host's own origin.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StrataService } from '../../engine/service.js';
import { bearerOf, hostAllowed, newToken, originAllowed, tokenMatches } from './access.js';
import { securityHeaders, serveStatic } from './static-files.js';

export interface HostOptions {
  service: StrataService;
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** For tests; a random one otherwise. */
  token?: string;
}

export interface RunningHost {
  port: number;
  token: string;
  /** The address to open: the token rides in the fragment, which browsers never send to servers. */
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

const STATUS_OF: Record<string, number> = {
  usage: 400,
  config: 400,
  'unsafe-path': 400,
  'not-found': 404,
  busy: 409,
  internal: 500,
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function refuse(res: ServerResponse, status: number, code: string, message: string, hint: string): void {
  sendJson(res, status, { ok: false, error: { code, message, hint } });
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const token = opts.token ?? newToken();
  let port = 0;
  const sockets = new Set<WebSocket>();

  const server = createServer((req, res) => {
    // A client that hangs up mid-request must not take the host down.
    req.on('error', () => undefined);
    void handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'internal', 'the host failed to answer', 'try again');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    securityHeaders(res, port);
    if (!hostAllowed(req, port)) {
      refuse(res, 403, 'forbidden', 'this host answers only to 127.0.0.1 and localhost', 'open the printed address');
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/api' || path.startsWith('/api/')) {
      // Token first, before anything looks at the path: an unknown /api/ path without it is 401 too.
      if (!tokenMatches(token, bearerOf(req))) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        refuse(res, 401, 'unauthorized', 'missing or wrong token', 'open the address `strata serve` printed');
        return;
      }
      if (!originAllowed(req, port)) {
        refuse(res, 403, 'forbidden', 'requests from other sites are refused', 'open Strata from its own address');
        return;
      }
      await handleApi(path, req, res);
      return;
    }
    await serveStatic(opts.staticDir, req, res);
  }

  async function handleApi(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/api\/call\/([a-zA-Z]+(?:\.[a-zA-Z]+)+)$/.exec(path);
    if (!m) {
      refuse(res, 404, 'not-found', `no API route ${path}`, 'calls are POST /api/call/<method>');
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      refuse(res, 405, 'usage', 'API calls are POST requests', 'send a JSON body with POST');
      return;
    }
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      refuse(res, 415, 'usage', 'the body must be JSON', 'send Content-Type: application/json');
      return;
    }
    const text = await readBody(req);
    if (text === undefined) {
      // The rest of the body is not read: the connection cannot be reused.
      res.setHeader('Connection', 'close');
      refuse(res, 413, 'usage', 'the request body is too large', 'send at most 1 MB');
      req.on('error', () => undefined);
      res.once('finish', () => req.socket?.destroy());
      return;
    }
    let input: unknown;
    try {
      input = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      refuse(res, 400, 'usage', 'the body is not valid JSON', 'send a JSON object');
      return;
    }
    const reply = await opts.service.handle(m[1]!, input);
    sendJson(res, reply.ok ? 200 : (STATUS_OF[reply.error.code] ?? 422), reply);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const deny = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostAllowed(req, port)) return deny('403 Forbidden');
    if (url.pathname.startsWith('/api/') && !tokenMatches(token, url.searchParams.get('token') ?? bearerOf(req))) {
      return deny('401 Unauthorized');
    }
    if (url.pathname !== '/api/events') return deny('404 Not Found');
    // WebSockets ignore CORS, so a foreign page could open one: its Origin gives it away.
    if (!originAllowed(req, port)) return deny('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => ws.terminate());
      // The stream is one-way: anything the page sends is ignored.
      ws.on('message', () => undefined);
    });
  });

  const unsubscribe = opts.service.subscribe((event, data) => {
    const frame = JSON.stringify({ event, data });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });
  // Keeps idle connections alive through sleep-happy proxies and detects dead peers.
  const ping = setInterval(() => sockets.forEach((ws) => ws.ping()), 30_000);
  ping.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    async close() {
      clearInterval(ping);
      unsubscribe();
      for (const ws of sockets) ws.close(1001, 'Strata is stopping');
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
