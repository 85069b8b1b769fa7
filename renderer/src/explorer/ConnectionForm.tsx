import { useEffect, useRef, useState } from 'react';
import type { ConnectionInfo, MethodInput, MethodOutput } from '../../../app/contract';
import { api, ApiError } from '../api';
import { connectionsStore } from '../stores/connections';
import { buildUrl, DEFAULT_PORTS, emptyFields, parseUrl, type ConnectionFields, type ConnectionKind } from './connection-url';

type WorkspaceInfo = MethodOutput<'workspace/info'>;
type SecretChoice = 'keep' | 'none' | 'env' | 'password';

const KINDS: Array<{ id: ConnectionKind; label: string }> = [
  { id: 'sqlite', label: 'SQLite' },
  { id: 'postgres', label: 'PostgreSQL' },
  { id: 'mysql', label: 'MySQL / MariaDB' },
];

/** Picks a SQLite file: the native dialog in the desktop app, the workspace's database files in a browser. */
function SqlitePicker({ info, onPick }: { info: WorkspaceInfo | undefined; onPick(path: string): void }) {
  const [files, setFiles] = useState<string[]>();
  const browse = async () => {
    if (info?.nativeDialogs) {
      const r = await api.call('dialogs/open', { title: 'SQLite database', read: false, filters: [{ name: 'SQLite databases', extensions: ['db', 'sqlite', 'sqlite3'] }, { name: 'All files', extensions: ['*'] }] });
      if (!r.canceled && r.path) onPick(r.path);
      return;
    }
    const r = await api.call('files/list', { extensions: ['db', 'sqlite', 'sqlite3'] });
    setFiles(r.files.map((f) => f.path));
  };
  return (
    <>
      <button type="button" data-testid="sqlite-browse" onClick={() => void browse()}>
        Browse…
      </button>
      {files && (
        <ul className="file-choices" aria-label="Database files in the workspace" data-testid="sqlite-files">
          {files.length === 0 && <li className="hint">No .db or .sqlite files in the workspace.</li>}
          {files.map((f) => (
            <li key={f}>
              <button
                type="button"
                className="link"
                onClick={() => {
                  onPick(f);
                  setFiles(undefined);
                }}
              >
                {f}
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Add or edit a saved connection: SQLite file, PostgreSQL, MySQL/MariaDB; test before saving. */
export function ConnectionForm({ existing, onClose }: { existing?: ConnectionInfo; onClose(): void }) {
  const [name, setName] = useState(existing?.name ?? '');
  const [fields, setFields] = useState<ConnectionFields>(() => (existing && parseUrl(existing.url)) || emptyFields('sqlite'));
  const [secret, setSecret] = useState<SecretChoice>(existing ? 'keep' : 'none');
  const [envRef, setEnvRef] = useState(existing?.secretRef ?? '${env:DB_PASSWORD}');
  const [password, setPassword] = useState('');
  const [info, setInfo] = useState<WorkspaceInfo>();
  const [test, setTest] = useState<MethodOutput<'connections/test'> & { running?: boolean }>();
  const [error, setError] = useState<string>();
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void api.call('workspace/info').then(setInfo);
    first.current?.focus();
  }, []);

  const set = (patch: Partial<ConnectionFields>) => setFields((f) => ({ ...f, ...patch }));
  const url = buildUrl(fields);
  const isDb = fields.kind !== 'sqlite';

  const runTest = async () => {
    setTest({ ok: false, message: 'testing…', durationMs: 0, running: true });
    const input: MethodInput<'connections/test'> = { url };
    if (isDb && secret === 'env') input.secretRef = envRef;
    if (isDb && secret === 'password' && password) input.password = password;
    if (existing && secret === 'keep' && existing.url === url) {
      setTest(await connectionsStore.getState().test({ name: existing.name }, 'form'));
      return;
    }
    try {
      setTest(await connectionsStore.getState().test(input, 'form'));
    } catch (e) {
      setTest({ ok: false, message: (e as Error).message, durationMs: 0 });
    }
  };

  const save = async () => {
    setError(undefined);
    const s: MethodInput<'connections/save'>['secret'] =
      !isDb || secret === 'none' ? { kind: 'none' } : secret === 'env' ? { kind: 'env', ref: envRef } : secret === 'password' ? { kind: 'password', password } : { kind: 'keep' };
    try {
      if (existing && existing.name !== name) await connectionsStore.getState().remove(existing.name);
      await connectionsStore.getState().save({ name, url, secret: s });
      onClose();
    } catch (e) {
      setError(e instanceof ApiError && e.issues?.length ? e.issues.map((i) => `${i.path}: ${i.message}`).join('; ') : (e as Error).message);
    }
  };

  return (
    <div className="overlay">
      <form
        className="dialog connection-form"
        role="dialog"
        aria-modal="true"
        aria-labelledby="connection-form-title"
        data-testid="connection-form"
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="dialog-head">
          <h2 id="connection-form-title">{existing ? `Edit connection ${existing.name}` : 'New connection'}</h2>
          <button type="button" className="icon" aria-label="Close" onClick={onClose}>
            ✕
          </button>
        </div>
        <div className="field">
          <label className="field-label" htmlFor="conn-name">
            Name
          </label>
          <input id="conn-name" ref={first} data-testid="conn-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. warehouse" required />
        </div>
        <div className="field">
          <span className="field-label" id="conn-kind-label">
            Kind
          </span>
          <div className="segmented" role="radiogroup" aria-labelledby="conn-kind-label">
            {KINDS.map((k) => (
              <button
                key={k.id}
                type="button"
                role="radio"
                aria-checked={fields.kind === k.id}
                data-testid={`conn-kind-${k.id}`}
                onClick={() => setFields((f) => ({ ...emptyFields(k.id), ...(f.kind === k.id ? f : {}), kind: k.id, port: f.kind === k.id ? f.port : DEFAULT_PORTS[k.id] }))}
              >
                {k.label}
              </button>
            ))}
          </div>
        </div>
        {fields.kind === 'sqlite' ? (
          <div className="field">
            <label className="field-label" htmlFor="conn-path">
              Database file
            </label>
            <div className="row">
              <input id="conn-path" data-testid="conn-path" value={fields.path} onChange={(e) => set({ path: e.target.value })} placeholder="./shop.db (relative to the workspace)" />
              <SqlitePicker info={info} onPick={(p) => set({ path: p })} />
            </div>
          </div>
        ) : (
          <>
            <div className="row">
              <div className="field grow">
                <label className="field-label" htmlFor="conn-host">
                  Host
                </label>
                <input id="conn-host" data-testid="conn-host" value={fields.host} onChange={(e) => set({ host: e.target.value })} />
              </div>
              <div className="field">
                <label className="field-label" htmlFor="conn-port">
                  Port
                </label>
                <input id="conn-port" className="narrow" inputMode="numeric" value={fields.port} onChange={(e) => set({ port: e.target.value.replace(/\D/g, '') })} />
              </div>
            </div>
            <div className="row">
              <div className="field grow">
                <label className="field-label" htmlFor="conn-db">
                  Database
                </label>
                <input id="conn-db" data-testid="conn-database" value={fields.database} onChange={(e) => set({ database: e.target.value })} />
              </div>
              <div className="field grow">
                <label className="field-label" htmlFor="conn-user">
                  User
                </label>
                <input id="conn-user" data-testid="conn-user" value={fields.user} onChange={(e) => set({ user: e.target.value })} />
              </div>
            </div>
            <fieldset className="field">
              <legend className="field-label">Password</legend>
              <div className="segmented" role="radiogroup" aria-label="Password">
                {(existing ? (['keep', 'none', 'env', 'password'] as const) : (['none', 'env', 'password'] as const)).map((c) => (
                  <button key={c} type="button" role="radio" aria-checked={secret === c} disabled={c === 'password' && info !== undefined && !info.secretStorage} onClick={() => setSecret(c)}>
                    {c === 'keep' ? 'keep stored' : c === 'none' ? 'none' : c === 'env' ? 'environment variable' : 'password'}
                  </button>
                ))}
              </div>
              {secret === 'env' && <input aria-label="Environment variable reference" value={envRef} onChange={(e) => setEnvRef(e.target.value)} />}
              {secret === 'password' && <input type="password" aria-label="Password" value={password} onChange={(e) => setPassword(e.target.value)} />}
              {info && !info.secretStorage && (
                <div className="field-help">This host cannot store passwords safely; use an environment variable such as {'${env:PGPASSWORD}'}.</div>
              )}
            </fieldset>
          </>
        )}
        <div className="field-help" data-testid="conn-url">
          {url}
        </div>
        {test && (
          <div className={`test-result ${test.running ? 'muted' : test.ok ? 'ok-text' : 'error-text'}`} role="status" data-testid="conn-test-result" data-ok={test.running ? '' : String(test.ok)}>
            {test.running ? 'Testing…' : test.ok ? `Connected (${test.durationMs} ms)` : test.message}
          </div>
        )}
        {error && (
          <div className="field-error" role="alert">
            {error}
          </div>
        )}
        <div className="dialog-actions">
          <button type="button" data-testid="conn-test" onClick={() => void runTest()}>
            Test
          </button>
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="conn-save" disabled={!name || (fields.kind === 'sqlite' ? !fields.path : !fields.host || !fields.database)}>
            Save
          </button>
        </div>
      </form>
    </div>
  );
}
