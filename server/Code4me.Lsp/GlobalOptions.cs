using System.CommandLine;
using Code4me.Lsp.Hosting;
using Microsoft.Extensions.Configuration;

namespace Code4me.Lsp;

/// <summary>
/// The option every command takes, anywhere on the line (<c>code4me-lsp --config K=V migrate status</c> and
/// <c>code4me-lsp migrate status --config K=V</c> alike): <c>--config Key=Value</c>, over the same
/// <see cref="SettingsSources"/> the server reads.
/// </summary>
internal sealed class GlobalOptions
{
    public Option<string[]> Config { get; } = new("--config", "-c")
    {
        Description = "A setting as Key=Value, e.g. Code4me:Logging:Level=Debug (repeatable; any command).",
        AllowMultipleArgumentsPerToken = false,
        Recursive = true,
    };

    public IReadOnlyList<string> ConfigOverrides(ParseResult parseResult) => parseResult.GetValue(Config) ?? [];

    /// <summary>The settings of a command that runs no server: appsettings.json, the environment, <c>--config</c>.</summary>
    public IConfiguration Settings(ParseResult parseResult) => SettingsSources.Build(ConfigOverrides(parseResult));
}
