// What must never appear in telemetry: ids, URLs, e-mail addresses (UPNs), tokens, long hex strings.
export const SENSITIVE = [
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i, // GUID: tenant, app, object ids
  /[a-z][a-z0-9+.-]*:\/\//i, // URL
  /[^\s@"]+@[^\s@"]+\.[^\s@"]+/, // e-mail / UPN
  /eyJ[\w-]*\.[\w-]*\.[\w-]*/, // JWT
  /\b[0-9a-f]{32,}\b/i, // long hex (thumbprints, hashes)
];
