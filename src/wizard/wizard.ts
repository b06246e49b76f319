// A small wizard engine: prompt steps fill one context object; the command then acts on it.
// Steps whose answer is already in the context (from a command's arguments) are skipped, which is
// how every command also works without a UI. Back restores the context as it was before the step.
import { GoBackError, type UserInput } from './userInput';

export interface PromptStep<C> {
  /** False when the context already holds this step's answer. */
  shouldPrompt(context: C): boolean;
  prompt(context: C, ui: UserInput, position: StepPosition): Promise<void>;
}

export interface StepPosition {
  readonly step: number;
  readonly totalSteps: number;
}

export async function runPromptSteps<C extends object>(context: C, steps: ReadonlyArray<PromptStep<C>>, ui: UserInput): Promise<void> {
  const snapshots: Array<{ index: number; before: C }> = [];
  let index = 0;
  while (index < steps.length) {
    const step = steps[index];
    if (!step.shouldPrompt(context)) {
      index++;
      continue;
    }
    const before = { ...context };
    try {
      await step.prompt(context, ui, { step: snapshots.length + 1, totalSteps: snapshots.length + countRemaining(context, steps, index) });
      snapshots.push({ index, before });
      index++;
    } catch (error) {
      if (!(error instanceof GoBackError)) throw error;
      restore(context, before);
      const previous = snapshots.pop();
      if (!previous) continue; // Back on the first step: stay there.
      restore(context, previous.before);
      index = previous.index;
    }
  }
}

/** The step, asked only while `condition` holds (a branch of the wizard). */
export function onlyWhen<C>(step: PromptStep<C>, condition: (context: C) => boolean): PromptStep<C> {
  return {
    shouldPrompt: (context) => condition(context) && step.shouldPrompt(context),
    prompt: (context, ui, position) => step.prompt(context, ui, position),
  };
}

function countRemaining<C>(context: C, steps: ReadonlyArray<PromptStep<C>>, from: number): number {
  return steps.slice(from).filter((s) => s.shouldPrompt(context)).length;
}

function restore<C extends object>(context: C, snapshot: C): void {
  for (const key of Object.keys(context) as Array<keyof C>) if (!(key in snapshot)) delete context[key];
  Object.assign(context, snapshot);
}
