// Transport security for the sandbox: a CA generated at start (or reused from a folder the caller names) and a
// server certificate for 127.0.0.1 / localhost / ::1 signed by it. Keys come from node:crypto (fast, native);
// node-forge only builds and signs the X.509 certificates.
import { generateKeyPair, KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { PUBLIC_HOST } from './router';

const generateRsa = promisify(generateKeyPair);

export interface TlsMaterial {
  /** PEM of the CA certificate clients must trust. */
  readonly caCertPem: string;
  /** Path of a file holding `caCertPem` (for NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, REQUESTS_CA_BUNDLE). */
  readonly caPath: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  /** Removes the temporary folder, if the sandbox made one. */
  dispose(): void;
}

async function rsaKeyPair(): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return generateRsa('rsa', { modulusLength: 2048 });
}

function toForgePrivate(key: KeyObject): forge.pki.rsa.PrivateKey {
  return forge.pki.privateKeyFromPem(key.export({ type: 'pkcs1', format: 'pem' }).toString());
}

function toForgePublic(key: KeyObject): forge.pki.rsa.PublicKey {
  return forge.pki.publicKeyFromPem(key.export({ type: 'spki', format: 'pem' }).toString());
}

function serial(): string {
  // Positive, 16 bytes, random: browsers and OpenSSL reject duplicate serials from one CA.
  const bytes = forge.random.getBytesSync(16);
  return '01' + forge.util.bytesToHex(bytes).slice(2);
}

function makeCa(keys: { privateKey: KeyObject; publicKey: KeyObject }): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = toForgePublic(keys.publicKey);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 3650 * 24 * 60 * 60 * 1000);
  const attrs = [
    { name: 'commonName', value: 'Federated Credentials Sandbox CA' },
    { name: 'organizationName', value: 'Federated Credentials Sandbox' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(toForgePrivate(keys.privateKey), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function makeServerCert(caCertPem: string, caKey: KeyObject, serverPublic: KeyObject, publicHosts: boolean): string {
  const ca = forge.pki.certificateFromPem(caCertPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = toForgePublic(serverPublic);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 90 * 24 * 60 * 60 * 1000);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        // Only when asked for (a throw-away CA in a network namespace): the public hosts the sandbox then answers.
        ...(publicHosts ? Object.values(PUBLIC_HOST).map((value) => ({ type: 2, value })) : []),
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
  ]);
  cert.sign(toForgePrivate(caKey), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/**
 * Makes the CA and server certificate. With `caDir`, the CA (ca.pem + ca-key.pem) is reused when present and
 * written there otherwise, so a long-lived client (a VS Code host started with NODE_EXTRA_CA_CERTS) can keep
 * trusting it across sandbox restarts. Without it, everything lives in a fresh temporary folder.
 */
export async function createTlsMaterial(caDir?: string, publicHosts = false): Promise<TlsMaterial> {
  const serverKeysP = rsaKeyPair();
  let caCertPem: string;
  let caKey: KeyObject;
  let dir: string;
  let temporary = false;
  const certFile = caDir ? join(caDir, 'ca.pem') : '';
  const keyFile = caDir ? join(caDir, 'ca-key.pem') : '';
  if (caDir && existsSync(certFile) && existsSync(keyFile)) {
    dir = caDir;
    caCertPem = readFileSync(certFile, 'utf8');
    const { createPrivateKey } = await import('node:crypto');
    caKey = createPrivateKey(readFileSync(keyFile, 'utf8'));
  } else {
    const caKeys = await rsaKeyPair();
    caCertPem = makeCa(caKeys);
    caKey = caKeys.privateKey;
    if (caDir) {
      mkdirSync(caDir, { recursive: true });
      dir = caDir;
      writeFileSync(keyFile, caKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
    } else {
      dir = mkdtempSync(join(tmpdir(), 'fc-sandbox-'));
      temporary = true;
    }
    writeFileSync(join(dir, 'ca.pem'), caCertPem);
  }
  const serverKeys = await serverKeysP;
  const serverCertPem = makeServerCert(caCertPem, caKey, serverKeys.publicKey, publicHosts);
  return {
    caCertPem,
    caPath: join(dir, 'ca.pem'),
    serverCertPem,
    serverKeyPem: serverKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    dispose: () => {
      if (temporary) rmSync(dir, { recursive: true, force: true });
    },
  };
}
