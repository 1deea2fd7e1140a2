namespace Code4me.Lsp.Rpc;

/// <summary>What the lifecycle lets through for a method.</summary>
internal enum MethodKind
{
    /// <summary>Served between initialize and shutdown.</summary>
    Normal,

    /// <summary><c>initialize</c>: only before anything else.</summary>
    Initialize,

    /// <summary><c>exit</c>: always.</summary>
    Exit,
}
