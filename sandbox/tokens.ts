// RS256 JWTs signed with a per-sandbox key (node:crypto only), the JWKS that publishes it, and the verify
// helpers Graph/ARM routes use. Claims follow Entra's access-token reference (v2.0 tokens):
// entra-docs docs/identity-platform/access-token-claims-reference.md.
import { createHash, createPublicKey, generateKeyPair, KeyObject, randomBytes, sign, verify } from 'node:crypto';
import { promisify } from 'node:util';

const generateRsa = promisify(generateKeyPair);

export interface Jwk {
  readonly kty: 'RSA';
  readonly use: 'sig';
  readonly kid: string;
  readonly x5t: string;
  readonly n: string;
  readonly e: string;
  readonly issuer?: string;
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: Jwk;
}

export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // Entra's kid/x5t is the base64url SHA-1 thumbprint of the signing certificate; ours is of the public key.
  const kid = createHash('sha1').update(spki).digest('base64url');
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  return { kid, privateKey, publicKey, jwk: { kty: 'RSA', use: 'sig', kid, x5t: kid, n: jwk.n, e: jwk.e } };
}

/** Claims the sandbox puts in access tokens. `roles`/`scp` are absent when empty, as in Entra. */
export interface AccessTokenClaims {
  readonly aud: string;
  readonly iss: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly tid: string;
  readonly oid: string;
  readonly sub: string;
  /** Client application id (v2 `azp`; `appid` is the v1 name, also present). */
  readonly azp: string;
  readonly appid: string;
  /** 0 public client, 1 client secret, 2 certificate or client assertion. */
  readonly azpacr: '0' | '1' | '2';
  readonly ver: '2.0';
  /** `app` for app-only tokens, `user` for delegated ones (Entra's optional `idtyp` claim). */
  readonly idtyp: 'app' | 'user';
  readonly scp?: string;
  readonly roles?: readonly string[];
  readonly name?: string;
  readonly preferred_username?: string;
  readonly upn?: string;
  /** ARM id of a managed identity (managed-identity tokens only). */
  readonly xms_mirid?: string;
  readonly uti: string;
  readonly rh?: string;
}

export function signJwt(payload: object, key: SigningKey): string {
  const header = { typ: 'JWT', alg: 'RS256', x5t: key.kid, kid: key.kid };
  const h = Buffer.from(JSON.stringify(header)).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = sign('RSA-SHA256', Buffer.from(`${h}.${p}`), key.privateKey).toString('base64url');
  return `${h}.${p}.${signature}`;
}

export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** Parses a compact JWS without checking anything; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2] as string, 'base64url') };
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks an RS256 signature against one of `keys` (matched by kid when the header has one). */
export function verifySignature(jwt: DecodedJwt, keys: readonly (SigningKey | Jwk)[]): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  const candidates = keys.filter((k) => jwt.header.kid === undefined || ('jwk' in k ? k.kid : k.kid) === jwt.header.kid);
  return candidates.some((k) => {
    const publicKey = 'jwk' in k ? k.publicKey : createPublicKey({ key: { kty: 'RSA', n: k.n, e: k.e }, format: 'jwk' });
    try {
      return verify('RSA-SHA256', Buffer.from(jwt.signingInput), publicKey, jwt.signature);
    } catch {
      return false;
    }
  });
}

export type TokenCheck =
  | { readonly ok: true; readonly claims: AccessTokenClaims }
  | {
      readonly ok: false;
      /** missing: no bearer token; malformed: not a JWT; signature; expired; notYetValid; audience; issuer. */
      readonly reason: 'missing' | 'malformed' | 'signature' | 'expired' | 'notYetValid' | 'audience' | 'issuer';
      readonly claims?: Record<string, unknown>;
    };

/** A new unique token identifier (`uti`) / trace id material. */
export function uniqueId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}
