import * as assert from 'node:assert/strict';
import { PagedList } from '../../../src/services/pagedList';
import type { Page } from '../../../src/domain/model';

function pages(...responses: Array<Page<number> | Error>) {
  const calls: Array<string | undefined> = [];
  const fetch = async (link: string | undefined) => {
    calls.push(link);
    const next = responses.shift();
    if (!next) throw new Error('no more responses scripted');
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, fetch };
}

describe('PagedList', () => {
  it('loads the first page once and the next page on request, following nextLink', async () => {
    const { calls, fetch } = pages({ items: [1, 2], nextLink: 'p2', count: 5 }, { items: [3] });
    const list = new PagedList(fetch);
    await list.ensureLoaded();
    await list.ensureLoaded();
    assert.deepEqual(list.items, [1, 2]);
    assert.equal(list.hasMore, true);
    assert.equal(list.count, 5);
    await list.loadMore();
    assert.deepEqual(list.items, [1, 2, 3]);
    assert.equal(list.hasMore, false);
    await list.loadMore(); // nothing left: no request
    assert.deepEqual(calls, [undefined, 'p2']);
  });

  it('merges concurrent loads into one request', async () => {
    const { calls, fetch } = pages({ items: [1], nextLink: 'p2' }, { items: [2] });
    const list = new PagedList(fetch);
    await Promise.all([list.ensureLoaded(), list.ensureLoaded(), list.loadMore()]);
    assert.deepEqual(calls, [undefined]);
    await Promise.all([list.loadMore(), list.loadMore()]);
    assert.deepEqual(calls, [undefined, 'p2']);
  });

  it('keeps a failure for the view and retries the same page only when asked', async () => {
    const { calls, fetch } = pages({ items: [1], nextLink: 'p2' }, new Error('throttled'), { items: [2] });
    const list = new PagedList(fetch);
    await list.ensureLoaded();
    await list.loadMore();
    assert.equal((list.error as Error).message, 'throttled');
    assert.deepEqual(list.items, [1]);
    await list.ensureLoaded(); // rendering again does not retry by itself
    assert.deepEqual(calls, [undefined, 'p2']);
    await list.loadMore(); // the retry action
    assert.equal(list.error, undefined);
    assert.deepEqual(list.items, [1, 2]);
    assert.deepEqual(calls, [undefined, 'p2', 'p2']);
  });

  it('retries the first page after a failed first load', async () => {
    const { calls, fetch } = pages(new Error('offline'), { items: [7] });
    const list = new PagedList(fetch);
    await list.ensureLoaded();
    assert.ok(list.error);
    await list.loadMore();
    assert.deepEqual(list.items, [7]);
    assert.deepEqual(calls, [undefined, undefined]);
  });

  it('drops a page that arrives after a reset', async () => {
    let release!: (page: Page<number>) => void;
    const list = new PagedList<number>(
      () =>
        new Promise((resolve) => {
          release = resolve;
        }),
    );
    const loading = list.ensureLoaded();
    list.reset();
    release({ items: [99] });
    await loading;
    assert.deepEqual(list.items, []);
    assert.equal(list.isLoaded, false);
  });
});
