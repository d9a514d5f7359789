import { classifyResponse, type PostOutcome } from './post-outcome.ts';
import type { PostRequest } from '../post/request-builder.ts';

/**
 * Sends one request and classifies the answer; network errors, timeouts and an abort (the device
 * stopping) become `retry`, so the readings stay in the outbox.
 */
export async function httpPost(baseUrl: string, request: PostRequest, timeoutMs: number, stop?: AbortSignal): Promise<PostOutcome> {
  try {
    const res = await fetch(new URL(request.path, baseUrl), {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: stop ? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]) : AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return classifyResponse(res.status, res.headers, text);
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const reason = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.name ?? 'network');
    return { kind: 'retry', reason: `network_${String(reason).toLowerCase()}` };
  }
}
