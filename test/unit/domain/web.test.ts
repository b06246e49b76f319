// Loopback URLs opened from VS Code for the web: spelled so the port-forwarding rewrite (which drops the path and
// speaks plain HTTP) leaves them alone, with the same address for the browser.
import assert from 'node:assert/strict';
import { isLoopbackHost, loopbackUrlPastProxy } from '../../../src/domain/web';

/**
 * VS Code for the web's rewrite test (code-server 4.100, workbench.js), on the authority as VS Code's URI keeps it
 * (not normalised, unlike WHATWG URL's host).
 */
const rewrittenByVsCodeWeb = (url: string) => /^(localhost|127\.0\.0\.1|0\.0\.0\.0):(\d+)$/.test(/^[a-z]+:\/\/([^/?#]*)/i.exec(url)?.[1] ?? '');

describe('domain: loopback URLs past the web proxy', () => {
  it('respells 127.0.0.1 and localhost as 127.1, which the browser reads as 127.0.0.1, keeping path, query and fragment', () => {
    const url = 'https://127.0.0.1:8443/contoso.onmicrosoft.com/adminconsent?client_id=abc&redirect_uri=https%3A%2F%2Fx#top';
    const past = loopbackUrlPastProxy(url);
    assert.equal(past, 'https://127.1:8443/contoso.onmicrosoft.com/adminconsent?client_id=abc&redirect_uri=https%3A%2F%2Fx#top');
    assert.equal(rewrittenByVsCodeWeb(url), true);
    assert.equal(rewrittenByVsCodeWeb(past), false);
    // What the browser opens: the same host and port, path and query.
    const opened = new URL(past);
    assert.equal(opened.host, '127.0.0.1:8443');
    assert.equal(`${opened.pathname}${opened.search}${opened.hash}`, `${new URL(url).pathname}${new URL(url).search}${new URL(url).hash}`);
    assert.equal(loopbackUrlPastProxy('https://LocalHost:9/devicelogin'), 'https://127.1:9/devicelogin');
    assert.equal(isLoopbackHost(new URL(loopbackUrlPastProxy('http://localhost')).hostname), true);
  });

  it('leaves other URLs alone, including hosts that only start like loopback ones', () => {
    for (const url of [
      'https://login.microsoftonline.com/common/adminconsent',
      'https://localhost.contoso.com/x',
      'https://127.0.0.10:443/x',
      'https://[::1]:8443/x',
      'ftp://127.0.0.1/x',
    ]) {
      assert.equal(loopbackUrlPastProxy(url), url);
    }
  });
});
