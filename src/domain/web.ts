// The WHATWG URL and URLSearchParams globals exist in Node 20 and in every VS Code host, but the core compiles
// with `types: []` and no DOM lib, so it cannot see them. Rather than a global declaration (which would clash
// with @types/node in the full build), this module describes the small part the core uses and takes the
// runtime global once. Everything in src/domain reaches URLs through here.

export interface WebUrl {
  href: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
  readonly origin: string;
  readonly searchParams: WebSearchParams;
  toString(): string;
}

export interface WebSearchParams {
  append(name: string, value: string): void;
  delete(name: string): void;
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string): boolean;
  set(name: string, value: string): void;
  keys(): IterableIterator<string>;
  entries(): IterableIterator<[string, string]>;
  toString(): string;
}

interface WebUrlConstructor {
  new (input: string, base?: string): WebUrl;
}

interface WebSearchParamsConstructor {
  new (init?: string | Record<string, string> | [string, string][]): WebSearchParams;
}

const web = globalThis as unknown as { URL: WebUrlConstructor; URLSearchParams: WebSearchParamsConstructor };

export const Url: WebUrlConstructor = web.URL;
export const SearchParams: WebSearchParamsConstructor = web.URLSearchParams;

/** Parses an absolute URL, or returns undefined instead of throwing. */
export function tryParseUrl(input: string): WebUrl | undefined {
  try {
    return new Url(input);
  } catch {
    return undefined;
  }
}

/** Loopback hosts may use plain http (the test emulator and OAuth loopback redirects). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * The same loopback URL with its host spelled `127.1`, which browsers read as 127.0.0.1 but VS Code for the web's
 * port-forwarding rewrite (authority `localhost:port` or `127.0.0.1:port`) does not match. Other URLs unchanged.
 */
export function loopbackUrlPastProxy(url: string): string {
  return url.replace(/^(https?:\/\/)(localhost|127\.0\.0\.1)(?=[:/?#]|$)/i, '$1127.1');
}
