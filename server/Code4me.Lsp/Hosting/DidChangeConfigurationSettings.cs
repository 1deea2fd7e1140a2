using System.Text.Json;

namespace Code4me.Lsp.Hosting;

/// <summary>What counts as "no settings" in a push or a pulled section.</summary>
internal static class DidChangeConfigurationSettings
{
    /// <summary>
    /// Null, absent, <c>{}</c>, <c>[]</c> (an empty Lua table, as Neovim encodes it), or a <c>code4me</c> member that is one
    /// of these: says nothing changed. Applied, it would wipe the settings from initializationOptions, consent among them
    /// (eglot pushes <c>{}</c> right after <c>initialized</c>).
    /// </summary>
    public static bool IsEmpty(JsonElement? settings) =>
        settings is not { } value
        || IsNothing(value)
        || (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(LspConfigurationProvider.Section, out var section) && IsNothing(section));

    private static bool IsNothing(JsonElement value) =>
        value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
        || (value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any())
        || (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0);
}
