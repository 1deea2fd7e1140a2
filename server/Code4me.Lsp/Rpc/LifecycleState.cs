namespace Code4me.Lsp.Rpc;

internal enum LifecycleState
{
    /// <summary>Nothing received yet: only <c>initialize</c> and <c>exit</c> are accepted.</summary>
    Created,

    /// <summary><c>initialize</c> answered; waiting for <c>initialized</c> (requests are served already).</summary>
    Initializing,

    Initialized,

    /// <summary><c>shutdown</c> answered: only <c>exit</c> is accepted.</summary>
    ShutDown,
}
