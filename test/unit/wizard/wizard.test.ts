import * as assert from 'node:assert/strict';
import { runPromptSteps, type PromptStep } from '../../../src/wizard/wizard';
import { isUserCancelled } from '../../../src/util/cancellation';
import { BACK, CANCEL, ScriptedUserInput } from '../../support/scriptedUserInput';

interface Ctx {
  color?: string;
  size?: string;
  note?: string;
}

const colorStep: PromptStep<Ctx> = {
  shouldPrompt: (c) => c.color === undefined,
  prompt: async (c, ui, position) => {
    c.color = await ui.pick(
      [
        { label: 'red', data: 'red' },
        { label: 'blue', data: 'blue' },
      ],
      { placeholder: 'color', ...position },
    );
  },
};
const sizeStep: PromptStep<Ctx> = {
  shouldPrompt: (c) => c.size === undefined,
  prompt: async (c, ui, position) => {
    c.size = await ui.input({ prompt: 'size', ...position, validate: (v) => (/^\d+$/.test(v) ? undefined : 'digits only') });
  },
};
const noteStep: PromptStep<Ctx> = {
  shouldPrompt: (c) => c.note === undefined,
  prompt: async (c, ui, position) => {
    c.note = await ui.input({ prompt: 'note', ...position });
  },
};

describe('wizard', () => {
  it('asks each step in order and fills the context', async () => {
    const ui = new ScriptedUserInput(['blue', '12', 'hi']);
    const ctx: Ctx = {};
    await runPromptSteps(ctx, [colorStep, sizeStep, noteStep], ui);
    assert.deepEqual(ctx, { color: 'blue', size: '12', note: 'hi' });
    assert.deepEqual(
      ui.prompts.map((p) => [p.text, p.step, p.totalSteps]),
      [
        ['color', 1, 3],
        ['size', 2, 3],
        ['note', 3, 3],
      ],
    );
    ui.assertDone();
  });

  it('skips steps whose answer came in as an argument', async () => {
    const ui = new ScriptedUserInput(['7']);
    const ctx: Ctx = { color: 'red', note: 'given' };
    await runPromptSteps(ctx, [colorStep, sizeStep, noteStep], ui);
    assert.deepEqual(ctx, { color: 'red', size: '7', note: 'given' });
    assert.deepEqual(
      ui.prompts.map((p) => p.text),
      ['size'],
    );
  });

  it('goes back one step and clears the answers given since', async () => {
    const ui = new ScriptedUserInput(['red', '5', BACK, BACK, 'blue', '6', 'done']);
    const ctx: Ctx = {};
    await runPromptSteps(ctx, [colorStep, sizeStep, noteStep], ui);
    assert.deepEqual(ctx, { color: 'blue', size: '6', note: 'done' });
    assert.deepEqual(
      ui.prompts.map((p) => p.text),
      ['color', 'size', 'color', 'size', 'note'],
    );
    ui.assertDone();
  });

  it('stays on the first step when Back is pressed there', async () => {
    const ui = new ScriptedUserInput([BACK, 'red', '1', 'n']);
    const ctx: Ctx = {};
    await runPromptSteps(ctx, [colorStep, sizeStep, noteStep], ui);
    assert.equal(ctx.color, 'red');
  });

  it('ends with a cancellation error when the user dismisses a prompt', async () => {
    const ui = new ScriptedUserInput(['red', CANCEL]);
    await assert.rejects(runPromptSteps({}, [colorStep, sizeStep], ui), (e: unknown) => isUserCancelled(e));
  });

  it('shows validation messages as the user types (scripted input is validated)', async () => {
    const ui = new ScriptedUserInput(['red', 'twelve']);
    await assert.rejects(runPromptSteps({}, [colorStep, sizeStep], ui), /digits only/);
  });
});
