import { type FormEvent, useState } from "react";
import type { GroupAccess } from "../access";
import { gql } from "../api";
import {
  DATE_FORMAT_MESSAGE,
  DateField,
  ErrorBanner,
  isDate,
  TableScroll,
  today,
  useAction,
  useAsync,
  UserPicker,
  type UserSummary,
  userLabel,
  When,
} from "../ui";

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

/**
 * Leaders inline: current (or as of a date), add, end; the full history is kept and shown. Adding
 * and ending are offered to those holding leaders.manage here.
 */
export function LeadersSection({
  groupId,
  version,
  onChange,
  access,
}: {
  groupId: string;
  version: number;
  onChange(): void;
  access: GroupAccess;
}) {
  const canManage = access.can("leaders.manage");
  const [asOfText, setAsOf] = useState("");
  // Half-typed dates ask nothing: the list follows the field once it holds a date.
  const asOf = isDate(asOfText) ? asOfText : "";
  const { data, error } = useAsync(
    () => gql<Data>(LEADERS, { id: groupId, asOf: asOf || null }),
    [groupId, version, asOf],
  );
  const action = useAction();
  const [userId, setUserId] = useState("");
  const [startDate, setStartDate] = useState("");
  const [endDate, setEndDate] = useState("");
  const [dateErrors, setDateErrors] = useState<{ start?: string[]; end?: string[] }>({});

  const mutate = async (query: string, variables: Record<string, unknown>) => {
    if (await action.run(() => gql(query, variables).then(() => true))) onChange();
  };

  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!userId) return;
    if (startDate && !isDate(startDate)) {
      setDateErrors({ start: [DATE_FORMAT_MESSAGE] });
      return;
    }
    setDateErrors({});
    void mutate(`mutation AdminAddLeader($input: AddLeaderInput!) { addLeader(input: $input) { id } }`, {
      input: { groupId, userId, ...(startDate ? { startDate } : {}) },
    });
  };

  const end = (leader: Leadership) => {
    if (endDate && !isDate(endDate)) {
      setDateErrors({ end: [DATE_FORMAT_MESSAGE] });
      return;
    }
    setDateErrors({});
    void mutate(`mutation AdminEndLeader($input: RemoveLeaderInput!) { removeLeader(input: $input) { id } }`, {
      input: { groupId, userId: leader.user.id, ...(endDate ? { endDate } : {}) },
    });
  };

  const g = data?.group;
  return (
    <section aria-labelledby="leaders-h">
      <h2 id="leaders-h">Leaders</h2>
      <ErrorBanner error={error} />
      <div className="inline-form">
        <DateField label="Leaders as of" hint="YYYY-MM-DD; empty = today" value={asOfText} onChange={setAsOf} />
        {canManage && (
          <DateField
            label="End date for “End”"
            hint="YYYY-MM-DD; empty = today"
            value={endDate}
            onChange={setEndDate}
            errors={dateErrors.end}
          />
        )}
      </div>
      <h3>{asOf ? `Leaders on ${asOf}` : "Current leaders"}</h3>
      <ul className="plain" data-testid="current-leaders">
        {g?.leaders.length === 0 && <li className="muted">none</li>}
        {g?.leaders.map((l) => (
          <li key={l.id}>
            {userLabel(l.user)}{" "}
            <span className="muted">
              since <When value={l.startDate} />
            </span>{" "}
            {canManage && l.isActive && (
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
      {canManage && (
        <form className="inline-form" onSubmit={add} aria-label="Add a leader">
          <UserPicker label="New leader" value={userId} onChange={setUserId} />
          <DateField
            label="Start date"
            hint={`YYYY-MM-DD; empty = today (${today()})`}
            value={startDate}
            onChange={setStartDate}
            errors={dateErrors.start}
          />
          <button type="submit" disabled={!userId || action.busy}>
            Add leader
          </button>
        </form>
      )}
      <ErrorBanner error={action.error} />
      <h3>History</h3>
      <TableScroll label="Leadership history">
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
                <td>
                  <When value={l.startDate} />
                </td>
                <td>{l.endDate ? <When value={l.endDate} /> : "—"}</td>
                <td>{l.isActive ? "yes" : "ended"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}
