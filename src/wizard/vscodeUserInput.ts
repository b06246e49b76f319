// UserInput on VS Code's QuickPick and InputBox: Back buttons from step 2 on, validation as the
// user types, a busy indicator while a list loads.
import * as vscode from 'vscode';
import { UserCancelledError } from '../util/cancellation';
import { GoBackError, type ConfirmOptions, type InputOptions, type PickItem, type PickOptions, type UserInput } from './userInput';

type QuickItem<T> = vscode.QuickPickItem & { data?: T };

/** How long typing pauses before a server-side search is sent. */
const SEARCH_DELAY_MS = 300;

export class VsCodeUserInput implements UserInput {
  async pick<T>(items: ReadonlyArray<PickItem<T>> | Promise<ReadonlyArray<PickItem<T>>>, options: PickOptions): Promise<T> {
    const disposables: vscode.Disposable[] = [];
    const quickPick = vscode.window.createQuickPick<QuickItem<T>>();
    disposables.push(quickPick);
    try {
      quickPick.title = options.title;
      quickPick.placeholder = options.placeholder;
      quickPick.step = options.totalSteps && options.totalSteps > 1 ? options.step : undefined;
      quickPick.totalSteps = options.totalSteps && options.totalSteps > 1 ? options.totalSteps : undefined;
      quickPick.matchOnDescription = options.matchOnDescription ?? true;
      quickPick.matchOnDetail = options.matchOnDetail ?? false;
      quickPick.ignoreFocusOut = true;
      if ((options.step ?? 1) > 1) quickPick.buttons = [vscode.QuickInputButtons.Back];
      quickPick.busy = true;
      quickPick.show();
      // Server results are already filtered: they stay shown even when the text is not in their label.
      const show = (list: ReadonlyArray<PickItem<unknown>>, alwaysShow: boolean) => {
        quickPick.items = list.map((item) =>
          item.kind === 'separator'
            ? { label: item.label, kind: vscode.QuickPickItemKind.Separator }
            : { label: item.label, description: item.description, detail: item.detail, data: item.data as T, picked: item.picked, alwaysShow },
        );
        quickPick.busy = false;
      };
      const loaded = Promise.resolve(items).then((list) => show(list, false));
      if (options.search) {
        const search = options.search;
        let generation = 0;
        let timer: ReturnType<typeof setTimeout> | undefined;
        disposables.push(
          { dispose: () => clearTimeout(timer) },
          quickPick.onDidChangeValue((text) => {
            clearTimeout(timer);
            const mine = ++generation;
            // Typing pauses before a request goes out; an answer to older text is dropped.
            timer = setTimeout(() => {
              quickPick.busy = true;
              const list = text.trim() === '' ? Promise.resolve(items) : search(text);
              list.then(
                (found) => {
                  if (mine === generation) show(found, text.trim() !== '');
                },
                (error: unknown) => {
                  if (mine !== generation) return;
                  quickPick.busy = false;
                  quickPick.items = [{ label: `$(error) ${error instanceof Error ? error.message : String(error)}`, alwaysShow: true }];
                },
              );
            }, SEARCH_DELAY_MS);
          }),
        );
      }
      return await new Promise<T>((resolve, reject) => {
        loaded.catch(reject);
        disposables.push(
          quickPick.onDidTriggerButton((button) => {
            if (button === vscode.QuickInputButtons.Back) reject(new GoBackError());
          }),
          quickPick.onDidAccept(() => {
            const [selected] = quickPick.selectedItems;
            if (selected && selected.data !== undefined) resolve(selected.data as T);
          }),
          quickPick.onDidHide(() => reject(UserCancelledError.atPrompt(options.placeholder))),
        );
      });
    } finally {
      disposables.forEach((d) => d.dispose());
    }
  }

  async input(options: InputOptions): Promise<string> {
    const disposables: vscode.Disposable[] = [];
    const box = vscode.window.createInputBox();
    disposables.push(box);
    try {
      box.title = options.title;
      box.prompt = options.prompt;
      box.placeholder = options.placeholder;
      box.value = options.value ?? '';
      box.step = options.totalSteps && options.totalSteps > 1 ? options.step : undefined;
      box.totalSteps = options.totalSteps && options.totalSteps > 1 ? options.totalSteps : undefined;
      box.ignoreFocusOut = true;
      if ((options.step ?? 1) > 1) box.buttons = [vscode.QuickInputButtons.Back];
      let generation = 0;
      const validate = async (value: string) => {
        const mine = ++generation;
        const message = options.validate ? await options.validate(value) : undefined;
        if (mine === generation) box.validationMessage = message;
        return message;
      };
      box.show();
      if (box.value) void validate(box.value);
      return await new Promise<string>((resolve, reject) => {
        disposables.push(
          box.onDidTriggerButton((button) => {
            if (button === vscode.QuickInputButtons.Back) reject(new GoBackError());
          }),
          box.onDidChangeValue((value) => void validate(value)),
          box.onDidAccept(async () => {
            const value = box.value;
            box.enabled = false;
            box.busy = true;
            const message = await validate(value);
            box.enabled = true;
            box.busy = false;
            if (!message) resolve(value);
          }),
          box.onDidHide(() => reject(UserCancelledError.atPrompt(options.prompt))),
        );
      });
    } finally {
      disposables.forEach((d) => d.dispose());
    }
  }

  async confirm(message: string, options: ConfirmOptions, ...actions: string[]): Promise<string | undefined> {
    return vscode.window.showWarningMessage(message, { modal: options.modal, detail: options.detail }, ...actions);
  }
}
