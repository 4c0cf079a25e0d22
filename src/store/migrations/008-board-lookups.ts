import { sql, type Kysely, type Migration } from "kysely";

/**
 * Board filters that take what the pages show (issue 13): repository names compared
 * case-insensitively (GitHub's are: `Acme/API` is `acme/api`), and the `#12` pull request lanes.
 *
 * The repository indexes of migrations 001 and 005 served only the board's filters; they become
 * the same indexes on `lower(repository)` (an expression index: SQLite ≥ 3.9 and PostgreSQL both
 * walk it for `lower(repository) = lower(?)`, the exact expression `listBuildsPage` writes), so a
 * build still writes as many index entries as before. The pull request indexes are partial:
 * branch and tag builds (most of them) are not in them.
 *
 * On an existing store this builds each index over the whole table (SQLite: a few seconds per
 * index at a million builds; PostgreSQL blocks writes to the table while it builds).
 */
const CREATE = [
  sql`create index builds_repository_lower_id on builds (lower(repository), id)`,
  sql`create index builds_repository_lower_state_id on builds (lower(repository), state, id)`,
  sql`create index builds_repository_lower_ref_id on builds (lower(repository), ref, id)`,
  sql`create index builds_pull_request_id on builds (pull_request, id) where pull_request is not null`,
  sql`create index builds_repository_lower_pull_request_id on builds (lower(repository), pull_request, id) where pull_request is not null`,
];
const REPLACED: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["builds_repository_id", ["repository", "id"]],
  ["builds_repository_state_id", ["repository", "state", "id"]],
  ["builds_repository_ref", ["repository", "ref", "id"]],
];
const CREATED = ["builds_repository_lower_pull_request_id", "builds_pull_request_id", "builds_repository_lower_ref_id", "builds_repository_lower_state_id", "builds_repository_lower_id"];

export function boardLookupsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const statement of CREATE) await statement.execute(db);
      for (const [name] of REPLACED) await db.schema.dropIndex(name).execute();
    },
    async down(db: Kysely<unknown>) {
      for (const [name, columns] of REPLACED) await db.schema.createIndex(name).on("builds").columns([...columns]).execute();
      for (const name of CREATED) await db.schema.dropIndex(name).execute();
    },
  };
}
