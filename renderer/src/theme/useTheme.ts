import { useEffect } from 'react';
import { useUi } from '../stores/ui';

/** Puts the remembered theme on the document root (styles.css keys its colours off data-theme). */
export function useTheme(): void {
  const theme = useUi((s) => s.theme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  }, [theme]);
}
