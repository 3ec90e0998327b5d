/**
 * The form of a record read back from a store (`surf verify --out`'s units, the landscape journals): a record
 * damaged or written by hand — null, a string, a field missing or of another type — does not have it, and
 * is computed again instead of being used.
 *   "number"   a finite number (a NaN or ±Inf computed is stored as null: such a record is computed again)
 *   "number?"  a finite number or null
 *   "boolean", "string"
 *   [form]     a list of values of that form
 *   { k: form, … }  an object with at least those keys, each of its form
 *   orNull(form)    null, or a value of that form
 */
export type Form = "number" | "number?" | "boolean" | "string" | readonly [Form] | Nullable | { readonly [key: string]: Form };

class Nullable {
  constructor(readonly form: Form) {}
}

/** null, or a value of `form`. */
export function orNull(form: Form): Form {
  return new Nullable(form);
}

/**
 * Whether `value` has the form `form`.
 *
 * @example
 * hasForm({ ratio: 0.5, normY: 2 }, { ratio: "number", normY: "number" });   // true
 * hasForm({ ratio: "NaN", normY: 2 }, { ratio: "number", normY: "number" }); // false
 */
export function hasForm(value: unknown, form: Form): boolean {
  if (form === "number") return typeof value === "number" && Number.isFinite(value);
  if (form === "number?") return value === null || (typeof value === "number" && Number.isFinite(value));
  if (form === "boolean") return typeof value === "boolean";
  if (form === "string") return typeof value === "string";
  if (form instanceof Nullable) return value === null || hasForm(value, form.form);
  if (Array.isArray(form)) return Array.isArray(value) && value.every((v) => hasForm(v, form[0] as Form));
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return Object.entries(form).every(([key, f]) => Object.hasOwn(record, key) && hasForm(record[key], f as Form));
}

/** The same form for each measurement kind (a Record<MeasurementKind, …> result). */
export function perMeasurement(form: Form): Form {
  return { identity: form, gaussian: form };
}
