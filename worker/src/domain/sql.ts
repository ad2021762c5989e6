// A tiny tagged template for D1: values become bound `?` parameters, nested fragments are spliced in.
// Keeps guards (shared WHERE fragments) reusable without hand-counting placeholders.

export interface Sql {
  readonly text: string;
  readonly params: readonly unknown[];
}

const isSql = (v: unknown): v is Sql => typeof v === 'object' && v !== null && 'text' in v && 'params' in v && Array.isArray((v as Sql).params);

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  let text = strings[0];
  const params: unknown[] = [];
  values.forEach((v, i) => {
    if (isSql(v)) {
      text += v.text;
      params.push(...v.params);
    } else {
      if (v === undefined) throw new Error(`sql: undefined value before ${JSON.stringify(strings[i + 1].slice(0, 40))}`);
      text += '?';
      params.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    }
    text += strings[i + 1];
  });
  return { text, params };
}

/** Literal SQL (never user input). */
export const raw = (text: string): Sql => ({ text, params: [] });

export const join = (parts: Sql[], separator: string): Sql => ({
  text: parts.map((p) => p.text).join(separator),
  params: parts.flatMap((p) => p.params),
});

export const prepare = (db: D1Database, q: Sql): D1PreparedStatement => db.prepare(q.text).bind(...q.params);
