import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

const viewsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'views');

/** The eta templates under src/views, compiled once, escaping every value by default. */
export class ViewRenderer {
  private readonly eta = new Eta({ views: viewsDir, cache: true, autoEscape: true, autoTrim: false });

  render(view: string, data: object): Promise<string> {
    return this.eta.renderAsync(view, data);
  }
}
