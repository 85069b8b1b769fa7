import { createContext, memo, useContext, useId, useState } from 'react';
import type { ApiColumn, FunctionDocInfo } from '../../../app/contract';
import { ExpressionEditor, type ExpressionProblem } from './ExpressionEditor';
import { branchFor, emptyValue, isExpressionField, joinPath, typeOf, type JsonSchema } from './json-schema';

/** What every field of a config form can reach: columns, functions, problems by path. */
export interface FormContext {
  nodeId: string;
  columns: ApiColumn[];
  functions: FunctionDocInfo[];
  parameters: string[];
  /** Problems by config path (`rules[0].expr`): the local ones and the host's. */
  problems: Record<string, ExpressionProblem>;
  /** Editing a field is one undo step: begin on focus, end on blur. */
  beginEdit(): void;
  endEdit(): void;
}

const Ctx = createContext<FormContext | null>(null);
export const FormContextProvider = Ctx.Provider;

function useForm(): FormContext {
  const c = useContext(Ctx);
  if (!c) throw new Error('SchemaForm needs a FormContextProvider');
  return c;
}

interface FieldProps {
  name: string;
  schema: JsonSchema;
  value: unknown;
  path: string;
  required?: boolean;
  onChange(value: unknown): void;
}

const testIdOf = (nodeId: string, path: string) => `field-${path.replace(/[[\]]/g, '.').replace(/\.+/g, '.').replace(/\.$/, '')}`;

function FieldError({ path, id }: { path: string; id: string }) {
  const p = useForm().problems[path];
  if (!p) return null;
  return (
    <div className="field-error" id={id} role="alert" data-testid="field-error" data-path={path}>
      {p.message}
    </div>
  );
}

function Help({ schema }: { schema: JsonSchema }) {
  if (!schema.description) return null;
  return <div className="field-help">{schema.description}</div>;
}

function ScalarField({ name, schema, value, path, required, onChange }: FieldProps) {
  const f = useForm();
  const id = useId();
  const errorId = `${id}-error`;
  const hasError = !!f.problems[path];
  const t = typeOf(schema);
  const label = (
    <label htmlFor={id} className="field-label">
      {name}
      {required && <span className="required" aria-label="required">*</span>}
    </label>
  );
  const common = {
    id,
    'aria-invalid': hasError || undefined,
    'aria-describedby': hasError ? errorId : undefined,
    'data-testid': testIdOf(f.nodeId, path),
    onFocus: f.beginEdit,
    onBlur: f.endEdit,
  };
  let input;
  if (isExpressionField(name, schema)) {
    return (
      <div className="field">
        <span className="field-label" id={`${id}-label`}>
          {name}
          {required && <span className="required" aria-label="required">*</span>}
        </span>
        <ExpressionEditor
          value={typeof value === 'string' ? value : ''}
          onChange={(v) => onChange(v === '' ? undefined : v)}
          columns={f.columns}
          functions={f.functions}
          parameters={f.parameters}
          problem={f.problems[path]}
          label={`${name} expression`}
          placeholder={typeof schema.examples?.[0] === 'string' ? schema.examples[0] : ''}
          testId={testIdOf(f.nodeId, path)}
          onFocus={f.beginEdit}
          onBlur={f.endEdit}
        />
        <FieldError path={path} id={errorId} />
        <Help schema={schema} />
      </div>
    );
  }
  if (schema.enum) {
    input = (
      <select {...common} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}>
        <option value="">{schema.default !== undefined ? `(default: ${String(schema.default)})` : '—'}</option>
        {schema.enum.map((v) => (
          <option key={String(v)} value={String(v)}>
            {String(v)}
          </option>
        ))}
      </select>
    );
  } else if (t === 'boolean') {
    return (
      <div className="field field-inline">
        <input
          {...common}
          type="checkbox"
          checked={value === undefined ? schema.default === true : value === true}
          onChange={(e) => onChange(e.target.checked)}
        />
        {label}
        <FieldError path={path} id={errorId} />
        <Help schema={schema} />
      </div>
    );
  } else if (t === 'number' || t === 'integer') {
    input = (
      <input
        {...common}
        type="number"
        step={t === 'integer' ? 1 : 'any'}
        placeholder={schema.default !== undefined ? String(schema.default) : ''}
        value={typeof value === 'number' ? value : ''}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    );
  } else {
    input = (
      <input
        {...common}
        type="text"
        spellCheck={false}
        placeholder={typeof schema.examples?.[0] === 'string' ? `e.g. ${schema.examples[0]}` : schema.default !== undefined ? String(schema.default) : ''}
        value={typeof value === 'string' ? value : value === undefined ? '' : String(value)}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
      />
    );
  }
  return (
    <div className="field">
      {label}
      {input}
      <FieldError path={path} id={errorId} />
      <Help schema={schema} />
    </div>
  );
}

/** A list of plain strings (key columns, group-by columns), one per line, with column suggestions. */
function StringListField({ name, schema, value, path, required, onChange }: FieldProps) {
  const f = useForm();
  const id = useId();
  const list = Array.isArray(value) ? (value as unknown[]).map(String) : [];
  const [text, setText] = useState<string | undefined>(undefined);
  const listId = `${id}-columns`;
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {name}
        {required && <span className="required" aria-label="required">*</span>}
      </label>
      <input
        id={id}
        type="text"
        list={listId}
        data-testid={testIdOf(f.nodeId, path)}
        value={text ?? list.join(', ')}
        placeholder="comma-separated, e.g. id, email"
        onFocus={() => {
          setText(list.join(', '));
          f.beginEdit();
        }}
        onBlur={() => {
          setText(undefined);
          f.endEdit();
        }}
        onChange={(e) => {
          setText(e.target.value);
          const items = e.target.value
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x !== '');
          onChange(items.length ? items : undefined);
        }}
      />
      <datalist id={listId}>
        {f.columns.map((c) => (
          <option key={c.name} value={c.name} />
        ))}
      </datalist>
      <FieldError path={path} id={`${id}-error`} />
      <Help schema={schema} />
    </div>
  );
}

/** A value edited as JSON text (a JSON Schema, a free-form map). */
function JsonField({ name, schema, value, path, onChange }: FieldProps) {
  const f = useForm();
  const id = useId();
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [error, setError] = useState<string>();
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {name} <span className="muted">(JSON)</span>
      </label>
      <textarea
        id={id}
        className="json-input"
        rows={Math.min(12, Math.max(3, text.split('\n').length))}
        spellCheck={false}
        data-testid={testIdOf(f.nodeId, path)}
        value={text}
        aria-invalid={!!error || undefined}
        onFocus={f.beginEdit}
        onBlur={f.endEdit}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setError(undefined);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setError(undefined);
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      />
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      <FieldError path={path} id={`${id}-error`} />
      <Help schema={schema} />
    </div>
  );
}

function ArrayOfObjectsField({ name, schema, value, path, required, onChange }: FieldProps) {
  const f = useForm();
  const items = Array.isArray(value) ? (value as unknown[]) : [];
  const item = schema.items ?? {};
  const set = (next: unknown[]) => onChange(next);
  return (
    <fieldset className="field field-array" data-testid={`${testIdOf(f.nodeId, path)}-list`}>
      <legend className="field-label">
        {name}
        {required && <span className="required" aria-label="required">*</span>}
      </legend>
      <Help schema={schema} />
      <FieldError path={path} id={`${path}-error`} />
      {items.map((x, i) => (
        <div className="array-item" key={i}>
          <div className="array-item-bar">
            <span className="muted">#{i + 1}</span>
            <span className="spacer" />
            <button type="button" className="icon" aria-label={`Move ${name} ${i + 1} up`} disabled={i === 0} onClick={() => set(items.map((y, j) => (j === i - 1 ? items[i] : j === i ? items[i - 1] : y)))}>
              ↑
            </button>
            <button type="button" className="icon" aria-label={`Remove ${name} ${i + 1}`} onClick={() => set(items.filter((_, j) => j !== i))}>
              ✕
            </button>
          </div>
          <ObjectFields schema={item} value={x} path={joinPath(path, i)} onChange={(v) => set(items.map((y, j) => (j === i ? v : y)))} />
        </div>
      ))}
      <button type="button" className="add" data-testid={`${testIdOf(f.nodeId, path)}-add`} onClick={() => set([...items, emptyValue(item)])}>
        + Add {name.replace(/s$/, '')}
      </button>
    </fieldset>
  );
}

function AnyOfField(props: FieldProps) {
  const branches = props.schema.anyOf ?? [];
  const [chosen, setChosen] = useState(() => branchFor(props.schema, props.value));
  const branch = { description: props.schema.description, ...branches[chosen] };
  const labels = branches.map((b, i) => (typeOf(b) === 'array' ? 'list' : typeOf(b) === 'object' ? 'map' : (typeOf(b) ?? `option ${i + 1}`)));
  return (
    <div className="field-anyof">
      {branches.length > 1 && (
        <div className="anyof-switch" role="radiogroup" aria-label={`${props.name}: form`}>
          {labels.map((l, i) => (
            <label key={i}>
              <input
                type="radio"
                checked={chosen === i}
                onChange={() => {
                  setChosen(i);
                  props.onChange(emptyValue(branches[i]));
                }}
              />
              {l}
            </label>
          ))}
        </div>
      )}
      <Field {...props} schema={branch} />
    </div>
  );
}

export const Field = memo(function Field(props: FieldProps) {
  const s = props.schema;
  if (s.anyOf) return <AnyOfField {...props} />;
  const t = typeOf(s);
  if (t === 'array') {
    const it = s.items ?? {};
    if (typeOf(it) === 'object' && it.properties) return <ArrayOfObjectsField {...props} />;
    if (typeOf(it) === 'string' && !it.anyOf) return <StringListField {...props} />;
    return <JsonField {...props} />;
  }
  if (t === 'object') {
    if (s.properties) {
      return (
        <fieldset className="field field-object">
          <legend className="field-label">{props.name}</legend>
          <Help schema={s} />
          <ObjectFields schema={s} value={props.value} path={props.path} onChange={props.onChange} />
        </fieldset>
      );
    }
    return <JsonField {...props} />;
  }
  return <ScalarField {...props} />;
});

/** The fields of an object schema, in schema order. */
export function ObjectFields({ schema, value, path, onChange }: { schema: JsonSchema; value: unknown; path: string; onChange(v: unknown): void }) {
  const obj = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([k, sub]) => (
        <Field
          key={k}
          name={k}
          schema={sub}
          value={obj[k]}
          path={joinPath(path, k)}
          required={schema.required?.includes(k)}
          onChange={(v) => {
            const next = { ...obj };
            if (v === undefined) delete next[k];
            else next[k] = v;
            onChange(next);
          }}
        />
      ))}
    </>
  );
}
