import pg from 'pg';

// What PostgreSQL itself says about a database's schema, normalised so two databases can be compared fact
// for fact: extensions, enum types with their value order, columns, constraints, indexes, triggers, functions.

export interface Column {
  type: string;
  notNull: boolean;
  default: string | null;
}

export interface Catalog {
  extensions: string[];
  enums: Record<string, string[]>;
  tables: Record<string, Record<string, Column>>;
  constraints: Record<string, { table: string; type: string; definition: string }>;
  indexes: Record<string, { table: string; definition: string }>;
  triggers: Record<string, { table: string; definition: string }>;
  functions: Record<string, string>;
}

export async function readCatalog(databaseUrl: string): Promise<Catalog> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const q = async <T extends pg.QueryResultRow>(sql: string) => (await client.query<T>(sql)).rows;
    const extensions = (await q<{ extname: string }>(`SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1`)).map(
      (r) => r.extname,
    );

    const enums: Catalog['enums'] = {};
    for (const r of await q<{ name: string; labels: string[] }>(`
      SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' GROUP BY t.typname`))
      enums[r.name] = r.labels;

    const tables: Catalog['tables'] = {};
    for (const r of await q<{ table: string; column: string; type: string; not_null: boolean; default: string | null }>(`
      SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
             a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`)) {
      (tables[r.table] ??= {})[r.column] = { type: r.type, notNull: r.not_null, default: r.default };
    }

    const constraints: Catalog['constraints'] = {};
    for (const r of await q<{ name: string; table: string; type: string; definition: string }>(`
      SELECT con.conname AS name, c.relname AS table, con.contype::text AS type, pg_get_constraintdef(con.oid) AS definition
      FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public'`))
      constraints[r.name] = { table: r.table, type: r.type, definition: r.definition };

    const indexes: Catalog['indexes'] = {};
    for (const r of await q<{ name: string; table: string; definition: string }>(
      `SELECT indexname AS name, tablename AS table, indexdef AS definition FROM pg_indexes WHERE schemaname = 'public'`,
    ))
      indexes[r.name] = { table: r.table, definition: r.definition };

    const triggers: Catalog['triggers'] = {};
    for (const r of await q<{ name: string; table: string; definition: string }>(`
      SELECT t.tgname AS name, c.relname AS table, pg_get_triggerdef(t.oid) AS definition
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal`)) {
      triggers[r.name] = { table: r.table, definition: r.definition };
    }

    const functions: Catalog['functions'] = {};
    for (const r of await q<{ name: string; definition: string }>(`
      SELECT p.proname AS name, pg_get_functiondef(p.oid) AS definition FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.prokind = 'f'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`)) {
      functions[r.name] = r.definition;
    }
    return { extensions, enums, tables, constraints, indexes, triggers, functions };
  } finally {
    await client.end();
  }
}

/** The catalog without the named tables and everything that belongs to them. */
export function withoutTables(catalog: Catalog, names: readonly string[]): Catalog {
  const keep = <T extends { table: string }>(rec: Record<string, T>) =>
    Object.fromEntries(Object.entries(rec).filter(([, v]) => !names.includes(v.table)));
  return {
    ...catalog,
    tables: Object.fromEntries(Object.entries(catalog.tables).filter(([t]) => !names.includes(t))),
    constraints: keep(catalog.constraints),
    indexes: keep(catalog.indexes),
    triggers: keep(catalog.triggers),
  };
}
