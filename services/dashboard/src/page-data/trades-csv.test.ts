import { describe, expect, it } from 'vitest';
import { keepSide } from './trades-csv.js';

// the API's export: time,tradeId,orderId,strategyId,symbol,side,quantity,price,fee,realizedPnl,reason
const CSV = [
  'time,tradeId,orderId,strategyId,symbol,side,quantity,price,fee,realizedPnl,reason',
  '1767614460000,demo-rsi-t1,demo-rsi-o1,demo-rsi,BTCUSDT,buy,0.01,94900.00,0.94900000,0,entry_long',
  '1767614520000,demo-rsi-t2,demo-rsi-o2,demo-rsi,BTCUSDT,sell,0.01,94937.00,0.94937000,1.00,"exit_long, stop"',
  '',
].join('\r\n');

describe('CSV export by side', () => {
  it('keeps the header and the rows of one side', () => {
    expect(keepSide(CSV, 'sell').split('\n')).toEqual([
      'time,tradeId,orderId,strategyId,symbol,side,quantity,price,fee,realizedPnl,reason',
      '1767614520000,demo-rsi-t2,demo-rsi-o2,demo-rsi,BTCUSDT,sell,0.01,94937.00,0.94937000,1.00,"exit_long, stop"',
      '',
    ]);
    expect(keepSide(CSV, 'buy').trim().split('\n')).toHaveLength(2);
  });

  it('passes an export without a side column through unchanged', () => {
    expect(keepSide('a,b\n1,2\n', 'buy')).toBe('a,b\n1,2\n');
  });
});
