namespace Code4me.Lsp.Rpc;

/// <summary>The parameters of a method that takes none (<c>shutdown</c>, <c>exit</c>, <c>initialized</c>'s empty object).</summary>
internal sealed class NoParams
{
    public static readonly NoParams Instance = new();
}
