import { describe, expect, it } from 'vitest';
import { isOffline, modelCacheDir, modelSearchPath } from './paths.ts';

describe('modelSearchPath', () => {
  it('modelSearchPath(env) lists EXPLORABLES_MODELS first, then the cache folder', () => {
    const folders = modelSearchPath(
      { EXPLORABLES_MODELS: '/data/models', HOME: '/home/ada' },
      'linux',
    );
    expect(folders).toEqual([
      { dir: '/data/models', source: 'env', setBy: 'EXPLORABLES_MODELS' },
      { dir: '/home/ada/.cache/explorables/models', source: 'cache', setBy: '~/.cache' },
    ]);
  });

  it('modelSearchPath(env) without EXPLORABLES_MODELS (or with it empty) lists only the cache', () => {
    expect(modelSearchPath({ HOME: '/h' }, 'linux').map((f) => f.source)).toEqual(['cache']);
    const empty = modelSearchPath({ HOME: '/h', EXPLORABLES_MODELS: '' }, 'linux');
    expect(empty.map((f) => f.source)).toEqual(['cache']);
  });
});

describe('modelCacheDir', () => {
  it('modelCacheDir(env) follows XDG_CACHE_HOME when it is an absolute path', () => {
    expect(modelCacheDir({ HOME: '/h', XDG_CACHE_HOME: '/xdg' }, 'linux')).toBe(
      '/xdg/explorables/models',
    );
    expect(modelCacheDir({ HOME: '/h', XDG_CACHE_HOME: '/xdg' }, 'darwin')).toBe(
      '/xdg/explorables/models',
    );
  });

  it('modelCacheDir(env) ignores a relative XDG_CACHE_HOME, as the XDG spec says', () => {
    expect(modelCacheDir({ HOME: '/h', XDG_CACHE_HOME: 'cache' }, 'linux')).toBe(
      '/h/.cache/explorables/models',
    );
  });

  it('modelCacheDir(env) on macOS is ~/Library/Caches/explorables/models', () => {
    expect(modelCacheDir({ HOME: '/Users/ada' }, 'darwin')).toBe(
      '/Users/ada/Library/Caches/explorables/models',
    );
  });

  it('modelCacheDir(env) on Windows is %LOCALAPPDATA%\\explorables\\models', () => {
    expect(modelCacheDir({ LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'win32')).toBe(
      'C:\\Users\\ada\\AppData\\Local\\explorables\\models',
    );
    expect(modelCacheDir({ USERPROFILE: 'C:\\Users\\ada' }, 'win32')).toBe(
      'C:\\Users\\ada\\AppData\\Local\\explorables\\models',
    );
  });
});

describe('isOffline', () => {
  it('isOffline(env) is true for 1, true and yes and false for unset, empty, 0, false and no', () => {
    for (const value of ['1', 'true', 'YES', ' 1 ']) {
      expect(isOffline({ EXPLORABLES_OFFLINE: value })).toBe(true);
    }
    for (const value of [undefined, '', '0', 'false', 'No']) {
      expect(isOffline({ EXPLORABLES_OFFLINE: value })).toBe(false);
    }
  });
});
