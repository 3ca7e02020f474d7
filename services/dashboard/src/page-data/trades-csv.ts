/**
 * Keeps the rows of the API's trade CSV export whose `side` column is `side` (the API exports
 * every side). The export's cells are numbers, ids, symbols, sides, decimals and rule names, so the
 * columns up to `side` never contain a quoted comma; a quoted cell is unquoted before comparing.
 */
export function keepSide(csv: string, side: 'buy' | 'sell'): string {
  const lines = csv.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0];
  if (header === undefined) return csv;
  const column = header.split(',').findIndex((h) => h.replace(/"/g, '').trim() === 'side');
  if (column < 0) return csv;
  const rows = lines.slice(1).filter((l) => l.split(',')[column]?.replace(/"/g, '') === side);
  return `${[header, ...rows].join('\n')}\n`;
}
