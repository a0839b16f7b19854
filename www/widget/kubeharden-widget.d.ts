// Types of the docs widget (kubeharden-widget.js, next to pkg/). Importing the module
// defines <kubeharden-check> in browsers (and nothing where there is no DOM).
import type { Report } from "./pkg/kubeharden.js";

/** The <kubeharden-check> element (attributes: docs/widget.md). */
export interface KubehardenCheckElement extends HTMLElement {
  /** The manifest text; setting it re-checks. */
  source: string;
  /**
   * The `config` attribute: the text of a .kubeharden.yaml (YAML or JSON) applied to every
   * check; null when absent. Setting it re-checks; null removes it. (`config-src` reads one
   * from a same-origin URL instead.)
   */
  config: string | null;
  /** The last report, null before the first check or after a bad attribute. */
  readonly report: Report | null;
  /** Checks now (loading the engine if needed): the report, or null when an attribute is bad. */
  check(): Promise<Report | null>;
}

/** Upgrades `<pre><code class="… kubeharden …">` blocks under `root` into widgets; returns them. */
export declare function upgradeCodeBlocks(root?: ParentNode): KubehardenCheckElement[];

/** Text without its first and last blank lines and its common indentation (how the widget reads its content). */
export declare function dedent(text: string): string;

/** The playground's share fragment (`#v1.…`) for a text, its options and its configuration's text. */
export declare function shareFragment(text: string, profile?: string | null, kubeVersion?: string | null, unsafeFixes?: boolean, config?: string | null): Promise<string>;

declare global {
  interface HTMLElementTagNameMap {
    "kubeharden-check": KubehardenCheckElement;
  }
  interface HTMLElementEventMap {
    /** After each check; bubbles and crosses shadow roots. */
    "kubeharden-result": CustomEvent<Report>;
  }
}
