namespace Code4me.Lsp.Core.Telemetry;

/// <summary>An immutable snapshot of <see cref="ConsentOptions"/>; the modules count only when <see cref="Enabled"/>.</summary>
public sealed record ConsentLevel(bool Enabled, bool StoreContext, bool StoreContextual, bool StoreBehavioral)
{
    public static ConsentLevel None { get; } = new(false, false, false, false);

    public static ConsentLevel From(ConsentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.Enabled, options.StoreContext, options.StoreContextual, options.StoreBehavioral);
    }

    internal bool Context => Enabled && StoreContext;

    internal bool Contextual => Enabled && StoreContextual;

    internal bool Behavioral => Enabled && StoreBehavioral;
}
