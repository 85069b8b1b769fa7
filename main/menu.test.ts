import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from './menu';

function labels(items: MenuItemConstructorOptions[]): string[] {
  return items.map((i) => i.label ?? i.role ?? i.type ?? '?');
}

describe('the application menu', () => {
  const commands: Array<[string, string | undefined]> = [];
  const template = menuTemplate({
    command: (c, id) => commands.push([c, id]),
    about: () => commands.push(['about', undefined]),
    recent: ['orders.yaml', 'sub/b.yaml'],
    isMac: false,
    devTools: false,
  });
  const menu = (name: string) => template.find((m) => m.label === name)!.submenu as MenuItemConstructorOptions[];
  const click = (item: MenuItemConstructorOptions) => (item.click as () => void)();

  it('has File, Edit, View and Help', () => {
    expect(labels(template)).toEqual(['&File', '&Edit', '&View', '&Help']);
  });

  it('File has new, open, recent, save, save as and export, each sending its command to the UI', () => {
    const file = menu('&File');
    expect(labels(file)).toEqual(['New Pipeline', 'Open…', 'Open Recent', 'separator', 'Save', 'Save As…', 'Export…', 'separator', 'quit']);
    for (const item of file.filter((i) => i.click)) click(item);
    expect(commands.map((c) => c[0])).toEqual(['new', 'open', 'save', 'saveAs', 'export']);
    const recent = file.find((i) => i.label === 'Open Recent')!.submenu as MenuItemConstructorOptions[];
    click(recent[1]);
    expect(commands.at(-1)).toEqual(['openRecent', 'sub/b.yaml']);
  });

  it('Edit has undo, redo, cut, copy and paste', () => {
    expect(labels(menu('&Edit'))).toEqual(['Undo', 'Redo', 'separator', 'cut', 'copy', 'paste', 'selectAll']);
  });

  it('offers developer tools only in development', () => {
    expect(JSON.stringify(labels(menu('&View')))).not.toContain('toggleDevTools');
    const dev = menuTemplate({ command: () => {}, about: () => {}, recent: [], isMac: true, devTools: true });
    expect(labels(dev)[0]).toBe('appMenu');
    expect(labels(dev.find((m) => m.label === '&View')!.submenu as MenuItemConstructorOptions[])).toContain('toggleDevTools');
  });
});
