import { readFile } from 'node:fs/promises';
import path from 'node:path';
import wasm from '@prisma/prisma-schema-wasm';
import type { Catalog } from './catalog.js';

// Reads prisma/schema.prisma through Prisma's own schema parser (the WebAssembly build, no native engine) and
// lists every way the migrated database disagrees with it: what `prisma migrate diff` would report as drift.

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object';
  type: string;
  isRequired: boolean;
  nativeType: [string, string[]] | null;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { fields: string[] } | null;
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string;
  fields: { name: string }[];
}
interface DmmfEnum {
  name: string;
  dbName: string | null;
  values: { name: string; dbName: string | null }[];
}
interface Dmmf {
  datamodel: { models: DmmfModel[]; enums: DmmfEnum[]; indexes: DmmfIndex[] };
}

export async function readPrismaSchema(file = path.resolve(import.meta.dirname, '../../prisma/schema.prisma')): Promise<Dmmf> {
  const schema = await readFile(file, 'utf8');
  return JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schema]] }))) as Dmmf;
}

const nativeTypes: Record<string, (args: string[]) => string> = {
  Uuid: () => 'uuid',
  VarChar: ([n]) => `character varying(${n})`,
  Char: ([n]) => `character(${n})`,
  Decimal: ([p, s]) => `numeric(${p},${s})`,
  Timestamptz: ([p]) => (p === '6' ? 'timestamp with time zone' : `timestamp(${p}) with time zone`),
  Timestamp: ([p]) => (p === '6' ? 'timestamp without time zone' : `timestamp(${p}) without time zone`),
  Date: () => 'date',
  Text: () => 'text',
  Integer: () => 'integer',
};
const implicitTypes: Record<string, string> = {
  String: 'text',
  Boolean: 'boolean',
  Json: 'jsonb',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  DateTime: 'timestamp(3) without time zone',
  Decimal: 'numeric(65,30)',
};

function columnType(field: DmmfField, enums: Map<string, DmmfEnum>): string {
  if (field.kind === 'enum') return enums.get(field.type)?.dbName ?? field.type;
  if (field.nativeType) return nativeTypes[field.nativeType[0]]!(field.nativeType[1]);
  return implicitTypes[field.type] ?? field.type;
}

/** The database default PostgreSQL would show for a Prisma @default, or undefined to skip the comparison. */
function expectedDefault(field: DmmfField, enums: Map<string, DmmfEnum>): string | null {
  const d = field.default as { name?: string; args?: unknown[] } | string | number | boolean | undefined;
  if (d === undefined) return null;
  if (typeof d === 'object' && d.name === 'dbgenerated') return String(d.args?.[0]);
  if (typeof d === 'object' && d.name === 'now') return 'CURRENT_TIMESTAMP';
  if (typeof d === 'object' && d.name === 'autoincrement') return 'autoincrement()';
  if (field.kind === 'enum') return `'${d}'::${enums.get(field.type)?.dbName ?? field.type}`;
  return String(d);
}

function sameDefault(expected: string | null, actual: string | null): boolean {
  if (expected === null || actual === null) return expected === actual;
  // BIGSERIAL: the column's own sequence.
  if (expected === 'autoincrement()') return /^nextval\('[a-z_]+_seq'::regclass\)$/.test(actual);
  const numeric = /^-?\d+(\.\d+)?$/;
  const bare = actual.replace(/::[a-z ]+$/, '').replace(/^'(.*)'$/, '$1');
  if (numeric.test(expected) && numeric.test(bare)) return Number(expected) === Number(bare);
  return expected === actual || expected === bare;
}

const referentialActions: Record<string, string> = {
  Cascade: 'ON DELETE CASCADE',
  Restrict: 'ON DELETE RESTRICT',
  NoAction: '',
  SetNull: 'ON DELETE SET NULL',
  SetDefault: 'ON DELETE SET DEFAULT',
};

export function schemaDrift(dmmf: Dmmf, db: Catalog, ignoreTables: readonly string[]): string[] {
  const problems: string[] = [];
  const enums = new Map(dmmf.datamodel.enums.map((e) => [e.name, e]));
  const models = new Map(dmmf.datamodel.models.map((m) => [m.name, m]));
  const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
  const columnOf = (m: DmmfModel, field: string) => {
    const f = m.fields.find((x) => x.name === field)!;
    return f.dbName ?? f.name;
  };

  for (const e of dmmf.datamodel.enums) {
    const name = e.dbName ?? e.name;
    const values = e.values.map((v) => v.dbName ?? v.name);
    if (JSON.stringify(db.enums[name]) !== JSON.stringify(values)) {
      problems.push(`enum ${name}: schema.prisma has [${values}], database has [${db.enums[name] ?? 'nothing'}]`);
    }
  }
  for (const name of Object.keys(db.enums)) {
    if (![...enums.values()].some((e) => (e.dbName ?? e.name) === name)) problems.push(`enum ${name} is not in schema.prisma`);
  }

  const modelTables = new Set([...models.values()].map(tableOf));
  for (const table of Object.keys(db.tables)) {
    if (!modelTables.has(table) && !ignoreTables.includes(table)) problems.push(`table ${table} is not in schema.prisma`);
  }

  for (const model of models.values()) {
    const table = tableOf(model);
    const columns = db.tables[table];
    if (!columns) {
      problems.push(`table ${table} (model ${model.name}) is missing from the database`);
      continue;
    }
    const scalarFields = model.fields.filter((f) => f.kind !== 'object');
    for (const f of scalarFields) {
      const col = f.dbName ?? f.name;
      const actual = columns[col];
      if (!actual) {
        problems.push(`${table}.${col} is missing from the database`);
        continue;
      }
      const type = columnType(f, enums);
      if (actual.type !== type) problems.push(`${table}.${col}: type ${type} in schema.prisma, ${actual.type} in the database`);
      if (actual.notNull !== f.isRequired)
        problems.push(
          `${table}.${col}: ${f.isRequired ? 'required' : 'optional'} in schema.prisma, ${actual.notNull ? 'NOT NULL' : 'nullable'} in the database`,
        );
      const def = expectedDefault(f, enums);
      if (!sameDefault(def, actual.default))
        problems.push(`${table}.${col}: default ${def} in schema.prisma, ${actual.default} in the database`);
    }
    for (const col of Object.keys(columns)) {
      if (!scalarFields.some((f) => (f.dbName ?? f.name) === col)) problems.push(`${table}.${col} is not in schema.prisma`);
    }

    // Indexes: each one Prisma declares exists with the same columns and uniqueness, and no other exists.
    const dbIndexes = Object.entries(db.indexes).filter(([, i]) => i.table === table);
    const claimed = new Set<string>();
    for (const idx of dmmf.datamodel.indexes.filter((i) => i.model === model.name)) {
      const cols = idx.fields.map((f) => columnOf(model, f.name));
      const unique = idx.type !== 'normal';
      const match = dbIndexes.find(([name, i]) => {
        const m = /USING \w+ \((.*)\)$/.exec(i.definition);
        const dbCols = m?.[1]?.split(', ').map((c) => c.replace(/"/g, '')) ?? [];
        return (
          JSON.stringify(dbCols) === JSON.stringify(cols) &&
          i.definition.startsWith('CREATE UNIQUE') === unique &&
          (!idx.dbName || idx.dbName === name)
        );
      });
      if (match) claimed.add(match[0]);
      else problems.push(`${table}: ${idx.type} index on (${cols}) ${idx.dbName ?? ''} is missing from the database`);
    }
    for (const [name] of dbIndexes) if (!claimed.has(name)) problems.push(`${table}: index ${name} is not in schema.prisma`);

    // Foreign keys with their referential actions.
    const dbForeignKeys = Object.entries(db.constraints).filter(([, c]) => c.table === table && c.type === 'f');
    const relations = model.fields.filter((f) => f.kind === 'object' && f.relationFromFields?.length);
    for (const rel of relations) {
      const target = models.get(rel.type)!;
      const from = rel.relationFromFields!.map((f) => columnOf(model, f));
      const to = rel.relationToFields!.map((f) => columnOf(target, f));
      const onDelete = referentialActions[rel.relationOnDelete ?? 'NoAction'] ?? '';
      const onUpdate =
        rel.relationOnUpdate && rel.relationOnUpdate !== 'NoAction'
          ? referentialActions[rel.relationOnUpdate]!.replace('DELETE', 'UPDATE')
          : '';
      const expected = `FOREIGN KEY (${from.join(', ')}) REFERENCES ${tableOf(target)}(${to.join(', ')})${onDelete ? ' ' + onDelete : ''}${onUpdate ? ' ' + onUpdate : ''}`;
      if (!dbForeignKeys.some(([, c]) => c.definition === expected))
        problems.push(`${table}: foreign key "${expected}" is missing from the database`);
    }
    if (dbForeignKeys.length !== relations.length)
      problems.push(`${table}: ${dbForeignKeys.length} foreign keys in the database, ${relations.length} in schema.prisma`);
  }
  return problems;
}
