// Memory bound of the pipeline: photos in flight hold pixels, not a count (docs/gpu-worker.md).
// An item takes its pixel count from the budget before it is decoded and gives it back when its
// outputs are encoded; a photo larger than the whole budget runs alone.

export class PixelBudget {
  private inUse = 0;
  private readonly waiting: { pixels: number; resolve: () => void }[] = [];
  constructor(readonly total: number) {}

  get pixelsInFlight(): number {
    return this.inUse;
  }

  /** Resolves once `pixels` fit; first come, first served, so a large photo is not starved by small ones. */
  async take(pixels: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(pixels)) {
      this.inUse += pixels;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push({ pixels, resolve }));
  }

  give(pixels: number): void {
    this.inUse -= pixels;
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.pixels)) {
      const next = this.waiting.shift()!;
      this.inUse += next.pixels;
      next.resolve();
    }
  }

  private fits(pixels: number): boolean {
    return this.inUse === 0 || this.inUse + pixels <= this.total;
  }
}
