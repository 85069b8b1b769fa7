import type { DocumentFormat } from '../../../../app/model/document-io';
import { api } from '../../api';

/**
 * Saves text where the user says: the native save dialog in the desktop app, a download in a
 * browser — as actions.exportDocument does for pipelines (that one serialises the open
 * pipeline itself; this takes text the host already made, e.g. syncs/export).
 */
/** Resolves to where it went (a path, or the download's name), or undefined when the user cancelled. */
export async function saveTextFile(fileName: string, text: string, format: DocumentFormat, title: string): Promise<string | undefined> {
  const info = await api.call('workspace/info');
  if (info.nativeDialogs) {
    const r = await api.call('dialogs/save', {
      title,
      defaultName: fileName,
      text,
      filters: [format === 'json' ? { name: 'JSON', extensions: ['json'] } : { name: 'YAML', extensions: ['yaml', 'yml'] }],
    });
    return r.canceled ? undefined : r.path;
  }
  const url = URL.createObjectURL(new Blob([text], { type: format === 'json' ? 'application/json' : 'application/yaml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return fileName;
}
