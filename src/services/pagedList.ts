// A list loaded page by page: holds what is loaded and the link to the next page, merges
// concurrent loads into one, and keeps the last error for the view to show.
import type { Page } from '../domain/model';

export type PageFetcher<T> = (nextLink: string | undefined) => Promise<Page<T>>;

export class PagedList<T> {
  private loaded: T[] = [];
  private next: string | undefined;
  private started = false;
  private attempted = false;
  private pending: Promise<void> | undefined;
  private failure: unknown;
  private total: number | undefined;
  /** Bumped by reset(), so a page that arrives after a reset is dropped. */
  private generation = 0;

  constructor(private readonly fetch: PageFetcher<T>) {}

  get items(): readonly T[] {
    return this.loaded;
  }

  get hasMore(): boolean {
    return !this.started || this.next !== undefined;
  }

  get error(): unknown {
    return this.failure;
  }

  get count(): number | undefined {
    return this.total;
  }

  get isLoaded(): boolean {
    return this.started && this.pending === undefined;
  }

  /** Loads the first page once; after a failure it waits for an explicit loadMore() (the retry action). */
  ensureLoaded(): Promise<void> {
    if (this.attempted) return this.pending ?? Promise.resolve();
    return this.loadMore();
  }

  /** Loads the next page (or retries the one that failed). */
  loadMore(): Promise<void> {
    if (this.pending) return this.pending;
    if (this.started && this.next === undefined && this.failure === undefined) return Promise.resolve();
    const generation = this.generation;
    const link = this.next;
    const first = !this.started;
    this.started = true;
    this.attempted = true;
    this.failure = undefined;
    this.pending = this.fetch(first ? undefined : link)
      .then((page) => {
        if (generation !== this.generation) return;
        this.loaded = [...this.loaded, ...page.items];
        this.next = page.nextLink;
        if (page.count !== undefined) this.total = page.count;
      })
      .catch((error: unknown) => {
        if (generation !== this.generation) return;
        this.failure = error;
        if (first) this.started = false;
      })
      .finally(() => {
        if (generation === this.generation) this.pending = undefined;
      });
    return this.pending;
  }

  reset(): void {
    this.generation++;
    this.loaded = [];
    this.next = undefined;
    this.started = false;
    this.attempted = false;
    this.pending = undefined;
    this.failure = undefined;
    this.total = undefined;
  }

  /** Replaces one loaded item (after an edit) without reloading the list. */
  replace(match: (item: T) => boolean, item: T): void {
    this.loaded = this.loaded.map((existing) => (match(existing) ? item : existing));
  }
}
