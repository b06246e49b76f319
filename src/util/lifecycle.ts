// Disposable ownership: a parent registers its children and disposes them in one call.
export interface IDisposable {
  dispose(): void;
}

function disposeAll(disposables: Iterable<IDisposable>): void {
  const errors: unknown[] = [];
  for (const d of disposables) {
    try {
      d.dispose();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'Several disposables failed to dispose');
}

export abstract class Disposable implements IDisposable {
  private readonly children = new Set<IDisposable>();
  private disposed = false;

  protected register<T extends IDisposable>(child: T): T {
    if (this.disposed)
      child.dispose(); // registered too late: dispose at once rather than leak
    else this.children.add(child);
    return child;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const children = [...this.children];
    this.children.clear();
    disposeAll(children);
  }
}
