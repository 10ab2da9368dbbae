using System.Text;
using Migrations.Build.Engine.Sql;

namespace Migrations.Build.Engine.Linting;

/// <summary>
/// Classifies a statement from its significant tokens, the way PostgreSQL's grammar reads the leading
/// keywords. It reads only as far as the rules need, skips what is inside parentheses unless that matters,
/// and never throws: whatever it does not recognise is <see cref="StatementKind.Other"/>.
/// </summary>
public static class StatementClassifier
{
    public static StatementInfo Classify(SqlStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var info = new StatementInfo(statement);
        var r = new TokenReader(statement);
        if (r.AtEnd) return info;

        if (r.IsWord("WITH"))
        {
            SkipWithClause(ref r);
        }
        else if (ClassifyTransactionControl(ref r, info))
        {
            return info;
        }

        if (r.IsWord("CREATE")) Create(ref r, info);
        else if (r.IsWord("DROP")) Drop(ref r, info);
        else if (r.IsWord("ALTER")) Alter(ref r, info);
        else if (r.IsWord("TRUNCATE")) Truncate(ref r, info);
        else if (r.IsWord("DELETE")) DeleteOrUpdate(ref r, info, StatementKind.Delete);
        else if (r.IsWord("UPDATE")) DeleteOrUpdate(ref r, info, StatementKind.Update);
        else if (r.IsWord("INSERT")) Insert(ref r, info);
        else if (r.IsWord("REINDEX")) Reindex(ref r, info);
        else if (r.IsWord("VACUUM")) NonTransactional(info, StatementKind.Vacuum, r[r.Position], "VACUUM");
        return info;
    }

    /// <summary>Same rules as <see cref="TransactionControl"/>; COMMIT/ROLLBACK PREPARED end no transaction but refuse to run in one.</summary>
    private static bool ClassifyTransactionControl(ref TokenReader r, StatementInfo info)
    {
        if (r.IsWord("BEGIN") || (r.IsWord("START") && r.IsWordAt(1, "TRANSACTION"))) info.Kind = StatementKind.Begin;
        else if (r.IsWord("END")) info.Kind = StatementKind.Commit;
        else if (r.IsWord("ABORT")) info.Kind = StatementKind.Rollback;
        else if (r.IsWord("COMMIT") || r.IsWord("ROLLBACK"))
        {
            var commit = r.IsWord("COMMIT");
            if (r.IsWordAt(1, "PREPARED"))
            {
                NonTransactional(info, StatementKind.Other, r[0], commit ? "COMMIT PREPARED" : "ROLLBACK PREPARED");
                return true;
            }

            info.Kind = commit ? StatementKind.Commit : StatementKind.Rollback;
        }
        else
        {
            return false;
        }

        return true;
    }

    /// <summary>
    /// Moves past <c>WITH [RECURSIVE] name AS (...) [, ...]</c> to the statement it qualifies: the first
    /// SELECT, INSERT, UPDATE, DELETE or MERGE right after a closing parenthesis at the top level.
    /// </summary>
    private static void SkipWithClause(ref TokenReader r)
    {
        var depth = 0;
        for (r.Position++; !r.AtEnd; r.Position++)
        {
            if (r.IsPunctuation('(')) depth++;
            else if (r.IsPunctuation(')') && depth > 0 && --depth == 0)
            {
                var next = r.Position + 1;
                if (r.IsWordAt(next, "SELECT") || r.IsWordAt(next, "INSERT") || r.IsWordAt(next, "UPDATE") ||
                    r.IsWordAt(next, "DELETE") || r.IsWordAt(next, "MERGE"))
                {
                    r.Position = next;
                    return;
                }
            }
        }
    }

    /// <summary>Reads the object keyword(s) after CREATE/DROP/ALTER and their modifiers; leaves the reader after them.</summary>
    private static SqlObjectKind ReadObjectKind(ref TokenReader r)
    {
        if (r.Accept("TABLE")) return SqlObjectKind.Table;
        if (r.Accept("INDEX")) return SqlObjectKind.Index;
        if (r.Accept("TYPE")) return SqlObjectKind.Type;
        if (r.Accept("SCHEMA")) return SqlObjectKind.Schema;
        if (r.Accept("FUNCTION") || r.Accept("ROUTINE")) return SqlObjectKind.Function;
        if (r.Accept("PROCEDURE")) return SqlObjectKind.Procedure;
        if (r.Accept("VIEW")) return SqlObjectKind.View;
        if (r.Accept("MATERIALIZED", "VIEW")) return SqlObjectKind.MaterializedView;
        if (r.Accept("SEQUENCE")) return SqlObjectKind.Sequence;
        if (r.Accept("EXTENSION")) return SqlObjectKind.Extension;
        if (r.Accept("TRIGGER")) return SqlObjectKind.Trigger;
        if (r.Accept("DATABASE")) return SqlObjectKind.Database;
        if (r.Accept("TABLESPACE")) return SqlObjectKind.Tablespace;
        return SqlObjectKind.Other;
    }

    private static void Create(ref TokenReader r, StatementInfo info)
    {
        info.Kind = StatementKind.Create;
        var first = r.Position++;
        if (r.Accept("OR", "REPLACE")) info.OrReplace = true;
        // CREATE [GLOBAL|LOCAL] [TEMP|UNLOGGED] TABLE, CREATE UNIQUE INDEX, CREATE RECURSIVE VIEW, CREATE CONSTRAINT TRIGGER, ...
        while (true)
        {
            if (r.Accept("TEMP") || r.Accept("TEMPORARY")) info.Temporary = true;
            else if (!(r.Accept("UNLOGGED") || r.Accept("GLOBAL") || r.Accept("LOCAL") || r.Accept("UNIQUE") || r.Accept("RECURSIVE") ||
                       r.Accept("CONSTRAINT") || r.Accept("TRUSTED") || r.Accept("PROCEDURAL"))) break;
        }

        var kind = info.ObjectKind = ReadObjectKind(ref r);
        switch (kind)
        {
            case SqlObjectKind.Other:
                return;
            case SqlObjectKind.Index:
                CreateIndex(ref r, info);
                return;
            case SqlObjectKind.Database or SqlObjectKind.Tablespace:
                NonTransactional(info, StatementKind.Create, r[first], kind == SqlObjectKind.Database ? "CREATE DATABASE" : "CREATE TABLESPACE");
                break;
        }

        info.IfNotExists = r.AcceptIfNotExists();
        // CREATE SCHEMA AUTHORIZATION role creates the schema named after the role.
        if (kind == SqlObjectKind.Schema) r.Accept("AUTHORIZATION");
        if (!r.TryReadName(out var name)) return;
        info.Names = [name];
        if (kind == SqlObjectKind.Trigger)
        {
            var on = r.FindTopLevelWord(r.Position, r.Count, "ON");
            if (on >= 0)
            {
                r.Position = on + 1;
                if (r.TryReadName(out var table)) info.Table = table;
            }
        }
        else if (kind == SqlObjectKind.Table)
        {
            info.Table = name;
            ReadParentTable(ref r, info);
        }
        else if (kind == SqlObjectKind.Sequence)
        {
            ReadOwnedBy(ref r, info);
        }
    }

    /// <summary><c>CREATE TABLE name PARTITION OF parent ...</c> or <c>CREATE TABLE name (...) INHERITS (parent [, ...])</c>: the first parent.</summary>
    private static void ReadParentTable(ref TokenReader r, StatementInfo info)
    {
        if (r.Accept("PARTITION", "OF"))
        {
            if (r.TryReadName(out var parent)) info.ParentTable = parent;
            info.IsPartition = true;
            return;
        }

        var inherits = r.FindTopLevelWord(r.Position, r.Count, "INHERITS");
        if (inherits < 0) return;
        r.Position = inherits + 1;
        if (r.AcceptPunctuation('(') && r.TryReadName(out var first)) info.ParentTable = first;
    }

    /// <summary><c>... OWNED BY [schema.]table.column</c> of CREATE/ALTER SEQUENCE (not OWNED BY NONE).</summary>
    private static void ReadOwnedBy(ref TokenReader r, StatementInfo info)
    {
        var owned = r.FindTopLevelWord(r.Position, r.Count, "OWNED");
        if (owned < 0 || !r.IsWordAt(owned + 1, "BY")) return;
        r.Position = owned + 2;
        // table.column reads as a qualified name; schema.table.column drops the schema.
        if (r.TryReadName(out var column) && column.Schema is { } table)
            info.OwnedBy = (new SqlObjectName(null, table), column.Name);
    }

    /// <summary><c>RENAME TO new_name</c> at the reader: the object keeps its schema and gets the new name.</summary>
    private static void ReadRenameTo(ref TokenReader r, StatementInfo info, SqlObjectName name)
    {
        if (r.Accept("RENAME", "TO") && r.TryReadIdentifier(out var newName)) info.RenamedTo = name with { Name = newName };
    }

    /// <summary><c>CREATE [UNIQUE] INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] table ...</c></summary>
    private static void CreateIndex(ref TokenReader r, StatementInfo info)
    {
        if (r.IsWord("CONCURRENTLY"))
        {
            info.Concurrently = true;
            NonTransactional(info, StatementKind.Create, r[r.Position], "CREATE INDEX CONCURRENTLY");
            r.Position++;
        }

        info.IfNotExists = r.AcceptIfNotExists();
        if (!r.IsWord("ON") && r.TryReadName(out var name)) info.Names = [name];
        if (!r.Accept("ON")) return;
        r.Accept("ONLY");
        if (r.TryReadName(out var table)) info.Table = table;
    }

    /// <summary><c>DROP kind [CONCURRENTLY] [IF EXISTS] name [(args)] [, ...] [ON table] [CASCADE | RESTRICT]</c></summary>
    private static void Drop(ref TokenReader r, StatementInfo info)
    {
        info.Kind = StatementKind.Drop;
        var first = r.Position++;
        var kind = info.ObjectKind = ReadObjectKind(ref r);
        if (kind == SqlObjectKind.Index && r.IsWord("CONCURRENTLY"))
        {
            info.Concurrently = true;
            NonTransactional(info, StatementKind.Drop, r[r.Position], "DROP INDEX CONCURRENTLY");
            r.Position++;
        }
        else if (kind is SqlObjectKind.Database or SqlObjectKind.Tablespace)
        {
            NonTransactional(info, StatementKind.Drop, r[first], kind == SqlObjectKind.Database ? "DROP DATABASE" : "DROP TABLESPACE");
        }

        if (kind != SqlObjectKind.Other)
        {
            info.IfExists = r.AcceptIfExists();
            var names = new List<SqlObjectName>(1);
            while (r.TryReadName(out var name))
            {
                names.Add(name);
                r.SkipParenthesized(); // DROP FUNCTION f(int), g(text)
                if (!r.AcceptPunctuation(',')) break;
            }

            info.Names = names;
            if (kind == SqlObjectKind.Trigger && r.Accept("ON") && r.TryReadName(out var table)) info.Table = table;
            else if (kind == SqlObjectKind.Table && names.Count > 0) info.Table = names[0];
        }

        MarkCascade(ref r, info, r.Position);
        if ((kind is SqlObjectKind.Table or SqlObjectKind.Schema or SqlObjectKind.Type or SqlObjectKind.Database) && info.Names.Count > 0)
            info.DestructiveDescription = Describe("DROP " + KindKeyword(kind), info.Names, null);
    }

    private static void Alter(ref TokenReader r, StatementInfo info)
    {
        info.Kind = StatementKind.Alter;
        var first = r.Position++;
        if (r.IsWord("SYSTEM"))
        {
            info.ObjectKind = SqlObjectKind.System;
            NonTransactional(info, StatementKind.Alter, r[first], "ALTER SYSTEM");
            return;
        }

        var kind = info.ObjectKind = ReadObjectKind(ref r);
        MarkDropCascade(ref r, info, r.Position);
        if (kind == SqlObjectKind.Other) return;
        info.IfExists = r.AcceptIfExists();
        if (kind == SqlObjectKind.Table)
        {
            AlterTable(ref r, info);
            return;
        }

        if (!r.TryReadName(out var name)) return;
        info.Names = [name];
        if (kind == SqlObjectKind.Database && r.IsWord("SET") && r.IsWordAt(r.Position + 1, "TABLESPACE"))
            NonTransactional(info, StatementKind.Alter, r[r.Position], "ALTER DATABASE SET TABLESPACE");
        r.SkipParenthesized(); // ALTER FUNCTION f(int) RENAME TO g
        if (kind == SqlObjectKind.Trigger && r.Accept("ON") && r.TryReadName(out var table)) info.Table = table;
        ReadRenameTo(ref r, info, name);
        if (kind == SqlObjectKind.Sequence) ReadOwnedBy(ref r, info);
    }

    /// <summary><c>ALTER TABLE [IF EXISTS] [ONLY] name [*] action [, ...]</c></summary>
    private static void AlterTable(ref TokenReader r, StatementInfo info)
    {
        if (r.IsWord("ALL") && r.IsWordAt(r.Position + 1, "IN")) return; // ALTER TABLE ALL IN TABLESPACE
        r.Accept("ONLY");
        if (!r.TryReadName(out var table)) return;
        info.Names = [table];
        info.Table = table;
        r.AcceptStar();

        var actions = new List<AlterTableAction>(1);
        StringBuilder? dropped = null;
        while (!r.AtEnd)
        {
            var end = r.NextTopLevelComma(r.Position);
            var action = AlterTableSubcommand(ref r, end, info);
            actions.Add(action);
            if (action.Kind == AlterTableActionKind.DropColumn)
            {
                dropped = dropped is null ? new StringBuilder("ALTER TABLE ").Append(table).Append(' ') : dropped.Append(", ");
                dropped.Append("DROP COLUMN ").Append(action.Column);
            }

            r.Position = end + 1;
        }

        info.AlterTableActions = actions;
        if (dropped is not null) info.DestructiveDescription = dropped.ToString();
    }

    /// <summary>One subcommand, the tokens in [reader position, end).</summary>
    private static AlterTableAction AlterTableSubcommand(ref TokenReader r, int end, StatementInfo info)
    {
        var first = r[r.Position];
        if (r.IsWord("RENAME") && r.IsWordAt(r.Position + 1, "TO") && info.Table is { } table)
        {
            ReadRenameTo(ref r, info, table);
            return new AlterTableAction(AlterTableActionKind.Other, first);
        }

        if (r.Accept("ADD"))
        {
            if (r.IsWord("CONSTRAINT") || r.IsWord("PRIMARY") || r.IsWord("UNIQUE") || r.IsWord("CHECK") ||
                r.IsWord("FOREIGN") || r.IsWord("EXCLUDE"))
                return new AlterTableAction(AlterTableActionKind.AddConstraint, first);
            r.Accept("COLUMN");
            var ifNotExists = r.AcceptIfNotExists();
            if (!r.TryReadIdentifier(out var column)) return new AlterTableAction(AlterTableActionKind.Other, first);
            return AddColumn(ref r, end, first, column, ifNotExists);
        }

        if (r.Accept("DROP"))
        {
            var constraint = r.Accept("CONSTRAINT");
            if (!constraint) r.Accept("COLUMN");
            var ifExists = r.AcceptIfExists();
            r.TryReadIdentifier(out var name);
            return new AlterTableAction(constraint ? AlterTableActionKind.DropConstraint : AlterTableActionKind.DropColumn, first)
            {
                Column = constraint ? null : name,
                IfExists = ifExists,
            };
        }

        if (r.Accept("ALTER"))
        {
            if (r.IsWord("CONSTRAINT")) return new AlterTableAction(AlterTableActionKind.Other, first);
            r.Accept("COLUMN");
            if (!r.TryReadIdentifier(out var column)) return new AlterTableAction(AlterTableActionKind.Other, first);
            var kind = r.Accept("SET", "NOT") && r.IsWord("NULL") ? AlterTableActionKind.SetNotNull
                : r.IsWord("TYPE") || (r.IsWord("SET") && r.IsWordAt(r.Position + 1, "DATA")) ? AlterTableActionKind.AlterColumnType
                : AlterTableActionKind.AlterColumn;
            return new AlterTableAction(kind, first) { Column = column };
        }

        if (r.Accept("DETACH", "PARTITION"))
        {
            var concurrently = r.FindTopLevelWord(r.Position, end, "CONCURRENTLY");
            if (concurrently >= 0)
                NonTransactional(info, StatementKind.Alter, r[concurrently], "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY");
        }

        return new AlterTableAction(AlterTableActionKind.Other, first);
    }

    /// <summary>The column definition after <c>ADD [COLUMN] [IF NOT EXISTS] name</c>: type, then constraints outside parentheses.</summary>
    private static AlterTableAction AddColumn(ref TokenReader r, int end, SqlToken first, string column, bool ifNotExists)
    {
        var hasDefault = IsSerialType(ref r);
        var generated = false;
        SqlToken? notNull = null;
        var depth = 0;
        for (var i = r.Position; i < end; i++)
        {
            if (r.IsPunctuationAt(i, '(')) depth++;
            else if (r.IsPunctuationAt(i, ')') && depth > 0) depth--;
            if (depth > 0) continue;

            if (r.IsWordAt(i, "NOT") && r.IsWordAt(i + 1, "NULL")) notNull ??= r[i];
            else if (r.IsWordAt(i, "PRIMARY") && r.IsWordAt(i + 1, "KEY")) notNull ??= r[i];
            else if (r.IsWordAt(i, "GENERATED")) generated = true;
            // ON DELETE SET DEFAULT is a foreign key action, not a value.
            else if (r.IsWordAt(i, "DEFAULT") && !r.IsWordAt(i - 1, "SET")) hasDefault = true;
        }

        return new AlterTableAction(AlterTableActionKind.AddColumn, first)
        {
            Column = column,
            IfNotExists = ifNotExists,
            NotNull = notNull is not null,
            NotNullToken = notNull,
            HasDefault = hasDefault,
            IsGenerated = generated,
        };
    }

    /// <summary>serial types come with a sequence default, so existing rows get values.</summary>
    private static bool IsSerialType(ref TokenReader r) =>
        r.IsWord("SERIAL") || r.IsWord("BIGSERIAL") || r.IsWord("SMALLSERIAL") ||
        r.IsWord("SERIAL4") || r.IsWord("SERIAL8") || r.IsWord("SERIAL2");

    /// <summary><c>TRUNCATE [TABLE] [ONLY] name [*] [, ...] [RESTART IDENTITY] [CASCADE]</c></summary>
    private static void Truncate(ref TokenReader r, StatementInfo info)
    {
        info.Kind = StatementKind.Truncate;
        r.Position++;
        r.Accept("TABLE");
        var names = new List<SqlObjectName>(1);
        while (true)
        {
            r.Accept("ONLY");
            if (!r.TryReadName(out var name)) break;
            names.Add(name);
            r.AcceptStar();
            if (!r.AcceptPunctuation(',')) break;
        }

        info.Names = names;
        if (names.Count > 0) info.Table = names[0];
        MarkCascade(ref r, info, r.Position);
        info.DestructiveDescription = Describe("TRUNCATE", names, null);
    }

    /// <summary><c>DELETE FROM [ONLY] name ... [WHERE ...]</c> or <c>UPDATE [ONLY] name ... SET ... [WHERE ...]</c>.</summary>
    private static void DeleteOrUpdate(ref TokenReader r, StatementInfo info, StatementKind kind)
    {
        info.Kind = kind;
        r.Position++;
        if (kind == StatementKind.Delete) r.Accept("FROM");
        r.Accept("ONLY");
        if (r.TryReadName(out var table))
        {
            info.Names = [table];
            info.Table = table;
        }

        info.HasWhere = r.FindTopLevelWord(r.Position, r.Count, "WHERE") >= 0;
        if (!info.HasWhere)
            info.DestructiveDescription = Describe(kind == StatementKind.Delete ? "DELETE FROM" : "UPDATE", info.Names, " without WHERE");
    }

    private static void Insert(ref TokenReader r, StatementInfo info)
    {
        info.Kind = StatementKind.Insert;
        r.Position++;
        r.Accept("INTO");
        if (!r.TryReadName(out var table)) return;
        info.Names = [table];
        info.Table = table;
    }

    /// <summary>
    /// <c>REINDEX [(options)] {INDEX|TABLE|SCHEMA|DATABASE|SYSTEM} [CONCURRENTLY] name</c>. CONCURRENTLY, and the
    /// SCHEMA, DATABASE and SYSTEM forms (which commit per table), refuse to run in a transaction block.
    /// </summary>
    private static void Reindex(ref TokenReader r, StatementInfo info)
    {
        info.Kind = StatementKind.Reindex;
        var first = r.Position++;
        if (r.IsPunctuation('('))
        {
            var optionsStart = r.Position;
            r.SkipParenthesized();
            for (var i = optionsStart; i < r.Position; i++)
            {
                if (r.IsWordAt(i, "CONCURRENTLY") && !r.IsWordAt(i + 1, "FALSE") && !r.IsWordAt(i + 1, "OFF"))
                {
                    info.Concurrently = true;
                    NonTransactional(info, StatementKind.Reindex, r[i], "REINDEX CONCURRENTLY");
                }
            }
        }

        var kind = ReadObjectKind(ref r);
        if (kind == SqlObjectKind.Other && r.Accept("SYSTEM")) kind = SqlObjectKind.System;
        info.ObjectKind = kind;
        if (r.IsWord("CONCURRENTLY"))
        {
            info.Concurrently = true;
            NonTransactional(info, StatementKind.Reindex, r[r.Position], "REINDEX CONCURRENTLY");
            r.Position++;
        }
        else if (!info.Concurrently && kind is SqlObjectKind.Schema or SqlObjectKind.Database or SqlObjectKind.System)
        {
            NonTransactional(info, StatementKind.Reindex, r[first], "REINDEX " + KindKeyword(kind));
        }

        if (r.TryReadName(out var name)) info.Names = [name];
    }

    private static void NonTransactional(StatementInfo info, StatementKind kind, SqlToken token, string command)
    {
        info.Kind = kind;
        info.NonTransactionalCommand = command;
        info.NonTransactionalToken = token;
    }

    /// <summary>DROP and TRUNCATE: a CASCADE outside parentheses from <paramref name="from"/> on.</summary>
    private static void MarkCascade(ref TokenReader r, StatementInfo info, int from)
    {
        var cascade = r.FindTopLevelWord(from, r.Count, "CASCADE");
        if (cascade < 0) return;
        info.Cascade = true;
        info.CascadeToken = r[cascade];
    }

    /// <summary>ALTER: a CASCADE in a DROP subcommand (DROP COLUMN c CASCADE), never ON DELETE CASCADE of an added constraint.</summary>
    private static void MarkDropCascade(ref TokenReader r, StatementInfo info, int from)
    {
        var depth = 0;
        var inDrop = false;
        for (var i = from; i < r.Count; i++)
        {
            if (r.IsPunctuationAt(i, '(')) depth++;
            else if (r.IsPunctuationAt(i, ')') && depth > 0) depth--;
            else if (depth > 0) continue;
            else if (r.IsPunctuationAt(i, ',')) inDrop = false;
            else if (r.IsWordAt(i, "DROP")) inDrop = true;
            else if (inDrop && r.IsWordAt(i, "CASCADE"))
            {
                info.Cascade = true;
                info.CascadeToken = r[i];
                return;
            }
        }
    }

    internal static string KindKeyword(SqlObjectKind kind) => kind switch
    {
        SqlObjectKind.MaterializedView => "MATERIALIZED VIEW",
        SqlObjectKind.None or SqlObjectKind.Other => "",
        _ => kind.ToString().ToUpperInvariant(),
    };

    private static string Describe(string command, IReadOnlyList<SqlObjectName> names, string? suffix)
    {
        var builder = new StringBuilder(command);
        for (var i = 0; i < names.Count; i++) builder.Append(i == 0 ? " " : ", ").Append(names[i]);
        return builder.Append(suffix).ToString();
    }
}
