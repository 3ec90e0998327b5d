/**
 * The form of a check's unit result, for a result read back from a store (`surf verify --out`): a record
 * damaged or written by hand — null, a string, a field missing or not a number — does not have it, so its unit
 * is measured again instead of being judged.
 *   "number"   a finite number (a measured NaN or ±Inf is stored as null: such a unit is measured again)
 *   "number?"  a finite number or null
 *   "boolean"  true or false
 *   [form]     a list of values of that form
 *   { k: form, … }  an object with at least those keys, each of its form
 */
export type Form = "number" | "number?" | "boolean" | readonly [Form] | { readonly [key: string]: Form };

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
  if (Array.isArray(form)) return Array.isArray(value) && value.every((v) => hasForm(v, form[0] as Form));
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return Object.entries(form).every(([key, f]) => Object.hasOwn(record, key) && hasForm(record[key], f));
}

/** The same form for each measurement kind (a Record<MeasurementKind, …> result). */
export function perMeasurement(form: Form): Form {
  return { identity: form, gaussian: form };
}
