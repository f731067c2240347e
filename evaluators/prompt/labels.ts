// Answers → labels through the verbalizers (first-token logprobs when the server gives them, else the answer text),
// and the two fitness rules: accuracy, and PromptQuine's reward-driven gap.
import type { VerbalizerMatcher } from './template.js';

/** One of the most likely first tokens of an answer, as chat/completions `logprobs.content[0].top_logprobs` gives them. */
export interface TopToken {
  readonly token: string;
  readonly logprob: number;
}

/** A model's (or the offline scorer's) answer to one example. */
export interface Prediction {
  /** The label read from the answer; undefined when none could be read (counted as wrong, and as `unparsed`). */
  readonly label: string | undefined;
  /** Probability of each label, normalised over the labels; undefined when the answer gave none (no logprobs). */
  readonly probabilities?: Readonly<Record<string, number>>;
}

/**
 * Reads a label from an answer. With first-token logprobs, each top token that begins exactly one verbalizer word
 * (case and leading space ignored: "News", " news", "new") adds its probability to that label; the most probable label
 * wins. Without logprobs, or when no top token begins a verbalizer word, the first verbalizer word in the answer text
 * (whole word, any case) is the label.
 */
export function readAnswer(
  text: string,
  top: readonly TopToken[] | undefined,
  verbalizers: Readonly<Record<string, string>>,
  matcher: VerbalizerMatcher,
): Prediction {
  const probabilities = top ? labelProbabilities(top, verbalizers) : undefined;
  if (probabilities) {
    let best: string | undefined;
    for (const [label, p] of Object.entries(probabilities))
      if (best === undefined || p > probabilities[best]!) best = label;
    return { label: best, probabilities };
  }
  return { label: matcher.first(text)?.label };
}

function labelProbabilities(
  top: readonly TopToken[],
  verbalizers: Readonly<Record<string, string>>,
): Record<string, number> | undefined {
  const words = Object.entries(verbalizers).map(([label, word]) => [label, word.toLowerCase()] as const);
  const mass: Record<string, number> = Object.fromEntries(words.map(([label]) => [label, 0]));
  let total = 0;
  for (const { token, logprob } of top) {
    const piece = token.trim().toLowerCase();
    if (piece === '' || !Number.isFinite(logprob)) continue;
    const matches = words.filter(([, word]) => word.startsWith(piece));
    if (matches.length !== 1) continue; // no label, or a prefix of several ("r" of religion and romance): no evidence
    const p = Math.exp(logprob);
    mass[matches[0]![0]]! += p;
    total += p;
  }
  if (total <= 0) return undefined;
  for (const label of Object.keys(mass)) mass[label]! /= total;
  return mass;
}

/**
 * PromptQuine's reward for one example (after RLPrompt): gap = p(gold) − max over other labels p(other), scaled by 200
 * when positive and 180 when not. Probabilities are the prediction's, or one-hot on its label when it has none (so
 * the reward is +200 right, −180 wrong, 0 unparsed).
 */
export function gapReward(prediction: Prediction, gold: string, labels: readonly string[]): number {
  const p = (label: string): number => prediction.probabilities?.[label] ?? (prediction.label === label ? 1 : 0);
  let other = 0;
  for (const label of labels) if (label !== gold) other = Math.max(other, p(label));
  const gap = p(gold) - other;
  return gap > 0 ? 200 * gap : 180 * gap;
}
