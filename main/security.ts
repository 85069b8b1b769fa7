import type { App, Session, WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../app/host/http';

/** The app's pages are served from this origin only (a privileged custom scheme, not file://). */
export const APP_SCHEME = 'sluice';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === 'app';
  } catch {
    return false;
  }
}

/**
 * Session-wide rules: every response gets the Content-Security-Policy, and every
 * permission (camera, notifications, geolocation, ...) is denied: a data tool needs none.
 */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
}

/**
 * Every web contents the app creates may show the app's pages and nothing else: navigation
 * away is blocked, new windows are denied, and <webview> cannot be attached.
 */
export function hardenWebContents(app: App): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (e, url) => {
      if (!isAppUrl(url)) e.preventDefault();
    });
    contents.on('will-redirect', (e, url) => {
      if (!isAppUrl(url)) e.preventDefault();
    });
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });
}
