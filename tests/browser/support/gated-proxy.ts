/**
 * An HTTP proxy in front of the real api-server that holds the requests of chosen paths until it is
 * opened: it stands in for an API the dashboard cannot reach yet (its event stream, say), while
 * every other request goes through. Answers are streamed, so Server-Sent Events pass as they come.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

export interface GatedProxy {
  url: string;
  /** requests waiting at the gate */
  readonly held: number;
  /** lets the held requests, and every later one, through */
  open(): void;
  close(): Promise<void>;
}

function forward(target: URL, req: IncomingMessage, res: ServerResponse): void {
  const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

export async function startGatedProxy(apiUrl: string, gated: RegExp): Promise<GatedProxy> {
  const target = new URL(apiUrl);
  const waiting: Array<() => void> = [];
  let isOpen = false;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (isOpen || !gated.test(path)) return forward(target, req, res);
    waiting.push(() => forward(target, req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get held() {
      return waiting.length;
    },
    open() {
      isOpen = true;
      for (const go of waiting.splice(0)) go();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
