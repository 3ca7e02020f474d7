/** One price level of an order book: the exchange's exact price and quantity text. */
export type PriceLevel = readonly [price: string, qty: string];

/** A full order book at one book update id (a venue's REST snapshot, or the simulator's book). */
export interface DepthSnapshot {
  lastUpdateId: number;
  bids: readonly PriceLevel[];
  asks: readonly PriceLevel[];
}
