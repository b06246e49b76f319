// The Graph request log (the output channel's lines): path and query only, and a failed request's
// error text with any token, assertion or secret in it redacted.
import assert from 'node:assert/strict';
import type { Context } from '@microsoft/microsoft-graph-client';
import { LoggingMiddleware } from '../../../src/graph/middleware';
import type { RequestLogger } from '../../../src/http/requestLog';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('graph: LoggingMiddleware', () => {
  it('logs the path and query, never the origin', async () => {
    const lines: Array<Parameters<RequestLogger['request']>[0]> = [];
    const middleware = new LoggingMiddleware({ request: (e) => lines.push(e) });
    middleware.setNext({
      execute: async (context: Context) => {
        context.response = new Response('{}', { status: 200, headers: { 'request-id': 'r-1' } });
      },
    });
    await middleware.execute({ request: 'https://user:pw@graph.example/v1.0/applications?$top=5', options: { method: 'get' } } as Context);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.url, '/v1.0/applications?$top=5');
    assert.equal(lines[0]!.method, 'GET');
    assert.equal(lines[0]!.requestId, 'r-1');
  });

  it("redacts a token, a bearer header or a client secret in a failed request's error text", async () => {
    const lines: Array<Parameters<RequestLogger['request']>[0]> = [];
    const middleware = new LoggingMiddleware({ request: (e) => lines.push(e) });
    const failure = new Error(`connect failed for Bearer abcdefghijklmnop token ${JWT} client_secret=s3cr3t-value-here`);
    middleware.setNext({
      execute: async () => {
        throw failure;
      },
    });
    await assert.rejects(middleware.execute({ request: 'https://graph.example/v1.0/me', options: { method: 'POST' } } as Context), (e) => e === failure);
    assert.equal(lines.length, 1);
    const text = lines[0]!.error ?? '';
    assert.equal(lines[0]!.status, 'error');
    assert.match(text, /connect failed/);
    for (const secret of [JWT, 'abcdefghijklmnop', 's3cr3t-value-here', 'c2lnbmF0dXJl']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
  });
});
