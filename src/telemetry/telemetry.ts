// Command telemetry: which command ran, how long it took, and how it ended. The properties are the
// allow-list in ./events (no ids, names, URLs or tokens by construction). Nothing is sent when
// VS Code's telemetry is off, or when the manifest's `telemetryConnectionString` is empty (the default).
import * as vscode from 'vscode';
import type { CustomFetcher, TelemetryReporter } from '@vscode/extension-telemetry';
import { commandEvent, type CommandEventMeasurements, type CommandEventProperties, type CommandRun } from './events';

/** Where events go: the telemetry reporter in the product, a recorder in tests. */
export interface TelemetrySender {
  send(name: string, properties: CommandEventProperties, measurements: CommandEventMeasurements): void;
  dispose(): Promise<unknown> | void;
}

/**
 * A sender over `@vscode/extension-telemetry`'s reporter. The reporter honours VS Code's telemetry
 * level itself; `fetcher` replaces its HTTPS transport (tests record the exact payloads with it).
 * The reporter (and Application Insights under it) loads with the first event, not at activation
 * (dist/chunks/telemetry.js); events sent meanwhile wait for it, in order.
 */
export function reporterSender(connectionString: string, fetcher?: CustomFetcher): TelemetrySender {
  let reporter: Promise<TelemetryReporter> | undefined;
  const load = () =>
    (reporter ??= import('@vscode/extension-telemetry').then(
      ({ TelemetryReporter }) => new TelemetryReporter(connectionString, undefined, undefined, fetcher),
    ));
  let pending: Promise<unknown> = Promise.resolve();
  return {
    send: (name, properties, measurements) => {
      // Telemetry must never break a command: a reporter that fails to load drops the event.
      pending = load().then(
        (r) => r.sendTelemetryEvent(name, { ...properties }, { ...measurements }),
        () => undefined,
      );
    },
    dispose: async () => {
      if (!reporter) return;
      await pending;
      await (await reporter.catch(() => undefined))?.dispose();
    },
  };
}

/** The connection string: the manifest's field; in tests (FC_RUNNING_TESTS) FC_TELEMETRY_CONNECTION_STRING may set it. */
export function telemetryConnectionString(manifest: { readonly telemetryConnectionString?: unknown }, env: NodeJS.ProcessEnv = process.env): string {
  if (env.FC_RUNNING_TESTS && env.FC_TELEMETRY_CONNECTION_STRING) return env.FC_TELEMETRY_CONNECTION_STRING;
  return typeof manifest.telemetryConnectionString === 'string' ? manifest.telemetryConnectionString.trim() : '';
}

export class CommandTelemetry implements vscode.Disposable {
  constructor(
    private sender: TelemetrySender | undefined,
    private isEnabled: () => boolean = () => vscode.env.isTelemetryEnabled,
  ) {}

  /** Hook for the command runner's `onDidRun`. */
  readonly record = (run: CommandRun): void => {
    if (!this.sender || !this.isEnabled()) return;
    const event = commandEvent(run);
    if (event) this.sender.send(event.name, event.properties, event.measurements);
  };

  /** Tests only: route events to `sender` (optionally as if VS Code's telemetry were on); returns the undo. */
  useSender(sender: TelemetrySender | undefined, options: { enabled?: () => boolean } = {}): () => void {
    const previous = { sender: this.sender, isEnabled: this.isEnabled };
    this.sender = sender;
    if (options.enabled) this.isEnabled = options.enabled;
    return () => {
      this.sender = previous.sender;
      this.isEnabled = previous.isEnabled;
    };
  }

  dispose(): void {
    void this.sender?.dispose();
    this.sender = undefined;
  }
}

/** The extension's telemetry: a reporter when a connection string is configured, otherwise none at all. */
export function createCommandTelemetry(context: vscode.ExtensionContext): CommandTelemetry {
  const connectionString = telemetryConnectionString(context.extension.packageJSON as { telemetryConnectionString?: unknown });
  return new CommandTelemetry(connectionString ? reporterSender(connectionString) : undefined);
}
