/** A redirect target from a form: only a path of this site ("/x", never "//host" or "https://…"), else `fallback`. */
export function sameSitePath(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && /^\/(?!\/)[^\s\\]*$/.test(value) ? value : fallback;
}
