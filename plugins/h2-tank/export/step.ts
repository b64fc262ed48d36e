/**
 * ISO 10303-21 (STEP, AP214 AUTOMOTIVE_DESIGN) export of the tank's outer envelope as an
 * exact B-rep: a MANIFOLD_SOLID_BREP whose faces are two planar polar caps, the
 * CYLINDRICAL_SURFACE of the cylinder and, per dome, a SURFACE_OF_REVOLUTION of a cubic
 * B-spline through the isotensoid meridian (Hermite spans with the meridian's exact
 * tangents), joined by circular edges and one seam edge per face of revolution.
 * Axis along z, centred at the origin, millimetres.
 */
import type { Design } from '../schemas.ts';
import { outerProfile, type OuterProfile, type ProfilePoint } from './outer-profile.ts';

/** What goes into the STEP header. */
export interface StepOptions {
  /** Product name in the file. @default "h2-tank" */
  name?: string;
  /** FILE_NAME time stamp (ISO 8601); fixed for a deterministic file. @default "1970-01-01T00:00:00" */
  timestamp?: string;
  /** Originating system in the header. @default "stagegraph" */
  system?: string;
  /** Meridian intervals per dome (B-spline spans). @default 32 */
  domeSegments?: number;
}

/** The STEP text and the envelope it was built from. */
export interface StepResult {
  text: string;
  profile: OuterProfile;
}

/** One face of revolution between two consecutive circles, z increasing. */
type Span =
  | { kind: 'cylinder'; r: number; z0: number; z1: number }
  | { kind: 'curve'; points: Array<{ r: number; z: number; tr: number; tz: number }> };

/** A real in STEP syntax: always a decimal point, no `-0.`. */
function real(x: number): string {
  if (Math.abs(x) < 1e-12) return '0.';
  const s = x.toFixed(9).replace(/0+$/, '');
  return s === '-0.' ? '0.' : s;
}

/** A STEP string literal: quotes doubled, backslashes escaped, anything outside printable ASCII as '?'. */
const str = (s: string): string => `'${s.replace(/[^\x20-\x7e]/g, '?').replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** Accumulates DATA entities and hands out their `#id`s. */
class StepData {
  readonly lines: string[] = [];
  add(entity: string): string {
    this.lines.push(`#${this.lines.length + 1}=${entity};`);
    return `#${this.lines.length}`;
  }
  point(x: number, y: number, z: number): string {
    return this.add(`CARTESIAN_POINT('',(${real(x)},${real(y)},${real(z)}))`);
  }
  dir(x: number, y: number, z: number): string {
    return this.add(`DIRECTION('',(${real(x)},${real(y)},${real(z)}))`);
  }
  /** A placement on the z axis at height z: axis +z, reference direction +x. */
  placementZ(z: number): string {
    return this.add(`AXIS2_PLACEMENT_3D('',${this.point(0, 0, z)},${this.dir(0, 0, 1)},${this.dir(1, 0, 0)})`);
  }
}

/** Cubic Hermite spans through the points, as one B-spline of Bezier pieces (interior knots of multiplicity 3). */
function bspline(data: StepData, points: Array<{ r: number; z: number; tr: number; tz: number }>): string {
  const cps: string[] = [data.point(points[0].r, 0, points[0].z)];
  const knots = [0];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    const chord = Math.hypot(b.r - a.r, b.z - a.z);
    cps.push(data.point(a.r + (a.tr * chord) / 3, 0, a.z + (a.tz * chord) / 3));
    cps.push(data.point(b.r - (b.tr * chord) / 3, 0, b.z - (b.tz * chord) / 3));
    cps.push(data.point(b.r, 0, b.z));
    knots.push(knots[i] + chord);
  }
  const mult = knots.map((_, i) => (i === 0 || i === knots.length - 1 ? 4 : 3));
  return data.add(
    `B_SPLINE_CURVE_WITH_KNOTS('',3,(${cps.join(',')}),.UNSPECIFIED.,.F.,.F.,(${mult.join(',')}),` +
      `(${knots.map(real).join(',')}),.UNSPECIFIED.)`,
  );
}

/** The profile as spans from the left pole (z = -L/2) to the right one (z = +L/2). */
function spans(p: OuterProfile): Span[] {
  const half = p.cylinderLengthMm / 2;
  const right = p.dome.map((m: ProfilePoint) => ({ r: m.r, z: half + m.h, tr: m.tr, tz: m.th }));
  const left = [...p.dome].reverse().map((m) => ({ r: m.r, z: -half - m.h, tr: -m.tr, tz: m.th }));
  const out: Span[] = [{ kind: 'curve', points: left }];
  // A zero-length cylinder (two domes meeting at the equator) is left out: one circle joins them.
  if (p.cylinderLengthMm > 0) out.push({ kind: 'cylinder', r: p.outerRadiusMm, z0: -half, z1: half });
  out.push({ kind: 'curve', points: right });
  return out;
}

/** Writes the closed shell of the revolved profile; returns the MANIFOLD_SOLID_BREP id. */
function writeSolid(data: StepData, p: OuterProfile, name: string): string {
  const parts = spans(p);
  const ends = parts.map((s) =>
    s.kind === 'cylinder' ? { r: s.r, z: s.z0 } : { r: s.points[0].r, z: s.points[0].z },
  );
  const last = parts[parts.length - 1];
  ends.push(last.kind === 'cylinder' ? { r: last.r, z: last.z1 } : { r: last.points.at(-1)!.r, z: last.points.at(-1)!.z });
  // Vertex i sits on the seam (angle 0); circle i is the edge of revolution through it.
  const vertices = ends.map((e) => data.add(`VERTEX_POINT('',${data.point(e.r, 0, e.z)})`));
  const circles = ends.map((e, i) => {
    const curve = data.add(`CIRCLE('',${data.placementZ(e.z)},${real(e.r)})`);
    return data.add(`EDGE_CURVE('',${vertices[i]},${vertices[i]},${curve},.T.)`);
  });
  const oriented = (edge: string, forward: boolean): string => data.add(`ORIENTED_EDGE('',*,*,${edge},${forward ? '.T.' : '.F.'})`);
  const face = (bounds: string[], surface: string, sameSense: boolean): string => {
    const loop = data.add(`EDGE_LOOP('',(${bounds.join(',')}))`);
    const bound = data.add(`FACE_OUTER_BOUND('',${loop},.T.)`);
    return data.add(`ADVANCED_FACE('',(${bound}),${surface},${sameSense ? '.T.' : '.F.'})`);
  };
  const faces: string[] = [];
  // Left cap: outward normal -z, so the plane (normal +z) is used reversed and the circle clockwise.
  faces.push(face([oriented(circles[0], false)], data.add(`PLANE('',${data.placementZ(ends[0].z)})`), false));
  parts.forEach((s, i) => {
    const seamCurve =
      s.kind === 'cylinder'
        ? data.add(`LINE('',${data.point(s.r, 0, s.z0)},${data.add(`VECTOR('',${data.dir(0, 0, 1)},${real(s.z1 - s.z0)})`)})`)
        : bspline(data, s.points);
    const seam = data.add(`EDGE_CURVE('',${vertices[i]},${vertices[i + 1]},${seamCurve},.T.)`);
    const surface =
      s.kind === 'cylinder'
        ? data.add(`CYLINDRICAL_SURFACE('',${data.placementZ(0)},${real(s.r)})`)
        : data.add(`SURFACE_OF_REVOLUTION('',${seamCurve},${data.add(`AXIS1_PLACEMENT('',${data.point(0, 0, 0)},${data.dir(0, 0, 1)})`)})`);
    // Counter-clockwise in (angle, meridian) space, i.e. about the outward normal dS/du x dS/dv.
    const loop = [oriented(circles[i], true), oriented(seam, true), oriented(circles[i + 1], false), oriented(seam, false)];
    faces.push(face(loop, surface, true));
  });
  const n = ends.length - 1;
  faces.push(face([oriented(circles[n], true)], data.add(`PLANE('',${data.placementZ(ends[n].z)})`), true));
  const shell = data.add(`CLOSED_SHELL('',(${faces.join(',')}))`);
  return data.add(`MANIFOLD_SOLID_BREP(${str(name)},${shell})`);
}

/**
 * Builds the STEP file of the outer envelope of `geometry` (see `outerProfile`).
 * Deterministic: the same geometry and options give the same bytes.
 * @example
 * const { text, profile } = tankStep(design.geometry, { name: design.id, timestamp: '2025-01-01T00:00:00' });
 */
export function tankStep(geometry: Design['geometry'], options: StepOptions = {}): StepResult {
  const name = options.name ?? 'h2-tank';
  const system = options.system ?? 'stagegraph';
  const timestamp = options.timestamp ?? '1970-01-01T00:00:00';
  const profile = outerProfile(geometry, options.domeSegments ?? 32);
  const data = new StepData();
  const app = data.add(`APPLICATION_CONTEXT('core data for automotive mechanical design processes')`);
  data.add(`APPLICATION_PROTOCOL_DEFINITION('international standard','automotive_design',2000,${app})`);
  const product = data.add(`PRODUCT(${str(name)},${str(name)},'',(${data.add(`PRODUCT_CONTEXT('',${app},'mechanical')`)}))`);
  data.add(`PRODUCT_RELATED_PRODUCT_CATEGORY('part',$,(${product}))`);
  const formation = data.add(`PRODUCT_DEFINITION_FORMATION('','',${product})`);
  const definition = data.add(
    `PRODUCT_DEFINITION('design','',${formation},${data.add(`PRODUCT_DEFINITION_CONTEXT('part definition',${app},'design')`)})`,
  );
  const shapeDef = data.add(`PRODUCT_DEFINITION_SHAPE('','',${definition})`);
  const mm = data.add('(LENGTH_UNIT() NAMED_UNIT(*) SI_UNIT(.MILLI.,.METRE.))');
  const rad = data.add('(NAMED_UNIT(*) PLANE_ANGLE_UNIT() SI_UNIT($,.RADIAN.))');
  const sr = data.add('(NAMED_UNIT(*) SI_UNIT($,.STERADIAN.) SOLID_ANGLE_UNIT())');
  const tol = data.add(`UNCERTAINTY_MEASURE_WITH_UNIT(LENGTH_MEASURE(1.E-06),${mm},'distance_accuracy_value','confusion accuracy')`);
  const context = data.add(
    `(GEOMETRIC_REPRESENTATION_CONTEXT(3) GLOBAL_UNCERTAINTY_ASSIGNED_CONTEXT((${tol})) ` +
      `GLOBAL_UNIT_ASSIGNED_CONTEXT((${mm},${rad},${sr})) REPRESENTATION_CONTEXT('',''))`,
  );
  const origin = data.placementZ(0);
  const solid = writeSolid(data, profile, name);
  const rep = data.add(`ADVANCED_BREP_SHAPE_REPRESENTATION(${str(name)},(${origin},${solid}),${context})`);
  data.add(`SHAPE_DEFINITION_REPRESENTATION(${shapeDef},${rep})`);
  const text = [
    'ISO-10303-21;',
    'HEADER;',
    `FILE_DESCRIPTION((${str(`outer envelope of hydrogen tank ${name}, mm`)}),'2;1');`,
    `FILE_NAME(${str(`${name}.step`)},${str(timestamp)},(${str(system)}),(''),${str(system)},${str(system)},'');`,
    "FILE_SCHEMA(('AUTOMOTIVE_DESIGN { 1 0 10303 214 1 1 1 1 }'));",
    'ENDSEC;',
    'DATA;',
    ...data.lines,
    'ENDSEC;',
    'END-ISO-10303-21;',
    '',
  ].join('\n');
  return { text, profile };
}
