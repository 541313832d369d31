import { gql } from "../api";
import { navigate } from "../router";
import { GroupForm, NEW_GROUP } from "./GroupForm";

export function NewGroup() {
  const save = async (input: Record<string, unknown>) => {
    const data = await gql<{ createGroup: { id: string } }>(
      `mutation AdminCreateGroup($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
      { input },
    );
    navigate(`/groups/${data.createGroup.id}`);
  };
  return (
    <>
      <h1>New group</h1>
      <GroupForm initial={NEW_GROUP} isNew save={save} submitLabel="Create group" seesEveryGroup={false} />
    </>
  );
}
