import { type FormEvent, useState } from "react";
import { gql } from "../api";
import { ErrorBanner, Field, today, useAction, useAsync, UserPicker, type UserSummary, userLabel } from "../ui";

interface Leadership {
  id: string;
  startDate: string;
  endDate: string | null;
  isActive: boolean;
  user: UserSummary;
}

const LEADERS = `
  query AdminLeaders($id: ID!, $asOf: Date) {
    group(id: $id) {
      id
      leaders(asOf: $asOf) { id startDate endDate isActive user { id name email } }
      leadershipHistory { id startDate endDate isActive user { id name email } }
    }
  }`;

interface Data {
  group: { leaders: Leadership[]; leadershipHistory: Leadership[] } | null;
}

/** Leaders inline: current (or as of a date), add, end; the full history is kept and shown. */
export function LeadersSection({ groupId, version, onChange }: { groupId: string; version: number; onChange(): void }) {
  const [asOf, setAsOf] = useState("");
  const { data, error } = useAsync(
    () => gql<Data>(LEADERS, { id: groupId, asOf: asOf || null }),
    [groupId, version, asOf],
  );
  const action = useAction();
  const [userId, setUserId] = useState("");
  const [startDate, setStartDate] = useState("");
  const [endDate, setEndDate] = useState("");

  const mutate = async (query: string, variables: Record<string, unknown>) => {
    if (await action.run(() => gql(query, variables).then(() => true))) onChange();
  };

  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!userId) return;
    void mutate(`mutation AdminAddLeader($input: AddLeaderInput!) { addLeader(input: $input) { id } }`, {
      input: { groupId, userId, ...(startDate ? { startDate } : {}) },
    });
  };

  const end = (leader: Leadership) =>
    void mutate(`mutation AdminEndLeader($input: RemoveLeaderInput!) { removeLeader(input: $input) { id } }`, {
      input: { groupId, userId: leader.user.id, ...(endDate ? { endDate } : {}) },
    });

  const g = data?.group;
  return (
    <section aria-labelledby="leaders-h">
      <h2 id="leaders-h">Leaders</h2>
      <ErrorBanner error={error} />
      <div className="inline-form">
        <Field label="Leaders as of" hint="empty = today">
          {(p) => <input {...p} type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} />}
        </Field>
        <Field label="End date for “End”" hint="empty = today">
          {(p) => <input {...p} type="date" value={endDate} onChange={(e) => setEndDate(e.target.value)} />}
        </Field>
      </div>
      <h3>{asOf ? `Leaders on ${asOf}` : "Current leaders"}</h3>
      <ul className="plain" data-testid="current-leaders">
        {g?.leaders.length === 0 && <li className="muted">none</li>}
        {g?.leaders.map((l) => (
          <li key={l.id}>
            {userLabel(l.user)} <span className="muted">since {l.startDate}</span>{" "}
            {l.isActive && (
              <button
                type="button"
                className="secondary"
                onClick={() => end(l)}
                aria-label={`End leadership of ${userLabel(l.user)}`}
              >
                End
              </button>
            )}
          </li>
        ))}
      </ul>
      <form className="inline-form" onSubmit={add} aria-label="Add a leader">
        <UserPicker label="New leader" value={userId} onChange={setUserId} />
        <Field label="Start date" hint={`empty = today (${today()})`}>
          {(p) => <input {...p} type="date" value={startDate} onChange={(e) => setStartDate(e.target.value)} />}
        </Field>
        <button type="submit" disabled={!userId || action.busy}>
          Add leader
        </button>
      </form>
      <ErrorBanner error={action.error} />
      <h3>History</h3>
      <table className="history" data-testid="leadership-history">
        <thead>
          <tr>
            <th scope="col">Leader</th>
            <th scope="col">From</th>
            <th scope="col">Until</th>
            <th scope="col">Current</th>
          </tr>
        </thead>
        <tbody>
          {g?.leadershipHistory.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No leaders yet
              </td>
            </tr>
          )}
          {g?.leadershipHistory.map((l) => (
            <tr key={l.id}>
              <td>{userLabel(l.user)}</td>
              <td>{l.startDate}</td>
              <td>{l.endDate ?? "—"}</td>
              <td>{l.isActive ? "yes" : "ended"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
