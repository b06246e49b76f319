// A minimal stand-in for the `vscode` module, for benchmarks only (never shipped, never used by tests):
// every property is a callable, constructible no-op that returns another such stand-in, plus the few
// pieces whose behaviour code relies on (EventEmitter, TreeItem, enums as numbers). Installed through
// Module._resolveFilename for the request `vscode` only.
'use strict';
const Module = require('node:module');

function universal(name) {
  const target = function () {};
  return new Proxy(target, {
    get(_t, key) {
      if (key === 'then') return undefined; // not a thenable: `await stub` resolves to the stub
      if (key === Symbol.toPrimitive) return () => 0;
      if (key === Symbol.iterator) return function* () {};
      if (key === 'dispose') return () => undefined;
      if (key === 'prototype') return {};
      return universal(`${name}.${String(key)}`);
    },
    apply: () => universal(`${name}()`),
    construct: () => universal(`new ${name}`),
  });
}

class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener) => {
      this.listeners.add(listener);
      return { dispose: () => this.listeners.delete(listener) };
    };
  }
  fire(value) {
    for (const l of [...this.listeners]) l(value);
  }
  dispose() {
    this.listeners.clear();
  }
}

class TreeItem {
  constructor(label, collapsibleState) {
    this.label = label;
    this.collapsibleState = collapsibleState;
  }
}

class Disposable {
  constructor(fn) {
    this.fn = fn;
  }
  static from(...items) {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose() {
    this.fn?.();
  }
}

const memento = () => {
  const m = new Map();
  return {
    get: (k, d) => (m.has(k) ? m.get(k) : d),
    update: async (k, v) => {
      m.set(k, v);
    },
    keys: () => [...m.keys()],
    setKeysForSync: () => undefined,
  };
};

const concrete = {
  EventEmitter,
  TreeItem,
  Disposable,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ThemeIcon: class ThemeIcon {
    constructor(id) {
      this.id = id;
    }
  },
  MarkdownString: class MarkdownString {
    constructor(v = '') {
      this.value = v;
    }
    appendMarkdown(s) {
      this.value += s;
      return this;
    }
    appendText(s) {
      this.value += s;
      return this;
    }
  },
  l10n: {
    t: (message, ...args) => {
      const text = typeof message === 'string' ? message : message.message;
      const values = typeof message === 'string' ? (args.length === 1 && typeof args[0] === 'object' ? args[0] : args) : (message.args ?? []);
      return text.replace(/\{(\w+)\}/g, (m, k) => (values[k] === undefined ? m : String(values[k])));
    },
    bundle: undefined,
    uri: undefined,
  },
  window: new Proxy(
    {},
    {
      get: (_t, key) => {
        if (key === 'withProgress')
          return (_o, work) => work({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) });
        if (key === 'then') return undefined;
        return universal(`window.${String(key)}`);
      },
    },
  ),
  workspace: new Proxy(
    {},
    {
      get: (_t, key) => {
        if (key === 'getConfiguration') return () => ({ get: (_k, d) => d, has: () => false, inspect: () => undefined, update: async () => undefined });
        if (key === 'then') return undefined;
        return universal(`workspace.${String(key)}`);
      },
    },
  ),
};

// Bundlers copy the module's own keys (esbuild's __toESM): name every namespace and class the extension uses.
for (const name of [
  'authentication',
  'commands',
  'env',
  'extensions',
  'l10n',
  'languages',
  'tasks',
  'debug',
  'tests',
  'chat',
  'lm',
  'Uri',
  'ThemeColor',
  'FileSystemError',
  'FileType',
  'QuickInputButtons',
  'QuickPickItemKind',
  'ConfigurationTarget',
  'ExtensionMode',
  'ViewColumn',
  'StatusBarAlignment',
  'CancellationTokenSource',
  'RelativePattern',
  'Range',
  'Position',
  'Selection',
  'WorkspaceEdit',
  'LogLevel',
]) {
  if (!(name in concrete)) concrete[name] = universal(name);
}
const stub = concrete;

/** A fake ExtensionContext for activate(). */
function extensionContext() {
  const packageJSON = JSON.parse(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'package.json'), 'utf8'));
  const extension = {
    id: `${packageJSON.publisher}.${packageJSON.name}`,
    packageJSON,
    extensionUri: universal('extensionUri'),
    extensionPath: process.cwd(),
    isActive: true,
    extensionKind: 1,
    exports: undefined,
  };
  return {
    extension,
    subscriptions: [],
    globalState: memento(),
    workspaceState: memento(),
    secrets: universal('secrets'),
    extensionUri: universal('extensionUri'),
    extensionPath: process.cwd(),
    extensionMode: 1,
    environmentVariableCollection: universal('env'),
    logUri: universal('logUri'),
  };
}

const original = Module._resolveFilename;
let installed = false;
function install() {
  if (installed) return;
  installed = true;
  Module._resolveFilename = function (request, ...rest) {
    if (request === 'vscode') return 'vscode';
    return original.call(this, request, ...rest);
  };
  require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: stub, children: [], paths: [] };
}

module.exports = { install, extensionContext, stub };
