/** Base class for problems with the workbench store that a user or caller can act on. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * The store file was written by a newer Sluice (its schema version is beyond the newest
 * migration this build knows). Opening it anyway could corrupt data the newer version
 * relies on, so we refuse and say what to do instead.
 */
export class StoreVersionError extends StoreError {
  constructor(
    readonly path: string,
    readonly fileVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      `The workbench store ${path} was written by a newer version of Sluice ` +
        `(store schema version ${fileVersion}; this version understands up to ${supportedVersion}). ` +
        `Update Sluice, or point SLUICE_HOME at another folder to use a separate store.`,
    );
    this.name = 'StoreVersionError';
  }
}

/** A secret was about to be written in plain text (a password in a URL or in options). */
export class PlainTextSecretError extends StoreError {
  constructor(message: string) {
    super(message);
    this.name = 'PlainTextSecretError';
  }
}
