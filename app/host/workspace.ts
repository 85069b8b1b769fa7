import { constants } from 'node:fs';
import { cp, mkdir, readdir, readFile, realpath, rm, stat, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../contract/errors';

/**
 * The workspace: one folder holding pipeline files and the data files they read. Every
 * path the API receives is relative to it; a path that leaves it — by `..`, by being
 * absolute, or through a symbolic link pointing outside — is refused.
 */
export class Workspace {
  private constructor(readonly root: string) {}

  /** Opens a folder as the workspace (its real path: symlinks in the root are resolved once). */
  static async open(folder: string): Promise<Workspace> {
    const abs = path.resolve(folder);
    await mkdir(abs, { recursive: true });
    return new Workspace(await realpath(abs));
  }

  get name(): string {
    return path.basename(this.root);
  }

  /** The absolute path of a workspace-relative path, after checking it stays inside. */
  async resolve(rel: string): Promise<string> {
    if (rel.includes('\0')) throw new ApiError('forbidden', `${JSON.stringify(rel)}: a path may not contain NUL`);
    if (path.isAbsolute(rel) || /^[A-Za-z]:/.test(rel) || rel.startsWith('\\')) {
      throw new ApiError('forbidden', `${rel}: give a path relative to the workspace folder`);
    }
    const abs = path.resolve(this.root, rel);
    if (!isInside(this.root, abs)) throw new ApiError('forbidden', `${rel}: the path leaves the workspace folder`);
    // The lexical check is not enough: a symlink inside the workspace may point anywhere.
    const real = await realpathOfDeepestExisting(abs);
    if (!isInside(this.root, real)) throw new ApiError('forbidden', `${rel}: the path leads out of the workspace folder (through a link)`);
    return abs;
  }

  /** `abs` as a workspace-relative path with `/` separators. */
  relative(abs: string): string {
    return path.relative(this.root, abs).split(path.sep).join('/');
  }

  async readFile(rel: string, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
    const abs = await this.resolve(rel);
    let size: number;
    try {
      const s = await stat(abs);
      if (!s.isFile()) throw new ApiError('not-found', `${rel}: not a file`);
      size = s.size;
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw notFound(rel, e);
    }
    if (size > maxBytes) throw new ApiError('forbidden', `${rel}: ${size} bytes is more than the ${maxBytes} allowed`);
    return readFile(abs);
  }

  async writeFile(rel: string, data: string | Uint8Array, opts: { createFolders?: boolean; createOnly?: boolean } = {}): Promise<string> {
    const abs = await this.resolve(rel);
    const dir = path.dirname(abs);
    if (opts.createFolders) await mkdir(dir, { recursive: true });
    else if (!(await exists(dir))) throw new ApiError('not-found', `${rel}: the folder ${this.relative(dir) || '.'} does not exist`);
    // Check again after creating folders: a link could have been put in the way meanwhile.
    await this.resolve(rel);
    try {
      await writeFile(abs, data, { flag: opts.createOnly ? 'wx' : 'w' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ApiError('conflict', `${rel} exists already`);
      if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new ApiError('forbidden', `${rel} is a folder`);
      throw e;
    }
    return abs;
  }

  async deleteFile(rel: string): Promise<void> {
    const abs = await this.resolve(rel);
    try {
      const s = await stat(abs);
      if (!s.isFile()) throw new ApiError('forbidden', `${rel}: not a file`);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw notFound(rel, e);
    }
    await rm(abs);
  }

  async exists(rel: string): Promise<boolean> {
    return exists(await this.resolve(rel));
  }

  async modifiedAt(rel: string): Promise<{ size: number; updatedAt: string }> {
    const s = await stat(await this.resolve(rel));
    return { size: s.size, updatedAt: s.mtime.toISOString() };
  }

  /**
   * Files whose names match, at most `maxDepth` folders deep, skipping hidden folders and
   * node_modules; sorted by path. Bounded, so a workspace pointed at a huge tree stays quick.
   */
  async findFiles(match: RegExp, opts: { maxDepth?: number; maxFiles?: number } = {}): Promise<string[]> {
    const maxDepth = opts.maxDepth ?? 3;
    const maxFiles = opts.maxFiles ?? 1000;
    const found: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (found.length >= maxFiles) return;
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        const abs = path.join(dir, e.name);
        if (e.isDirectory() && depth < maxDepth) await walk(abs, depth + 1);
        else if (e.isFile() && match.test(e.name)) found.push(this.relative(abs));
      }
    };
    await walk(this.root, 0);
    return found.sort();
  }
}

export function isInside(root: string, abs: string): boolean {
  const rel = path.relative(root, abs);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function exists(abs: string): Promise<boolean> {
  try {
    await access(abs, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

async function realpathOfDeepestExisting(abs: string): Promise<string> {
  let cur = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(await realpath(cur), ...rest.reverse());
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

function notFound(rel: string, e: unknown): ApiError {
  const code = (e as NodeJS.ErrnoException).code;
  return new ApiError('not-found', code === 'ENOENT' ? `${rel}: no such file` : `${rel}: ${(e as Error).message}`);
}

/**
 * The first start on a machine: when `folder` does not exist yet, fill it with a copy of
 * the embedded demo workspace, so the files under resources/ stay pristine and the user
 * edits their own copy. Later starts leave the folder as the user left it.
 */
export async function prepareWorkspaceFolder(folder: string, demoDir: string | undefined): Promise<{ created: boolean }> {
  if (await exists(folder)) return { created: false };
  if (demoDir && (await exists(demoDir))) {
    await cp(demoDir, folder, { recursive: true, errorOnExist: false, force: false });
  } else {
    await mkdir(folder, { recursive: true });
  }
  return { created: true };
}
