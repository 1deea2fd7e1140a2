namespace Code4me.Lsp.Storage.Postgres.Migrations;

/// <summary>
/// One versioned migration: <c>schema/NNNN_name.up.sql</c> and its <c>.down.sql</c>.
/// <see cref="Checksum"/> is the lower-case hex SHA-256 of the up script's bytes.
/// </summary>
internal sealed record Migration(int Version, string Name, string UpSql, string DownSql, string Checksum)
{
    /// <summary>The file stem, e.g. <c>0001_code4me_v2</c>.</summary>
    public string FullName => $"{Version:D4}_{Name}";
}
