/**
 * The API contract between the UI and whichever process hosts the workbench core
 * (Electron's main process or the browser host). See DESIGN.md, "The API contract".
 * The renderer may import this module at run time; it holds only schemas and names.
 */
import type { EventPayload } from './events';
import type { Envelope } from './errors';
import type { ParsedInput, MethodInput, MethodOutput, Contract } from './methods';
import type { EventName, MethodName } from './names';
import type { z } from 'zod';

export * from './names';
export * from './errors';
export * from './schemas';
export * from './migration';
export { CONTRACT, type Contract, type MethodDef, type MethodInput, type MethodOutput, type ParsedInput } from './methods';
export { EVENTS, type Events, type EventPayload, type EventMessage } from './events';

/** Who is calling: lets a handler tell the desktop app from the browser (for messages only). */
export interface CallContext {
  transport: 'ipc' | 'http' | 'direct';
}

/**
 * The host's implementation: one function per method. A mapped type over the contract, so
 * leaving a method out (or adding one the contract does not know) fails to compile.
 * A handler may return the output before defaults are applied; dispatch parses it.
 */
export type Handlers = {
  [M in MethodName]: (input: ParsedInput<M>, ctx: CallContext) => Promise<z.input<Contract[M]['output']>>;
};

/** A method whose input fields are all optional may be called without an input. */
export type InputArgs<M extends MethodName> = Record<never, never> extends MethodInput<M> ? [input?: MethodInput<M>] : [input: MethodInput<M>];

/** What the Electron preload exposes as `window.sluice`: exactly the contract, nothing else. */
export interface SluiceBridge {
  /** One function per method; each resolves to the dispatch envelope (never rejects for API errors). */
  readonly call: { readonly [M in MethodName]: (input: unknown) => Promise<Envelope<unknown>> };
  /** Subscribes to a pushed event; returns the unsubscribe function. */
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}

/** The typed face the renderer codes against (renderer/src/api.ts implements it per transport). */
export interface SluiceApi {
  readonly transport: 'ipc' | 'http';
  call<M extends MethodName>(method: M, ...input: InputArgs<M>): Promise<MethodOutput<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}
