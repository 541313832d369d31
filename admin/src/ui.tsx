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

/** Today as the service counts it (its Date scalar is a UTC calendar date), YYYY-MM-DD. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * The console's one date format, YYYY-MM-DD (the API's Date scalar, shown as is; timestamps in
 * local time), and YYYY-MM-DD HH:MM for a moment. Locale formats would mix orders on one page.
 */
export function formatDate(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = new Date(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return `${formatDate(iso)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A date (or a moment, `withTime`) in the console's format, as a <time> element that never wraps. */
export function When({ value, withTime = false }: { value: string; withTime?: boolean }) {
  return <time dateTime={value}>{withTime ? formatTime(value) : formatDate(value)}</time>;
}

/** A real calendar date written YYYY-MM-DD (2025-02-30 is not). */
export function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

export const DATE_FORMAT_MESSAGE = "use YYYY-MM-DD, e.g. 2025-06-01";

/**
 * A date typed as YYYY-MM-DD, the format the console shows dates in. A native date input would
 * show the browser's locale format (mm/dd/yyyy here), a second format on the same page. `value`
 * is the text as typed: callers use it only when isDate(value). A wrong date is said under the
 * field once it is complete or left; `errors` adds the caller's own (e.g. on submit).
 */
export function DateField({
  label,
  hint,
  value,
  onChange,
  errors = [],
}: {
  label: string;
  hint: string;
  value: string;
  onChange(value: string): void;
  errors?: string[];
}) {
  const [left, setLeft] = useState(false);
  const wrong = value !== "" && !isDate(value) && (left || value.length >= 10);
  const messages = [...new Set([...(wrong ? [DATE_FORMAT_MESSAGE] : []), ...errors])];
  return (
    <Field label={label} hint={hint} errors={messages}>
      {(p) => (
        <input
          {...p}
          className="date"
          value={value}
          onChange={(e) => onChange(e.target.value.trim())}
          onBlur={() => setLeft(true)}
          inputMode="numeric"
          placeholder="YYYY-MM-DD"
          autoComplete="off"
          maxLength={10}
          size={12}
        />
      )}
    </Field>
  );
}

/** "1 member", "2 members"; `many` for irregular plurals. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A wide table that scrolls sideways inside its own box on a narrow screen instead of widening the
 * page. Keyboard users can focus the box to scroll it (axe: scrollable-region-focusable).
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/**
 * A modal confirmation (the native <dialog>: focus stays inside, Escape cancels). `open` drives it;
 * the confirm button says what will happen, Cancel has the focus first.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm(): void;
  onCancel(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      // Escape or close(): the dialog closed itself; tell the owner unless it closed it.
      onClose={() => {
        if (open) onCancel();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <div id={`${id}-body`}>{children}</div>
      <div className="actions">
        <button type="button" className="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" className="secondary" onClick={onCancel} autoFocus>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
