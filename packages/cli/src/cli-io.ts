/** Where a CLI command writes, which directory relative paths are read from, and its environment (tests pass their own). */
export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  cwd: string;
  /** where backup and restore find the store (DATA_DIR, DATABASE_URL, DATABASE_SCHEMA); default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}
