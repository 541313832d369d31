import { registry, type RegistryDefinitions, validateDefinitions } from "../../src/permissions";

/** What `permissions:validate` refuses: one kind of bad definition at a time, on top of the real registry. */
const BROKEN: [string, (defs: RegistryDefinitions) => void, string][] = [
  [
    "a permission key without a dot",
    (d) => d.permissions.push({ key: "groups", module: "groups", label: "No dot" }),
    'permission "groups" has no dot: keys are "<module>.<capability>"',
  ],
  [
    "a permission whose key does not start with its module",
    (d) => d.permissions.push({ key: "members.ban", module: "groups", label: "Wrong module" }),
    'permission "members.ban" does not start with its module "groups" followed by a dot',
  ],
  [
    "a permission key defined twice",
    (d) => d.permissions.push({ key: "groups.view", module: "groups", label: "Again" }),
    'permission "groups.view" is defined twice',
  ],
  [
    "a role granting an unknown permission",
    (d) => d.roles.find((r) => r.name === "member")!.permissions.push("members.fly"),
    'role "member" grants "members.fly", which is not a defined permission',
  ],
  [
    "two roles sharing a rank",
    (d) => d.roles.push({ name: "editor", label: "Editor", rank: 30, permissions: [] }),
    'roles "admin" and "editor" share rank 30: give each role its own rank ' +
      "(a role holds the permissions of every role ranked below it, so ranks must be in a strict order)",
  ],
  [
    "a module with a blank label",
    (d) => d.modules.push({ key: "audit", label: "   " }),
    'module "audit" has a blank label',
  ],
  [
    "a module with a blank key",
    (d) => d.modules.push({ key: " ", label: "Reports" }),
    'module labelled "Reports" has a blank key',
  ],
  [
    "a permission with a blank label",
    (d) => d.permissions.push({ key: "groups.archive", module: "groups", label: "" }),
    'permission "groups.archive" has a blank label',
  ],
  [
    "a role with a blank name",
    (d) => d.roles.push({ name: " \t", label: "Helper", rank: 15, permissions: [] }),
    'role labelled "Helper" has a blank name',
  ],
  [
    "a role with a blank label",
    (d) => d.roles.push({ name: "helper", label: "\n", rank: 15, permissions: [] }),
    'role "helper" has a blank label',
  ],
  [
    "a role with a blank name and a blank label",
    (d) => d.roles.push({ name: "", label: " ", rank: 15, permissions: [] }),
    "a role has a blank name and a blank label",
  ],
  [
    "a module whose parent is missing",
    (d) => d.modules.push({ key: "reports.daily", label: "Daily reports", parent: "reports" }),
    'module "reports.daily" names parent "reports", which is not defined',
  ],
];

function deployment(): RegistryDefinitions {
  return structuredClone(registry.definitions) as RegistryDefinitions;
}

describe("validateDefinitions on the deployment's registry", () => {
  it("finds nothing wrong with it as it is", () => {
    expect(validateDefinitions(deployment())).toEqual([]);
  });

  it.each(BROKEN)("refuses %s with a sentence naming it", (_kind, breakIt, message) => {
    const defs = deployment();
    breakIt(defs);
    expect(validateDefinitions(defs)).toEqual([message]);
  });

  it("refuses a blank permission key, which has no dot either", () => {
    const defs = deployment();
    defs.permissions.push({ key: "  ", module: "groups", label: "Nameless" });
    expect(validateDefinitions(defs)).toEqual([
      'permission labelled "Nameless" has a blank key',
      'permission "  " has no dot: keys are "<module>.<capability>"',
    ]);
  });

  it("names every problem of a set broken several ways at once", () => {
    const defs = deployment();
    for (const [, breakIt] of BROKEN) breakIt(defs);
    expect(validateDefinitions(defs)).toEqual(expect.arrayContaining(BROKEN.map(([, , message]) => message)));
  });
});
