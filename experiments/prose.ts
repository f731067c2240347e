// Small wording helpers for the "Reading the …" sections that the report generators write from their numbers, so a
// rerun with other numbers writes other (true) sentences instead of keeping stale hand-written ones.

/** A markdown bullet wrapped at `width` columns with a two-space hanging indent (how the pages have always looked). */
export function bullet(text: string, width = 115): string[] {
  const lines: string[] = [];
  let line = '-';
  for (const word of text.split(' ')) {
    if (line === '-' || line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = `  ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/** "a", "a and b", "a, b and c". */
export function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
/** A count as a word up to ten ("three seeds"), digits above. */
export const countWord = (n: number): string => WORDS[n] ?? String(n);

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth'];
/** 0 → "first", 1 → "second", … */
export const ordinal = (i: number): string => ORDINALS[i] ?? `${i + 1}th`;

/** An integer with thousands separators ("98,304"), as the pages write counts. */
export const thousands = (n: number): string => n.toLocaleString('en-US');

/** A share as a percentage with one decimal, a trailing ".0" dropped ("41.5%", "1%"). */
export const percent = (x: number): string => `${(x * 100).toFixed(1).replace(/\.0$/, '')}%`;

/** "a" or "a–b" for the smallest and largest of `xs`, each written by `format`. */
export function range(xs: readonly number[], format: (x: number) => string = String): string {
  const lo = format(Math.min(...xs));
  const hi = format(Math.max(...xs));
  return lo === hi ? lo : `${lo}–${hi}`;
}
