import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import type { GroupAccess } from "../access";
import { ApiError, gql } from "../api";
import { ErrorBanner, Field, plural, useAction, useAsync } from "../ui";

const ROLES = `query AdminInviteRoles { roles { name label rank } }`;

const INVITE = `mutation AdminInviteByEmail($groupId: ID!, $email: String!, $role: String) {
  inviteByEmail(groupId: $groupId, email: $email, role: $role) { id } }`;

const ADD_MEMBERS = `mutation AdminAddMembers($groupId: ID!, $members: [BulkMemberInput!]!) {
  addMembers(groupId: $groupId, members: $members) { id } }`;

/** The addresses of a pasted list: split on commas, semicolons, white space; blanks dropped, in order. */
export function splitAddresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
}

function RolePicker({ roles, value, onChange }: { roles: Role[]; value: string; onChange(role: string): void }) {
  return (
    <Field label="Role">
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
          {roles.map((r) => (
            <option key={r.name} value={r.name}>
              {r.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

interface Role {
  name: string;
  label: string;
  rank: number;
}

/**
 * Invitations by email for holders of members.add: one address (inviteByEmail), or a pasted list
 * in a dialog (addMembers, all or nothing: each refused address is listed with its reasons). An
 * address nobody has signed in with yet waits, PENDING, for the first sign-in that carries it.
 */
export function InvitationsSection({
  groupId,
  onChange,
  access,
}: {
  groupId: string;
  onChange(): void;
  access: GroupAccess;
}) {
  const canAdd = access.can("members.add");
  const { data } = useAsync(
    () => (canAdd ? gql<{ roles: Role[] }>(ROLES) : Promise.resolve({ roles: [] as Role[] })),
    [canAdd],
  );
  const roles = [...(data?.roles ?? [])].sort((a, b) => a.rank - b.rank);
  const action = useAction();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("member");
  const [sent, setSent] = useState<string | null>(null);
  const [bulkOpen, setBulkOpen] = useState(false);
  if (!canAdd) return null;

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    const address = email.trim();
    if (!address) return;
    setSent(null);
    const done = await action.run(() => gql(INVITE, { groupId, email: address, role }).then(() => true));
    if (done) {
      setSent(`Invited ${address}`);
      setEmail("");
      onChange();
    }
  };

  const fieldErrors = action.error instanceof ApiError ? action.error.details.email : undefined;
  return (
    <section aria-labelledby="invite-h">
      <h2 id="invite-h">Invite by email</h2>
      <p className="muted">
        Someone who has not signed in yet gets the invitation when they first sign in with that address.
      </p>
      <form className="inline-form" onSubmit={(e) => void invite(e)} aria-label="Invite by email">
        <Field label="Email address" errors={fieldErrors}>
          {(p) => (
            <input {...p} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <RolePicker roles={roles} value={role} onChange={setRole} />
        <button type="submit" disabled={!email.trim() || action.busy}>
          Send invitation
        </button>
        <button type="button" className="secondary" onClick={() => setBulkOpen(true)}>
          Paste a list…
        </button>
      </form>
      {sent && <p role="status">{sent}</p>}
      {!fieldErrors && <ErrorBanner error={action.error} />}
      <BulkInviteDialog
        open={bulkOpen}
        groupId={groupId}
        roles={roles}
        onClose={() => setBulkOpen(false)}
        onDone={(n) => {
          setBulkOpen(false);
          setSent(`Invited ${plural(n, "address", "addresses")}`);
          onChange();
        }}
      />
    </section>
  );
}

/** The dialog of a pasted list of addresses: addMembers with one email item per address. */
function BulkInviteDialog({
  open,
  groupId,
  roles,
  onClose,
  onDone,
}: {
  open: boolean;
  groupId: string;
  roles: Role[];
  onClose(): void;
  onDone(n: number): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [text, setText] = useState("");
  const [role, setRole] = useState("member");
  const action = useAction();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const addresses = splitAddresses(text);
  const tooMany = addresses.length > 500;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (addresses.length === 0 || tooMany) return;
    const done = await action.run(() =>
      gql(ADD_MEMBERS, { groupId, members: addresses.map((email) => ({ email, role })) }).then(() => true),
    );
    if (done) {
      setText("");
      onDone(addresses.length);
    }
  };

  // The service reports refusals per item index: show them against the addresses.
  const details = action.error instanceof ApiError ? action.error.details : {};
  const refused = Object.entries(details)
    .filter(([key]) => /^\d+$/.test(key))
    .map(([key, messages]) => ({ address: addresses[Number(key)] ?? `#${key}`, messages }));
  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby={`${id}-title`}
      onClose={() => {
        if (open) onClose();
      }}
    >
      <h2 id={`${id}-title`}>Invite a list of addresses</h2>
      <form onSubmit={(e) => void submit(e)} aria-label="Invite a list of addresses">
        <Field
          label="Email addresses"
          hint="One per line, or separated by commas; up to 500. All are invited, or none."
          errors={tooMany ? [`${addresses.length} addresses: at most 500 at once`] : undefined}
        >
          {(p) => <textarea {...p} rows={8} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <RolePicker roles={roles} value={role} onChange={setRole} />
        {refused.length > 0 && (
          <div role="alert" className="error">
            <p>Nothing was changed: {plural(refused.length, "address was", "addresses were")} refused.</p>
            <ul data-testid="bulk-refusals">
              {refused.map((r) => (
                <li key={r.address}>
                  {r.address}: {r.messages.join("; ")}
                </li>
              ))}
            </ul>
          </div>
        )}
        {refused.length === 0 && <ErrorBanner error={action.error} />}
        <div className="actions">
          <button type="submit" disabled={addresses.length === 0 || tooMany || action.busy}>
            {addresses.length ? `Invite ${plural(addresses.length, "address", "addresses")}` : "Invite"}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
