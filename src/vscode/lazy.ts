import { join } from 'node:path';
import * as vscode from 'vscode';
import { requireWithCodeCache } from '../node/codeCache';
import type * as FeatureModule from './features';
import type { ActivationServices, Features } from './features';

/**
 * How long after the first load the code cache is written: after the CodeLens and status-bar code of the opening
 * note has compiled (the cache keeps it too), soon enough that a short session still leaves a cache behind.
 */
const SAVE_CODE_CACHE_AFTER_MS = 5_000;

/**
 * Loads the feature bundle (dist/features.js, see features.ts) on first use — a command, a CodeLens request, the
 * status bar's probe after activation — so activation evaluates only the small dist/extension.js (activation has a 50 ms budget).
 * The bundle is compiled from V8's code cache kept in the extension's global storage (written once per build, a few
 * seconds after the first load, so that it also holds the functions compiled meanwhile).
 */
export class FeatureLoader implements vscode.Disposable {
  private features: Features | undefined;
  private saveLater: ReturnType<typeof setTimeout> | undefined;
  private readonly loadedEmitter = new vscode.EventEmitter<Features>();
  /** Fires once, when the features have been built. */
  readonly onDidLoad = this.loadedEmitter.event;

  constructor(private readonly base: ActivationServices) {}

  /** The features if already loaded; never loads them. */
  get loaded(): Features | undefined {
    return this.features;
  }

  /** Requires dist/features.js and builds the services and commands on the first call; the same instance afterwards. */
  loadFeatures(): Features {
    if (this.features) return this.features;
    const started = performance.now();
    const file = vscode.Uri.joinPath(this.base.context.extensionUri, 'dist', 'features.js').fsPath;
    let cache = '';
    try {
      // Loaded at run time from a computed path: esbuild leaves it alone, so the features stay out of extension.js.
      const storage = this.base.context.globalStorageUri;
      if (storage.scheme === 'file') {
        const loaded = requireWithCodeCache<typeof FeatureModule>(file, join(storage.fsPath, 'code-cache'));
        cache = `, code cache: ${loaded.cache}`;
        this.features = loaded.exports.createFeatures(this.base);
        if (loaded.cache !== 'used') this.saveLater = setTimeout(() => loaded.save(), SAVE_CODE_CACHE_AFTER_MS);
      } else {
        // The cache needs a folder on this machine's disk (the global storage has always been one so far).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        this.features = (require(file) as typeof FeatureModule).createFeatures(this.base);
      }
    } catch (error) {
      this.base.logger.error(error instanceof Error ? error : String(error));
      throw error;
    }
    this.base.logger.info(`Features loaded in ${(performance.now() - started).toFixed(1)} ms${cache}`);
    this.loadedEmitter.fire(this.features);
    return this.features;
  }

  dispose(): void {
    clearTimeout(this.saveLater);
    this.features?.dispose();
    this.loadedEmitter.dispose();
  }
}
