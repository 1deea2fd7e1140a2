namespace Code4me.Lsp.Core;

/// <summary>Marks the Core assembly for architecture tests.</summary>
public static class CoreAssembly
{
}
