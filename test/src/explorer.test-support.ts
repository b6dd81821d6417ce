// Helpers of the explorer tests: start `envision serve` (the built binary) on a free port, and raw HTTP requests that
// send the path exactly as written (fetch would normalise `..` and `%2e%2e` away before the server saw them).
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { bin, root } from './cli.js';

/** A running `envision serve`. */
export interface Served {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** What the server printed on stderr so far. */
  stderr(): string;
  /** Sends SIGINT and waits for the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `envision serve RUN_DIR --port 0` and waits for the address it prints. */
export function serve(runDir: string): Promise<Served> {
  const child = spawn(process.execPath, [bin, 'serve', runDir, '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return new Promise((ok, ko) => {
    const timer = setTimeout(() => ko(new Error(`envision serve printed no address in 60 s: ${err}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      ko(new Error(`envision serve exited ${code}: ${err}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(http:\/\/127\.0\.0\.1:(\d+)\/)\n/m.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({
          url: m[1]!,
          port: Number(m[2]),
          child,
          stderr: () => err,
          stop: () => {
            child.kill('SIGINT');
            return exited;
          },
        });
      }
    });
  });
}

/** A response: status, headers and body text. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  json(): unknown;
}

/** One HTTP request to 127.0.0.1:port with the path sent as it is. */
export function raw(port: number, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((ok, ko) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        ok({ status: res.statusCode ?? 0, headers: res.headers, body: all, json: () => JSON.parse(all.toString('utf8')) as unknown });
      });
      res.on('error', ko);
    });
    req.on('error', ko);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** POSTs a JSON value (or text, sent as it is). */
export function post(port: number, path: string, value: unknown): Promise<RawResponse> {
  return raw(port, 'POST', path, typeof value === 'string' ? value : JSON.stringify(value));
}

/** Decodes the base64 float32 values of an API map. */
export function floats(base64: string): Float32Array {
  const b = Buffer.from(base64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
