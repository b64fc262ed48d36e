/**
 * Why a pack is refused: one `invalid_pack` StagegraphError per problem, with a one-line
 * message that names the pack (`id@version`) and the stage or workflow at fault, and a
 * stable `reason` in its details.
 */
import semver from 'semver';
import { StagegraphError } from '../../nodes/errors.ts';
import { packLabel, type PackDefinition } from './define.ts';

/** Every reason a pack is refused, as `details.reason` of an `invalid_pack` error. */
export const PACK_REFUSALS = [
  'invalid_id', 'invalid_version', 'invalid_range', 'unsupported_stagegraph', 'duplicate_pack',
  'duplicate_stage', 'duplicate_workflow', 'invalid_workflow', 'stage_not_offered', 'invalid_hook',
] as const;
export type PackRefusal = (typeof PACK_REFUSALS)[number];

export interface RefusalDetails {
  stage?: string;
  workflow?: string;
  /** Further fields, e.g. the code of the workflow error an `invalid_workflow` wraps. */
  [key: string]: unknown;
}

/**
 * Fails the registration: `pack 'id@version': <problem>`.
 * @throws StagegraphError `invalid_pack` with details `{ pack, stage?, workflow?, reason }`
 */
export function refuse(pack: PackDefinition, reason: PackRefusal, problem: string, details: RefusalDetails = {}, cause?: unknown): never {
  const label = packLabel(pack);
  // A refused pack is bad input (the project's config), not a failure of stagegraph: the CLI exits 2.
  throw new StagegraphError('invalid_pack', `pack '${label}': ${problem}`, {
    class: 'validation',
    details: { pack: label, ...details, reason },
    hint: reason === 'unsupported_stagegraph' ? `use a version of the pack made for stagegraph ${details.running as string}` : undefined,
    cause,
  });
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The pack's id, version and stagegraph range are well formed, and the range includes `running`. */
export function checkIdentity(pack: PackDefinition, running: string): void {
  if (typeof pack.id !== 'string' || !KEBAB.test(pack.id)) refuse(pack, 'invalid_id', `id '${pack.id}' is not kebab-case (e.g. 'h2-tank')`);
  if (typeof pack.version !== 'string' || semver.valid(pack.version) === null) {
    refuse(pack, 'invalid_version', `version '${pack.version}' is not a semver version (e.g. '1.0.0')`);
  }
  // semver reads an empty range as '*'; a pack must say which versions it supports.
  if (typeof pack.stagegraph !== 'string' || pack.stagegraph.trim() === '' || semver.validRange(pack.stagegraph) === null) {
    refuse(pack, 'invalid_range', `stagegraph range '${pack.stagegraph}' is not a semver range (e.g. '^0.1')`);
  }
  if (!semver.satisfies(running, pack.stagegraph, { includePrerelease: true })) {
    refuse(pack, 'unsupported_stagegraph', `supports stagegraph '${pack.stagegraph}', not the running ${running}`, { running, range: pack.stagegraph });
  }
}
