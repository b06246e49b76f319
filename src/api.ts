// The surface that tests and other extensions reach through `extension.exports`.
// Versioned so that consumers can check what they got.
export interface FederatedCredentialsApi {
  readonly apiVersion: 1;
}

export function createExtensionApi(): FederatedCredentialsApi {
  return { apiVersion: 1 };
}
