import type { SecretBox } from '../app/host/deps';

/** The part of Electron's safeStorage used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(data: Buffer): string;
  getSelectedStorageBackend?(): string;
}

/**
 * Connection passwords encrypted with the OS keychain (Keychain, DPAPI, libsecret/kwallet).
 * On Linux without a keyring Electron falls back to a hard-coded key ('basic_text'): that is
 * not encryption worth the name, so the app then refuses passwords like the browser host.
 */
export function safeStorageBox(ss: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretBox | undefined {
  if (!ss.isEncryptionAvailable()) return undefined;
  if (platform === 'linux' && ss.getSelectedStorageBackend?.() === 'basic_text') return undefined;
  return {
    encrypt: (plain) => new Uint8Array(ss.encryptString(plain)),
    decrypt: (data) => ss.decryptString(Buffer.from(data)),
  };
}
