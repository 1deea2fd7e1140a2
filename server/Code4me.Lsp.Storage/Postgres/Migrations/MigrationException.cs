namespace Code4me.Lsp.Storage.Postgres.Migrations;

/// <summary>
/// An expected migration failure whose <see cref="Exception.Message"/> tells a person what to do
/// (edited migration, database newer than this executable, a script that failed and was rolled back).
/// </summary>
internal sealed class MigrationException : Exception
{
    public MigrationException(string message)
        : base(message)
    {
    }

    public MigrationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
