// A UserInput that replays scripted answers: a label (or RegExp) picks an item, a string answers an
// input (after running its validation, so tests see the messages a user would), BACK presses Back.
// An unexpected prompt fails at once instead of hanging; unused answers fail in assertDone().
import { UserCancelledError } from '../../src/util/cancellation';
import { GoBackError, type ConfirmOptions, type InputOptions, type PickItem, type PickOptions, type UserInput } from '../../src/wizard/userInput';

export const BACK = Symbol('back');
export const CANCEL = Symbol('cancel');
export type Answer = string | RegExp | typeof BACK | typeof CANCEL;

export interface PromptRecord {
  readonly kind: 'pick' | 'input' | 'confirm';
  readonly text: string;
  readonly step?: number;
  readonly totalSteps?: number;
  readonly items?: string[];
  readonly value?: string;
  readonly validation?: string;
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
    const list = (await items).filter((i) => i.kind !== 'separator');
    this.prompts.push({ kind: 'pick', text: options.placeholder, step: options.step, totalSteps: options.totalSteps, items: list.map((i) => i.label) });
    const answer = this.next('pick', options.placeholder) as string | RegExp;
    const match = list.find((i) => (typeof answer === 'string' ? i.label === answer : answer.test(i.label)));
    if (!match) throw new Error(`No item matches ${String(answer)} in "${options.placeholder}": ${list.map((i) => i.label).join(' | ')}`);
    return match.data;
  }

  async input(options: InputOptions): Promise<string> {
    const answer = this.next('input', options.prompt);
    if (typeof answer !== 'string') throw new Error(`Input "${options.prompt}" needs a string answer, got ${String(answer)}`);
    const validation = options.validate ? await options.validate(answer) : undefined;
    this.prompts.push({ kind: 'input', text: options.prompt, step: options.step, totalSteps: options.totalSteps, value: options.value, validation });
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
