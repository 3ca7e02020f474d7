/** true when Binance's REST API answers /api/v3/ping within the timeout. */
export async function probeBinance(restUrl: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const res = await fetch(`${restUrl}/api/v3/ping`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? { ok: true } : { ok: false, reason: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { ok: false, reason: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}
