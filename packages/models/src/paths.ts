import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/** Environment variables as `process.env` holds them; tests pass a plain object instead. */
export type Env = Readonly<Record<string, string | undefined>>;

/** One folder of the model search path and what put it there. */
export interface ModelFolder {
  /** Absolute folder path. */
  readonly dir: string;
  /** 'env' for EXPLORABLES_MODELS, 'cache' for the per-user cache (where downloads land). */
  readonly source: 'env' | 'cache';
  /** How the folder was chosen, for listings: 'EXPLORABLES_MODELS', '$XDG_CACHE_HOME', … */
  readonly setBy: string;
}

/** The variable naming a folder of model files, searched first. */
export const MODELS_VARIABLE = 'EXPLORABLES_MODELS';

/** The variable that, set to 1 (or true/yes), forbids every download. */
export const OFFLINE_VARIABLE = 'EXPLORABLES_OFFLINE';

/**
 * Whether env forbids downloads: EXPLORABLES_OFFLINE set to anything but '', '0', 'false', 'no'.
 * @example isOffline({ EXPLORABLES_OFFLINE: '1' }) // true
 */
export function isOffline(env: Env): boolean {
  const value = env[OFFLINE_VARIABLE]?.trim().toLowerCase();
  return (
    value !== undefined && value !== '' && value !== '0' && value !== 'false' && value !== 'no'
  );
}

/**
 * The per-user cache folder for models: `$XDG_CACHE_HOME/explorables/models` when that variable is
 * set (on any platform), else `%LOCALAPPDATA%\explorables\models` on Windows,
 * `~/Library/Caches/explorables/models` on macOS and `~/.cache/explorables/models` elsewhere.
 * @example modelCacheDir({ HOME: '/home/ada' }, 'linux') // '/home/ada/.cache/explorables/models'
 */
export function modelCacheDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  return cacheFolder(env, platform).dir;
}

function cacheFolder(env: Env, platform: NodeJS.Platform): ModelFolder {
  const path = platform === 'win32' ? win32 : posix;
  const home = env.HOME || env.USERPROFILE || homedir();
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) {
    return {
      dir: path.join(xdg, 'explorables', 'models'),
      source: 'cache',
      setBy: '$XDG_CACHE_HOME',
    };
  }
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA || path.join(home, 'AppData', 'Local');
    return {
      dir: path.join(local, 'explorables', 'models'),
      source: 'cache',
      setBy: '%LOCALAPPDATA%',
    };
  }
  if (platform === 'darwin') {
    const dir = path.join(home, 'Library', 'Caches', 'explorables', 'models');
    return { dir, source: 'cache', setBy: '~/Library/Caches' };
  }
  return {
    dir: path.join(home, '.cache', 'explorables', 'models'),
    source: 'cache',
    setBy: '~/.cache',
  };
}

/**
 * The folders searched for a model named without a path, in order: EXPLORABLES_MODELS (when set),
 * then the per-user cache folder. Folders need not exist.
 * @example modelSearchPath({ EXPLORABLES_MODELS: '/data/models', HOME: '/home/ada' }, 'linux')
 *   // [{ dir: '/data/models', source: 'env', … }, { dir: '/home/ada/.cache/explorables/models', … }]
 */
export function modelSearchPath(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
): ModelFolder[] {
  const folders: ModelFolder[] = [];
  const fromEnv = env[MODELS_VARIABLE];
  if (fromEnv) folders.push({ dir: fromEnv, source: 'env', setBy: MODELS_VARIABLE });
  folders.push(cacheFolder(env, platform));
  return folders;
}
