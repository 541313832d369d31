/** Row counts of one benchmark scale; `large` is 10x `default`, `small` a tenth of it. */
export interface Scale {
  name: ScaleName;
  users: number;
  groups: number;
  memberships: number;
  /** Leadership periods: five per group for a fifth of the groups (four ended, one current). */
  leaderships: number;
  initiatives: number;
  initiativeLinks: number;
  /** Users without any membership, the M1 mutations add and remove them. */
  spareUsers: number;
}

export type ScaleName = "small" | "default" | "large";

const DEFAULT: Omit<Scale, "name"> = {
  users: 100_000,
  groups: 20_000,
  memberships: 500_000,
  leaderships: 20_000,
  initiatives: 2_000,
  initiativeLinks: 10_000,
  spareUsers: 5_000,
};

function times(factor: number, name: ScaleName): Scale {
  const scaled = Object.fromEntries(Object.entries(DEFAULT).map(([k, v]) => [k, Math.round(v * factor)]));
  return { ...(scaled as Omit<Scale, "name">), name };
}

export const SCALES: Record<ScaleName, Scale> = {
  small: times(0.1, "small"),
  default: times(1, "default"),
  large: times(10, "large"),
};

export function parseScale(value: string | undefined): Scale {
  const name = (value ?? "default") as ScaleName;
  const scale = SCALES[name];
  if (!scale) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(", ")}, got "${value}"`);
  return scale;
}

/**
 * The hierarchy: 8 levels, each group's parents one level up (so the DAG has no cycle by
 * construction), about 10% of groups under a second parent. Level sizes grow downwards.
 */
export const LEVELS: readonly { share: number; groupType: string }[] = [
  { share: 0.001, groupType: "organization" },
  { share: 0.005, groupType: "faculty" },
  { share: 0.02, groupType: "department" },
  { share: 0.06, groupType: "program" },
  { share: 0.14, groupType: "lab" },
  { share: 0.225, groupType: "team" },
  { share: 0.275, groupType: "project" },
  { share: 0.274, groupType: "research_group" },
];

/** [first, last] group number (1-based) of each level for `groups` groups. */
export function levelBounds(groups: number): { level: number; lo: number; hi: number; groupType: string }[] {
  let next = 1;
  return LEVELS.map(({ share, groupType }, level) => {
    const size = level === LEVELS.length - 1 ? groups - next + 1 : Math.max(1, Math.round(share * groups));
    const bounds = { level, lo: next, hi: next + size - 1, groupType };
    next += size;
    return bounds;
  });
}

/** Deterministic ids: the same seed always gives the same rows, so runs compare. */
export const ID_PREFIX = {
  user: "10000000",
  group: "20000000",
  membership: "30000000",
  leadership: "40000000",
  initiative: "50000000",
} as const;

export function benchId(kind: keyof typeof ID_PREFIX, n: number): string {
  return `${ID_PREFIX[kind]}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

/** The same id as SQL, for an integer expression. */
export function benchIdSql(kind: keyof typeof ID_PREFIX, expr: string): string {
  return `('${ID_PREFIX[kind]}-0000-4000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
}

/** Special users after the regular and spare ones. */
export function specialUsers(scale: Scale) {
  const base = scale.users + scale.spareUsers;
  return { admin: base + 1, chain: base + 2 };
}
