/**
 * Hash routes (`#/sites/demo`): the API serves the same index.html for every
 * path, and hash routes keep working when the app is opened from any prefix.
 * Each route builds a View; the router disposes of the previous one (timers,
 * maps, polling) before showing the next.
 */
export interface View {
  element: HTMLElement;
  /** Stops whatever the view keeps running (polling, animation, map). */
  dispose?(): void;
}

export type Params = Record<string, string>;
export type RouteHandler = (params: Params) => View | Promise<View>;

interface Route {
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

export class Router {
  private readonly routes: Route[] = [];
  private current: View | undefined;
  private generation = 0;

  constructor(
    private readonly outlet: HTMLElement,
    private readonly notFound: (path: string) => View,
    private readonly failed: (error: Error) => View,
  ) {}

  /** `path` like `/sites/:siteId/cycles/:cycle`. */
  on(path: string, handler: RouteHandler): this {
    const names: string[] = [];
    const pattern = new RegExp(`^${path.replace(/:([A-Za-z]+)/g, (_, name: string) => (names.push(name), '([^/]+)'))}$`);
    this.routes.push({ pattern, names, handler });
    return this;
  }

  start(): void {
    window.addEventListener('hashchange', () => void this.show());
    void this.show();
  }

  static go(path: string): void {
    window.location.hash = `#${path}`;
  }

  private async show(): Promise<void> {
    const path = window.location.hash.replace(/^#/, '') || '/';
    const generation = ++this.generation;
    let view: View;
    try {
      view = await this.resolve(path);
    } catch (error) {
      view = this.failed(error as Error);
    }
    // A later navigation won while this view was loading: drop this one.
    if (generation !== this.generation) {
      view.dispose?.();
      return;
    }
    this.current?.dispose?.();
    this.current = view;
    this.outlet.replaceChildren(view.element);
    this.outlet.focus({ preventScroll: true });
    for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
      if (link.getAttribute('href') === `#${path}`) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  private resolve(path: string): View | Promise<View> {
    for (const route of this.routes) {
      const match = route.pattern.exec(path);
      if (match) return route.handler(Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1])])));
    }
    return this.notFound(path);
  }
}
