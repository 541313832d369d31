import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError, gql } from "../api";
import { ConfirmDialog, ErrorBanner, Field } from "../ui";

export interface GroupRef {
  id: string;
  name: string;
}

export interface GroupFields {
  name: string;
  groupType: string;
  description: string | null;
  shortName: string | null;
  url: string | null;
  knowledgeArea: string | null;
  campus: string | null;
  visibility: "PUBLIC" | "PRIVATE";
  joinPolicy: "INVITE_ONLY" | "REQUEST" | "OPEN";
  isActive: boolean;
  permissionCascadeEnabled: boolean;
  metadata: Record<string, unknown>;
  parents: GroupRef[];
}

export const GROUP_FIELDS = `
  name groupType description shortName url knowledgeArea campus visibility joinPolicy isActive
  permissionCascadeEnabled metadata parents { id name }`;

type Draft = Record<Exclude<keyof GroupFields, "parents" | "isActive" | "permissionCascadeEnabled">, string> & {
  isActive: boolean;
  permissionCascadeEnabled: boolean;
  parents: GroupRef[];
};

function toDraft(g: GroupFields): Draft {
  return {
    name: g.name,
    groupType: g.groupType,
    description: g.description ?? "",
    shortName: g.shortName ?? "",
    url: g.url ?? "",
    knowledgeArea: g.knowledgeArea ?? "",
    campus: g.campus ?? "",
    visibility: g.visibility,
    joinPolicy: g.joinPolicy,
    isActive: g.isActive,
    permissionCascadeEnabled: g.permissionCascadeEnabled,
    metadata: JSON.stringify(g.metadata ?? {}, null, 0),
    parents: g.parents,
  };
}

export const NEW_GROUP: GroupFields = {
  name: "",
  groupType: "organization",
  description: null,
  shortName: null,
  url: null,
  knowledgeArea: null,
  campus: null,
  visibility: "PRIVATE",
  joinPolicy: "INVITE_ONLY",
  isActive: true,
  permissionCascadeEnabled: true,
  metadata: {},
  parents: [],
};

const TEXT_FIELDS = ["name", "groupType", "shortName", "campus", "knowledgeArea", "url"] as const;
const OPTIONAL = new Set(["description", "shortName", "url", "knowledgeArea", "campus"]);
/** The fields this form shows: an API message about any of them appears under it. */
const FORM_FIELDS = new Set<string>([
  ...TEXT_FIELDS,
  "description",
  "visibility",
  "joinPolicy",
  "metadata",
  "parentIds",
]);

/**
 * What can be told before asking the API: required fields, blank included (whitespace only is no
 * name), and the metadata's JSON. The API checks everything again, and its messages land in the
 * same place.
 */
function checkDraft(draft: Draft): Record<string, string[]> {
  const problems: Record<string, string[]> = {};
  if (!draft.name.trim()) problems.name = ["is required (spaces alone are no name)"];
  if (!draft.groupType.trim()) problems.groupType = ["is required, e.g. organization"];
  try {
    const metadata: unknown = JSON.parse(draft.metadata || "{}");
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
      problems.metadata = ['must be a JSON object, e.g. {"code": "RL"}'];
    }
  } catch {
    problems.metadata = ["is not valid JSON"];
  }
  return problems;
}

/**
 * Edits a group's fields. `save` gets the input to send (for an existing group only what changed);
 * required fields are checked before sending, and a BAD_USER_INPUT answer's details are shown under
 * the fields they name. Archiving (unchecking Active) asks for confirmation first.
 * `seesEveryGroup`: the user is a global admin, so an empty parent list means a root group.
 */
export function GroupForm({
  initial,
  isNew,
  save,
  submitLabel,
  seesEveryGroup,
}: {
  initial: GroupFields;
  isNew: boolean;
  save(input: Record<string, unknown>): Promise<unknown>;
  submitLabel: string;
  seesEveryGroup: boolean;
}) {
  const [draft, setDraft] = useState(() => toDraft(initial));
  const [error, setError] = useState<unknown>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [confirmArchive, setConfirmArchive] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  // After a refused submit, the first field with a message gets the focus (and is read out), in
  // the middle of the screen so its label shows too.
  useEffect(() => {
    const first = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    first?.scrollIntoView({ block: "center" });
    first?.focus({ preventScroll: true });
  }, [fieldErrors]);

  // A change made elsewhere (live event) shows at once, unless it would overwrite unsaved edits.
  useEffect(() => {
    if (!dirty) setDraft(toDraft(initial));
  }, [initial]);

  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
    setSaved(false);
  };

  const archiving = !isNew && initial.isActive && !draft.isActive;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setSaved(false);
    const problems = checkDraft(draft);
    setFieldErrors(problems);
    if (Object.keys(problems).length > 0) return;
    if (archiving) setConfirmArchive(true);
    else void send();
  };

  const send = async () => {
    setConfirmArchive(false);
    const metadata: unknown = JSON.parse(draft.metadata || "{}");
    const before = toDraft(initial);
    const input: Record<string, unknown> = {};
    for (const key of [...TEXT_FIELDS, "description", "visibility", "joinPolicy"] as const) {
      if (isNew ? draft[key] !== "" : draft[key] !== before[key]) {
        input[key] = draft[key] === "" && OPTIONAL.has(key) ? null : draft[key];
      }
    }
    if (isNew || draft.permissionCascadeEnabled !== before.permissionCascadeEnabled) {
      input.permissionCascadeEnabled = draft.permissionCascadeEnabled;
    }
    if (!isNew && draft.isActive !== before.isActive) input.isActive = draft.isActive;
    if (isNew || draft.metadata !== before.metadata) input.metadata = metadata;
    const parentIds = draft.parents.map((p) => p.id);
    if (isNew ? parentIds.length : parentIds.join() !== before.parents.map((p) => p.id).join()) {
      input.parentIds = parentIds;
    }
    setBusy(true);
    try {
      setDirty(false);
      await save(input);
      setSaved(true);
    } catch (e) {
      setDirty(true);
      setError(e);
      if (e instanceof ApiError) setFieldErrors(e.details);
    } finally {
      setBusy(false);
    }
  };

  const text = (key: (typeof TEXT_FIELDS)[number], label: string, hint?: string) => (
    <Field label={label} errors={fieldErrors[key]} hint={hint}>
      {(p) => <input {...p} name={key} value={draft[key]} onChange={(e) => set({ [key]: e.target.value })} />}
    </Field>
  );

  return (
    <form ref={form} className="group-form" onSubmit={submit} noValidate aria-label="Group fields">
      <div className="grid">
        {text("name", "Name")}
        {text("shortName", "Short name")}
        {text("groupType", "Type", "e.g. organization, department, team, research")}
        {text("campus", "Campus")}
        {text("knowledgeArea", "Knowledge area")}
        {text("url", "URL", "http(s) only")}
        <Field label="Visibility" errors={fieldErrors.visibility}>
          {(p) => (
            <select
              {...p}
              name="visibility"
              value={draft.visibility}
              onChange={(e) => set({ visibility: e.target.value })}
            >
              <option value="PRIVATE">private</option>
              <option value="PUBLIC">public</option>
            </select>
          )}
        </Field>
        <Field label="Joining" errors={fieldErrors.joinPolicy}>
          {(p) => (
            <select
              {...p}
              name="joinPolicy"
              value={draft.joinPolicy}
              onChange={(e) => set({ joinPolicy: e.target.value })}
            >
              <option value="INVITE_ONLY">by invitation only</option>
              <option value="REQUEST">on request (admins approve)</option>
              <option value="OPEN">open (anyone who sees it joins)</option>
            </select>
          )}
        </Field>
        <Field label="Metadata (JSON object of strings)" errors={fieldErrors.metadata}>
          {(p) => (
            <input {...p} name="metadata" value={draft.metadata} onChange={(e) => set({ metadata: e.target.value })} />
          )}
        </Field>
      </div>
      <Field label="Description" errors={fieldErrors.description}>
        {(p) => (
          <textarea
            {...p}
            name="description"
            rows={3}
            value={draft.description}
            onChange={(e) => set({ description: e.target.value })}
          />
        )}
      </Field>
      <div className="checks">
        <label>
          <input
            type="checkbox"
            name="permissionCascadeEnabled"
            checked={draft.permissionCascadeEnabled}
            onChange={(e) => set({ permissionCascadeEnabled: e.target.checked })}
          />{" "}
          Grants held here flow to children (permission cascade)
        </label>
        {!isNew && (
          <label>
            <input
              type="checkbox"
              name="isActive"
              checked={draft.isActive}
              onChange={(e) => set({ isActive: e.target.checked })}
            />{" "}
            Active (unchecked = archived)
          </label>
        )}
      </div>
      <ParentsEditor
        parents={draft.parents}
        onChange={(parents) => set({ parents })}
        errors={fieldErrors.parentIds}
        emptyLabel={isNew ? "none: it will be a root group" : seesEveryGroup ? "none: a root group" : undefined}
        partial={!isNew && !seesEveryGroup}
      />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {archiving ? `${submitLabel} and archive…` : submitLabel}
        </button>
        {saved && !isNew && (
          <span className="ok" role="status">
            Saved
          </span>
        )}
      </div>
      {Object.keys(fieldErrors).length > 0 && (!error || allUnderFields(error)) ? (
        <p className="error" role="alert">
          {isNew ? "Not created" : "Not saved"}: see the{" "}
          {Object.keys(fieldErrors).length === 1 ? "message under its field" : "messages under their fields"}.
        </p>
      ) : (
        <ErrorBanner error={error} />
      )}
      <ConfirmDialog
        open={confirmArchive}
        title={`Archive “${initial.name}”?`}
        confirmLabel="Archive group"
        onConfirm={() => void send()}
        onCancel={() => setConfirmArchive(false)}
      >
        <p>
          Its members lose access: while it is archived, no membership held in it counts, so the roles held here grant
          nothing, here or in its subgroups. It keeps its members, history and subgroups, and can be made active again.
        </p>
      </ConfirmDialog>
    </form>
  );
}

/** A refusal whose every message is shown under a field of this form. */
function allUnderFields(error: unknown): boolean {
  if (!(error instanceof ApiError) || (error.code !== "BAD_USER_INPUT" && error.code !== "CONFLICT")) return false;
  const fields = Object.keys(error.details);
  return fields.length > 0 && fields.every((f) => FORM_FIELDS.has(f));
}

/**
 * What an empty parent list means to someone who is not a global admin: the API lists only the
 * parents they may see, and does not say whether others exist, so "root" would be a guess.
 */
export const NO_VISIBLE_PARENTS = "none visible to you";

/** The parent set: chips with remove buttons, and a search to add one. */
function ParentsEditor({
  parents,
  onChange,
  errors,
  emptyLabel = NO_VISIBLE_PARENTS,
  partial,
}: {
  parents: GroupRef[];
  onChange(parents: GroupRef[]): void;
  errors?: string[];
  emptyLabel?: string;
  /** The list may miss parents hidden from the user: say so, since a saved list replaces the set. */
  partial: boolean;
}) {
  const [search, setSearch] = useState("");
  const [found, setFound] = useState<GroupRef[]>([]);
  useEffect(() => {
    if (!search.trim()) {
      setFound([]);
      return;
    }
    const timer = setTimeout(() => {
      gql<{ groups: { nodes: GroupRef[] } }>(
        `query AdminFindGroups($search: String) { groups(filter: { search: $search, isActive: null }, first: 10) { nodes { id name } } }`,
        { search: search.trim() },
      )
        .then((d) => setFound(d.groups.nodes))
        .catch(() => setFound([]));
    }, 200);
    return () => clearTimeout(timer);
  }, [search]);
  return (
    <fieldset className="parents">
      <legend>Parents</legend>
      <ul className="chips">
        {parents.length === 0 && <li className="muted">{emptyLabel}</li>}
        {parents.map((p) => (
          <li key={p.id}>
            {p.name}{" "}
            <button
              type="button"
              className="link"
              aria-label={`Remove parent ${p.name}`}
              onClick={() => onChange(parents.filter((x) => x.id !== p.id))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <Field
        label="Add a parent: search groups"
        errors={errors}
        hint={
          partial ? "Only the parents you can see are listed; saving a changed list replaces the whole set." : undefined
        }
      >
        {(p) => <input {...p} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />}
      </Field>
      <ul className="found">
        {found
          .filter((g) => !parents.some((p) => p.id === g.id))
          .map((g) => (
            <li key={g.id}>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  onChange([...parents, g]);
                  setSearch("");
                }}
              >
                Add parent {g.name}
              </button>
            </li>
          ))}
      </ul>
    </fieldset>
  );
}
