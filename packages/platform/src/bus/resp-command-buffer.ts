/**
 * The bytes of the RESP commands queued for one socket write, encoded straight into one reusable
 * buffer (no string concatenation to flatten and encode again at write time, no byte-length scan
 * before each bulk string). After a write, the buffer is reused only when the socket has already
 * handed every byte to the kernel; otherwise the socket keeps it and a new one is started.
 */
export class RespCommandBuffer {
  private buf: Buffer;
  private length = 0;

  constructor(private readonly initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get isEmpty(): boolean {
    return this.length === 0;
  }

  clear(): void {
    this.length = 0;
  }

  /** Text as it is (RESP framing already in it), as UTF-8. */
  text(text: string): void {
    this.reserve(text.length * 3);
    this.length += this.buf.write(text, this.length, 'utf8');
  }

  /** A bulk string: `$<bytes>\r\n<text>\r\n`, the text as UTF-8. */
  bulk(text: string): void {
    // room for the worst case: 3 bytes per UTF-16 unit, a 10-digit length and both CRLFs
    this.reserve(text.length * 3 + 16);
    const buf = this.buf;
    const start = this.length;
    // the length is written before the text, so guess its digits from the text's length (exact for
    // ASCII), write the text after them, and move it in the rare case the guess was short
    const guessedDigits = digitCount(text.length);
    let textAt = start + 1 + guessedDigits + 2;
    const bytes = buf.write(text, textAt, 'utf8');
    const digits = digitCount(bytes);
    if (digits !== guessedDigits) {
      const moved = start + 1 + digits + 2;
      buf.copyWithin(moved, textAt, textAt + bytes);
      textAt = moved;
    }
    buf[start] = 36; // $
    let n = bytes;
    for (let i = start + digits; i > start; i--) {
      buf[i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
    buf[start + digits + 1] = 13;
    buf[start + digits + 2] = 10;
    const end = textAt + bytes;
    buf[end] = 13;
    buf[end + 1] = 10;
    this.length = end + 2;
  }

  /** A whole command as an array of bulk strings. */
  command(args: readonly string[]): void {
    this.text(`*${args.length}\r\n`);
    for (const a of args) this.bulk(a);
  }

  /** Writes the queued bytes to the socket and starts an empty buffer. */
  writeTo(socket: { write(chunk: Uint8Array): boolean; readonly writableLength: number }): void {
    if (this.length === 0) return;
    socket.write(this.buf.subarray(0, this.length));
    this.length = 0;
    // the socket took every byte at once (the usual case): nothing refers to the buffer any more
    if (socket.writableLength !== 0) this.buf = Buffer.allocUnsafe(Math.max(this.initialBytes, this.buf.length >>> 1));
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + bytes));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }
}

function digitCount(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}
