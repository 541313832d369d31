import { type FormEvent, useEffect, useState } from "react";
import type { GroupAccess } from "../access";
import { gql } from "../api";
import { ErrorBanner, Field, useAction, useAsync, When } from "../ui";

interface Initiative {
  id: string;
  name: string;
  startDate: string | null;
  endDate: string | null;
}

const LINKED = `
  query AdminGroupInitiatives($id: ID!) {
    group(id: $id) { id initiatives { id name startDate endDate } }
  }`;

/** Initiatives linked to the group: link an existing one (or a new one), unlink (initiatives.manage). */
export function InitiativesSection({
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
  const canManage = access.can("initiatives.manage");
  const { data, error } = useAsync(
    () => gql<{ group: { initiatives: Initiative[] } | null }>(LINKED, { id: groupId }),
    [groupId, version],
  );
  const action = useAction();
  const [search, setSearch] = useState("");
  const [found, setFound] = useState<Initiative[]>([]);
  const [chosen, setChosen] = useState("");

  useEffect(() => {
    if (!canManage) return undefined;
    const timer = setTimeout(() => {
      gql<{ initiatives: { nodes: Initiative[] } }>(
        `query AdminFindInitiatives($search: String) { initiatives(search: $search, first: 20) { nodes { id name startDate endDate } } }`,
        { search: search.trim() || null },
      )
        .then((d) => {
          setFound(d.initiatives.nodes);
          setChosen(d.initiatives.nodes[0]?.id ?? "");
        })
        .catch(() => setFound([]));
    }, 200);
    return () => clearTimeout(timer);
  }, [search, version, canManage]);

  const linkTo = async (initiativeId: string) => {
    const ok = await action.run(() =>
      gql(
        `mutation AdminLink($groupId: ID!, $initiativeId: ID!) { linkInitiative(groupId: $groupId, initiativeId: $initiativeId) { id } }`,
        { groupId, initiativeId },
      ).then(() => true),
    );
    if (ok) onChange();
  };

  const link = (event: FormEvent) => {
    event.preventDefault();
    if (chosen) void linkTo(chosen);
  };

  const createAndLink = async () => {
    const name = search.trim();
    if (!name) return;
    const created = await action.run(() =>
      gql<{ createInitiative: { id: string } }>(
        `mutation AdminCreateInitiative($input: CreateInitiativeInput!) { createInitiative(input: $input) { id } }`,
        { input: { name } },
      ),
    );
    if (created) await linkTo(created.createInitiative.id);
  };

  const unlink = async (initiativeId: string) => {
    const ok = await action.run(() =>
      gql(
        `mutation AdminUnlink($groupId: ID!, $initiativeId: ID!) { unlinkInitiative(groupId: $groupId, initiativeId: $initiativeId) { id } }`,
        { groupId, initiativeId },
      ).then(() => true),
    );
    if (ok) onChange();
  };

  const linked = data?.group?.initiatives ?? [];
  return (
    <section aria-labelledby="initiatives-h">
      <h2 id="initiatives-h">Initiatives</h2>
      <ErrorBanner error={error} />
      <ul className="plain" data-testid="linked-initiatives">
        {linked.length === 0 && <li className="muted">none linked</li>}
        {linked.map((i) => (
          <li key={i.id}>
            {i.name}{" "}
            <span className="muted">
              {i.startDate && <When value={i.startDate} />}
              {i.endDate && (
                <>
                  {" – "}
                  <When value={i.endDate} />
                </>
              )}
            </span>{" "}
            {canManage && (
              <button
                type="button"
                className="secondary"
                aria-label={`Unlink ${i.name}`}
                onClick={() => void unlink(i.id)}
              >
                Unlink
              </button>
            )}
          </li>
        ))}
      </ul>
      {canManage && (
        <form className="inline-form" onSubmit={link} aria-label="Link an initiative">
          <Field label="Find initiatives">
            {(p) => <input {...p} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />}
          </Field>
          <Field label="Initiative">
            {(p) => (
              <select {...p} value={chosen} onChange={(e) => setChosen(e.target.value)}>
                {found.length === 0 && <option value="">no match</option>}
                {found.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" disabled={!chosen || action.busy}>
            Link initiative
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!search.trim() || action.busy}
            onClick={() => void createAndLink()}
          >
            Create “{search.trim() || "…"}” and link
          </button>
        </form>
      )}
      <ErrorBanner error={action.error} />
    </section>
  );
}
