import { Foundation1795000000000 } from "./1795000000000-Foundation";
import { PermissionRegistry1795000001000 } from "./1795000001000-PermissionRegistry";
import { Leadership1795000002000 } from "./1795000002000-Leadership";
import { Initiatives1795000003000 } from "./1795000003000-Initiatives";
import { EventFeed1795000004000 } from "./1795000004000-EventFeed";
import { MembershipHistory1795000005000 } from "./1795000005000-MembershipHistory";
import { TimeEvents1795000006000 } from "./1795000006000-TimeEvents";
import { Erasure1795000007000 } from "./1795000007000-Erasure";
import { AccessRequests1795000008000 } from "./1795000008000-AccessRequests";
import { EmailInvitations1795000009000 } from "./1795000009000-EmailInvitations";
import { EmailSetBySelf1795000010000 } from "./1795000010000-EmailSetBySelf";
import { MemberPageIndex1795000011000 } from "./1795000011000-MemberPageIndex";
import { MembershipPairProbe1795000012000 } from "./1795000012000-MembershipPairProbe";

/** Every migration, oldest first. `npm run migration:generate` writes a new file; add its class here. */
export const migrations = [
  Foundation1795000000000,
  PermissionRegistry1795000001000,
  Leadership1795000002000,
  Initiatives1795000003000,
  EventFeed1795000004000,
  MembershipHistory1795000005000,
  TimeEvents1795000006000,
  Erasure1795000007000,
  AccessRequests1795000008000,
  EmailInvitations1795000009000,
  EmailSetBySelf1795000010000,
  MemberPageIndex1795000011000,
  MembershipPairProbe1795000012000,
];
