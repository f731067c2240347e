// Offline scorer: an in-context nearest-neighbour classifier, a STAND-IN for an LLM for development and tests (no
// server, no model, runs on a fresh machine). It is not a language model and its accuracies say nothing about one.
//
// It reads a (possibly pruned) prompt the way findDemonstrations() does: each block that still ends with a label word
// is a demonstration of that label, made of the words left in it. A query is labelled by its k nearest demonstrations
// (cosine similarity of TF-IDF word vectors, IDF from the task's train split), each voting with its similarity. So its
// accuracy depends on which demonstrations, and which of their words, remain: pruning a label word removes a
// demonstration, pruning a misleading word can help, pruning an informative one hurts.
import type { Prediction } from './labels.js';
import { findDemonstrations } from './template.js';
import type { PromptTemplate } from './task.js';

/** Lower-case words: letters and digits, with an inner apostrophe ("don't"). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
}

/** Inverse document frequencies from a corpus: ln((N + 1) / (df + 1)) + 1; an unseen word gets the largest. */
export function inverseDocumentFrequencies(corpus: readonly string[]): (word: string) => number {
  const df = new Map<string, number>();
  for (const text of corpus) for (const w of new Set(words(text))) df.set(w, (df.get(w) ?? 0) + 1);
  const n = corpus.length;
  return (w) => Math.log((n + 1) / ((df.get(w) ?? 0) + 1)) + 1;
}

interface Vector {
  readonly weights: Map<string, number>;
  readonly norm: number;
}

function vectorOf(text: string, idf: (word: string) => number): Vector {
  const counts = new Map<string, number>();
  for (const w of words(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const weights = new Map<string, number>();
  let sq = 0;
  for (const [w, c] of counts) {
    const x = c * idf(w);
    weights.set(w, x);
    sq += x * x;
  }
  return { weights, norm: Math.sqrt(sq) };
}

function cosine(a: Vector, b: Vector): number {
  if (a.norm === 0 || b.norm === 0) return 0;
  const [small, large] = a.weights.size <= b.weights.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [w, x] of small.weights) dot += x * (large.weights.get(w) ?? 0);
  return dot / (a.norm * b.norm);
}

/** The scorer for one prompt: built once per evaluation, then asked about every example. */
export interface OfflineClassifier {
  /** Demonstrations found in the prompt (label word present). */
  readonly demonstrations: number;
  predict(query: string): Prediction;
}

/**
 * Builds the nearest-neighbour stand-in for `prompt`. Votes: the `neighbours` most similar demonstrations (ties: the
 * earlier one) each add their similarity to their label; the label with the most votes wins (ties: verbalizer order).
 * A query that shares no word with any demonstration gets the most frequent demonstration label (the label prior an
 * LLM also falls back on). No demonstration left: no answer (unparsed).
 */
export function offlineClassifier(
  prompt: string,
  template: PromptTemplate,
  idf: (word: string) => number,
  neighbours: number,
): OfflineClassifier {
  const labels = Object.keys(template.verbalizers);
  const demos = findDemonstrations(prompt, template).map((d) => ({ label: d.label, vector: vectorOf(d.text, idf) }));
  const prior: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
  for (const d of demos) prior[d.label]! += 1 / demos.length;
  const argmax = (scores: Record<string, number>): string =>
    labels.reduce((best, l) => (scores[l]! > scores[best]! ? l : best), labels[0]!);

  return {
    demonstrations: demos.length,
    predict(query) {
      if (demos.length === 0) return { label: undefined };
      const q = vectorOf(query, idf);
      const ranked = demos
        .map((d, i) => ({ label: d.label, sim: cosine(q, d.vector), i }))
        .sort((a, b) => b.sim - a.sim || a.i - b.i);
      const scores: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
      let total = 0;
      for (const { label, sim } of ranked.slice(0, neighbours)) {
        scores[label]! += sim;
        total += sim;
      }
      if (total <= 0) return { label: argmax(prior), probabilities: prior };
      for (const l of labels) scores[l]! /= total;
      return { label: argmax(scores), probabilities: scores };
    },
  };
}
