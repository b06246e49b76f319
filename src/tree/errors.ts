// The message a view shows for a failed load: plain words, never a stack or a token.
import { redactSecrets } from '../domain/text';

export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redactSecrets(message).split('\n')[0];
}
