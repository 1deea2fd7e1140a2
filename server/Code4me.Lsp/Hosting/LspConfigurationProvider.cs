using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Code4me.Lsp.Hosting;

/// <summary>
/// The configuration the client sends: <c>initializationOptions</c> and the <c>code4me</c> section of
/// <c>workspace/didChangeConfiguration</c>, flattened under <c>Code4me:</c>. Added last, so the editor's
/// settings win over appsettings.json, the environment and the command line.
/// </summary>
internal sealed class LspConfigurationProvider : ConfigurationProvider, IConfigurationSource
{
    public const string Section = "code4me";

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    /// <summary>The current client settings, for rolling back a change that does not validate.</summary>
    public IDictionary<string, string?> Snapshot() => new Dictionary<string, string?>(Data, StringComparer.OrdinalIgnoreCase);

    /// <summary>Replaces the client settings with <paramref name="settings"/> (the section itself, or an object holding a <c>code4me</c> property).</summary>
    public void Apply(JsonElement settings)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty(Section, out var section))
        {
            settings = section;
        }

        if (settings.ValueKind == JsonValueKind.Object)
        {
            Flatten(settings, "Code4me", data);
        }
        else if (settings.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            throw new Core.InvalidInputException($"The code4me settings must be a JSON object, not a {settings.ValueKind.ToString().ToLowerInvariant()}.");
        }

        Restore(data);
    }

    public void Restore(IDictionary<string, string?> data)
    {
        Data = new Dictionary<string, string?>(data, StringComparer.OrdinalIgnoreCase);
        OnReload();
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string?> data)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, $"{prefix}:{property.Name}", data);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, string.Create(CultureInfo.InvariantCulture, $"{prefix}:{index++}"), data);
                }

                break;
            case JsonValueKind.Null:
                data[prefix] = null;
                break;
            case JsonValueKind.String:
                data[prefix] = element.GetString();
                break;
            default:
                data[prefix] = element.GetRawText();
                break;
        }
    }
}
