/** Collects a stream's bytes up to a cap, keeping the prefix and counting everything (for output caps). */
export class CappedBuffer {
  private readonly chunks: Array<Buffer> = []
  private readonly cap: number
  private kept = 0
  total = 0
  constructor(cap: number) {
    this.cap = cap
  }
  /** Returns false once the cap is exceeded. */
  push(chunk: Buffer): boolean {
    this.total += chunk.length
    const room = this.cap - this.kept
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room)
      this.chunks.push(part)
      this.kept += part.length
    }
    return this.total <= this.cap
  }
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8")
  }
}
