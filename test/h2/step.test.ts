/**
 * tank.step, read back by an independent STEP reader: OpenCascade (occt-import-js,
 * WASM) imports the B-rep and triangulates it; the mesh's enclosed volume (sum of
 * signed tetrahedra) and bounding box must match the envelope computed from the dome
 * integrals (engineering/dome.ts) and the design's dimensions.
 *
 * Tolerances: volume 1 % (the triangulation is inscribed in the curved faces: about
 * -0.15 % at 0.3 mm chordal deflection), bounding box 0.5 % radially, 0.01 % axially
 * (the polar caps are planar, so the axial extent is exact).
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { isStagegraphError } from '../../nodes/errors.ts';
import type { Design } from '../../plugins/h2-tank/schemas.ts';
import { tankStep } from '../../plugins/h2-tank/export/step.ts';

interface OcctMesh {
  attributes: { position: { array: number[] } };
  index: { array: number[] };
  brep_faces: Array<{ first: number; last: number }>;
}
interface OcctResult {
  success: boolean;
  meshes: OcctMesh[];
}
interface Occt {
  ReadStepFile(content: Uint8Array, params: Record<string, unknown> | null): OcctResult;
}

/** Outer geometries of evaluated designs (engineering/evaluate-design.ts, 70 MPa Type IV, T700S on HDPE). */
const CASES: Record<string, Design['geometry']> = {
  'R150 L600 a15': { innerRadiusMm: 150, outerRadiusMm: 169.82, cylinderLengthMm: 600, domeHeightMm: 94.4419, overallLengthMm: 828.524, polarOpeningRadiusMm: 39.8581, waterVolumeL: 51.974 },
  'R170 L430 a13': { innerRadiusMm: 170, outerRadiusMm: 191.93, cylinderLengthMm: 430, domeHeightMm: 105.804, overallLengthMm: 685.467, polarOpeningRadiusMm: 39.1415, waterVolumeL: 52.8442 },
  // No cylinder: the two domes meet at the equator (4 faces instead of 5).
  'R200 L0 a30': { innerRadiusMm: 200, outerRadiusMm: 226, cylinderLengthMm: 0, domeHeightMm: 141.07, overallLengthMm: 334.14, polarOpeningRadiusMm: 102, waterVolumeL: 25.6716 },
};

const READ_PARAMS = { linearUnit: 'millimeter', linearDeflectionType: 'absolute_value', linearDeflection: 0.3, angularDeflection: 0.5 };

function meshStats(result: OcctResult): { volume: number; min: number[]; max: number[]; faces: number; triangles: number } {
  let volume = 0;
  let triangles = 0;
  let faces = 0;
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (const m of result.meshes) {
    const p = m.attributes.position.array;
    const idx = m.index.array;
    faces += m.brep_faces.length;
    for (let i = 0; i < p.length; i += 3) {
      for (let k = 0; k < 3; k++) {
        min[k] = Math.min(min[k], p[i + k]);
        max[k] = Math.max(max[k], p[i + k]);
      }
    }
    for (let t = 0; t < idx.length; t += 3, triangles++) {
      const [a, b, c] = [idx[t] * 3, idx[t + 1] * 3, idx[t + 2] * 3];
      // Signed volume of the tetrahedron (origin, a, b, c): a . (b x c) / 6.
      volume +=
        (p[a] * (p[b + 1] * p[c + 2] - p[b + 2] * p[c + 1]) -
          p[a + 1] * (p[b] * p[c + 2] - p[b + 2] * p[c]) +
          p[a + 2] * (p[b] * p[c + 1] - p[b + 1] * p[c])) /
        6;
    }
  }
  return { volume, min, max, faces, triangles };
}

let occt: Occt;
beforeAll(async () => {
  const require = createRequire(import.meta.url);
  const factory = require('occt-import-js') as () => Promise<Occt>;
  occt = await factory();
});

describe('tank.step', () => {
  it('is an AP214 exchange file with an exact B-rep of revolved faces', () => {
    const { text } = tankStep(CASES['R150 L600 a15'], { name: 'tank-9f2e7375', timestamp: '2025-03-01T12:00:00' });
    expect(text.startsWith('ISO-10303-21;\nHEADER;')).toBe(true);
    expect(text.trimEnd().endsWith('END-ISO-10303-21;')).toBe(true);
    expect(text).toContain("FILE_SCHEMA(('AUTOMOTIVE_DESIGN { 1 0 10303 214 1 1 1 1 }'));");
    expect(text).toContain("FILE_NAME('tank-9f2e7375.step','2025-03-01T12:00:00'");
    const count = (entity: string): number => text.split(`=${entity}(`).length - 1;
    expect(count('MANIFOLD_SOLID_BREP')).toBe(1);
    expect(count('ADVANCED_FACE')).toBe(5);
    expect(count('SURFACE_OF_REVOLUTION')).toBe(2);
    expect(count('CYLINDRICAL_SURFACE')).toBe(1);
    expect(count('PLANE')).toBe(2);
    expect(count('B_SPLINE_CURVE_WITH_KNOTS')).toBe(2);
    expect(text).toContain('SI_UNIT(.MILLI.,.METRE.)');
  });

  it('is deterministic', () => {
    const a = tankStep(CASES['R170 L430 a13'], { name: 'x', timestamp: '2025-03-01T12:00:00' }).text;
    const b = tankStep(CASES['R170 L430 a13'], { name: 'x', timestamp: '2025-03-01T12:00:00' }).text;
    expect(a).toBe(b);
  });

  it.each(Object.entries(CASES))('%s: OpenCascade reads a closed solid with the envelope volume and box', (_name, geometry) => {
    const { text, profile } = tankStep(geometry);
    const result = occt.ReadStepFile(new TextEncoder().encode(text), READ_PARAMS);
    expect(result.success).toBe(true);
    expect(result.meshes).toHaveLength(1);
    const s = meshStats(result);
    expect(s.faces).toBe(geometry.cylinderLengthMm > 0 ? 5 : 4);

    const volumeDev = s.volume / profile.volumeMm3 - 1;
    const R = geometry.outerRadiusMm;
    const radialDev = Math.max(...[s.max[0], -s.min[0], s.max[1], -s.min[1]].map((v) => Math.abs(v / R - 1)));
    const lengthDev = Math.abs((s.max[2] - s.min[2]) / geometry.overallLengthMm - 1);
    console.log(
      `${_name}: ${s.triangles} triangles, volume ${(s.volume / 1e6).toFixed(3)} L vs ${(profile.volumeMm3 / 1e6).toFixed(3)} L ` +
        `(${(volumeDev * 100).toFixed(3)} %), radius dev ${(radialDev * 100).toFixed(3)} %, length dev ${(lengthDev * 100).toFixed(4)} %`,
    );
    expect(Math.abs(volumeDev)).toBeLessThan(0.01);
    expect(radialDev).toBeLessThan(0.005);
    expect(lengthDev).toBeLessThan(1e-4);
    // Centred on the origin along z.
    expect(Math.abs(s.max[2] + s.min[2])).toBeLessThan(1e-6 * geometry.overallLengthMm);
  });

  it('encloses more than the water volume and less than the bounding cylinder', () => {
    const g = CASES['R150 L600 a15'];
    const { profile } = tankStep(g);
    expect(profile.volumeMm3 / 1e6).toBeGreaterThan(g.waterVolumeL);
    expect(profile.volumeMm3).toBeLessThan(Math.PI * g.outerRadiusMm ** 2 * g.overallLengthMm);
  });

  it('rejects a geometry that is not a closed tank with export_invalid_geometry', () => {
    const g = CASES['R150 L600 a15'];
    const bad = [
      { ...g, polarOpeningRadiusMm: 0 },
      { ...g, polarOpeningRadiusMm: g.outerRadiusMm },
      { ...g, overallLengthMm: g.cylinderLengthMm + g.domeHeightMm },
    ];
    for (const geometry of bad) {
      let caught: unknown;
      try {
        tankStep(geometry);
      } catch (e) {
        caught = e;
      }
      expect(isStagegraphError(caught, 'export_invalid_geometry')).toBe(true);
    }
  });
});
