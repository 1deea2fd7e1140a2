using System.Text.Json;

namespace Code4me.Lsp.Hosting;

/// <summary>What counts as "no settings" in a push or a pulled section.</summary>
internal static class DidChangeConfigurationSettings
{
    /// <summary>
    /// Null, absent, <c>{}</c>, or <c>{ "code4me": null }</c>: says nothing changed. Applied, it would wipe the settings
    /// from initializationOptions, consent among them (eglot pushes <c>{}</c> right after <c>initialized</c>).
    /// </summary>
    public static bool IsEmpty(JsonElement? settings) =>
        settings is not { } value
        || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
        || (value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any())
        || (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(LspConfigurationProvider.Section, out var section)
            && (section.ValueKind is JsonValueKind.Null || (section.ValueKind == JsonValueKind.Object && !section.EnumerateObject().Any())));
}
