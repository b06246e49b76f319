// Error bodies in each service's own shape.
// Entra: entra-docs docs/identity-platform/reference-error-codes.md ("Handling error codes": error,
//   error_description "AADSTSnnnn: …\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: yyyy-mm-dd hh:mm:ssZ",
//   error_codes, timestamp, trace_id, correlation_id, error_uri).
// Graph: {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}} (Graph errors doc).
// ARM: {"error":{"code","message"}} (ARM RPC "error response content").
import { randomUUID } from 'node:crypto';
import { json, SandboxRequest, SandboxResponse } from './router';

/** Entra's timestamp format in error bodies: `2016-01-09 02:02:12Z`. */
export function entraTimestamp(d = new Date()): string {
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export interface EntraErrorOptions {
  readonly status?: number;
  /** Extra fields, e.g. `suberror: 'consent_required'`, `claims`. */
  readonly extra?: Record<string, unknown>;
  /** Send `error_uri` (Entra sends it when the lookup page has more on the code). Default true. */
  readonly errorUri?: boolean;
}

/**
 * An OAuth error answer as Entra's token endpoint sends it. `error` is the OAuth code (invalid_request,
 * invalid_client, invalid_grant, unauthorized_client, invalid_scope, …); HTTP 401 for invalid_client, 400
 * otherwise, unless `status` says else.
 */
export function entraError(
  req: Pick<SandboxRequest, 'requestId' | 'headers' | 'core' | 'origin'>,
  error: string,
  code: number,
  message: string,
  options: EntraErrorOptions = {},
): SandboxResponse {
  const now = new Date();
  const timestamp = entraTimestamp(now);
  const traceId = req.requestId;
  const correlationId = req.headers['client-request-id'] || randomUUID();
  const body: Record<string, unknown> = {
    error,
    error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    ...(options.errorUri === false ? {} : { error_uri: `${req.origin}/error?code=${code}` }),
    ...options.extra,
  };
  const status = options.status ?? (error === 'invalid_client' ? 401 : 400);
  return json(status, body, { 'x-ms-request-id': traceId, 'client-request-id': correlationId, 'cache-control': 'no-store, no-cache', pragma: 'no-cache' });
}

/** A Microsoft Graph error answer. */
export function graphError(
  req: Pick<SandboxRequest, 'requestId' | 'headers'>,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): SandboxResponse {
  const clientRequestId = req.headers['client-request-id'] || req.requestId;
  return json(
    status,
    {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': req.requestId, 'client-request-id': clientRequestId },
      },
    },
    { 'request-id': req.requestId, 'client-request-id': clientRequestId, ...headers },
  );
}

/** An Azure Resource Manager error answer. */
export function armError(
  req: Pick<SandboxRequest, 'requestId' | 'headers'>,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): SandboxResponse {
  const clientRequestId = req.headers['x-ms-client-request-id'] || req.requestId;
  return json(
    status,
    { error: { code, message } },
    { 'x-ms-request-id': req.requestId, 'x-ms-correlation-request-id': req.requestId, 'x-ms-client-request-id': clientRequestId, ...headers },
  );
}
