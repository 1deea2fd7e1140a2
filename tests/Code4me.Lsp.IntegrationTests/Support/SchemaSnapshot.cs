using Dapper;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>
/// The schema of a database as sorted text lines: tables, columns, constraints, indexes, triggers, functions
/// (with a hash of their bodies), and the privileges on tables and columns; of every other schema (e.g. analysis, 0010)
/// its relations, views and functions with their privileges, definitions and comments. Two equal snapshots mean the same schema. A table's
/// default privileges and the same privileges written out (what REVOKE leaves) read alike, and so do grants made in another order.
/// </summary>
internal static class SchemaSnapshot
{
    private const string Sql = """
        SELECT 'table ' || c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v')
        UNION ALL
        SELECT format('column %s.%s %s %s %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                      CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END, pg_get_expr(d.adbin, d.adrelid))
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        -- The copies PostgreSQL makes of a foreign key for each partition are named in the order it made them: by what they copy.
        SELECT format('constraint %s %s %s', c.relname,
                      CASE WHEN k.conparentid = 0 THEN k.conname ELSE 'copy of ' || (SELECT p.conname FROM pg_constraint p WHERE p.oid = k.conparentid) END,
                      pg_get_constraintdef(k.oid))
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public'
        UNION ALL
        SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL
        SELECT format('function %s(%s) security definer=%s acl=%s body=%s', p.proname, pg_get_function_identity_arguments(p.oid), p.prosecdef, p.proacl,
                      md5(p.prosrc))
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
        UNION ALL
        SELECT 'trigger ' || pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND NOT t.tgisinternal
        UNION ALL
        SELECT format('acl %s %s', c.relname,
                      (SELECT array_agg(i::text ORDER BY i::text) FROM unnest(coalesce(c.relacl, acldefault('r', c.relowner))) AS i))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v')
        UNION ALL
        SELECT format('column acl %s.%s %s', c.relname, a.attname, a.attacl)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND NOT a.attisdropped AND a.attacl IS NOT NULL AND cardinality(a.attacl) > 0
        UNION ALL
        SELECT format('schema acl %s', nspacl) FROM pg_namespace WHERE nspname = 'public'
        UNION ALL
        SELECT format('schema %s acl=%s comment=%s', n.nspname, n.nspacl, md5(obj_description(n.oid, 'pg_namespace')))
        FROM pg_namespace n WHERE n.nspname NOT IN ('public', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
        UNION ALL
        SELECT format('relation %s.%s kind=%s acl=%s body=%s comment=%s', n.nspname, c.relname, c.relkind, c.relacl,
                      md5(pg_get_viewdef(c.oid)), md5(obj_description(c.oid, 'pg_class')))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('public', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
        UNION ALL
        SELECT format('function %s.%s(%s) acl=%s body=%s', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), p.proacl,
                      md5(pg_get_functiondef(p.oid)))
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('public', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
        """;

    public static async Task<IReadOnlyList<string>> TakeAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync(TimeoutToken.Create());
        var lines = await connection.QueryAsync<string>(new CommandDefinition(Sql, cancellationToken: TimeoutToken.Create()));
        return [.. lines.Order(StringComparer.Ordinal)];
    }
}
