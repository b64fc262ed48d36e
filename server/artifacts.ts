/**
 * Artifacts of a run: the regular files directly under `<outRoot>/<runId>/`. A name is
 * served only if the directory lists it (no path traversal, no symlinks, no subfolders).
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StagegraphError } from '../nodes/errors.ts';

export interface Artifact {
  name: string;
  size: number;
  modifiedAt: string;
}

function dirOf(outRoot: string, runId: string): string {
  return resolve(outRoot, runId);
}

async function fileNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw e;
  }
}

export async function listArtifacts(outRoot: string, runId: string): Promise<Artifact[]> {
  const dir = dirOf(outRoot, runId);
  const out: Artifact[] = [];
  for (const name of (await fileNames(dir)).sort()) {
    const st = await lstat(join(dir, name)).catch(() => undefined);
    if (st?.isFile()) out.push({ name, size: st.size, modifiedAt: st.mtime.toISOString() });
  }
  return out;
}

/** @throws StagegraphError `artifact_not_found` */
export async function openArtifact(outRoot: string, runId: string, name: string): Promise<{ stream: ReadStream; size: number }> {
  const dir = dirOf(outRoot, runId);
  const notFound = () => new StagegraphError('artifact_not_found', `run ${runId} has no artifact '${name}'`, { class: 'validation', details: { runId, name } });
  if (!(await fileNames(dir)).includes(name)) throw notFound();
  const path = join(dir, name);
  const st = await lstat(path).catch(() => undefined);
  if (!st?.isFile()) throw notFound();
  return { stream: createReadStream(path), size: st.size };
}
