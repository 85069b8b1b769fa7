import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

/**
 * electron-builder validates its configuration against its JSON schema before it builds
 * (unknown keys are errors). Its validation function needs no Electron binary, so CI runs it
 * on our electron-builder.yml here, where packaging itself cannot run.
 */
const require = createRequire(import.meta.url);
const CONFIG_FILE = fileURLToPath(new URL('../electron-builder.yml', import.meta.url));

interface BuilderConfigModule {
  validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>;
}
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as BuilderConfigModule;
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const load = () => YAML.parse(readFileSync(CONFIG_FILE, 'utf8')) as Record<string, unknown>;
const validate = (config: unknown) => validateConfiguration(config, new DebugLogger(false));

describe('electron-builder.yml', () => {
  it('passes electron-builder\'s own validation', async () => {
    await expect(validate(load())).resolves.toBeUndefined();
  });

  it('would fail on an unknown key (the check is real)', async () => {
    await expect(validate({ ...load(), appIdd: 'typo' })).rejects.toThrow(/appIdd|unknown|additional/i);
    await expect(validate({ ...load(), linux: { ...(load().linux as object), tragets: [] } })).rejects.toThrow();
  });

  it('builds AppImage and deb, NSIS and dmg, with better-sqlite3 unpacked from the asar', () => {
    const c = load() as {
      appId: string;
      productName: string;
      linux: { target: string[] };
      win: { target: string[] };
      mac: { target: string[] };
      asarUnpack: string[];
      npmRebuild: boolean;
    };
    expect(c.productName).toBe('Sluice');
    expect(c.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(c.linux.target).toEqual(['AppImage', 'deb']);
    expect(c.win.target).toEqual(['nsis']);
    expect(c.mac.target).toEqual(['dmg']);
    expect(c.asarUnpack.join(' ')).toMatch(/better-sqlite3/);
    expect(c.npmRebuild).toBe(true);
  });

  it('points at icons that exist and are large enough', () => {
    for (const size of [512, 256]) {
      const png = readFileSync(fileURLToPath(new URL(`../resources/icons/${size}x${size}.png`, import.meta.url)));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe(size);
      expect(png.readUInt32BE(20)).toBe(size);
    }
  });
});
