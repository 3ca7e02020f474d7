import type { StrategySummaryDto } from '@btc-research/contracts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DashboardContext } from '../context.js';
import { layoutOf } from '../page-data/layout.js';

/** A page's own data: its title, and the strategies it already read (saves the header a read). */
export interface PageData {
  title: string;
  strategies?: readonly StrategySummaryDto[];
  [key: string]: unknown;
}

declare module 'fastify' {
  interface FastifyReply {
    /** Renders `view` inside the layout (header, Stop menu, live settings) and sends it as HTML. */
    page(view: string, data: PageData, status?: number): Promise<FastifyReply>;
  }
}

export function registerPages(app: FastifyInstance, ctx: DashboardContext): void {
  app.decorateReply('page', async function page(this: FastifyReply, view: string, data: PageData, status = 200): Promise<FastifyReply> {
    const layout = await layoutOf(ctx, this.request, data.strategies);
    // when this request came in: the page's live connection asks the relay for the events since
    const liveSince = Math.floor(Date.now() - this.elapsedTime);
    const html = await ctx.views.render(view, { ...layout, liveSince, ...data });
    return this.status(status).type('text/html; charset=utf-8').send(html);
  });
}
