// HTTP client of the PD worker (/api/v1). Used only by the background. Every failure becomes a PdError with a
// stable code and a sentence the user can read.
import type { ApiError } from '@pd/shared';
import { formatNumber, t, workerErrorText } from './i18n';

export class PdError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'PdError';
  }
}

export const UNREACHABLE = 'worker_unreachable';

export interface WorkerClientOptions {
  baseUrl: string;
  token?: string | null;
  fetch?: typeof fetch;
  /** Abort a request after this long (the panel must not spin forever). */
  timeoutMs?: number;
}

export class WorkerClient {
  readonly baseUrl: string;
  private readonly token: string | null;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(opts: WorkerClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token ?? null;
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> {
    let url = path;
    if (query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      const qs = params.toString();
      if (qs) url += `?${qs}`;
    }
    return this.request<T>('GET', url);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
    } catch {
      throw new PdError(UNREACHABLE, t('net_unreachable', this.baseUrl));
    } finally {
      clearTimeout(timer);
    }
    const text = await res.text().catch(() => '');
    let json: unknown = undefined;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    if (!res.ok) {
      if (res.status === 429) throw new PdError('rate_limited', rateLimitedMessage(res.headers.get('Retry-After')), 429);
      const err = (json as Partial<ApiError> | undefined)?.error;
      if (err && typeof err.code === 'string' && typeof err.message === 'string') {
        throw new PdError(err.code, workerErrorText(err.code, err.message), res.status);
      }
      if (res.status >= 500 || res.status === 0) {
        throw new PdError(UNREACHABLE, t('net_not_answering', res.status), res.status);
      }
      throw new PdError(`http_${res.status}`, t('net_refused', res.status), res.status);
    }
    if (json === undefined && text) {
      throw new PdError('bad_response', t('net_bad_response', this.baseUrl), res.status);
    }
    return json as T;
  }
}

/** 429 from the worker's rate limits: one sentence with the wait from Retry-After (seconds, or an HTTP date). */
export function rateLimitedMessage(retryAfter: string | null, now = Date.now()): string {
  let seconds: number | null = null;
  if (retryAfter && /^\d+$/.test(retryAfter.trim())) seconds = Number(retryAfter.trim());
  else if (retryAfter && !Number.isNaN(Date.parse(retryAfter))) seconds = Math.max(0, Math.ceil((Date.parse(retryAfter) - now) / 1000));
  if (seconds === null) return t('rate_limited');
  if (seconds < 1) return t('rate_limited_now');
  if (seconds < 120) return t('rate_limited_seconds', formatNumber(seconds));
  return t('rate_limited_minutes', formatNumber(Math.ceil(seconds / 60)));
}
