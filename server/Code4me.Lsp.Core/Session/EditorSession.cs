namespace Code4me.Lsp.Core.Session;

/// <summary>
/// What the editor told the server at <c>initialize</c>: who it is and which folders are open. Set once
/// on the dispatch path; read by completion and telemetry.
/// </summary>
public sealed class EditorSession
{
    /// <summary>The client's name from <c>clientInfo</c> (e.g. "Visual Studio Code", "Neovim").</summary>
    public string? ClientName { get; private set; }

    public string? ClientVersion { get; private set; }

    /// <summary>Workspace folders as local paths, in the order the client gave them.</summary>
    public IReadOnlyList<string> WorkspaceFolders { get; private set; } = [];

    public int? ClientProcessId { get; private set; }

    public DateTimeOffset? InitializedAt { get; private set; }

    public void Initialize(string? clientName, string? clientVersion, IReadOnlyList<string> workspaceFolders, int? clientProcessId, DateTimeOffset now)
    {
        ClientName = clientName;
        ClientVersion = clientVersion;
        WorkspaceFolders = workspaceFolders;
        ClientProcessId = clientProcessId;
        InitializedAt = now;
    }
}
