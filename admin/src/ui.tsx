import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from "react";
import { describeError, gql } from "./api";

/** Runs `load` when `deps` change; `reload()` runs it again. The last call wins. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  // The caller lists what `load` depends on, as with useEffect.
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await run();
      if (mine === generation.current) setState({ data, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { ...state, reload };
}

/** `value`, once it has stopped changing for `ms` (typing in a filter sends one request). */
export function useDebounced<T>(value: T, ms = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Runs a mutation-like action, keeping its error for display and reporting success. */
export function useAction() {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await action();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { error, busy, run, clear: () => setError(undefined) };
}

export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {describeError(error)}
    </p>
  );
}

/** A labelled form control with the API's validation messages for it underneath. */
export function Field({
  label,
  errors,
  children,
  hint,
}: {
  label: string;
  errors?: string[];
  hint?: string;
  children: (props: { id: string; "aria-invalid"?: boolean; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className={`field${errors?.length ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(errors?.length ? { "aria-invalid": true, "aria-describedby": errorId } : {}) })}
      {hint && <small className="hint">{hint}</small>}
      {errors?.length ? (
        <small className="field-error" id={errorId} data-field-error={label}>
          {errors.join("; ")}
        </small>
      ) : null}
    </div>
  );
}

export interface UserSummary {
  id: string;
  name: string | null;
  email: string | null;
}

export function userLabel(user: UserSummary | null | undefined): string {
  if (!user) return "—";
  return user.name ?? user.email ?? user.id;
}

/** Finds users by name or email (Query.users) and picks one; a pasted user id is taken as is. */
export function UserPicker({ label, value, onChange }: { label: string; value: string; onChange(id: string): void }) {
  const [search, setSearch] = useState("");
  const [found, setFound] = useState<UserSummary[]>([]);
  const listId = useId();
  useEffect(() => {
    if (!search.trim()) {
      setFound([]);
      return;
    }
    const timer = setTimeout(() => {
      gql<{ users: { nodes: UserSummary[] } }>(
        `query AdminFindUsers($search: String) { users(search: $search, first: 10) { nodes { id name email } } }`,
        { search: search.trim() },
      )
        .then((data) => {
          setFound(data.users.nodes);
          // The best match is preselected: type a name, then Add.
          if (data.users.nodes[0]) onChange(data.users.nodes[0].id);
        })
        .catch(() => setFound([]));
    }, 200);
    return () => clearTimeout(timer);
    // onChange is the parent's setter; a new search is what should run this.
  }, [search]);
  const isUuid = /^[0-9a-f-]{36}$/i.test(search.trim());
  return (
    <span className="user-picker">
      <Field label={`${label}: find by name, email or id`}>
        {(props) => (
          <input
            {...props}
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              if (/^[0-9a-f-]{36}$/i.test(e.target.value.trim())) onChange(e.target.value.trim());
            }}
            list={listId}
            placeholder="name, email or user id"
          />
        )}
      </Field>
      <Field label={label}>
        {(props) => (
          <select {...props} value={value} onChange={(e) => onChange(e.target.value)}>
            <option value="">{found.length ? "choose…" : isUuid ? "the pasted id" : "type to search"}</option>
            {isUuid && !found.some((u) => u.id === search.trim()) && (
              <option value={search.trim()}>{search.trim()}</option>
            )}
            {found.map((u) => (
              <option key={u.id} value={u.id}>
                {userLabel(u)}
                {u.email && u.name ? ` <${u.email}>` : ""}
              </option>
            ))}
          </select>
        )}
      </Field>
    </span>
  );
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString();
}
