// A UserInput that replays scripted answers: a label (or RegExp) picks an item, a string answers an
// input (after running its validation, so tests see the messages a user would), BACK presses Back.
// An unexpected prompt fails at once instead of hanging; unused answers fail in assertDone().
import { UserCancelledError } from '../../src/util/cancellation';
import { GoBackError, type ConfirmOptions, type InputOptions, type PickItem, type PickOptions, type UserInput } from '../../src/wizard/userInput';

export const BACK = Symbol('back');
export const CANCEL = Symbol('cancel');

/** Typing `text` into a pick with server-side search, then choosing `pick` from what it found. */
export class SearchAnswer {
  constructor(
    readonly text: string,
    readonly pick: string | RegExp,
  ) {}
}
export const typeAndPick = (text: string, pick: string | RegExp) => new SearchAnswer(text, pick);

export type Answer = string | RegExp | typeof BACK | typeof CANCEL | SearchAnswer;

export interface PromptRecord {
  readonly kind: 'pick' | 'input' | 'confirm';
  readonly text: string;
  readonly step?: number;
  readonly totalSteps?: number;
  readonly items?: string[];
  readonly value?: string;
  readonly validation?: string;
  /** An input's own check, to try other values with (what the user would see while typing them). */
  readonly check?: (value: string) => Promise<string | undefined>;
  /** For a pick: each item's detail line. */
  readonly details?: string[];
  /** For a pick: the text typed into its search, and the labels the search found. */
  readonly searched?: string;
  readonly found?: string[];
}

export class ScriptedUserInput implements UserInput {
  readonly prompts: PromptRecord[] = [];
  private readonly answers: Answer[];

  constructor(answers: Answer[]) {
    this.answers = [...answers];
  }

  private next(kind: string, text: string): Answer {
    const answer = this.answers.shift();
    if (answer === undefined) throw new Error(`Unexpected ${kind} prompt with no scripted answer: ${text}`);
    if (answer === CANCEL) throw UserCancelledError.atPrompt(text);
    if (answer === BACK) throw new GoBackError();
    return answer;
  }

  async pick<T>(items: ReadonlyArray<PickItem<T>> | Promise<ReadonlyArray<PickItem<T>>>, options: PickOptions): Promise<T> {
    let list = (await items).filter((i) => i.kind !== 'separator');
    const record: { -readonly [K in keyof PromptRecord]: PromptRecord[K] } = {
      kind: 'pick',
      text: options.placeholder,
      step: options.step,
      totalSteps: options.totalSteps,
      items: list.map((i) => i.label),
      details: list.map((i) => i.detail ?? ''),
    };
    this.prompts.push(record);
    const answer = this.next('pick', options.placeholder);
    if (answer instanceof SearchAnswer) {
      // The user types `text`: the list becomes the server's answer, and `pick` is chosen from it.
      if (!options.search) throw new Error(`"${options.placeholder}" has no search, so typing ${JSON.stringify(answer.text)} only filters the list`);
      list = (await options.search(answer.text)).filter((i) => i.kind !== 'separator') as Array<PickItem<T>>;
      record.searched = answer.text;
      record.found = list.map((i) => i.label);
    }
    const wanted = answer instanceof SearchAnswer ? answer.pick : (answer as string | RegExp);
    const match = list.find((i) => (typeof wanted === 'string' ? i.label === wanted : wanted.test(i.label)));
    if (!match) throw new Error(`No item matches ${String(wanted)} in "${options.placeholder}": ${list.map((i) => i.label).join(' | ')}`);
    return match.data;
  }

  async input(options: InputOptions): Promise<string> {
    const answer = this.next('input', options.prompt);
    if (typeof answer !== 'string') throw new Error(`Input "${options.prompt}" needs a string answer, got ${String(answer)}`);
    const validation = options.validate ? await options.validate(answer) : undefined;
    const check = async (value: string) => (options.validate ? ((await options.validate(value)) ?? undefined) : undefined);
    this.prompts.push({ kind: 'input', text: options.prompt, step: options.step, totalSteps: options.totalSteps, value: options.value, validation, check });
    if (validation) throw new Error(`Input "${options.prompt}" refused ${JSON.stringify(answer)}: ${validation}`);
    return answer;
  }

  async confirm(message: string, _options: ConfirmOptions, ...actions: string[]): Promise<string | undefined> {
    this.prompts.push({ kind: 'confirm', text: message, items: actions });
    const answer = this.next('confirm', message);
    if (typeof answer !== 'string') return undefined;
    if (!actions.includes(answer)) throw new Error(`Confirm "${message}" has no action ${answer}: ${actions.join(', ')}`);
    return answer;
  }

  assertDone(): void {
    if (this.answers.length > 0) throw new Error(`${this.answers.length} scripted answer(s) were not used: ${this.answers.map(String).join(', ')}`);
  }
}
