import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { EnvisionError, isEnvisionError, manifestFiles, REPORT_CSS } from '@envision/core';
import { EXPLORER_LIMITS, ExplorerSession, RequestError, type ExplorerRun } from './session.js';
import { EXPLORER_CSS, explorerPage } from './page.js';

/**
 * The explorer's content security policy: its own script and style sheet, images from itself and `data:` URLs (the
 * live maps), requests to itself only; nothing inline, no frames, no forms.
 */
export const EXPLORER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Options of {@link startExplorer}. */
export interface ExplorerOptions {
  /** The port; 0 picks a free one. @default 8765 */
  readonly port?: number;
  /** Where to listen; the explorer is for this machine only. @default '127.0.0.1' */
  readonly host?: '127.0.0.1' | 'localhost' | '::1';
}

/** A running explorer. */
export interface Explorer {
  /** `http://127.0.0.1:PORT/`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly session: ExplorerSession;
  /** Stops listening and closes every connection (the model stays loaded: its owner disposes it). */
  close(): Promise<void>;
}

const CLIENT_JS = new URL('../assets/explorer.js', import.meta.url);

const TYPES: Record<string, string> = { '.png': 'image/png', '.npy': 'application/octet-stream', '.json': 'application/json; charset=utf-8' };

/**
 * Starts the explorer over a finished run: a local web page (`/`) and its JSON API, on 127.0.0.1. It serves only the
 * files the run's manifest lists (under `/files/`), answers every error as JSON `{ "error": { "status", "message" } }`,
 * checks the `Host` header (no DNS rebinding), limits request bodies, prompts and prompt lengths
 * ({@link EXPLORER_LIMITS}) and sends {@link EXPLORER_CSP} with every response.
 *
 * Routes: `GET /`, `GET /explorer.css`, `GET /explorer.js`; `GET /api/run` (the run: images, methods, live or not
 * and why, the run's maps, limits); `POST /api/maps` ({@link MapsRequest} → {@link MapsResponse}); `POST /api/words`
 * (token attributions of prompts); `POST /api/stores` (`{ image, method }` → a {@link StoreJob}, 202);
 * `GET /api/jobs/ID` (the job's progress); `GET /files/PATH` (a file of the manifest).
 *
 * @param run - the run and its loaded model
 * @param options - port and host
 * @returns the running explorer
 * @throws EnvisionError `E_USAGE` when the port is taken or not allowed
 */
export async function startExplorer(run: ExplorerRun, options: ExplorerOptions = {}): Promise<Explorer> {
  const session = new ExplorerSession(run);
  const host = options.host ?? '127.0.0.1';
  const files = new Set([...manifestFiles(run.manifest), ...run.manifest.items.flatMap((i) => (i.tokens ? [i.tokens] : []))]);
  const root = await realpath(run.runDir);
  const client = await readFile(CLIENT_JS, 'utf8');
  const css = `${REPORT_CSS}\n${EXPLORER_CSS}`;
  let port = options.port ?? 8765;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => fail(res, e));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().has(req.headers.host ?? '')) throw new RequestError(403, `this server answers only requests to 127.0.0.1:${port} or localhost:${port}`);
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    const get = method === 'GET' || method === 'HEAD';
    if (rawPath === '/' || rawPath === '/index.html') {
      if (!get) throw notAllowed('GET');
      return send(res, 200, 'text/html; charset=utf-8', explorerPage(run.manifest));
    }
    if (rawPath === '/explorer.css') {
      if (!get) throw notAllowed('GET');
      return send(res, 200, 'text/css; charset=utf-8', css);
    }
    if (rawPath === '/explorer.js') {
      if (!get) throw notAllowed('GET');
      return send(res, 200, 'text/javascript; charset=utf-8', client);
    }
    if (rawPath.startsWith('/files/')) {
      if (!get) throw notAllowed('GET');
      return sendFile(res, rawPath.slice('/files/'.length));
    }
    if (rawPath === '/api/run') {
      if (!get) throw notAllowed('GET');
      return json(res, 200, overview());
    }
    const job = /^\/api\/jobs\/([0-9]{1,6})$/.exec(rawPath);
    if (job) {
      if (!get) throw notAllowed('GET');
      const j = session.job(job[1]!);
      if (j === undefined) throw new RequestError(404, `no job ${job[1]}`);
      return json(res, 200, j);
    }
    const post = { '/api/maps': 'maps', '/api/words': 'words', '/api/stores': 'stores' } as const;
    const route = Object.hasOwn(post, rawPath) ? post[rawPath as keyof typeof post] : undefined;
    if (route === undefined) throw new RequestError(404, `no such page or file: ${rawPath.slice(0, 200)}`);
    if (method !== 'POST') throw notAllowed('POST');
    const body = await readJson(req);
    if (route === 'maps') return json(res, 200, await session.maps(body as never));
    if (route === 'words') return json(res, 200, await session.words(body as never));
    return json(res, 202, session.startStore(body as never));
  }

  function overview() {
    const m = run.manifest;
    const url = (path: string) => `/files/${path.split('/').map(encodeURIComponent).join('/')}`;
    return {
      run: { configFile: m.configFile, createdAt: m.createdAt, adapter: m.model.adapter, embeddingDim: m.model.embeddingDim },
      limits: { promptChars: EXPLORER_LIMITS.promptChars, prompts: EXPLORER_LIMITS.prompts },
      signs: ['all', 'positive', 'negative', 'absolute_value'],
      sign: run.plan.output.signs[0] ?? 'all',
      outlierPerc: run.plan.output.outlierPerc,
      targets: session.targets.map((t) => ({ name: t.name, fusion: t.spec.fusion.id })),
      tokens: session.tokens,
      images: [...session.images.keys()].map((image) => ({
        image,
        figures: m.figures.filter((f) => f.image === image).map((f) => ({ target: f.target, layout: f.layout, url: url(f.png) })),
        methods: session.methods.map((x) => {
          const store = session.hasStore(image, x.name);
          const job = session.allJobs().find((j) => j.image === image && j.method === x.name);
          return {
            method: x.name,
            id: x.method.meta.id,
            live: store === 'run' || store === 'computed',
            ...(store === 'run' || store === 'computed' ? {} : { why: session.whyNotLive(x.name) }),
            ...(job ? { job } : {}),
          };
        }),
        items: m.items
          .filter((i) => i.image === image)
          .map((i) => {
            const perRow = i.labels.length > 0 ? Math.max(1, Math.floor(i.overlays.length / i.labels.length)) : 1;
            return {
              method: i.method,
              target: i.target,
              kind: i.kind,
              strategy: i.strategy,
              labels: i.labels,
              scores: i.scores,
              overlays: i.overlays.map((path, k) => ({ row: Math.floor(k / perRow), sign: /\.([A-Za-z0-9_-]+)\.png$/.exec(path)?.[1] ?? 'all', url: url(path) })),
              ...(i.words ? { words: i.words } : {}),
            };
          }),
      })),
    };
  }

  async function sendFile(res: ServerResponse, encoded: string): Promise<void> {
    let path: string;
    try {
      path = encoded.split('/').map((s) => decodeURIComponent(s)).join('/');
    } catch {
      throw new RequestError(400, 'the file path is not valid percent-encoding');
    }
    // Only the files the manifest lists, by their exact relative path; then, whatever the manifest says, only inside
    // the run folder, lexically and after following links.
    if (!files.has(path) || path.includes('\0')) throw new RequestError(404, `not a file of this run: ${path.slice(0, 200)}`);
    const full = resolve(run.runDir, path);
    const lexical = relative(resolve(run.runDir), full);
    if (lexical === '' || lexical.startsWith('..') || isAbsolute(lexical)) throw new RequestError(403, `${path.slice(0, 200)} leaves the run folder`);
    let real: string;
    try {
      real = await realpath(full);
    } catch {
      throw new RequestError(404, `the run lists ${path.slice(0, 200)} but it is not there`);
    }
    const inside = relative(root, real);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw new RequestError(403, `${path.slice(0, 200)} leads out of the run folder`);
    if (!(await stat(real)).isFile()) throw new RequestError(404, `${path.slice(0, 200)} is not a file`);
    send(res, 200, TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream', await readFile(real));
  }

  await new Promise<void>((ok, ko) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      ko(new EnvisionError('E_USAGE', e.code === 'EADDRINUSE' ? `port ${port} is in use: give another with --port` : `cannot listen on ${host}:${port}: ${e.message}`)),
    );
    server.listen(port, host, () => ok());
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://${host === '::1' ? '[::1]' : host}:${port}/`,
    port,
    server,
    session,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function notAllowed(allowed: string): RequestError {
  return new RequestError(405, `use ${allowed} here`);
}

function headers(type: string, length: number): Record<string, string | number> {
  return {
    'Content-Type': type,
    'Content-Length': length,
    'Content-Security-Policy': EXPLORER_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, headers(type, bytes.byteLength));
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** Answers an error as JSON: a refused request with its status, bad input 400, anything else 500. */
function fail(res: ServerResponse, e: unknown): void {
  const status = e instanceof RequestError ? e.status : isEnvisionError(e) ? 400 : 500;
  const message = e instanceof RequestError || isEnvisionError(e) ? e.message.split('\n')[0]! : `internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  if (status === 500) process.stderr.write(`envision serve: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // A request whose body was not read to the end is answered, then its connection closed.
  res.shouldKeepAlive = false;
  json(res, status, { error: { status, message } });
}

/** Reads a JSON request body: `application/json`, at most {@link EXPLORER_LIMITS}.bodyBytes bytes. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new RequestError(415, 'send the request body as application/json');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > EXPLORER_LIMITS.bodyBytes) throw new RequestError(413, `the request body has ${declared} bytes: at most ${EXPLORER_LIMITS.bodyBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > EXPLORER_LIMITS.bodyBytes) throw new RequestError(413, `the request body is larger than ${EXPLORER_LIMITS.bodyBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (e) {
    throw new RequestError(400, `the request body is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}
