import type { ReactNode } from "react";
import { Link } from "../router";
import { type GroupFields, NO_VISIBLE_PARENTS } from "./GroupForm";

/** A group's fields for someone who may not change them (no groups.update here): read only. */
export function GroupDetails({ group, seesEveryGroup }: { group: GroupFields; seesEveryGroup: boolean }) {
  const metadata = Object.entries(group.metadata ?? {});
  const rows: [string, ReactNode][] = [
    ["Name", group.name],
    ["Short name", group.shortName],
    ["Type", group.groupType],
    ["Campus", group.campus],
    ["Knowledge area", group.knowledgeArea],
    [
      "URL",
      group.url && /^https?:\/\//i.test(group.url) ? (
        <a href={group.url} rel="noreferrer noopener">
          {group.url}
        </a>
      ) : (
        group.url
      ),
    ],
    ["Visibility", group.visibility.toLowerCase()],
    [
      "Joining",
      { INVITE_ONLY: "by invitation only", REQUEST: "on request", OPEN: "open" }[group.joinPolicy] ?? group.joinPolicy,
    ],
    ["Status", group.isActive ? "active" : "archived"],
    ["Permission cascade", group.permissionCascadeEnabled ? "grants held here flow to children" : "off"],
    ["Description", group.description],
    [
      "Metadata",
      metadata.length
        ? metadata.map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ")
        : null,
    ],
    [
      "Parents",
      group.parents.length ? (
        group.parents.map((p, i) => (
          <span key={p.id}>
            {i > 0 && ", "}
            <Link to={`/groups/${p.id}`}>{p.name}</Link>
          </span>
        ))
      ) : (
        <span className="muted">{seesEveryGroup ? "none: a root group" : NO_VISIBLE_PARENTS}</span>
      ),
    ],
  ];
  return (
    <>
      <p className="muted" data-testid="read-only">
        You may view this group’s fields but not change them.
      </p>
      <dl className="details">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value == null || value === "" ? <span className="muted">—</span> : value}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
