import { autocompletion, completionKeymap, type Completion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { sql, StandardSQL } from '@codemirror/lang-sql';
import { setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderExt } from '@codemirror/view';
import { memo, useEffect, useRef } from 'react';
import type { ApiColumn, FunctionDocInfo } from '../../../app/contract';
import { quoteIdent } from '../mapping/mapping';

export interface ExpressionProblem {
  message: string;
  start?: number;
  end?: number;
}

interface Props {
  value: string;
  onChange(value: string): void;
  columns: ApiColumn[];
  functions: FunctionDocInfo[];
  parameters?: string[];
  problem?: ExpressionProblem;
  label: string;
  placeholder?: string;
  testId?: string;
  onFocus?(): void;
  onBlur?(): void;
}

/** Completions: input columns (with their types), functions (with signatures), :parameters. */
function completionSource(get: () => Pick<Props, 'columns' | 'functions' | 'parameters'>) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const param = ctx.matchBefore(/:[A-Za-z_]\w*|:/);
    const { columns, functions, parameters = [] } = get();
    if (param) {
      return { from: param.from, options: parameters.map((p) => ({ label: `:${p}`, type: 'variable', detail: 'parameter' })) };
    }
    const word = ctx.matchBefore(/"[^"]*|[A-Za-z_]\w*/);
    if (!word && !ctx.explicit) return null;
    const options: Completion[] = [
      ...columns.map((c) => ({ label: quoteIdent(c.name), type: 'property', detail: c.type, boost: 2 })),
      ...functions.map((f) => ({ label: f.name, type: 'function', detail: f.signature, info: f.description, apply: `${f.name}(` })),
    ];
    return { from: word?.from ?? ctx.pos, options, validFor: /^"?[\w ]*$/ };
  };
}

/** A CodeMirror 6 editor for one expression: column and function completion, the error at its place. */
export const ExpressionEditor = memo(function ExpressionEditor(props: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const state = EditorState.create({
      doc: props.value,
      extensions: [
        sql({ dialect: StandardSQL }),
        // The editor's own undo while it has the focus; the pipeline's undo takes over outside it.
        history(),
        keymap.of([...completionKeymap, ...historyKeymap, ...defaultKeymap]),
        autocompletion({ override: [completionSource(() => latest.current)], activateOnTyping: true }),
        placeholderExt(props.placeholder ?? ''),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': props.label, ...(props.testId ? { 'data-testid': props.testId } : {}) }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) latest.current.onChange(u.state.doc.toString());
          if (u.focusChanged) (u.view.hasFocus ? latest.current.onFocus : latest.current.onBlur)?.();
        }),
      ],
    });
    const v = new EditorView({ state, parent: host.current! });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once; value and problems flow in through the effects below.
  }, []);

  // A value changed elsewhere (undo, another field) replaces the editor's text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const p = props.problem;
    const len = v.state.doc.length;
    const from = Math.min(p?.start ?? 0, len);
    const to = Math.min(Math.max(p?.end ?? len, from), len);
    v.dispatch(setDiagnostics(v.state, p ? [{ from, to: to === from && to < len ? to + 1 : to, severity: 'error', message: p.message }] : []));
  }, [props.problem, props.value]);

  return <div ref={host} className={`expr-editor${props.problem ? ' has-error' : ''}`} />;
});
