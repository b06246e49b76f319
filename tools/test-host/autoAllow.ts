// Answers VS Code's "The extension … wants to sign in using …" dialog the way a user does, so the
// in-host suites can sign in through the real authentication API. Only that dialog is answered.
import type { Page } from 'playwright-core';

export function autoAllowSignIn(page: Page, onAllowed?: (text: string) => void): () => void {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      try {
        const dialog = page.getByRole('dialog').filter({ hasText: /wants to sign in using|wants to access/ });
        if (await dialog.count()) {
          const text = (await dialog.first().innerText()).split('\n')[0];
          await dialog.first().getByRole('button', { name: 'Allow' }).click({ timeout: 2000 });
          onAllowed?.(text);
        }
      } catch {
        // The page may be navigating or closing; try again on the next tick.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}
