import { createHash, createHmac } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3Credentials } from '../../electron/engine/destinations/config.js';

/**
 * An HTTP proxy between the SDK and s3rver that misbehaves on a schedule, like a real
 * provider under load: throttling, 5xx, connections cut mid-body, slow answers.
 */
export type Fault =
  /** 503 SlowDown with an XML body and Retry-After. */
  | { kind: 'slowdown'; retryAfterSeconds?: number }
  /** 429 Too Many Requests, optionally with Retry-After. */
  | { kind: 'throttle'; retryAfterSeconds?: number }
  | { kind: 'server-error'; status?: 500 | 502 | 504 }
  /** 501 NotImplemented, as some S3-compatible servers answer requests they do not support. */
  | { kind: 'not-implemented' }
  /** Any S3 error answer, e.g. 400 InvalidRequest from a bucket with Object Lock. */
  | { kind: 'error'; status: number; code: string; message: string }
  /** Reads this many request-body bytes (default 0), then resets the connection; nothing reaches s3rver. */
  | { kind: 'reset-request'; afterBytes?: number }
  /** s3rver handles the request; the answer is cut (TCP reset) after this many body bytes (default 0, before headers). */
  | { kind: 'reset-response'; afterBytes?: number }
  /** s3rver handles the request; its answer is held back this long. */
  | { kind: 'slow'; delayMs: number };

export type FaultKind = Fault['kind'];

export interface ProxiedRequest {
  method: string;
  /** Path as sent, still percent-encoded: '/bucket/key'. */
  path: string;
  query: URLSearchParams;
  headers: import('node:http').IncomingHttpHeaders;
}

export interface FaultRule {
  when?: (req: ProxiedRequest) => boolean;
  fault: Fault;
  /** How many matching requests get the fault. Default 1. */
  times?: number;
}

export interface ProxyLogEntry extends ProxiedRequest {
  at: number;
  fault?: FaultKind | 'bad-signature';
}

export interface FaultProxy {
  endpoint: string;
  /** Faults apply in the order given; each rule is used up after `times` matches. */
  inject(...rules: FaultRule[]): void;
  clear(): void;
  /** Requests seen, faulted or not. */
  readonly requests: number;
  faults(kind?: FaultKind | 'bad-signature'): number;
  /** Rules not yet used up. */
  pending(): number;
  readonly log: readonly ProxyLogEntry[];
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** http://host:port of s3rver. */
  target: string;
  /**
   * s3rver does not check SigV4 signatures. Given the valid key pairs, the proxy does, and answers
   * 403 SignatureDoesNotMatch for a wrong secret, as a real provider would.
   */
  verifySignatures?: readonly S3Credentials[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) return resolve();
    req
      .on('end', resolve)
      .on('error', () => resolve())
      .on('close', () => resolve());
    req.resume();
  });
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = errorXml(code, message);
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function reset(socket: import('node:net').Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

// --- SigV4 verification (the subset the SDK uses for S3: header auth, unnormalised path) ---

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

function canonicalQuery(raw: string): string {
  return raw
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf('=');
      const k = decodeURIComponent(i < 0 ? pair : pair.slice(0, i));
      const v = i < 0 ? '' : decodeURIComponent(pair.slice(i + 1));
      return [rfc3986(k), rfc3986(v)] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

type SignatureCheck = 'ok' | 'unknown-key' | 'mismatch' | 'unsigned';

export function checkSigV4(req: IncomingMessage, secrets: ReadonlyMap<string, string>): SignatureCheck {
  const auth = req.headers.authorization;
  if (!auth?.startsWith('AWS4-HMAC-SHA256 ')) return 'unsigned';
  const m =
    /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]+)/.exec(
      auth,
    );
  if (!m) return 'mismatch';
  const [, keyId = '', date = '', region = '', service = '', signedHeaders = '', signature = ''] = m;
  const secret = secrets.get(keyId);
  if (secret === undefined) return 'unknown-key';
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const headerLines = signedHeaders
    .split(';')
    .map((name) => {
      const v = req.headers[name];
      return `${name}:${(Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const canonicalRequest = [
    req.method,
    q < 0 ? url : url.slice(0, q),
    canonicalQuery(q < 0 ? '' : url.slice(q + 1)),
    headerLines,
    signedHeaders,
    String(req.headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD'),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    String(req.headers['x-amz-date']),
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return hmac(signingKey, stringToSign).toString('hex') === signature ? 'ok' : 'mismatch';
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const upstreamAgent = new Agent({ keepAlive: true });
  const secrets = new Map((options.verifySignatures ?? []).map((c) => [c.accessKeyId, c.secretAccessKey] as const));
  let rules: Array<FaultRule & { left: number }> = [];
  let requests = 0;
  const log: ProxyLogEntry[] = [];

  const take = (info: ProxiedRequest): Fault | undefined => {
    const rule = rules.find((r) => r.left > 0 && (r.when?.(info) ?? true));
    if (!rule) return undefined;
    rule.left--;
    return rule.fault;
  };

  /** Forwards to s3rver; `onResponse` decides what reaches the client. */
  const forward = (req: IncomingMessage, res: ServerResponse, onResponse?: (up: IncomingMessage) => void) => {
    const up = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: upstreamAgent,
      },
      (upRes) => {
        if (onResponse) return onResponse(upRes);
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  };

  const cutResponse = (req: IncomingMessage, res: ServerResponse, afterBytes: number) =>
    forward(req, res, (upRes) => {
      if (afterBytes <= 0) {
        upRes.resume();
        return reset(req.socket);
      }
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      let sent = 0;
      upRes.on('data', (chunk: Buffer) => {
        if (sent >= afterBytes) return;
        const part = chunk.subarray(0, afterBytes - sent);
        sent += part.length;
        res.write(part);
        if (sent >= afterBytes) {
          upRes.destroy();
          // Let the written bytes leave before the reset.
          setTimeout(() => reset(req.socket), 20);
        }
      });
      upRes.on('end', () => reset(req.socket));
    });

  const server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://proxy');
    const info: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      query: url.searchParams,
      headers: req.headers,
    };
    const entry: ProxyLogEntry = { ...info, at: Date.now() };
    log.push(entry);

    if (secrets.size > 0 && checkSigV4(req, secrets) === 'mismatch') {
      entry.fault = 'bad-signature';
      void drain(req).then(() =>
        sendError(
          res,
          403,
          'SignatureDoesNotMatch',
          'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        ),
      );
      return;
    }

    const fault = take(info);
    if (!fault) return forward(req, res);
    entry.fault = fault.kind;
    switch (fault.kind) {
      case 'slowdown':
        void drain(req).then(() =>
          sendError(res, 503, 'SlowDown', 'Please reduce your request rate.', {
            'retry-after': String(fault.retryAfterSeconds ?? 1),
          }),
        );
        return;
      case 'throttle': {
        const headers: Record<string, string> =
          fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
        void drain(req).then(() => sendError(res, 429, 'TooManyRequests', 'Too many requests, slow down.', headers));
        return;
      }
      case 'server-error':
        void drain(req).then(() =>
          sendError(res, fault.status ?? 500, 'InternalError', 'We encountered an internal error. Please try again.'),
        );
        return;
      case 'error':
        void drain(req).then(() => sendError(res, fault.status, fault.code, fault.message));
        return;
      case 'not-implemented':
        void drain(req).then(() =>
          sendError(res, 501, 'NotImplemented', 'A header you provided implies functionality that is not implemented'),
        );
        return;
      case 'reset-request': {
        const limit = fault.afterBytes ?? 0;
        let seen = 0;
        const cut = () => reset(req.socket);
        if (limit <= 0) return cut();
        req.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen >= limit) cut();
        });
        req.on('end', cut);
        return;
      }
      case 'reset-response':
        return cutResponse(req, res, fault.afterBytes ?? 0);
      case 'slow':
        return forward(req, res, (upRes) => {
          void sleep(fault.delayMs).then(() => {
            if (res.destroyed || req.socket.destroyed) return upRes.resume();
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
          });
        });
    }
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  // Long idle keep-alive: a retry should come from an injected fault, not from racing the server's idle close.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 61_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    inject: (...added) => {
      rules.push(...added.map((r) => ({ ...r, left: r.times ?? 1 })));
    },
    clear: () => {
      rules = [];
    },
    get requests() {
      return requests;
    },
    faults: (kind) => log.filter((e) => (kind ? e.fault === kind : e.fault !== undefined)).length,
    pending: () => rules.filter((r) => r.left > 0).length,
    log,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      upstreamAgent.destroy();
    },
  };
}
