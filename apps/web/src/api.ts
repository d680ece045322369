import { ClientErrorCode } from './errors';
import { clearSession, getSession } from './session';

/** An HTTP error with the server's `{code, message}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The whole error answer (some carry more, e.g. an import's errors by line). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** JSON over fetch with the bearer token; a 401 on an authenticated call signs the user out. */
export async function api<T>(method: string, path: string, body?: unknown, opts: { auth?: boolean } = {}): Promise<T> {
  const session = getSession();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (opts.auth !== false && session) headers.authorization = `Bearer ${session.token}`;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, ClientErrorCode.Network, 'Cannot reach the server. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const err = (data ?? {}) as { code?: string; message?: string };
    if (res.status === 401 && opts.auth !== false && session) clearSession();
    throw new ApiError(res.status, err.code ?? `HTTP_${res.status}`, err.message ?? `The server answered ${res.status}.`, data);
  }
  return data as T;
}

/** Downloads an authenticated file (fetch + Blob), so the token never goes into a URL. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const session = getSession();
  const res = await fetch(path, { headers: session ? { authorization: `Bearer ${session.token}` } : {} });
  if (!res.ok) {
    let message = `The server answered ${res.status}.`;
    try {
      message = ((await res.json()) as { message?: string }).message ?? message;
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, `HTTP_${res.status}`, message);
  }
  const blob = await res.blob();
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
