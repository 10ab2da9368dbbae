namespace Migrations.Build.Engine.Verification;

/// <summary>
/// The catalog queries of <see cref="SchemaSnapshot.CaptureAsync"/>: one per kind of object, all sent in one batch.
/// Each returns rows of (kind, name, parent identity, definition); an entry's identity is its kind and name.
/// $1 and $2 are the schema and name of the history table.
/// </summary>
/// <remarks>
/// They read pg_catalog directly (information_schema is slower and lacks indexes, sequence owners and more) and run
/// with search_path = pg_catalog, so format_type and the pg_get_*def functions qualify every user object with its
/// schema, whatever search_path the migrations set. Needs PostgreSQL 12 or later (attgenerated).
/// </remarks>
internal static class SchemaCatalogQueries
{
    public const string PinSearchPath = "SET LOCAL search_path = pg_catalog";

    private static string UserSchema(string n) => $"{n}.nspname NOT LIKE 'pg\\_%' AND {n}.nspname <> 'information_schema'";

    // An extension's objects come and go with CREATE/DROP EXTENSION: the extension's entry stands for all of them.
    private static string NotInExtension(string catalog, string oid) =>
        $"NOT EXISTS (SELECT FROM pg_depend x WHERE x.classid = '{catalog}'::regclass AND x.objid = {oid} AND x.deptype = 'e')";

    private static string NotHistory(string n, string c) => $"NOT ({n}.nspname = $1 AND {c}.relname = $2)";

    private static string Qualified(string n, string name) => $"quote_ident({n}.nspname) || '.' || quote_ident({name})";

    private static string RelationIdentity(string n, string c) =>
        $"CASE {c}.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' WHEN 'f' THEN 'foreign table ' " +
        $"WHEN 'S' THEN 'sequence ' ELSE 'table ' END || {Qualified(n, c + ".relname")}";

    private static string Comment(string catalog, string oid, string subId = "0") =>
        $"(SELECT 'COMMENT ' || quote_literal(d.description) FROM pg_description d " +
        $"WHERE d.objoid = {oid} AND d.classoid = '{catalog}'::regclass AND d.objsubid = {subId})";

    /// <summary>
    /// Granted privileges, sorted, when they differ from the owner's implicit ones. A GRANT undone by a REVOKE leaves
    /// an explicit list equal to the implicit one where there was none: that is no difference.
    /// </summary>
    private static string Privileges(string acl, char objectType, string owner) =>
        $"CASE WHEN {acl} IS NOT NULL THEN (SELECT 'PRIVILEGES ' || p.granted FROM (SELECT " +
        $"array_to_string(ARRAY(SELECT g::text FROM unnest({acl}) g ORDER BY 1), ', ') AS granted, " +
        $"array_to_string(ARRAY(SELECT g::text FROM unnest(acldefault('{objectType}', {owner})) g ORDER BY 1), ', ') AS implicit" +
        $") p WHERE p.granted <> p.implicit) END";

    // The history schema's own entry is left out: the runner creates it on demand (see SchemaSnapshotOptions).
    private static readonly string Schemas = $"""
        SELECT 'schema', quote_ident(n.nspname), NULL,
               concat_ws(' ', {Comment("pg_namespace", "n.oid")}, {Privileges("n.nspacl", 'n', "n.nspowner")})
        FROM pg_namespace n
        WHERE {UserSchema("n")} AND n.nspname <> $1 AND {NotInExtension("pg_namespace", "n.oid")}
        """;

    private static readonly string Extensions = """
        SELECT 'extension', quote_ident(e.extname), NULL,
               concat_ws(' ', 'VERSION ' || quote_literal(e.extversion), 'SCHEMA ' || quote_ident(n.nspname))
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        """;

    // Tables (plain, partitioned, foreign), views and materialized views; their columns, constraints and indexes come apart.
    private static readonly string Relations = $"""
        SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' ELSE 'table' END,
               {Qualified("n", "c.relname")}, NULL,
               concat_ws(' ',
                   CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED' END,
                   CASE WHEN c.relkind = 'p' THEN 'PARTITION BY ' || pg_get_partkeydef(c.oid) END,
                   CASE WHEN c.relispartition THEN (SELECT 'PARTITION OF ' || i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid)
                       || ' ' || pg_get_expr(c.relpartbound, c.oid) END,
                   CASE WHEN NOT c.relispartition THEN (SELECT 'INHERITS (' || string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno) || ')'
                       FROM pg_inherits i WHERE i.inhrelid = c.oid) END,
                   CASE WHEN c.relkind = 'f' THEN (SELECT 'SERVER ' || quote_ident(s.srvname) || coalesce(' OPTIONS (' || array_to_string(f.ftoptions, ', ') || ')', '')
                       FROM pg_foreign_table f JOIN pg_foreign_server s ON s.oid = f.ftserver WHERE f.ftrelid = c.oid) END,
                   'WITH (' || array_to_string(c.reloptions, ', ') || ')',
                   CASE WHEN c.relkind IN ('v', 'm') THEN 'AS ' || pg_get_viewdef(c.oid) END,
                   CASE WHEN c.relrowsecurity THEN 'ROW LEVEL SECURITY' END,
                   CASE WHEN c.relforcerowsecurity THEN 'FORCE ROW LEVEL SECURITY' END,
                   {Comment("pg_class", "c.oid")},
                   {Privileges("c.relacl", 'r', "c.relowner")})
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND {UserSchema("n")} AND {NotHistory("n", "c")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    private static readonly string Columns = $"""
        SELECT 'column', {Qualified("n", "c.relname")} || '.' || quote_ident(a.attname), {RelationIdentity("n", "c")},
               concat_ws(' ',
                   format_type(a.atttypid, a.atttypmod),
                   CASE WHEN a.attcollation <> t.typcollation THEN 'COLLATE ' ||
                       CASE WHEN cn.nspname = 'pg_catalog' THEN '' ELSE quote_ident(cn.nspname) || '.' END || quote_ident(co.collname) END,
                   CASE WHEN a.attnotnull THEN 'NOT NULL' END,
                   CASE WHEN a.attgenerated = 's' THEN 'GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'
                        WHEN a.atthasdef THEN 'DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) END,
                   CASE a.attidentity WHEN 'a' THEN 'GENERATED ALWAYS AS IDENTITY' WHEN 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY' END,
                   {Comment("pg_class", "c.oid", "a.attnum")},
                   {Privileges("a.attacl", 'c', "c.relowner")})
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f')
          AND {UserSchema("n")} AND {NotHistory("n", "c")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    // Constraints of tables; a domain's go into its own entry. Not-null constraints (PostgreSQL 18 lists them) are the columns' business.
    private static readonly string Constraints = $"""
        SELECT 'constraint', {Qualified("n", "c.relname")} || '.' || quote_ident(k.conname), {RelationIdentity("n", "c")},
               concat_ws(' ', pg_get_constraintdef(k.oid), {Comment("pg_constraint", "k.oid")})
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype <> 'n' AND {UserSchema("n")} AND {NotHistory("n", "c")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    // Indexes of primary key, unique and exclusion constraints are their constraint's: not listed twice.
    private static readonly string Indexes = $"""
        SELECT 'index', {Qualified("n", "ic.relname")}, {RelationIdentity("n", "c")},
               concat_ws(' ', pg_get_indexdef(i.indexrelid), CASE WHEN NOT i.indisvalid THEN 'INVALID' END, {Comment("pg_class", "ic.oid")})
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
          AND {UserSchema("n")} AND {NotHistory("n", "c")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    // The current value is data, not schema. A sequence owned by a column (serial, identity) goes with that column.
    private static readonly string Sequences = $"""
        SELECT 'sequence', {Qualified("n", "c.relname")},
               CASE WHEN oc.oid IS NOT NULL THEN 'column ' || {Qualified("onsp", "oc.relname")} || '.' || quote_ident(oa.attname) END,
               concat_ws(' ',
                   CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED' END,
                   'AS ' || format_type(s.seqtypid, NULL),
                   'START ' || s.seqstart, 'INCREMENT ' || s.seqincrement, 'MINVALUE ' || s.seqmin, 'MAXVALUE ' || s.seqmax,
                   'CACHE ' || s.seqcache, CASE WHEN s.seqcycle THEN 'CYCLE' END,
                   'OWNED BY ' || {Qualified("onsp", "oc.relname")} || '.' || quote_ident(oa.attname),
                   {Comment("pg_class", "c.oid")},
                   {Privileges("c.relacl", 's', "c.relowner")})
        FROM pg_sequence s
        JOIN pg_class c ON c.oid = s.seqrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_depend o ON o.classid = 'pg_class'::regclass AND o.objid = c.oid AND o.objsubid = 0
                              AND o.refclassid = 'pg_class'::regclass AND o.refobjsubid > 0 AND o.deptype IN ('a', 'i')
        LEFT JOIN pg_class oc ON oc.oid = o.refobjid
        LEFT JOIN pg_namespace onsp ON onsp.oid = oc.relnamespace
        LEFT JOIN pg_attribute oa ON oa.attrelid = o.refobjid AND oa.attnum = o.refobjsubid
        WHERE {UserSchema("n")} AND {NotHistory("n", "c")} AND (oc.oid IS NULL OR {NotHistory("onsp", "oc")})
          AND {NotInExtension("pg_class", "c.oid")}
        """;

    // Enums (labels in order), standalone composite types (attributes in order), domains and ranges.
    // Base types need C code and come from extensions; the row types of tables are their tables.
    private static readonly string Types = $"""
        SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, {Qualified("n", "t.typname")}, NULL,
               concat_ws(' ',
                   CASE t.typtype
                       WHEN 'e' THEN 'ENUM (' || coalesce((SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                           FROM pg_enum e WHERE e.enumtypid = t.oid), '') || ')'
                       WHEN 'c' THEN 'AS (' || coalesce((SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                           FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')'
                       WHEN 'r' THEN (SELECT 'RANGE (SUBTYPE = ' || format_type(r.rngsubtype, NULL) || ')' FROM pg_range r WHERE r.rngtypid = t.oid)
                       ELSE concat_ws(' ',
                           format_type(t.typbasetype, t.typtypmod),
                           CASE WHEN t.typnotnull THEN 'NOT NULL' END,
                           'DEFAULT ' || t.typdefault,
                           (SELECT string_agg('CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid), ' ' ORDER BY k.conname)
                               FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype <> 'n'))
                   END,
                   {Comment("pg_type", "t.oid")},
                   {Privileges("t.typacl", 'T', "t.typowner")})
        FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        LEFT JOIN pg_class tc ON tc.oid = t.typrelid
        WHERE t.typtype IN ('e', 'c', 'd', 'r') AND (t.typtype <> 'c' OR tc.relkind = 'c')
          AND {UserSchema("n")} AND {NotInExtension("pg_type", "t.oid")}
        """;

    // Named by argument types (pg_proc's unique key), so a renamed argument is a change, not a drop and a create.
    // The md5 of the whole definition catches a changed body, volatility, SET clause or argument name without carrying
    // the source around; pg_get_functiondef refuses aggregates, which are described by their parts instead.
    // Functions internal to another object (the constructors of a range type) go with it.
    private static readonly string Routines = $"""
        SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
               {Qualified("n", "p.proname")} || '(' || oidvectortypes(p.proargtypes) || ')', NULL,
               concat_ws(' ',
                   'RETURNS ' || pg_get_function_result(p.oid),
                   CASE WHEN p.prokind = 'a' THEN
                       (SELECT concat_ws(' ', 'SFUNC ' || a.aggtransfn::text, 'STYPE ' || format_type(a.aggtranstype, NULL),
                                              CASE WHEN a.aggfinalfn::oid <> 0 THEN 'FINALFUNC ' || a.aggfinalfn::text END, 'INITCOND ' || quote_literal(a.agginitval))
                        FROM pg_aggregate a WHERE a.aggfnoid = p.oid)
                   ELSE concat_ws(' ', 'LANGUAGE ' || quote_ident(l.lanname), 'MD5 ' || left(md5(pg_get_functiondef(p.oid)), 16)) END,
                   {Comment("pg_proc", "p.oid")},
                   {Privileges("p.proacl", 'f', "p.proowner")})
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        JOIN pg_language l ON l.oid = p.prolang
        WHERE {UserSchema("n")} AND {NotInExtension("pg_proc", "p.oid")}
          AND NOT EXISTS (SELECT FROM pg_depend x WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid AND x.deptype = 'i')
        """;

    // Internal triggers implement foreign keys, which are compared as constraints.
    private static readonly string Triggers = $"""
        SELECT 'trigger', {Qualified("n", "c.relname")} || '.' || quote_ident(g.tgname), {RelationIdentity("n", "c")},
               concat_ws(' ', pg_get_triggerdef(g.oid),
                   CASE g.tgenabled WHEN 'D' THEN 'DISABLED' WHEN 'R' THEN 'ENABLED REPLICA' WHEN 'A' THEN 'ENABLED ALWAYS' END,
                   {Comment("pg_trigger", "g.oid")})
        FROM pg_trigger g
        JOIN pg_class c ON c.oid = g.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT g.tgisinternal AND {UserSchema("n")} AND {NotHistory("n", "c")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    private static readonly string Policies = $"""
        SELECT 'policy', {Qualified("n", "c.relname")} || '.' || quote_ident(p.polname), {RelationIdentity("n", "c")},
               concat_ws(' ',
                   CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
                   'FOR ' || CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                   (SELECT 'TO ' || string_agg(r.name, ', ' ORDER BY r.name)
                    FROM (SELECT CASE WHEN g = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g)) END AS name FROM unnest(p.polroles) g) r),
                   'USING (' || pg_get_expr(p.polqual, p.polrelid) || ')',
                   'WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')',
                   {Comment("pg_policy", "p.oid")})
        FROM pg_policy p
        JOIN pg_class c ON c.oid = p.polrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {UserSchema("n")} AND {NotHistory("n", "c")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    // CREATE RULE; the _RETURN rule of a view is its definition, compared with the view.
    private static readonly string Rules = $"""
        SELECT 'rule', {Qualified("n", "c.relname")} || '.' || quote_ident(r.rulename), {RelationIdentity("n", "c")},
               concat_ws(' ', pg_get_ruledef(r.oid), {Comment("pg_rewrite", "r.oid")})
        FROM pg_rewrite r
        JOIN pg_class c ON c.oid = r.ev_class
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE r.rulename <> '_RETURN' AND {UserSchema("n")} AND {NotHistory("n", "c")} AND {NotInExtension("pg_class", "c.oid")}
        """;

    /// <summary>In the order of the batch. Declared last: static fields initialise in textual order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Schemas, Extensions, Relations, Columns, Constraints, Indexes, Sequences, Types, Routines, Triggers, Policies, Rules,
    ];
}
