namespace Code4me.Lsp.Storage;

/// <summary>
/// A database failure a person can act on, in one sentence (<see cref="Exception.Message"/>): no database, wrong
/// credentials, a refused connection, a schema not migrated, a broken rule. The driver's exception is the inner one.
/// Callers outside Storage catch this, never a driver type.
/// </summary>
public sealed class StorageException : Exception
{
    public StorageException()
    {
    }

    public StorageException(string message)
        : base(message)
    {
    }

    public StorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
