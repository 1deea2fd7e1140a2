namespace Code4me.Lsp.Hosting;

/// <summary>Validates one options type against the current configuration; returns the failures.</summary>
internal interface IOptionsCheck
{
    IReadOnlyList<string> Check();
}
