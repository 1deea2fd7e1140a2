namespace Code4me.Lsp.Protocol;

/// <summary>Severity of <c>window/logMessage</c> and <c>window/showMessage</c>.</summary>
/// <seealso href="https://microsoft.github.io/language-server-protocol/specifications/lsp/3.18/specification/#messageType"/>
internal static class MessageType
{
    public const int Error = 1;
    public const int Warning = 2;
    public const int Info = 3;
    public const int Log = 4;
    public const int Debug = 5;
}
