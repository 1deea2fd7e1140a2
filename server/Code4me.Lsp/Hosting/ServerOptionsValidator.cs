using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Hosting;

/// <summary>Validates <see cref="ServerOptions"/> with messages that name the setting.</summary>
internal sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options) =>
        options.ParentProcessPollMs is < 50 or > 600_000
            ? ValidateOptionsResult.Fail($"{ServerOptions.Section}:ParentProcessPollMs must be between 50 and 600000 ms; it is {options.ParentProcessPollMs}.")
            : ValidateOptionsResult.Success;
}
