import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** What the next chat completion answers with. */
export type FakeReply =
  /** The model's JSON content (serialised as the message content). */
  | { kind: 'json'; content: unknown; usage?: { prompt_tokens: number; completion_tokens: number } }
  /** A raw string as message content (for malformed JSON). */
  | { kind: 'raw'; content: string }
  /** Wait this long before answering (longer than the client's timeout to force one). */
  | { kind: 'delay'; ms: number; then: FakeReply }
  /** An HTTP error status with an OpenAI-style error body. */
  | { kind: 'status'; status: number };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

/**
 * A small OpenAI-compatible server on 127.0.0.1 for tests: answers POST /v1/chat/completions with
 * scripted replies (a queue; the last one repeats), and records every request it gets.
 */
export class FakeOpenAi {
  readonly requests: RecordedRequest[] = [];
  private replies: FakeReply[] = [];
  private server: Server | null = null;
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<import('node:net').Socket>();
  baseUrl = '';

  /** Queue replies; when the queue holds one reply, it answers every later request too. */
  script(...replies: FakeReply[]): this {
    this.replies = replies;
    return this;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}/v1`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  private nextReply(): FakeReply {
    if (this.replies.length === 0) return { kind: 'status', status: 500 };
    return this.replies.length > 1 ? this.replies.shift()! : this.replies[0];
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: any = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        /* recorded as null */
      }
      this.requests.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        return send(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
      }
      this.answer(res, this.nextReply(), body?.model ?? 'fake-model');
    });
  }

  private answer(res: ServerResponse, reply: FakeReply, model: string): void {
    switch (reply.kind) {
      case 'delay': {
        const t = setTimeout(() => {
          this.pending.delete(t);
          if (!res.destroyed) this.answer(res, reply.then, model);
        }, reply.ms);
        this.pending.add(t);
        return;
      }
      case 'status':
        return send(res, reply.status, { error: { message: `scripted ${reply.status}`, type: 'server_error' } });
      case 'raw':
        return send(res, 200, completion(model, reply.content, { prompt_tokens: 10, completion_tokens: 5 }));
      case 'json':
        return send(
          res,
          200,
          completion(model, JSON.stringify(reply.content), reply.usage ?? { prompt_tokens: 100, completion_tokens: 40 }),
        );
    }
  }
}

function completion(model: string, content: string, usage: { prompt_tokens: number; completion_tokens: number }) {
  return {
    id: `chatcmpl-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
