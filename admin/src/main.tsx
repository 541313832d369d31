import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { closeSubscriptions, describeError, gql, tokenStore } from "./api";
import { GroupPage } from "./pages/GroupPage";
import { GroupsList } from "./pages/GroupsList";
import { NewGroup } from "./pages/NewGroup";
import { PermissionsPage } from "./pages/PermissionsPage";
import { SignIn } from "./pages/SignIn";
import { explorerHref, Link, useRoute } from "./router";
import "./styles.css";

interface Me {
  id: string;
  name: string | null;
  email: string | null;
  isGlobalAdmin: boolean;
}

function App() {
  const [token, setToken] = useState(tokenStore.get());
  const [me, setMe] = useState<Me>();
  const [error, setError] = useState<string>();
  const route = useRoute();

  useEffect(() => {
    if (!token) return;
    gql<{ me: Me }>(`query AdminMe { me { id name email isGlobalAdmin } }`)
      .then((data) => setMe(data.me))
      .catch((e) => {
        // A token that no longer works: back to sign-in, saying why.
        tokenStore.clear();
        setToken(null);
        setError(describeError(e));
      });
  }, [token]);

  const signOut = () => {
    tokenStore.clear();
    closeSubscriptions();
    setMe(undefined);
    setToken(null);
  };

  if (!token) {
    return (
      <SignIn
        initialError={error}
        onSignedIn={(t) => {
          tokenStore.set(t);
          setError(undefined);
          setToken(t);
        }}
      />
    );
  }

  const groupMatch = /^\/groups\/([^/]+)$/.exec(route.path);
  let page;
  if (route.path === "/" || route.path === "/groups") page = <GroupsList />;
  else if (route.path === "/groups/new") page = <NewGroup />;
  else if (groupMatch) page = <GroupPage key={groupMatch[1]} id={decodeURIComponent(groupMatch[1])} />;
  else if (route.path === "/permissions") page = <PermissionsPage />;
  else page = <h1>Page not found</h1>;

  return (
    <>
      <header className="topbar">
        <strong className="brand">Groups admin</strong>
        <nav aria-label="Main">
          <Link to="/" aria-current={route.path === "/" || route.path.startsWith("/groups") ? "page" : undefined}>
            Groups
          </Link>
          <Link to="/permissions" aria-current={route.path === "/permissions" ? "page" : undefined}>
            Permissions
          </Link>
          <a href={explorerHref}>Explorer</a>
        </nav>
        <div className="whoami">
          {me && (
            <span data-testid="whoami" title={me.email ?? me.id}>
              {me.name ?? me.email ?? me.id}
              {me.isGlobalAdmin ? " (global admin)" : ""}
            </span>
          )}
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main>{page}</main>
    </>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
