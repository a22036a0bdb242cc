import * as vscode from 'vscode';
import type * as FeatureModule from './features';
import type { ActivationServices, Features } from './features';

/**
 * Loads the feature bundle (dist/features.js, see features.ts) on first use — a command, a CodeLens request, the
 * status bar's probe after activation — so activation evaluates only the small dist/extension.js (activation has a 50 ms budget).
 */
export class FeatureLoader implements vscode.Disposable {
  private features: Features | undefined;
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
    try {
      // A runtime require of a computed path: esbuild leaves it alone, so the features stay out of extension.js.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module = require(file) as typeof FeatureModule;
      this.features = module.createFeatures(this.base);
    } catch (error) {
      this.base.logger.error(error instanceof Error ? error : String(error));
      throw error;
    }
    this.base.logger.info(`Features loaded in ${(performance.now() - started).toFixed(1)} ms`);
    this.loadedEmitter.fire(this.features);
    return this.features;
  }

  dispose(): void {
    this.features?.dispose();
    this.loadedEmitter.dispose();
  }
}
