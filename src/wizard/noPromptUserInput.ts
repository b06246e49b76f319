// The UserInput of a command called with an arguments object: it never shows a prompt (a caller
// without a UI would wait forever); it fails with what the caller has to pass instead.
import type { InputOptions, PickItem, PickOptions, UserInput } from './userInput';

export class MissingArgumentError extends Error {
  /** `argument`: the key of the arguments object that would answer the prompt, when the prompt names it. */
  constructor(
    what: string,
    readonly argument?: string,
  ) {
    super(
      argument
        ? `Pass "${argument}" in the arguments object: it is missing, and the command would otherwise ask "${what}".`
        : `This call needs more arguments: the command would ask "${what}". Pass it in the arguments object.`,
    );
    this.name = 'MissingArgumentError';
  }
}

export class NoPromptUserInput implements UserInput {
  async pick<T>(_items: ReadonlyArray<PickItem<T>> | Promise<ReadonlyArray<PickItem<T>>>, options: PickOptions): Promise<T> {
    throw new MissingArgumentError(options.placeholder, options.argument);
  }

  async input(options: InputOptions): Promise<string> {
    throw new MissingArgumentError(options.prompt, options.argument);
  }

  async confirm(message: string): Promise<string | undefined> {
    throw new MissingArgumentError(message);
  }
}
