/**
 * One webhook attempt: POST the delivery as JSON, signed with the hook's secret
 * (HMAC-SHA256 of the exact body, hex, in `X-Stagegraph-Signature: sha256=<hex>`). Any
 * 2xx is delivered; anything else, a redirect included, a timeout or a network error is
 * a failed attempt.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HookDelivery } from './types.ts';

export const SIGNATURE_HEADER = 'x-stagegraph-signature';
export const EVENT_HEADER = 'x-stagegraph-event';
export const DELIVERY_HEADER = 'x-stagegraph-delivery';

/** `sha256=<hex HMAC-SHA256 of body with secret>`. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Whether `header` is the signature of `body` under `secret`, compared in constant time.
 * @example
 * if (!verifySignature(secret, rawBody, req.headers['x-stagegraph-signature'])) return res.writeHead(401).end();
 */
export function verifySignature(secret: string, body: string | Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The outcome of one attempt (`error` says why it failed). */
export interface AttemptOutcome {
  ok: boolean;
  status?: number;
  error?: string;
}

/** POSTs the delivery; never throws. */
export async function postWebhook(url: string, secret: string, delivery: HookDelivery, signal: AbortSignal): Promise<AttemptOutcome> {
  const body = JSON.stringify(delivery);
  try {
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'stagegraph-hooks',
        [SIGNATURE_HEADER]: signBody(secret, body),
        [EVENT_HEADER]: delivery.event,
        [DELIVERY_HEADER]: delivery.id,
      },
      body,
    });
    // Read the body so that the connection is free again; its content is not used.
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (e) {
    if (signal.aborted) return { ok: false, error: 'timed out' };
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, error: cause?.code ?? cause?.message ?? (e as Error).message ?? String(e) };
  }
}
