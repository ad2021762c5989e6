// Seeded PRNG (mulberry32) so a chaos run's choices are reproducible from its seed.
export class Prng {
  constructor(seed) {
    this.s = seed >>> 0 || 1;
  }
  next() {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** integer in [lo, hi] */
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick(arr) {
    if (arr.length === 0) throw new Error('pick from an empty list');
    return arr[Math.floor(this.next() * arr.length)];
  }
  sample(arr, n) {
    const a = [...arr];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a.slice(0, n);
  }
  /** an independent stream derived from this seed and `k` (one per operation: choices do not depend on timing) */
  fork(k) {
    return new Prng(Math.imul(this.s ^ 0x9e3779b9, 2654435761) ^ Math.imul(k, 0x85ebca6b));
  }
}
