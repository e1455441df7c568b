// Type-checked against the client openapi-typescript generates (tests/clients/run.sh).
import type { components, paths } from "./schema";

type Practice = components["schemas"]["PracticeView"];
type Problem = components["schemas"]["Problem"];

const zone: Practice["timezone"] = "America/New_York";
const update: components["schemas"]["UpdatePracticeRequest"] = { timezone: null };
const problem: Pick<Problem, "status" | "title"> = { status: 412, title: "Precondition Failed" };
const path: keyof paths = "/api/v1/practice";

export const probes = { zone, update, problem, path };
