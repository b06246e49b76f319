// The UserInput of a command called with an arguments object: it never shows a prompt (a caller
// without a UI would wait forever); it fails with what the caller has to pass instead.
import type { InputOptions, PickItem, PickOptions, UserInput } from './userInput';

export class MissingArgumentError extends Error {
  constructor(what: string) {
    super(`This call needs more arguments: the command would ask "${what}". Pass it in the arguments object.`);
    this.name = 'MissingArgumentError';
  }
}

export class NoPromptUserInput implements UserInput {
  async pick<T>(_items: ReadonlyArray<PickItem<T>> | Promise<ReadonlyArray<PickItem<T>>>, options: PickOptions): Promise<T> {
    throw new MissingArgumentError(options.placeholder);
  }

  async input(options: InputOptions): Promise<string> {
    throw new MissingArgumentError(options.prompt);
  }

  async confirm(message: string): Promise<string | undefined> {
    throw new MissingArgumentError(message);
  }
}
