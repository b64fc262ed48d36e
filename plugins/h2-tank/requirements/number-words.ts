/**
 * Numbers written as words, turned into figures before the unit readers run:
 * "five kilograms" -> "5 kilograms", "three hundred and fifty bar" -> "350 bar",
 * "two and a half kg" -> "2.5 kg", "half a kilogram" -> "0.5 kilogram",
 * "two point five" -> "2.5", "minus forty" -> "-40". Pure and deterministic.
 */

const UNITS: Readonly<Record<string, number>> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const SCALES: Readonly<Record<string, number>> = { hundred: 100, thousand: 1000 };
const NUMBER_WORD = /^(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|half|quarter)$/i;
/** Words that may sit inside a number ("three hundred AND fifty", "two and A half", "two POINT five"). */
const GLUE = /^(and|a|an|point|minus)$/i;

interface Token {
  word: string;
  start: number;
  end: number;
}

/** The value of a run of number words, or undefined when it is not one number. */
function valueOf(words: string[]): number | undefined {
  let total = 0;
  let current = 0;
  let decimals: string | undefined;
  let seen = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!.toLowerCase();
    if (decimals !== undefined) {
      if (!(w in UNITS) || UNITS[w]! > 9) return undefined;
      decimals += String(UNITS[w]);
      continue;
    }
    if (w in UNITS) {
      current += UNITS[w]!;
      seen = true;
    } else if (w in SCALES) {
      if (w === 'thousand') {
        total += (current || 1) * 1000;
        current = 0;
      } else current = (current || 1) * 100;
      seen = true;
    } else if (w === 'half' || w === 'quarter') {
      current += w === 'half' ? 0.5 : 0.25;
      seen = true;
    } else if (w === 'point') {
      if (!seen) return undefined;
      decimals = '';
    }
    // 'and', 'a', 'an' are glue.
  }
  if (!seen) return undefined;
  const whole = total + current;
  return decimals ? Number(`${Math.trunc(whole)}.${decimals}`) + (whole % 1) : whole;
}

/**
 * Replaces every number written in words with its figure. A lone "a"/"an"/"and" is not
 * a number; "one" on its own is (a "one tank" reads "1 tank", which no reader takes as a quantity).
 * @example numberWordsToFigures('seventy MPa and five kilograms') // '70 MPa and 5 kilograms'
 * @example numberWordsToFigures('two and a half kg') // '2.5 kg'
 */
export function numberWordsToFigures(text: string): string {
  const tokens: Token[] = [...text.matchAll(/[A-Za-z]+/g)].map((m) => ({ word: m[0], start: m.index!, end: m.index! + m[0].length }));
  const runs: Array<{ start: number; end: number; value: number; negative: boolean }> = [];
  let i = 0;
  while (i < tokens.length) {
    if (!NUMBER_WORD.test(tokens[i]!.word) && !/^(a|an|minus)$/i.test(tokens[i]!.word)) {
      i++;
      continue;
    }
    let j = i;
    const run: Token[] = [];
    while (j < tokens.length && (NUMBER_WORD.test(tokens[j]!.word) || GLUE.test(tokens[j]!.word))) {
      // Tokens of one number are separated by spaces or hyphens only.
      if (run.length && !/^[\s-]+$/.test(text.slice(run.at(-1)!.end, tokens[j]!.start))) break;
      run.push(tokens[j]!);
      j++;
    }
    // Trim glue at the ends ("a" before "kilogram", "and" after "fifty"), but keep "a" in "half a".
    let lead = 0;
    let negative = false;
    while (lead < run.length && GLUE.test(run[lead]!.word) && !/^(half|hundred|thousand|quarter)$/i.test(run[lead + 1]?.word ?? '')) {
      if (/^minus$/i.test(run[lead]!.word)) negative = true;
      lead++;
    }
    let tail = run.length;
    while (tail > lead && GLUE.test(run[tail - 1]!.word) && !(/^an?$/i.test(run[tail - 1]!.word) && /^half$/i.test(run[tail - 2]?.word ?? ''))) tail--;
    const words = run.slice(lead, tail).map((t) => t.word);
    const value = words.length ? valueOf(words) : undefined;
    if (value !== undefined && words.some((w) => NUMBER_WORD.test(w))) {
      runs.push({ start: run[negative ? lead - 1 : lead]!.start, end: run[tail - 1]!.end, value, negative });
    }
    i = Math.max(j, i + 1);
  }
  let out = text;
  for (const r of [...runs].reverse()) out = `${out.slice(0, r.start)}${r.negative ? '-' : ''}${Number(r.value.toFixed(6))}${out.slice(r.end)}`;
  return out;
}
