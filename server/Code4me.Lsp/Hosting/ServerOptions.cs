namespace Code4me.Lsp.Hosting;

/// <summary>Settings of the server process (section <c>Code4me:Server</c>).</summary>
internal sealed class ServerOptions
{
    public const string Section = "Code4me:Server";

    /// <summary>How often to check that the client process (initialize's <c>processId</c>) is alive.</summary>
    public int ParentProcessPollMs { get; set; } = 1000;
}
