/**
 * An HTTP proxy in front of the real api-server that rewrites the JSON answers of chosen paths:
 * it stands in for an api-server of another version, whose answers no longer match the contract
 * the dashboard was built against.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

export type Rewrite = (body: Record<string, unknown>) => void;

export interface RewritingProxy {
  url: string;
  close(): Promise<void>;
}

function forward(target: URL, rewrites: Record<string, Rewrite>, absent: readonly RegExp[], req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0]!;
  if (absent.some((p) => p.test(path))) {
    // an api-server without this route answers as Fastify does for an unknown route
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `Route ${req.method ?? 'GET'}:${path} not found`, error: 'Not Found', statusCode: 404 }));
    return;
  }
  const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
    const chunks: Buffer[] = [];
    answer.on('data', (c: Buffer) => chunks.push(c));
    answer.on('end', () => {
      const rewrite = rewrites[(req.url ?? '/').split('?')[0]!];
      let body = Buffer.concat(chunks);
      if (rewrite && answer.statusCode === 200) {
        const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        rewrite(json);
        body = Buffer.from(JSON.stringify(json));
      }
      const headers = { ...answer.headers, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      res.writeHead(answer.statusCode ?? 502, headers).end(body);
    });
  });
  upstream.on('error', () => res.writeHead(502).end());
  req.pipe(upstream);
}

/** `absent`: paths this older api-server does not have (answered 404 like an unknown route). */
export async function startRewritingProxy(apiUrl: string, rewrites: Record<string, Rewrite>, absent: readonly RegExp[] = []): Promise<RewritingProxy> {
  const target = new URL(apiUrl);
  const server = createServer((req, res) => forward(target, rewrites, absent, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
