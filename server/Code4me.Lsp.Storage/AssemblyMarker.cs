namespace Code4me.Lsp.Storage;

/// <summary>Marks the Storage assembly for architecture tests.</summary>
public static class StorageAssembly
{
}
