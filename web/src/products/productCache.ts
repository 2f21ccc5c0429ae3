/**
 * Product files of a cycle, each fetched once and kept for the session:
 * products never change once published. A failed fetch is not kept, so the
 * next request for the same file tries again.
 */
export class ProductCache {
  private readonly files = new Map<string, Promise<unknown>>();

  constructor(private readonly url: (path: string) => string) {}

  /** The file at `path` (relative to the products folder), read from its response by `read`. */
  get<T>(path: string, read: (response: Response) => Promise<T>): Promise<T> {
    let file = this.files.get(path) as Promise<T> | undefined;
    if (!file) {
      file = fetch(this.url(path)).then((response) => {
        if (!response.ok) throw new Error(`${path}: ${response.status} ${response.statusText}`);
        return read(response);
      });
      file.catch(() => this.files.delete(path));
      this.files.set(path, file);
    }
    return file;
  }
}
