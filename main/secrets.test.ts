import { describe, expect, it } from 'vitest';
import { safeStorageBox, type SafeStorageLike } from './secrets';

const fake = (available: boolean, backend = 'gnome_libsecret'): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  encryptString: (s) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x21)),
  decryptString: (b) => Buffer.from([...b].map((x) => x ^ 0x21)).toString(),
  getSelectedStorageBackend: () => backend,
});

describe('safeStorage as the secret box', () => {
  it('encrypts and decrypts through safeStorage', () => {
    const box = safeStorageBox(fake(true), 'linux')!;
    const enc = box.encrypt('hunter2');
    expect(Buffer.from(enc).toString()).not.toContain('hunter2');
    expect(box.decrypt(enc)).toBe('hunter2');
  });

  it('is absent when encryption is unavailable, or only the hard-coded Linux fallback', () => {
    expect(safeStorageBox(fake(false), 'darwin')).toBeUndefined();
    expect(safeStorageBox(fake(true, 'basic_text'), 'linux')).toBeUndefined();
    expect(safeStorageBox(fake(true, 'basic_text'), 'win32')).toBeDefined();
  });
});
