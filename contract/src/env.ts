// How both services name a bad environment (docs/architecture.md): each variable by name, never its value.

/** One zod issue, as much of it as naming the variable needs. */
interface EnvIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** "bad configuration: NAME is missing (…); OTHER is invalid: …" for a failed parse of `given`. */
export function describeEnvIssues(issues: readonly EnvIssue[], given: Readonly<Record<string, unknown>>): string {
  const problems = issues.map((issue) => {
    const name = String(issue.path[0] ?? "environment");
    return given[name] === undefined ? `${name} is missing (${issue.message})` : `${name} is invalid: ${issue.message}`;
  });
  return `bad configuration: ${problems.join("; ")}`;
}
