import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from "react";

/** The console's base path, "/admin/" (vite's base). */
const BASE = import.meta.env.BASE_URL.replace(/\/$/, "");

/** The path inside the console: "/admin/groups/1" -> "/groups/1". */
function currentPath(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return path || "/";
}

export function navigate(to: string): void {
  history.pushState(null, "", BASE + to);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

/** The current route: the path inside the console and its query string. */
export function useRoute(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const onPop = () => setTick((n) => n + 1);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  return { path: currentPath(), search: new URLSearchParams(location.search) };
}

/** An in-app link: a real href (open in new tab works), client-side navigation on a plain click. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={BASE + to} onClick={onClick} {...rest} />;
}

export const explorerHref = `${BASE}/explorer/`;
