using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Rpc;

/// <summary>
/// Where the server is in the LSP lifecycle, and what was negotiated at <c>initialize</c>.
/// Written on the dispatch path, read anywhere.
/// </summary>
internal sealed class Lifecycle
{
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile LifecycleState _state = LifecycleState.Created;

    public LifecycleState State => _state;

    /// <summary>The position encoding agreed at initialize (UTF-16 until then).</summary>
    public PositionEncoding PositionEncoding { get; private set; } = PositionEncoding.Utf16;

    /// <summary>The value of the last <c>$/setTrace</c> (or initialize's <c>trace</c>).</summary>
    public string Trace { get; set; } = "off";

    /// <summary>Completes with the process exit code when the session is over.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The client accepts server-initiated work-done progress (<c>window.workDoneProgress</c>).</summary>
    public bool ClientSupportsWorkDoneProgress { get; private set; }

    /// <summary>The client answers <c>workspace/configuration</c> (<c>workspace.configuration</c>): settings are pulled, not taken from pushes.</summary>
    public bool ClientSupportsConfiguration { get; private set; }

    public void Initializing(PositionEncoding encoding, bool workDoneProgress, bool configuration = false)
    {
        PositionEncoding = encoding;
        ClientSupportsWorkDoneProgress = workDoneProgress;
        ClientSupportsConfiguration = configuration;
        _state = LifecycleState.Initializing;
    }

    public void Initialized() => _state = LifecycleState.Initialized;

    public void ShuttingDown() => _state = LifecycleState.ShutDown;

    /// <summary>
    /// The session ends: 0 after a <c>shutdown</c> request, 1 otherwise (the spec's rule for <c>exit</c>,
    /// also applied when the client closes the stream or dies).
    /// </summary>
    public void Exit() => _exited.TrySetResult(_state == LifecycleState.ShutDown ? 0 : 1);
}
