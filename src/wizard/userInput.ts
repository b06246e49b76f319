import { classMark, isInstanceAcrossCopies } from '../util/sharedClass';
// The prompts a wizard may show, behind an interface: VS Code implements it with QuickPick and
// InputBox; tests script the answers. No `vscode` import here, so wizards are unit-tested in Node.

export interface PickItem<T = unknown> {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  /** A separator row in the list (not selectable). */
  readonly kind?: 'separator';
  readonly picked?: boolean;
  readonly data: T;
}

export interface PickOptions {
  readonly title?: string;
  readonly placeholder: string;
  /** The key of the command's arguments object that answers this prompt, for callers without a UI. */
  readonly argument?: string;
  /** Step counter shown as "2/4". */
  readonly step?: number;
  readonly totalSteps?: number;
  readonly matchOnDescription?: boolean;
  readonly matchOnDetail?: boolean;
  /**
   * Server-side search: as the user types, the list becomes `search(text)` (the items given first
   * stand for the empty text). For lists that are only a first page of something larger, such as a
   * tenant's app registrations.
   */
  readonly search?: (text: string) => Promise<ReadonlyArray<PickItem<unknown>>>;
}

export interface InputOptions {
  readonly title?: string;
  readonly prompt: string;
  /** The key of the command's arguments object that answers this prompt, for callers without a UI. */
  readonly argument?: string;
  readonly placeholder?: string;
  readonly value?: string;
  readonly password?: false;
  readonly step?: number;
  readonly totalSteps?: number;
  /** Returns an error message, or undefined when the value is fine. Runs as the user types. */
  readonly validate?: (value: string) => string | undefined | Promise<string | undefined>;
}

export interface ConfirmOptions {
  readonly modal: boolean;
  readonly detail?: string;
}

export interface UserInput {
  pick<T>(items: ReadonlyArray<PickItem<T>> | Promise<ReadonlyArray<PickItem<T>>>, options: PickOptions): Promise<T>;
  input(options: InputOptions): Promise<string>;
  /** Resolves with the chosen action, or undefined when dismissed. */
  confirm(message: string, options: ConfirmOptions, ...actions: string[]): Promise<string | undefined>;
}

/** The user pressed Back: the wizard returns to the previous step. */
/** Instances of any copy of GoBackError (main bundle or a lazily loaded command chunk) pass `instanceof`. */
const GO_BACK_ERROR_MARK = classMark('GoBackError');

export class GoBackError extends Error {
  readonly [GO_BACK_ERROR_MARK] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isInstanceAcrossCopies(this, GoBackError, GO_BACK_ERROR_MARK, value);
  }

  constructor() {
    super('Go back');
    this.name = 'GoBackError';
  }
}
