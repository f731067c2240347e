// Command templates: `{name}` placeholders in argv elements, cwd and env values, filled from the genome and a few
// built-ins. Filling only ever produces strings that become whole argv elements (or environment values): nothing here
// builds a command line, so no value is ever interpreted by a shell.

/** A parsed template: literal text and placeholder names, in order. */
export type Segment = { readonly text: string } | { readonly name: string };

/** Placeholders the evaluator fills itself (a genome parameter may not share one of these names when it is used). */
export const BUILTINS = ['workdir', 'builddir', 'seed', 'fidelity', 'sample'] as const;
export type Builtin = (typeof BUILTINS)[number];

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/**
 * Splits a template into text and `{name}` placeholders. `{{` and `}}` stand for literal braces.
 * @throws {TemplateError} for an unclosed `{`, an empty `{}` or a lone `}`.
 */
export function parseTemplate(template: string): Segment[] {
  const out: Segment[] = [];
  let text = '';
  for (let i = 0; i < template.length; ) {
    const c = template[i]!;
    if (c === '{' && template[i + 1] === '{') {
      text += '{';
      i += 2;
    } else if (c === '}' && template[i + 1] === '}') {
      text += '}';
      i += 2;
    } else if (c === '{') {
      const end = template.indexOf('}', i + 1);
      const name = end < 0 ? '' : template.slice(i + 1, end);
      if (end < 0 || name.includes('{'))
        throw new TemplateError(
          `unclosed "{" at position ${i} of ${JSON.stringify(template)} (write {{ for a literal brace)`,
        );
      if (name === '')
        throw new TemplateError(
          `empty placeholder "{}" at position ${i} of ${JSON.stringify(template)} (write {{}} for literal braces)`,
        );
      if (text !== '') out.push({ text });
      text = '';
      out.push({ name });
      i = end + 1;
    } else if (c === '}') {
      throw new TemplateError(
        `lone "}" at position ${i} of ${JSON.stringify(template)} (write }} for a literal brace)`,
      );
    } else {
      text += c;
      i++;
    }
  }
  if (text !== '') out.push({ text });
  return out;
}

/** Names of the placeholders a template uses, in order of first use. @throws {TemplateError} when it does not parse. */
export function placeholdersOf(template: string): string[] {
  const names: string[] = [];
  for (const s of parseTemplate(template)) if ('name' in s && !names.includes(s.name)) names.push(s.name);
  return names;
}

/**
 * The values a template may use: the genome's parameters and the built-ins of one step. A built-in set to `undefined`
 * exists but is not available here (e.g. `{workdir}` in the build step), which gets its own error message.
 */
export class TemplateValues {
  constructor(
    private readonly params: ReadonlyMap<string, string>,
    private readonly builtins: Readonly<Partial<Record<Builtin, string | undefined>>>,
    /** Where the templates come from, for messages: "build step", "run step". */
    private readonly where: string,
  ) {}

  /** A copy with some built-ins replaced (e.g. `{builddir}` set once the build directory is known). */
  with(builtins: Partial<Record<Builtin, string | undefined>>): TemplateValues {
    return new TemplateValues(this.params, { ...this.builtins, ...builtins }, this.where);
  }

  /**
   * Fills one template. `field` names it in errors, e.g. `run.argv[2]`.
   * @throws {TemplateError} naming the placeholder and the available names when one has no value.
   */
  fill(template: string, field: string): string {
    let out = '';
    for (const s of parseTemplate(template)) out += 'text' in s ? s.text : this.value(s.name, template, field);
    return out;
  }

  private value(name: string, template: string, field: string): string {
    const isBuiltin = (BUILTINS as readonly string[]).includes(name);
    const param = this.params.get(name);
    const where = `${field} ${JSON.stringify(template)}`;
    if (isBuiltin && param !== undefined) {
      throw new TemplateError(
        `${where}: {${name}} is both a genome parameter and a built-in placeholder; rename the parameter`,
      );
    }
    if (isBuiltin) {
      const v = this.builtins[name as Builtin];
      if (v !== undefined) return v;
      throw new TemplateError(
        `${where}: {${name}} is not available in the ${this.where}; available: ${this.available()}`,
      );
    }
    if (param !== undefined) return param;
    const hint = /^[\w.$-]+$/.test(name) ? '' : ' (write {{ and }} for literal braces)';
    throw new TemplateError(`${where}: no value for {${name}}${hint}; available: ${this.available()}`);
  }

  private available(): string {
    const names = [...this.params.keys(), ...BUILTINS.filter((b) => this.builtins[b] !== undefined)];
    return names.length > 0 ? names.map((n) => `{${n}}`).join(', ') : '(none)';
  }
}

/**
 * The genome's parameters as placeholder values: a record (categorical space) by key, an array or typed array by
 * index (`{0}`, `{1}`, …). Strings are used as they are, numbers in JSON form (`64`, `0.5`), booleans as `true`/`false`.
 * @throws {TemplateError} for another kind of genome or a value that is not a string, finite number or boolean.
 */
export function genomeParams(genome: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(genome) || (ArrayBuffer.isView(genome) && !(genome instanceof DataView))) {
    Array.from(genome as ArrayLike<unknown>).forEach((v, i) => out.set(String(i), formatValue(v, String(i))));
    return out;
  }
  if (genome === null || typeof genome !== 'object') {
    throw new TemplateError(
      `the genome is ${genome === null ? 'null' : `a ${typeof genome}`}; the command evaluator fills placeholders from a record of parameters (categorical space) or an array`,
    );
  }
  for (const [name, v] of Object.entries(genome as Record<string, unknown>)) out.set(name, formatValue(v, name));
  return out;
}

function formatValue(v: unknown, name: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' && Number.isFinite(v)) return JSON.stringify(v);
  const kind =
    v === null
      ? 'null'
      : Array.isArray(v)
        ? 'an array'
        : typeof v === 'number'
          ? String(v)
          : typeof v === 'object' || typeof v === 'undefined'
            ? `an ${typeof v}`
            : `a ${typeof v}`;
  throw new TemplateError(
    `genome parameter ${JSON.stringify(name)} is ${kind}; placeholders take strings, finite numbers and booleans`,
  );
}
