/** Where a CLI command writes and which directory relative paths are read from (tests pass their own). */
export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  cwd: string;
}
