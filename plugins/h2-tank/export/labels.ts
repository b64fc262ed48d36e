/**
 * Human labels and sensible figures for the report: `Inner radius 150 mm`, not
 * `variables.innerRadiusMm 150`. Known design fields have written labels; any other
 * field name (analysis records) is read from its camelCase name and unit suffix
 * (`peakGasTempC` -> `Peak gas temp`, `C`). Numbers are rounded to what the model can
 * support (about 3-4 significant figures), and numerical noise (|x| < 1e-9) reads 0.
 */

/** A value with its unit, rounded for reading. */
export function quantity(value: number, unit = ''): string {
  return unit ? `${figure(value)} ${unit}` : figure(value);
}

/**
 * A number for reading: integers as they are, about four significant figures otherwise,
 * never an exponent for everyday sizes, and numerical noise as 0.
 * @example figure(1.9e-11) // '0'
 * @example figure(168.234) // '168.2'
 * @example figure(0.7) // '0.7'
 */
export function figure(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a < 1e-9) return '0';
  if (Number.isInteger(x) && a < 1e9) return String(x);
  // Trailing zeros carry no information here: 2.40 reads 2.4.
  const trim = (t: string): string => (t.includes('.') ? t.replace(/\.?0+$/, '') : t);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return trim(x.toFixed(1));
  if (a >= 1) return trim(x.toFixed(2));
  if (a >= 0.001) return trim(x.toPrecision(3));
  return x.toExponential(2);
}

/** A fraction as a percentage with one decimal: 0.0512 -> '5.1 %'; noise -> '0.0 %'. */
export function percent(fraction: number): string {
  const p = Math.abs(fraction) < 1e-9 ? 0 : fraction * 100;
  return `${p.toFixed(1)} %`;
}

/** Written labels of the design record's fields: [label, unit, how to show the value]. */
const DESIGN_FIELDS: Readonly<Record<string, readonly [string, string, ((v: number) => string)?]>> = {
  'variables.count': ['Number of tanks', ''],
  'variables.innerRadiusMm': ['Inner radius (liner)', 'mm'],
  'variables.cylinderLengthMm': ['Cylinder length', 'mm'],
  'variables.helicalAngleDeg': ['Helical winding angle', 'deg'],
  'variables.linerThicknessMm': ['Liner thickness', 'mm'],
  'variables.fiberVolumeFraction': ['Fiber volume fraction', '', (v) => percent(v)],
  'variables.burstFactor': ['Burst sizing factor (over the required ratio)', '', (v) => `${v.toFixed(3)} x`],
  'variables.fiber': ['Fiber grade', ''],
  'variables.liner': ['Liner', ''],
  'geometry.innerRadiusMm': ['Inner radius', 'mm'],
  'geometry.outerRadiusMm': ['Outer radius', 'mm'],
  'geometry.cylinderLengthMm': ['Cylinder length', 'mm'],
  'geometry.domeHeightMm': ['Dome height (liner)', 'mm'],
  'geometry.overallLengthMm': ['Overall length', 'mm'],
  'geometry.polarOpeningRadiusMm': ['Polar opening radius', 'mm'],
  'geometry.waterVolumeL': ['Water volume', 'L'],
  'layup.helicalFiberMm': ['Helical fiber thickness', 'mm'],
  'layup.hoopFiberMm': ['Hoop fiber thickness', 'mm'],
  'layup.compositeMm': ['Composite wall thickness', 'mm'],
  'layup.compositeDensityKgM3': ['Composite density', 'kg/m3'],
  'massKg.liner': ['Liner mass', 'kg'],
  'massKg.composite': ['Composite mass', 'kg'],
  'massKg.bosses': ['Bosses (both poles)', 'kg'],
  'massKg.protection': ['Protective outer layer', 'kg'],
  'massKg.domeCaps': ['Dome caps', 'kg'],
  'massKg.total': ['Tank mass as delivered (no valves)', 'kg'],
  costUsd: ['Cost per tank (no valves)', 'USD', (v) => `${v.toFixed(0)} USD`],
  storedH2Kg: ['Stored H2 per tank, NWP and 15 C', 'kg'],
  burstPressureMPa: ['Predicted burst pressure', 'MPa'],
  safetyMargin: ['Burst margin over the required burst', '', (v) => percent(v)],
};

/** The written label of a design field, or the label read from its name. */
export function designRow(path: string, value: unknown): [string, string] {
  const known = DESIGN_FIELDS[path];
  if (known && typeof value === 'number') {
    const [label, unit, show] = known;
    return [label, show ? show(value) : quantity(value, unit)];
  }
  if (known) return [known[0], String(value)];
  return humanRow(path, value);
}

/** Unit suffixes of field names, longest first. */
const SUFFIXES: ReadonlyArray<readonly [string, string]> = [
  ['WPerM2K', 'W/(m2 K)'], ['UsdPerKwh', 'USD/kWh'], ['UsdPerKg', 'USD/kg'], ['UsdPerH', 'USD/h'], ['KgPerH', 'kg/h'], ['NPerMm', 'N/mm'], ['JPerK', 'J/K'],
  ['KgPerL', 'kg/L'], ['M2', 'm2'], ['M3', 'm3'], ['J', 'J'], ['KgM3', 'kg/m3'], ['MPa', 'MPa'], ['GPa', 'GPa'], ['Mpa', 'MPa'], ['Usd', 'USD'],
  ['Kwh', 'kWh'], ['Pct', '%'], ['Deg', 'deg'], ['Mm', 'mm'], ['Kg', 'kg'], ['Ms', 'ms'], ['Min', 'min'], ['L', 'L'], ['C', 'C'], ['K', 'K'], ['S', 's'],
];
const ACRONYMS: Readonly<Record<string, string>> = { soc: 'SOC', mises: 'Mises', nwp: 'NWP', mop: 'MOP', h2: 'H2', od: 'OD', id: 'ID', cf: 'CF', clt: 'CLT', fpf: 'FPF', lpf: 'LPF', hta: 'hTA', sr: 'SR', ilss: 'ILSS' };

/**
 * A label and unit read from a camelCase field name.
 * @example fieldLabel('peakGasTempC') // { label: 'Peak gas temp', unit: 'C' }
 * @example fieldLabel('helicalNwpMPa') // { label: 'Helical NWP', unit: 'MPa' }
 */
export function fieldLabel(name: string): { label: string; unit: string } {
  let base = name;
  let unit = '';
  for (const [suffix, u] of SUFFIXES) {
    // Suffixes start upper-case, so in a camelCase name they start a word: 'peakGasTempC' -> C, 'SMPa' -> MPa.
    if (base.length > suffix.length && base.endsWith(suffix) && /[A-Za-z0-9]/.test(base[base.length - suffix.length - 1]!)) {
      base = base.slice(0, -suffix.length);
      unit = u;
      break;
    }
  }
  const words = base
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => ACRONYMS[w.toLowerCase()] ?? w.toLowerCase());
  const label = words.join(' ');
  return { label: label.charAt(0).toUpperCase() + label.slice(1), unit };
}

/** A (label, value) row for any dotted field path: parent names become a prefix. */
export function humanRow(path: string, value: unknown): [string, string] {
  const parts = path.split('.');
  const own = fieldLabel(parts.at(-1) ?? path);
  const label = own.label;
  // A unit on the parent ('materialsUsd.fiber') applies to its children.
  const unit = own.unit || [...parts.slice(0, -1)].reverse().map((p) => fieldLabel(p).unit).find((u) => u !== '') || '';
  const lower = (l: string): string => (/^[A-Z0-9]{2,}\b/.test(l) ? l : l.charAt(0).toLowerCase() + l.slice(1));
  const context = parts.slice(0, -1).map((p) => lower(fieldLabel(p).label));
  const full = context.length ? `${label} (${context.join(', ')})` : label;
  if (typeof value === 'number') return [full, unit === '%' ? `${figure(value)} %` : quantity(value, unit)];
  if (typeof value === 'boolean') return [full, value ? 'yes' : 'no'];
  if (value === null || value === undefined) return [full, '-'];
  return [full, String(value)];
}

/**
 * A free-form record as human rows, nested objects flattened into "label (parent)".
 * Arrays of plain values are joined; longer lists point to design.json.
 */
export function humanRows(value: unknown, prefix = '', depth = 0, rows: Array<[string, string]> = []): Array<[string, string]> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 3) {
    for (const [k, v] of Object.entries(value)) humanRows(v, prefix ? `${prefix}.${k}` : k, depth + 1, rows);
    return rows;
  }
  if (Array.isArray(value)) {
    const simple = value.every((v) => typeof v !== 'object' || v === null);
    const text = value.map((v) => (typeof v === 'number' ? figure(v) : String(v))).join(', ');
    const [label] = humanRow(prefix, 0);
    const shown = value.length === 0 ? '-' : simple && value.length <= 8 && text.length <= 120 ? text : `${value.length} entries (see design.json)`;
    rows.push([label, shown]);
    return rows;
  }
  if (value !== null && typeof value === 'object') {
    rows.push([humanRow(prefix, 0)[0], 'see design.json']);
    return rows;
  }
  rows.push(humanRow(prefix, value));
  return rows;
}
