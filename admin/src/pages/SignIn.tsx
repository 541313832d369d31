import { type FormEvent, useEffect, useState } from "react";
import { describeError, gql, tokenStore } from "../api";

/**
 * Sign-in by pasting a bearer token (the console then does exactly what that user may do). In local
 * mode the service offers its start-up admin token at /admin/dev-token: one click.
 */
export function SignIn({ onSignedIn, initialError }: { onSignedIn(token: string): void; initialError?: string }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState(initialError);
  const [devAvailable, setDevAvailable] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    fetch(`${import.meta.env.BASE_URL}dev-token`, { cache: "no-store" })
      .then((res) => setDevAvailable(res.ok))
      .catch(() => setDevAvailable(false));
  }, []);

  const tryToken = async (candidate: string) => {
    setBusy(true);
    setError(undefined);
    tokenStore.set(candidate);
    try {
      await gql(`query AdminSignIn { me { id } }`);
      onSignedIn(candidate);
    } catch (e) {
      tokenStore.clear();
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim().replace(/^Bearer\s+/i, "");
    if (!value) setError("Paste a token first");
    else void tryToken(value);
  };

  const devSignIn = async () => {
    const res = await fetch(`${import.meta.env.BASE_URL}dev-token`, { cache: "no-store" });
    if (!res.ok) {
      setError("The local sign-in token is not offered here: paste a token instead");
      return;
    }
    const { token: devToken } = (await res.json()) as { token: string };
    await tryToken(devToken);
  };

  return (
    <main className="signin">
      <h1>Groups admin: sign in</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">Bearer token (JWT)</label>
        <textarea
          id="token"
          rows={5}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="eyJhbGciOi…"
          spellCheck={false}
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {devAvailable && (
          <button type="button" className="secondary" disabled={busy} onClick={() => void devSignIn()}>
            Sign in as local admin
          </button>
        )}
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="hint">
        Mint a token with <code>npm run token</code>; in local mode the service prints one at start-up.
      </p>
    </main>
  );
}
