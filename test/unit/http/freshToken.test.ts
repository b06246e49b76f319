// The pieces the Graph and ARM clients share to refresh a refused token once (src/http/freshToken.ts).
import assert from 'node:assert/strict';
import { freshTokenOptions, isFreshTokenRequest, isRefusedToken } from '../../../src/http/freshToken';

describe('auth: fresh token after a refused one', () => {
  it('asks for a token issued now (claims nbf) on top of the normal options, and is recognisable', () => {
    const signal = new AbortController().signal;
    const options = freshTokenOptions({ abortSignal: signal, enableCae: true }, Date.UTC(2026, 0, 1, 12, 0, 0));
    assert.equal(options.abortSignal, signal);
    assert.equal(options.enableCae, true);
    assert.deepEqual(JSON.parse(options.claims!), { access_token: { nbf: { essential: true, value: String(Date.UTC(2026, 0, 1, 12, 0, 0) / 1000) } } });
    assert.equal(isFreshTokenRequest(options), true);
    assert.equal(isFreshTokenRequest({ ...options }), false, 'only the object made here counts: a copy is an ordinary request');
    assert.equal(isFreshTokenRequest({ claims: options.claims }), false);
    assert.equal(isFreshTokenRequest(undefined), false);
  });

  it("recognises the services' refusals of a token, and nothing else", () => {
    const body = (code: string) => ({ error: { code, message: 'x' } });
    assert.equal(isRefusedToken('graph', 401, body('InvalidAuthenticationToken')), true);
    assert.equal(isRefusedToken('graph', 401, JSON.stringify(body('InvalidAuthenticationToken'))), true, 'raw text bodies too');
    assert.equal(isRefusedToken('arm', 401, body('ExpiredAuthenticationToken')), true);
    assert.equal(isRefusedToken('arm', 401, body('InvalidAuthenticationToken')), true);
    // A fresh token of the same kind would not help with these.
    assert.equal(isRefusedToken('arm', 401, body('InvalidAuthenticationTokenAudience')), false);
    assert.equal(isRefusedToken('arm', 401, body('InvalidAuthenticationTokenTenant')), false);
    assert.equal(isRefusedToken('arm', 401, body('AuthenticationFailed')), false);
    assert.equal(isRefusedToken('graph', 401, body('ExpiredAuthenticationToken')), false);
    assert.equal(isRefusedToken('graph', 403, body('InvalidAuthenticationToken')), false);
    assert.equal(isRefusedToken('graph', 401, 'not json'), false);
    assert.equal(isRefusedToken('graph', 401, null), false);
  });
});
