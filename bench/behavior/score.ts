// Scoring helpers for the behaviour benchmark: confusion matrix, per-class precision/recall/F1,
// macro-F1, rates with counts.

import { BEHAVIOR_CLASSES, type BehaviorClass } from '../../src/profiler/classify.js';

/** Precision, recall, F1 and supports of one class. */
export interface ClassScore {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Streams whose truth is this class. */
  support: number;
  /** Streams predicted as this class. */
  predicted: number;
}

/** A confusion matrix keyed truth → predicted → count. */
export class Confusion {
  readonly m = new Map<BehaviorClass, Map<BehaviorClass, number>>();
  total = 0;

  add(truth: BehaviorClass, predicted: BehaviorClass): void {
    let row = this.m.get(truth);
    if (row === undefined) {
      row = new Map();
      this.m.set(truth, row);
    }
    row.set(predicted, (row.get(predicted) ?? 0) + 1);
    this.total++;
  }

  count(truth: BehaviorClass, predicted: BehaviorClass): number {
    return this.m.get(truth)?.get(predicted) ?? 0;
  }

  /** Per-class scores over the classes that occur in truth or predictions. */
  scores(): Map<BehaviorClass, ClassScore> {
    const out = new Map<BehaviorClass, ClassScore>();
    for (const c of BEHAVIOR_CLASSES) {
      let tp = 0;
      let support = 0;
      let predicted = 0;
      for (const t of BEHAVIOR_CLASSES) {
        const n = this.count(t, c);
        predicted += n;
        if (t === c) tp = n;
      }
      for (const pc of BEHAVIOR_CLASSES) support += this.count(c, pc);
      if (support === 0 && predicted === 0) continue;
      const precision = predicted > 0 ? tp / predicted : null;
      const recall = support > 0 ? tp / support : null;
      const f1 =
        precision !== null && recall !== null
          ? precision + recall > 0
            ? (2 * precision * recall) / (precision + recall)
            : 0
          : 0;
      out.set(c, { precision, recall, f1, support, predicted });
    }
    return out;
  }

  /** Mean F1 over the classes present in the ground truth (a class never predicted scores 0). */
  macroF1(): number {
    const s = this.scores();
    let sum = 0;
    let k = 0;
    for (const [, v] of s) {
      if (v.support === 0) continue;
      sum += v.f1 ?? 0;
      k++;
    }
    return k > 0 ? sum / k : 0;
  }

  /** Plain-object form for JSON. */
  toJSON(): Record<string, Record<string, number>> {
    const o: Record<string, Record<string, number>> = {};
    for (const [t, row] of this.m) o[t] = Object.fromEntries(row);
    return o;
  }
}

/** A rate with its counts and a 95 % Wilson interval. */
export interface Rate {
  k: number;
  n: number;
  rate: number | null;
  lo: number | null;
  hi: number | null;
}

/** k of n with a Wilson score interval. */
export function rate(k: number, n: number): Rate {
  if (n === 0) return { k, n, rate: null, lo: null, hi: null };
  const z = 1.96;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { k, n, rate: p, lo: Math.max(0, c - h), hi: Math.min(1, c + h) };
}

/** Formats a fraction as a percentage with one decimal ('–' for null). */
export function pct(x: number | null, digits = 1): string {
  return x === null ? '–' : `${(100 * x).toFixed(digits)}%`;
}

/** Formats a 0..1 value with two decimals ('–' for null). */
export function f2(x: number | null): string {
  return x === null ? '–' : x.toFixed(2);
}
